#!/usr/bin/env bats
# PHP pools under the process manager: each pool's zygote holds the engine
# under the pool's identity and forks the workers, which are the master's
# own children; crashes, request_terminate_timeout, pm.max_requests, the
# status page, USR1 and USR2 work for them as for native pools.

load helpers

setup() {
	e2e_setup
	[ -r "$FPM_PHP_MODULE" ] || fail "no PHP sapi module at $FPM_PHP_MODULE"
	mkdir -p "$T/www"
	cat >"$T/www/hello.php" <<-'EOF'
	<?php echo "Hello from ", php_sapi_name(), " ", getmypid(), "\n";
	EOF
	cat >"$T/www/segv.php" <<-'EOF'
	<?php posix_kill(getmypid(), SIGSEGV); sleep(5);
	EOF
	cat >"$T/www/sleep.php" <<-'EOF'
	<?php sleep((int)($_GET['s'] ?? 10)); echo "woke\n";
	EOF
	chmod 0755 "$T/www"
	chmod 0644 "$T/www"/*.php
}

teardown() {
	e2e_teardown
}

# start_php [LINE...]: a PHP pool (no sapi, no app: PHP is the default)
# with 2 workers, and nginx passing *.php and /status to it.
start_php() {
	{
		echo "[global]"
		echo "error_log = $T/fpm.log"
		echo
		echo "[php]"
		echo "listen = $T/php.sock"
		echo "listen.owner = $NGINX_USER"
		echo "user = $POOL_USER"
		echo "pm.max_children = 2"
		echo "pm.status_path = /status"
		echo "rlimit_core = 0"
		printf '%s\n' "$@"
	} >"$T/fpm.ini"
	start_fpm
	wait_php_workers 2
	NGINX_LOCATION_EXTRA="fastcgi_param SCRIPT_FILENAME $T/www\$fastcgi_script_name;" \
		start_nginx "~ \\.php\$=unix:$T/php.sock" "/status=unix:$T/php.sock"
}

# N workers with the engine mapped, and one zygote.
php_workers_are() {
	local pids p
	pids=$(workers)
	[ "$(grep -c . <<<"$pids")" -eq "$1" ] || return 1
	[ "$(zygotes | grep -c .)" -eq 1 ] || return 1
	for p in $pids; do
		grep -q libphp "/proc/$p/maps" 2>/dev/null || return 1
	done
}

wait_php_workers() {
	if ! wait_until 10 php_workers_are "$1"; then
		echo "expected $1 PHP workers and a zygote; children:" >&2
		ps -o pid,comm,args --ppid "$FPM_PID" >&2
		cat "$T/fpm.log" >&2
		return 1
	fi
	mapfile -t FPM_WORKERS < <(workers)
	ZYGOTE=$(zygotes)
}

@test "the zygote holds the engine as the pool's user; workers are the master's children; the master loads no PHP" {
	start_php
	run get /hello.php
	assert_output 200
	run cat "$T/body"
	assert_output --regexp '^Hello from fpm-fcgi [0-9]+$'
	# the zygote: the pool's user, no capabilities, the engine loaded
	assert_equal "$(proc_status "$ZYGOTE" Uid | awk '{ print $2 }')" \
		"$(id -u "$POOL_USER")"
	assert_equal "$(proc_status "$ZYGOTE" CapEff)" 0000000000000000
	grep -q libphp "/proc/$ZYGOTE/maps"
	# each worker: parent is the master, pool user, engine shared
	local p
	for p in "${FPM_WORKERS[@]}"; do
		assert_equal "$(proc_status "$p" PPid)" "$FPM_PID"
		assert_equal "$(proc_status "$p" Uid | awk '{ print $2 }')" \
			"$(id -u "$POOL_USER")"
		assert_equal "$(cat "/proc/$p/comm")" fpm
	done
	# the master never maps libphp: its memory stays small
	run grep -c libphp "/proc/$FPM_PID/maps"
	assert_output 0
}

@test "a PHP worker killed by SIGSEGV is logged and replaced, and the pool goes on" {
	start_php
	run get /segv.php
	assert_output 502
	wait_until 5 fpm_log_has "exited on signal 11 \\(SIGSEGV\\)" ||
		fail "no crash line: $(cat "$T/fpm.log")"
	wait_until 5 php_workers_are 2 || fail "the crashed worker was not replaced"
	run get /hello.php
	assert_output 200
	# the zygote was not touched by its worker's crash
	assert_equal "$(zygotes)" "$ZYGOTE"
}

@test "request_terminate_timeout ends a PHP script stuck in sleep(), and its worker is replaced" {
	start_php "request_terminate_timeout = 1s"
	local t0=$EPOCHSECONDS
	run get "/sleep.php?s=30"
	assert_output 502
	(( EPOCHSECONDS - t0 < 10 )) || fail "took $((EPOCHSECONDS - t0)) s"
	fpm_log_has "script '$T/www/sleep.php' \\(request: \"GET /sleep.php\\?s=30\"\\) execution timed out" ||
		fail "no timeout line: $(cat "$T/fpm.log")"
	wait_until 5 php_workers_are 2
	run get /hello.php
	assert_output 200
}

@test "pm.max_requests recycles PHP workers from the same zygote" {
	start_php "pm.max_requests = 3"
	local before=("${FPM_WORKERS[@]}") i
	# which worker takes a request is the kernel's choice: ask until
	# both first workers have had their 3 (bounded)
	for i in $(seq 60); do
		run get /hello.php
		assert_output 200
		new_workers_are 2 && break
	done
	wait_until 5 new_workers_are 2 ||
		fail "workers were not all recycled: $(workers | xargs), before: ${before[*]}"
	assert_equal "$(zygotes)" "$ZYGOTE"
	fpm_log_has "exited with code 0"
}

@test "the status page answers from a PHP pool, and fpm_get_status() has php-fpm's keys" {
	cat >"$T/www/st.php" <<-'EOF'
	<?php $s = fpm_get_status();
	echo $s['pool'], ' ', $s['process-manager'], ' ', count($s['procs']), ' ',
	    isset($s['accepted-conn']) ? 'accepted' : 'none', ' ',
	    isset($s['procs'][0]['request-duration']) ? 'duration' : 'none', "\n";
	EOF
	chmod 0644 "$T/www/st.php"
	start_php
	run get "/status?json"
	assert_output 200
	run jq -r '.pool + " " + ."process manager"' "$T/body"
	assert_output "php static"
	run get /st.php
	assert_output 200
	run cat "$T/body"
	assert_output "php static 2 accepted duration"
}

@test "USR2 reload: a new zygote and new workers, the master's pid kept, no request lost" {
	start_php
	local old_zygote=$ZYGOTE i
	for i in $(seq 6); do
		bg_get "r$i" "/sleep.php?s=1"
	done
	kill -USR2 "$FPM_PID"
	wait_until 10 all_answered r1 r2 r3 r4 r5 r6 ||
		fail "some requests never finished"
	for i in $(seq 6); do
		assert_equal "$(cat "$T/r$i.code")" 200
	done
	wait_until 10 new_workers_are 2 || fail "old workers remain: $(workers | xargs)"
	wait_until 5 php_workers_are 2
	[ "$(zygotes)" != "$old_zygote" ] || fail "the zygote was not replaced"
	wait_until 5 not pid_alive "$old_zygote" || fail "the old zygote lingers"
	run get /hello.php
	assert_output 200
}

@test "USR1: the PHP workers and their zygote are replaced, and log to the new file" {
	start_php
	mv "$T/fpm.log" "$T/fpm.log.1"
	kill -USR1 "$FPM_PID"
	wait_until 10 new_workers_are 2 || fail "workers not replaced: $(workers | xargs)"
	wait_until 5 php_workers_are 2
	[ "$(zygotes)" != "$ZYGOTE" ] || fail "the zygote kept the old files"
	# a PHP message of a new worker reaches the new log
	cat >"$T/www/log.php" <<-'EOF'
	<?php error_log("marker-after-rotation"); echo "ok\n";
	EOF
	chmod 0644 "$T/www/log.php"
	run get /log.php
	assert_output 200
	wait_until 5 grep -q marker-after-rotation "$T/fpm.log" ||
		fail "the message is not in the new log"
	run grep -c marker-after-rotation "$T/fpm.log.1"
	assert_output 0
}

@test "a killed zygote is logged; its workers serve on and the next one comes from a new zygote" {
	start_php
	kill -KILL "$ZYGOTE"
	wait_until 5 fpm_log_has "the PHP zygote $ZYGOTE exited" ||
		fail "no zygote line: $(cat "$T/fpm.log")"
	run get /hello.php
	assert_output 200
	kill -KILL "${FPM_WORKERS[0]}"
	wait_until 10 php_workers_are 2 || fail "no replacement worker"
	[ "$(zygotes)" != "$ZYGOTE" ]
}

@test "fpm -t names the PHP module when it cannot be read" {
	{
		echo "[global]"
		echo "[php]"
		echo "listen = $T/php.sock"
		echo "user = $POOL_USER"
	} >"$T/fpm.ini"
	FPM_PHP_MODULE=$T/nowhere/php.so fpm_test
	assert_failed_with "1 error"
	assert_line --partial "[pool php] the PHP sapi module $T/nowhere/php.so cannot be read: No such file or directory"
}

@test "php_value of a setting PHP does not have is logged with its file and line" {
	start_php "php_value[no_such.setting] = 1"
	run get /hello.php
	assert_output 200
	fpm_log_has "$T/fpm.ini:11: php_value\\[no_such.setting\\]: PHP has no such setting" ||
		fail "no line: $(cat "$T/fpm.log")"
}

@test "access.suppress_path[] leaves successful health checks out of the access log" {
	start_php "access.log = $T/access.log" "access.suppress_path[] = /hello.php" \
		'access.format = "%m %r %s"'
	run get /hello.php
	assert_output 200
	run get "/hello.php?x=1"
	assert_output 200
	run get /sleep.php?s=0
	assert_output 200
	wait_until 5 grep -q 'sleep.php' "$T/access.log"
	run cat "$T/access.log"
	assert_line "GET /hello.php?x=1 200"
	assert_line "GET /sleep.php?s=0 200"
	refute_line "GET /hello.php 200"
}

@test "Debian's php-fpm.conf and www.conf, with only their paths changed, pass -t and serve PHP" {
	mkdir "$T/pool.d"
	sed -e "s|^pid = .*|pid = $T/fpm.pid|" \
		-e "s|^error_log = .*|error_log = $T/fpm.log|" \
		-e "s|^include=.*|include=$T/pool.d/*.conf|" \
		/etc/php/8.2/fpm/php-fpm.conf >"$T/php-fpm.conf"
	sed -e "s|^listen = .*|listen = $T/php.sock|" \
		/etc/php/8.2/fpm/pool.d/www.conf >"$T/pool.d/www.conf"
	# nothing else differs from Debian's files
	run diff /etc/php/8.2/fpm/pool.d/www.conf "$T/pool.d/www.conf"
	assert_equal "$(grep -c '^[<>]' <<<"$output")" 2
	run diff /etc/php/8.2/fpm/php-fpm.conf "$T/php-fpm.conf"
	assert_equal "$(grep -c '^[<>]' <<<"$output")" 6

	run "$FPM_BIN" -t -y "$T/php-fpm.conf"
	assert_success
	assert_output "configuration file $T/php-fpm.conf test is successful"

	FPM_CONF=$T/php-fpm.conf start_fpm
	NGINX_LOCATION_EXTRA="fastcgi_param SCRIPT_FILENAME $T/www\$fastcgi_script_name;" \
		start_nginx "~ \\.php\$=unix:$T/php.sock"
	run get /hello.php
	assert_output 200
	run cat "$T/body"
	assert_output --regexp '^Hello from fpm-fcgi [0-9]+$'
	# www-data's pool: pm = dynamic, start_servers = 2
	wait_until 10 php_workers_are 2
	assert_equal "$(proc_status "$(workers | head -1)" Uid)" "33 33 33 33"
}

@test "a PHP module that is not ours is logged, the pool backs off, and nothing else stops" {
	{
		echo "[global]"
		echo "error_log = $T/fpm.log"
		echo
		echo "[php]"
		echo "listen = $T/php.sock"
		echo "user = $POOL_USER"
		echo "pm.max_children = 2"
		echo
		echo "[hello]"
		echo "listen = $T/hello.sock"
		echo "listen.owner = $NGINX_USER"
		echo "user = $POOL_USER"
		echo "pm.max_children = 1"
		echo "app = $T/hello.so"
	} >"$T/fpm.ini"
	# readable, so -t passes; but it has no fpm_sapi_php
	FPM_PHP_MODULE=$T/hello.so start_fpm
	wait_until 10 fpm_log_has "\\[pool php\\] pid [0-9]+: $T/hello.so is not fpm's PHP sapi module" ||
		fail "no line: $(cat "$T/fpm.log")"
	wait_until 10 fpm_log_has "\\[pool php\\] the PHP zygote [0-9]+ does not answer" ||
		fail "no line: $(cat "$T/fpm.log")"
	# the other pool serves all along
	start_nginx "/hello=unix:$T/hello.sock"
	run get /hello
	assert_output 200
	# and the failing pool backs off: a few tries, not one per tick
	wait_until 15 fpm_log_has "\\[pool php\\] the pool is failing" ||
		fail "no back-off: $(cat "$T/fpm.log")"
	pid_alive "$FPM_PID"
}
