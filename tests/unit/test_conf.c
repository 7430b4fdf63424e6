/*
 * test_conf.c - conf_load() and conf_validate() on files written into a
 * fresh mkdtemp() directory per test, and the value parsers.
 *
 * Every error test checks the "FILE:LINE: " prefix as well as the text:
 * an operator running `fpm -t` must be sent to the right line.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "access_log.h"
#include "conf.h"
#include "log.h"

struct fixture {
	char dir[64];
	struct conf *conf;
};

/* ---- fixture and helpers ------------------------------------------------ */

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/fpm-test-conf-XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
remove_entry(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	int rc;

	conf_free(f->conf);
	rc = nftw(f->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return rc;
}

/* dir/rel, in one of four static buffers used in turn. */
static const char *
path_of(const struct fixture *f, const char *rel)
{
	static char buf[4][PATH_MAX];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", f->dir, rel);
	return buf[i];
}

static void
make_dir(const struct fixture *f, const char *rel)
{
	assert_int_equal(mkdir(path_of(f, rel), 0755), 0);
}

/* Write text to dir/rel; rel's directories must exist. */
static void
write_file(const struct fixture *f, const char *rel, const char *text)
{
	FILE *fp = fopen(path_of(f, rel), "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* Load dir/rel (with prefix, which may be NULL) into f->conf. */
static struct conf *
load(struct fixture *f, const char *rel, const char *prefix)
{
	conf_free(f->conf);
	f->conf = conf_load(path_of(f, rel), prefix);
	assert_non_null(f->conf);
	return f->conf;
}

static struct pool_conf *
pool_named(const struct conf *conf, const char *name)
{
	for (struct pool_conf *p = conf->pools; p != NULL; p = p->next)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

static void
dump(const char *what, char **list, size_t n)
{
	print_message("%zu %s:\n", n, what);
	for (size_t i = 0; i < n; i++)
		print_message("  %s\n", list[i]);
}

/* Whether list holds a message that starts with "file:line: " and
 * contains text.  Prints the list when it does not. */
static int
has_message(char **list, size_t n, const char *what, const char *file,
    int line, const char *text)
{
	char prefix[PATH_MAX + 32];
	size_t pl;

	pl = (size_t)snprintf(prefix, sizeof(prefix), "%s:%d: ", file, line);
	for (size_t i = 0; i < n; i++)
		if (strncmp(list[i], prefix, pl) == 0 &&
		    strstr(list[i] + pl, text) != NULL)
			return 1;
	print_message("no %s '%s...%s' among ", what, prefix, text);
	dump(what, list, n);
	return 0;
}

static int
has_error(const struct conf *c, const char *file, int line, const char *text)
{
	return has_message(c->errors, c->nerrors, "error", file, line, text);
}

static int
has_warning(const struct conf *c, const char *file, int line,
    const char *text)
{
	return has_message(c->warnings, c->nwarnings, "warning", file, line,
	    text);
}

static void
assert_no_errors(const struct conf *c)
{
	if (c->nerrors != 0)
		dump("errors", c->errors, c->nerrors);
	assert_int_equal(c->nerrors, 0);
}

static void
assert_env(const struct pool_conf *p, const char *kv)
{
	for (size_t i = 0; i < p->nenv; i++)
		if (strcmp(p->env[i], kv) == 0)
			return;
	print_message("'%s' not in the %zu env entries of pool %s:\n", kv,
	    p->nenv, p->name);
	for (size_t i = 0; i < p->nenv; i++)
		print_message("  %s\n", p->env[i]);
	fail();
}

/* A minimal valid pool, to surround the line under test. */
#define POOL_WWW "[www]\nlisten = 127.0.0.1:9000\napp = /srv/www/app.so\n"

#define NELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Where one directive under test goes, in an otherwise valid file: alone
 * in [global] (line 2), or as line 4 of pool www. */
enum scope { IN_GLOBAL, IN_POOL };

/* A value as written, and the number it must be read as. */
struct value_case {
	const char *text;
	long long want;
};

/* Load a valid file with "name = value" in scope.  Returns its line. */
static int
load_directive(struct fixture *f, enum scope scope, const char *name,
    const char *value)
{
	char text[1024];

	if (scope == IN_GLOBAL)
		snprintf(text, sizeof(text), "[global]\n%s = %s\n" POOL_WWW,
		    name, value);
	else
		snprintf(text, sizeof(text), POOL_WWW "%s = %s\n", name, value);
	write_file(f, "fpm.ini", text);
	load(f, "fpm.ini", NULL);
	return scope == IN_GLOBAL ? 2 : 4;
}

/* The long long at offset off of [global] or of pool www. */
static long long
number_at(const struct fixture *f, enum scope scope, size_t off)
{
	const char *base = scope == IN_GLOBAL ?
	    (const char *)&f->conf->global :
	    (const char *)pool_named(f->conf, "www");

	assert_non_null(base);
	return *(const long long *)(base + off);
}

/* Each case, written as "name = text", loads without error and is read
 * as its number into the field at off. */
static void
assert_reads(struct fixture *f, enum scope scope, const char *name,
    size_t off, const struct value_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		long long got;

		load_directive(f, scope, name, cases[i].text);
		assert_no_errors(f->conf);
		got = number_at(f, scope, off);
		if (got != cases[i].want)
			fail_msg("'%s = %s' was read as %lld, not %lld", name,
			    cases[i].text, got, cases[i].want);
	}
}

/* Each bad value, written as "name = value", is the one error of the
 * file: at its line, naming the section and the directive, then why,
 * with the value quoted. */
static void
assert_rejects(struct fixture *f, enum scope scope, const char *name,
    const char *const *bad, size_t n, const char *why)
{
	char text[512], quoted[256];

	for (size_t i = 0; i < n; i++) {
		int line = load_directive(f, scope, name, bad[i]);

		if (f->conf->nerrors != 1) {
			print_message("'%s = %s': ", name, bad[i]);
			dump("errors", f->conf->errors, f->conf->nerrors);
			fail();
		}
		snprintf(text, sizeof(text), "[%s] '%s': %s",
		    scope == IN_GLOBAL ? "global" : "www", name, why);
		assert_true(has_error(f->conf, path_of(f, "fpm.ini"), line,
		    text));
		snprintf(quoted, sizeof(quoted), "'%s'", bad[i]);
		assert_non_null(strstr(f->conf->errors[0], quoted));
	}
}

/* Load text as fpm.ini and validate it (not as root). */
static struct conf *
validate_text(struct fixture *f, const char *text)
{
	write_file(f, "fpm.ini", text);
	load(f, "fpm.ini", NULL);
	conf_validate(f->conf, 0, 0);
	return f->conf;
}

/* ---- a good file ---------------------------------------------------------- */

static void
good_file_with_global_and_two_pools_is_parsed_into_its_values(void **state)
{
	struct fixture *f = *state;
	struct pool_conf *www, *api;
	struct conf *c;

	write_file(f, "fpm.ini",
	    "; comment\n"					/* 1 */
	    "[global]\n"					/* 2 */
	    "pid = run/fpm.pid\n"				/* 3 */
	    "error_log = stderr\n"				/* 4 */
	    "log_level = debug\n"				/* 5 */
	    "daemonize = no\n"					/* 6 */
	    "process_control_timeout = 1m\n"			/* 7 */
	    "\n"						/* 8 */
	    "[www]\n"						/* 9 */
	    "listen = /run/fpm-www.sock\n"			/* 10 */
	    "listen.mode = 0600\n"				/* 11 */
	    "listen.backlog = -1\n"				/* 12 */
	    "pm = static\n"					/* 13 */
	    "pm.max_children = 7\n"				/* 14 */
	    "clear_env = no\n"					/* 15 */
	    "env[FOO] = bar\n"					/* 16 */
	    "env[POOL] = $pool\n"				/* 17 */
	    "rlimit_core = unlimited\n"				/* 18 */
	    "rlimit_files = 1024\n"				/* 19 */
	    "process.priority = -5\n"				/* 20 */
	    "chdir = /srv\n"					/* 21 */
	    "app = /srv/www/app.so\n"				/* 22 */
	    "\n"						/* 23 */
	    "[api]\n"						/* 24 */
	    "listen = 9001\n"					/* 25 */
	    "listen.allowed_clients = 127.0.0.1, ::1\n"		/* 26 */
	    "app = /srv/api/app.so\n");				/* 27 */
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 0);
	assert_no_errors(c);
	assert_int_equal(c->nwarnings, 0);
	assert_string_equal(c->file, path_of(f, "fpm.ini"));

	assert_string_equal(c->global.pid, path_of(f, "run/fpm.pid"));
	assert_string_equal(c->global.error_log, "stderr");
	assert_int_equal(c->global.log_level, LOG_LEVEL_DEBUG);
	assert_int_equal(c->global.daemonize, 0);
	assert_int_equal(c->global.process_control_timeout, 60);

	assert_int_equal(c->npools, 2);
	www = c->pools;
	assert_non_null(www);
	assert_string_equal(www->name, "www");
	assert_string_equal(www->section.file, path_of(f, "fpm.ini"));
	assert_int_equal(www->section.line, 9);
	assert_string_equal(www->listen, "/run/fpm-www.sock");
	assert_true(addr_is_unix(&www->listen_addr));
	assert_string_equal(www->listen_addr.u.un.sun_path,
	    "/run/fpm-www.sock");
	assert_int_equal(www->listen_mode, 0600);
	assert_int_equal(www->listen_backlog, -1);
	assert_int_equal(www->pm, PM_STATIC);
	assert_int_equal(www->max_children, 7);
	assert_int_equal(www->clear_env, 0);
	assert_int_equal(www->nenv, 2);
	assert_env(www, "FOO=bar");
	assert_env(www, "POOL=www");
	assert_null(www->env[www->nenv]);
	assert_true(www->rlimit_core == CONF_INFINITY);
	assert_int_equal(www->rlimit_files, 1024);
	assert_int_equal(www->priority, -5);
	assert_string_equal(www->chdir, "/srv");
	assert_int_equal(www->sapi, SAPI_NATIVE);
	assert_string_equal(www->app, "/srv/www/app.so");

	api = www->next;
	assert_non_null(api);
	assert_ptr_equal(pool_named(c, "api"), api);
	assert_int_equal(api->section.line, 24);
	assert_string_equal(api->listen, "0.0.0.0:9001");
	assert_false(addr_is_unix(&api->listen_addr));
	assert_int_equal(api->allowed_clients.n, 2);
	assert_null(api->next);
}

static void
pool_defaults_apply_when_directives_are_absent(void **state)
{
	struct fixture *f = *state;
	struct pool_conf *p;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW);
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 0);
	p = pool_named(c, "www");
	assert_non_null(p);
	assert_int_equal(p->listen_mode, 0660);
	assert_int_equal(p->listen_backlog, 511);
	assert_int_equal(p->max_children, 5);
	assert_int_equal(p->pm, PM_STATIC);
	assert_int_equal(p->clear_env, 1);
	assert_string_equal(p->chdir, "/");
	assert_true(p->rlimit_core == CONF_UNSET);
	assert_true(p->rlimit_files == CONF_UNSET);
	assert_true(p->priority == CONF_UNSET);
	assert_null(p->user);
	assert_null(p->chroot);
	assert_int_equal(p->nenv, 0);
	assert_int_equal(c->global.process_control_timeout, 10);
	assert_int_equal(c->global.daemonize, 1);
	assert_int_equal(c->global.log_level, LOG_LEVEL_NOTICE);
	assert_string_equal(c->global.error_log, "stderr");
	assert_null(c->global.pid);
}

