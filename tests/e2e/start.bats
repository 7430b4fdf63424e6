#!/usr/bin/env bats
# scripts/start, the README's first command: fpm with the repo's own
# fpm.ini and pools.d behind nginx, answering /hello at once.

load helpers

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
}

start_answers() {
	pid_alive "$START_PID" || return 2
	[ "$(curl -s --max-time 1 "http://127.0.0.1:$PORT/hello")" = "Hello World" ]
}

@test "scripts/start serves /hello and /php/hello.php through nginx and stops on SIGTERM" {
	PORT=$(free_port)
	FPM_START_DIR="$T/stage" FPM_START_PORT=$PORT \
		"$REPO/scripts/start" >"$T/start.out" 2>&1 3>&- &
	START_PID=$!
	BG_PIDS+=("$START_PID")
	wait_until 120 start_answers ||
		fail "scripts/start did not answer: $(cat "$T/start.out")"

	run curl -s "http://127.0.0.1:$PORT/echo?params"
	assert_line "SCRIPT_NAME=/echo"
	run curl -s "http://127.0.0.1:$PORT/status?json"
	assert_equal "$(jq -r .pool <<<"$output")" hello
	run curl -s "http://127.0.0.1:$PORT/ping"
	assert_output pong
	run curl -s "http://127.0.0.1:$PORT/php/hello.php"
	assert_output "Hello World from PHP $(php -r 'echo PHP_VERSION;') (fpm-fcgi)"
	# the pools run as www-data, as pools.d says
	local master
	master=$(pgrep -f "^$T/stage/sbin/fpm " | head -1)
	assert [ -n "$master" ]
	# hello 2, echo 2, php 2 (pm.start_servers) and the php pool's zygote
	wait_until 5 test "$(pgrep -P "$master" | wc -l)" -eq 7 ||
		fail "children: $(ps -o pid,comm,args --ppid "$master")"
	assert_equal "$(pgrep -P "$master" -x fpm-zygote | wc -l)" 1
	for p in $(pgrep -P "$master"); do
		assert_equal "$(ps -o user= -p "$p")" www-data
	done

	kill -TERM "$START_PID"
	wait_until 10 not pid_alive "$START_PID" || fail "scripts/start kept running"
	wait_until 5 not pid_alive "$master" || fail "its fpm kept running"
	run curl -s --max-time 1 "http://127.0.0.1:$PORT/hello"
	assert_failure
}
