#!/usr/bin/env bats
# The PHP sapi against php-fpm: one pool file, read unchanged by Debian's
# php-fpm 8.2 (the peer) and by our fpm, the same php.ini, the app in
# tests/php, and nginx in front passing /peer/... to php-fpm and /fpm/...
# to us.  Each test sends the same requests to both and wants the same
# answers: status, headers, body; and where a test looks at one side's
# logs, workers or memory, it looks at both.

load helpers

PHP_FPM=${PHP_FPM:-/usr/sbin/php-fpm8.2}
PHP_INI=$REPO/tests/php/php.ini
PHP_SCAN_DIR=/etc/php/8.2/fpm/conf.d

setup() {
	e2e_setup
	[ -x "$PHP_FPM" ] || fail "no php-fpm at $PHP_FPM (apt-get install php8.2-fpm)"
	PHP_USER=fpmphp_$$
	add_user "$PHP_USER"
	install_app "$T/www" "$PHP_USER"
	# Where the scripts write: sessions, moved uploads, markers.
	mkdir -m 1777 "$T/run" "$T/run/sessions"
	POOLS=()
	: >"$T/pools.conf"
}

teardown() {
	e2e_teardown
}

# install_app DIR OWNER [MODE]: a copy of the app in tests/php in DIR, the
# directory owned by OWNER with MODE (0755), the files readable by all.
install_app() {
	mkdir -p "$1"
	install -m 0644 "$REPO"/tests/php/* "$1/"
	rm "$1/php.ini"
	chown -R "$2:" "$1"
	chmod "${3:-0755}" "$1"
}

# ---- the two servers --------------------------------------------------------

# add_pool NAME USER [LINE...]: a section of $T/pools.conf, the one pool
# file both servers include.  Each side listens on $T/SIDE-NAME.sock:
# FPM_SIDE is in each master's environment, and both expand ${NAME} and
# $pool in values.  The status page gives the workers' pids.
add_pool() {
	local name=$1 user=$2
	shift 2
	{
		echo "[$name]"
		echo "listen = $T/\${FPM_SIDE}-\$pool.sock"
		echo "listen.owner = $NGINX_USER"
		echo "user = $user"
		echo "pm = static"
		echo "pm.max_children = 2"
		echo "pm.status_path = /status"
		echo "env[FPM_TEST_ENV] = x"
		printf '%s\n' "$@"
		echo
	} >>"$T/pools.conf"
	POOLS+=("$name")
}

# php_pool [LINE...]: the usual pool, [php], serving $T/www as PHP_USER.
php_pool() {
	add_pool php "$PHP_USER" "$@"
}

# start_php_fpm SIDE: Debian's php-fpm on $T/pools.conf, with its own
# global section ($T/SIDE.conf), its log in $T/SIDE.log.  Sets PHP_FPM_PID.
start_php_fpm() {
	local side=$1
	printf '[global]\npid = %s\nerror_log = %s\ninclude = %s\n' \
		"$T/$side.pid" "$T/$side.log" "$T/pools.conf" >"$T/$side.conf"
	FPM_SIDE=$side PHP_INI_SCAN_DIR=$PHP_SCAN_DIR \
		"$PHP_FPM" -F -y "$T/$side.conf" -c "$PHP_INI" \
		>"$T/$side.out" 2>&1 3>&- &
	PHP_FPM_PID=$!
	BG_PIDS+=("$PHP_FPM_PID")
	if ! wait_until 5 grep -qs "ready to handle connections" "$T/$side.log"; then
		echo "php-fpm ($side) did not become ready:" >&2
		cat "$T/$side.out" "$T/$side.log" >&2 2>/dev/null
		return 1
	fi
}

start_peer() {
	start_php_fpm peer
}

# Our fpm: a global section that includes the same pool file, the same
# php.ini and scan dir; its log is $T/fpm.log.
start_ours() {
	printf '[global]\nerror_log = %s\ninclude = %s\n' \
		"$T/fpm.log" "$T/pools.conf" >"$T/fpm.ini"
	FPM_SIDE=fpm PHP_INI_SCAN_DIR=$PHP_SCAN_DIR start_fpm -c "$PHP_INI"
}

# prefix SIDE POOL: where nginx passes to POOL of SIDE: /fpm/ and /peer/
# for the php pool, /fpm-NAME/ and /peer-NAME/ for the others.
prefix() {
	if [ "$2" = php ]; then
		echo "/$1"
	else
		echo "/$1-$2"
	fi
}

# nginx in front of every pool of both sides.  Both get the same params:
# the prefix is cut off (SCRIPT_NAME /x.php, PATH_INFO after it),
# SCRIPT_FILENAME is the real file under the pool's document root ($T/www
# for php, $T/NAME for the others), and /PREFIX/status is the status page.
# A request with "X-Test-HTTPS: on" gets HTTPS=on, as behind TLS.
start_php_nginx() {
	local pool side specs=()
	for pool in "${POOLS[@]}"; do
		for side in peer fpm; do
			specs+=("~ ^$(prefix "$side" "$pool")/=unix:$T/$side-$pool.sock")
		done
	done
	NGINX_HTTP_EXTRA="map \$uri \$php_root {
	        ~^/[a-z]+/ $T/www;
	        ~^/[a-z]+-([a-z]+)/ $T/\$1;
	    }
	    map \$http_x_test_https \$test_https { default \$https; on on; }" \
	NGINX_LOCATION_EXTRA="root \$php_root;
	        fastcgi_split_path_info ^/[a-z-]+(/.+?\.[a-z]+|/status)(/.*)?\$;
	        fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
	        fastcgi_param PATH_INFO \$fastcgi_path_info;
	        fastcgi_param HTTPS \$test_https if_not_empty;" \
		start_nginx "${specs[@]}"
}

# The usual start: php-fpm, then ours, then nginx, on the pools added.
start_both() {
	start_peer
	start_ours
	start_php_nginx
}

# ---- requests ---------------------------------------------------------------

# fetch SIDE PATH [CURL ARGS...]: the status code as output, the body in
# $T/SIDE.body, the headers in $T/SIDE.headers.  @SIDE@ in the arguments
# becomes SIDE (a cookie jar per side, say).
fetch() {
	local side=$1 path=$2
	shift 2
	curl -gsS --max-time 30 -o "$T/$side.body" -D "$T/$side.headers" \
		-w '%{http_code}' "${@//@SIDE@/$side}" "$(url "$path")"
}

# What two answers must share: the status, nginx's status line, every
# header but the ones nginx makes or the clock sets (sorted, names in
# lower case, session ids and Max-Age masked), and the body, the side's
# prefix masked (REQUEST_URI has it).
normalised() {
	local side=$1
	echo "status $(cat "$T/$side.code")"
	tr -d '\r' <"$T/$side.headers" | sed -n '1s/^HTTP\/[0-9.]* /status line /p'
	tr -d '\r' <"$T/$side.headers" | sed '1d; /^$/d' |
		grep -viE '^(date|server|connection|transfer-encoding|keep-alive):' |
		awk -F': ' '{ $1 = tolower($1); print }' OFS=': ' |
		sed -E 's/(PHPSESSID=)[^;]+/\1<id>/; s/(Max-Age=)[0-9]+/\1<n>/I' |
		sort
	echo "--- body"
	sed -E 's#/(fpm|peer)(-[a-z]+)?/#/<side>/#g' "$T/$side.body"
}

# compare PATH [CURL ARGS...]: the same request to php-fpm (/peer/PATH)
# and to us (/fpm/PATH); fails with the difference unless both answers
# are the same.  Sets CODE (the status both gave); the answers stay in
# $T/peer.* and $T/fpm.*.
compare() {
	local path=$1 side
	shift
	for side in peer fpm; do
		fetch "$side" "/$side$path" "$@" >"$T/$side.code" ||
			fail "the request to /$side$path failed: $(cat "$T/$side.code")"
		normalised "$side" >"$T/$side.norm"
	done
	diff -u "$T/peer.norm" "$T/fpm.norm" >"$T/diff" ||
		fail "php-fpm (-) and fpm (+) answer $path differently:
$(cat "$T/diff")"
	CODE=$(cat "$T/peer.code")
}

# header SIDE NAME: the values of header NAME in SIDE's last answer.
header() {
	tr -d '\r' <"$T/$1.headers" | sed -n "s/^$2: //Ip"
}

# status_pids SIDE [POOL]: the worker pids on POOL's status page, sorted.
status_pids() {
	curl -sS --max-time 10 "$(url "$(prefix "$1" "${2:-php}")/status?json&full")" |
		jq -r '.processes[].pid' | sort -n
}

# ---- tests ------------------------------------------------------------------

@test "hello.php and the 1000-row table.php are the same as php-fpm's" {
	php_pool
	start_both
	compare /hello.php
	assert_equal "$CODE" 200
	assert_equal "$(cat "$T/fpm.body")" "Hello, world!"
	compare /table.php
	assert_equal "$CODE" 200
	assert_equal "$(grep -c '^<tr><td>' "$T/fpm.body")" 1000
	assert_equal "$(header fpm Content-Type)" "text/html; charset=UTF-8"
}

@test "forms: GET and urlencoded POST fields are the same as php-fpm's" {
	php_pool
	start_both
	compare "/form.php?a=1&b[]=x&b[]=y&c=%C3%A9t%C3%A9&d[k]=v"
	assert_equal "$CODE" 200
	run cat "$T/fpm.body"
	assert_line "method: GET"
	assert_line 'GET: {"a":"1","b":["x","y"],"c":"\u00e9t\u00e9","d":{"k":"v"}}'
	compare "/form.php?q=1" --data-urlencode "name=Jo Doe & co" \
		--data "list[]=1&list[]=2&n=%2B3"
	assert_equal "$CODE" 200
	run cat "$T/fpm.body"
	assert_line "method: POST"
	assert_line 'GET: {"q":"1"}'
	assert_line 'POST: {"name":"Jo Doe & co","list":["1","2"],"n":"+3"}'
	# a POST without fields
	compare "/form.php" -X POST -H "Content-Type: application/x-www-form-urlencoded"
	assert_equal "$CODE" 200
}

@test "a multipart upload: each file's name, size, error and sha256, move_uploaded_file, the same as php-fpm's" {
	php_pool
	start_both
	printf 'some text\n' >"$T/small.txt"
	head -c 300000 /dev/urandom >"$T/small.bin"
	: >"$T/empty.dat"
	compare /upload.php -F "note=hello" -F "doc=@$T/small.txt;type=text/plain" \
		-F "bin=@$T/small.bin;filename=data.bin" -F "none=@$T/empty.dat"
	assert_equal "$CODE" 200
	run cat "$T/fpm.body"
	assert_line 'fields: {"note":"hello"}'
	assert_line "doc: name=small.txt size=10 error=0 type=text/plain"
	assert_line "doc: sha256=$(sha256sum <"$T/small.txt" | cut -d' ' -f1)"
	assert_line "bin: name=data.bin size=300000 error=0 type=application/octet-stream"
	assert_line "bin: sha256=$(sha256sum <"$T/small.bin" | cut -d' ' -f1)"
	assert_line "bin: moved=true intact=true tmp_gone=true"
	assert_line "none: name=empty.dat size=0 error=0 type=application/octet-stream"
}

@test "a JSON API: php://input in, JSON out with its Content-Type, the same as php-fpm's" {
	php_pool
	start_both
	compare /api.php -H "Content-Type: application/json" \
		--data '{"name":"fpm","numbers":[1,2,3.5],"extra":null}'
	assert_equal "$CODE" 200
	assert_equal "$(header fpm Content-Type)" "application/json"
	assert_equal "$(jq -c . "$T/fpm.body")" \
		'{"name":"FPM","sum":6.5,"keys":["name","numbers","extra"],"method":"POST","content_type":"application/json","length":47}'
	# a body PHP must not parse as a form; and a bad one
	compare /api.php -X PUT -H "Content-Type: application/json" --data '{"a":1}'
	assert_equal "$CODE" 200
	compare /api.php -H "Content-Type: application/json" --data 'not json'
	assert_equal "$CODE" 400
}

@test "cookies and redirects (302 with Location, 301 through http_response_code) are the same as php-fpm's" {
	php_pool
	start_both
	compare /cookies.php -b "b=two words; a=1"
	assert_equal "$CODE" 200
	run cat "$T/fpm.body"
	assert_output "a=1
b=two words
2 cookies"
	run header fpm Set-Cookie
	assert_line "visited=yes"
	assert_line "prefs=a%20b%26c; path=/; HttpOnly; SameSite=Lax"

	compare "/redirect.php?to=/there"
	assert_equal "$CODE" 302
	assert_equal "$(header fpm Location)" "/there"
	compare "/redirect.php?code=301&to=http://example.com/moved?x=1"
	assert_equal "$CODE" 301
	assert_equal "$(header fpm Location)" "http://example.com/moved?x=1"
}

@test "custom headers: set, replaced, appended, removed, several Set-Cookie, the same as php-fpm's" {
	php_pool
	start_both
	compare /headers.php
	assert_equal "$CODE" 202
	run header fpm X-Many
	assert_output "a
b"
	assert_equal "$(header fpm X-Two)" two
	assert_equal "$(header fpm X-Gone)" ""
	assert_equal "$(header fpm X-Powered-By)" ""
	assert_equal "$(header fpm Content-Type)" "application/xml; charset=utf-8"
	assert_equal "$(header fpm Set-Cookie | wc -l)" 3
	# X-Powered-By where the script keeps it (expose_php = On)
	compare /hello.php
	assert_regex "$(header fpm X-Powered-By)" '^PHP/8\.2\.[0-9]+$'
}

@test "sessions in files: three requests with the cookie count 1, 2, 3, with php-fpm's headers" {
	php_pool
	start_both
	local n
	for n in 1 2 3; do
		compare /session.php -b "$T/jar.@SIDE@" -c "$T/jar.@SIDE@"
		assert_equal "$CODE" 200
		run cat "$T/fpm.body"
		assert_line "count=$n"
		assert_line "status=active"
		assert_equal "$(header fpm Pragma)" "no-cache"
		assert_equal "$(header fpm Cache-Control)" "no-store, no-cache, must-revalidate"
	done
	# the cookie was set once, by the first answer, and the files are there
	assert_equal "$(grep -c PHPSESSID "$T/jar.fpm")" 1
	assert_equal "$(find "$T/run/sessions" -name 'sess_*' | wc -l)" 2
}

@test "exit() in the middle: the output so far, status 200, as php-fpm" {
	php_pool
	start_both
	compare /exit.php
	assert_equal "$CODE" 200
	assert_equal "$(cat "$T/fpm.body")" "first part
second part"
}

@test "a fatal error is a 500 and a log line; the worker survives it, as php-fpm's" {
	php_pool "catch_workers_output = yes"
	start_both
	local peer fpm
	peer=$(status_pids peer)
	fpm=$(status_pids fpm)
	assert_equal "$(wc -l <<<"$peer") $(wc -l <<<"$fpm")" "2 2"
	compare /fatal.php
	assert_equal "$CODE" 500
	# what was printed before (in the output buffer) is sent as it is
	assert_equal "$(cat "$T/fpm.body")" "before"
	# the same workers, and they serve on
	assert_equal "$(status_pids peer)" "$peer"
	assert_equal "$(status_pids fpm)" "$fpm"
	compare /hello.php
	assert_equal "$CODE" 200
	local msg="PHP Fatal error:  Uncaught Error: Call to undefined function no_such_function() in $T/www/fatal.php:5"
	run grep -F "$msg" "$T/peer.log"
	assert_success
	wait_until 5 grep -qF "$msg" "$T/fpm.log" ||
		fail "no fatal error in $T/fpm.log: $(cat "$T/fpm.log")"
	# php-fpm also sends PHP's messages to nginx on FastCGI's stderr
	# (fcgi.logging = 1), where nginx logs them: so do we
	run nginx_stderr_lines "PHP message: ${msg//[().]/.}"
	assert_line --partial 'request: "GET /peer/fatal.php HTTP/1.1"'
	assert_line --partial 'request: "GET /fpm/fatal.php HTTP/1.1"'
}

# nginx_stderr_lines REGEX: the entries of nginx's error log for what an
# upstream wrote on FastCGI's stderr matching REGEX, one line each (PHP's
# messages span lines).
nginx_stderr_lines() {
	tr '\n' ' ' <"$T/nginx/error.log" |
		grep -oE "FastCGI sent in stderr: \"$1[^\"]*\" while reading [^\"]*request: \"[^\"]*\""
}

@test "security.limit_extensions: .txt and .phtml are 403 on both, and the log names the script" {
	php_pool "catch_workers_output = yes"
	start_both
	local f msg
	for f in notphp.txt script.phtml; do
		compare "/$f"
		assert_equal "$CODE" 403
		assert_equal "$(cat "$T/fpm.body")" "Access denied."
		msg="Access to the script '$T/www/$f' has been denied (see security.limit_extensions)"
		run grep -F "$msg" "$T/peer.log"
		assert_success
		run grep -F "$msg" "$T/fpm.log"
		assert_success
		run nginx_stderr_lines "${msg//[().]/.}"
		assert_line --partial "request: \"GET /peer/$f HTTP/1.1\""
		assert_line --partial "request: \"GET /fpm/$f HTTP/1.1\""
	done
}

@test "security.limit_extensions = .php .phtml runs .phtml; a missing script is 404 on both" {
	php_pool "security.limit_extensions = .php .phtml"
	start_both
	compare /script.phtml
	assert_equal "$CODE" 200
	assert_equal "$(cat "$T/fpm.body")" "executed"
	compare /notphp.txt
	assert_equal "$CODE" 403
	compare /nothere.php
	assert_equal "$CODE" 404
}

@test "\$_SERVER, PATH_INFO and the SAPI name are the same as php-fpm's" {
	php_pool
	start_both
	compare "/server.php?a=1&b=x%20y"
	assert_equal "$CODE" 200
	run cat "$T/fpm.body"
	assert_line "SCRIPT_NAME='/server.php'"
	assert_line "SCRIPT_FILENAME='$T/www/server.php'"
	assert_line "PHP_SELF='/server.php'"
	assert_line "REQUEST_METHOD='GET'"
	assert_line "QUERY_STRING='a=1&b=x%20y'"
	assert_line "REQUEST_URI='/fpm/server.php?a=1&b=x%20y'"
	assert_line "DOCUMENT_ROOT='$T/www'"
	assert_line "HTTPS unset"
	assert_line "REQUEST_TIME_FLOAT is_float=true"
	assert_line "php_sapi_name=fpm-fcgi"
	assert_line "PHP_SAPI=fpm-fcgi"

	compare "/server.php/extra/path?q=1"
	assert_equal "$CODE" 200
	run cat "$T/fpm.body"
	assert_line "SCRIPT_NAME='/server.php'"
	assert_line "PATH_INFO='/extra/path'"
	assert_line "PHP_SELF='/server.php/extra/path'"
	assert_line "REQUEST_URI='/fpm/server.php/extra/path?q=1'"

	compare "/server.php" --data "x=1" -H "Content-Type: application/x-www-form-urlencoded; charset=utf-8"
	run cat "$T/fpm.body"
	assert_line "REQUEST_METHOD='POST'"
	assert_line "CONTENT_TYPE='application/x-www-form-urlencoded; charset=utf-8'"
	assert_line "CONTENT_LENGTH='3'"

	compare "/server.php" -H "X-Test-HTTPS: on"
	run cat "$T/fpm.body"
	assert_line "HTTPS='on'"
}

@test "getallheaders(), apache_request_headers() and getenv() of the pool's env[] are the same as php-fpm's" {
	php_pool
	start_both
	compare /server.php -H "X-Custom: hello there"
	assert_equal "$CODE" 200
	run cat "$T/fpm.body"
	assert_line "getallheaders X-Custom='hello there'"
	assert_line "apache_request_headers X-Custom='hello there'"
	assert_line "HTTP_X_CUSTOM='hello there'"
	assert_line "getenv FPM_TEST_ENV='x'"
	assert_line "FPM_TEST_ENV='x'"
	assert_line "getenv REQUEST_METHOD='GET'"
}

@test "a 100 MB upload is hashed whole by both, and our worker stays small: the body streams to a file" {
	php_pool
	start_both
	head -c 100M /dev/urandom >"$T/big"
	local sum side p hwm
	sum=$(sha256sum <"$T/big" | cut -d' ' -f1)
	for side in peer fpm; do
		run fetch "$side" "/$side/upload.php" -F "big=@$T/big"
		assert_output 200
		run cat "$T/$side.body"
		assert_line "big: name=big size=104857600 error=0 type=application/octet-stream"
		assert_line "big: sha256=$sum"
		assert_line "big: moved=true intact=true tmp_gone=true"
		assert_line "peak_mb=small"
		# peak resident memory of every worker, after the upload
		for p in $(status_pids "$side"); do
			hwm=$(proc_status "$p" VmHWM | awk '{ print $1 }')
			[ "$hwm" -lt $((60 * 1024)) ] ||
				fail "$side worker $p peaked at $hwm kB after a 100 MB upload"
		done
	done
}

@test "fastcgi_finish_request(): the answer comes at once, the script goes on" {
	php_pool
	start_both
	local side out
	for side in peer fpm; do
		out=$(curl -sS --max-time 10 -o "$T/$side.body" \
			-w '%{http_code} %{time_total}' "$(url "/$side/finish.php?m=$side")")
		assert_equal "${out% *}" 200
		assert_equal "$(cat "$T/$side.body")" "answered"
		awk -v t="${out#* }" 'BEGIN { exit !(t < 0.8) }' ||
			fail "$side answered in ${out#* } s"
		assert [ ! -e "$T/run/finish-$side" ]
		wait_until 5 test -e "$T/run/finish-$side" ||
			fail "$side: no marker after the finish"
	done
}

@test "the slow log shows the PHP frames, innermost first, as php-fpm's" {
	php_pool "slowlog = $T/\${FPM_SIDE}.slow.log" "request_slowlog_timeout = 1s"
	start_both
	bg_get peer "/peer/slow.php?s=3"
	bg_get fpm "/fpm/slow.php?s=3"
	wait_until 10 all_answered peer fpm || fail "the slow requests did not end"
	local side
	for side in peer fpm; do
		assert_equal "$(cat "$T/$side.code")" 200
		assert_equal "$(cat "$T/$side.body")" "slept"
		run cat "$T/$side.slow.log"
		assert_line --index 0 --regexp "^\[[0-9]{2}-[A-Z][a-z]{2}-[0-9]{4} [0-9:]{8}\]  \[pool php\] pid [0-9]+$"
		assert_line --index 1 "script_filename = $T/www/slow.php"
		# each function with the line it was called from, as php-fpm
		assert_line --index 2 --regexp "^\[0x[0-9a-f]{16}\] sleep\(\) $T/www/slow\.php:7$"
		assert_line --index 3 --regexp "^\[0x[0-9a-f]{16}\] inner\(\) $T/www/slow\.php:12$"
		assert_line --index 4 --regexp "^\[0x[0-9a-f]{16}\] outer\(\) $T/www/slow\.php:15$"
		# one entry
		assert_equal "$(grep -cE '^\[[0-9]{2}-' "$T/$side.slow.log")" 1
	done
	# php-fpm names the request by SCRIPT_NAME, ours by REQUEST_URI (what
	# the client asked for: a front controller's /index.php says nothing)
	local head="WARNING: \[pool php\] child [0-9]+, script '$T/www/slow\.php' \(request: \"GET"
	local tail="\?s=3\"\) executing too slow \(1\.[0-9]+ sec\), logging"
	run grep -E "$head /slow\.php$tail" "$T/peer.log"
	assert_success
	run grep -E "$head /fpm/slow\.php$tail" "$T/fpm.log"
	assert_success
}

@test "php_admin_value[memory_limit] holds against ini_set(), on both" {
	php_pool "php_admin_value[memory_limit] = 64M"
	start_both
	compare /ini.php
	assert_equal "$CODE" 200
	run cat "$T/fpm.body"
	assert_line "before=64M"
	assert_line "ini_set=false"
	assert_line "memory_limit=64M"
}

@test "php_value[memory_limit] sets a default ini_set() may raise; php_flag sets a flag; on both" {
	php_pool "php_value[memory_limit] = 100M" "php_flag[display_errors] = on"
	start_both
	compare /ini.php
	assert_equal "$CODE" 200
	run cat "$T/fpm.body"
	assert_line "before=100M"
	assert_line "ini_set='100M'"
	assert_line "memory_limit=512M"
	assert_line "display_errors='1'"
	# the next request starts from the pool's value again
	compare /ini.php
	run cat "$T/fpm.body"
	assert_line "before=100M"
}

# The inodes of PID's shared anonymous mappings (opcache's memory; fpm's
# scoreboard is a memfd, and not one of them).
anon_shared() {
	awk '$2 ~ /s$/ && $6 == "/dev/zero" { print $5 }' "/proc/$1/maps" | sort -u
}

@test "two pools, two users: neither reads the other's scripts; our opcache is the pool's own" {
	local a=fpmphpa_$$ b=fpmphpb_$$
	add_user "$a"
	add_user "$b"
	install_app "$T/a" "$a" 0700
	install_app "$T/b" "$b" 0700
	add_pool a "$a"
	add_pool b "$b"
	start_both
	local side i pids
	for side in peer fpm; do
		run fetch "$side" "/$side-b/hello.php"
		assert_output 200
		# the file system keeps the pools apart on both
		run fetch "$side" "/$side-a/read.php?f=$T/b/hello.php"
		assert_output 200
		assert_equal "$(cat "$T/$side.body")" "cannot read"
		run fetch "$side" "/$side-a/read.php?f=$T/a/hello.php"
		assert_equal "$(cat "$T/$side.body")" "read $(wc -c <"$T/a/hello.php") bytes"
		# pid.php and opcache.php compiled once, then 10 requests at
		# once over both workers: the cache counts no miss, so the
		# worker that had not run them found them compiled.
		run fetch "$side" "/$side-a/pid.php"
		assert_output 200
		run fetch "$side" "/$side-a/opcache.php?misses"
		assert_output 200
		local misses
		misses=$(cat "$T/$side.body")
		for i in $(seq 10); do
			bg_get "$side$i" "/$side-a/pid.php?ms=300"
		done
		wait_until 10 all_answered $(printf "$side%s " $(seq 10)) ||
			fail "$side: the concurrent requests did not end"
		pids=$(cat "$T/$side"{1..10}.body | sort -nu)
		assert_equal "$(wc -l <<<"$pids")" 2
		assert_equal "$pids" "$(status_pids "$side" a)"
		run fetch "$side" "/$side-a/opcache.php?misses"
		assert_output 200
		assert_equal "$(cat "$T/$side.body")" "$misses"
		# ...because both map one cache: a shared anonymous region
		local w1 w2
		{ read -r w1; read -r w2; } <<<"$pids"
		[ -n "$(comm -12 <(anon_shared "$w1") <(anon_shared "$w2"))" ] ||
			fail "$side: workers $w1 and $w2 share no memory"
		run fetch "$side" "/$side-a/opcache.php"
		assert_output 200
		[ "$(jq --arg p "$T/a/pid.php" '.[$p]' "$T/$side.body")" -ge 1 ] ||
			fail "$side: pid.php's hits in pool a: $(cat "$T/$side.body")"
		cp "$T/$side.body" "$T/$side.opcache-a"
	done
	# php-fpm's one opcache is every pool's: a lists b's script
	run jq -r 'keys[]' "$T/peer.opcache-a"
	assert_line "$T/a/pid.php"
	assert_line "$T/b/hello.php"
	# ours: pool a's opcache never saw a script of b's
	run jq -r 'keys[]' "$T/fpm.opcache-a"
	assert_line "$T/a/pid.php"
	refute_line --partial "$T/b/"
}