static void
process_control_timeout_accepts_time_suffixes(void **state)
{
	static const struct {
		const char *text;
		long long seconds;
	} cases[] = {
		{ "45", 45 }, { "30s", 30 }, { "1m", 60 }, { "2h", 7200 },
		{ "1d", 86400 }, { "0", 0 },
	};
	struct fixture *f = *state;
	char text[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conf *c;

		snprintf(text, sizeof(text), "[global]\n"
		    "process_control_timeout = %s\n" POOL_WWW, cases[i].text);
		write_file(f, "fpm.ini", text);
		c = load(f, "fpm.ini", NULL);
		assert_no_errors(c);
		assert_int_equal(c->global.process_control_timeout,
		    cases[i].seconds);
	}
}

static void
repeated_env_entry_replaces_the_earlier_value(void **state)
{
	struct fixture *f = *state;
	struct pool_conf *p;

	write_file(f, "fpm.ini", POOL_WWW "env[A] = 1\nenv[AB] = 2\n"
	    "env[A] = 3\n");
	p = pool_named(load(f, "fpm.ini", NULL), "www");
	assert_non_null(p);
	assert_int_equal(p->nenv, 2);
	assert_string_equal(p->env[0], "A=3");
	assert_string_equal(p->env[1], "AB=2");
}

static void
quoted_values_lose_their_quotes(void **state)
{
	struct fixture *f = *state;
	struct pool_conf *p;

	write_file(f, "fpm.ini", "[www]\nlisten = \"127.0.0.1:9000\"\n"
	    "app = \"/srv/my app.so\"\nenv[GREETING] = \"hello world\"\n");
	p = pool_named(load(f, "fpm.ini", NULL), "www");
	assert_no_errors(f->conf);
	assert_non_null(p);
	assert_string_equal(p->listen, "127.0.0.1:9000");
	assert_string_equal(p->app, "/srv/my app.so");
	assert_env(p, "GREETING=hello world");
}

static void
conf_where_names_the_directive_line_or_else_the_section(void **state)
{
	struct fixture *f = *state;
	const struct loc *loc;
	struct pool_conf *p;

	write_file(f, "fpm.ini", "[global]\n\n" POOL_WWW);
	p = pool_named(load(f, "fpm.ini", NULL), "www");
	assert_non_null(p);
	loc = conf_where(p, "app");
	assert_string_equal(loc->file, path_of(f, "fpm.ini"));
	assert_int_equal(loc->line, 5);
	loc = conf_where(p, "user");
	assert_ptr_equal(loc, &p->section);
	assert_int_equal(loc->line, 3);
}

/* ---- includes, paths and expansion -------------------------------------- */

static void
include_reads_every_matching_file_relative_to_the_including_file(
    void **state)
{
	struct fixture *f = *state;
	struct pool_conf *a, *b;
	struct conf *c;

	make_dir(f, "etc");
	make_dir(f, "etc/pools.d");
	write_file(f, "etc/fpm.ini", "[global]\ninclude = pools.d/*.conf\n");
	write_file(f, "etc/pools.d/b.conf", "\n[b]\nlisten = 9002\n"
	    "app = /srv/b.so\n");
	write_file(f, "etc/pools.d/a.conf", "[a]\nlisten = 9001\n"
	    "app = /srv/a.so\n");
	write_file(f, "etc/pools.d/ignored.txt", "[nope]\n");
	c = load(f, "etc/fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 0);
	assert_int_equal(c->npools, 2);
	a = c->pools;
	b = a->next;
	assert_string_equal(a->name, "a");
	assert_string_equal(a->section.file, path_of(f, "etc/pools.d/a.conf"));
	assert_int_equal(a->section.line, 1);
	assert_string_equal(b->name, "b");
	assert_string_equal(b->section.file, path_of(f, "etc/pools.d/b.conf"));
	assert_int_equal(b->section.line, 2);
	assert_null(pool_named(c, "nope"));
}

static void
include_that_matches_nothing_is_only_a_warning(void **state)
{
	struct fixture *f = *state;
	char text[PATH_MAX];
	struct conf *c;

	make_dir(f, "pools.d");
	write_file(f, "fpm.ini", "[global]\ninclude = pools.d/*.conf\n"
	    POOL_WWW);
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 0);
	snprintf(text, sizeof(text), "include: no file matches '%s'",
	    path_of(f, "pools.d/*.conf"));
	assert_true(has_warning(c, path_of(f, "fpm.ini"), 2, text));
}

static void
include_glob_in_a_missing_directory_is_reported_at_the_include_line(
    void **state)
{
	struct fixture *f = *state;
	char text[PATH_MAX];
	struct conf *c;

	write_file(f, "fpm.ini", "[global]\ninclude = pools.d/*.conf\n"
	    POOL_WWW);
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 1);
	snprintf(text, sizeof(text), "include: cannot read '%s'",
	    path_of(f, "pools.d/*.conf"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 2, text));
}

static void
relative_app_is_resolved_against_the_directory_of_its_file(void **state)
{
	struct fixture *f = *state;
	struct pool_conf *p;
	struct conf *c;

	make_dir(f, "pools.d");
	write_file(f, "fpm.ini", "include = pools.d/www.conf\n");
	write_file(f, "pools.d/www.conf", "[www]\nlisten = var/www.sock\n"
	    "app = lib/app.so\n");
	c = load(f, "fpm.ini", NULL);
	assert_no_errors(c);
	p = pool_named(c, "www");
	assert_non_null(p);
	assert_string_equal(p->app, path_of(f, "pools.d/lib/app.so"));
	assert_string_equal(p->listen, path_of(f, "pools.d/var/www.sock"));
}

static void
relative_app_and_listen_are_resolved_against_the_prefix_when_given(
    void **state)
{
	struct fixture *f = *state;
	struct pool_conf *p;
	struct conf *c;

	make_dir(f, "pools.d");
	write_file(f, "fpm.ini", "[global]\npid = run/fpm.pid\n"
	    "include = pools.d/*.conf\n");
	write_file(f, "pools.d/www.conf", "[www]\n"
	    "listen = var/run/$pool.sock\napp = lib/fpm/hello.so\n"
	    "chroot = /srv/abs\n");
	c = load(f, "fpm.ini", "/opt/fpm");
	assert_no_errors(c);
	assert_string_equal(c->prefix, "/opt/fpm");
	assert_string_equal(c->global.pid, "/opt/fpm/run/fpm.pid");
	p = pool_named(c, "www");
	assert_non_null(p);
	assert_string_equal(p->app, "/opt/fpm/lib/fpm/hello.so");
	assert_string_equal(p->listen, "/opt/fpm/var/run/www.sock");
	assert_string_equal(p->chroot, "/srv/abs");
}

static void
pool_name_and_environment_variables_are_expanded_in_values(void **state)
{
	struct fixture *f = *state;
	struct pool_conf *p;
	struct conf *c;

	assert_int_equal(setenv("FPM_TEST_PORT", "9123", 1), 0);
	assert_int_equal(setenv("FPM_TEST_ROOT", "/srv/sites", 1), 0);
	write_file(f, "fpm.ini", "[global]\n"
	    "error_log = /var/log/$pool.log\n"
	    "[shop]\n"
	    "listen = 127.0.0.1:${FPM_TEST_PORT}\n"
	    "app = ${FPM_TEST_ROOT}/$pool/app.so\n"
	    "env[SITE] = $pool-${FPM_TEST_PORT}\n");
	c = load(f, "fpm.ini", NULL);
	unsetenv("FPM_TEST_PORT");
	unsetenv("FPM_TEST_ROOT");
	assert_no_errors(c);
	/* Outside a pool there is no pool name to put in. */
	assert_string_equal(c->global.error_log, "/var/log/$pool.log");
	p = pool_named(c, "shop");
	assert_non_null(p);
	assert_string_equal(p->listen, "127.0.0.1:9123");
	assert_string_equal(p->app, "/srv/sites/shop/app.so");
	assert_env(p, "SITE=shop-9123");
}

/* ---- errors, each with its file and line -------------------------------- */

static void
unknown_directive_is_reported_with_file_and_line(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "[global]\nlog_levle = debug\n" POOL_WWW
	    "pm.max_chidlren = 4\n");
	c = load(f, "fpm.ini", NULL);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 2,
	    "[global] unknown directive 'log_levle'"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 6,
	    "[www] unknown directive 'pm.max_chidlren'"));
	assert_int_equal(c->nerrors, 2);
}

static void
pool_directive_in_global_section_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "[global]\n\npm.max_children = 3\n" POOL_WWW);
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 3,
	    "'pm.max_children' belongs in a pool section, not in [global]"));
}

static void
global_directive_in_pool_section_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW "pid = /run/fpm.pid\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
	    "'pid' belongs in [global], not in [www]"));
}

static void
non_integer_max_children_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW "pm.max_children = abc\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
	    "[www] 'pm.max_children': expected an integer in 1..100000, "
	    "got 'abc'"));
}

static void
max_children_of_zero_is_out_of_range(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW "pm.max_children = 0\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
	    "'pm.max_children': expected an integer in 1..100000, got '0'"));
}

