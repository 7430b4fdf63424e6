#!/usr/bin/env bats
# Workers cannot write the master's logs (issue 17, 6): a hostile app
# looks for the error log, the slow log and another pool's access log
# among its descriptors, writes a fake ALERT line and truncates what it
# finds.  It holds none of them; what it writes to stderr reaches the
# error log through the master, decorated with the pool and pid the
# master knows.

load helpers

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
}

# www runs the hostile app, with a slow log and an access log of its own;
# other has an access log the app must not reach.
forge_conf() {
	write_conf "listen.owner = $NGINX_USER" "app = $T/logforge.so" \
		"pm.max_children = 1" "slowlog = $T/slow.log" \
		"request_slowlog_timeout = 30s" "access.log = $T/www-access.log" \
		"$@"
	cat >>"$T/fpm.ini" <<-EOF

	[other]
	listen = $T/other.sock
	user = $POOL_USER
	app = $T/hello.so
	pm.max_children = 1
	access.log = $T/other-access.log
	EOF
}

# No line of the error log starts with the forged prefix: every line the
# app wrote is inside one the master decorated.
no_forged_line() {
	! grep -nE '^\[[^]]*\] ALERT: forged' "$T/fpm.log"
}

# links_to PID FILE: PID holds a descriptor open on FILE.
links_to() {
	find "/proc/$1/fd" -lname "$2" 2>/dev/null | grep -q .
}

@test "a worker holds no descriptor of the error log, the slow log or another pool's access log" {
	forge_conf
	start_fpm
	wait_workers 2
	local w
	for w in "${FPM_WORKERS[@]}"; do
		refute links_to "$w" "$T/fpm.log"
		refute links_to "$w" "$T/slow.log"
	done
	w=$(workers_of logforge | head -n 1)
	[ -n "$w" ] || fail "no logforge worker"
	refute links_to "$w" "$T/other-access.log"
	assert links_to "$w" "$T/www-access.log"
}

forge_and_check() {
	start_fpm
	start_nginx "/forge=unix:$T/www.sock"
	wait_workers 2
	local w
	w=$(workers_of logforge | head -n 1)
	local before
	before=$(grep -c . "$T/fpm.log")
	for log in fpm.log slow.log other-access.log; do
		run get "/forge?log=$T/$log"
		assert_output 200
		run cat "$T/body"
		assert_output "found -1 wrote 0 truncated 0"
	done
	wait_until 5 test "$(grep -c 'forged by logforge' "$T/fpm.log")" -eq 3 ||
		fail "$(cat -v "$T/fpm.log")"
	# the earlier lines are all there
	assert fpm_log_has "ready to handle connections"
	[ "$(grep -c . "$T/fpm.log")" -ge "$((before + 3))" ] ||
		fail "lines lost: $(cat "$T/fpm.log")"
	run no_forged_line
	assert_success
	run grep -c "WARNING: \[pool www\] child $w said into stderr: \"\[04-Dec-2026 10:00:00\] ALERT: forged by logforge\"$" "$T/fpm.log"
	assert_output 3
}

@test "a worker can neither forge nor truncate the error log (catch_workers_output = no)" {
	forge_conf
	forge_and_check
}

@test "a worker can neither forge nor truncate the error log (catch_workers_output = yes)" {
	forge_conf "catch_workers_output = yes"
	forge_and_check
}

@test "decorate_workers_output = no still stamps the worker's line with the master's time and level" {
	forge_conf "catch_workers_output = yes" "decorate_workers_output = no"
	start_fpm
	start_nginx "/forge=unix:$T/www.sock"
	run get "/forge?log=$T/fpm.log"
	assert_output 200
	wait_until 5 fpm_log_has "forged by logforge" || fail "$(cat "$T/fpm.log")"
	run no_forged_line
	assert_success
	assert fpm_log_has "^\[[^]]*\] WARNING: \[04-Dec-2026 10:00:00\] ALERT: forged by logforge$"
}

# ---- no log line can be forged (issue 17, 9) -------------------------------

