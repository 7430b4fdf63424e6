#!/usr/bin/env bats
# What a pool user can reach and the root master touches: a socket in the
# user's own directory, a directory above it, a chroot jail.  None of them
# makes the master chown, chmod or remove a file the user could not, nor
# gives a worker groups the host does not give its user.

load helpers

setup() {
	e2e_setup
	# The victim: a file of root's, mode 0600.
	echo secret >"$T/secret"
	chmod 0600 "$T/secret"
	SECRET=$(stat -c '%u:%g %a %i' "$T/secret")
	# The attacker, as the pool user: waits (spinning, as a real one
	# would) until PATH is a socket, then renames a symbolic link to
	# TARGET over it; again and again for at most SECONDS.
	cat >"$T/swap.py" <<-'EOF'
	import os, stat, sys, time
	path, target, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
	tmp = path + ".swap"
	end = time.monotonic() + secs
	open(path + ".ready", "w").close()
	while time.monotonic() < end:
	    try:
	        if not stat.S_ISSOCK(os.lstat(path).st_mode):
	            continue
	        os.symlink(target, tmp)
	        os.rename(tmp, path)
	    except OSError:
	        pass
	EOF
}

teardown() {
	e2e_teardown
}

secret_untouched() {
	assert_equal "$(stat -c '%u:%g %a %i' "$T/secret")" "$SECRET"
}

# write_socket_conf USER SOCKET: one pool of USER listening on SOCKET,
# given to nginx's user with mode 0660.
write_socket_conf() {
	cat >"$T/fpm.ini" <<-EOF
	[global]
	error_log = $T/fpm.log

	[u]
	listen = $2
	listen.owner = $NGINX_USER
	listen.mode = 0660
	user = $1
	pm.max_children = 1
	app = $T/hello.so
	EOF
}

# start_swapper USER PATH TARGET SECONDS
start_swapper() {
	runuser -u "$1" -- /usr/bin/python3 "$T/swap.py" "$2" "$3" "$4" \
		3>&- &
	SWAPPER=$!
	BG_PIDS+=("$SWAPPER")
	wait_until 5 test -e "$2.ready" || fail "the swapper did not start"
}

# The master is ready, or gone.
ready_or_gone() {
	fpm_ready || ! pid_alive "$FPM_PID"
}

@test "a socket swapped for a symlink during start never gets a root file chown'ed or chmod'ed" {
	local u=fpmt_p_$$ i
	add_user "$u"
	install -d -o "$u" -m 0755 "$T/run"
	write_socket_conf "$u" "$T/run/app.sock"
	# The attacker must win the race between bind and chown only once;
	# ten starts under fire give it that chance many times over.
	for i in 1 2 3 4 5 6 7 8 9 10; do
		start_swapper "$u" "$T/run/app.sock" "$T/secret" 3
		: >"$T/fpm.log"
		"$FPM_BIN" -y "$T/fpm.ini" -F -g "$T/fpm.pid" \
			>"$T/fpm.out" 2>&1 3>&- &
		FPM_PID=$!
		wait_until 5 ready_or_gone || fail "fpm neither started nor exited"
		stop_pid "$FPM_PID" TERM
		stop_pid "$SWAPPER" TERM
		secret_untouched
		rm -f "$T/run/app.sock" "$T/run/app.sock.swap" \
			"$T/run/app.sock.ready"
	done
	# Unhindered, the socket gets the owner and mode asked for.
	: >"$T/fpm.log"
	start_fpm
	run stat -c '%U %a %F' "$T/run/app.sock"
	assert_output "$NGINX_USER 660 socket"
}

@test "a kept socket swapped for a symlink before a reload is not chown'ed or chmod'ed by it" {
	local u=fpmt_p_$$
	add_user "$u"
	install -d -o "$u" -m 0755 "$T/run"
	write_socket_conf "$u" "$T/run/app.sock"
	start_fpm
	wait_workers 1

	# A clean reload applies a changed mode to the kept socket.
	sed -i 's/^listen.mode = 0660$/listen.mode = 0666/' "$T/fpm.ini"
	kill -USR2 "$FPM_PID"
	wait_until 5 new_workers_are 1 || fail "$(cat "$T/fpm.log")"
	run stat -c '%U %a %F' "$T/run/app.sock"
	assert_output "$NGINX_USER 666 socket"

	mapfile -t FPM_WORKERS < <(workers)
	start_swapper "$u" "$T/run/app.sock" "$T/secret" 5
	wait_until 5 test -L "$T/run/app.sock" || fail "the swap did not happen"
	kill -USR2 "$FPM_PID"
	wait_until 5 new_workers_are 1 || fail "$(cat "$T/fpm.log")"
	secret_untouched
	assert fpm_log_has "WARNING: \[pool u\] $T/run/app.sock is no longer this pool's socket \(something replaced it\): its owner and mode are left alone"
	assert pid_alive "$FPM_PID"
}

