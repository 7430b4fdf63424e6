#!/usr/bin/env bats
# fpm -t: a good configuration passes; each kind of mistake is reported
# with FILE:LINE and a message that says what to fix, and fpm refuses to
# start on it.  Debian's php-fpm pool file is accepted as it is.

load helpers

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
}

@test "fpm -t accepts a good configuration" {
	write_conf
	fpm_test
	assert_success
	assert_output "configuration file $T/fpm.ini test is successful"
}

@test "fpm -t reports an unknown directive" {
	write_conf "pm.max_kids = 3"
	fpm_test
	assert_line "$T/fpm.ini:8: [www] unknown directive 'pm.max_kids'"
	assert_failed_with "1 error"
}

@test "fpm -t reports values of the wrong type" {
	write_conf "clear_env = maybe" "pm.max_children = five" \
		"listen.mode = 0789"
	fpm_test
	assert_line "$T/fpm.ini:8: [www] 'clear_env': expected yes or no, got 'maybe'"
	assert_line "$T/fpm.ini:9: [www] 'pm.max_children': expected an integer in 1..100000, got 'five'"
	assert_line "$T/fpm.ini:10: [www] 'listen.mode': expected an octal mode in 0..0777, got '0789'"
	assert_failed_with "3 errors"
}

@test "fpm -t reports values out of range" {
	write_conf "pm.max_children = 0" "process.priority = 21"
	fpm_test
	assert_line "$T/fpm.ini:8: [www] 'pm.max_children': expected an integer in 1..100000, got '0'"
	assert_line "$T/fpm.ini:9: [www] 'process.priority': expected an integer in -19..20, got '21'"
	assert_failed_with "2 errors"
}

@test "fpm -t reports a duplicate pool" {
	write_conf "" "[www]" "listen = $T/other.sock"
	fpm_test
	assert_line "$T/fpm.ini:9: duplicate pool 'www' (first defined at $T/fpm.ini:4)"
	assert_failed_with "1 error"
}

@test "fpm -t reports two pools on one address" {
	write_conf "" "[second]" "listen = $T/www.sock" "user = $POOL_USER" \
		"app = $T/hello.so"
	fpm_test
	assert_line "$T/fpm.ini:10: [pool second] listen address '$T/www.sock' is already used by pool 'www'"
	assert_failed_with "1 error"
}

@test "fpm -t reports a native pool without an app" {
	write_conf "" "[noapp]" "listen = $T/noapp.sock" "user = $POOL_USER" \
		"sapi = native"
	fpm_test
	assert_line "$T/fpm.ini:9: [pool noapp] 'app' is not set: a native pool needs the path of its app's shared object"
	assert_failed_with "1 error"
}

@test "fpm -t reports an app file that does not exist" {
	write_conf "" "[gone]" "listen = $T/gone.sock" "user = $POOL_USER" \
		"app = $T/gone.so"
	fpm_test
	assert_line "$T/fpm.ini:12: [pool gone] $POOL_USER cannot read app '$T/gone.so': No such file or directory"
	assert_failed_with "1 error"
}

@test "fpm -t reports an include that does not exist" {
	write_conf
	sed -i "2a include = $T/missing.conf" "$T/fpm.ini"
	fpm_test
	assert_line "$T/fpm.ini:3: include: cannot read '$T/missing.conf': No such file or directory"
	assert_failed_with "1 error"
}

@test "fpm -t reports an include it may not read, at the include line" {
	write_conf
	sed -i "2a include = $T/secret.conf" "$T/fpm.ini"
	printf '[secret]\nlisten = %s/secret.sock\napp = %s/hello.so\n' \
		"$T" "$T" >"$T/secret.conf"
	chmod 0600 "$T/secret.conf"
	# As root every file is readable: test as a user who may not.
	run setpriv --reuid "$POOL_USER" --regid "$(id -g "$POOL_USER")" --clear-groups \
		"$FPM_BIN" -t -y "$T/fpm.ini"
	assert_failed_with "1 error"
	assert_output --partial "$T/secret.conf"
	assert_output --partial "Permission denied"
	# Which line pulled the file in, as for a missing include.
	assert_line --regexp "^$T/fpm.ini:3: .*$T/secret.conf.*Permission denied"
}

@test "fpm -t reports an include that names a directory" {
	# A forgotten '/*.conf': the directory reads as an empty file unless
	# fpm checks, and the pools in it silently do not exist.
	mkdir "$T/pools.d"
	write_conf
	sed -i "2a include = $T/pools.d" "$T/fpm.ini"
	fpm_test
	assert_failed_with "1 error"
	assert_line --regexp "^$T/fpm.ini:3: .*$T/pools.d"
}

@test "fpm -t reports a line longer than the reader takes" {
	# 198 characters are fine, 199 are not.
	write_conf "env[LONG] = $(printf '%*s' 186 '' | tr ' ' x)"
	assert_equal "$(sed -n 8p "$T/fpm.ini" | tr -d '\n' | wc -c)" 198
	fpm_test
	assert_success

	write_conf "env[LONG] = $(printf '%*s' 187 '' | tr ' ' x)"
	fpm_test
	assert_line "$T/fpm.ini:8: line is longer than 198 characters"
	assert_failed_with "1 error"
}