static void
listen_backlog_above_65535_is_out_of_range(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW "listen.backlog = 70000\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
	    "'listen.backlog': expected an integer in -1..65535, "
	    "got '70000'"));
}

static void
time_out_of_range_or_with_unknown_suffix_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "[global]\nprocess_control_timeout = 2d\n"
	    "process_control_timeout = 10x\n" POOL_WWW);
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 2);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 2,
	    "'process_control_timeout': expected a time"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 3,
	    "got '10x'"));
}

static void
listen_mode_that_is_not_octal_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW "listen.mode = 0689\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
	    "'listen.mode': expected an octal mode"));
}

static void
invalid_bool_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "[global]\ndaemonize = perhaps\n" POOL_WWW
	    "clear_env = nein\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 2);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 2,
	    "[global] 'daemonize': expected yes or no, got 'perhaps'"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 6,
	    "[www] 'clear_env': expected yes or no, got 'nein'"));
}

static void
invalid_log_level_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "[global]\nlog_level = verbose\n" POOL_WWW);
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 2,
	    "[global] 'log_level': expected alert, error, warning, notice or "
	    "debug, got 'verbose'"));
}

static void
invalid_pm_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW "pm = elastic\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
	    "[www] 'pm': expected static, dynamic or ondemand, got 'elastic'"));
}

static void
invalid_sapi_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW "sapi = perl\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
	    "[www] 'sapi': expected php, native or cgi, got 'perl'"));
}

#ifdef HAVE_PHP
/* Without sapi and app a pool runs PHP, as in php-fpm; with app, it is
 * native. */
static void
a_pool_without_sapi_or_app_runs_php(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "[php]\nlisten = 9000\n"
	    "[native]\nlisten = 9001\napp = /srv/app.so\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 0);
	assert_int_equal(c->pools->sapi, SAPI_PHP);
	assert_int_equal(c->pools->next->sapi, SAPI_NATIVE);
	assert_string_equal(c->pools->limit_extensions, ".php .phar");
}

/* php_value[] and kin: flags become 1 or 0, a later setting of a name
 * replaces the earlier one, admin marks stick. */
static void
php_values_are_kept_as_php_fpm_reads_them(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "[php]\nlisten = 9000\n"
	    "php_value[memory_limit] = 100M\n"
	    "php_flag[display_errors] = on\n"
	    "php_admin_flag[log_errors] = off\n"
	    "php_admin_value[memory_limit] = 64M\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 0);
	assert_int_equal(c->pools->nphp_ini, 3);
	assert_string_equal(c->pools->php_ini[0].name, "memory_limit");
	assert_string_equal(c->pools->php_ini[0].value, "64M");
	assert_int_equal(c->pools->php_ini[0].admin, 1);
	assert_int_equal(c->pools->php_ini[0].where.line, 6);
	assert_string_equal(c->pools->php_ini[1].value, "1");
	assert_int_equal(c->pools->php_ini[1].admin, 0);
	assert_string_equal(c->pools->php_ini[2].value, "0");
	assert_int_equal(c->pools->php_ini[2].admin, 1);
}

static void
bad_php_flag_and_empty_name_are_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "[php]\nlisten = 9000\n"
	    "php_flag[display_errors] = maybe\n"
	    "php_value[] = 1\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 2);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 3,
	    "[php] 'php_flag[display_errors]': expected on or off, got "
	    "'maybe'"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
	    "[php] 'php_value[]': the php.ini name is missing"));
}
#endif

/* access.suppress_path[] collects a list. */
static void
suppress_paths_are_a_list(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW "access.suppress_path[] = /ping\n"
	    "access.suppress_path[] = /health\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 0);
	assert_int_equal(c->pools->nsuppress_paths, 2);
	assert_string_equal(c->pools->suppress_paths[1], "/health");
}

static void
cgi_sapi_needs_no_app_and_a_real_cgi_root(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "[www]\nlisten = 127.0.0.1:9000\n"
	    "sapi = cgi\ncgi.root = /no/such/dir\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 0);
	assert_int_equal(conf_validate(c, 0, 0), 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
	    "[pool www] cgi.root '/no/such/dir' is not a directory"));
}

static void
invalid_listen_address_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "[www]\nlisten = 127.0.0.1:0\n"
	    "app = /srv/app.so\n");
	c = load(f, "fpm.ini", NULL);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 2,
	    "[www] 'listen': '127.0.0.1:0' has no valid port"));
}

static void
duplicate_pool_is_reported_at_its_second_section(void **state)
{
	struct fixture *f = *state;
	char text[PATH_MAX + 64];
	struct pool_conf *p;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW "\n[www]\nlisten = 9005\n"
	    "pm.max_children = abc\n");
	c = load(f, "fpm.ini", NULL);
	snprintf(text, sizeof(text), "duplicate pool 'www' (first defined at "
	    "%s:1)", path_of(f, "fpm.ini"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 5, text));
	/* The duplicate's values are ignored, not merged or checked. */
	assert_int_equal(c->nerrors, 1);
	assert_int_equal(c->npools, 1);
	p = pool_named(c, "www");
	assert_string_equal(p->listen, "127.0.0.1:9000");
}

static void
pool_defined_again_after_an_include_is_reported_with_both_places(
    void **state)
{
	struct fixture *f = *state;
	char text[PATH_MAX + 64];
	struct conf *c;

	make_dir(f, "pools.d");
	write_file(f, "fpm.ini", "[global]\ninclude = pools.d/*.conf\n\n"
	    POOL_WWW);
	write_file(f, "pools.d/a.conf", "; the same name again\n\n[www]\n"
	    "listen = 9100\napp = /srv/x.so\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->npools, 1);
	snprintf(text, sizeof(text), "duplicate pool 'www' (first defined at "
	    "%s:3)", path_of(f, "pools.d/a.conf"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4, text));
	assert_int_equal(c->nerrors, 1);
}

static void
duplicate_pool_in_an_included_file_is_reported_in_that_file(void **state)
{
	struct fixture *f = *state;
	char text[PATH_MAX + 64];
	struct conf *c;

	make_dir(f, "pools.d");
	write_file(f, "fpm.ini", POOL_WWW "\n[global]\n"
	    "include = pools.d/*.conf\n");
	write_file(f, "pools.d/a.conf", "[other]\nlisten = 9100\n"
	    "app = /srv/x.so\n\n[www]\nlisten = 9101\n");
	c = load(f, "fpm.ini", NULL);
	snprintf(text, sizeof(text), "duplicate pool 'www' (first defined at "
	    "%s:1)", path_of(f, "fpm.ini"));
	assert_true(has_error(c, path_of(f, "pools.d/a.conf"), 5, text));
	assert_int_equal(c->nerrors, 1);
	assert_int_equal(c->npools, 2);
}

static void
two_pools_on_one_listen_address_are_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini",
	    "[a]\nlisten = 9000\napp = /srv/a.so\n"
	    "[b]\napp = /srv/b.so\nlisten = 0.0.0.0:9000\n"
	    "[c]\nlisten = /run/c.sock\napp = /srv/c.so\n"
	    "[d]\nlisten = /run/c.sock\napp = /srv/d.so\n");
	c = load(f, "fpm.ini", NULL);
	assert_no_errors(c);
	assert_int_equal(conf_validate(c, 0, 0), 2);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 6,
	    "[pool b] listen address '0.0.0.0:9000' is already used by "
	    "pool 'a'"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 11,
	    "[pool d] listen address '/run/c.sock' is already used by "
	    "pool 'c'"));
}

static void
pool_without_listen_is_reported_at_its_section(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "[global]\n\n[www]\napp = /srv/app.so\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 3,
	    "[pool www] 'listen' is not set"));
}

static void
pool_without_app_is_reported_at_its_section(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "\n[www]\nlisten = 9000\nsapi = native\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 2,
	    "[pool www] 'app' is not set"));
}

static void
file_without_pools_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "[global]\nlog_level = notice\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 1,
	    "no pool defined"));
}

static void
empty_pool_name_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW "[]\nlisten = 9001\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
	    "empty pool name '[]'"));
	assert_int_equal(c->npools, 1);
}

static void
missing_include_file_is_reported_at_the_include_line(void **state)
{
	struct fixture *f = *state;
	char text[PATH_MAX + 64];
	struct conf *c;

	write_file(f, "fpm.ini", "[global]\n; pools\ninclude = pools/www.conf\n"
	    POOL_WWW);
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 1);
	snprintf(text, sizeof(text), "include: cannot read '%s': No such file "
	    "or directory", path_of(f, "pools/www.conf"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 3, text));
}

/* Root reads any mode, so the file is made unreadable for everyone: a
 * symbolic link to itself (ELOOP).  tests/e2e covers EACCES as nobody. */
static void
unreadable_include_file_is_reported_at_its_include_line(void **state)
{
	struct fixture *f = *state;
	char text[PATH_MAX + 128];
	struct conf *c;

	assert_int_equal(symlink("www.conf", path_of(f, "www.conf")), 0);
	write_file(f, "fpm.ini", "[global]\ninclude = www.conf\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 1);
	snprintf(text, sizeof(text), "%s:2: include: cannot read '%s': %s",
	    path_of(f, "fpm.ini"), path_of(f, "www.conf"), strerror(ELOOP));
	assert_string_equal(c->errors[0], text);
}

static void
missing_main_file_is_reported(void **state)
{
	struct fixture *f = *state;
	char text[PATH_MAX + 64];
	struct conf *c;

	c = load(f, "nope.ini", NULL);
	assert_int_equal(c->nerrors, 1);
	snprintf(text, sizeof(text), "%s: cannot read: %s",
	    path_of(f, "nope.ini"), strerror(ENOENT));
	assert_string_equal(c->errors[0], text);
	assert_int_equal(c->npools, 0);
}

static void
include_nested_too_deeply_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "[global]\ninclude = fpm.ini\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 2,
	    "include nested too deeply"));
}

/* inih reads lines into a 200-byte buffer: 198 characters, the newline
 * and the NUL. */
static void
line_longer_than_inih_limit_is_reported_and_later_lines_keep_their_numbers(
    void **state)
{
	struct fixture *f = *state;
	char text[1024], app[256];
	struct pool_conf *p;
	struct conf *c;

	/* "app = " + 193 characters = 199 characters on line 3. */
	memset(app, 'a', 193);
	app[0] = '/';
	app[193] = '\0';
	snprintf(text, sizeof(text), "[www]\nlisten = 9000\napp = %s\n"
	    "pm.max_children = zero\n", app);
	write_file(f, "fpm.ini", text);
	c = load(f, "fpm.ini", NULL);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 3,
	    "line is longer than 198 characters"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
	    "'pm.max_children': expected an integer"));
	assert_int_equal(c->nerrors, 2);
	p = pool_named(c, "www");
	assert_null(p->app);
}

