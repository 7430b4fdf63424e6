#!/usr/bin/env bats
# Workers cannot write the master's logs (issue 17, 6): a hostile app
# looks for the error log, the slow log and another pool's access log
# among its descriptors, writes a fake ALERT line and truncates what it
# finds.  It holds none of them; what it writes to stderr reaches the
# error log through the master, decorated with the pool and pid the
# master knows.

load helpers

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
}

# www runs the hostile app, with a slow log and an access log of its own;
# other has an access log the app must not reach.
forge_conf() {
	write_conf "listen.owner = $NGINX_USER" "app = $T/logforge.so" \
		"pm.max_children = 1" "slowlog = $T/slow.log" \
		"request_slowlog_timeout = 30s" "access.log = $T/www-access.log" \
		"$@"
	cat >>"$T/fpm.ini" <<-EOF

	[other]
	listen = $T/other.sock
	user = $POOL_USER
	app = $T/hello.so
	pm.max_children = 1
	access.log = $T/other-access.log
	EOF
}

# No line of the error log starts with the forged prefix: every line the
# app wrote is inside one the master decorated.
no_forged_line() {
	! grep -nE '^\[[^]]*\] ALERT: forged' "$T/fpm.log"
}

# links_to PID FILE: PID holds a descriptor open on FILE.
links_to() {
	find "/proc/$1/fd" -lname "$2" 2>/dev/null | grep -q .
}

@test "a worker holds no descriptor of the error log, the slow log or another pool's access log" {
	forge_conf
	start_fpm
	wait_workers 2
	local w
	for w in "${FPM_WORKERS[@]}"; do
		refute links_to "$w" "$T/fpm.log"
		refute links_to "$w" "$T/slow.log"
	done
	w=$(workers_of logforge | head -n 1)
	[ -n "$w" ] || fail "no logforge worker"
	refute links_to "$w" "$T/other-access.log"
	assert links_to "$w" "$T/www-access.log"
}

forge_and_check() {
	start_fpm
	start_nginx "/forge=unix:$T/www.sock"
	wait_workers 2
	local w
	w=$(workers_of logforge | head -n 1)
	local before
	before=$(grep -c . "$T/fpm.log")
	for log in fpm.log slow.log other-access.log; do
		run get "/forge?log=$T/$log"
		assert_output 200
		run cat "$T/body"
		assert_output "found -1 wrote 0 truncated 0"
	done
	wait_until 5 test "$(grep -c 'forged by logforge' "$T/fpm.log")" -eq 3 ||
		fail "$(cat -v "$T/fpm.log")"
	# the earlier lines are all there
	assert fpm_log_has "ready to handle connections"
	[ "$(grep -c . "$T/fpm.log")" -ge "$((before + 3))" ] ||
		fail "lines lost: $(cat "$T/fpm.log")"
	run no_forged_line
	assert_success
	run grep -c "WARNING: \[pool www\] child $w said into stderr: \"\[04-Dec-2026 10:00:00\] ALERT: forged by logforge\"$" "$T/fpm.log"
	assert_output 3
}

@test "a worker can neither forge nor truncate the error log (catch_workers_output = no)" {
	forge_conf
	forge_and_check
}

@test "a worker can neither forge nor truncate the error log (catch_workers_output = yes)" {
	forge_conf "catch_workers_output = yes"
	forge_and_check
}

@test "decorate_workers_output = no still stamps the worker's line with the master's time and level" {
	forge_conf "catch_workers_output = yes" "decorate_workers_output = no"
	start_fpm
	start_nginx "/forge=unix:$T/www.sock"
	run get "/forge?log=$T/fpm.log"
	assert_output 200
	wait_until 5 fpm_log_has "forged by logforge" || fail "$(cat "$T/fpm.log")"
	run no_forged_line
	assert_success
	assert fpm_log_has "^\[[^]]*\] WARNING: \[04-Dec-2026 10:00:00\] ALERT: forged by logforge$"
}
