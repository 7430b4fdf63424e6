#!/usr/bin/env bats
# fpmctl: the status table comes from the pools' status pages and names
# the right workers, busy ones with their request; reload, quit and stop
# wait until they took effect; without a running master every command
# fails with one clear line.
#
# Binary: FPMCTL_BIN (default $repo/fpm/fpmctl).

load helpers

FPMCTL_BIN=${FPMCTL_BIN:-$REPO/fpm/fpmctl}

setup() {
	e2e_setup
	[ -x "$FPMCTL_BIN" ] || fail "no fpmctl binary at $FPMCTL_BIN: run make first"
}

teardown() {
	e2e_teardown
}

# fpmctl ARGS...: fpmctl on $T/fpm.ini and start_fpm's pid file, through
# bats' run.
fpmctl() {
	run "$FPMCTL_BIN" -y "$T/fpm.ini" -g "$T/fpm.pid" "$@"
}

# The pids in the rows of fpmctl's last output, in order.
table_pids() {
	awk '$1 ~ /^[0-9]+$/ { print $1 }' <<<"$output" | sort -n
}

# The pool [www] with a status page, N workers and APP.so.
write_status_conf() {
	write_conf "listen.owner = $NGINX_USER" "pm.max_children = $1" \
		"pm.status_path = /status"
	sed -i "s|^app = .*|app = $T/$2.so|" "$T/fpm.ini"
}

@test "fpmctl status shows the pool's header and one row per worker, with its pid" {
	write_status_conf 3 hello
	start_fpm
	wait_workers 3

	fpmctl status
	echo "$output"
	assert_success
	assert_line --index 0 --regexp '^www \(static\)  up [0-9]+s  accepted [0-9]+  active [0-9]+/3  idle [0-9]+  queue 0 \(max [0-9]+\)  max-children-reached 0$'
	assert_line --index 1 --regexp '^PID +UPTIME +SERVED +MEMORY +STATE +REQUEST$'
	assert_equal "$(table_pids | xargs)" "$(workers | xargs)"
	# The worker that answered is busy with fpmctl's own request.
	assert_line --regexp '^[0-9]+ +[0-9]+s +[0-9]+ +[^ ]+ +Running +GET /status'
}

@test "fpmctl status reads the pid file the configuration names" {
	write_status_conf 1 hello
	sed -i "1a pid = $T/fpm.pid" "$T/fpm.ini"
	start_fpm
	wait_workers 1

	run "$FPMCTL_BIN" -y "$T/fpm.ini" status www
	assert_success
	assert_line --index 0 --partial "www (static)"
	assert_equal "$(table_pids)" "$(workers)"
}

@test "fpmctl status shows a busy worker as Running with its request" {
	write_status_conf 2 slow
	start_fpm
	start_nginx "/slow=unix:$T/www.sock"
	wait_workers 2
	start_slow_request 5

	fpmctl status
	echo "$output"
	assert_success
	assert_line --regexp "^$BUSY +[0-9]+s +[0-9]+ +[^ ]+ +Running +GET /slow(\?s=5)? [0-9.]+(us|ms|s)$"
	assert_equal "$(table_pids | xargs)" "$(workers | xargs)"
}

@test "fpmctl reload reports success and the workers are new ones" {
	write_status_conf 2 hello
	start_fpm
	wait_workers 2

	fpmctl reload
	assert_success
	assert_output "reloaded (pid $FPM_PID)"
	assert pid_alive "$FPM_PID"
	wait_until 5 new_workers_are 2 || fail "workers: $(workers | xargs)"
	fpmctl status
	assert_success
	assert_equal "$(table_pids | xargs)" "$(workers | xargs)"
}

@test "fpmctl reload of a configuration with errors reports them and signals nothing" {
	write_status_conf 1 hello
	start_fpm
	wait_workers 1

	echo "pm.max_children = many" >>"$T/fpm.ini"
	fpmctl reload
	assert_failure 1
	assert_output "fpmctl: $T/fpm.ini:11: [www] 'pm.max_children': expected an integer in 1..100000, got 'many'
fpmctl: $T/fpm.ini has 1 error: nothing done"
	assert not fpm_log_has "SIGUSR2"
}