static void
line_of_198_characters_is_accepted_whole(void **state)
{
	struct fixture *f = *state;
	char text[1024], app[256];
	struct pool_conf *p;
	struct conf *c;

	memset(app, 'a', 192);
	app[0] = '/';
	app[192] = '\0';
	snprintf(text, sizeof(text), "[www]\nlisten = 9000\napp = %s\n", app);
	write_file(f, "fpm.ini", text);
	c = load(f, "fpm.ini", NULL);
	assert_no_errors(c);
	p = pool_named(c, "www");
	assert_string_equal(p->app, app);
}

static void
line_without_equals_sign_is_a_syntax_error(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW "pm.max_children 4\n"
	    "pm.max_children = 6\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
	    "syntax error: expected '[section]' or 'key = value'"));
	/* The lines after it are still read. */
	assert_int_equal(pool_named(c, "www")->max_children, 6);
}

static void
syntax_error_in_an_included_file_names_that_file(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "include = www.conf\n");
	write_file(f, "www.conf", POOL_WWW "[broken\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 1);
	assert_true(has_error(c, path_of(f, "www.conf"), 4, "syntax error"));
}

static void
undefined_environment_variable_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	unsetenv("FPM_TEST_UNDEFINED");
	write_file(f, "fpm.ini", POOL_WWW
	    "env[X] = ${FPM_TEST_UNDEFINED}/bin\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(c->nerrors, 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
	    "[www] 'env[X]': environment variable 'FPM_TEST_UNDEFINED' is "
	    "not set"));
}

static void
root_without_user_is_refused_unless_root_is_allowed(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "\n" POOL_WWW);
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 1, 0), 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 2,
	    "[pool www] workers would run as root"));

	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 1, 1), 0);
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 0);
}

static void
user_root_is_refused_unless_root_is_allowed(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW "user = root\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 1, 0), 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
	    "[pool www] workers would run as root"));
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 1, 1), 0);
}

static void
existing_unprivileged_user_is_accepted_as_root(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW "user = nobody\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 1, 0), 0);
	assert_int_equal(c->nwarnings, 0);
}

static void
user_is_ignored_with_a_warning_when_not_running_as_root(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW "user = fpm-test-no-such-user\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 0);
	assert_true(has_warning(c, path_of(f, "fpm.ini"), 4,
	    "[pool www] 'user' is ignored when fpm is not running as root"));
}

static void
user_that_does_not_exist_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW "user = fpm-test-no-such-user\n"
	    "group = fpm-test-no-such-group\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 1, 0), 2);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
	    "[pool www] user 'fpm-test-no-such-user' does not exist"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 5,
	    "[pool www] group 'fpm-test-no-such-group' does not exist"));
}

static void
listen_owner_and_group_that_do_not_exist_are_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "[www]\nlisten = /run/www.sock\n"
	    "app = /srv/app.so\nlisten.owner = fpm-test-no-such-user\n"
	    "listen.group = fpm-test-no-such-group\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 2);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
	    "[pool www] listen.owner 'fpm-test-no-such-user' does not exist"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 5,
	    "[pool www] listen.group 'fpm-test-no-such-group' does not "
	    "exist"));
}

static void
relative_chdir_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW "chdir = srv/www\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
	    "[pool www] chdir 'srv/www' must be an absolute path"));
}

static void
chroot_that_is_not_a_directory_is_reported(void **state)
{
	struct fixture *f = *state;
	char text[PATH_MAX + 64], conf[PATH_MAX * 2];
	struct conf *c;

	write_file(f, "jail", "a file\n");
	snprintf(conf, sizeof(conf), "[a]\nlisten = 9000\nchroot = jail\n"
	    "app = %s/app.so\n[b]\nlisten = 9001\nchroot = %s\n"
	    "app = %s/app.so\n", path_of(f, "jail"), path_of(f, "void"),
	    path_of(f, "void"));
	write_file(f, "fpm.ini", conf);
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 2);
	snprintf(text, sizeof(text), "[pool a] chroot '%s' is not a directory",
	    path_of(f, "jail"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 3, text));
	snprintf(text, sizeof(text), "[pool b] chroot '%s' is not a directory",
	    path_of(f, "void"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 7, text));
}

static void
app_outside_chroot_is_reported_and_app_inside_is_accepted(void **state)
{
	struct fixture *f = *state;
	char text[PATH_MAX + 64], conf[PATH_MAX * 2];
	struct conf *c;

	make_dir(f, "jail");
	/* "jail2" shares the prefix "jail" but is another directory. */
	snprintf(conf, sizeof(conf),
	    "[in]\nlisten = 9000\nchroot = jail\napp = jail/lib/app.so\n"
	    "[out]\nlisten = 9001\nchroot = jail\napp = /srv/app.so\n"
	    "[next]\nlisten = 9002\nchroot = jail\napp = %s/app.so\n",
	    path_of(f, "jail2"));
	write_file(f, "fpm.ini", conf);
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 2);
	snprintf(text, sizeof(text), "[pool out] app '/srv/app.so' is outside "
	    "chroot '%s'", path_of(f, "jail"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 8, text));
	snprintf(text, sizeof(text), "[pool next] app '%s/app.so' is outside "
	    "chroot", path_of(f, "jail2"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 12, text));
}

static void
bad_allowed_clients_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW
	    "listen.allowed_clients = 127.0.0.1, example.org\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
	    "[pool www] listen.allowed_clients: 'example.org' is not an IP "
	    "address"));
}

static void
every_value_error_of_a_file_is_collected(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini",
	    "[global]\n"
	    "log_level = loud\n"			/* 2 */
	    "[www]\n"
	    "listen = 127.0.0.1:9000\n"
	    "pm.max_children = many\n"			/* 5 */
	    "app = /srv/app.so\n"
	    "no_such_thing = 1\n");			/* 7 */
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 3);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 2, "'log_level'"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 5,
	    "'pm.max_children'"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 7,
	    "unknown directive 'no_such_thing'"));
}

static void
unsupported_php_fpm_directives_warn_and_are_not_errors(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "[global]\nprocess.max = 128\n"
	    POOL_WWW "listen.acl_users = www-data\n"
	    "listen.setfib = 1\n"
	    "php_value[memory_limit] = 128M\n");
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 0);
	assert_int_equal(c->nwarnings, 4);
	assert_true(has_warning(c, path_of(f, "fpm.ini"), 2,
	    "[global] 'process.max' is not supported yet, ignored"));
	assert_true(has_warning(c, path_of(f, "fpm.ini"), 6,
	    "[www] 'listen.acl_users' is not supported yet, ignored"));
	assert_true(has_warning(c, path_of(f, "fpm.ini"), 7,
	    "[www] 'listen.setfib' is not supported yet, ignored"));
	assert_true(has_warning(c, path_of(f, "fpm.ini"), 8,
	    "[pool www] php_value and its kin apply to sapi = php only, "
	    "ignored"));
}

/* ---- pm and logging directives, one at a time ---------------------------- */

static void
pm_and_logging_directives_take_their_defaults_when_absent(void **state)
{
	struct fixture *f = *state;
	struct pool_conf *p;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW);
	c = load(f, "fpm.ini", NULL);
	assert_int_equal(conf_validate(c, 0, 0), 0);
	p = pool_named(c, "www");
	assert_non_null(p);
	assert_true(p->start_servers == CONF_UNSET);
	assert_true(p->min_spare == CONF_UNSET);
	assert_true(p->max_spare == CONF_UNSET);
	assert_int_equal(p->max_spawn_rate, 32);
	assert_int_equal(p->process_idle_timeout, 10);
	assert_int_equal(p->max_requests, 0);
	assert_int_equal(p->max_requests_jitter, 0);
	assert_int_equal(p->max_memory, 0);
	assert_int_equal(p->request_terminate_timeout, 0);
	assert_int_equal(p->terminate_track_finished, 0);
	assert_int_equal(p->catch_workers_output, 0);
	assert_int_equal(p->decorate_workers_output, 1);
	assert_null(p->access_log);
	assert_string_equal(p->access_format, ACCESS_FORMAT_DEFAULT);
	assert_int_equal(c->global.syslog_facility, LOG_DAEMON);
	assert_string_equal(c->global.syslog_ident, "fpm");
	assert_int_equal(c->global.log_limit, 1024);
	assert_int_equal(c->global.emergency_restart_threshold, 0);
	assert_int_equal(c->global.emergency_restart_interval, 0);
}

static const char *const not_a_positive_integer[] = { "0", "-1", "abc",
    "1.5", "4k", "", "100001" };

static void
pm_start_servers_takes_a_positive_integer(void **state)
{
	static const struct value_case good[] = { { "1", 1 }, { "3", 3 },
	    { "100000", 100000 } };

	assert_reads(*state, IN_POOL, "pm.start_servers",
	    offsetof(struct pool_conf, start_servers), good, NELEMS(good));
	assert_rejects(*state, IN_POOL, "pm.start_servers",
	    not_a_positive_integer, NELEMS(not_a_positive_integer),
	    "expected an integer in 1..100000, got");
}

static void
pm_min_spare_servers_takes_a_positive_integer(void **state)
{
	static const struct value_case good[] = { { "1", 1 }, { "2", 2 },
	    { "100000", 100000 } };

	assert_reads(*state, IN_POOL, "pm.min_spare_servers",
	    offsetof(struct pool_conf, min_spare), good, NELEMS(good));
	assert_rejects(*state, IN_POOL, "pm.min_spare_servers",
	    not_a_positive_integer, NELEMS(not_a_positive_integer),
	    "expected an integer in 1..100000, got");
}

static void
pm_max_spare_servers_takes_a_positive_integer(void **state)
{
	static const struct value_case good[] = { { "1", 1 }, { "6", 6 },
	    { "100000", 100000 } };

	assert_reads(*state, IN_POOL, "pm.max_spare_servers",
	    offsetof(struct pool_conf, max_spare), good, NELEMS(good));
	assert_rejects(*state, IN_POOL, "pm.max_spare_servers",
	    not_a_positive_integer, NELEMS(not_a_positive_integer),
	    "expected an integer in 1..100000, got");
}

