#!/usr/bin/env bats
# The worker runtime behind nginx: an app that answers before reading its
# body does not stall nginx, kept connections (fastcgi_keep_conn) do not
# pin workers and never fail a request, listen.allowed_clients refuses.

load helpers

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
}

@test "an app that answers before reading its body does not stall nginx" {
	write_standard_conf
	start_fpm
	# A stall would last until fastcgi_read_timeout: make that 5 s, so
	# the request fails fast (504) instead of passing slowly.
	NGINX_LOCATION_EXTRA="fastcgi_read_timeout 5s;" \
		start_nginx $(standard_locations)
	head -c $((20 * 1024 * 1024)) /dev/urandom >"$T/in"

	run get "/echo?early" --data-binary @"$T/in"
	assert_output 200
	# "early\n", then the body unchanged
	assert_equal "$(head -c 6 "$T/body")" "early"
	assert_equal "$(tail -c +7 "$T/body" | sha256sum)" "$(sha256sum <"$T/in")"
}

@test "a POST to an app that never reads its body still gets the answer" {
	write_standard_conf
	start_fpm
	NGINX_LOCATION_EXTRA="fastcgi_read_timeout 5s;" \
		start_nginx $(standard_locations)
	head -c $((10 * 1024 * 1024)) /dev/urandom >"$T/in"

	run get /hello --data-binary @"$T/in"
	assert_output 200
	assert_equal "$(cat "$T/body")" "Hello World"
}

# 16 kept connections against 2 workers: with php-fpm's blocking read on a
# kept connection, requests would wait for nginx to give a connection up.
@test "kept connections outnumbering workers neither stall nor fail requests" {
	write_standard_conf
	start_fpm
	wait_workers 11
	NGINX_HTTP_EXTRA="upstream kept { server unix:$T/echo.sock; keepalive 16; }" \
	NGINX_LOCATION_EXTRA="fastcgi_keep_conn on; fastcgi_read_timeout 5s;" \
		start_nginx "/kept=kept"
	head -c 100000 /dev/urandom >"$T/in"
	local want
	want=$(sha256sum <"$T/in" | cut -d' ' -f1)

	# 400 POSTs, 16 at a time; each job prints one line: status and the
	# checksum of the body it got back.
	seq 400 | xargs -P 16 -I{} sh -c \
		'code=$(curl -sS --max-time 10 --data-binary @"$1" "$2" \
			-o "$3.{}" -w "%{http_code}")
		echo "$code $(sha256sum <"$3.{}" | cut -d" " -f1)"' \
		sh "$T/in" "$(url /kept)" "$T/out" >"$T/results" 3>&-

	assert_equal "$(wc -l <"$T/results")" 400
	run grep -vc "^200 $want\$" "$T/results"
	assert_output 0
	# nginx never found a connection closed under it (a POST would fail)
	run grep -c "prematurely closed" "$T/nginx/error.log"
	assert_output 0
	# and the workers kept connections open for nginx to reuse: beyond
	# its listening socket, each kept connection is one more socket
	local kept=0 p
	for p in $(workers_of echo); do
		kept=$((kept + $(socket_count "$p") - IDLE_SOCKETS))
	done
	assert [ "$kept" -ge 2 ]
}

@test "listen.allowed_clients refuses other clients and admits listed ones" {
	local port_ok port_no
	port_ok=$(free_port)
	port_no=$(free_port)
	write_conf
	cat >>"$T/fpm.ini" <<-EOF

	[allowed]
	listen = 127.0.0.1:$port_ok
	listen.allowed_clients = ::1, 127.0.0.1
	user = $POOL_USER
	app = $T/hello.so

	[refused]
	listen = 127.0.0.1:$port_no
	listen.allowed_clients = 127.0.0.2
	user = $POOL_USER
	app = $T/hello.so
	EOF
	start_fpm
	start_nginx "/ok=127.0.0.1:$port_ok" "/no=127.0.0.1:$port_no"

	run get /ok
	assert_output 200
	assert_equal "$(cat "$T/body")" "Hello World"
	run get /no
	assert_output 502
	wait_until 3 fpm_log_has \
		"WARNING: \[pool refused\] pid [0-9]+: connection refused: client not in listen.allowed_clients" ||
		fail "no refusal in the log: $(cat "$T/fpm.log")"
}

@test "listen.backlog sets the listen queue of unix and TCP sockets" {
	local port
	port=$(free_port)
	write_conf "listen.backlog = 7"
	cat >>"$T/fpm.ini" <<-EOF

	[tcp]
	listen = 127.0.0.1:$port
	listen.backlog = 9
	user = $POOL_USER
	app = $T/hello.so
	EOF
	start_fpm
	# for a listening socket, ss shows the backlog as Send-Q
	run sh -c "ss -Hlx | grep '$T/www.sock'"
	assert_output --regexp "LISTEN +0 +7 "
	run sh -c "ss -Hltn 'sport = :$port'"
	assert_output --regexp "LISTEN +0 +9 "
}

@test "a pool listens on an IPv6 address" {
	local port
	port=$(free_port)
	write_conf "listen = [::1]:$port"
	start_fpm
	start_nginx "/v6=[::1]:$port"
	run get /v6
	assert_output 200
	assert_equal "$(cat "$T/body")" "Hello World"
	wait_until 3 fpm_log_has "\[pool www\] listening on \[::1\]:$port" ||
		fail "no listening line: $(cat "$T/fpm.log")"
}
