#!/usr/bin/env bats
# The master as a service: -D, the pid file, -v/-h, SIGUSR1, and a pool
# whose app cannot start.

load helpers

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
}

@test "-D returns once the pools listen, and the pid file names the master" {
	write_conf "pm.max_children = 2"
	run "$FPM_BIN" -y "$T/fpm.ini" -D -g "$T/fpm.pid" 3>&-
	assert_success
	# when -D has returned, the socket already accepts
	assert [ -S "$T/www.sock" ]
	FPM_PID=$(cat "$T/fpm.pid")
	assert pid_alive "$FPM_PID"
	# a daemon: its own session, no terminal, stdio on /dev/null
	assert_equal "$(ps -o sid= -p "$FPM_PID" | tr -d ' ')" "$FPM_PID"
	assert_equal "$(readlink "/proc/$FPM_PID/fd/0")" /dev/null
	assert_equal "$(readlink "/proc/$FPM_PID/fd/1")" /dev/null
	wait_workers 2

	kill -TERM "$FPM_PID"
	wait_until 5 not pid_alive "$FPM_PID" || fail "master did not stop"
	assert [ ! -e "$T/fpm.pid" ]
	assert [ ! -e "$T/www.sock" ]
}

@test "-D fails with the master's error when a pool cannot listen" {
	local port
	port=$(free_port)
	# a first fpm holds the port
	write_conf
	sed -i "s|^listen = .*|listen = 127.0.0.1:$port|" "$T/fpm.ini"
	start_fpm
	# a second one, daemonized, on the same address
	sed -e "s|^error_log = .*|error_log = $T/second.log|" "$T/fpm.ini" \
		>"$T/second.ini"

	run "$FPM_BIN" -y "$T/second.ini" -D -g "$T/second.pid" 3>&-
	assert_failure 1
	run cat "$T/second.log"
	assert_output --partial "ALERT: [pool www] cannot listen on 127.0.0.1:$port: bind(127.0.0.1:$port) failed: Address already in use"
	assert [ ! -e "$T/second.pid" ]
	# and the first one is untouched
	assert pid_alive "$FPM_PID"
	assert [ -e "$T/fpm.pid" ]
}

@test "-v prints the version and -h the options" {
	run "$FPM_BIN" -v
	assert_success
	assert_output --regexp '^fpm [0-9]+\.[0-9]+\.[0-9]+$'
	run "$FPM_BIN" -h
	assert_success
	assert_line --partial "-y, --fpm-config FILE"
	assert_line --partial "-R, --allow-to-run-as-root"
	run "$FPM_BIN" --no-such-flag
	assert_failure 64
}

@test "--directives and the fpm.ini(5) page come from the directive table" {
	run "$FPM_BIN" --directives
	assert_success
	assert_line --regexp '^pm\.max_children +pool +5 +workers of a static pool'
	assert_line --regexp '^pm\.max_memory +pool +0 +a worker whose RSS'
	assert_line --regexp '^listen\.acl_users +pool +- +not supported yet$'
	run "$FPM_BIN" --man
	assert_success
	assert_line ".SH POOL DIRECTIVES"
	assert_line '.B pm.max_children \fR(default: 5)\fP'
	# one entry per directive of the table, no more, no fewer
	assert_equal "$(grep -c '^\.TP$' <<<"$output")" \
		"$("$FPM_BIN" --directives | wc -l)"
}

@test "SIGUSR1 reopens the error log after it was rotated" {
	write_conf "pm.max_children = 1"
	start_fpm
	mv "$T/fpm.log" "$T/fpm.log.1"
	kill -USR1 "$FPM_PID"
	wait_until 5 test -s "$T/fpm.log" || fail "no new log after SIGUSR1"
	run cat "$T/fpm.log"
	assert_output --partial "NOTICE: SIGUSR1 received, error log reopened"
	run grep -c "ready to handle connections" "$T/fpm.log.1"
	assert_output 1
}

@test "a pool whose app cannot load backs off instead of fork-looping" {
	# readable, so -t passes, but not a shared object
	echo "not an ELF file" >"$T/broken.so"
	chmod 0644 "$T/broken.so"
	write_conf "pm.max_children = 2" "app = $T/broken.so"
	start_fpm
	wait_until 5 fpm_log_has "workers keep dying at start-up" ||
		fail "no back-off warning: $(cat "$T/fpm.log")"
	run grep -c "cannot load app" "$T/fpm.log"
	assert [ "$output" -ge 3 ]
	assert fpm_log_has "ERROR: \[pool www\] the pool is failing: its workers keep dying at start-up"
	# give the loop two more seconds: with back-off (100 ms doubling)
	# that is a handful of forks, without it thousands
	local after
	wait_until 5 sh -c "grep -q 'next spawn in 1600 ms' '$T/fpm.log'" ||
		fail "back-off did not grow: $(tail -5 "$T/fpm.log")"
	after=$(grep -c "exited with code 78" "$T/fpm.log")
	assert [ "$after" -lt 15 ]
	assert pid_alive "$FPM_PID"
}
