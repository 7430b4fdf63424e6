#!/usr/bin/env bats
# The slow log: a request past request_slowlog_timeout gets one backtrace,
# taken by the master with ptrace and unwound with libdw, in php-fpm's
# format; the request itself goes on and completes.

load helpers

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
	if [ -n "${UFFD_WAS:-}" ]; then
		echo "$UFFD_WAS" >/proc/sys/vm/unprivileged_userfaultfd
	fi
}

slow_conf() {
	write_conf "listen.owner = $NGINX_USER" "app = $T/slow.so" \
		"pm.max_children = 1" "request_slowlog_timeout = 1s" \
		"slowlog = $T/slow.log" "pm.status_path = /status" "$@"
	start_fpm
	start_nginx "/slow=unix:$T/www.sock" "/status=unix:$T/www.sock"
	wait_workers 1
}

@test "a request past request_slowlog_timeout is logged once with its stack, and completes" {
	slow_conf
	local w=${FPM_WORKERS[0]}
	run get "/slow?s=3"
	assert_output 200
	assert_equal "$(cat "$T/body")" "slept 3.000 s"
	run cat "$T/slow.log"
	assert_line --index 0 --regexp "^\[[0-9]{2}-[A-Z][a-z]{2}-[0-9]{4} [0-9:]{8}\]  \[pool www\] pid $w$"
	assert_line --index 1 "script_filename = $T/slow.so"
	assert_line --regexp '^\[0x[0-9a-f]{16}\] (__)?(clock_)?nanosleep(@[A-Z_.0-9]+)?\(\) '
	assert_line --regexp '^\[0x[0-9a-f]{16}\] fpm_app_handle\(\) sapi/examples/slow\.c:[0-9]+$'
	# once per request, however long it runs past the timeout
	assert_equal "$(grep -c "pid $w\$" "$T/slow.log")" 1
	assert fpm_log_has "WARNING: \[pool www\] child $w, script '$T/slow.so' \(request: \"GET /slow\?s=3\"\) executing too slow \(1\.[0-9]{3} sec\), logging"
	run get "/status?json"
	assert_equal "$(jq '."slow requests"' "$T/body")" 1
	# the worker was only paused: it serves on
	assert pid_alive "$w"
}

@test "request_slowlog_trace_depth bounds the frames" {
	slow_conf "request_slowlog_trace_depth = 2"
	run get "/slow?s=2"
	assert_output 200
	assert_equal "$(grep -c '^\[0x' "$T/slow.log")" 2
}

@test "a CPU-bound request is traced too" {
	slow_conf
	run get "/slow?spin=2"
	assert_output 200
	run grep -E '^\[0x[0-9a-f]{16}\] (fpm_app_handle|spin_for)\(\) sapi/examples/slow\.c:[0-9]+$' "$T/slow.log"
	assert_success
}

@test "request_slowlog_timeout without slowlog is a -t error" {
	write_conf "request_slowlog_timeout = 5s"
	fpm_test
	assert_failed_with "1 error"
	assert_line "$T/fpm.ini:8: [pool www] request_slowlog_timeout needs 'slowlog', the file the backtraces go to"
}

@test "frames a sapi publishes are printed above the native stack" {
	slow_conf
	run get "/slow?s=2&frames"
	assert_output 200
	run cat "$T/slow.log"
	assert_line --index 1 "script_filename = $T/slow.so"
	assert_line --index 2 "sleep() /srv/app/slow.php:7"
	assert_line --index 3 "main() /srv/app/slow.php:12"
	assert_line --index 4 --regexp '^\[0x[0-9a-f]{16}\] '
}

@test "without CAP_SYS_PTRACE the worker writes its own backtrace, and the log says so" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/slow.so" \
		"pm.max_children = 1" "request_slowlog_timeout = 1s" \
		"slowlog = $T/slow.log"
	# the master as root, but without the capability to ptrace
	capsh --drop=cap_sys_ptrace -- -c \
		"exec '$FPM_BIN' -y '$T/fpm.ini' -F -g '$T/fpm.pid'" \
		>"$T/fpm.out" 2>&1 3>&- &
	FPM_PID=$!
	wait_until 5 fpm_ready || fail "$(cat "$T/fpm.out" "$T/fpm.log")"
	run grep CapEff "/proc/$FPM_PID/status"
	refute_output --regexp 'ffffffff$'
	start_nginx "/slow=unix:$T/www.sock"
	wait_workers 1
	local w=${FPM_WORKERS[0]}
	run get "/slow?s=2.5"
	assert_output 200
	assert_equal "$(cat "$T/body")" "slept 2.500 s"
	wait_until 5 grep -q 'fpm_app_handle' "$T/slow.log" || fail "$(cat "$T/slow.log")"
	run cat "$T/slow.log"
	assert_line --index 0 --regexp "\[pool www\] pid $w$"
	assert_line --index 2 "(ptrace denied: the worker's own backtrace follows)"
	assert_line --regexp "^$T/slow\.so\(fpm_app_handle\+0x[0-9a-f]+\)\[0x[0-9a-f]+\]$"
	assert_line --regexp 'libc\.so\.6\((__)?(clock_)?nanosleep\+0x[0-9a-f]+\)'
	assert fpm_log_has "child $w: ptrace\(PTRACE_SEIZE, $w\) failed: Operation not permitted: the worker writes its own backtrace"
	assert pid_alive "$w"
}

