#!/usr/bin/env bats
# fpm_finish_request: the client gets its whole response at once, the app
# works on, the status page shows the worker Finishing, and the next
# request goes to another worker, also when nginx keeps connections.

load helpers

setup() {
	e2e_setup
	mkdir -m 0777 "$T/marks"
}

teardown() {
	e2e_teardown
}

finish_conf() {
	write_conf "listen.owner = $NGINX_USER" "app = $T/slow.so" \
		"pm.max_children = 2" "pm.status_path = /status"
	start_fpm
	wait_workers 2
}

# The finished request: answered in under a second, its marker written
# about 3 s after it started, another worker free meanwhile.
check_finish() {
	local t0 t1
	t0=${EPOCHREALTIME/./}
	run get "/slow?s=0&bg=3&mark=$T/marks/done"
	t1=${EPOCHREALTIME/./}
	assert_output 200
	assert_equal "$(cat "$T/body")" "slept 0.000 s"
	assert [ $((t1 - t0)) -lt 1000000 ]
	assert [ ! -e "$T/marks/done" ]
	run get "/status?json&full"
	assert_output 200
	assert_equal "$(jq '[.processes[] | select(.state == "Finishing")] | length' "$T/body")" 1
	# the other worker answers at once
	t0=${EPOCHREALTIME/./}
	run get "/slow?s=0"
	assert_output 200
	assert [ $((${EPOCHREALTIME/./} - t0)) -lt 1000000 ]
	wait_until 6 test -e "$T/marks/done" || fail "the work after finishing never ended"
	assert [ $((${EPOCHREALTIME/./} - t1)) -gt 2000000 ]
}

@test "fpm_finish_request answers at once and the app works on, Finishing on the status page" {
	finish_conf
	start_nginx "/slow=unix:$T/www.sock" "/status=unix:$T/www.sock"
	check_finish
}

@test "the same behind nginx with fastcgi_keep_conn and an upstream keepalive" {
	finish_conf
	NGINX_HTTP_EXTRA="upstream fpm { server unix:$T/www.sock; keepalive 4; }" \
	NGINX_LOCATION_EXTRA="fastcgi_keep_conn on;" \
		start_nginx "/slow=fpm" "/status=fpm"
	check_finish
}

@test "the access log has the time the client waited (%D) and the whole request's (%d)" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/slow.so" \
		"pm.max_children = 1" "access.log = $T/access.log" \
		'access.format = "%{milli}D %{milli}d %s"'
	start_fpm
	start_nginx "/slow=unix:$T/www.sock"
	run get "/slow?s=0.2&bg=1"
	assert_output 200
	wait_until 5 test -s "$T/access.log" || fail "no access log line"
	local client total
	read -r client total _ <"$T/access.log"
	# the client: 200 ms; the request with its work after finishing: 1.2 s
	assert [ "${client%.*}" -ge 200 ] && assert [ "${client%.*}" -lt 700 ]
	assert [ "${total%.*}" -ge 1200 ]
	assert_equal "$(cut -d' ' -f3 "$T/access.log")" 200
}
