#!/usr/bin/env bats
# A CGI script gets what RFC 3875 gives and nothing more, tried as an
# attacker would: a body that smuggles a Location header, a direct
# FastCGI client that sends LD_PRELOAD and bash functions as params, the
# pool user swapping the checked script for another between check and
# exec, and scripts or directories that others than their owner can write.

load helpers

setup() {
	e2e_setup
	mkdir -p "$T/cgi" "$T/outside"
	mkdir -m 0777 "$T/run"
	cat >"$T/fcgi.py" <<-'EOF'
	# fcgi.py SOCKET COUNT NAME VALUE...: COUNT hand-made FastCGI GET
	# requests on a unix socket, each with the params NAME=VALUE (names
	# and values as given, '=' and odd bytes included); prints the first
	# answer's stdout, then one "status: N" line per answer.
	import os, socket, struct, sys
	sock, count, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
	def rec(t, body, rid=1):
	    return struct.pack(">BBHHBB", 1, t, rid, len(body), 0, 0) + body
	def nv(n, v):
	    def ln(x):
	        return bytes([len(x)]) if len(x) < 128 else struct.pack(">I", len(x) | 0x80000000)
	    return ln(n) + ln(v) + n + v
	p = b"".join(nv(os.fsencode(args[i]), os.fsencode(args[i + 1]))
	             for i in range(0, len(args), 2))
	req = rec(1, struct.pack(">HB5x", 1, 0)) + rec(4, p) + rec(4, b"") + rec(5, b"")
	statuses = []
	for k in range(count):
	    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	    s.settimeout(20)
	    s.connect(sock)
	    s.sendall(req)
	    data = b""
	    while True:
	        d = s.recv(65536)
	        if not d:
	            break
	        data += d
	    s.close()
	    out = b""
	    while len(data) >= 8:
	        v, t, rid, cl, pl, _ = struct.unpack(">BBHHBB", data[:8])
	        if t == 6:
	            out += data[8:8 + cl]
	        data = data[8 + cl + pl:]
	    if k == 0:
	        sys.stdout.write(out.decode(errors="replace"))
	    st = "200"
	    for line in out.split(b"\r\n\r\n")[0].split(b"\r\n"):
	        if line.lower().startswith(b"status:"):
	            st = line.split()[1].decode()
	    statuses.append(st)
	for st in statuses:
	    print("status: " + st)
	EOF
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
		"cgi.root = $T/cgi" "pm.max_children = 1" "$@"
	sed -i '/^app = /d' "$T/fpm.ini"
	start_fpm
	NGINX_LOCATION_EXTRA="fastcgi_param SCRIPT_FILENAME $T/cgi/\$1;" \
		start_nginx "~ ^/cgi/(.+)\$=unix:$T/www.sock"
}

# fcgi COUNT SCRIPT [NAME VALUE...]: COUNT raw requests for SCRIPT.
fcgi() {
	local n=$1 s=$2
	shift 2
	python3 "$T/fcgi.py" "$T/www.sock" "$n" SCRIPT_FILENAME "$s" \
		REQUEST_METHOD GET SCRIPT_NAME "/${s##*/}" "$@"
}

@test "body text after the first blank line never becomes a header" {
	script smuggle.sh '#!/bin/sh
printf "Content-Type: text/plain\n\nhello\nLocation: http://evil/\r\n\r\nrest\n"'
	script mixed.sh '#!/bin/sh
printf "Content-Type: text/plain\nX-A: 1\n\r\nbody\r\n\r\nLocation: http://evil/\n\n"'
	start_cgi
	run get /cgi/smuggle.sh
	assert_output 200
	refute grep -qi '^Location:' "$T/headers"
	assert_equal "$(cat "$T/body")" "$(printf 'hello\nLocation: http://evil/\r\n\r\nrest')"
	# headers ended by a mixed LF, CRLF blank line
	run get /cgi/mixed.sh
	assert_output 200
	grep -qi '^X-A: 1' "$T/headers"
	refute grep -qi '^Location:' "$T/headers"
}