@test "fpmctl reload that the master refuses fails and names the error log" {
	write_status_conf 1 hello
	start_fpm
	wait_workers 1

	# Only the master finds this one: fpmctl does not look users up.
	sed -i "s|^user = .*|user = no-such-user-fpmctl|" "$T/fpm.ini"
	fpmctl reload
	assert_failure 1
	assert_output "fpmctl: fpm $FPM_PID kept its configuration: see its error log ($T/fpm.log)"
	assert fpm_log_has "keeping the running configuration"
	assert_equal "$(workers | xargs)" "${FPM_WORKERS[*]}"
}

@test "fpmctl quit stops the master and its workers" {
	write_status_conf 2 hello
	start_fpm
	wait_workers 2

	fpmctl quit
	assert_success
	assert_output "fpm $FPM_PID stopped gracefully"
	assert not pid_alive "$FPM_PID"
	assert all_gone "${FPM_WORKERS[@]}"
	assert fpm_log_has "SIGQUIT received, stopping gracefully"
}

@test "fpmctl stop stops the master fast" {
	write_status_conf 1 hello
	start_fpm
	wait_workers 1

	fpmctl stop
	assert_success
	assert_output "fpm $FPM_PID stopped"
	assert not pid_alive "$FPM_PID"
	assert fpm_log_has "SIGTERM received, stopping fast"
}

@test "fpmctl status without a pid file fails, saying where it looked" {
	write_status_conf 1 hello

	fpmctl status
	assert_failure 1
	assert_output "fpmctl: no pid file at $T/fpm.pid: is fpm running?"
}

@test "fpmctl status with a stale pid file fails, naming the pid" {
	write_status_conf 1 hello
	local dead
	true 3>&- &
	dead=$!
	wait "$dead"
	echo "$dead" >"$T/fpm.pid"

	fpmctl status
	assert_failure 1
	assert_output "fpmctl: pid file $T/fpm.pid names $dead, which is not running (stale pid file)"
}

@test "fpmctl status with a pid file naming another program fails" {
	write_status_conf 1 hello
	echo "$$" >"$T/fpm.pid"

	fpmctl status
	assert_failure 1
	assert_output --regexp "^fpmctl: pid file $T/fpm\.pid names $$, which is '[^']+', not an fpm \(stale pid file\)$"
}

@test "fpmctl names the pools when asked for one that does not exist" {
	write_status_conf 1 hello

	fpmctl status nope
	assert_failure 1
	assert_output "fpmctl: no pool 'nope' in $T/fpm.ini (pools: www)"
}

@test "fpmctl status on a pool without pm.status_path says so" {
	write_conf "pm.max_children = 1"
	start_fpm

	fpmctl status www
	assert_failure 1
	assert_output "fpmctl: pool www has no pm.status_path"
}

@test "fpmctl without a command, or with an unknown one, is a usage error" {
	write_status_conf 1 hello

	fpmctl
	assert_failure 64
	assert_line "fpmctl: no command"
	fpmctl frobnicate
	assert_failure 64
	assert_line "fpmctl: unknown command 'frobnicate'"
	fpmctl reload www
	assert_failure 64
	assert_line "fpmctl: unexpected argument 'www'"
}

@test "fpmctl top redraws the table every second until interrupted" {
	write_status_conf 2 hello
	start_fpm
	wait_workers 2
	# 2.5 s of top, then SIGINT, as a user's Ctrl-C
	run timeout -s INT 2.5 "$FPMCTL_BIN" -y "$T/fpm.ini" -g "$T/fpm.pid" top \
		</dev/null
	assert [ "$status" -eq 0 ] || assert [ "$status" -eq 124 ]
	# a screen clear per frame, and a pool header in each
	assert [ "$(grep -o $'\e\\[H\e\\[2J' <<<"$output" | wc -l)" -ge 2 ]
	assert [ "$(grep -c '^www (static)' <<<"$output")" -ge 2 ]
}

