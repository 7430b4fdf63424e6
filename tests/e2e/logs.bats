#!/usr/bin/env bats
# Logs: workers' stdout and stderr caught into the error log (decorated or
# not, long lines split, nothing lost when a worker crashes), the access
# log and its format codes, SIGUSR1 after rotation, and syslog.

load helpers

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
}

noisy_conf() {
	write_conf "listen.owner = $NGINX_USER" "app = $T/noisy.so" \
		"pm.max_children = 1" "$@"
}

@test "catch_workers_output logs what workers write, decorated with pool, pid and stream" {
	noisy_conf "catch_workers_output = yes"
	start_fpm
	start_nginx "/noisy=unix:$T/www.sock"
	wait_workers 1
	local w=${FPM_WORKERS[0]}
	run get "/noisy?err=to-stderr&out=to-stdout"
	assert_output 200
	wait_until 5 fpm_log_has "said into stdout" || fail "$(cat "$T/fpm.log")"
	run cat "$T/fpm.log"
	assert_output --regexp "WARNING: \[pool www\] child $w said into stderr: \"to-stderr\""
	assert_output --regexp "WARNING: \[pool www\] child $w said into stdout: \"to-stdout\""
}

@test "a line longer than log_limit is split into several log lines, no byte lost" {
	noisy_conf "catch_workers_output = yes"
	sed -i "2a log_limit = 1024" "$T/fpm.ini"
	start_fpm
	start_nginx "/noisy=unix:$T/www.sock"
	run get "/noisy?long=3000"
	assert_output 200
	wait_until 5 fpm_log_has 'said into stderr: "x{952}"$' ||
		fail "$(cut -c1-120 "$T/fpm.log")"
	run grep -c 'said into stderr: "x\{1024\}"\.\.\.$' "$T/fpm.log"
	assert_output 2
	assert_equal "$(grep 'said into stderr' "$T/fpm.log" | tr -cd x | wc -c)" 3000
}

@test "what a worker wrote just before it crashed still reaches the log" {
	noisy_conf "catch_workers_output = yes"
	start_fpm
	start_nginx "/noisy=unix:$T/www.sock"
	wait_workers 1
	local w=${FPM_WORKERS[0]}
	run get "/noisy?err=first&partial=last-words&die"
	assert_output 502
	wait_until 5 fpm_log_has "child $w exited on signal 11" || fail "$(cat "$T/fpm.log")"
	run cat "$T/fpm.log"
	assert_output --partial "child $w said into stderr: \"first\""
	assert_output --partial "child $w said into stderr: \"last-words\""
}

@test "decorate_workers_output = no logs the worker's lines without the pool and stream, but with the time and level" {
	noisy_conf "catch_workers_output = yes" "decorate_workers_output = no"
	start_fpm
	start_nginx "/noisy=unix:$T/www.sock"
	run get "/noisy?err=bare-line"
	assert_output 200
	wait_until 5 fpm_log_has "^\[[^]]+\] WARNING: bare-line$" ||
		fail "$(cat "$T/fpm.log")"
	refute fpm_log_has "said into"
}

@test "control characters a worker writes cannot forge log lines" {
	noisy_conf "catch_workers_output = yes"
	start_fpm
	start_nginx "/noisy=unix:$T/www.sock"
	# a carriage return and an escape sequence (noisy decodes %XX)
	run get "/noisy?err=a%0db%1b%5b31m"
	assert_output 200
	wait_until 5 grep -qF 'said into stderr: "a\x0db\x1b[31m"' "$T/fpm.log" ||
		fail "$(cat -v "$T/fpm.log")"
}

@test "without catch_workers_output stdout is discarded, as in php-fpm" {
	noisy_conf
	start_fpm
	start_nginx "/noisy=unix:$T/www.sock"
	run get "/noisy?out=not-logged"
	assert_output 200
	run get "/noisy"
	assert_output 200
	refute fpm_log_has "not-logged"
}

@test "the access log has php-fpm's default line, one per request" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/echo.so" \
		"access.log = $T/access.log"
	start_fpm
	start_nginx "/echo=unix:$T/www.sock"
	run get "/echo?a=1" -d hello
	assert_output 200
	run get "/echo"
	assert_output 200
	wait_until 5 test "$(wc -l <"$T/access.log")" -eq 2
	run cat "$T/access.log"
	assert_line --index 0 --regexp '^127\.0\.0\.1 - - [0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4} "POST /echo\?a=1" 200$'
	assert_line --index 1 --regexp '"GET /echo" 200$'
}