static void
pm_max_spawn_rate_takes_a_positive_integer(void **state)
{
	static const struct value_case good[] = { { "1", 1 }, { "64", 64 },
	    { "100000", 100000 } };

	assert_reads(*state, IN_POOL, "pm.max_spawn_rate",
	    offsetof(struct pool_conf, max_spawn_rate), good, NELEMS(good));
	assert_rejects(*state, IN_POOL, "pm.max_spawn_rate",
	    not_a_positive_integer, NELEMS(not_a_positive_integer),
	    "expected an integer in 1..100000, got");
}

static void
pm_process_idle_timeout_takes_a_time_from_1_second_to_a_day(void **state)
{
	static const struct value_case good[] = { { "1", 1 }, { "10s", 10 },
	    { "2m", 120 }, { "1h", 3600 }, { "1d", 86400 } };
	static const char *const bad[] = { "0", "0s", "2d", "-5", "10ms",
	    "soon", "" };

	assert_reads(*state, IN_POOL, "pm.process_idle_timeout",
	    offsetof(struct pool_conf, process_idle_timeout), good,
	    NELEMS(good));
	assert_rejects(*state, IN_POOL, "pm.process_idle_timeout", bad,
	    NELEMS(bad), "expected a time (N, Ns, Nm, Nh or Nd) in 1..86400, "
	    "got");
}

static void
pm_max_requests_takes_a_count_where_0_means_never(void **state)
{
	static const struct value_case good[] = { { "0", 0 },
	    { "500", 500 }, { "9223372036854775806", LLONG_MAX - 1 } };
	static const char *const bad[] = { "-1", "many", "1e3", "1k",
	    "9223372036854775807", "" };

	assert_reads(*state, IN_POOL, "pm.max_requests",
	    offsetof(struct pool_conf, max_requests), good, NELEMS(good));
	assert_rejects(*state, IN_POOL, "pm.max_requests", bad, NELEMS(bad),
	    "expected an integer in 0..");
}

static void
pm_max_requests_jitter_takes_a_count(void **state)
{
	static const struct value_case good[] = { { "0", 0 }, { "50", 50 } };
	static const char *const bad[] = { "-1", "some", "10%", "" };

	assert_reads(*state, IN_POOL, "pm.max_requests_jitter",
	    offsetof(struct pool_conf, max_requests_jitter), good,
	    NELEMS(good));
	assert_rejects(*state, IN_POOL, "pm.max_requests_jitter", bad,
	    NELEMS(bad), "expected an integer in 0..");
}

static void
pm_max_memory_takes_a_size_in_bytes_with_k_m_or_g(void **state)
{
	static const struct value_case good[] = { { "0", 0 },
	    { "1048576", 1048576 }, { "512k", 512LL << 10 },
	    { "64M", 64LL << 20 }, { "64m", 64LL << 20 },
	    { "2G", 2LL << 30 } };
	static const char *const bad[] = { "-1", "64X", "64MB", "1t",
	    "1.5G", "lots", "" };

	assert_reads(*state, IN_POOL, "pm.max_memory",
	    offsetof(struct pool_conf, max_memory), good, NELEMS(good));
	assert_rejects(*state, IN_POOL, "pm.max_memory", bad, NELEMS(bad),
	    "expected a size (N, Nk, Nm or Ng)");
}

static void
request_terminate_timeout_takes_a_time_up_to_a_year(void **state)
{
	static const struct value_case good[] = { { "0", 0 },
	    { "30", 30 }, { "30s", 30 }, { "5m", 300 },
	    { "365d", 365 * 86400 } };
	static const char *const bad[] = { "-1", "366d", "30x", "forever",
	    "" };

	assert_reads(*state, IN_POOL, "request_terminate_timeout",
	    offsetof(struct pool_conf, request_terminate_timeout), good,
	    NELEMS(good));
	assert_rejects(*state, IN_POOL, "request_terminate_timeout", bad,
	    NELEMS(bad), "expected a time (N, Ns, Nm, Nh or Nd) in "
	    "0..31536000, got");
}

static const struct value_case yes_and_no[] = { { "yes", 1 }, { "on", 1 },
    { "True", 1 }, { "1", 1 }, { "no", 0 }, { "off", 0 }, { "0", 0 } };
static const char *const not_a_bool[] = { "maybe", "2", "y", "enabled" };

static void
request_terminate_timeout_track_finished_takes_a_bool(void **state)
{
	assert_reads(*state, IN_POOL, "request_terminate_timeout_track_finished",
	    offsetof(struct pool_conf, terminate_track_finished), yes_and_no,
	    NELEMS(yes_and_no));
	assert_rejects(*state, IN_POOL,
	    "request_terminate_timeout_track_finished", not_a_bool,
	    NELEMS(not_a_bool), "expected yes or no, got");
}

static void
catch_workers_output_takes_a_bool(void **state)
{
	assert_reads(*state, IN_POOL, "catch_workers_output",
	    offsetof(struct pool_conf, catch_workers_output), yes_and_no,
	    NELEMS(yes_and_no));
	assert_rejects(*state, IN_POOL, "catch_workers_output", not_a_bool,
	    NELEMS(not_a_bool), "expected yes or no, got");
}

static void
decorate_workers_output_takes_a_bool(void **state)
{
	assert_reads(*state, IN_POOL, "decorate_workers_output",
	    offsetof(struct pool_conf, decorate_workers_output), yes_and_no,
	    NELEMS(yes_and_no));
	assert_rejects(*state, IN_POOL, "decorate_workers_output",
	    not_a_bool, NELEMS(not_a_bool), "expected yes or no, got");
}

static void
access_log_takes_a_path_relative_to_its_file(void **state)
{
	struct fixture *f = *state;
	struct pool_conf *p;

	load_directive(f, IN_POOL, "access.log", "log/$pool.access.log");
	assert_no_errors(f->conf);
	p = pool_named(f->conf, "www");
	assert_string_equal(p->access_log, path_of(f, "log/www.access.log"));

	load_directive(f, IN_POOL, "access.log", "/var/log/fpm/www.log");
	assert_no_errors(f->conf);
	p = pool_named(f->conf, "www");
	assert_string_equal(p->access_log, "/var/log/fpm/www.log");
}

static void
empty_access_log_is_reported(void **state)
{
	static const char *const bad[] = { "" };

	assert_rejects(*state, IN_POOL, "access.log", bad, NELEMS(bad),
	    "expected a path, got ''");
}

static void
access_format_takes_php_fpm_codes_and_modifiers(void **state)
{
	static const char *const good[] = {
		ACCESS_FORMAT_DEFAULT,
		"%R - %u %{%d/%b/%Y:%H:%M:%S %z}t \"%m %r%Q%q\" %s %f "
		    "%{mili}d %{kilo}M %C%%",
		"%{REQUEST_ID}e %{X-Forwarded-For}i %{Content-Type}o %n %p %P "
		    "%T %l %{user}C %{micro}d %{bytes}M",
	};
	struct fixture *f = *state;

	for (size_t i = 0; i < NELEMS(good); i++) {
		struct pool_conf *p;

		load_directive(f, IN_POOL, "access.format", good[i]);
		assert_no_errors(f->conf);
		p = pool_named(f->conf, "www");
		assert_string_equal(p->access_format, good[i]);
	}
}

static void
bad_access_format_is_reported_with_the_directive_and_the_code(
    void **state)
{
	static const struct {
		const char *format, *why;
	} cases[] = {
		{ "%Z", "'%Z' at offset 0: unknown code %Z" },
		{ "%R %Z %s", "'%Z' at offset 3: unknown code %Z" },
		{ "%{seconds}m", "'%{seconds}m' at offset 0: %m takes no "
		    "modifier" },
		{ "%{hours}d", "'%{hours}d' at offset 0: the modifier of %d "
		    "must be one of seconds, milli, milliseconds, mili, "
		    "miliseconds, micro, microseconds" },
		{ "%e", "'%e' at offset 0: %e needs a name in braces, as "
		    "%{NAME}e" },
		{ "%{REQUEST_ID", "'%{REQUEST_ID' at offset 0: unterminated %{" },
		{ "%s %", "'%' at offset 3: no code letter follows" },
	};
	struct fixture *f = *state;
	char want[256];

	for (size_t i = 0; i < NELEMS(cases); i++) {
		int line = load_directive(f, IN_POOL, "access.format",
		    cases[i].format);

		if (f->conf->nerrors != 1)
			dump("errors", f->conf->errors, f->conf->nerrors);
		assert_int_equal(f->conf->nerrors, 1);
		snprintf(want, sizeof(want), "[www] 'access.format': %s",
		    cases[i].why);
		assert_true(has_error(f->conf, path_of(f, "fpm.ini"), line,
		    want));
	}
}

static void
syslog_facility_takes_a_facility_name_in_any_case(void **state)
{
	static const struct value_case good[] = {
		{ "daemon", LOG_DAEMON }, { "user", LOG_USER },
		{ "kern", LOG_KERN }, { "authpriv", LOG_AUTHPRIV },
		{ "local0", LOG_LOCAL0 }, { "LOCAL7", LOG_LOCAL7 },
		{ "Mail", LOG_MAIL },
	};
	static const char *const bad[] = { "local8", "daemons", "3",
	    "LOG_DAEMON", "" };

	assert_reads(*state, IN_GLOBAL, "syslog.facility",
	    offsetof(struct global_conf, syslog_facility), good, NELEMS(good));
	assert_rejects(*state, IN_GLOBAL, "syslog.facility", bad, NELEMS(bad),
	    "expected a syslog facility (daemon, user, local0..local7...), "
	    "got");
}

static void
syslog_ident_takes_any_name(void **state)
{
	struct fixture *f = *state;

	load_directive(f, IN_GLOBAL, "syslog.ident", "php-fpm");
	assert_no_errors(f->conf);
	assert_string_equal(f->conf->global.syslog_ident, "php-fpm");
}

static void
syslog_facility_in_a_pool_section_is_reported(void **state)
{
	struct fixture *f = *state;

	load_directive(f, IN_POOL, "syslog.facility", "local0");
	assert_int_equal(f->conf->nerrors, 1);
	assert_true(has_error(f->conf, path_of(f, "fpm.ini"), 4,
	    "'syslog.facility' belongs in [global], not in [www]"));
}

