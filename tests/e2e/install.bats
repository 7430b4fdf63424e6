#!/usr/bin/env bats
# make install: every file a system needs lands where the README says,
# with the paths of the prefix it was given; a second install keeps the
# operator's configuration; an app builds against the installed header
# with pkg-config's flags; the man pages pass mandoc's linter; the
# completions load; nginx accepts the installed snippet.

load helpers

setup() {
	e2e_setup
}

teardown() {
	e2e_teardown
}

# install_root: make install from the build tree into $T/root, as a
# package build would (the binaries are not rebuilt for the new prefix).
install_root() {
	make -C "$REPO" -s install DESTDIR="$T/root" prefix=/usr \
		sysconfdir=/etc >"$T/install.log" 2>&1 ||
		fail "make install failed: $(cat "$T/install.log")"
}

MAN_PAGES="man8/fpm.8 man1/fpmctl.1 man3/fpm_app.3 man5/fpm.ini.5"

@test "make install puts the binaries, configuration, API, unit, logrotate, snippet, man pages and completions in place" {
	install_root
	local r=$T/root f
	for f in usr/sbin/fpm usr/bin/fpmctl; do
		assert [ -x "$r/$f" ]
	done
	for f in etc/fpm/fpm.ini etc/fpm/pools.d/hello.conf \
	    etc/fpm/pools.d/echo.conf etc/fpm/pools.d/php.conf \
	    usr/include/fpm_app.h usr/share/pkgconfig/fpm-app.pc \
	    usr/share/doc/fpm/examples/hello.c \
	    usr/share/doc/fpm/examples/hello.php \
	    usr/lib/systemd/system/fpm.service etc/logrotate.d/fpm \
	    etc/nginx/snippets/fastcgi-fpm.conf \
	    usr/share/bash-completion/completions/fpm \
	    usr/share/bash-completion/completions/fpmctl; do
		assert [ -s "$r/$f" ]
	done
	for f in $MAN_PAGES; do
		assert [ -s "$r/usr/share/man/$f" ]
	done
	assert [ ! -e "$r/usr/sbin/fpmctl" ]
	cmp "$REPO/fpm.ini" "$r/etc/fpm/fpm.ini" || fail "fpm.ini differs"
	# the unit runs the installed binary on the installed configuration
	run grep '^ExecStart=' "$r/usr/lib/systemd/system/fpm.service"
	assert_output "ExecStart=/usr/sbin/fpm --nodaemonize --fpm-config /etc/fpm/fpm.ini --prefix /usr --pid /run/fpm.pid"
	# logrotate signals the pid file the unit writes
	grep -qF 'kill -USR1 "$(cat /run/fpm.pid)"' "$r/etc/logrotate.d/fpm"
	run grep '^includedir=' "$r/usr/share/pkgconfig/fpm-app.pc"
	assert_output "includedir=/usr/include"
}

@test "a second make install keeps a changed fpm.ini, and make uninstall too" {
	install_root
	echo "; mine" >>"$T/root/etc/fpm/fpm.ini"
	cp "$T/root/etc/fpm/fpm.ini" "$T/mine.ini"
	install_root
	cmp "$T/mine.ini" "$T/root/etc/fpm/fpm.ini" ||
		fail "make install replaced a changed fpm.ini"
	assert grep -q "KEEP.*etc/fpm/fpm.ini" "$T/install.log"
	make -C "$REPO" -s uninstall DESTDIR="$T/root" prefix=/usr \
		sysconfdir=/etc >"$T/uninstall.log" 2>&1 ||
		fail "make uninstall failed: $(cat "$T/uninstall.log")"
	cmp "$T/mine.ini" "$T/root/etc/fpm/fpm.ini" ||
		fail "make uninstall removed a changed fpm.ini"
	assert [ ! -e "$T/root/etc/fpm/pools.d/hello.conf" ]
	assert [ ! -e "$T/root/usr/sbin/fpm" ]
}

@test "the installed example app builds with pkg-config --cflags fpm-app" {
	install_root
	local flags
	# read: pkg-config ends its output with a space
	read -r flags < <(PKG_CONFIG_PATH="$T/root/usr/share/pkgconfig" \
	    PKG_CONFIG_SYSROOT_DIR="$T/root" pkg-config --cflags fpm-app)
	assert_equal "$flags" "-I$T/root/usr/include"
	run pkg-config --libs "$T/root/usr/share/pkgconfig/fpm-app.pc"
	assert_success
	assert_output ""
	cp "$T/root/usr/share/doc/fpm/examples/hello.c" "$T/hello.c"
	# shellcheck disable=SC2086 # the flags are words
	run cc $flags -Wall -Werror -shared -fPIC "$T/hello.c" -o "$T/hello.so"
	assert_success
	assert [ -s "$T/hello.so" ]
}

@test "every installed man page passes mandoc -Tlint" {
	command -v mandoc >/dev/null || fail "mandoc missing: run scripts/bootstrap"
	install_root
	local page
	for page in $MAN_PAGES; do
		# Cross-references are found only among the system's manuals
		# (and its mandoc.db), where these pages are not installed.
		run bash -c "mandoc -Tlint '$T/root/usr/share/man/$page' 2>&1 |
		    grep -v -e 'referenced manual not found' -e 'outdated mandoc.db'"
		assert_output ""
	done
}

@test "the installed completions complete fpm's flags and fpmctl's commands" {
	install_root
	local c=$T/root/usr/share/bash-completion/completions
	run bash -c "source '$c/fpm'; complete -p fpm fpmctl"
	assert_success
	assert_line "complete -F _fpm fpm"
	assert_line "complete -F _fpmctl fpmctl"
	run bash -c "source '$c/fpmctl'
		COMP_WORDS=(fpmctl re); COMP_CWORD=1; _fpmctl
		echo \"\${COMPREPLY[*]}\"
		COMP_WORDS=(fpm --no); COMP_CWORD=1; _fpm
		echo \"\${COMPREPLY[*]}\""
	assert_success
	assert_line "reload reopen"
	assert_line -- "--no-php-ini --nodaemonize"
}

@test "nginx -t accepts locations that include the installed snippet" {
	install_root
	local snippet=$T/root/etc/nginx/snippets/fastcgi-fpm.conf
	mkdir -p "$T/nginx"
	cat >"$T/nginx.conf" <<-EOF
	pid $T/nginx/nginx.pid;
	error_log $T/nginx/error.log;
	events { worker_connections 16; }
	http {
	    client_body_temp_path $T/nginx/body;
	    fastcgi_temp_path $T/nginx/fastcgi;
	    proxy_temp_path $T/nginx/proxy;
	    uwsgi_temp_path $T/nginx/uwsgi;
	    scgi_temp_path $T/nginx/scgi;
	    server {
	        listen 127.0.0.1:$(free_port);
	        root $T;
	        location /app {
	            include $snippet;
	            fastcgi_pass unix:$T/app.sock;
	        }
	        location ~ [^/]\.php(/|\$) {
	            try_files \$fastcgi_script_name =404;
	            include $snippet;
	            fastcgi_pass unix:$T/php.sock;
	        }
	    }
	}
	EOF
	run nginx -t -c "$T/nginx.conf" -e "$T/nginx/error.log"
	assert_success
	assert_output --partial "test is successful"
}
