#!/usr/bin/env bats
# A hostile FastCGI stream straight on a pool's socket, record by record
# in every phase of a request (before its BEGIN_REQUEST, in its params, in
# its body, after it), and a client that will not let go after its
# answer.  No stream may abort the worker (same pid after), bloat it
# (VmRSS), smuggle content into the request, or hold it: a pool of one
# worker goes on serving.

load helpers

setup() {
	e2e_setup
	cat >"$T/fcgi.py" <<-'EOF'
	# fcgi.py SOCKET MODE: one hand-made FastCGI request on a unix socket;
	# prints what comes back (stdout records), or CLOSED.
	import socket, struct, sys, threading, time
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
	# a pair whose two lengths (each under INT_MAX) overflow an int sum
	overflow = struct.pack(">II", 0xfffffff0, 0xfffffff0) + b"x" * 8
	s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	s.settimeout(20)
	s.connect(sock)
	begin = rec(1, struct.pack(">HB5x", 1, 0))
	def send(data):
	    try:
	        s.sendall(data)
	    except OSError:
	        pass
	def send_behind(data):
	    # the worker may answer while we send: read at the same time
	    t = threading.Thread(target=send, args=(data,))
	    t.start()
	    return t
	sender = None
	if mode == "ok":
	    send(begin + rec(4, params()) + rec(4, b"") + rec(5, b""))
	elif mode == "pre-begin-overflow":
	    # an empty params record of the request's id before its begin,
	    # then the params in two records, one pair overflowing
	    send(rec(4, b"") + begin + rec(4, params()) + rec(4, overflow) +
	         rec(4, b"") + rec(5, b""))
	elif mode == "get-values-repeated":
	    # libfcgi answers into 64 bytes on its stack, for each name asked
	    ask = nv(b"FCGI_MAX_CONNS", b"") * 12
	    send(rec(9, ask, rid=0) + begin + rec(4, params()) + rec(4, b"") +
	         rec(5, b""))
	elif mode == "body-get-values":
	    send(begin + rec(4, params(cl=6)) + rec(4, b"") + rec(5, b"abc") +
	         rec(9, overflow, rid=0) + rec(5, b"def") + rec(5, b""))
	elif mode == "body-mgmt-flood":
	    sender = send_behind(begin + rec(4, params(cl=3)) + rec(4, b"") +
	         rec(5, b"a") + rec(11, b"", rid=0) * 500000 + rec(5, b"bc") +
	         rec(5, b""))
	elif mode == "other-ids":
	    # records of other requests (2, 3) and management records (0),
	    # with content, in every phase: none of it is this request's
	    send(rec(5, b"EVIL0", rid=2) + rec(9, b"", rid=0) + begin +
	         rec(4, nv(b"HTTP_X_INJECT", b"1"), rid=2) +
	         rec(4, params(cl=6)[:20]) + rec(9, b"", rid=0) +
	         rec(5, b"EVIL1", rid=3) + rec(4, params(cl=6)[20:]) +
	         rec(4, b"") + rec(5, b"abc") + rec(5, b"EVIL2", rid=2) +
	         rec(5, b"EVIL3", rid=0) + rec(8, b"EVIL4", rid=0) +
	         rec(1, struct.pack(">HB5x", 1, 0), rid=3) + rec(5, b"def") +
	         rec(5, b"") + rec(5, b"EVIL5", rid=2) + rec(11, b"EVIL6", rid=0))
	elif mode == "trickle":
	    # the answer, then one byte every 1.5 s, never closing
	    send(begin + rec(4, params()) + rec(4, b"") + rec(5, b""))
	    data = b""
	    while b"\x01\x03\x00\x01" not in data:
	        d = s.recv(65536)
	        if not d:
	            break
	        data += d
	    print("ANSWERED", flush=True)
	    try:
	        for i in range(12):
	            s.sendall(b"z")
	            time.sleep(1.5)
	    except OSError:
	        pass
	    print("LET GO", flush=True)
	    sys.exit(0)
	out, data = b"", b""
	try:
	    while True:
	        d = s.recv(65536)
	        if not d:
	            break
	        data += d
	except (socket.timeout, ConnectionResetError):
	    pass
	if sender:
	    sender.join()
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

start_stream() {
	write_conf "pm.max_children = 1" "$@"
	sed -i "s|^app = .*|app = $T/echo.so|" "$T/fpm.ini"
	start_fpm
	wait_workers 1
}

fcgi() {
	python3 "$T/fcgi.py" "$T/www.sock" "$1"
}

# The worker that was there is still the one answering: it did not abort.
same_worker_answers() {
	run fcgi ok
	assert_line --partial "Status: 200"
	assert_equal "$(workers)" "${FPM_WORKERS[0]}"
}

rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

@test "a record of the request's id before its begin cannot carry an overflowing param past the check" {
	start_stream
	run fcgi pre-begin-overflow
	assert_line --partial "Status: 400"
	fpm_log_has "request refused: a param longer than the params"
	same_worker_answers
}

@test "a GET_VALUES record asking the same name many times is refused, not answered past libfcgi's buffer" {
	start_stream
	run fcgi get-values-repeated
	assert_line --partial "Status: 400"
	fpm_log_has "request refused: a FCGI_GET_VALUES asking more than libfcgi can answer"
	same_worker_answers
}

@test "a GET_VALUES record with an overflowing pair in the body does not abort the worker" {
	start_stream
	run fcgi body-get-values
	assert_line --partial "Status: 200"
	assert_line "abcdef"
	same_worker_answers
}

@test "half a million management records in the body neither bloat nor abort the worker" {
	start_stream
	local w=${FPM_WORKERS[0]} before after
	run fcgi ok		# warm: the worker's buffers are in place
	before=$(rss_kb "$w")
	run fcgi body-mgmt-flood
	after=$(rss_kb "$w")
	echo "VmRSS $before kB before, $after kB after" >&3
	(( after - before < 4096 )) ||
		fail "the worker grew by $((after - before)) kB"
	same_worker_answers
}

@test "records of other requests and management records never become the request's params or body" {
	start_stream
	run fcgi other-ids
	assert_line --partial "Status: 200"
	assert_line "abcdef"
	refute_output --partial EVIL
	same_worker_answers
}

@test "a client trickling bytes after its answer does not hold the worker" {
	start_stream
	python3 "$T/fcgi.py" "$T/www.sock" trickle >"$T/trickle.out" 3>&- &
	BG_PIDS+=($!)
	wait_until 5 grep -q ANSWERED "$T/trickle.out" ||
		fail "no answer: $(cat "$T/trickle.out")"
	local t0 t1
	t0=$(date +%s%N)
	run timeout 5 python3 "$T/fcgi.py" "$T/www.sock" ok
	t1=$(date +%s%N)
	assert_line --partial "Status: 200"
	(( (t1 - t0) / 1000000 < 2000 )) ||
		fail "served after $(( (t1 - t0) / 1000000 )) ms"
	assert_equal "$(workers)" "${FPM_WORKERS[0]}"
}