static void
log_limit_takes_64_to_8192_bytes(void **state)
{
	static const struct value_case good[] = { { "64", 64 },
	    { "1024", 1024 }, { "8192", 8192 } };
	static const char *const bad[] = { "63", "8193", "0", "-1", "1k",
	    "" };

	assert_reads(*state, IN_GLOBAL, "log_limit",
	    offsetof(struct global_conf, log_limit), good, NELEMS(good));
	assert_rejects(*state, IN_GLOBAL, "log_limit", bad, NELEMS(bad),
	    "expected an integer in 64..8192, got");
}

static void
emergency_restart_threshold_takes_a_count_where_0_means_never(
    void **state)
{
	static const struct value_case good[] = { { "0", 0 }, { "10", 10 },
	    { "100000", 100000 } };
	static const char *const bad[] = { "-1", "100001", "ten", "" };

	assert_reads(*state, IN_GLOBAL, "emergency_restart_threshold",
	    offsetof(struct global_conf, emergency_restart_threshold), good,
	    NELEMS(good));
	assert_rejects(*state, IN_GLOBAL, "emergency_restart_threshold", bad,
	    NELEMS(bad), "expected an integer in 0..100000, got");
}

static void
emergency_restart_interval_takes_a_time_up_to_a_year(void **state)
{
	static const struct value_case good[] = { { "0", 0 }, { "60", 60 },
	    { "1m", 60 }, { "1h", 3600 }, { "365d", 365 * 86400 } };
	static const char *const bad[] = { "-1", "366d", "1w", "" };

	assert_reads(*state, IN_GLOBAL, "emergency_restart_interval",
	    offsetof(struct global_conf, emergency_restart_interval), good,
	    NELEMS(good));
	assert_rejects(*state, IN_GLOBAL, "emergency_restart_interval", bad,
	    NELEMS(bad), "expected a time (N, Ns, Nm, Nh or Nd) in "
	    "0..31536000, got");
}

/* ---- pm = dynamic and ondemand: cross-checks and warnings ----------------- */

/* Pool www with pm = dynamic on line 4. */
#define DYNAMIC_WWW POOL_WWW "pm = dynamic\n"

static void
valid_dynamic_pool_validates_without_errors_or_warnings(void **state)
{
	struct fixture *f = *state;
	struct pool_conf *p;
	struct conf *c;

	c = validate_text(f, DYNAMIC_WWW
	    "pm.max_children = 20\n"
	    "pm.start_servers = 4\n"
	    "pm.min_spare_servers = 2\n"
	    "pm.max_spare_servers = 8\n"
	    "pm.max_spawn_rate = 16\n"
	    "pm.max_requests = 1000\n"
	    "pm.max_requests_jitter = 50\n"
	    "pm.max_memory = 256M\n"
	    "request_terminate_timeout = 30s\n"
	    "access.log = /var/log/fpm/$pool.access.log\n"
	    "access.format = \"%R %m %r %s %{mili}d\"\n");
	assert_no_errors(c);
	if (c->nwarnings != 0)
		dump("warnings", c->warnings, c->nwarnings);
	assert_int_equal(c->nwarnings, 0);
	p = pool_named(c, "www");
	assert_int_equal(p->pm, PM_DYNAMIC);
	assert_string_equal(conf_pm_name(p->pm), "dynamic");
	assert_int_equal(p->max_children, 20);
	assert_int_equal(p->start_servers, 4);
	assert_int_equal(p->min_spare, 2);
	assert_int_equal(p->max_spare, 8);
	assert_int_equal(p->max_spawn_rate, 16);
	assert_string_equal(p->access_log, "/var/log/fpm/www.access.log");
	assert_string_equal(p->access_format, "%R %m %r %s %{mili}d");
}

static void
valid_ondemand_pool_validates_without_errors_or_warnings(void **state)
{
	struct fixture *f = *state;
	struct pool_conf *p;
	struct conf *c;

	c = validate_text(f, POOL_WWW
	    "pm = ondemand\n"
	    "pm.max_children = 50\n"
	    "pm.process_idle_timeout = 30s\n"
	    "pm.max_requests = 500\n"
	    "catch_workers_output = yes\n"
	    "decorate_workers_output = no\n");
	assert_no_errors(c);
	if (c->nwarnings != 0)
		dump("warnings", c->warnings, c->nwarnings);
	assert_int_equal(c->nwarnings, 0);
	p = pool_named(c, "www");
	assert_int_equal(p->pm, PM_ONDEMAND);
	assert_string_equal(conf_pm_name(p->pm), "ondemand");
	assert_int_equal(p->max_children, 50);
	assert_int_equal(p->process_idle_timeout, 30);
	/* The spare settings stay unset: ondemand has none. */
	assert_true(p->start_servers == CONF_UNSET);
	assert_true(p->min_spare == CONF_UNSET);
}

static void
dynamic_pool_without_both_spare_server_bounds_is_reported_at_its_pm_line(
    void **state)
{
	static const char *const missing[] = {
		"",
		"pm.min_spare_servers = 2\n",
		"pm.max_spare_servers = 4\n",
	};
	struct fixture *f = *state;
	char text[512];

	for (size_t i = 0; i < NELEMS(missing); i++) {
		struct conf *c;

		snprintf(text, sizeof(text), DYNAMIC_WWW "%s", missing[i]);
		c = validate_text(f, text);
		assert_int_equal(c->nerrors, 1);
		assert_true(has_error(c, path_of(f, "fpm.ini"), 4,
		    "[pool www] pm = dynamic needs pm.min_spare_servers and "
		    "pm.max_spare_servers"));
	}
}

static void
max_spare_servers_below_min_spare_servers_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	c = validate_text(f, DYNAMIC_WWW
	    "pm.min_spare_servers = 4\n"
	    "pm.max_spare_servers = 2\n");
	assert_int_equal(c->nerrors, 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 6,
	    "[pool www] pm.max_spare_servers (2) must not be less than "
	    "pm.min_spare_servers (4)"));
}

static void
max_spare_servers_above_max_children_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	c = validate_text(f, DYNAMIC_WWW
	    "pm.max_children = 10\n"
	    "pm.min_spare_servers = 2\n"
	    "pm.max_spare_servers = 12\n");
	assert_int_equal(c->nerrors, 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 7,
	    "[pool www] pm.max_spare_servers (12) must not be greater than "
	    "pm.max_children (10)"));

	/* pm.max_children left at its default of 5. */
	c = validate_text(f, DYNAMIC_WWW
	    "pm.min_spare_servers = 1\n"
	    "pm.max_spare_servers = 6\n");
	assert_int_equal(c->nerrors, 1);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 6,
	    "[pool www] pm.max_spare_servers (6) must not be greater than "
	    "pm.max_children (5)"));
}

static void
start_servers_outside_the_spare_bounds_is_reported(void **state)
{
	static const char *const start[] = { "1", "7" };
	struct fixture *f = *state;
	char text[512], want[256];

	for (size_t i = 0; i < NELEMS(start); i++) {
		struct conf *c;

		snprintf(text, sizeof(text), DYNAMIC_WWW
		    "pm.max_children = 10\n"
		    "pm.min_spare_servers = 2\n"
		    "pm.max_spare_servers = 6\n"
		    "pm.start_servers = %s\n", start[i]);
		c = validate_text(f, text);
		assert_int_equal(c->nerrors, 1);
		snprintf(want, sizeof(want), "[pool www] pm.start_servers (%s) "
		    "must be between pm.min_spare_servers (2) and "
		    "pm.max_spare_servers (6)", start[i]);
		assert_true(has_error(c, path_of(f, "fpm.ini"), 8, want));
	}
}

static void
start_servers_on_the_spare_bounds_is_accepted(void **state)
{
	static const char *const start[] = { "2", "6" };
	struct fixture *f = *state;
	char text[512];

	for (size_t i = 0; i < NELEMS(start); i++) {
		snprintf(text, sizeof(text), DYNAMIC_WWW
		    "pm.max_children = 10\n"
		    "pm.min_spare_servers = 2\n"
		    "pm.max_spare_servers = 6\n"
		    "pm.start_servers = %s\n", start[i]);
		assert_no_errors(validate_text(f, text));
	}
}

static void
start_servers_defaults_to_halfway_between_the_spares(void **state)
{
	static const struct {
		int min, max;
		long long want;
	} cases[] = {
		{ 2, 6, 4 }, { 1, 4, 2 }, { 5, 10, 7 }, { 3, 3, 3 },
		{ 1, 1, 1 }, { 1, 10, 5 },
	};
	struct fixture *f = *state;
	char text[512];

	for (size_t i = 0; i < NELEMS(cases); i++) {
		struct pool_conf *p;

		snprintf(text, sizeof(text), DYNAMIC_WWW
		    "pm.max_children = 10\n"
		    "pm.min_spare_servers = %d\n"
		    "pm.max_spare_servers = %d\n", cases[i].min, cases[i].max);
		assert_no_errors(validate_text(f, text));
		p = pool_named(f->conf, "www");
		assert_int_equal(p->start_servers, cases[i].want);
	}
}

static void
dynamic_only_directives_in_a_static_pool_warn_that_they_are_ignored(
    void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	c = validate_text(f, POOL_WWW
	    "pm.start_servers = 2\n"			/* 4 */
	    "pm.min_spare_servers = 1\n"		/* 5 */
	    "pm.max_spare_servers = 3\n"		/* 6 */
	    "pm.max_spawn_rate = 8\n");			/* 7 */
	assert_no_errors(c);
	assert_int_equal(c->nwarnings, 4);
	assert_true(has_warning(c, path_of(f, "fpm.ini"), 4,
	    "[pool www] pm.start_servers only applies to pm = dynamic, "
	    "ignored"));
	assert_true(has_warning(c, path_of(f, "fpm.ini"), 5,
	    "[pool www] pm.min_spare_servers only applies to pm = dynamic, "
	    "ignored"));
	assert_true(has_warning(c, path_of(f, "fpm.ini"), 6,
	    "[pool www] pm.max_spare_servers only applies to pm = dynamic, "
	    "ignored"));
	assert_true(has_warning(c, path_of(f, "fpm.ini"), 7,
	    "[pool www] pm.max_spawn_rate only applies to pm = dynamic, "
	    "ignored"));
}