@test "a direct client's LD_PRELOAD, bash functions and PATH never reach the script" {
	cat >"$T/evil.c" <<-EOF
	#include <fcntl.h>
	#include <unistd.h>
	__attribute__((constructor)) static void evil(void)
	{
		close(open("$T/run/preloaded", O_WRONLY | O_CREAT, 0644));
	}
	EOF
	cc -shared -fPIC -o "$T/evil.so" "$T/evil.c"
	chmod 0755 "$T/evil.so"
	script env.sh '#!/bin/bash
printf "Content-Type: text/plain\n\n"
env'
	start_cgi
	# (ld.so takes the last LD_PRELOAD: the one with '=' in its name
	# comes first)
	run fcgi 1 "$T/cgi/env.sh" 'LD_PRELOAD=x' y LD_PRELOAD "$T/evil.so" \
		'BASH_FUNC_env%%' "() { : >$T/run/function-ran; echo pwned; }" \
		PATH /nonexistent 'HTTP_B@D' bad \
		'HTTP_X=LD_PRELOAD' y HTTP_FOO bar REMOTE_PORT 1234 \
		HTTP_PROXY http://evil:3128/ HTTP_PROXYX ok
	[ ! -e "$T/run/preloaded" ] || fail "LD_PRELOAD ran: $output"
	[ ! -e "$T/run/function-ran" ] || fail "BASH_FUNC ran: $output"
	assert_output --partial "HTTP_FOO=bar"
	assert_output --partial "REMOTE_PORT=1234"
	assert_output --partial "SCRIPT_FILENAME=$T/cgi/env.sh"
	assert_output --partial "GATEWAY_INTERFACE=CGI/1.1"
	# a name with '=' in it is cut there: HTTP_X, harmless
	assert_output --partial "HTTP_X=LD_PRELOAD=y"
	refute grep -q '^LD_PRELOAD' <<<"$output"
	refute_output --partial "BASH_FUNC"
	refute_output --partial "PATH=/nonexistent"
	refute_output --partial "HTTP_B@D"
	# httpoxy: a Proxy: header is no proxy setting for the script
	refute_output --partial "HTTP_PROXY=http://evil"
	assert_output --partial "HTTP_PROXYX=ok"
	refute_output --partial "pwned"
}

@test "the pool's env[] reaches the script, a client cannot override it" {
	script env.sh '#!/bin/sh
printf "Content-Type: text/plain\n\n"
env'
	start_cgi "env[FROM_POOL] = yes" "env[SERVER_SOFTWARE] = pool"
	run fcgi 1 "$T/cgi/env.sh" SERVER_SOFTWARE client
	assert_output --partial "FROM_POOL=yes"
	assert_output --partial "SERVER_SOFTWARE=pool"
	refute_output --partial "SERVER_SOFTWARE=client"
}

@test "the pool user swapping the checked script for a symlink out of cgi.root never runs it" {
	mkdir "$T/cgi/d"
	printf '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\ngood\\n"\n' \
		>"$T/cgi/d/good.sh"
	printf '#!/bin/sh\n: >%s\nprintf "Content-Type: text/plain\\n\\nevil\\n"\n' \
		"$T/run/evil-ran" >"$T/outside/evil.sh"
	chmod 0755 "$T/cgi/d/good.sh" "$T/outside/evil.sh"
	chown -R "$POOL_USER" "$T/cgi/d"
	cp -p "$T/cgi/d/good.sh" "$T/cgi/d/x.sh"
	start_cgi
	# as the pool user: x.sh is the benign script, then a symlink to the
	# hostile one, back and forth, until told to stop (or 30 s)
	setpriv --reuid="$POOL_USER" --regid="$(id -g "$POOL_USER")" \
		--clear-groups /usr/bin/python3 -c '
import os, sys, time
d, evil, stop = sys.argv[1], sys.argv[2], sys.argv[3]
end = time.time() + 30
while time.time() < end and not os.path.exists(stop):
    os.link(d + "/good.sh", d + "/a.tmp"); os.rename(d + "/a.tmp", d + "/x.sh")
    os.symlink(evil, d + "/b.tmp"); os.rename(d + "/b.tmp", d + "/x.sh")
' "$T/cgi/d" "$T/outside/evil.sh" "$T/run/stop" 3>&- &
	BG_PIDS+=($!)
	run fcgi 400 "$T/cgi/d/x.sh"
	: >"$T/run/stop"
	[ ! -e "$T/run/evil-ran" ] || fail "the swapped-in script ran"
	# the race was run: some requests saw the benign script, some the link
	assert_output --partial "status: 200"
	assert_output --partial "status: 403"
}

