#!/usr/bin/env bats
# Requests through a real nginx: the standard pools answer over a unix
# socket and over TCP, see the request as nginx sends it, move large bodies
# both ways intact, and a crashed worker is replaced.

load helpers

setup() {
	e2e_setup
	start_standard
}

teardown() {
	e2e_teardown
}

@test "hello answers through nginx over a unix socket pool" {
	run get /hello
	assert_success
	assert_output 200
	assert_equal "$(cat "$T/body")" "Hello World"
	grep -qi '^Content-Type: text/plain' "$T/headers"
}

@test "hello answers through nginx over a TCP pool" {
	run get /tcp/hello
	assert_success
	assert_output 200
	assert_equal "$(cat "$T/body")" "Hello World"
	run ss -Htln "sport = :$FPM_TCP_PORT"
	assert_output --partial "127.0.0.1:$FPM_TCP_PORT"
}

@test "the app sees the FastCGI params nginx sends" {
	run get '/echo?params&x=1' -H 'X-Test: e2e'
	assert_output 200
	run cat "$T/body"
	assert_line "REQUEST_METHOD=GET"
	assert_line "QUERY_STRING=params&x=1"
	assert_line "SCRIPT_NAME=/echo"
	assert_line "REQUEST_URI=/echo?params&x=1"
	assert_line "DOCUMENT_URI=/echo"
	assert_line "SERVER_PROTOCOL=HTTP/1.1"
	assert_line "GATEWAY_INTERFACE=CGI/1.1"
	assert_line "REMOTE_ADDR=127.0.0.1"
	assert_line "SERVER_PORT=$NGINX_PORT"
	assert_line "HTTP_X_TEST=e2e"
}

@test "a 50 MB POST is echoed back intact" {
	head -c 50M /dev/urandom >"$T/in"
	run get /echo --data-binary "@$T/in" \
		-H 'Content-Type: application/octet-stream'
	assert_output 200
	assert_equal "$(stat -c %s "$T/body")" $((50 << 20))
	assert_equal "$(sha256sum <"$T/body")" "$(sha256sum <"$T/in")"
}

@test "a 20 MB download arrives whole" {
	# big streams a 64 KiB chunk of a..z repeated.
	perl -e 'print join("", map { chr(97 + $_ % 26) } 0..65535) x 320' \
		>"$T/expected"
	run get '/big?mb=20'
	assert_output 200
	grep -qi "^Content-Length: $((20 << 20))" "$T/headers"
	assert_equal "$(stat -c %s "$T/body")" $((20 << 20))
	assert_equal "$(sha256sum <"$T/body")" "$(sha256sum <"$T/expected")"
}

@test "a crashed worker is logged and replaced by a new one" {
	run get /crash
	assert_output 200
	[[ $(cat "$T/body") =~ ^alive\ pid\ ([0-9]+)$ ]] ||
		fail "unexpected body: $(cat "$T/body")"
	local old=${BASH_REMATCH[1]}

	run get '/crash?now'
	assert_output 502
	wait_until 5 fpm_log_has "WARNING: \[pool crash\] child $old exited on signal 11 \(SIGSEGV\) after [0-9.]+ seconds" ||
		fail "no crash line for $old in: $(cat "$T/fpm.log")"

	run get /crash
	assert_output 200
	[[ $(cat "$T/body") =~ ^alive\ pid\ ([0-9]+)$ ]] ||
		fail "unexpected body: $(cat "$T/body")"
	assert_not_equal "${BASH_REMATCH[1]}" "$old"
	pid_alive "${BASH_REMATCH[1]}"
}