static void
dynamic_only_directives_in_an_ondemand_pool_warn_that_they_are_ignored(
    void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	c = validate_text(f, POOL_WWW
	    "pm = ondemand\n"				/* 4 */
	    "pm.min_spare_servers = 1\n"		/* 5 */
	    "pm.max_spawn_rate = 8\n");			/* 6 */
	assert_no_errors(c);
	assert_int_equal(c->nwarnings, 2);
	assert_true(has_warning(c, path_of(f, "fpm.ini"), 5,
	    "[pool www] pm.min_spare_servers only applies to pm = dynamic, "
	    "ignored"));
	assert_true(has_warning(c, path_of(f, "fpm.ini"), 6,
	    "[pool www] pm.max_spawn_rate only applies to pm = dynamic, "
	    "ignored"));
}

static void
process_idle_timeout_outside_ondemand_warns_that_it_is_ignored(
    void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	c = validate_text(f, POOL_WWW "pm.process_idle_timeout = 5s\n");
	assert_no_errors(c);
	assert_int_equal(c->nwarnings, 1);
	assert_true(has_warning(c, path_of(f, "fpm.ini"), 4,
	    "[pool www] pm.process_idle_timeout only applies to "
	    "pm = ondemand, ignored"));

	c = validate_text(f, DYNAMIC_WWW
	    "pm.min_spare_servers = 1\n"
	    "pm.max_spare_servers = 3\n"
	    "pm.process_idle_timeout = 5s\n");		/* 7 */
	assert_no_errors(c);
	assert_int_equal(c->nwarnings, 1);
	assert_true(has_warning(c, path_of(f, "fpm.ini"), 7,
	    "[pool www] pm.process_idle_timeout only applies to "
	    "pm = ondemand, ignored"));
}

static void
access_format_without_access_log_warns_that_nothing_is_logged(
    void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	c = validate_text(f, POOL_WWW "access.format = %R %s\n");
	assert_no_errors(c);
	assert_int_equal(c->nwarnings, 1);
	assert_true(has_warning(c, path_of(f, "fpm.ini"), 4,
	    "[pool www] access.format is set but access.log is not: no "
	    "access log"));

	c = validate_text(f, POOL_WWW "access.format = %R %s\n"
	    "access.log = /var/log/www.access.log\n");
	assert_no_errors(c);
	assert_int_equal(c->nwarnings, 0);
}

/* ---- regressions: each of these once failed ---------------------------- */

/* Regression (conf.c, inih's multi-line continuation): a line that
 * starts with white space was taken as a continuation of the directive
 * above it, so an indented "pm.max_children = 3" silently becomes the
 * value of listen.  php-fpm lets directives be indented. */
static void
indented_directive_is_read_as_a_directive_of_its_own(void **state)
{
	struct fixture *f = *state;
	struct pool_conf *p;
	struct conf *c;

	write_file(f, "fpm.ini", "[www]\n"
	    "    listen = 127.0.0.1:9000\n"
	    "    pm.max_children = 3\n"
	    "    app = /srv/app.so\n");
	c = load(f, "fpm.ini", NULL);
	conf_validate(c, 0, 0);
	assert_no_errors(c);
	p = pool_named(c, "www");
	assert_string_equal(p->listen, "127.0.0.1:9000");
	assert_int_equal(p->max_children, 3);
	assert_string_equal(p->app, "/srv/app.so");
}

/* Regression (conf.c reader_gets/open_section): inih skips a UTF-8 byte order
 * mark, but our section tracking does not, so "[www]" on the first line
 * is never opened and every directive of the pool is reported as
 * "belongs in a pool section". */
static void
utf8_byte_order_mark_before_the_first_section_is_ignored(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", "\xEF\xBB\xBF" POOL_WWW);
	c = load(f, "fpm.ini", NULL);
	conf_validate(c, 0, 0);
	assert_no_errors(c);
	assert_int_equal(c->npools, 1);
	assert_non_null(pool_named(c, "www"));
}

/* Regression (conf.c read_file): fopen() of a directory succeeds and the first
 * read fails with EISDIR, which getline reports like an end of file, so
 * "include = pools.d" (the glob forgotten) reads nothing, silently. */
static void
include_of_a_directory_is_reported_as_an_error(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	make_dir(f, "pools.d");
	write_file(f, "pools.d/a.conf", "[a]\nlisten = 9001\napp = /a.so\n");
	write_file(f, "fpm.ini", "[global]\ninclude = pools.d\n" POOL_WWW);
	c = load(f, "fpm.ini", NULL);
	if (c->nerrors == 0)
		fail_msg("'include = pools.d' (a directory) gave no error");
	assert_non_null(strstr(c->errors[0], path_of(f, "pools.d")));
}

/* Regression (conf.c validate_paths): the app is checked with
 * strncmp(app, chroot, strlen(chroot)) and then app[strlen(chroot)] ==
 * '/', so a chroot written with a trailing slash puts every app outside
 * it. */
static void
app_inside_chroot_written_with_a_trailing_slash_is_accepted(void **state)
{
	struct fixture *f = *state;
	char conf[PATH_MAX * 2];
	struct conf *c;

	make_dir(f, "jail");
	snprintf(conf, sizeof(conf), "[www]\nlisten = 9000\nchroot = %s/\n"
	    "app = %s/app.so\n", path_of(f, "jail"), path_of(f, "jail"));
	write_file(f, "fpm.ini", conf);
	c = load(f, "fpm.ini", NULL);
	conf_validate(c, 0, 0);
	assert_no_errors(c);
}

/* Regression (conf.c read_file): only the return value of ini_parse_stream(),
 * the first bad line, is reported, so `fpm -t` shows one syntax error at
 * a time instead of all of them. */
static void
every_syntax_error_of_a_file_is_reported(void **state)
{
	struct fixture *f = *state;
	struct conf *c;

	write_file(f, "fpm.ini", POOL_WWW "pm.max_children 4\n"
	    "listen.backlog 10\n");
	c = load(f, "fpm.ini", NULL);
	assert_true(has_error(c, path_of(f, "fpm.ini"), 4, "syntax error"));
	assert_true(has_error(c, path_of(f, "fpm.ini"), 5, "syntax error"));
	assert_int_equal(c->nerrors, 2);
}

/* Regression (conf.c, env[] values): php-fpm (fpm_env_conf_wp) replaces a value
 * that starts with '$' by the master's environment variable of that name,
 * as its stock www.conf shows with "env[HOSTNAME] = $HOSTNAME"; here the
 * worker gets the text "$HOSTNAME". */
static void
env_value_starting_with_dollar_takes_the_master_environment_like_php_fpm(
    void **state)
{
	struct fixture *f = *state;
	struct pool_conf *p;
	struct conf *c;

	assert_int_equal(setenv("FPM_TEST_HOST", "web1", 1), 0);
	write_file(f, "fpm.ini", POOL_WWW "env[HOSTNAME] = $FPM_TEST_HOST\n");
	c = load(f, "fpm.ini", NULL);
	unsetenv("FPM_TEST_HOST");
	assert_no_errors(c);
	p = pool_named(c, "www");
	assert_env(p, "HOSTNAME=web1");
}

/* ---- value parsers -------------------------------------------------------- */