# The vfork()ed child of the request to come, which outlives the test
# unless ended: it is no worker, so teardown would not see it.
end_vfork_child() {
	if [ -s "$T/run/vfork.pid" ]; then
		kill "$(cat "$T/run/vfork.pid")" 2>/dev/null || true
	fi
}

@test "a worker that cannot stop (inside vfork) is not waited for: the master handles signals and gives up tracing it" {
	install -m 0644 "$FPM_APPS/vfork.so" "$T/vfork.so"
	mkdir -m 0777 "$T/run"	# the pool user writes the child's pid there
	write_conf "listen.owner = $NGINX_USER" "app = $T/vfork.so" \
		"pm.max_children = 2" "request_slowlog_timeout = 1s" \
		"slowlog = $T/slow.log" "pm.status_path = /status"
	start_fpm
	start_nginx "/vfork=unix:$T/www.sock" "/status=unix:$T/www.sock"
	wait_workers 2
	bg_get vf "/vfork?s=20&pid=$T/run/vfork.pid"
	wait_until 5 test -s "$T/run/vfork.pid" || fail "no vfork child"
	BG_PIDS+=("$(cat "$T/run/vfork.pid")")	# teardown ends it
	wait_until 5 fpm_log_has "executing too slow" || fail "$(cat "$T/fpm.log")"
	local t0=$SECONDS
	kill -USR1 "$FPM_PID"
	wait_until 3 fpm_log_has "SIGUSR1 received, error log reopened" ||
		fail "SIGUSR1 not handled within 3 s: $(cat "$T/fpm.log")"
	[ $((SECONDS - t0)) -le 2 ]
	wait_until 3 fpm_log_has "WARNING: \[pool www\] child [0-9]+ did not stop for the slow log's trace within 1000 ms: gave up tracing it \(it runs on, untraced\)" ||
		fail "$(cat "$T/fpm.log")"
	# its tracer is gone, so nothing traces the worker any more
	local w
	w=$(grep -oE "child [0-9]+ did not stop" "$T/fpm.log" | grep -oE '[0-9]+')
	wait_until 3 tracer_gone "$w" || fail "worker $w is still traced: $(grep TracerPid "/proc/$w/status")"
	# the status page answers, and the worker serves on once its child is gone
	run get /status
	assert_output 200
	end_vfork_child
	wait_until 10 all_answered vf
	assert_equal "$(cat "$T/vf.code")" 200
	[ "$(awk '{ print $3 }' "/proc/$w/stat")" != t ]
}

# tracer_gone PID: no process traces PID.
tracer_gone() {
	[ "$(awk '/^TracerPid:/ { print $2 }' "/proc/$1/status")" = 0 ]
}

@test "a worker whose memory stalls the trace's reads holds neither the master nor itself for long" {
	# Unprivileged userfaultfd, as many distributions have it (Debian
	# turns it off): the pool's user may back a page with its own fault
	# handler.
	UFFD_WAS=$(cat /proc/sys/vm/unprivileged_userfaultfd)
	echo 1 >/proc/sys/vm/unprivileged_userfaultfd
	install -m 0644 "$FPM_APPS/stall.so" "$T/stall.so"
	write_conf "listen.owner = $NGINX_USER" "app = $T/stall.so" \
		"pm.max_children = 2" "request_slowlog_timeout = 1s" \
		"slowlog = $T/slow.log" "pm.status_path = /status"
	start_fpm
	start_nginx "/stall=unix:$T/www.sock" "/status=unix:$T/www.sock"
	wait_workers 2
	bg_get st "/stall?s=10"
	wait_until 5 fpm_log_has "executing too slow" || fail "$(cat "$T/fpm.log")"
	local w
	w=$(grep -oE "child [0-9]+, script" "$T/fpm.log" | grep -oE '[0-9]+')
	# the read of the held page waits; the master goes on
	kill -USR1 "$FPM_PID"
	wait_until 3 fpm_log_has "SIGUSR1 received, error log reopened" ||
		fail "SIGUSR1 not handled within 3 s: $(cat "$T/fpm.log")"
	run get /status
	assert_output 200
	wait_until 8 fpm_log_has "WARNING: \\[pool www\\] child $w: reading its stack for the slow log took more than 5000 ms \\(its memory or files stall reads\\): gave up tracing it" ||
		fail "$(cat "$T/fpm.log")"
	wait_until 3 tracer_gone "$w" || fail "worker $w is still traced"
	wait_until 10 all_answered st
	assert_equal "$(cat "$T/st.code")" 200
	assert_equal "$(cat "$T/st.body")" "stalled 10"
	[ ! -s "$T/slow.log" ]
}
