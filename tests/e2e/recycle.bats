#!/usr/bin/env bats
# Workers are replaced without a request failing: after pm.max_requests
# (plus jitter), above pm.max_memory, past request_terminate_timeout, and
# all at once when too many crash (emergency restart).  A pool that cannot
# start backs off.

load helpers

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
}

# seconds_reached T: the clock (whole seconds) has reached T.
seconds_reached() {
	((${EPOCHREALTIME%.*} >= $1))
}

# serial N PATH: N requests one after another; each status code and body
# line go to $T/serial ("200 pid 1234").
serial() {
	local i code
	: >"$T/serial"
	for ((i = 0; i < $1; i++)); do
		code=$(get "$2")
		echo "$code $(head -n1 "$T/body")" >>"$T/serial"
	done
}

@test "pm.max_requests with jitter recycles each worker after its own count, and no request fails" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/crash.so" \
		"pm.max_children = 2" "pm.max_requests = 3" \
		"pm.max_requests_jitter = 10"
	start_fpm
	start_nginx "/crash=unix:$T/www.sock"
	wait_workers 2

	serial 120 /crash
	run grep -vc '^200 alive pid ' "$T/serial"
	assert_output 0
	# Every worker that was replaced served between 3 and 13 requests,
	# as its log line says, and the counts differ: the jitter works.
	local counts
	counts=$(sed -n 's/.*child \([0-9]*\) has served \([0-9]*\) requests (pm.max_requests): replacing it/\2/p' "$T/fpm.log")
	assert [ "$(grep -c . <<<"$counts")" -ge 8 ]
	while read -r n; do
		assert [ "$n" -ge 3 ] && assert [ "$n" -le 13 ]
	done <<<"$counts"
	assert [ "$(sort -u <<<"$counts" | grep -c .)" -ge 2 ]
	# What the log says matches what the clients saw.
	local pid
	for pid in $(sed -n 's/.*child \([0-9]*\) has served.*/\1/p' "$T/fpm.log"); do
		assert_equal "$(grep -c "^200 alive pid $pid\$" "$T/serial")" \
			"$(sed -n "s/.*child $pid has served \([0-9]*\) requests.*/\1/p" "$T/fpm.log")"
	done
	# The pool is whole again.
	wait_workers 2
}

@test "recycling under concurrent load loses no request" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/crash.so" \
		"pm.max_children = 3" "pm.max_requests = 5"
	start_fpm
	start_nginx "/crash=unix:$T/www.sock"
	wait_workers 3
	run sh -c "seq 300 | xargs -P 8 -I{} curl -s --max-time 10 -o /dev/null -w '%{http_code}\n' '$(url /crash)' 3>&- | sort | uniq -c"
	assert_output --regexp '^ *300 200$'
	run grep -c "(pm.max_requests): replacing it" "$T/fpm.log"
	assert [ "$output" -ge 50 ]
}

@test "pm.max_memory replaces a worker whose RSS grew past it, and no request fails" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/leak.so" \
		"pm.max_children = 1" "pm.max_memory = 40M"
	start_fpm
	start_nginx "/leak=unix:$T/www.sock"
	wait_workers 1
	local first=${FPM_WORKERS[0]}

	# 8 MiB kept per request: past 40 MiB after about five.
	serial 12 "/leak?mb=8"
	run grep -vc '^200 pid ' "$T/serial"
	assert_output 0
	run grep -c "^200 pid $first\$" "$T/serial"
	assert [ "$output" -ge 3 ] && assert [ "$output" -le 6 ]
	assert fpm_log_has "child $first uses [0-9]+ KiB, more than pm.max_memory \(40960 KiB\): replacing it"
	assert [ "$(cut -d' ' -f3 "$T/serial" | sort -u | grep -c .)" -ge 2 ]
	wait_until 5 not pid_alive "$first"
}

@test "request_terminate_timeout kills a request over the limit, logs it, and the next request succeeds" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/slow.so" \
		"pm.max_children = 1" "request_terminate_timeout = 1s"
	start_fpm
	start_nginx "/slow=unix:$T/www.sock"
	wait_workers 1
	local first=${FPM_WORKERS[0]} t0 t1

	t0=${EPOCHREALTIME/./}
	run get "/slow?s=10"
	t1=${EPOCHREALTIME/./}
	assert_output 502
	assert [ $((t1 - t0)) -lt 4000000 ]
	run cat "$T/fpm.log"
	assert_output --regexp "WARNING: \[pool www\] child $first, script '$T/slow\.so' \(request: \"GET /slow\?s=10\"\) execution timed out \(1\.[0-9]+ sec\), terminating"
	assert_output --partial "child $first exited on signal 15 (SIGTERM)"
	run get "/slow?s=0"
	assert_output 200
	wait_workers 1
	assert [ "${FPM_WORKERS[0]}" != "$first" ]
}