static void
parse_time_accepts_seconds_and_s_m_h_d_suffixes(void **state)
{
	long long v = -1;

	(void)state;
	assert_int_equal(conf_parse_time("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(conf_parse_time("10", &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(conf_parse_time("10s", &v), 0);
	assert_int_equal(v, 10);
	assert_int_equal(conf_parse_time("1m", &v), 0);
	assert_int_equal(v, 60);
	assert_int_equal(conf_parse_time("3h", &v), 0);
	assert_int_equal(v, 10800);
	assert_int_equal(conf_parse_time("2d", &v), 0);
	assert_int_equal(v, 172800);
	assert_int_equal(conf_parse_time("5M", &v), 0);
	assert_int_equal(v, 300);
}

static void
parse_time_rejects_empty_negative_unknown_suffix_and_overflow(void **state)
{
	long long v = 42;

	(void)state;
	assert_int_equal(conf_parse_time("", &v), -1);
	assert_int_equal(conf_parse_time("s", &v), -1);
	assert_int_equal(conf_parse_time("-5", &v), -1);
	assert_int_equal(conf_parse_time("5x", &v), -1);
	assert_int_equal(conf_parse_time("1.5m", &v), -1);
	assert_int_equal(conf_parse_time("5 m", &v), -1);
	assert_int_equal(conf_parse_time("10ms", &v), -1);
	assert_int_equal(conf_parse_time("9223372036854775807d", &v), -1);
	assert_int_equal(conf_parse_time("99999999999999999999", &v), -1);
	assert_int_equal(v, 42);
}

static void
parse_size_accepts_bytes_and_k_m_g_suffixes(void **state)
{
	long long v = -1;

	(void)state;
	assert_int_equal(conf_parse_size("512", &v), 0);
	assert_int_equal(v, 512);
	assert_int_equal(conf_parse_size("4k", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(conf_parse_size("4K", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(conf_parse_size("2m", &v), 0);
	assert_int_equal(v, 2 * 1024 * 1024);
	assert_int_equal(conf_parse_size("1G", &v), 0);
	assert_int_equal(v, 1024LL * 1024 * 1024);
}

static void
parse_size_rejects_empty_negative_unknown_suffix_and_overflow(void **state)
{
	long long v = 42;

	(void)state;
	assert_int_equal(conf_parse_size("", &v), -1);
	assert_int_equal(conf_parse_size("k", &v), -1);
	assert_int_equal(conf_parse_size("-1k", &v), -1);
	assert_int_equal(conf_parse_size("1t", &v), -1);
	assert_int_equal(conf_parse_size("1kb", &v), -1);
	assert_int_equal(conf_parse_size("9223372036854775807g", &v), -1);
	assert_int_equal(v, 42);
}

static void
parse_bool_accepts_php_fpm_spellings_in_any_case(void **state)
{
	static const char *const yes[] = { "yes", "on", "true", "1", "YES",
	    "On", "True" };
	static const char *const no[] = { "no", "off", "false", "0", "",
	    "NO", "Off" };
	long long b;

	(void)state;
	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		b = -1;
		assert_int_equal(conf_parse_bool(yes[i], &b), 0);
		assert_int_equal(b, 1);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		b = -1;
		assert_int_equal(conf_parse_bool(no[i], &b), 0);
		assert_int_equal(b, 0);
	}
}

static void
parse_bool_rejects_anything_else(void **state)
{
	static const char *const bad[] = { "2", "y", "yess", "nope", " yes",
	    "enabled" };
	long long b = 7;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(conf_parse_bool(bad[i], &b), -1);
	assert_int_equal(b, 7);
}

static void
expand_replaces_pool_name_and_leaves_it_outside_pools(void **state)
{
	char out[64], err[128];

	(void)state;
	assert_int_equal(conf_expand("/run/$pool.sock", "www", out,
	    sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "/run/www.sock");
	assert_int_equal(conf_expand("$pool-$pool", "a", out, sizeof(out),
	    err, sizeof(err)), 0);
	assert_string_equal(out, "a-a");
	assert_int_equal(conf_expand("/run/$pool.sock", NULL, out,
	    sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "/run/$pool.sock");
	assert_int_equal(conf_expand("cost $5 $", "www", out, sizeof(out),
	    err, sizeof(err)), 0);
	assert_string_equal(out, "cost $5 $");
	assert_int_equal(conf_expand("", "www", out, sizeof(out), err,
	    sizeof(err)), 0);
	assert_string_equal(out, "");
}

static void
expand_replaces_environment_variables(void **state)
{
	char out[64], err[128];

	(void)state;
	assert_int_equal(setenv("FPM_TEST_A", "alpha", 1), 0);
	assert_int_equal(setenv("FPM_TEST_EMPTY", "", 1), 0);
	assert_int_equal(conf_expand("${FPM_TEST_A}/${FPM_TEST_EMPTY}x/$pool",
	    "p", out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "alpha/x/p");
	unsetenv("FPM_TEST_A");
	unsetenv("FPM_TEST_EMPTY");
}

static void
expand_reports_unset_empty_and_unterminated_variables(void **state)
{
	char out[64], err[128];

	(void)state;
	unsetenv("FPM_TEST_UNSET");
	assert_int_equal(conf_expand("a${FPM_TEST_UNSET}b", NULL, out,
	    sizeof(out), err, sizeof(err)), -1);
	assert_string_equal(err,
	    "environment variable 'FPM_TEST_UNSET' is not set");
	assert_int_equal(conf_expand("a${}b", NULL, out, sizeof(out), err,
	    sizeof(err)), -1);
	assert_string_equal(err, "unterminated or empty ${...} in '${}b'");
	assert_int_equal(conf_expand("a${HOME", NULL, out, sizeof(out), err,
	    sizeof(err)), -1);
	assert_string_equal(err, "unterminated or empty ${...} in '${HOME'");
}

static void
expand_fails_when_the_result_does_not_fit(void **state)
{
	char out[8], err[128];

	(void)state;
	/* 7 characters and the NUL fit exactly. */
	assert_int_equal(conf_expand("pool=$pool", "ab", out, sizeof(out),
	    err, sizeof(err)), 0);
	assert_string_equal(out, "pool=ab");
	assert_int_equal(conf_expand("pool=$pool", "abc", out, sizeof(out),
	    err, sizeof(err)), -1);
	assert_string_equal(err, "value is too long after expansion");
	assert_int_equal(conf_expand("12345678", NULL, out, sizeof(out), err,
	    sizeof(err)), -1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(good_file_with_global_and_two_pools_is_parsed_into_its_values),
		T(pool_defaults_apply_when_directives_are_absent),
		T(process_control_timeout_accepts_time_suffixes),
		T(repeated_env_entry_replaces_the_earlier_value),
		T(quoted_values_lose_their_quotes),
		T(conf_where_names_the_directive_line_or_else_the_section),
		T(include_reads_every_matching_file_relative_to_the_including_file),
		T(include_that_matches_nothing_is_only_a_warning),
		T(include_glob_in_a_missing_directory_is_reported_at_the_include_line),
		T(relative_app_is_resolved_against_the_directory_of_its_file),
		T(relative_app_and_listen_are_resolved_against_the_prefix_when_given),
		T(pool_name_and_environment_variables_are_expanded_in_values),
		T(unknown_directive_is_reported_with_file_and_line),
		T(pool_directive_in_global_section_is_reported),
		T(global_directive_in_pool_section_is_reported),
		T(non_integer_max_children_is_reported),
		T(max_children_of_zero_is_out_of_range),
		T(listen_backlog_above_65535_is_out_of_range),
		T(time_out_of_range_or_with_unknown_suffix_is_reported),
		T(listen_mode_that_is_not_octal_is_reported),
		T(invalid_bool_is_reported),
		T(invalid_log_level_is_reported),
		T(invalid_pm_is_reported),
#ifdef HAVE_PHP
		T(a_pool_without_sapi_or_app_runs_php),
		T(php_values_are_kept_as_php_fpm_reads_them),
		T(bad_php_flag_and_empty_name_are_reported),
#endif
		T(suppress_paths_are_a_list),
		T(invalid_sapi_is_reported),
		T(cgi_sapi_needs_no_app_and_a_real_cgi_root),
		T(invalid_listen_address_is_reported),
		T(duplicate_pool_is_reported_at_its_second_section),
		T(pool_defined_again_after_an_include_is_reported_with_both_places),
		T(duplicate_pool_in_an_included_file_is_reported_in_that_file),
		T(two_pools_on_one_listen_address_are_reported),
		T(pool_without_listen_is_reported_at_its_section),
		T(pool_without_app_is_reported_at_its_section),
		T(file_without_pools_is_reported),
		T(empty_pool_name_is_reported),
		T(missing_include_file_is_reported_at_the_include_line),
		T(unreadable_include_file_is_reported_at_its_include_line),
		T(missing_main_file_is_reported),
		T(include_nested_too_deeply_is_reported),
		T(line_longer_than_inih_limit_is_reported_and_later_lines_keep_their_numbers),
		T(line_of_198_characters_is_accepted_whole),
		T(line_without_equals_sign_is_a_syntax_error),
		T(syntax_error_in_an_included_file_names_that_file),
		T(undefined_environment_variable_is_reported),
		T(root_without_user_is_refused_unless_root_is_allowed),
		T(user_root_is_refused_unless_root_is_allowed),
		T(existing_unprivileged_user_is_accepted_as_root),
		T(user_is_ignored_with_a_warning_when_not_running_as_root),
		T(user_that_does_not_exist_is_reported),
		T(listen_owner_and_group_that_do_not_exist_are_reported),
		T(relative_chdir_is_reported),
		T(chroot_that_is_not_a_directory_is_reported),
		T(app_outside_chroot_is_reported_and_app_inside_is_accepted),
		T(bad_allowed_clients_is_reported),
		T(every_value_error_of_a_file_is_collected),
		T(unsupported_php_fpm_directives_warn_and_are_not_errors),
		T(pm_and_logging_directives_take_their_defaults_when_absent),
		T(pm_start_servers_takes_a_positive_integer),
		T(pm_min_spare_servers_takes_a_positive_integer),
		T(pm_max_spare_servers_takes_a_positive_integer),
		T(pm_max_spawn_rate_takes_a_positive_integer),
		T(pm_process_idle_timeout_takes_a_time_from_1_second_to_a_day),
		T(pm_max_requests_takes_a_count_where_0_means_never),
		T(pm_max_requests_jitter_takes_a_count),
		T(pm_max_memory_takes_a_size_in_bytes_with_k_m_or_g),
		T(request_terminate_timeout_takes_a_time_up_to_a_year),
		T(request_terminate_timeout_track_finished_takes_a_bool),
		T(catch_workers_output_takes_a_bool),
		T(decorate_workers_output_takes_a_bool),
		T(access_log_takes_a_path_relative_to_its_file),
		T(empty_access_log_is_reported),
		T(access_format_takes_php_fpm_codes_and_modifiers),
		T(bad_access_format_is_reported_with_the_directive_and_the_code),
		T(syslog_facility_takes_a_facility_name_in_any_case),
		T(syslog_ident_takes_any_name),
		T(syslog_facility_in_a_pool_section_is_reported),
		T(log_limit_takes_64_to_8192_bytes),
		T(emergency_restart_threshold_takes_a_count_where_0_means_never),
		T(emergency_restart_interval_takes_a_time_up_to_a_year),
		T(valid_dynamic_pool_validates_without_errors_or_warnings),
		T(valid_ondemand_pool_validates_without_errors_or_warnings),
		T(dynamic_pool_without_both_spare_server_bounds_is_reported_at_its_pm_line),
		T(max_spare_servers_below_min_spare_servers_is_reported),
		T(max_spare_servers_above_max_children_is_reported),
		T(start_servers_outside_the_spare_bounds_is_reported),
		T(start_servers_on_the_spare_bounds_is_accepted),
		T(start_servers_defaults_to_halfway_between_the_spares),
		T(dynamic_only_directives_in_a_static_pool_warn_that_they_are_ignored),
		T(dynamic_only_directives_in_an_ondemand_pool_warn_that_they_are_ignored),
		T(process_idle_timeout_outside_ondemand_warns_that_it_is_ignored),
		T(access_format_without_access_log_warns_that_nothing_is_logged),
		cmocka_unit_test(parse_time_accepts_seconds_and_s_m_h_d_suffixes),
		cmocka_unit_test(
		    parse_time_rejects_empty_negative_unknown_suffix_and_overflow),
		cmocka_unit_test(parse_size_accepts_bytes_and_k_m_g_suffixes),
		cmocka_unit_test(
		    parse_size_rejects_empty_negative_unknown_suffix_and_overflow),
		cmocka_unit_test(parse_bool_accepts_php_fpm_spellings_in_any_case),
		cmocka_unit_test(parse_bool_rejects_anything_else),
		cmocka_unit_test(
		    expand_replaces_pool_name_and_leaves_it_outside_pools),
		cmocka_unit_test(expand_replaces_environment_variables),
		cmocka_unit_test(
		    expand_reports_unset_empty_and_unterminated_variables),
		cmocka_unit_test(expand_fails_when_the_result_does_not_fit),
		/* Bugs in fpm/conf.c: these fail until it is fixed. */
		T(indented_directive_is_read_as_a_directive_of_its_own),
		T(utf8_byte_order_mark_before_the_first_section_is_ignored),
		T(include_of_a_directory_is_reported_as_an_error),
		T(app_inside_chroot_written_with_a_trailing_slash_is_accepted),
		T(every_syntax_error_of_a_file_is_reported),
		T(env_value_starting_with_dollar_takes_the_master_environment_like_php_fpm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