# forge.py SOCKET SCRIPT_FILENAME [QUERY_STRING]: one FastCGI request whose
# script name is given raw (a newline in it, say); prints the status line.
write_forge_client() {
	cat >"$T/forge.py" <<-'EOF'
	import socket, struct, sys
	sock, script = sys.argv[1], sys.argv[2].encode()
	query = sys.argv[3].encode() if len(sys.argv) > 3 else b""
	def rec(t, body):
	    return struct.pack(">BBHHBB", 1, t, 1, len(body), 0, 0) + body
	def nv(n, v):
	    def ln(x):
	        return bytes([len(x)]) if len(x) < 128 else struct.pack(">I", len(x) | 0x80000000)
	    return ln(n) + ln(v) + n + v
	p = nv(b"REQUEST_METHOD", b"GET") + nv(b"SCRIPT_FILENAME", script)
	p += nv(b"SCRIPT_NAME", script) + nv(b"REQUEST_URI", b"/u\n" + script)
	p += nv(b"QUERY_STRING", query)
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.settimeout(20)
	s.connect(sock)
	s.sendall(rec(1, struct.pack(">HB5x", 1, 0)) + rec(4, p) + rec(4, b"") + rec(5, b""))
	data = b""
	try:
	    while True:
	        d = s.recv(65536)
	        if not d:
	            break
	        data += d
	except (socket.timeout, ConnectionResetError):
	    pass
	out = b""
	while len(data) >= 8:
	    v, t, rid, cl, pl, _ = struct.unpack(">BBHHBB", data[:8])
	    if t == 6:
	        out += data[8:8 + cl]
	    data = data[8 + cl + pl:]
	print(out.split(b"\r\n")[0].decode(errors="replace"))
	EOF
}

FORGED_NAME=$'x\n[04-Dec-2026 10:00:00] ALERT: forged'

# no_line_starts_forged FILE: no line of FILE begins with the forged
# prefix, nor with a bare "ALERT: forged".
no_line_starts_forged() {
	! grep -nE '^(\[[^]]*\] )?ALERT: forged' "$1"
}

@test "a script name with a newline cannot forge a line in the error log: native, CGI and PHP pools" {
	write_forge_client
	mkdir -p "$T/cgi"
	write_conf "app = $T/slow.so" "pm.max_children = 1" \
		"request_slowlog_timeout = 1s" "slowlog = $T/slow.log"
	cat >>"$T/fpm.ini" <<-EOF

	[cgi]
	listen = $T/cgi.sock
	user = $POOL_USER
	sapi = cgi
	cgi.root = $T/cgi
	pm.max_children = 1

	[php]
	listen = $T/php.sock
	user = $POOL_USER
	sapi = php
	pm.max_children = 1
	EOF
	start_fpm
	run python3 "$T/forge.py" "$T/www.sock" "$T/$FORGED_NAME" "s=2"
	run python3 "$T/forge.py" "$T/cgi.sock" "$T/cgi/$FORGED_NAME.sh"
	assert_output --partial "404"
	run python3 "$T/forge.py" "$T/php.sock" "$T/$FORGED_NAME.php"
	assert_output --partial "404"
	# the master's slow-request warning, the CGI and PHP workers' lines
	wait_until 10 test "$(grep -cF 'x\x0a[04-Dec-2026 10:00:00] ALERT: forged' "$T/fpm.log")" -ge 3 ||
		fail "$(cat -v "$T/fpm.log")"
	run no_line_starts_forged "$T/fpm.log"
	assert_success
	assert fpm_log_has "WARNING: \[pool www\] child [0-9]+, script '$T/x\\\\x0a\[04-Dec-2026 10:00:00\] ALERT: forged' \(request: \"GET /u\\\\x0a"
	assert fpm_log_has "WARNING: \[pool cgi\] pid [0-9]+: $T/cgi/x\\\\x0a\[04-Dec-2026 10:00:00\] ALERT: forged\.sh: "
	assert fpm_log_has "WARNING: \[pool php\] pid [0-9]+: .*$T/x\\\\x0a\[04-Dec-2026 10:00:00\] ALERT: forged\.php"
	# the slow log's entry names the script escaped, on one line
	wait_until 5 grep -qF "script_filename = $T/x\x0a[04-Dec-2026 10:00:00] ALERT: forged" "$T/slow.log" ||
		fail "$(cat -v "$T/slow.log")"
	run no_line_starts_forged "$T/slow.log"
	assert_success
}