@test "at exit the master removes its socket's file only, not one a directory swap points it to" {
	local u=fpmt_p_$$
	add_user "$u"
	install -d -o "$u" -m 0755 "$T/home"
	install -d -o "$u" -m 0755 "$T/home/sub"
	# Root's directory, with a file of the socket's name in it.
	install -d -m 0755 "$T/victim"
	echo precious >"$T/victim/app.sock"
	write_socket_conf "$u" "$T/home/sub/app.sock"
	start_fpm
	wait_workers 1

	# The user owns home: sub becomes a link to root's directory.
	runuser -u "$u" -- sh -c "mv '$T/home/sub' '$T/home/real' &&
		ln -s '$T/victim' '$T/home/sub'"
	stop_pid "$FPM_PID" TERM
	run cat "$T/victim/app.sock"
	assert_output precious
	assert fpm_log_has "WARNING: $T/home/sub/app.sock is no longer this pool's socket \(something replaced it\): not removed"

	# A symbolic link right where the socket was: removed itself, its
	# target stays.
	rm "$T/home/sub"
	runuser -u "$u" -- mv "$T/home/real" "$T/home/sub"
	: >"$T/fpm.log"
	start_fpm
	wait_workers 1
	runuser -u "$u" -- sh -c "mv '$T/home/sub/app.sock' '$T/home/sub/x' &&
		ln -s '$T/secret' '$T/home/sub/app.sock'"
	stop_pid "$FPM_PID" TERM
	secret_untouched
	run cat "$T/secret"
	assert_output secret
}

@test "a chroot jail's /etc/group gives a worker no group: its groups are the host's" {
	local u=fpmt_p_$$ g=fpmt_g_$$ gid p
	add_user "$u"
	add_user "$g"
	usermod -aG "$g" "$u"
	gid=$(id -g "$u")
	mkdir -p "$T/jail/app" "$T/jail/etc"
	chmod 0755 "$T/jail" "$T/jail/app" "$T/jail/etc"
	install -m 0644 "$T/hello.so" "$T/jail/app/hello.so"
	# What the jail's owner wrote: the pool user in root and disk.
	printf 'root:x:0:%s\ndisk:x:6:%s\n%s:x:%s:\n' "$u" "$u" "$u" "$gid" \
		>"$T/jail/etc/group"
	cat >"$T/fpm.ini" <<-EOF
	[global]
	error_log = $T/fpm.log

	[jailed]
	listen = $T/jailed.sock
	listen.owner = $NGINX_USER
	user = $u
	chroot = $T/jail
	pm.max_children = 1
	app = $T/jail/app/hello.so
	EOF
	start_fpm
	start_nginx "/jailed=unix:$T/jailed.sock"
	run get /jailed
	assert_output 200
	p=$(workers | head -n 1)
	[ -n "$p" ] || fail "no worker"
	assert_equal "$(proc_status "$p" Groups | tr ' ' '\n' | sort -n | xargs)" \
		"$(id -G "$u" | tr ' ' '\n' | sort -n | xargs)"
	assert_equal "$(proc_status "$p" Gid | awk '{ print $1 }')" "$gid"
}

