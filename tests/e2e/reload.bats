#!/usr/bin/env bats
# Reload (SIGUSR2, SIGHUP): no request fails while the master re-executes
# itself; a broken configuration changes nothing; a changed one takes
# effect whole; a new binary takes over.  The pid file refuses a second
# master; systemd's notify protocol and socket activation work.

load helpers

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
}

@test "10 reloads under wrk through nginx: every response is 200, no socket error" {
	run "$REPO/scripts/reload-test" fpm 20 10
	echo "$output"
	assert_success
	assert_line --regexp '^fpm reloads=10 requests=[0-9]{3,} non200=0 socket_errors=0$'
}

@test "10 reloads while every request takes 200 ms: none is cut off" {
	run "$REPO/scripts/reload-test" fpm 20 10 /slow
	echo "$output"
	assert_success
	assert_line --regexp '^fpm reloads=10 requests=[0-9]{3,} non200=0 socket_errors=0$'
}

@test "a broken configuration changes nothing; fixed, the next reload applies it" {
	write_conf "listen.owner = $NGINX_USER" "pm.max_children = 2"
	start_fpm
	start_nginx "/hello=unix:$T/www.sock"
	wait_workers 2
	local before=("${FPM_WORKERS[@]}")

	echo "pm.max_children = many" >>"$T/fpm.ini"
	kill -USR2 "$FPM_PID"
	wait_until 5 fpm_log_has "keeping the running configuration" ||
		fail "$(cat "$T/fpm.log")"
	run cat "$T/fpm.log"
	assert_output --partial "ERROR: reload: $T/fpm.ini:10: [www] 'pm.max_children': expected an integer in 1..100000, got 'many'"
	assert_output --partial "ERROR: reload: $T/fpm.ini has 1 error: keeping the running configuration"
	run get /hello
	assert_output 200
	assert_equal "$(workers | xargs)" "$(printf '%s\n' "${before[@]}" | sort -n | xargs)"

	sed -i 's/^pm.max_children = many$/pm.max_children = 3/' "$T/fpm.ini"
	kill -HUP "$FPM_PID"
	wait_until 5 new_workers_are 3 || fail "workers: $(workers | xargs)"
	assert pid_alive "$FPM_PID"
	run get /hello
	assert_output 200
	assert fpm_log_has "NOTICE: SIGHUP received: reloading"
}

@test "a changed listen address and owner take effect; the old socket goes" {
	write_conf "listen.owner = $NGINX_USER" "pm.max_children = 1"
	start_fpm
	wait_workers 1
	sed -i "s|^listen = .*|listen = $T/new.sock|" "$T/fpm.ini"
	kill -USR2 "$FPM_PID"
	wait_until 5 new_workers_are 1 || fail "$(cat "$T/fpm.log")"
	wait_until 5 not test -e "$T/www.sock" || fail "the old socket stayed"
	start_nginx "/hello=unix:$T/new.sock"
	run get /hello
	assert_output 200
	run stat -c '%U %a' "$T/new.sock"
	assert_output "$NGINX_USER 660"

	# Owner and mode change on an unchanged address too (php-fpm keeps
	# the old ones until a restart).
	mapfile -t FPM_WORKERS < <(workers)
	echo "listen.mode = 0666" >>"$T/fpm.ini"
	kill -USR2 "$FPM_PID"
	wait_until 5 new_workers_are 1 || fail "$(cat "$T/fpm.log")"
	run stat -c '%a' "$T/new.sock"
	assert_output 666
	assert fpm_log_has "listening on $T/new.sock \(kept\)"
}

@test "a removed pool finishes its request in flight, then its socket closes" {
	write_conf "listen.owner = $NGINX_USER" "pm.max_children = 1"
	cat >>"$T/fpm.ini" <<-EOF
	[gone]
	listen = $T/gone.sock
	listen.owner = $NGINX_USER
	user = $POOL_USER
	app = $T/slow.so
	pm.max_children = 1
	EOF
	start_fpm
	start_nginx "/hello=unix:$T/www.sock" "/slow=unix:$T/gone.sock"
	wait_workers 2
	start_slow_request 3
	# Drop [gone]: everything from its section line on.
	sed -i '/^\[gone\]/,$d' "$T/fpm.ini"
	kill -USR2 "$FPM_PID"
	wait_until 5 fpm_log_has "1 workers of the previous configuration|2 workers of the previous configuration" ||
		fail "$(cat "$T/fpm.log")"
	# In flight: finished and answered.
	wait_until 10 not pid_alive "$SLOW_CURL"
	assert_equal "$(cat "$T/slow.code")" 200
	wait_until 5 fpm_log_has "\[pool gone\] closed $T/gone.sock: the pool is gone" ||
		fail "$(cat "$T/fpm.log")"
	assert [ ! -e "$T/gone.sock" ]
	run get "/slow?s=0"
	assert_output 502
	run get /hello
	assert_output 200
}

