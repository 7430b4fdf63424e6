#!/usr/bin/env bats
# The CGI sapi behind nginx: shell and Perl scripts get an RFC 3875
# environment and their body, their headers are parsed, errors are 403,
# 404 or 502 with a log line, stderr is logged, and a hanging script or
# a child it leaves behind does not outlive the request.

load helpers

setup() {
	e2e_setup
	mkdir -p "$T/cgi"
	mkdir -m 0777 "$T/run"
}

teardown() {
	e2e_teardown
}

# script NAME BODY: an executable script in $T/cgi.
script() {
	printf '%s\n' "$2" >"$T/cgi/$1"
	chmod 0755 "$T/cgi/$1"
}

# start_cgi [LINE...]: a cgi pool rooted at $T/cgi, nginx passing
# /cgi/NAME to it as SCRIPT_FILENAME $T/cgi/NAME.
start_cgi() {
	write_conf "listen.owner = $NGINX_USER" "sapi = cgi" \
		"cgi.root = $T/cgi" "pm.max_children = 2" "$@"
	sed -i '/^app = /d' "$T/fpm.ini"
	start_fpm
	NGINX_LOCATION_EXTRA="fastcgi_param SCRIPT_FILENAME $T/cgi/\$1;" \
		start_nginx "~ ^/cgi/(.+)\$=unix:$T/www.sock"
}

@test "a shell script gets the RFC 3875 variables and its query" {
	script env.sh '#!/bin/sh
printf "Content-Type: text/plain\n\n"
env'
	start_cgi
	run get "/cgi/env.sh?a=1&b=2" -H "X-Test: hi"
	assert_output 200
	grep -qi '^Content-Type: text/plain' "$T/headers"
	local v
	for v in "GATEWAY_INTERFACE=CGI/1.1" "SERVER_PROTOCOL=HTTP/1.1" \
		"REQUEST_METHOD=GET" "QUERY_STRING=a=1&b=2" \
		"SCRIPT_NAME=/cgi/env.sh" "SCRIPT_FILENAME=$T/cgi/env.sh" \
		"REMOTE_ADDR=127.0.0.1" "SERVER_NAME=" "SERVER_PORT=$NGINX_PORT" \
		"HTTP_X_TEST=hi" "REQUEST_URI=/cgi/env.sh?a=1&b=2"; do
		grep -q "^$v" "$T/body" || fail "no $v in $(cat "$T/body")"
	done
	# nothing of the master's own environment
	refute grep -q '^PATH=' "$T/body"
}

@test "a 20 MB POST to a Perl script comes back whole" {
	script echo.pl '#!/usr/bin/perl
binmode STDIN; binmode STDOUT;
print "Content-Type: application/octet-stream\n";
print "X-Length: $ENV{CONTENT_LENGTH}\n\n";
my $b; while (read(STDIN, $b, 65536)) { print $b }'
	start_cgi
	head -c $((20 << 20)) /dev/urandom >"$T/post"
	run get /cgi/echo.pl --data-binary "@$T/post" -H "Content-Type: application/octet-stream"
	assert_output 200
	grep -qi "^X-Length: $((20 << 20))" "$T/headers"
	assert_equal "$(sha256sum <"$T/body")" "$(sha256sum <"$T/post")"
}

@test "Status and Location headers: a status, a client redirect, a local redirect" {
	script teapot.sh '#!/bin/sh
printf "Status: 418 I am a teapot\nContent-Type: text/plain\n\nshort and stout\n"'
	script away.sh '#!/bin/sh
printf "Location: http://example.com/there\n\n"'
	script here.sh '#!/bin/sh
printf "Location: /cgi/teapot.sh\n\n"'
	start_cgi
	run get /cgi/teapot.sh
	assert_output 418
	assert_equal "$(cat "$T/body")" "short and stout"
	run get /cgi/away.sh
	assert_output 302
	grep -qi '^Location: http://example.com/there' "$T/headers"
	# local: nginx serves the other script itself, no round trip
	run get /cgi/here.sh
	assert_output 418
	assert_equal "$(cat "$T/body")" "short and stout"
}

@test "missing, non-executable and outside-root scripts are 404 and 403, logged" {
	script ok.sh '#!/bin/sh
printf "Content-Type: text/plain\n\nok\n"'
	printf '#!/bin/sh\necho no\n' >"$T/cgi/plain.sh"
	chmod 0644 "$T/cgi/plain.sh"
	printf '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\nout\\n"\n' >"$T/outside.sh"
	chmod 0755 "$T/outside.sh"
	ln -s "$T/outside.sh" "$T/cgi/link.sh"
	start_cgi
	run get /cgi/none.sh
	assert_output 404
	run get /cgi/plain.sh
	assert_output 403
	run get /cgi/link.sh
	assert_output 403
	run get /cgi/ok.sh
	assert_output 200
	run cat "$T/fpm.log"
	assert_output --partial "$T/cgi/none.sh: no such script (404)"
	assert_output --partial "$T/cgi/plain.sh: not executable (403)"
	assert_output --partial "$T/cgi/link.sh: outside cgi.root (403)"
}

@test "cgi.limit_extensions refuses other extensions" {
	script ok.sh '#!/bin/sh
printf "Content-Type: text/plain\n\nok\n"'
	script ok.cgi '#!/bin/sh
printf "Content-Type: text/plain\n\nok\n"'
	start_cgi "cgi.limit_extensions = .sh"
	run get /cgi/ok.sh
	assert_output 200
	run get /cgi/ok.cgi
	assert_output 403
}

@test "a script that prints no headers is a 502, logged; stderr goes to the log" {
	script bare.sh '#!/bin/sh
echo "to stderr" >&2
echo "hello without headers"'
	start_cgi
	run get /cgi/bare.sh
	assert_output 502
	wait_until 5 fpm_log_has "bare.sh said into stderr: \"to stderr\"" ||
		fail "$(cat "$T/fpm.log")"
	assert fpm_log_has "bare.sh: the script's headers never ended \(502\)"
}

@test "a hanging script is ended with its group by request_terminate_timeout" {
	script hang.sh "#!/bin/sh
echo \$\$ >$T/run/hang.pid
sleep 100"
	start_cgi "request_terminate_timeout = 1s"
	run get /cgi/hang.sh
	assert_output 502
	wait_until 5 test -s "$T/run/hang.pid"
	wait_until 5 not pid_alive "$(cat "$T/run/hang.pid")" ||
		fail "the script survived"
	assert fpm_log_has "execution timed out"
}

@test "a background child a script leaves is killed with its group" {
	script bg.sh "#!/bin/sh
sleep 100 &
echo \$! >$T/run/bg.pid
printf 'Content-Type: text/plain\n\nstarted\n'"
	start_cgi
	local t0=${EPOCHREALTIME/./}
	run get /cgi/bg.sh
	assert_output 200
	assert_equal "$(cat "$T/body")" "started"
	assert [ $((${EPOCHREALTIME/./} - t0)) -lt 3000000 ]
	wait_until 5 not pid_alive "$(cat "$T/run/bg.pid")" ||
		fail "the background child survived"
}

@test "an nph- script's status line becomes the status" {
	script nph-hello.sh '#!/bin/sh
printf "HTTP/1.1 202 Accepted\r\nContent-Type: text/plain\r\n\r\nnph body\n"'
	start_cgi
	run get /cgi/nph-hello.sh
	assert_output 202
	assert_equal "$(cat "$T/body")" "nph body"
}
