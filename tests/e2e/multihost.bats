#!/usr/bin/env bats
# Pools on several hosts behind one nginx upstream: two fpm instances, on
# 127.0.0.2 and 127.0.0.3 (two hosts as nginx sees them), one upstream
# block balancing between them.  One is stopped under load: every request
# is still answered, by the other.

load helpers

setup() {
	e2e_setup
}

teardown() {
	stop_pid "${SECOND_PID:-}" TERM
	e2e_teardown
}

# host_conf HOST PORT NAME: $T/NAME.ini, an fpm serving hello on
# HOST:PORT with its ping page for health checks; its log $T/NAME.log,
# its access log $T/NAME.access.
host_conf() {
	cat >"$T/$3.ini" <<-EOF
	[global]
	error_log = $T/$3.log

	[hello]
	listen = $1:$2
	listen.allowed_clients = 127.0.0.1
	user = $POOL_USER
	pm.max_children = 2
	ping.path = /ping
	access.log = $T/$3.access
	app = $T/hello.so
	EOF
}

@test "two hosts behind one upstream: one stops, every request is answered by the other" {
	local port a=127.0.0.2 b=127.0.0.3 i
	port=$(free_port)
	host_conf "$a" "$port" fpm	# start_fpm waits on $T/fpm.log
	host_conf "$b" "$port" b
	start_fpm
	"$FPM_BIN" -y "$T/b.ini" -F -g "$T/b.pid" >"$T/b.out" 2>&1 3>&- &
	SECOND_PID=$!
	wait_until 5 grep -qs "ready to handle connections" "$T/b.log" ||
		fail "the second fpm did not start: $(cat "$T/b.out" "$T/b.log")"
	NGINX_HTTP_EXTRA="upstream fpms {
	        server $a:$port;
	        server $b:$port;
	    }" start_nginx "/hello=fpms" "/ping=fpms"

	# both hosts answer: nginx's round robin reaches each
	for i in $(seq 10); do
		run get /ping
		assert_output 200
	done
	wait_until 5 test -s "$T/fpm.access" || fail "host a served nothing"
	wait_until 5 test -s "$T/b.access" || fail "host b served nothing"

	# load in the background, then stop host a gracefully (SIGQUIT)
	for i in $(seq 40); do
		bg_get "r$i" /hello
	done
	kill -QUIT "$FPM_PID"
	for i in $(seq 41 80); do
		bg_get "r$i" /hello
	done
	wait_until 10 not pid_alive "$FPM_PID" || fail "host a did not stop"
	local names=()
	for i in $(seq 80); do
		names+=("r$i")
	done
	wait_until 30 all_answered "${names[@]}" || fail "requests hung"
	for i in $(seq 80); do
		assert_equal "$(cat "$T/r$i.code")" 200
	done
	# and after it, host b alone answers everything
	for i in $(seq 20); do
		run get /hello
		assert_output 200
		assert_equal "$(cat "$T/body")" "Hello World"
	done
	grep -q "exiting, bye-bye" "$T/fpm.log"
}
