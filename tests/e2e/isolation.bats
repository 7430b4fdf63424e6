#!/usr/bin/env bats
# A pool is a security boundary: hostile code in one pool (a native app,
# or code in a PHP zygote) sees nothing of another pool, cannot make the
# master act against a healthy worker, and cannot make the root master
# signal a process that is not its own child.

load helpers

APPS="$APPS liar snoop forge"

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
}

# The stray a liar zygote left behind, once it wrote its pid.
stray_pid() {
	[ -s "$T/stray.pid" ] && cat "$T/stray.pid"
}

@test "a PHP zygote that reports a root process as its worker cannot make the master signal it" {
	[ -r "$FPM_PHP_MODULE" ] || fail "no PHP sapi module at $FPM_PHP_MODULE"
	# A root process the zygote names as the worker it forked.
	sleep 300 3>&- &
	local victim=$!
	BG_PIDS+=("$victim")
	: >"$T/stray.pid"
	chmod 0666 "$T/stray.pid"
	cat >"$T/fpm.ini" <<-EOF
	[global]
	error_log = $T/fpm.log
	process_control_timeout = 3

	[php]
	listen = $T/php.sock
	user = $POOL_USER
	pm = static
	pm.max_children = 1
	env[FPM_LIAR_PID] = $victim
	env[FPM_LIAR_STRAY_FILE] = $T/stray.pid
	EOF
	start_fpm -d "extension=$T/liar.so"
	# The master's refusal is the proof it read the lie; PHP's own
	# "Invalid library" warning may never come, as the refused zygote
	# can be killed before PHP gets to write it.
	wait_until 10 fpm_log_has "\\[pool php\\] the PHP zygote [0-9]+ reported pid $victim, which is not a new worker of the pool: refused" ||
		fail "the liar was not loaded: $(cat "$T/fpm.log")"
	wait_until 5 stray_pid || fail "the liar left no stray"
	local stray
	stray=$(stray_pid)
	pid_alive "$stray"
	kill -QUIT "$FPM_PID"
	wait_until 10 not pid_alive "$FPM_PID" ||
		fail "SIGQUIT did not stop the master: $(cat "$T/fpm.log")"
	pid_alive "$victim" || fail "the master signalled the root sleep"
	wait_until 5 not pid_alive "$stray" ||
		fail "the unreported worker $stray outlived the master"
	fpm_log_has "\\[pool php\\] the PHP zygote [0-9]+ reported pid $victim, which is not a new worker of the pool: refused"
	fpm_log_has "child $stray is not a worker the master forked or vouched for: sending SIGKILL"
}

@test "what a lying zygote leaves behind, and what that left, does not outlive the master" {
	[ -r "$FPM_PHP_MODULE" ] || fail "no PHP sapi module at $FPM_PHP_MODULE"
	sleep 300 3>&- &
	local victim=$!
	BG_PIDS+=("$victim")
	: >"$T/stray.pid"
	: >"$T/kid.pid"
	chmod 0666 "$T/stray.pid" "$T/kid.pid"
	cat >"$T/fpm.ini" <<-EOF
	[global]
	error_log = $T/fpm.log
	process_control_timeout = 3

	[php]
	listen = $T/php.sock
	user = $POOL_USER
	pm = static
	pm.max_children = 1
	env[FPM_LIAR_PID] = $victim
	env[FPM_LIAR_STRAY_FILE] = $T/stray.pid
	env[FPM_LIAR_KID_FILE] = $T/kid.pid
	EOF
	start_fpm -d "extension=$T/liar.so"
	wait_until 10 test -s "$T/kid.pid" || fail "the liar left no kid: $(cat "$T/fpm.log")"
	wait_until 5 test -s "$T/stray.pid" || fail "the liar left no stray"
	local stray kid
	stray=$(cat "$T/stray.pid") kid=$(cat "$T/kid.pid")
	# The kid is the stray's child, not the master's, until the stray dies.
	[ "$(awk '{ print $4 }' "/proc/$kid/stat")" = "$stray" ]
	kill -QUIT "$FPM_PID"
	wait_until 10 not pid_alive "$FPM_PID" ||
		fail "SIGQUIT did not stop the master: $(cat "$T/fpm.log")"
	wait_until 3 not pid_alive "$stray" || fail "the stray $stray outlived the master"
	wait_until 3 not pid_alive "$kid" || {
		kill -KILL "$kid"
		fail "the stray's child $kid outlived the master: $(cat "$T/fpm.log")"
	}
	fpm_log_has "child $kid is not a worker the master forked or vouched for: sending SIGKILL"
	pid_alive "$victim"
}

