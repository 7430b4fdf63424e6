# helpers.bash - shared by every e2e test: a temp dir per test, fpm and a
# real nginx in front of it, polling with deadlines, and a teardown that
# stops exactly what the test started.
#
# Binaries: FPM_BIN (default $repo/fpm/fpm) and FPM_APPS (default
# $repo/.libs, where libtool leaves hello.so, echo.so, ..., and php.so).

load /usr/lib/bats/bats-support/load
load /usr/lib/bats/bats-assert/load

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
FPM_BIN=${FPM_BIN:-$REPO/fpm/fpm}
FPM_APPS=${FPM_APPS:-$REPO/.libs}
# The PHP sapi module, as built in the tree (fpm looks there first).
export FPM_PHP_MODULE=${FPM_PHP_MODULE:-$FPM_APPS/php.so}

# nginx runs its workers as www-data, as Debian ships it, and every unix
# socket a test wants reachable is given to www-data with listen.owner.
# With `user root;` nginx would connect whatever the socket's owner and
# mode, so a wrong listen.owner or listen.mode could never fail a test.
NGINX_USER=www-data

# Pool user of the standard pools: not root (fpm refuses that without -R),
# and able to read the apps copied into the temp dir.
POOL_USER=nobody

APPS="hello echo slow crash big leak noisy logforge"

# ---- per-test state -------------------------------------------------------

# Called first by every file's setup: a fresh temp dir that other users can
# traverse (pool users read the apps, nginx workers reach the sockets), with
# world-readable copies of the apps.
e2e_setup() {
	[ -x "$FPM_BIN" ] || fail "no fpm binary at $FPM_BIN: run make first"
	T=$(mktemp -d /tmp/fpm-e2e.XXXXXX)
	chmod 0755 "$T"
	local app
	for app in $APPS; do
		install -m 0644 "$FPM_APPS/$app.so" "$T/$app.so" ||
			fail "no $app.so in $FPM_APPS: run make first"
	done
	FPM_PID=
	FPM_WORKERS=()
	NGINX_PID=
	BG_PIDS=()
	TEST_USERS=()
}

# Stops what the test started, by pid, and waits until it is gone: nginx
# first (it holds connections to the pools), then the fpm master, whose
# workers follow it.  Then the test's users and files.
e2e_teardown() {
	local p
	for p in "${BG_PIDS[@]}"; do
		stop_pid "$p" TERM
	done
	stop_pid "$NGINX_PID" TERM
	stop_pid "$FPM_PID" TERM
	for p in "${FPM_WORKERS[@]}"; do
		if is_fpm "$p"; then
			stop_pid "$p" KILL
		fi
	done
	local u
	for u in "${TEST_USERS[@]}"; do
		userdel "$u" 2>/dev/null || true
		groupdel "$u" 2>/dev/null || true
	done
	if [ -n "$T" ]; then
		rm -rf "$T"
	fi
}

# ---- processes ------------------------------------------------------------

# Whether PID runs: exists and is not a zombie (a zombie has already exited;
# ours stay zombies until waited for, and orphans may never be reaped here).
pid_alive() {
	local state
	[ -n "$1" ] || return 1
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ]
}

# Whether none of PIDS runs.
all_gone() {
	local p
	for p in "$@"; do
		pid_alive "$p" && return 1
	done
	return 0
}

# wait_until SECONDS CMD...: runs CMD every 50 ms until it succeeds; fails
# when SECONDS (an integer) have passed.
wait_until() {
	local deadline=$((${EPOCHREALTIME/./} + $1 * 1000000))
	shift
	until "$@"; do
		((${EPOCHREALTIME/./} < deadline)) || return 1
		sleep 0.05
	done
}

not() { ! "$@"; }