@test "access.format prints every php-fpm code" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/echo.so" \
		"pm.max_children = 1" "access.log = $T/access.log" \
		'access.format = "%R|%u|%t|%m|%r|%Q%q|%s|%f|%l|%n|%p|%P|%{mili}d|%d|%{kilo}M|%C%%|%{Content-Type}o|%{HTTP_X_TEST}e|%{X-Test}i|%{%Y}t|%T"'
	start_fpm
	NGINX_LOCATION_EXTRA='fastcgi_param SCRIPT_FILENAME /srv/app$fastcgi_script_name;' \
		start_nginx "/echo=unix:$T/www.sock"
	wait_workers 1
	run get "/echo?x=1" -d abc -H "X-Test: hello"
	assert_output 200
	wait_until 5 test -s "$T/access.log"
	local year
	year=$(date +%Y)
	run cat "$T/access.log"
	assert_output --regexp "^127\.0\.0\.1\|-\|[0-9]{2}/[A-Z][a-z]{2}/$year:[0-9:]{8} [+-][0-9]{4}\|POST\|/echo\?x=1\|\?x=1\|200\|/srv/app/echo\|3\|www\|${FPM_WORKERS[0]}\|$FPM_PID\|[0-9]+\.[0-9]{3}\|[0-9]+\.[0-9]{3}\|[0-9]+\|[0-9]+\.[0-9]{2}%\|application/x-www-form-urlencoded\|hello\|hello\|$year\|[0-9]{2}/[A-Z][a-z]{2}/$year:[0-9:]{8} [+-][0-9]{4}$"
}

@test "access log lines from many workers never interleave" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/echo.so" \
		"pm.max_children = 4" "access.log = $T/access.log" \
		'access.format = "%p %m %r %s %{HTTP_X_PAD}e"'
	start_fpm
	start_nginx "/echo=unix:$T/www.sock"
	local pad
	pad=$(head -c 3000 /dev/zero | tr '\0' p)
	run sh -c "seq 400 | xargs -P 8 -I{} curl -s --max-time 10 -o /dev/null -w '%{http_code}\n' -H 'X-Pad: $pad' '$(url '/echo?n={}')' 3>&- | sort | uniq -c"
	assert_output --regexp '^ *400 200$'
	wait_until 5 test "$(wc -l <"$T/access.log")" -eq 400
	run grep -cxE "[0-9]+ GET /echo\?n=[0-9]+ 200 $pad" "$T/access.log"
	assert_output 400
}

@test "SIGUSR1 after rotation: new lines go to new files, none is lost" {
	write_conf "listen.owner = $NGINX_USER" "app = $T/echo.so" \
		"pm.max_children = 2" "access.log = $T/access.log"
	start_fpm
	start_nginx "/echo=unix:$T/www.sock"
	wait_workers 2
	local before=("${FPM_WORKERS[@]}") i
	for i in 1 2 3; do
		run get "/echo?before=$i"
		assert_output 200
	done
	mv "$T/access.log" "$T/access.log.1"
	mv "$T/fpm.log" "$T/fpm.log.1"
	kill -USR1 "$FPM_PID"
	wait_until 5 fpm_log_has "access logs reopened" || fail "no reopen"
	# Workers holding the old files are replaced, gracefully.
	for i in "${before[@]}"; do
		wait_until 5 not pid_alive "$i" || fail "$i kept the old log"
	done
	for i in 1 2; do
		run get "/echo?after=$i"
		assert_output 200
	done
	wait_until 5 test "$(wc -l <"$T/access.log")" -eq 2
	run grep -c 'before=' "$T/access.log.1"
	assert_output 3
	run grep -c 'after=' "$T/access.log"
	assert_output 2
	assert grep -q "ready to handle connections" "$T/fpm.log.1"
}

@test "error_log = syslog sends RFC 3164 lines with ident, facility and pid" {
	start_datagram_listener "$T/syslog.sock" "$T/syslog.out"
	write_conf "listen.owner = $NGINX_USER" "app = $T/noisy.so" \
		"pm.max_children = 1" "catch_workers_output = yes"
	sed -i "s|^error_log = .*|error_log = syslog\nsyslog.socket = $T/syslog.sock\nsyslog.ident = fpmtest\nsyslog.facility = local3|" "$T/fpm.ini"
	"$FPM_BIN" -y "$T/fpm.ini" -F >"$T/fpm.out" 2>&1 3>&- &
	FPM_PID=$!
	wait_until 5 grep -q "ready to handle connections" "$T/syslog.out" ||
		fail "nothing in syslog: $(cat "$T/fpm.out")"
	start_nginx "/noisy=unix:$T/www.sock"
	run get "/noisy?err=via-syslog"
	assert_output 200
	wait_until 5 grep -q "via-syslog" "$T/syslog.out"
	run cat "$T/syslog.out"
	# local3 (19) * 8 + notice (5) = 157; warning (4) = 156
	assert_line --regexp "^<157>[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} fpmtest\[$FPM_PID\]: NOTICE: ready to handle connections$"
	assert_line --regexp "^<156>.* fpmtest\[$FPM_PID\]: WARNING: \[pool www\] child [0-9]+ said into stderr: \"via-syslog\"$"
}

@test "error_log = syslog without a syslog daemon fails clearly at start" {
	write_conf
	sed -i "s|^error_log = .*|error_log = syslog\nsyslog.socket = $T/none.sock|" "$T/fpm.ini"
	run "$FPM_BIN" -y "$T/fpm.ini" -F
	assert_failure 1
	assert_output --partial "error_log = syslog: cannot connect to $T/none.sock: No such file or directory"
}