@test "a PHP zygote that names another pool's zygote as its worker is refused" {
	[ -r "$FPM_PHP_MODULE" ] || fail "no PHP sapi module at $FPM_PHP_MODULE"
	: >"$T/stray.pid"
	chmod 0666 "$T/stray.pid"
	# Two pools of one user (www-data for many): a's zygote names b's.
	cat >"$T/fpm.ini" <<-EOF
	[global]
	error_log = $T/fpm.log
	process_control_timeout = 3

	[b]
	listen = $T/b.sock
	user = $POOL_USER
	pm = static
	pm.max_children = 1

	[a]
	listen = $T/a.sock
	user = $POOL_USER
	pm = static
	pm.max_children = 1
	env[FPM_LIAR_PID] = other-zygote
	env[FPM_LIAR_STRAY_FILE] = $T/stray.pid
	EOF
	start_fpm -d "extension=$T/liar.so"
	wait_until 20 fpm_log_has "\\[pool a\\] the PHP zygote [0-9]+ reported pid [0-9]+, which is not a new worker of the pool: refused" ||
		fail "no refusal: $(cat "$T/fpm.log")"
	local zb
	zb=$(sed -n 's/.*\[pool a\] the PHP zygote [0-9]* reported pid \([0-9]*\),.*/\1/p' "$T/fpm.log" | head -1)
	[ "$(cat "/proc/$zb/comm")" = fpm-zygote ] || fail "pid $zb is not a zygote"
	not fpm_log_has "\\[pool a\\] child $zb started"
	pid_alive "$zb"
}

@test "a PHP zygote that never answers does not stop the master from supervising, or from handling signals" {
	[ -r "$FPM_PHP_MODULE" ] || fail "no PHP sapi module at $FPM_PHP_MODULE"
	cat >"$T/fpm.ini" <<-EOF
	[global]
	error_log = $T/fpm.log

	[n]
	listen = $T/n.sock
	user = $POOL_USER
	app = $T/hello.so
	pm = static
	pm.max_children = 1

	[php]
	listen = $T/php.sock
	user = $POOL_USER
	pm = static
	pm.max_children = 1
	env[FPM_LIAR_HANG] = 1
	EOF
	start_fpm -d "extension=$T/liar.so"
	wait_until 5 has_worker_of hello || fail "no native worker"
	local w
	w=$(workers_of hello | head -n1)
	# Its zygote is stuck in its start-up: the master goes on.
	kill -KILL "$w"
	wait_until 3 fpm_log_has "\\[pool n\\] child $w exited on signal 9" ||
		fail "the master did not reap the worker: $(cat "$T/fpm.log")"
	wait_until 3 has_worker_of hello ||
		fail "the master did not replace the worker: $(cat "$T/fpm.log")"
	# ...and the zygote is still there, stuck: nothing was waited for.
	[ "$(ps -o comm= --ppid "$FPM_PID" | grep -c fpm-zygote)" = 1 ] || fail "$(ps -o pid,comm,args --ppid "$FPM_PID"; cat "$T/fpm.log")"
	kill -USR1 "$FPM_PID"
	wait_until 3 fpm_log_has "SIGUSR1 received, error log reopened" ||
		fail "the master did not handle SIGUSR1: $(cat "$T/fpm.log")"
}

has_worker_of() {
	[ -n "$(workers_of "$1")" ]
}

hex() {
	printf '%s' "$1" | od -An -tx1 | tr -d ' \n'
}

