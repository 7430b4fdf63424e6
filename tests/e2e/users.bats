#!/usr/bin/env bats
# Worker identity: each pool runs under its own user, its socket gets the
# owner and mode it asks for, and no worker keeps a capability.

load helpers

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
}

@test "two pools run under their own users behind sockets of their own mode" {
	local a=fpmt_a_$$ b=fpmt_b_$$
	add_user "$a"
	add_user "$b"
	# Pool a: the socket belongs to nginx's user, group-readable (0660).
	# Pool b: only nginx's user may connect (0600), group set explicitly.
	cat >"$T/fpm.ini" <<-EOF
	[global]
	error_log = $T/fpm.log

	[a]
	listen = $T/a.sock
	listen.owner = $NGINX_USER
	listen.mode = 0660
	user = $a
	pm.max_children = 2
	app = $T/hello.so

	[b]
	listen = $T/b.sock
	listen.owner = $NGINX_USER
	listen.group = $b
	listen.mode = 0600
	user = $b
	pm.max_children = 3
	app = $T/echo.so
	EOF
	start_fpm
	wait_workers 5
	start_nginx "/a=unix:$T/a.sock" "/b=unix:$T/b.sock"

	run stat -c '%a %U %G' "$T/a.sock"
	assert_output "660 $NGINX_USER $NGINX_USER"
	run stat -c '%a %U %G' "$T/b.sock"
	assert_output "600 $NGINX_USER $b"

	local uid_a gid_a uid_b gid_b pid
	uid_a=$(id -u "$a") gid_a=$(id -g "$a")
	uid_b=$(id -u "$b") gid_b=$(id -g "$b")
	run workers_of hello
	assert_equal "${#lines[@]}" 2
	for pid in "${lines[@]}"; do
		assert_equal "$(proc_status "$pid" Uid)" \
			"$uid_a $uid_a $uid_a $uid_a"
		assert_equal "$(proc_status "$pid" Gid)" \
			"$gid_a $gid_a $gid_a $gid_a"
		assert_equal "$(proc_status "$pid" Groups)" "$gid_a"
	done
	run workers_of echo
	assert_equal "${#lines[@]}" 3
	for pid in "${lines[@]}"; do
		assert_equal "$(proc_status "$pid" Uid)" \
			"$uid_b $uid_b $uid_b $uid_b"
		assert_equal "$(proc_status "$pid" Gid)" \
			"$gid_b $gid_b $gid_b $gid_b"
	done

	run get /a
	assert_output 200
	assert_equal "$(cat "$T/body")" "Hello World"
	run get /b --data-binary 'through a 0600 socket'
	assert_output 200
	assert_equal "$(cat "$T/body")" "through a 0600 socket"
}

@test "a socket nginx's user may not open gives 502" {
	# The counterpart of the test above: it shows nginx really connects as
	# $NGINX_USER, so listen.owner and listen.mode are what let it in.
	cat >"$T/fpm.ini" <<-EOF
	[global]
	error_log = $T/fpm.log

	[closed]
	listen = $T/closed.sock
	listen.mode = 0600
	user = $POOL_USER
	pm.max_children = 1
	app = $T/hello.so
	EOF
	start_fpm
	start_nginx "/closed=unix:$T/closed.sock"
	run stat -c '%a %U' "$T/closed.sock"
	assert_output "600 root"
	run get /closed
	assert_output 502
	grep -q "closed.sock failed (13: Permission denied)" "$T/nginx/error.log"
}

@test "workers have no capabilities while the master keeps them" {
	# One pool switches user (setuid alone would clear the capabilities);
	# the other stays root under -R, where only fpm's explicit drop can.
	cat >"$T/fpm.ini" <<-EOF
	[global]
	error_log = $T/fpm.log

	[user]
	listen = $T/user.sock
	user = $POOL_USER
	pm.max_children = 2
	app = $T/hello.so

	[root]
	listen = $T/root.sock
	pm.max_children = 2
	app = $T/echo.so
	EOF
	start_fpm -R
	wait_workers 4

	# The master keeps only what running pools need, of what it was
	# given: chown, dac_override, fowner, kill, setgid, setuid,
	# setpcap, net_bind_service, sys_chroot, sys_ptrace, sys_nice,
	# sys_resource.
	local want
	want=$(printf '%016x' $((0x$(proc_status $$ CapEff) & 0x18c05eb)))
	assert_equal "$(proc_status "$FPM_PID" CapEff)" "$want"
	assert_equal "$(proc_status "$FPM_PID" CapPrm)" "$want"
	assert_not_equal "$want" 0000000000000000
	local pid
	for pid in "${FPM_WORKERS[@]}"; do
		assert_equal "$(proc_status "$pid" CapEff)" 0000000000000000
		assert_equal "$(proc_status "$pid" CapPrm)" 0000000000000000
		assert_equal "$(proc_status "$pid" CapAmb)" 0000000000000000
		assert_equal "$(proc_status "$pid" CapBnd)" 0000000000000000
		assert_equal "$(proc_status "$pid" NoNewPrivs)" 1
	done
	run workers_of echo
	assert_equal "${#lines[@]}" 2
	assert_equal "$(proc_status "${lines[0]}" Uid)" "0 0 0 0"
}
