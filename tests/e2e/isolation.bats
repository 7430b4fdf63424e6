#!/usr/bin/env bats
# A pool is a security boundary: hostile code in one pool (a native app,
# or code in a PHP zygote) sees nothing of another pool, cannot make the
# master act against a healthy worker, and cannot make the root master
# signal a process that is not its own child.

load helpers

APPS="$APPS liar snoop forge"

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
}

# The stray a liar zygote left behind, once it wrote its pid.
stray_pid() {
	[ -s "$T/stray.pid" ] && cat "$T/stray.pid"
}

@test "a PHP zygote that reports a root process as its worker cannot make the master signal it" {
	[ -r "$FPM_PHP_MODULE" ] || fail "no PHP sapi module at $FPM_PHP_MODULE"
	# A root process the zygote names as the worker it forked.
	sleep 300 3>&- &
	local victim=$!
	BG_PIDS+=("$victim")
	: >"$T/stray.pid"
	chmod 0666 "$T/stray.pid"
	cat >"$T/fpm.ini" <<-EOF
	[global]
	error_log = $T/fpm.log
	process_control_timeout = 3

	[php]
	listen = $T/php.sock
	user = $POOL_USER
	pm = static
	pm.max_children = 1
	env[FPM_LIAR_PID] = $victim
	env[FPM_LIAR_STRAY_FILE] = $T/stray.pid
	EOF
	start_fpm -d "extension=$T/liar.so"
	# PHP warns about the library once its constructor has lied: the
	# master has the answer before it looks at any signal.
	wait_until 10 fpm_log_has "Invalid library .*liar.so" ||
		fail "the liar was not loaded: $(cat "$T/fpm.log")"
	wait_until 5 stray_pid || fail "the liar left no stray"
	local stray
	stray=$(stray_pid)
	pid_alive "$stray"
	kill -QUIT "$FPM_PID"
	wait_until 10 not pid_alive "$FPM_PID" ||
		fail "SIGQUIT did not stop the master: $(cat "$T/fpm.log")"
	pid_alive "$victim" || fail "the master signalled the root sleep"
	wait_until 5 not pid_alive "$stray" ||
		fail "the unreported worker $stray outlived the master"
	fpm_log_has "\\[pool php\\] the PHP zygote [0-9]+ reported pid $victim, which is not a new worker of the pool: refused"
	fpm_log_has "child $stray is not a worker the master forked or vouched for: sending SIGKILL"
}