# Pool b serves the slow app as USER_B with a secret in env[]; pool a
# (ondemand: its worker forks when asked) runs snoop as USER_A.  nginx
# passes /slow to b and /snoop to a.
start_two_pools() {
	USER_A=fpmisoa_$$
	USER_B=fpmisob_$$
	add_user "$USER_A"
	add_user "$USER_B"
	ENV_SECRET=envsecret_$RANDOM$RANDOM$RANDOM
	TOKEN=tok$RANDOM$RANDOM$RANDOM$RANDOM
	cat >"$T/fpm.ini" <<-EOF
	[global]
	error_log = $T/fpm.log

	[b]
	listen = $T/b.sock
	listen.owner = $NGINX_USER
	user = $USER_B
	app = $T/slow.so
	pm = static
	pm.max_children = 1
	request_slowlog_timeout = 1
	slowlog = $T/b.slow.log
	env[B_SECRET] = $ENV_SECRET
	php_admin_value[session.save_path] = /srv/$ENV_SECRET-php

	[a]
	listen = $T/a.sock
	listen.owner = $NGINX_USER
	user = $USER_A
	app = $T/snoop.so
	pm = ondemand
	pm.max_children = 2
	$*
	EOF
	start_fpm
	start_nginx "/slow=unix:$T/b.sock" "/snoop=unix:$T/a.sock"
}

@test "a native worker holds no mapping, descriptor or memory of another pool" {
	start_two_pools
	bg_get slow "/slow?s=20&token=$TOKEN"
	local slow=$BG_PID
	# The master has read b's slot (and so the token) into its memory.
	wait_until 10 fpm_log_has "\\[pool b\\] child [0-9]+, .*executing too slow" ||
		fail "b's request was never slow: $(cat "$T/fpm.log")"
	run get "/snoop?n=$(hex "$TOKEN"),$(hex "$ENV_SECRET")"
	assert_output 200
	cp "$T/body" "$T/snoop.out"
	run cat "$T/snoop.out"
	assert_line --partial "2 needles"
	assert_line --regexp '^scanned [0-9]+ bytes$'
	refute_line --partial "found"
	refute_line --partial "bound to $T/b.sock"
	# Its own scoreboard (one region, in several mappings), and nothing
	# else shared.
	[ "$(sed -n 's/^shared anonymous mapping //p' "$T/snoop.out" | shared_inodes | grep -c .)" -le 1 ] ||
		fail "more than one shared region: $(grep shared "$T/snoop.out")"
	# b's request is untouched.
	wait_until 25 all_answered slow
	[ "$(cat "$T/slow.code")" = 200 ]
	pid_alive "$slow" || true
}

# Pool f: two forge.so workers, for the slot-forging tests.
forge_pool() {
	cat >"$T/fpm.ini" <<-EOF
	[global]
	error_log = $T/fpm.log

	[f]
	listen = $T/f.sock
	listen.owner = $NGINX_USER
	user = $POOL_USER
	app = $T/forge.so
	pm = static
	pm.max_children = 2
	$1
	EOF
	start_fpm
	wait_workers 2
	start_nginx "/f=unix:$T/f.sock"
}

@test "a worker cannot rewrite a sibling's slot, so cannot make the master time it out or trace it" {
	forge_pool "request_terminate_timeout = 8
	request_slowlog_timeout = 6
	slowlog = $T/f.slow.log"
	bg_get victim "/f?s=5"
	wait_until 5 busy_worker_of forge >/dev/null || fail "no worker took the slow request"
	local victim
	victim=$(busy_worker_of forge)
	run get "/f?forge"
	assert_output 200
	cp "$T/body" "$T/forge.out"
	wait_until 10 all_answered victim
	[ "$(cat "$T/victim.code")" = 200 ] || fail "the victim got $(cat "$T/victim.code"): $(cat "$T/fpm.log")"
	grep -q "^slept 5 pid $victim\$" "$T/victim.body"
	pid_alive "$victim"
	not fpm_log_has "child $victim.*execution timed out"
	not fpm_log_has "child $victim.*executing too slow"
	# Every way pool code has of writing memory was tried, and failed.
	run cat "$T/forge.out"
	assert_line --regexp "^cannot write slot [0-9]+ pid $victim: "
	refute_line --partial "forged slot"
}

@test "a worker cannot show a stuck sibling as idle to shield it from request_terminate_timeout" {
	forge_pool "request_terminate_timeout = 3"
	bg_get stuck "/f?s=25"
	wait_until 5 busy_worker_of forge >/dev/null || fail "no worker took the stuck request"
	local stuck
	stuck=$(busy_worker_of forge)
	run get "/f?hide"
	assert_output 200
	cp "$T/body" "$T/forge.out"
	wait_until 8 fpm_log_has "\\[pool f\\] child $stuck, .*execution timed out" ||
		fail "the stuck worker was not timed out: $(cat "$T/fpm.log")"
	wait_until 5 not pid_alive "$stuck"
	run cat "$T/forge.out"
	assert_line --regexp "^cannot write slot [0-9]+ pid $stuck: "
	refute_line --partial "forged slot"
}