@test "a request within request_terminate_timeout is left alone" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/slow.so" \
		"pm.max_children = 1" "request_terminate_timeout = 3s"
	start_fpm
	start_nginx "/slow=unix:$T/www.sock"
	run get "/slow?s=1.5"
	assert_output 200
	run get "/slow?s=1.5"
	assert_output 200
	run grep -c "timed out" "$T/fpm.log"
	assert_output 0
}

@test "emergency restart replaces every worker once enough crash within the interval" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/crash.so" \
		"pm.max_children = 4"
	sed -i "2a emergency_restart_threshold = 3\nemergency_restart_interval = 10s" \
		"$T/fpm.ini"
	start_fpm
	start_nginx "/crash=unix:$T/www.sock"
	wait_workers 4
	local before=("${FPM_WORKERS[@]}") p

	run get "/crash?now"
	assert_output 502
	run get "/crash?now"
	assert_output 502
	refute fpm_log_has "restarting the pools"
	run get "/crash?now"
	assert_output 502
	wait_until 5 fpm_log_has "WARNING: 3 workers died of SIGSEGV or SIGBUS within 10 s \(emergency_restart_threshold\): restarting the pools" ||
		fail "no emergency restart: $(cat "$T/fpm.log")"
	# The worker that never crashed was replaced too.
	for p in "${before[@]}"; do
		wait_until 5 not pid_alive "$p" || fail "$p survived the restart"
	done
	wait_workers 4
	run get /crash
	assert_output 200
}

@test "crashes spread wider than the interval trigger no emergency restart" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/crash.so" \
		"pm.max_children = 2"
	sed -i "2a emergency_restart_threshold = 2\nemergency_restart_interval = 1s" \
		"$T/fpm.ini"
	start_fpm
	start_nginx "/crash=unix:$T/www.sock"
	run get "/crash?now"
	assert_output 502
	# the first crash is over a second old before the second
	wait_until 5 fpm_log_has "exited on signal 11"
	local t0=${EPOCHREALTIME%.*}
	wait_until 3 seconds_reached $((t0 + 2))
	run get "/crash?now"
	assert_output 502
	run get /crash
	assert_output 200
	refute fpm_log_has "restarting the pools"
}

@test "fpm_finish_request answers at once; the work after it escapes request_terminate_timeout unless tracked" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/slow.so" \
		"pm.max_children = 1" "request_terminate_timeout = 1s"
	start_fpm
	start_nginx "/slow=unix:$T/www.sock"
	wait_workers 1
	local w=${FPM_WORKERS[0]} t0 t1
	t0=${EPOCHREALTIME/./}
	run get "/slow?s=0&bg=2.5"
	t1=${EPOCHREALTIME/./}
	assert_output 200
	assert_equal "$(cat "$T/body")" "slept 0.000 s"
	assert [ $((t1 - t0)) -lt 1000000 ]
	# The worker works 2.5 s more, past the 1 s limit, untouched; then
	# it serves again.
	run get "/slow?s=0"
	assert_output 200
	assert pid_alive "$w"
	refute fpm_log_has "timed out"
}

@test "request_terminate_timeout_track_finished ends background work past the limit" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/slow.so" \
		"pm.max_children = 1" "request_terminate_timeout = 1s" \
		"request_terminate_timeout_track_finished = yes"
	start_fpm
	start_nginx "/slow=unix:$T/www.sock"
	wait_workers 1
	local w=${FPM_WORKERS[0]}
	run get "/slow?s=0&bg=10"
	assert_output 200
	wait_until 5 fpm_log_has "child $w, script '$T/slow\.so' \(request: \"GET /slow\?s=0&bg=10\"\) execution timed out" ||
		fail "$(cat "$T/fpm.log")"
	wait_until 5 not pid_alive "$w"
	run get "/slow?s=0"
	assert_output 200
}

@test "a recycled worker of a static pool leaves only once its successor is ready" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/crash.so" \
		"pm.max_children = 1" "pm.max_requests = 2"
	sed -i "2a log_level = debug" "$T/fpm.ini"
	start_fpm
	start_nginx "/crash=unix:$T/www.sock"
	wait_workers 1
	local old=${FPM_WORKERS[0]} new started exited
	run get /crash
	assert_output 200
	run get /crash
	assert_output 200
	wait_until 5 fpm_log_has "child $old exited with code 0" ||
		fail "$(cat "$T/fpm.log")"
	new=$(sed -n 's/.*child \([0-9]*\) started$/\1/p' "$T/fpm.log" | tail -1)
	assert [ "$new" != "$old" ]
	assert fpm_log_has "child $old retires: its successor is ready"
	started=$(grep -n "child $new started" "$T/fpm.log" | cut -d: -f1)
	exited=$(grep -n "child $old exited" "$T/fpm.log" | cut -d: -f1)
	assert [ "$started" -lt "$exited" ]
	run get /crash
	assert_output 200
	assert_equal "$(head -n1 "$T/body")" "alive pid $new"
}
