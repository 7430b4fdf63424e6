#!/usr/bin/env bats
# The status and ping pages through nginx: every format parsed by a real
# parser (jq, xmllint, promtool, headless Chromium), exact counters, the
# listen queue of unix and TCP pools, and pm.status_listen answering while
# the pool is saturated.

load helpers

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
}

POOL_FIELDS=("pool" "process manager" "start time" "start since"
	"accepted conn" "listen queue" "max listen queue" "listen queue len"
	"idle processes" "active processes" "total processes"
	"max active processes" "max children reached" "slow requests")
PROC_FIELDS=("pid" "state" "start time" "start since" "requests"
	"request duration" "request method" "request URI" "content length"
	"user" "script" "last request cpu" "last request memory")

# A slow pool on LISTEN with a status page, status_listen on a TCP port
# of its own, and nginx: /slow and /status go to the pool, and a second
# server on STATUS_PORT passes everything to status_listen as /status.
start_status_pool() {
	local listen=$1 children=$2
	STATUS_LISTEN_PORT=$(free_port)
	write_conf "listen.owner = $NGINX_USER" "app = $T/slow.so" \
		"pm.max_children = $children" "pm.status_path = /status" \
		"pm.status_listen = 127.0.0.1:$STATUS_LISTEN_PORT" \
		"ping.path = /ping"
	sed -i "s|^listen = .*|listen = $listen|" "$T/fpm.ini"
	start_fpm
	STATUS_PORT=$(free_port)
	local pass=$listen
	[[ $listen == /* ]] && pass="unix:$listen"
	NGINX_HTTP_EXTRA="server {
	    listen 127.0.0.1:$STATUS_PORT;
	    location / {
	        fastcgi_param SCRIPT_NAME /status;	# first: libfcgi takes the first
	        include /etc/nginx/fastcgi_params;
	        fastcgi_pass 127.0.0.1:$STATUS_LISTEN_PORT;
	    }
	}" start_nginx "/slow=$pass" "/status=$pass" "/ping=$pass"
	# the status_listen worker answers pages only: it loads no app
	wait_until 5 status_pool_ready "$children" ||
		fail "workers: $(workers | xargs); $(cat "$T/fpm.log")"
	mapfile -t FPM_WORKERS < <(workers)
}

# N workers with the app, and the status_listen worker without it.
status_pool_ready() {
	local p with=0 all=0
	for p in $(workers); do
		all=$((all + 1))
		has_app "$p" && with=$((with + 1))
	done
	[ "$all" -eq $(($1 + 1)) ] && [ "$with" -eq "$1" ]
}

# status_via_listen QUERY: the status page from pm.status_listen.
status_via_listen() {
	curl -sS --max-time 5 "http://127.0.0.1:$STATUS_PORT/?$1"
}

@test "the text page has php-fpm's fields in php-fpm's order, and full one block per worker" {
	start_status_pool "$T/www.sock" 2
	run get "/status?full"
	assert_output 200
	grep -qi '^Content-Type: text/plain' "$T/headers"
	local i=0 f
	for f in "${POOL_FIELDS[@]}"; do
		assert_equal "$(sed -n "$((i + 1))p" "$T/body" | cut -d: -f1)" "$f"
		i=$((i + 1))
	done
	assert_equal "$(grep -c '^pid:' "$T/body")" 2
	sed -n '/^\*/,$p' "$T/body" >"$T/procs"
	for f in "${PROC_FIELDS[@]}"; do
		assert_equal "$(grep -c "^$f:" "$T/procs")" 2
	done
	run get /ping
	assert_output 200
	assert_equal "$(cat "$T/body")" "pong"
}

@test "?json&full parses with jq, has every field, and shows running workers while slow requests run" {
	start_status_pool "$T/www.sock" 3
	start_slow_request 5
	bg_get second "/slow?s=5"
	wait_until 5 active_is 2 || fail "$(status_via_listen)"
	run get "/status?json&full"
	assert_output 200
	grep -qi '^Content-Type: application/json' "$T/headers"
	jq -e . "$T/body" >/dev/null
	local f
	for f in "${POOL_FIELDS[@]}"; do
		jq -e --arg f "$f" 'has($f)' "$T/body" >/dev/null ||
			fail "no '$f' in $(cat "$T/body")"
	done
	assert_equal "$(jq '.processes | length' "$T/body")" 3
	# php-fpm's JSON spells one key in lower case: "request uri"
	for f in "${PROC_FIELDS[@]/request URI/request uri}"; do
		assert_equal "$(jq --arg f "$f" '[.processes[] | has($f)] | all' "$T/body")" true
	done
	# the two slow requests, and this status request itself
	assert_equal "$(jq '[.processes[] | select(.state == "Running")] | length' "$T/body")" 3
	assert_equal "$(jq -r '[.processes[] | select(."request uri" == "/slow?s=5")] | length' "$T/body")" 2
	assert_equal "$(jq '."active processes"' "$T/body")" 3
	assert_equal "$(jq '."idle processes"' "$T/body")" 0
}

@test "?xml&full is well-formed XML with every field" {
	start_status_pool "$T/www.sock" 2
	run get "/status?xml&full"
	assert_output 200
	grep -qi '^Content-Type: text/xml' "$T/headers"
	xmllint --noout "$T/body"
	assert_equal "$(xmllint --xpath 'string(/status/pool)' "$T/body")" www
	assert_equal "$(xmllint --xpath 'count(/status/processes/process)' "$T/body")" 2
	assert_equal "$(xmllint --xpath 'string(/status/process-manager)' "$T/body")" static
}

@test "?openmetrics&full parses as OpenMetrics and with promtool, with per-worker metrics" {
	start_status_pool "$T/www.sock" 2
	run get "/status?openmetrics&full"
	assert_output 200
	grep -qi '^Content-Type: application/openmetrics-text' "$T/headers"
	# The reference OpenMetrics parser (Debian's python3-prometheus-client)
	run /usr/bin/python3 -c '
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
fams = {f.name: f for f in text_string_to_metric_families(sys.stdin.read())}
print(fams["phpfpm_accepted_connections"].type)
print(len([s for s in fams["phpfpm_process_requests"].samples if "pid" in s.labels]))
print(len(fams))' <"$T/body"
	assert_success
	assert_line --index 0 counter
	# php-fpm ignores &full here (php-src #9494): a series per worker
	assert_line --index 1 2
	# promtool reads the older Prometheus text format: it must parse the
	# page; its only remarks may be that a counter's _total sample has no
	# HELP of its own (OpenMetrics puts HELP on the family).
	run promtool check metrics <"$T/body"
	assert [ "$status" -eq 0 ] || assert [ "$status" -eq 3 ]
	refute_output --partial "error"
	if [ -n "$output" ]; then
		run grep -cv '_total no help text$' <<<"$output"
		assert_output 0
	fi
}

@test "the HTML page renders in headless Chromium with the pool's table" {
	start_status_pool "$T/www.sock" 2
	run get "/status?html&full"
	assert_output 200
	grep -qi '^Content-Type: text/html' "$T/headers"
	run timeout 60 chromium --headless --no-sandbox --disable-gpu \
		--user-data-dir="$T/chromium" --dump-dom "$(url '/status?html&full')"
	assert_success
	assert_output --partial "<table"
	assert_output --regexp "<td>www</td>|>www<"
	assert_output --partial "accepted conn"
	# one row per worker in the process table
	assert [ "$(grep -o "<td>${FPM_WORKERS[0]}</td>\|>${FPM_WORKERS[0]}<" <<<"$output" | wc -l)" -ge 1 ]
}

@test "accepted conn counts every request, the status requests too" {
	start_status_pool "$T/www.sock" 2
	local i
	for i in $(seq 7); do
		run get "/slow?s=0"
		assert_output 200
	done
	run get "/status?json"
	assert_equal "$(jq '."accepted conn"' "$T/body")" 8
	run get "/status?json"
	assert_equal "$(jq '."accepted conn"' "$T/body")" 9
}

@test "max active processes and max children reached follow a controlled burst" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/slow.so" \
		"pm = dynamic" "pm.max_children = 3" "pm.start_servers = 1" \
		"pm.min_spare_servers = 1" "pm.max_spare_servers = 1" \
		"pm.status_path = /status"
	start_fpm
	start_nginx "/slow=unix:$T/www.sock" "/status=unix:$T/www.sock"
	wait_workers 1
	local i
	for i in 1 2 3 4 5; do
		bg_get "r$i" "/slow?s=3"
	done
	wait_until 15 all_answered r1 r2 r3 r4 r5 || fail "burst did not end"
	run get "/status?json"
	assert_output 200
	assert_equal "$(jq '."max active processes"' "$T/body")" 3
	assert_equal "$(jq '."max children reached"' "$T/body")" 1
	assert_equal "$(jq '."accepted conn"' "$T/body")" 6
}

active_is() {
	[ "$(status_via_listen json | jq '."active processes"')" = "$1" ]
}

listen_queue_is() {
	[ "$(status_via_listen json | jq '."listen queue"')" = "$1" ]
}

@test "the listen queue counts waiting connections on a unix socket, and status_listen answers while saturated" {
	start_status_pool "$T/www.sock" 1
	start_slow_request 6
	bg_get w1 "/slow?s=0"
	bg_get w2 "/slow?s=0"
	wait_until 5 listen_queue_is 2 || fail "$(status_via_listen)"
	run status_via_listen json
	assert_equal "$(jq '."max listen queue"' <<<"$output")" 2
	assert_equal "$(jq '."listen queue len"' <<<"$output")" 511
	assert_equal "$(jq '."active processes"' <<<"$output")" 1
}

@test "the listen queue counts waiting connections on a TCP socket" {
	start_status_pool "127.0.0.1:$(free_port)" 1
	start_slow_request 6
	bg_get w1 "/slow?s=0"
	bg_get w2 "/slow?s=0"
	bg_get w3 "/slow?s=0"
	wait_until 5 listen_queue_is 3 || fail "$(status_via_listen)"
}

@test "fpm -t checks the status and ping directives" {
	write_conf "pm.status_path = status" "ping.path = /ping" \
		"pm.status_listen = $T/www.sock"
	fpm_test
	assert_line "$T/fpm.ini:8: [pool www] pm.status_path 'status' must start with a '/'"
	assert_line "$T/fpm.ini:10: [pool www] pm.status_listen '$T/www.sock' is already used by pool 'www'"
}