@test "a worker cannot rewrite its scoreboard's layout, which the master and every child trust" {
	cat >"$T/fpm.ini" <<-EOF
	[global]
	error_log = $T/fpm.log

	[f]
	listen = $T/f.sock
	listen.owner = $NGINX_USER
	user = $POOL_USER
	app = $T/forge.so
	pm = static
	pm.max_children = 2

	[n]
	listen = $T/n.sock
	user = $POOL_USER
	app = $T/hello.so
	pm = static
	pm.max_children = 1
	EOF
	start_fpm
	wait_workers 3
	start_nginx "/f=unix:$T/f.sock"
	run get "/f?layout"
	assert_output 200
	cp "$T/body" "$T/forge.out"
	# Every pool still forks workers that live: another pool's new
	# child unmaps pool f's scoreboard by its size, the master takes
	# f's slots by it.
	local n
	n=$(workers_of hello)
	kill -KILL "$n"
	wait_until 5 fpm_log_has "\\[pool n\\] child $n exited" || fail "$(cat "$T/fpm.log")"
	mapfile -t FPM_WORKERS < <(workers_of forge)
	kill -KILL "${FPM_WORKERS[@]}"
	wait_until 10 new_workers_are 3 || fail "the pools did not recover: $(cat "$T/fpm.log")"
	not fpm_log_has "exited on signal 11"
	pid_alive "$FPM_PID"
	run get "/f?s=0"
	assert_output 200
	run cat "$T/forge.out"
	assert_line --regexp "^cannot write nslots: "
	refute_line --partial "forged nslots"
}

# The inodes of the shared anonymous mappings (scoreboards: memfds, or
# /dev/zero when they were anonymous) in maps text.
shared_inodes() {
	awk '$2 ~ /s$/ && ($6 == "/dev/zero" || $6 ~ /^\/memfd:/) { print $5 }' |
		sort -u
}

@test "a PHP worker, forked by its pool's zygote, holds no scoreboard or socket of another pool" {
	[ -r "$FPM_PHP_MODULE" ] || fail "no PHP sapi module at $FPM_PHP_MODULE"
	mkdir -p "$T/www"
	cat >"$T/www/look.php" <<-'EOF'
	<?php
	header('Content-Type: text/plain');
	readfile('/proc/self/maps');
	foreach (scandir('/proc/self/fd') as $f)
		if ($f[0] != '.')
			echo "fd $f: ", @readlink("/proc/self/fd/$f"), "\n";
	EOF
	chmod 0755 "$T/www"
	chmod 0644 "$T/www/look.php"
	cat >"$T/fpm.ini" <<-EOF
	[global]
	error_log = $T/fpm.log

	[b]
	listen = $T/b.sock
	listen.owner = $NGINX_USER
	user = $POOL_USER
	app = $T/hello.so
	pm = static
	pm.max_children = 1

	[php]
	listen = $T/php.sock
	listen.owner = $NGINX_USER
	user = $POOL_USER
	pm = static
	pm.max_children = 1
	EOF
	start_fpm
	NGINX_LOCATION_EXTRA="fastcgi_param SCRIPT_FILENAME $T/www\$fastcgi_script_name;" \
		start_nginx "/look.php=unix:$T/php.sock"
	run get /look.php
	assert_output 200
	# Of the scoreboards the master maps, the worker has one: its own.
	local both
	both=$(comm -12 <(shared_inodes <"/proc/$FPM_PID/maps") <(shared_inodes <"$T/body"))
	[ "$(grep -c . <<<"$both")" -eq 1 ] ||
		fail "the PHP worker maps these scoreboards of the master: $both"
	local b_inode
	b_inode=$(awk -v p="$T/b.sock" '$8 == p { print $7 }' /proc/net/unix)
	[ -n "$b_inode" ]
	not grep -q "socket:\\[$b_inode\\]" "$T/body"
}