# A status page as a hostile worker would answer it: pool code runs in the
# process that renders the page, so it can answer with any bytes.  A fake
# FastCGI server on $1 answers every request with such a page, its pool
# name, state, method and URI full of escape sequences.
start_hostile_status() {
	python3 - "$1" 3>&- <<-'EOF' &
	import os, socket, struct, sys
	def rec(t, body):
	    return struct.pack(">BBHHBB", 1, t, 1, len(body), 0, 0) + body
	E = b"\x1b[2J\x1b]0;pwned\x07"
	page = (b"Content-Type: text/plain\r\n\r\npool: www" + E + b"\n"
	        b"process manager: static" + E + b"\nstart since: 1\n"
	        b"total processes: 1\n*\npid: 4242\nstate: Running" + E + b"\n"
	        b"request method: GET" + E + b"\nrequest URI: /x" + E + b"\n")
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.bind(sys.argv[1])
	os.chmod(sys.argv[1], 0o777)
	s.listen(8)
	s.settimeout(30)
	while True:
	    c, _ = s.accept()
	    data = b""
	    while not data.endswith(rec(5, b"")):
	        d = c.recv(65536)
	        if not d:
	            break
	        data += d
	    c.sendall(rec(6, page) + rec(6, b"") + rec(3, b"\0" * 8))
	    c.close()
	EOF
	BG_PIDS+=($!)
	wait_until 5 test -S "$1"
}

@test "fpmctl status escapes what a worker wrote: no raw escape byte reaches the terminal" {
	write_status_conf 1 hello
	start_fpm
	# fpmctl reads the pool's address from this copy: the hostile one's
	sed "s|^listen = .*|listen = $T/hostile.sock|" "$T/fpm.ini" >"$T/hostile.ini"
	start_hostile_status "$T/hostile.sock"

	run "$FPMCTL_BIN" -y "$T/hostile.ini" -g "$T/fpm.pid" status
	echo "$output" | cat -v
	assert_success
	assert_line --regexp '^www\\x1b\[2J\\x1b\]0;pwned\\x07 \(static\\x1b'
	assert_line --regexp '^4242 .*Running\\x1b\[2J\\x1b\]0;pwned\\x07 +GET\\x1b\[2J\\x1b\] /x\\x1b\[2J\\x1b\]0;pwned\\x07 '
	run grep -c $'\x1b' <<<"$output"
	assert_output 0
}

# A raw FastCGI request to the slow app, its REQUEST_URI given with bytes
# no web server would pass: escape sequences that clear the screen and set
# the terminal's title.  Runs in the background; sets BG_PID.
start_hostile_uri() {
	python3 - "$T/www.sock" 3>&- <<-'EOF' &
	import socket, struct, sys, time
	def rec(t, body):
	    return struct.pack(">BBHHBB", 1, t, 1, len(body), 0, 0) + body
	def nv(n, v):
	    return bytes([len(n), len(v)]) + n + v
	uri = b"/slow\x1b[2J\x1b]0;pwned\x07?s=4"
	p = nv(b"REQUEST_METHOD", b"GET") + nv(b"SCRIPT_NAME", b"/slow")
	p += nv(b"REQUEST_URI", uri) + nv(b"QUERY_STRING", b"s=4")
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.connect(sys.argv[1])
	s.sendall(rec(1, struct.pack(">HB5x", 1, 0)) + rec(4, p) + rec(4, b"") + rec(5, b""))
	s.settimeout(20)
	while s.recv(65536):
	    pass
	EOF
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

@test "fpmctl status shows escaped what a client wrote into a request URI" {
	write_status_conf 2 slow
	start_fpm
	wait_workers 2
	start_hostile_uri
	wait_until 5 busy_worker_of slow >/dev/null || fail "no worker took it"

	fpmctl status
	assert_success
	echo "$output" | cat -v
	assert_line --regexp 'Running +GET /slow\\x1[bB]\[2J\\x1[bB]\]0;pwned\\x07\?s=4 '
	run grep -c $'\x1b' <<<"$output"
	assert_output 0
}
