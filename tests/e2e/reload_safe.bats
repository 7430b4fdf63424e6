#!/usr/bin/env bats
# A reload that cannot complete changes nothing: what the new master would
# fail to open is refused by `fpm -t` and by the reload's own check (with
# FILE:LINE), and a new master that fails after exec all the same falls
# back to the running configuration, so nginx keeps getting 200.  After a
# reload the previous workers' requests still obey
# request_terminate_timeout.

load helpers

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
}

# hammer NAME PATH: GETs PATH through nginx in a loop in the background,
# one status code per line in $T/NAME.codes, until $T/NAME.stop exists.
hammer() {
	(
		while [ ! -e "$T/$1.stop" ]; do
			curl -s -o /dev/null --max-time 5 -w '%{http_code}\n' \
				"$(url "$2")" || echo "curl-failed"
		done >"$T/$1.codes"
	) 3>&- &
	BG_PIDS+=($!)
	HAMMER=$!
}

# stop_hammer NAME: stops the loop and waits until it is gone.
stop_hammer() {
	touch "$T/$1.stop"
	wait_until 10 not pid_alive "$HAMMER"
}

# Every response the loop NAME got is 200, and there were some.
all_200() {
	local total bad
	total=$(grep -c . "$T/$1.codes")
	bad=$(grep -vcx 200 "$T/$1.codes")
	echo "responses: $total, not 200: $bad: $(sort "$T/$1.codes" | uniq -c | xargs)"
	[ "$total" -gt 0 ] && [ "$bad" -eq 0 ]
}

codes_after() {
	[ "$(grep -c . "$T/$1.codes")" -ge "$2" ]
}

@test "fpm -t names FILE:LINE of an access.log, slowlog or error_log in a missing directory" {
	write_conf "access.log = $T/missing/access.log" \
		"slowlog = $T/gone/slow.log" "request_slowlog_timeout = 1s"
	sed -i "2s|.*|error_log = $T/nolog/fpm.log|" "$T/fpm.ini"
	fpm_test
	assert_failed_with "3 errors"
	assert_line "$T/fpm.ini:2: [global] error_log: cannot create '$T/nolog/fpm.log': its directory '$T/nolog' does not exist"
	assert_line "$T/fpm.ini:8: [pool www] access.log: cannot create '$T/missing/access.log': its directory '$T/missing' does not exist"
	assert_line "$T/fpm.ini:9: [pool www] slowlog: cannot create '$T/gone/slow.log': its directory '$T/gone' does not exist"
	# A symbolic link is refused as the master would refuse it.
	write_conf "access.log = $T/link.log"
	ln -s /etc/passwd "$T/link.log"
	fpm_test
	assert_failed_with "1 error"
	assert_line "$T/fpm.ini:8: [pool www] access.log: cannot open '$T/link.log' for append: it is a symbolic link, which fpm does not follow"
	# Nothing was created by the check.
	[ ! -e "$T/missing" ] && [ ! -e "$T/nolog" ]
}

@test "fpm -t names a chdir that does not exist and a pid file in a missing directory" {
	write_conf "chdir = $T/nowhere"
	fpm_test -g "$T/norun/fpm.pid"
	assert_failed_with "2 errors"
	assert_line "$T/fpm.ini:8: [pool www] chdir '$T/nowhere' is not a directory"
	assert_line -- "-g pid file: cannot create '$T/norun/fpm.pid': its directory '$T/norun' does not exist"
	write_conf
	sed -i "2a pid = $T/norun/fpm.pid" "$T/fpm.ini"
	fpm_test
	assert_failed_with "1 error"
	assert_line "$T/fpm.ini:3: [global] pid file: cannot create '$T/norun/fpm.pid': its directory '$T/norun' does not exist"
}

@test "a reload to an access.log in a missing directory is refused; requests keep getting 200" {
	write_conf "listen.owner = $NGINX_USER" "pm.max_children = 2"
	start_fpm
	start_nginx "/hello=unix:$T/www.sock"
	wait_workers 2
	local before=("${FPM_WORKERS[@]}")
	hammer h /hello
	wait_until 5 codes_after h 5

	echo "access.log = $T/missing/access.log" >>"$T/fpm.ini"
	kill -USR2 "$FPM_PID"
	wait_until 5 fpm_log_has "keeping the running configuration" ||
		fail "$(cat "$T/fpm.log")"
	local n
	n=$(grep -c . "$T/h.codes")
	wait_until 5 codes_after h $((n + 20))
	stop_hammer h
	run all_200 h
	echo "$output"
	assert_success
	run cat "$T/fpm.log"
	assert_output --partial "ERROR: reload: $T/fpm.ini:10: [pool www] access.log: cannot create '$T/missing/access.log': its directory '$T/missing' does not exist"
	refute_output --partial "executing"
	assert pid_alive "$FPM_PID"
	assert_equal "$(workers | xargs)" "$(printf '%s\n' "${before[@]}" | sort -n | xargs)"
}

@test "a new master that fails after exec falls back to the running configuration; requests keep getting 200" {
	# pm.status_listen on a port another process holds: the reload's
	# check cannot see it, the new master's bind(2) fails.
	local port
	port=$(free_port)
	python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1)