@test "a FIFO planted where a pool's access log goes is refused without blocking the master, at start and on USR1" {
	local u=fpmt_p_$$
	add_user "$u"
	install -d -o "$u" -m 0755 "$T/logs"
	write_socket_conf "$u" "$T/u.sock"
	echo "access.log = $T/logs/access.log" >>"$T/fpm.ini"
	start_fpm
	wait_workers 1

	# Rotation time: the user swaps the log for a FIFO nobody reads.
	runuser -u "$u" -- sh -c "mv '$T/logs/access.log' '$T/logs/old' &&
		mkfifo -m 0666 '$T/logs/access.log'"
	kill -USR1 "$FPM_PID"
	wait_until 5 fpm_log_has "cannot open access.log $T/logs/access.log: it is not a regular file" ||
		fail "$(cat "$T/fpm.log")"
	# The master still supervises: a killed worker is replaced.
	wait_workers 1
	mapfile -t FPM_WORKERS < <(workers)
	kill -KILL "${FPM_WORKERS[0]}"
	wait_until 5 new_workers_are 1 || fail "the master is stuck"
	stop_pid "$FPM_PID" TERM

	# At start, the same FIFO fails the configuration's check at once,
	# before the error log is open: on stderr, naming file and line.
	: >"$T/fpm.log"
	"$FPM_BIN" -y "$T/fpm.ini" -F -g "$T/fpm.pid" >"$T/fpm.out" 2>&1 3>&- &
	FPM_PID=$!
	wait_until 5 not pid_alive "$FPM_PID" || fail "fpm blocked at start"
	run cat "$T/fpm.out"
	assert_output --partial "$T/fpm.ini:11: [pool u] access.log: cannot open '$T/logs/access.log' for append: it is not a regular file"
}

@test "a jail in a directory the pool user can write is refused; a jail of the user's own in root's directory serves" {
	local u=fpmt_p_$$ p
	add_user "$u"
	install -d -o "$u" -m 0755 "$T/home" "$T/home/jail" "$T/home/jail/app"
	install -m 0644 "$T/hello.so" "$T/home/jail/app/hello.so"
	cat >"$T/fpm.ini" <<-EOF
	[global]
	error_log = $T/fpm.log

	[jailed]
	listen = $T/jailed.sock
	listen.owner = $NGINX_USER
	user = $u
	chroot = $T/home/jail
	pm.max_children = 1
	app = $T/home/jail/app/hello.so
	EOF
	# The user owns home: the jail becomes a link to a tree of theirs
	# that holds the app too.
	runuser -u "$u" -- sh -c "mkdir -p '$T/home/out/app' &&
		cp '$T/hello.so' '$T/home/out/app/' &&
		mv '$T/home/jail' '$T/home/real' &&
		ln -s '$T/home/out' '$T/home/jail'"
	"$FPM_BIN" -y "$T/fpm.ini" -F -g "$T/fpm.pid" >"$T/fpm.out" 2>&1 3>&- &
	FPM_PID=$!
	wait_until 5 ready_or_gone || fail "fpm neither started nor exited"
	for p in $(workers); do
		assert_equal "$(readlink "/proc/$p/root")" "$T/home/jail"
	done
	run cat "$T/fpm.out" "$T/fpm.log"
	assert_output --partial "chroot $T/home/jail refused: $T/home/out lies in a directory that someone other than root can write (owner uid $(id -u "$u"), mode 0755): $T/home/jail could be swapped for another directory"
	wait_until 5 not pid_alive "$FPM_PID" || fail "fpm started"

	# The same jail, the user's, in root's $T: nothing above it is theirs.
	mv "$T/home/real" "$T/ujail"
	sed -i "s|$T/home/jail|$T/ujail|" "$T/fpm.ini"
	: >"$T/fpm.log"
	start_fpm
	start_nginx "/jailed=unix:$T/jailed.sock"
	run get /jailed
	assert_output 200
}

@test "the pid file in a directory of the pool user's: a FIFO there does not hang a reload, a swapped directory loses nothing at exit" {
	local u=fpmt_p_$$
	add_user "$u"
	install -d -o "$u" -m 0755 "$T/home" "$T/home/run"
	install -d -m 0755 "$T/victim"
	echo precious >"$T/victim/fpm.pid"
	write_socket_conf "$u" "$T/u.sock"
	start_fpm -g "$T/home/run/fpm.pid"
	wait_workers 1
	assert_equal "$(cat "$T/home/run/fpm.pid")" "$FPM_PID"

	mapfile -t FPM_WORKERS < <(workers)
	runuser -u "$u" -- sh -c "rm '$T/home/run/fpm.pid' &&
		mkfifo -m 0666 '$T/home/run/fpm.pid'"
	kill -USR2 "$FPM_PID"
	wait_until 5 new_workers_are 1 || fail "the reload hung: $(cat "$T/fpm.log")"
	assert_equal "$(cat "$T/home/run/fpm.pid")" "$FPM_PID"

	runuser -u "$u" -- sh -c "mv '$T/home/run' '$T/home/real' &&
		ln -s '$T/victim' '$T/home/run'"
	stop_pid "$FPM_PID" TERM
	run cat "$T/victim/fpm.pid"
	assert_output precious
}
