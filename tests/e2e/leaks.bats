#!/usr/bin/env bats
# The master leaks nothing across reloads: after 100 SIGUSR2 it holds the
# same descriptors and about the same memory as after the first.  (Leaks
# of the heap within one image are scripts/leakcheck's, under valgrind.)

load helpers

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
}

ready_count_is() {
	[ "$(grep -c "ready to handle connections" "$T/fpm.log")" -eq "$1" ]
}

# The new workers are all forked and the previous configuration's are
# gone: only then does the master hold no descriptor of the previous ones.
# (The status listener's worker loads no app: has_app would not do.)
settled() {
	new_workers_are "$1"
}

# reload N: the Nth reload, complete and settled.
reload() {
	mapfile -t FPM_WORKERS < <(workers)
	kill -USR2 "$FPM_PID"
	wait_until 10 ready_count_is $(($1 + 1)) ||
		fail "reload $1 did not complete: $(tail -n 20 "$T/fpm.log")"
	wait_until 10 settled 3 ||
		fail "reload $1: workers did not settle: $(workers | xargs)"
}

master_fds() {
	ls "/proc/$FPM_PID/fd" | wc -l
}

# What the descriptors of an ls -l of /proc/PID/fd are (pipe, socket, a
# path), sorted, without their numbers or inodes: the numbers of a pipe
# change from reload to reload.
fd_kinds() {
	awk 'NR > 1 { print $11 }' "$1" | sed 's/:\[[0-9]*\]$//' | sort
}

master_rss_kb() {
	proc_status "$FPM_PID" VmRSS | awk '{ print $1 }'
}

@test "after 100 reloads the master holds the same descriptors and memory as after one" {
	# Every kind of descriptor a pool gives the master: TCP and unix
	# listening sockets, access log, slow log, a status listener, the
	# workers' output pipes.
	local port
	port=$(free_port)
	write_conf "pm.max_children = 1" \
		"access.log = $T/access.log" \
		"slowlog = $T/slow.log" "request_slowlog_timeout = 5s" \
		"pm.status_path = /status" \
		"pm.status_listen = 127.0.0.1:$port" \
		"catch_workers_output = yes" \
		"" "[tcp]" "listen = 127.0.0.1:$(free_port)" "user = $POOL_USER" \
		"pm.max_children = 1" "app = $T/hello.so"
	start_fpm
	wait_until 5 settled 3 || fail "workers: $(workers | xargs)"

	reload 1
	local fds rss
	fds=$(master_fds)
	rss=$(master_rss_kb)
	ls -l "/proc/$FPM_PID/fd" >"$T/fds.1"
	for i in $(seq 2 100); do
		reload "$i"
	done
	ls -l "/proc/$FPM_PID/fd" >"$T/fds.100"
	echo "fds: $fds then $(master_fds); VmRSS: $rss kB then $(master_rss_kb) kB"
	# Descriptors: exactly as many (a leaked one shows in the diff of the
	# two listings, inode numbers left out).
	diff <(fd_kinds "$T/fds.1") <(fd_kinds "$T/fds.100") || true
	assert_equal "$(master_fds)" "$fds"
	# Memory: each reload starts a fresh image, so what could grow is only
	# what one image hands the next (environment, descriptors, the
	# adopted workers' bookkeeping).  256 kB of slack for what varies from
	# image to image without growing: the heap's top after freeing,
	# pages of the libraries touched or not yet.
	(($(master_rss_kb) <= rss + 256)) ||
		fail "VmRSS grew from $rss kB to $(master_rss_kb) kB"
	assert pid_alive "$FPM_PID"
}