open(sys.argv[2], "w").close()
time.sleep(60)' "$port" "$T/holder.up" 3>&- &
	BG_PIDS+=($!)
	wait_until 5 test -e "$T/holder.up"
	write_conf "listen.owner = $NGINX_USER" "pm.max_children = 2"
	start_fpm
	start_nginx "/hello=unix:$T/www.sock"
	wait_workers 2
	hammer h /hello
	wait_until 5 codes_after h 5

	echo "pm.status_listen = 127.0.0.1:$port" >>"$T/fpm.ini"
	echo "pm.status_path = /status" >>"$T/fpm.ini"
	kill -USR2 "$FPM_PID"
	wait_until 10 fpm_log_has "reload failed after exec" ||
		fail "$(cat "$T/fpm.log" "$T/fpm.out")"
	wait_until 10 fpm_log_has "the previous configuration runs again" ||
		fail "$(cat "$T/fpm.log")"
	local n
	n=$(grep -c . "$T/h.codes")
	wait_until 10 codes_after h $((n + 20))
	stop_hammer h
	run all_200 h
	echo "$output"
	assert_success
	assert pid_alive "$FPM_PID"
	assert_equal "$(cat "$T/fpm.pid")" "$FPM_PID"
	run cat "$T/fpm.log" "$T/fpm.out"
	assert_output --partial "ERROR: reload failed after exec: [pool www] pm.status_listen 127.0.0.1:$port: bind(127.0.0.1:$port) failed: Address already in use: running the previous configuration again"
	assert_output --partial "ERROR: reload: the new master failed ([pool www] pm.status_listen 127.0.0.1:$port: bind(127.0.0.1:$port) failed: Address already in use): the previous configuration runs again"
	run get /hello
	assert_output 200
	# The next reload, with the cause gone, applies the file.
	sed -i '/pm.status_listen/d; /pm.status_path/d' "$T/fpm.ini"
	echo "pm.max_children = 3" >>"$T/fpm.ini"
	: >"$T/fpm.log"
	kill -USR2 "$FPM_PID"
	wait_until 10 fpm_log_has "ready to handle connections" ||
		fail "$(cat "$T/fpm.log")"
	wait_until 10 all_workers_ready 3
	run get /hello
	assert_output 200
}

@test "after a reload a previous worker's request still ends at request_terminate_timeout" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/slow.so" \
		"pm.max_children = 1" "request_terminate_timeout = 3s"
	# no process_control_timeout: only the request's own limit ends it
	sed -i "2a process_control_timeout = 0" "$T/fpm.ini"
	start_fpm
	start_nginx "/slow=unix:$T/www.sock"
	wait_workers 1
	start_slow_request 60
	kill -USR2 "$FPM_PID"
	wait_until 5 fpm_log_has "1 workers of the previous configuration finish their requests" ||
		fail "$(cat "$T/fpm.log")"
	local t0=$SECONDS
	wait_until 8 fpm_log_has "child $BUSY, script '[^']*' \(request: \"GET /slow\?s=60\"\) execution timed out \([3-9]\.[0-9]{3} sec\), terminating" ||
		fail "$(cat "$T/fpm.log")"
	[ $((SECONDS - t0)) -le 5 ]
	wait_until 5 not pid_alive "$BUSY"
	wait_until 5 not pid_alive "$SLOW_CURL"
	assert_equal "$(cat "$T/slow.code")" 502
	run get "/slow?s=0"
	assert_output 200
}

@test "a replaced binary that cannot start is not executed; requests keep getting 200" {
	mkdir "$T/bin"
	cp "$FPM_BIN" "$T/bin/fpm"
	write_conf "listen.owner = $NGINX_USER" "pm.max_children = 2"
	FPM_BIN="$T/bin/fpm" start_fpm
	start_nginx "/hello=unix:$T/www.sock"
	wait_workers 2
	local before=("${FPM_WORKERS[@]}")
	hammer h /hello
	wait_until 5 codes_after h 5
	# A broken upgrade, moved into place as an install does: the new
	# binary dies before it could fall back to anything.
	printf '#!/bin/sh\necho "fpm: error while loading shared libraries: libdw.so.1" >&2\nexit 127\n' \
		>"$T/bin/fpm.new"
	chmod 755 "$T/bin/fpm.new"
	mv "$T/bin/fpm.new" "$T/bin/fpm"
	kill -USR2 "$FPM_PID"
	wait_until 10 fpm_log_has "keeping the running configuration" ||
		fail "$(cat "$T/fpm.log" "$T/fpm.out")"
	local n
	n=$(grep -c . "$T/h.codes")
	wait_until 5 codes_after h $((n + 20))
	stop_hammer h
	run all_200 h
	echo "$output"
	assert_success
	run cat "$T/fpm.log"
	assert_output --partial "ERROR: reload: $T/bin/fpm -t: fpm: error while loading shared libraries: libdw.so.1"
	assert_output --partial "ERROR: reload: $T/bin/fpm -t exited with code 127: keeping the running configuration"
	assert pid_alive "$FPM_PID"
	assert_equal "$(workers | xargs)" "$(printf '%s\n' "${before[@]}" | sort -n | xargs)"
}
