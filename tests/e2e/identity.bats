#!/usr/bin/env bats
# What a worker becomes before it loads its app: chroot and chdir,
# rlimits, priority, environment.

load helpers

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
}

@test "a chrooted pool's workers live in the chroot and still serve" {
	mkdir -p "$T/jail/app"
	chmod 0755 "$T/jail" "$T/jail/app"
	install -m 0644 "$T/hello.so" "$T/jail/app/hello.so"
	write_conf
	cat >>"$T/fpm.ini" <<-EOF

	[jailed]
	listen = $T/jailed.sock
	listen.owner = $NGINX_USER
	user = $POOL_USER
	chroot = $T/jail/
	chdir = /app
	pm.max_memory = 256M
	pm.max_children = 2
	app = $T/jail/app/hello.so
	EOF
	start_fpm
	start_nginx "/jailed=unix:$T/jailed.sock"

	run get /jailed
	assert_output 200
	assert_equal "$(cat "$T/body")" "Hello World"
	local p n=0
	for p in $(workers); do
		grep -q "jail/app/hello.so" "/proc/$p/maps" || continue
		assert_equal "$(readlink "/proc/$p/root")" "$T/jail"
		assert_equal "$(readlink "/proc/$p/cwd")" "$T/jail/app"
		# no descriptor to a directory outside the jail, the way out
		# of a chroot (openat from it)
		local fd target
		for fd in /proc/$p/fd/*; do
			target=$(readlink "$fd") || continue
			if [ -d "$target" ] && [[ $target != "$T/jail"* ]]; then
				fail "worker $p holds $target open (fd ${fd##*/})"
			fi
		done
		n=$((n + 1))
	done
	assert_equal "$n" 2
}

@test "an app outside the chroot is refused by -t" {
	mkdir -p "$T/jail"
	write_conf "chroot = $T/jail"
	run "$FPM_BIN" -t -y "$T/fpm.ini"
	assert_failure 1
	assert_line "$T/fpm.ini:7: [pool www] app '$T/hello.so' is outside chroot '$T/jail'"
}

@test "workers get the pool's rlimits, priority and environment" {
	write_conf \
		"pm.max_children = 2" \
		"rlimit_files = 1234" \
		"rlimit_core = unlimited" \
		"process.priority = 7" \
		"[env]" \
		"listen = $T/env.sock" \
		"listen.owner = $NGINX_USER" \
		"user = $POOL_USER" \
		"app = $T/echo.so" \
		"pm.max_children = 1" \
		"env[GREETING] = hi from \$pool" \
		"env[FROM_MASTER] = \$FPM_E2E_VALUE"
	FPM_E2E_VALUE=inherited-value LEAKED_SECRET=s3cret start_fpm
	wait_workers 3
	start_nginx "/env=unix:$T/env.sock"

	local p
	for p in $(workers_of hello); do
		run grep "^Max open files" "/proc/$p/limits"
		assert_output --regexp "^Max open files +1234 +1234 +files"
		run grep "^Max core file size" "/proc/$p/limits"
		assert_output --regexp "unlimited +unlimited"
		# field 19 of /proc/PID/stat is the nice value
		assert_equal "$(awk '{ print $19 }' "/proc/$p/stat")" 7
	done
	# the master keeps its own
	assert_equal "$(awk '{ print $19 }' "/proc/$FPM_PID/stat")" 0
	run grep -c LEAKED_SECRET "/proc/$FPM_PID/environ"
	assert_output 1

	# clear_env (the default): the app sees only its pool's env[...]
	run get "/env?env"
	assert_output 200
	run sort "$T/body"
	assert_output "$(printf 'FROM_MASTER=inherited-value\nGREETING=hi from env')"
	# and the master's variables are not left in the worker's memory
	run grep -c LEAKED_SECRET "/proc/$(workers_of echo)/environ"
	assert_output 0
}

@test "clear_env = no passes the master's environment on" {
	write_conf "pm.max_children = 1" "clear_env = no" "app = $T/echo.so"
	sed -i "s/^user = .*/&\nlisten.owner = $NGINX_USER/" "$T/fpm.ini"
	FPM_E2E_VALUE=kept start_fpm
	start_nginx "/www=unix:$T/www.sock"
	run get "/www?env"
	assert_output 200
	run cat "$T/body"
	assert_line "FPM_E2E_VALUE=kept"
}