@test "the pool user swapping a directory of the checked script for a symlink never runs another" {
	mkdir -p "$T/cgi/d/real" "$T/outside/real"
	printf '#!/bin/sh\nprintf "Content-Type: text/plain\\n\\ngood\\n"\n' \
		>"$T/cgi/d/real/x.sh"
	printf '#!/bin/sh\n: >%s\nprintf "Content-Type: text/plain\\n\\nevil\\n"\n' \
		"$T/run/evil-ran" >"$T/outside/real/x.sh"
	chmod 0755 "$T/cgi/d/real/x.sh" "$T/outside/real/x.sh"
	chown -R "$POOL_USER" "$T/cgi/d"
	start_cgi
	# as the pool user: d/sub is the real directory, then a symlink to
	# one outside cgi.root holding a script of the same name
	setpriv --reuid="$POOL_USER" --regid="$(id -g "$POOL_USER")" \
		--clear-groups /usr/bin/python3 -c '
import os, sys, time
d, evil, stop = sys.argv[1], sys.argv[2], sys.argv[3]
end = time.time() + 30
os.rename(d + "/real", d + "/sub")
while time.time() < end and not os.path.exists(stop):
    os.rename(d + "/sub", d + "/real"); os.symlink(evil, d + "/sub")
    os.unlink(d + "/sub"); os.rename(d + "/real", d + "/sub")
    time.sleep(0.002)  # the benign state lasts too (a slow build saw only the link)
' "$T/cgi/d" "$T/outside/real" "$T/run/stop" 3>&- &
	BG_PIDS+=($!)
	run fcgi 400 "$T/cgi/d/sub/x.sh"
	: >"$T/run/stop"
	[ ! -e "$T/run/evil-ran" ] || fail "the script behind the swapped directory ran"
	assert_output --partial "status: 200"
}

@test "a group- or world-writable script is refused, logged" {
	script ok.sh '#!/bin/sh
printf "Content-Type: text/plain\n\nok\n"'
	script world.sh '#!/bin/sh
printf "Content-Type: text/plain\n\nworld\n"'
	script group.sh '#!/bin/sh
printf "Content-Type: text/plain\n\ngroup\n"'
	chmod 0757 "$T/cgi/world.sh"
	chmod 0775 "$T/cgi/group.sh"
	start_cgi
	run get /cgi/ok.sh
	assert_output 200
	run get /cgi/world.sh
	assert_output 403
	run get /cgi/group.sh
	assert_output 403
	assert fpm_log_has "$T/cgi/world.sh: writable by others than its owner \(403\)"
	assert fpm_log_has "$T/cgi/group.sh: writable by others than its owner \(403\)"
}

@test "a script in a directory others than its owner can write is refused, logged" {
	mkdir -p "$T/cgi/gw/sub" "$T/cgi/ww"
	chmod 0775 "$T/cgi/gw"
	chmod 0777 "$T/cgi/ww"
	script gw/sub/a.sh '#!/bin/sh
printf "Content-Type: text/plain\n\na\n"'
	script ww/b.sh '#!/bin/sh
printf "Content-Type: text/plain\n\nb\n"'
	start_cgi
	run get /cgi/gw/sub/a.sh
	assert_output 403
	run get /cgi/ww/b.sh
	assert_output 403
	assert fpm_log_has "$T/cgi/gw/sub/a.sh: directory $T/cgi/gw is writable by others than its owner \(403\)"
	assert fpm_log_has "$T/cgi/ww/b.sh: directory $T/cgi/ww is writable by others than its owner \(403\)"
	# cgi.root itself counts too
	chmod 0777 "$T/cgi"
	chmod 0755 "$T/cgi/ww"
	run get /cgi/ww/b.sh
	assert_output 403
	assert fpm_log_has "$T/cgi/ww/b.sh: directory $T/cgi is writable by others than its owner \(403\)"
}

@test "a chrooted pool without /proc runs binaries by descriptor and says #! scripts cannot run" {
	mkdir -p "$T/jail/cgi"
	chmod 0755 "$T/jail" "$T/jail/cgi"
	cat >"$T/hello.c" <<-'EOF2'
	#include <fcntl.h>
	#include <stdio.h>
	int main(void)
	{
		/* fd 3 is for a #! script's interpreter only */
		printf("Content-Type: text/plain\n\nhello from the jail, "
		    "fd 3 %s\n", fcntl(3, F_GETFD) < 0 ? "closed" : "open");
		return 0;
	}
	EOF2
	cc -static -o "$T/jail/cgi/hello" "$T/hello.c"
	chmod 0755 "$T/jail/cgi/hello"
	write_conf "sapi = cgi" "chroot = $T/jail" "cgi.root = $T/jail/cgi" \
		"pm.max_children = 1"
	sed -i '/^app = /d' "$T/fpm.ini"
	start_fpm
	run fcgi 1 /cgi/hello
	assert_output --partial "hello from the jail, fd 3 closed"
	assert fpm_log_has "/dev/fd/0: No such file or directory: #! scripts cannot run \(mount /proc in the chroot\), binaries can"
}