# Whether PID still runs our fpm binary (a recorded worker pid may have
# been reused by now).
is_fpm() {
	[ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$(readlink -f "$FPM_BIN")" ]
}

# Sends SIG to PID if it runs, waits up to 5 s for it to go, then SIGKILL.
# Reaps it when it is our child.
stop_pid() {
	local pid=$1 sig=$2
	[ -n "$pid" ] || return 0
	if pid_alive "$pid"; then
		kill -"$sig" "$pid" 2>/dev/null || true
		if ! wait_until 5 not pid_alive "$pid"; then
			kill -KILL "$pid" 2>/dev/null || true
			wait_until 5 not pid_alive "$pid" || true
		fi
	fi
	wait "$pid" 2>/dev/null || true
}

# A TCP port on 127.0.0.1 nobody uses: random ones are probed with ss until
# one is free in every state (not only listening).
free_port() {
	local port i
	for i in $(seq 100); do
		port=$((20000 + RANDOM % 12000))	# below the ephemeral range
		if [ -z "$(ss -Htan "( sport = :$port or dport = :$port )")" ]; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

# ---- fpm --------------------------------------------------------------------

# The standard pools, all reachable by nginx: hello on a unix socket and on
# TCP, echo, slow, big, and crash with one worker (so the crashed pid is
# known).  Writes $T/fpm.ini; sets FPM_TCP_PORT.
write_standard_conf() {
	FPM_TCP_PORT=$(free_port)
	{
		cat <<-EOF
		[global]
		error_log = $T/fpm.log

		[hello]
		listen = $T/hello.sock
		listen.owner = $NGINX_USER
		user = $POOL_USER
		pm.max_children = 2
		app = $T/hello.so

		[tcp]
		listen = 127.0.0.1:$FPM_TCP_PORT
		user = $POOL_USER
		pm.max_children = 2
		app = $T/hello.so
		EOF
		local app
		for app in echo slow big crash; do
			cat <<-EOF

			[$app]
			listen = $T/$app.sock
			listen.owner = $NGINX_USER
			user = $POOL_USER
			pm.max_children = $([ $app = crash ] && echo 1 || echo 2)
			rlimit_core = 0
			app = $T/$app.so
			EOF
		done
	} >"$T/fpm.ini"
}

# The nginx locations for the standard pools, for start_nginx.
standard_locations() {
	echo "/hello=unix:$T/hello.sock"
	echo "/tcp/hello=127.0.0.1:$FPM_TCP_PORT"
	local app
	for app in echo slow big crash; do
		echo "/$app=unix:$T/$app.sock"
	done
}

fpm_log_has() {
	grep -qE -- "$1" "$T/fpm.log" 2>/dev/null
}

# start_fpm [ARGS...]: runs the master in the foreground on $T/fpm.ini
# (plus ARGS) in the background, without bats' fd 3 so bats does not wait
# for it, and waits for "ready to handle connections" in the log.  Sets
# FPM_PID.
start_fpm() {
	local conf=${FPM_CONF:-$T/fpm.ini}
	"$FPM_BIN" -y "$conf" -F -g "$T/fpm.pid" "$@" \
		>"$T/fpm.out" 2>&1 3>&- &
	FPM_PID=$!
	if ! wait_until 5 fpm_ready; then
		echo "fpm did not become ready; its output and log:" >&2
		cat "$T/fpm.out" "$T/fpm.log" >&2 2>/dev/null
		return 1
	fi
}

fpm_ready() {
	pid_alive "$FPM_PID" || return 2
	grep -qs "ready to handle connections" "$T/fpm.log" "$T/fpm.out"
}

# new_workers_are N: the master has N children, none of them in
# FPM_WORKERS (the previous ones).
new_workers_are() {
	local now p
	now=$(workers)
	[ "$(grep -c . <<<"$now")" -eq "$1" ] || return 1
	for p in "${FPM_WORKERS[@]}"; do
		grep -qx "$p" <<<"$now" && return 1
	done
	return 0
}

# The worker pids of the master: its children, less the zygotes of PHP
# pools (named fpm-zygote).
workers() {
	local p
	for p in $(pgrep -P "$FPM_PID" | sort -n); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = fpm-zygote ] || echo "$p"
	done
}

# The zygotes of the master's PHP pools.
zygotes() {
	pgrep -P "$FPM_PID" -x fpm-zygote | sort -n
}

# Whether PID has loaded an app: it did so after taking its pool's
# identity, so its uid and capabilities are final.
has_app() {
	grep -qE "$T/[a-z]+\.so" "/proc/$1/maps" 2>/dev/null
}

all_workers_ready() {
	local n=$1 pids p
	pids=$(workers)
	[ "$(echo "$pids" | grep -c .)" -eq "$n" ] || return 1
	for p in $pids; do
		has_app "$p" || return 1
	done
}

# wait_workers N: until the master has N workers, each with its app loaded.
# Sets FPM_WORKERS (teardown makes sure they are gone too).
wait_workers() {
	if ! wait_until 5 all_workers_ready "$1"; then
		echo "expected $1 ready workers, have: $(workers | xargs)" >&2
		cat "$T/fpm.log" >&2
		return 1
	fi
	mapfile -t FPM_WORKERS < <(workers)
}

# The workers of the master that loaded APP.so.
workers_of() {
	local p
	for p in $(workers); do
		grep -q "$T/$1\.so" "/proc/$p/maps" 2>/dev/null && echo "$p"
	done
}

# How many sockets PID holds: an idle worker has IDLE_SOCKETS (its pool's
# listening socket and the master's control socket), a busy one also the
# connection it accepted.
IDLE_SOCKETS=2
socket_count() {
	find "/proc/$1/fd" -lname 'socket:*' 2>/dev/null | wc -l
}

# The worker of APP that is serving a request, if one is.
busy_worker_of() {
	local p
	for p in $(workers_of "$1"); do
		if [ "$(socket_count "$p")" -gt "$IDLE_SOCKETS" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# A field of /proc/PID/status, tabs squeezed to spaces: "Uid", "CapEff"...
proc_status() {
	awk -v f="$2:" '$1 == f { $1 = ""; sub(/^ /, ""); print }' \
		"/proc/$1/status"
}

# ---- users ------------------------------------------------------------------

# add_user NAME: a system user with its own group, deleted in teardown.
add_user() {
	userdel "$1" 2>/dev/null || true
	groupdel "$1" 2>/dev/null || true
	# Bounded retries: another test run on this machine may hold the lock
	# on /etc/passwd for a moment.
	local i
	for i in 1 2 3 4 5 6 7 8 9 10; do
		useradd --system --no-create-home --user-group \
			--shell /usr/sbin/nologin "$1" && break
		[ "$i" -lt 10 ] || fail "useradd $1 failed"
		sleep 0.2
	done
	TEST_USERS+=("$1")
}

# ---- nginx ------------------------------------------------------------------

# start_nginx LOCATION=UPSTREAM...: a real nginx on a free port of
# 127.0.0.1 (NGINX_PORT), one location per argument ("= /path", or a
# regex location when the argument starts with "~ ") passing to UPSTREAM
# ("unix:/path", "host:port" or an upstream name), every path of its own
# in $T.  NGINX_HTTP_EXTRA goes into the http block (upstreams),
# NGINX_LOCATION_EXTRA into every location, NGINX_SERVER_EXTRA into the
# server block (a root); NGINX_FASTCGI_INCLUDE replaces fastcgi_params.
start_nginx() {
	NGINX_PORT=$(free_port)
	mkdir -p "$T/nginx"
	local spec locations=
	for spec in "$@"; do
		local match="= ${spec%%=*}"
		# "~ REGEX=UPSTREAM" gives a regex location
		[[ $spec == "~ "* ]] && match=${spec%%=*}
		locations+="
        location $match {
            include ${NGINX_FASTCGI_INCLUDE:-/etc/nginx/fastcgi_params};
            ${NGINX_LOCATION_EXTRA:-}
            fastcgi_pass ${spec#*=};
        }"
	done
	cat >"$T/nginx.conf" <<-EOF
	# Workers as www-data: see NGINX_USER in helpers.bash.
	user $NGINX_USER;
	worker_processes 1;
	daemon off;
	pid $T/nginx/nginx.pid;
	error_log $T/nginx/error.log info;
	events { worker_connections 128; }
	http {
	    access_log $T/nginx/access.log;
	    client_body_temp_path $T/nginx/body;
	    fastcgi_temp_path $T/nginx/fastcgi;
	    proxy_temp_path $T/nginx/proxy;
	    uwsgi_temp_path $T/nginx/uwsgi;
	    scgi_temp_path $T/nginx/scgi;
	    client_max_body_size 0;
	    ${NGINX_HTTP_EXTRA:-}
	    server {
	        listen 127.0.0.1:$NGINX_PORT;
	        ${NGINX_SERVER_EXTRA:-}
	        $locations
	    }
	}
	EOF
	nginx -c "$T/nginx.conf" -e "$T/nginx/error.log" \
		>"$T/nginx/out" 2>&1 3>&- &
	NGINX_PID=$!
	if ! wait_until 5 nginx_up; then
		echo "nginx did not come up:" >&2
		cat "$T/nginx/out" "$T/nginx/error.log" >&2 2>/dev/null
		return 1
	fi
}

nginx_up() {
	pid_alive "$NGINX_PID" || return 2
	curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$NGINX_PORT/"
}

# The usual start: standard pools, fpm, nginx in front.
start_standard() {
	write_standard_conf
	start_fpm
	start_nginx $(standard_locations)
}

# ---- requests ---------------------------------------------------------------

url() {
	echo "http://127.0.0.1:$NGINX_PORT$1"
}

# get PATH [CURL ARGS...]: the status code as output; the body in $T/body,
# the headers in $T/headers.
get() {
	local path=$1
	shift
	curl -sS --max-time 30 -o "$T/body" -D "$T/headers" \
		-w '%{http_code}' "$@" "$(url "$path")"
}

# bg_get NAME PATH: GET PATH in the background (without fd 3); the status
# code goes to $T/NAME.code, the body to $T/NAME.body.  Sets BG_PID.
bg_get() {
	curl -sS --max-time 30 -o "$T/$1.body" -w '%{http_code}' \
		"$(url "$2")" >"$T/$1.code" 2>"$T/$1.err" 3>&- &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# all_answered NAME...: each background request NAME (bg_get) has its
# status code.
all_answered() {
	local n
	for n in "$@"; do
		[ -s "$T/$n.code" ] || return 1
	done
}

# start_datagram_listener SOCKET OUT: a unix datagram socket (a syslog
# daemon's, or systemd's NOTIFY_SOCKET) writing each datagram it gets to
# OUT as one line, line breaks inside it turned into spaces; stopped by
# teardown.
start_datagram_listener() {
	python3 - "$1" "$2" 3>&- <<-'EOF' &
	import socket, sys
	s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
	s.bind(sys.argv[1])
	s.settimeout(30)
	with open(sys.argv[2], "ab", buffering=0) as out:
	    try:
	        while True:
	            out.write(s.recv(65536).replace(b"\n", b" ") + b"\n")
	    except socket.timeout:
	        pass
	EOF
	BG_PIDS+=($!)
	wait_until 5 test -S "$1"
}

# start_slow_request SECS: starts /slow?s=SECS in the background and waits
# until a slow worker has accepted it.  Sets BUSY (that worker) and
# SLOW_CURL (curl's pid).
start_slow_request() {
	bg_get slow "/slow?s=$1"
	SLOW_CURL=$BG_PID
	wait_until 5 busy_worker_of slow >/dev/null ||
		fail "no slow worker took the request"
	BUSY=$(busy_worker_of slow)
}

# ---- configurations ---------------------------------------------------------

# write_conf [LINE...]: $T/fpm.ini with one valid pool, then LINEs from
# line 8 on:
#   1 [global]  2 error_log  3 (empty)  4 [www]  5 listen  6 user  7 app
write_conf() {
	{
		echo "[global]"
		echo "error_log = $T/fpm.log"
		echo
		echo "[www]"
		echo "listen = $T/www.sock"
		echo "user = $POOL_USER"
		echo "app = $T/hello.so"
		printf '%s\n' "$@"
	} >"$T/fpm.ini"
}

# fpm -t on $T/fpm.ini (plus ARGS), through bats' run.
fpm_test() {
	run "$FPM_BIN" -t -y "$T/fpm.ini" "$@"
}

# After fpm_test: it failed (exit 1) with the summary line that ends every
# failed test, "... test failed: N errors".
assert_failed_with() {
	assert_failure 1
	assert_line "configuration file $T/fpm.ini test failed: $1"
}
