#!/usr/bin/env bats
# The Debian package: dpkg-buildpackage builds it from a copy of the
# tree, lintian finds no error in it, and once installed it serves
# through nginx as its unit runs it.  systemd is not running here, so the
# test does what the unit tells systemd to: makes its RuntimeDirectory,
# runs its ExecStart line, stops it with its KillSignal.  The package is
# purged at the end, whatever happens.

load helpers

# One build for the file: about a minute.
setup_file() {
	export DEB_DIR=$BATS_FILE_TMPDIR/deb
	mkdir -p "$DEB_DIR/src"
	(cd "$REPO" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 cp --parents -t "$DEB_DIR/src")
	(cd "$DEB_DIR/src" && dpkg-buildpackage -us -uc -b) \
		>"$DEB_DIR/build.log" 2>&1 || true
}

setup() {
	e2e_setup
	DEB=$DEB_DIR/fpm_$(cd "$REPO" && dpkg-parsechangelog -S Version)_$(dpkg --print-architecture).deb
	[ -s "$DEB" ] ||
		fail "dpkg-buildpackage made no $DEB: $(tail -n 40 "$DEB_DIR/build.log")"
	UNIT=/lib/systemd/system/fpm.service
}

teardown() {
	e2e_teardown
	if dpkg-query -W -f='${Status}' fpm 2>/dev/null | grep -q installed; then
		dpkg --purge fpm >/dev/null 2>&1 || true
	fi
}

# unit_value KEY: the value of KEY= in the installed unit.
unit_value() {
	sed -n "s/^$1=//p" "$UNIT"
}

@test "dpkg-buildpackage builds a .deb that lintian passes without errors" {
	command -v lintian >/dev/null || fail "lintian missing: run scripts/bootstrap"
	run lintian --no-tag-display-limit "$DEB"
	echo "$output"
	refute_line --regexp '^E: '
	# php.so needs libphp, whose soname dpkg-shlibdeps cannot map
	run dpkg-deb -f "$DEB" Depends
	assert_output --partial "libphp8.2-embed"
	run dpkg-deb -c "$DEB"
	assert_output --partial "./usr/sbin/fpm"
	assert_output --partial "./usr/lib/fpm/php.so"
	assert_output --partial "./lib/systemd/system/fpm.service"
	refute_output --partial ".la"
	refute_output --partial "./var/run"
}

@test "the installed package serves /hello, /status and a PHP page through nginx as its unit starts it" {
	run dpkg -i "$DEB"
	assert_success
	run dpkg-query -W -f='${Status}' fpm
	assert_output "install ok installed"
	# what is under /etc is the operator's: conffiles
	run dpkg-query -W -f='${Conffiles}' fpm
	assert_output --partial "/etc/fpm/fpm.ini"
	assert_output --partial "/etc/fpm/pools.d/hello.conf"
	/usr/sbin/fpm -t -y /etc/fpm/fpm.ini --prefix /usr

	local exec_start dir kill_signal
	exec_start=$(unit_value ExecStart)
	dir=$(unit_value RuntimeDirectory)
	kill_signal=$(unit_value KillSignal)
	assert [ -n "$exec_start" ]
	assert_equal "$dir" fpm
	mkdir -p "/run/$dir"
	# shellcheck disable=SC2086 # the unit's line, split into words as systemd does
	$exec_start >"$T/fpm.out" 2>&1 3>&- &
	FPM_PID=$!
	FPM_BIN=/usr/sbin/fpm
	wait_until 10 fpm_ready ||
		fail "the packaged fpm did not start: $(cat "$T/fpm.out")"
	assert_equal "$(cat /run/fpm.pid)" "$FPM_PID"
	mapfile -t FPM_WORKERS < <(workers)

	NGINX_FASTCGI_INCLUDE=/etc/nginx/snippets/fastcgi-fpm.conf \
	NGINX_SERVER_EXTRA="root /usr/share/fpm/www;" \
	start_nginx "/hello=unix:/run/fpm/hello.sock" \
		"/status=unix:/run/fpm/hello.sock" \
		"~ ^/php/.+\.php\$=unix:/run/fpm/php.sock"
	run get /hello
	assert_output 200
	assert grep -q "Hello" "$T/body"
	run get "/status?json"
	assert_output 200
	assert_equal "$(jq -r .pool "$T/body")" hello
	run get /php/hello.php
	assert_output 200
	assert grep -q "Hello World from PHP 8.2" "$T/body"

	# systemctl stop: the unit's KillSignal, then the master is gone
	# with its workers and its pid file
	kill -"${kill_signal#SIG}" "$FPM_PID"
	wait_until 15 not pid_alive "$FPM_PID" || fail "fpm did not stop"
	assert all_gone "${FPM_WORKERS[@]}"
	assert [ ! -e /run/fpm.pid ]
	assert [ ! -e /run/fpm/hello.sock ]

	run dpkg --purge fpm
	assert_success
	assert [ ! -e /usr/sbin/fpm ]
	assert [ ! -e /etc/fpm/fpm.ini ]
}