@test "fpm -t reports an app the pool's user cannot read" {
	local u=fpmt_c_$$
	add_user "$u"
	install -m 0600 "$T/hello.so" "$T/private.so"
	write_conf "" "[private]" "listen = $T/private.sock" "user = $u" \
		"app = $T/private.so"
	fpm_test
	assert_line "$T/fpm.ini:12: [pool private] $u cannot read app '$T/private.so': Permission denied"
	assert_failed_with "1 error"
}

@test "fpm -t refuses a pool that would run as root unless -R is given" {
	write_conf "" "[rootpool]" "listen = $T/rootpool.sock" \
		"app = $T/hello.so"
	fpm_test
	assert_line "$T/fpm.ini:9: [pool rootpool] workers would run as root: set 'user' (and 'group') to another user, or start fpm with -R/--allow-to-run-as-root"
	assert_failed_with "1 error"

	fpm_test -R
	assert_success
	assert_output "configuration file $T/fpm.ini test is successful"
}

@test "fpm -t prints every error of a file, not only the first" {
	write_conf "bogus = 1" "pm.max_children = -1" "clear_env = perhaps"
	fpm_test
	assert_line --index 0 "$T/fpm.ini:8: [www] unknown directive 'bogus'"
	assert_line --index 1 --partial "$T/fpm.ini:9: [www] 'pm.max_children'"
	assert_line --index 2 --partial "$T/fpm.ini:10: [www] 'clear_env'"
	assert_failed_with "3 errors"
}

@test "fpm refuses to start on a bad configuration and listens nowhere" {
	local port
	port=$(free_port)
	write_conf "" "[tcp]" "listen = 127.0.0.1:$port" "user = $POOL_USER" \
		"app = $T/hello.so" "pm.max_childs = 2"
	run timeout 10 "$FPM_BIN" -y "$T/fpm.ini" -F -g "$T/fpm.pid"
	assert_failure 1
	assert_line "$T/fpm.ini:13: [tcp] unknown directive 'pm.max_childs'"
	refute_output --partial "ready to handle connections"
	[ ! -e "$T/www.sock" ] || fail "$T/www.sock exists"
	[ ! -e "$T/fpm.pid" ] || fail "$T/fpm.pid exists"
	! grep -qs "ready to handle connections" "$T/fpm.log" ||
		fail "fpm logged that it was ready"
	run ss -Htln "sport = :$port"
	assert_output ""
}

@test "Debian's php-fpm www.conf passes unchanged and runs its dynamic pool" {
	cp /etc/php/8.2/fpm/pool.d/www.conf "$T/www.conf"
	sed -i "s|^listen = .*|listen = $T/www.sock|" "$T/www.conf"
	echo "app = $T/hello.so" >>"$T/www.conf"
	printf '[global]\nerror_log = %s/fpm.log\ninclude = www.conf\n' "$T" \
		>"$T/fpm.ini"
	grep -qx 'pm = dynamic' "$T/www.conf"
	grep -qx 'pm.start_servers = 2' "$T/www.conf"

	fpm_test
	assert_success
	assert_output "configuration file $T/fpm.ini test is successful"

	# And it serves: www-data's pool behind www-data's socket.
	start_fpm
	start_nginx "/hello=unix:$T/www.sock"
	run stat -c '%a %U %G' "$T/www.sock"
	assert_output "660 www-data www-data"
	run get /hello
	assert_output 200
	assert_equal "$(cat "$T/body")" "Hello World"
	# pm.start_servers = 2, and idle within the spares: no more, no fewer
	wait_workers 2
	assert_equal "$(proc_status "${FPM_WORKERS[0]}" Uid)" "33 33 33 33"
}

@test "a relative app path resolves against the directory of the file naming it" {
	mkdir -p "$T/etc/apps" "$T/etc/pools.d/apps"
	install -m 0644 "$T/hello.so" "$T/etc/apps/hello.so"
	install -m 0644 "$T/echo.so" "$T/etc/pools.d/apps/echo.so"
	cat >"$T/etc/fpm.ini" <<-EOF
	[global]
	error_log = $T/fpm.log
	include = pools.d/*.conf

	[hello]
	listen = $T/hello.sock
	listen.owner = $NGINX_USER
	user = $POOL_USER
	app = apps/hello.so
	EOF
	cat >"$T/etc/pools.d/echo.conf" <<-EOF
	[echo]
	listen = $T/echo.sock
	listen.owner = $NGINX_USER
	user = $POOL_USER
	app = apps/echo.so
	EOF
	# Neither the working directory nor the temp dir holds these names.
	rm "$T/hello.so" "$T/echo.so"
	cd /

	run "$FPM_BIN" -t -y "$T/etc/fpm.ini"
	assert_success
	assert_output "configuration file $T/etc/fpm.ini test is successful"

	FPM_CONF=$T/etc/fpm.ini start_fpm
	start_nginx "/hello=unix:$T/hello.sock" "/echo=unix:$T/echo.sock"
	run get /hello
	assert_output 200
	assert_equal "$(cat "$T/body")" "Hello World"
	run get /echo --data-binary relative
	assert_output 200
	assert_equal "$(cat "$T/body")" relative
}