@test "after a reload a replaced binary is the one running" {
	mkdir "$T/bin"
	cp "$FPM_BIN" "$T/bin/fpm"
	write_conf "listen.owner = $NGINX_USER" "pm.max_children = 1"
	FPM_BIN="$T/bin/fpm" start_fpm
	run "$T/bin/fpm" -v
	local old=${output#fpm }
	assert fpm_log_has "fpm $old is running, pid $FPM_PID"
	# "Rebuild" it: the same binary with another version string, moved
	# into place the way an install does (a new file, renamed over).
	perl -pe "s/\\Q$old\\E\\x00/9.9.9\\x00/g" "$T/bin/fpm" >"$T/bin/fpm.new"
	chmod 755 "$T/bin/fpm.new"
	run "$T/bin/fpm.new" -v
	assert_output "fpm 9.9.9"
	mv "$T/bin/fpm.new" "$T/bin/fpm"
	kill -USR2 "$FPM_PID"
	wait_until 5 fpm_log_has "fpm 9\.9\.9 is running, pid $FPM_PID" ||
		fail "$(cat "$T/fpm.log")"
	assert_equal "$(readlink "/proc/$FPM_PID/exe")" "$T/bin/fpm"
}

@test "a second fpm on the same pid file refuses, naming the running one" {
	write_conf "pm.max_children = 1"
	start_fpm
	cp "$T/fpm.ini" "$T/other.ini"
	sed -i "s|$T/www.sock|$T/other.sock|; s|$T/fpm.log|$T/other.log|" "$T/other.ini"
	run "$FPM_BIN" -y "$T/other.ini" -F -g "$T/fpm.pid"
	assert_failure 1
	assert_output --partial "pid file $T/fpm.pid belongs to fpm $FPM_PID, which is running"
	assert_equal "$(cat "$T/fpm.pid")" "$FPM_PID"
	# A stale pid file (its process gone) is taken over.
	kill -KILL "$FPM_PID"
	wait_until 5 not pid_alive "$FPM_PID"
	[ -e "$T/fpm.pid" ]
	"$FPM_BIN" -y "$T/other.ini" -F -g "$T/fpm.pid" >"$T/other.out" 2>&1 3>&- &
	FPM_PID=$!
	wait_until 5 grep -qs "ready to handle connections" "$T/other.log" ||
		fail "$(cat "$T/other.out")"
	assert_equal "$(cat "$T/fpm.pid")" "$FPM_PID"
}

notified_ready_twice() {
	(($(grep -c '^READY=1' "$T/notify.out") >= 2))
}

@test "systemd notify: READY=1 when listening, RELOADING=1 and READY=1 around a reload, STOPPING=1" {
	start_datagram_listener "$T/notify.sock" "$T/notify.out"
	write_conf "pm.max_children = 1"
	NOTIFY_SOCKET="$T/notify.sock" start_fpm
	wait_until 5 grep -q "^READY=1" "$T/notify.out" || fail "no READY=1"
	kill -USR2 "$FPM_PID"
	wait_until 5 notified_ready_twice ||
		fail "$(cat "$T/notify.out")"
	kill -QUIT "$FPM_PID"
	wait_until 5 grep -q "^STOPPING=1" "$T/notify.out" || fail "no STOPPING=1"
	run cat "$T/notify.out"
	assert_line --index 0 --regexp '^READY=1 STATUS=fpm [0-9.]+: 1 pools$'
	assert_line --index 1 --regexp '^RELOADING=1 MONOTONIC_USEC=[0-9]+$'
	assert_line --index 2 --regexp '^READY=1 '
	assert_line --index 3 'STOPPING=1'
}

@test "socket activation: sockets passed as LISTEN_FDS serve the pools they match" {
	write_conf "listen.owner = $NGINX_USER" "pm.max_children = 1"
	local port
	port=$(free_port)
	cat >>"$T/fpm.ini" <<-EOF
	[tcp]
	listen = 127.0.0.1:$port
	user = $POOL_USER
	app = $T/echo.so
	pm.max_children = 1
	EOF
	# As systemd does: bind and listen, put the sockets at fds 3 and 4,
	# set LISTEN_PID to the pid that will run fpm, exec it.
	python3 - "$T/www.sock" "$port" "$FPM_BIN" "$T/fpm.ini" "$T/fpm.pid" \
		>"$T/fpm.out" 2>&1 3>&- <<-'EOF' &
	import os, socket, sys
	path, port, fpm, conf, pid = sys.argv[1:6]
	u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
	u.bind(path); u.listen(16)
	t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
	t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	t.bind(("127.0.0.1", int(port))); t.listen(16)
	os.dup2(u.fileno(), 3); os.dup2(t.fileno(), 4)
	os.set_inheritable(3, True); os.set_inheritable(4, True)
	os.environ.update(LISTEN_PID=str(os.getpid()), LISTEN_FDS="2",
	                  LISTEN_FDNAMES="www:tcp")
	os.execv(fpm, [fpm, "-y", conf, "-F", "-g", pid])
	EOF
	FPM_PID=$!
	wait_until 5 fpm_ready || fail "$(cat "$T/fpm.out" "$T/fpm.log")"
	run cat "$T/fpm.log"
	assert_output --partial "[pool www] socket activation: fd 3 is $T/www.sock"
	assert_output --partial "[pool tcp] socket activation: fd 4 is 127.0.0.1:$port"
	start_nginx "/hello=unix:$T/www.sock" "/echo=127.0.0.1:$port"
	run get /hello
	assert_output 200
	run get /echo -d activated
	assert_output 200
	assert_equal "$(cat "$T/body")" "activated"
	# The workers never see the variables.
	wait_workers 2
	run grep -ac LISTEN_ "/proc/${FPM_WORKERS[0]}/environ"
	assert_output 0
}

@test "a previous worker that outlives process_control_timeout after a reload is killed, and the log says so" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/slow.so" \
		"pm.max_children = 1"
	sed -i "2a process_control_timeout = 1s" "$T/fpm.ini"
	start_fpm
	start_nginx "/slow=unix:$T/www.sock"
	wait_workers 1
	start_slow_request 30
	kill -USR2 "$FPM_PID"
	wait_until 5 fpm_log_has "child $BUSY did not exit within process_control_timeout after SIGQUIT: sending SIGKILL" ||
		fail "$(cat "$T/fpm.log")"
	wait_until 5 not pid_alive "$BUSY"
	wait_until 5 not pid_alive "$SLOW_CURL"
	assert_equal "$(cat "$T/slow.code")" 502
	run get "/slow?s=0"
	assert_output 200
}
