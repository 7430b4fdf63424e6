#!/usr/bin/env bats
# Stopping: SIGQUIT lets a request in flight finish, SIGTERM stops at once,
# and workers do not outlive a master killed with SIGKILL.

load helpers

setup() {
	e2e_setup
	start_standard
	# hello 2, tcp 2, echo 2, slow 2, big 2, crash 1
	wait_workers 11
}

teardown() {
	e2e_teardown
}

@test "SIGQUIT lets a 3-second request in flight finish, then the master exits" {
	start_slow_request 3
	kill -QUIT "$FPM_PID"
	wait_until 2 fpm_log_has "NOTICE: SIGQUIT received, stopping gracefully" ||
		fail "no SIGQUIT line in: $(cat "$T/fpm.log")"

	wait_until 10 not pid_alive "$SLOW_CURL" || fail "curl did not finish"
	assert_equal "$(cat "$T/slow.code")" 200
	assert_equal "$(cat "$T/slow.body")" "slept 3.000 s"

	wait_until 5 not pid_alive "$FPM_PID" || fail "the master did not exit"
	local rc=0
	wait "$FPM_PID" || rc=$?
	assert_equal "$rc" 0
	fpm_log_has "NOTICE: \[pool slow\] child $BUSY exited with code 0"
	fpm_log_has "NOTICE: exiting, bye-bye!"
	all_gone "${FPM_WORKERS[@]}"
	[ ! -e "$T/slow.sock" ] || fail "the socket file is left behind"
}

@test "SIGTERM stops the master and every worker within a second" {
	# A busy worker too: a fast stop does not wait for it.
	start_slow_request 30
	kill -TERM "$FPM_PID"
	wait_until 1 all_gone "$FPM_PID" "${FPM_WORKERS[@]}" ||
		fail "still running: $(for p in "$FPM_PID" "${FPM_WORKERS[@]}"; do pid_alive "$p" && echo "$p"; done | xargs)"
	fpm_log_has "NOTICE: SIGTERM received, stopping fast"
	fpm_log_has "NOTICE: exiting, bye-bye!"
	wait_until 5 not pid_alive "$SLOW_CURL"
	assert_equal "$(cat "$T/slow.code")" 502
}

@test "workers die with a master killed by SIGKILL" {
	start_slow_request 30
	kill -KILL "$FPM_PID"
	wait_until 3 all_gone "${FPM_WORKERS[@]}" ||
		fail "orphaned workers: $(for p in "${FPM_WORKERS[@]}"; do pid_alive "$p" && echo "$p"; done | xargs)"
	wait_until 5 not pid_alive "$SLOW_CURL"
	assert_equal "$(cat "$T/slow.code")" 502
}

# nginx has logged more than N requests for /slow.
slow_served_more_than() {
	(($(grep -c '"GET /slow' "$T/nginx/access.log") > $1))
}

@test "SIGQUIT stops workers that never go idle under a steady load" {
	# Eight clients keep the two slow workers busy without a pause: a
	# worker always finds a connection waiting, so it must learn of the
	# stop from its scoreboard slot, not only from SIGQUIT.
	# ($! is xargs, which teardown stops; a curl it started ends by
	# itself within --max-time)
	seq 100000 | xargs -P 8 -I{} curl -s -o /dev/null --max-time 5 \
		"$(url '/slow?s=0.05')" >/dev/null 2>&1 3>&- &
	BG_PIDS+=($!)
	wait_until 5 slow_served_more_than 50
	local t0=${EPOCHREALTIME/./}
	kill -QUIT "$FPM_PID"
	wait_until 5 not pid_alive "$FPM_PID" || fail "the master did not exit"
	# Well within process_control_timeout (10 s): nobody needed SIGKILL.
	assert [ $((${EPOCHREALTIME/./} - t0)) -lt 3000000 ]
	refute fpm_log_has "SIGKILL"
	all_gone "${FPM_WORKERS[@]}"
}
