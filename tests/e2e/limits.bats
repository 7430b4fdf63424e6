#!/usr/bin/env bats
# Hostile input straight on a pool's socket (no nginx to tidy it up):
# params over fastcgi.max_params_size, endless records, bytes that are not
# FastCGI, a body longer than its CONTENT_LENGTH, a client that stops in
# the middle.  Each gets a clear log line and a clean answer or close; the
# worker lives on (or, stuck, is ended by request_terminate_timeout).

load helpers

setup() {
	e2e_setup
	cat >"$T/fcgi.py" <<-'EOF'
	# fcgi.py SOCKET MODE: one hand-made FastCGI request on a unix socket;
	# prints what comes back (stdout records), or CLOSED.
	import socket, struct, sys, time
	sock, mode = sys.argv[1], sys.argv[2]
	def rec(t, body, rid=1):
	    return struct.pack(">BBHHBB", 1, t, rid, len(body), 0, 0) + body
	def nv(n, v):
	    def ln(x):
	        return bytes([len(x)]) if len(x) < 128 else struct.pack(">I", len(x) | 0x80000000)
	    return ln(n) + ln(v) + n + v
	def params(extra=b"", cl=None):
	    p = nv(b"REQUEST_METHOD", b"POST" if cl is not None else b"GET")
	    p += nv(b"SCRIPT_NAME", b"/echo") + nv(b"REQUEST_URI", b"/echo")
	    if cl is not None:
	        p += nv(b"CONTENT_LENGTH", str(cl).encode())
	    return p + extra
	def chunks(data):
	    return b"".join(rec(4, data[i:i + 65535]) for i in range(0, len(data), 65535))
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.settimeout(20)
	s.connect(sock)
	begin = rec(1, struct.pack(">HB5x", 1, 0))
	if mode == "big-params":
	    s.sendall(begin + chunks(params(nv(b"HTTP_X_BIG", b"x" * 3000))) + rec(4, b"") + rec(5, b""))
	elif mode == "many-records":
	    s.sendall(begin + rec(9, b"") * 2000 + rec(4, b""))
	elif mode == "not-fastcgi":
	    s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	elif mode == "long-body":
	    s.sendall(begin + chunks(params(cl=10)) + rec(4, b"") + rec(5, b"y" * 100) + rec(5, b""))
	elif mode == "stalled-body":
	    s.sendall(begin + chunks(params(cl=1000)) + rec(4, b"") + rec(5, b"z" * 10))
	    time.sleep(15)
	elif mode == "silent":
	    pass	# send nothing: wait for the answer, or the close
	elif mode == "slow-params":
	    whole = begin + chunks(params()) + rec(4, b"") + rec(5, b"")
	    for i in range(0, len(whole), 7):
	        s.sendall(whole[i:i + 7])
	        time.sleep(0.01)
	elif mode == "ok":
	    s.sendall(begin + chunks(params()) + rec(4, b"") + rec(5, b""))
	out, data = b"", b""
	try:
	    while True:
	        d = s.recv(65536)
	        if not d:
	            break
	        data += d
	except (socket.timeout, ConnectionResetError):
	    pass
	while len(data) >= 8:
	    v, t, rid, cl, pl, _ = struct.unpack(">BBHHBB", data[:8])
	    if t == 6:
	        out += data[8:8 + cl]
	    data = data[8 + cl + pl:]
	print(out.decode(errors="replace") if out else "CLOSED")
	EOF
}

teardown() {
	e2e_teardown
}

start_limits() {
	write_conf "pm.max_children = 1" "fastcgi.max_params_size = 2K" "$@"
	sed -i "s|^app = .*|app = $T/echo.so|" "$T/fpm.ini"
	start_fpm
	wait_workers 1
}

fcgi() {
	python3 "$T/fcgi.py" "$T/www.sock" "$1"
}

# The worker that was there is still the one answering.
same_worker_answers() {
	run fcgi ok
	assert_line --partial "Status: 200"
	assert_equal "$(workers)" "${FPM_WORKERS[0]}"
}

@test "params over fastcgi.max_params_size get a 400 before they are read, and a log line" {
	start_limits
	run fcgi big-params
	assert_line --partial "Status: 400"
	assert_line "400 Bad Request"
	fpm_log_has "request refused: params larger than fastcgi.max_params_size \\([0-9]+ bytes of params seen, limit 2048\\)"
	same_worker_answers
}

@test "thousands of records before the params end are refused" {
	start_limits
	run fcgi many-records
	assert_line --partial "Status: 400"
	fpm_log_has "request refused: too many records before the params end"
	same_worker_answers
}

@test "bytes that are not FastCGI are dropped with a log line" {
	start_limits
	run fcgi not-fastcgi
	assert_output CLOSED
	fpm_log_has "request refused: not a FastCGI record"
	same_worker_answers
}

@test "a body longer than its CONTENT_LENGTH gets a 400 and a log line" {
	start_limits
	run fcgi long-body
	assert_line --partial "Status: 400"
	fpm_log_has "request refused: its body is longer than its CONTENT_LENGTH \\(10\\)"
	same_worker_answers
}

@test "params that arrive a few bytes at a time are waited for and served" {
	start_limits
	run fcgi slow-params
	assert_line --partial "Status: 200"
	run grep -c "request refused" "$T/fpm.log"
	assert_output 0
}

@test "a client that stops in the middle of its body is cut off by request_terminate_timeout" {
	start_limits "request_terminate_timeout = 2s"
	local stuck=${FPM_WORKERS[0]}
	python3 "$T/fcgi.py" "$T/www.sock" stalled-body >"$T/stalled.out" 3>&- &
	BG_PIDS+=($!)
	wait_until 10 fpm_log_has "child $stuck, script .* execution timed out" ||
		fail "no timeout: $(cat "$T/fpm.log")"
	wait_until 5 not pid_alive "$stuck" || fail "the stuck worker lives on"
	wait_until 5 test "$(workers | wc -l)" -eq 1
	run fcgi ok
	assert_line --partial "Status: 200"
}

@test "a symlink planted where a log goes is not followed: fpm refuses, names it, and the target is untouched" {
	echo "precious" >"$T/target"
	ln -s "$T/target" "$T/access.log"
	write_conf "access.log = $T/access.log"
	# refused by the configuration check, with FILE:LINE
	run timeout 10 "$FPM_BIN" -F -y "$T/fpm.ini" -g "$T/fpm.pid"
	assert_failure
	assert_line "$T/fpm.ini:8: [pool www] access.log: cannot open '$T/access.log' for append: it is a symbolic link, which fpm does not follow"
	run cat "$T/target"
	assert_output "precious"
	# the error log itself
	rm "$T/access.log"
	ln -s "$T/target" "$T/error.log"
	sed -i "s|^error_log = .*|error_log = $T/error.log|" "$T/fpm.ini"
	run timeout 10 "$FPM_BIN" -F -y "$T/fpm.ini" -g "$T/fpm.pid"
	assert_failure
	assert_line "$T/fpm.ini:2: [global] error_log: cannot open '$T/error.log' for append: it is a symbolic link, which fpm does not follow"
	run cat "$T/target"
	assert_output "precious"
}

@test "a connection that sends nothing is closed after 10 s with a log line, and the worker goes on" {
	start_limits
	local t0=$EPOCHSECONDS
	run fcgi silent
	assert_output CLOSED
	(( EPOCHSECONDS - t0 >= 9 && EPOCHSECONDS - t0 < 15 )) ||
		fail "closed after $((EPOCHSECONDS - t0)) s"
	fpm_log_has "request refused: its params did not arrive within 10 s"
	same_worker_answers
}
