#!/usr/bin/env bats
# The master never blocks on what a pool's user can put in its way: a
# FIFO in a log file's place, output that never ends.

load helpers

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
}

@test "an access.log the pool's user swapped for a FIFO does not hold the master at SIGUSR1" {
	mkdir -m 0755 "$T/logs"
	chown "$POOL_USER" "$T/logs"
	write_conf "listen.owner = $NGINX_USER" "pm.max_children = 1" \
		"access.log = $T/logs/access.log"
	start_fpm
	start_nginx "/hello=unix:$T/www.sock"
	wait_workers 1
	# the pool's user owns the log's directory: a FIFO takes its place
	rm "$T/logs/access.log"
	runuser -u "$POOL_USER" -- mkfifo "$T/logs/access.log"
	kill -USR1 "$FPM_PID"
	wait_until 3 fpm_log_has "ALERT: \[pool www\] cannot open access.log $T/logs/access.log: it is not a regular file" ||
		fail "$(cat "$T/fpm.log")"
	# the loop goes on: the next signal is handled
	: >"$T/fpm.log"
	kill -USR1 "$FPM_PID"
	wait_until 3 fpm_log_has "SIGUSR1 received, error log reopened" ||
		fail "the second SIGUSR1 was not handled"
	run get /hello
	assert_output 200
}

@test "a log on /dev/null (a character device) is still allowed" {
	write_conf "listen.owner = $NGINX_USER" "access.log = /dev/null"
	sed -i "2s|.*|error_log = /dev/null|" "$T/fpm.ini"
	fpm_test
	assert_success
	"$FPM_BIN" -y "$T/fpm.ini" -F -g "$T/fpm.pid" >"$T/fpm.out" 2>&1 3>&- &
	FPM_PID=$!
	wait_until 5 test -S "$T/www.sock" || fail "$(cat "$T/fpm.out")"
	start_nginx "/hello=unix:$T/www.sock"
	run get /hello
	assert_output 200
}