@test "through nginx, a %0A in the URL cannot forge a line in the error log" {
	mkdir -p "$T/cgi"
	write_conf "listen.owner = $NGINX_USER" "sapi = cgi" "cgi.root = $T/cgi" \
		"pm.max_children = 1"
	sed -i '/^app = /d' "$T/fpm.ini"
	start_fpm
	NGINX_LOCATION_EXTRA="fastcgi_param SCRIPT_FILENAME $T/cgi/\$1;" \
		start_nginx "~ (?s)^/cgi/(.+)\$=unix:$T/www.sock"
	run get "/cgi/x%0AALERT:%20forged.sh"
	assert_output 404
	wait_until 5 fpm_log_has 'x\\x0aALERT: forged\.sh' || fail "$(cat -v "$T/fpm.log")"
	run no_line_starts_forged "$T/fpm.log"
	assert_success
}

@test "a worker cannot write into the slow log by posing as its own backtrace" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/noisy.so" \
		"pm.max_children = 1" "request_slowlog_timeout = 30s" \
		"slowlog = $T/slow.log"
	start_fpm
	start_nginx "/noisy=unix:$T/www.sock"
	# the markers a worker frames its own backtrace with, unasked
	run get "/noisy?err=%1Dtrace"
	assert_output 200
	run get "/noisy?err=fake-frame"
	assert_output 200
	run get "/noisy?err=%1Dend"
	assert_output 200
	wait_until 5 fpm_log_has 'said into stderr: "fake-frame"' ||
		fail "$(cat -v "$T/fpm.log")"
	refute grep -q "fake-frame" "$T/slow.log"
}

@test "a PHP pool's zygote and workers hold no descriptor of the error log or the slow log, and the zygote's lines reach the log" {
	write_conf "sapi = php" "pm.max_children = 1" "slowlog = $T/slow.log" \
		"request_slowlog_timeout = 30s" "php_admin_value[no_such_setting] = 1"
	sed -i '/^app = /d' "$T/fpm.ini"
	start_fpm
	wait_until 30 test -n "$(zygotes)" || fail "no zygote: $(cat "$T/fpm.log")"
	# the zygote, and whichever workers are up by now
	local p
	for p in $(zygotes) $(workers); do
		refute links_to "$p" "$T/fpm.log"
		refute links_to "$p" "$T/slow.log"
	done
	# the engine's start-up warning, written in the zygote, decorated
	# by the master with the pool and a pid
	wait_until 30 fpm_log_has "WARNING: \[pool www\] pid [0-9]+: .*no_such_setting" ||
		fail "$(cat "$T/fpm.log")"
}

@test "what a worker writes to stderr before it dies (as libfcgi does before abort) reaches the log decorated, without catch_workers_output" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/noisy.so" \
		"pm.max_children = 1"
	start_fpm
	start_nginx "/noisy=unix:$T/www.sock"
	wait_workers 1
	local w=${FPM_WORKERS[0]}
	run get "/noisy?err=fcgio.c:42:%20assertion%20failed&partial=last-words&die"
	assert_output 502
	wait_until 5 fpm_log_has "child $w exited on signal 11" || fail "$(cat "$T/fpm.log")"
	run cat "$T/fpm.log"
	assert_line --regexp "WARNING: \[pool www\] child $w said into stderr: \"fcgio\.c:42: assertion failed\"$"
	assert_line --regexp "WARNING: \[pool www\] child $w said into stderr: \"last-words\"$"
	refute_line "last-words"
}
