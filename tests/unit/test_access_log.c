/*
 * test_access_log.c - access.format lines: each code, its modifiers,
 * missing values, escaping, truncation, and the format check.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "access_log.h"

struct kv {
	const char *name, *value;
};

/* What the fake callbacks serve: NULL-terminated tables. */
struct fake {
	const struct kv *params;
	const struct kv *headers;
};

static const struct kv default_params[] = {
	{ "REMOTE_ADDR", "192.0.2.7" },
	{ "REMOTE_USER", "alice" },
	{ "REQUEST_METHOD", "GET" },
	{ "REQUEST_URI", "/index.php?a=1" },
	{ "QUERY_STRING", "a=1" },
	{ "SCRIPT_FILENAME", "/srv/www/index.php" },
	{ "CONTENT_LENGTH", "42" },
	{ "HTTPS", "on" },
	{ "HTTP_USER_AGENT", "curl/8.0" },
	{ "HTTP_X_FORWARDED_FOR", "10.0.0.1" },
	{ NULL, NULL }
};

static const struct kv default_headers[] = {
	{ "Content-Type", "text/html" },
	{ "X-Cache", "HIT" },
	{ NULL, NULL }
};

static const struct kv no_entries[] = { { NULL, NULL } };

static const char *
fake_param(void *ctx, const char *name)
{
	const struct kv *kv;

	for (kv = ((struct fake *)ctx)->params; kv->name != NULL; kv++)
		if (strcmp(kv->name, name) == 0)
			return kv->value;
	return NULL;
}

static int
fake_header(void *ctx, const char *name, char *out, size_t outlen)
{
	const struct kv *kv;

	for (kv = ((struct fake *)ctx)->headers; kv->name != NULL; kv++)
		if (strcasecmp(kv->name, name) == 0) {
			snprintf(out, outlen, "%s", kv->value);
			return 0;
		}
	return -1;
}

static struct fake default_fake = { default_params, default_headers };

/* A request accepted at 2023-11-14 22:13:20 UTC that took 250 ms, 2 s of
 * wall clock apart in the realtime clock, served by default_fake. */
static struct access_rec
request(struct fake *f)
{
	struct access_rec r;

	memset(&r, 0, sizeof(r));
	r.pool = "www";
	r.pid = 4242;
	r.ppid = 1;
	r.status = 200;
	r.start.tv_sec = 1700000000;
	r.start.tv_nsec = 500000000;
	r.end.tv_sec = 1700000002;
	r.duration = 0.25;
	r.cpu_user = 0.1;
	r.cpu_sys = 0.05;
	r.memory = 3 * 1048576 + 512 * 1024 + 5;
	r.param = fake_param;
	r.header = fake_header;
	r.ctx = f;
	return r;
}

/* Format r with fmt, which must pass the check; the line without its
 * '\n', which must be its one and only line break. */
static const char *
line(const char *fmt, const struct access_rec *r)
{
	static char out[2048];
	char err[256];
	size_t n;

	assert_int_equal(access_format_check(fmt, err, sizeof(err)), 0);
	n = access_format(out, sizeof(out), fmt, r);
	assert_int_equal(n, strlen(out));
	assert_true(n >= 1);
	assert_int_equal(out[n - 1], '\n');
	assert_ptr_equal(strchr(out, '\n'), out + n - 1);
	out[n - 1] = '\0';
	return out;
}

/* Check fmt, which must fail, and return the message. */
static const char *
check_error(const char *fmt)
{
	static char err[256];

	err[0] = '\0';
	assert_int_equal(access_format_check(fmt, err, sizeof(err)), -1);
	assert_true(err[0] != '\0');
	return err;
}

static int
utc(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

/* ---- the line ----------------------------------------------------------- */

static void
default_format_gives_the_php_fpm_line(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line(ACCESS_FORMAT_DEFAULT, &r),
	    "192.0.2.7 - alice 14/Nov/2023:22:13:20 +0000 "
	    "\"GET /index.php?a=1\" 200");
}

static void
literal_text_is_copied_as_it_is(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("hello, world", &r), "hello, world");
	assert_string_equal(line("tab\there \\ too", &r), "tab\there \\ too");
}

static void
empty_format_gives_an_empty_line(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("", &r), "");
}

static void
double_percent_is_a_literal_percent(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("100%% %%s", &r), "100% %s");
}

/* ---- each code ---------------------------------------------------------- */

static void
cpu_code_gives_the_cpu_share_of_the_duration(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("%C", &r), "60.00");
	assert_string_equal(line("%{total}C", &r), "60.00");
	assert_string_equal(line("%{user}C", &r), "40.00");
	assert_string_equal(line("%{system}C", &r), "20.00");
}

static void
cpu_share_of_an_instant_request_is_zero(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	r.duration = 0;
	assert_string_equal(line("%C %{user}C", &r), "0.00 0.00");
}

static void
duration_code_gives_seconds_by_default(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("%d", &r), "0.250");
	assert_string_equal(line("%{seconds}d", &r), "0.250");
}

static void
duration_code_gives_milli_and_microseconds(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	r.duration = 1.2345678;
	assert_string_equal(line("%{milli}d", &r), "1234.568");
	assert_string_equal(line("%{milliseconds}d", &r), "1234.568");
	assert_string_equal(line("%{mili}d", &r), "1234.568");
	assert_string_equal(line("%{miliseconds}d", &r), "1234.568");
	assert_string_equal(line("%{micro}d", &r), "1234568");
	assert_string_equal(line("%{microseconds}d", &r), "1234568");
}

static void
response_code_gives_the_time_the_client_waited_in_the_same_units(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	r.duration = 3.5;
	r.response_duration = 0.125;
	assert_string_equal(line("%D %d", &r), "0.125 3.500");
	assert_string_equal(line("%{milli}D", &r), "125.000");
	assert_string_equal(line("%{micro}D", &r), "125000");
}

static void
env_code_gives_the_named_fastcgi_param(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("%{HTTPS}e %{REQUEST_METHOD}e", &r),
	    "on GET");
	assert_string_equal(line("%{NO_SUCH_PARAM}e", &r), "-");
}

static void
script_code_gives_script_filename(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("%f", &r), "/srv/www/index.php");
}

static void
request_header_code_reads_its_http_param(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("%{User-Agent}i", &r), "curl/8.0");
	assert_string_equal(line("%{x-forwarded-for}i", &r), "10.0.0.1");
	assert_string_equal(line("%{Accept}i", &r), "-");
}

static void
content_length_code_gives_content_length(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("%l", &r), "42");
}

static void
method_code_gives_request_method(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("%m", &r), "GET");
}

static void
memory_code_gives_bytes_kilobytes_or_megabytes(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("%M", &r), "3670021");
	assert_string_equal(line("%{bytes}M", &r), "3670021");
	/* Integer division, as php-fpm: 3584.005 KiB, 3.5 MiB. */
	assert_string_equal(line("%{kilo}M %{kilobytes}M", &r), "3584 3584");
	assert_string_equal(line("%{mega}M %{megabytes}M", &r), "3 3");
}

static void
pool_code_gives_the_pool_name(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("[%n]", &r), "[www]");
}

static void
response_header_code_gives_the_header_value(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("%{Content-Type}o", &r), "text/html");
	assert_string_equal(line("%{x-cache}o", &r), "HIT");
	assert_string_equal(line("%{Location}o", &r), "-");
}

static void
pid_codes_give_the_worker_and_its_parent(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("%p %P", &r), "4242 1");
}

static void
query_code_gives_the_query_string(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("%q", &r), "a=1");
}

static void
question_mark_code_appears_only_with_a_query(void **state)
{
	static const struct kv empty_query[] = {
		{ "QUERY_STRING", "" }, { NULL, NULL }
	};
	struct fake with_empty = { empty_query, no_entries };
	struct fake without = { no_entries, no_entries };
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("/x%Q%q", &r), "/x?a=1");
	r.ctx = &with_empty;
	assert_string_equal(line("/x%Q%q", &r), "/x");
	r.ctx = &without;
	assert_string_equal(line("/x%Q%q", &r), "/x");
}

static void
uri_code_gives_request_uri(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("%r", &r), "/index.php?a=1");
}

static void
remote_address_code_gives_remote_addr(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("%R", &r), "192.0.2.7");
}

static void
status_code_gives_the_status_sent(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("%s", &r), "200");
	r.status = 404;
	assert_string_equal(line("%s", &r), "404");
}

static void
start_time_code_uses_the_common_log_format_by_default(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("[%t]", &r), "[14/Nov/2023:22:13:20 +0000]");
	assert_string_equal(line("[%{}t]", &r),
	    "[14/Nov/2023:22:13:20 +0000]");
}

static void
end_time_code_gives_when_the_request_finished(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("%T", &r), "14/Nov/2023:22:13:22 +0000");
}

static void
time_codes_take_a_strftime_format(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("%{%Y-%m-%dT%H:%M:%S%z}t", &r),
	    "2023-11-14T22:13:20+0000");
	assert_string_equal(line("%{%H:%M:%S}T", &r), "22:13:22");
}

static void
time_codes_give_local_time(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	setenv("TZ", "EET-2", 1);
	tzset();
	assert_string_equal(line("%t", &r), "15/Nov/2023:00:13:20 +0200");
	setenv("TZ", "UTC", 1);
	tzset();
}

static void
remote_user_code_gives_remote_user(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("%u", &r), "alice");
}

/* ---- missing values ----------------------------------------------------- */

static void
missing_values_give_a_dash(void **state)
{
	struct fake none = { no_entries, no_entries };
	struct access_rec r = request(&none);
	const char *fmt = "%R %u %m %r %f %l %{X}e %{X-Y}i %{X}o %n";

	(void)state;
	r.pool = NULL;
	assert_string_equal(line(fmt, &r), "- - - - - - - - - -");
	assert_string_equal(line(ACCESS_FORMAT_DEFAULT, &r),
	    "- - - 14/Nov/2023:22:13:20 +0000 \"- -\" 200");
}

static void
missing_callbacks_give_a_dash(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	r.param = NULL;
	r.header = NULL;
	assert_string_equal(line("%R %{HTTPS}e %{Accept}i %{X-Cache}o [%q%Q]",
	    &r), "- - - - []");
}

static void
empty_values_give_a_dash(void **state)
{
	static const struct kv empty[] = {
		{ "REMOTE_USER", "" }, { "HTTPS", "" }, { NULL, NULL }
	};
	static const struct kv empty_header[] = {
		{ "X-Cache", "" }, { NULL, NULL }
	};
	struct fake f = { empty, empty_header };
	struct access_rec r = request(&f);

	(void)state;
	r.pool = "";
	assert_string_equal(line("%u %{HTTPS}e %{X-Cache}o %n", &r),
	    "- - - -");
}

/* ---- escaping ----------------------------------------------------------- */

static void
line_break_in_a_uri_is_escaped(void **state)
{
	static const struct kv forged[] = {
		{ "REQUEST_URI", "/a\n127.0.0.1 - - \"GET /admin\" 200" },
		{ NULL, NULL }
	};
	struct fake f = { forged, no_entries };
	struct access_rec r = request(&f);

	(void)state;
	assert_string_equal(line("%r", &r),
	    "/a\\x0A127.0.0.1 - - \"GET /admin\" 200");
}

static void
control_bytes_and_backslashes_are_escaped(void **state)
{
	static const struct kv odd[] = {
		{ "HTTP_USER_AGENT", "a\tb\rc\x1b[31md\x7f\\e\x01" },
		{ NULL, NULL }
	};
	struct fake f = { odd, no_entries };
	struct access_rec r = request(&f);

	(void)state;
	assert_string_equal(line("%{User-Agent}i", &r),
	    "a\\x09b\\x0Dc\\x1B[31md\\x7F\\x5Ce\\x01");
}

static void
bytes_above_ascii_are_kept(void **state)
{
	static const struct kv utf8[] = {
		{ "REQUEST_URI", "/caf\xc3\xa9" }, { NULL, NULL }
	};
	struct fake f = { utf8, no_entries };
	struct access_rec r = request(&f);

	(void)state;
	assert_string_equal(line("%r", &r), "/caf\xc3\xa9");
}

static void
response_header_value_is_escaped(void **state)
{
	static const struct kv split[] = {
		{ "Location", "/x\r\nSet-Cookie: a=b" }, { NULL, NULL }
	};
	struct fake f = { no_entries, split };
	struct access_rec r = request(&f);

	(void)state;
	assert_string_equal(line("%{Location}o", &r),
	    "/x\\x0D\\x0ASet-Cookie: a=b");
}

static void
time_format_output_is_escaped(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	/* strftime's %n is a newline. */
	assert_string_equal(line("%{%H%n%M}t", &r), "22\\x0A13");
}

/* ---- truncation --------------------------------------------------------- */

static void
long_line_is_cut_but_keeps_its_newline(void **state)
{
	struct access_rec r = request(&default_fake);
	const char *fmt = "%R %u %t \"%m %r\" %s %{User-Agent}i %C %d %M";
	char full[512], out[512];
	size_t fulllen, n, outlen;

	(void)state;
	fulllen = access_format(full, sizeof(full), fmt, &r);
	assert_true(fulllen > 60);
	for (outlen = 0; outlen <= fulllen + 4; outlen++) {
		memset(out, 'Z', sizeof(out));
		n = access_format(out, outlen, fmt, &r);
		if (outlen == 0) {
			assert_int_equal(n, 0);
			assert_int_equal(out[0], 'Z');
			continue;
		}
		assert_true(n < outlen);
		assert_int_equal(out[n], '\0');
		assert_int_equal(out[outlen], 'Z');
		if (outlen == 1) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_int_equal(out[n - 1], '\n');
		assert_memory_equal(out, full, n - 1);
		if (outlen > fulllen)
			assert_string_equal(out, full);
	}
}

static void
buffer_of_one_byte_gets_an_empty_string(void **state)
{
	struct access_rec r = request(&default_fake);
	char out[2] = { 'Z', 'Z' };

	(void)state;
	assert_int_equal(access_format(out, 1, ACCESS_FORMAT_DEFAULT, &r), 0);
	assert_int_equal(out[0], '\0');
	assert_int_equal(out[1], 'Z');
}

static void
buffer_of_two_bytes_gets_just_the_newline(void **state)
{
	struct access_rec r = request(&default_fake);
	char out[3] = { 'Z', 'Z', 'Z' };

	(void)state;
	assert_int_equal(access_format(out, 2, ACCESS_FORMAT_DEFAULT, &r), 1);
	assert_string_equal(out, "\n");
	assert_int_equal(out[2], 'Z');
}

static void
cut_never_splits_an_escape(void **state)
{
	static const struct kv nl[] = {
		{ "REQUEST_URI", "/\nX" }, { NULL, NULL }
	};
	struct fake f = { nl, no_entries };
	struct access_rec r = request(&f);
	char out[16];

	(void)state;
	/* The whole line is "/\x0AX\n". */
	assert_int_equal(access_format(out, sizeof(out), "%r", &r), 7);
	assert_int_equal(access_format(out, 8, "%r", &r), 7);
	assert_string_equal(out, "/\\x0AX\n");
	assert_int_equal(access_format(out, 7, "%r", &r), 6);
	assert_string_equal(out, "/\\x0A\n");
	/* Room for 3 of the escape's 4 bytes: none of it is written, nor
	 * the 'X' that would still fit after it. */
	assert_int_equal(access_format(out, 6, "%r", &r), 2);
	assert_string_equal(out, "/\n");
	assert_int_equal(access_format(out, 3, "%r", &r), 2);
	assert_string_equal(out, "/\n");
}

/* ---- access_format_check ------------------------------------------------ */

static void
check_accepts_every_code_and_modifier(void **state)
{
	static const char *const good[] = {
		ACCESS_FORMAT_DEFAULT,
		"",
		"plain text",
		"%% %C %{total}C %{user}C %{system}C",
		"%d %{seconds}d %{milli}d %{milliseconds}d",
		"%{mili}d %{miliseconds}d %{micro}d %{microseconds}d",
		"%{HTTPS}e %f %{User-Agent}i %l %m",
		"%M %{bytes}M %{kilo}M %{kilobytes}M %{mega}M %{megabytes}M",
		"%n %{Content-Type}o %p %P %q %Q %r %R %s",
		"%t %{%Y-%m-%d}t %T %{%s}T %u",
		"%{}t %{}d %{}s",
	};
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		err[0] = '\0';
		if (access_format_check(good[i], err, sizeof(err)) != 0)
			fail_msg("'%s': %s", good[i], err);
	}
}

static void
check_accepts_modifiers_in_any_case(void **state)
{
	struct access_rec r = request(&default_fake);

	(void)state;
	assert_string_equal(line("%{TOTAL}C %{Milli}d %{KILO}M", &r),
	    "60.00 250.000 3584");
}

static void
check_rejects_an_unknown_code(void **state)
{
	(void)state;
	assert_string_equal(check_error("%Z"),
	    "'%Z' at offset 0: unknown code %Z");
	assert_string_equal(check_error("GET %r %Z"),
	    "'%Z' at offset 7: unknown code %Z");
	assert_string_equal(check_error("%{x}Z"),
	    "'%{x}Z' at offset 0: unknown code %Z");
	assert_string_equal(check_error("a%\x01"),
	    "'%' at offset 1: unknown code byte 0x01");
}

static void
check_rejects_an_unterminated_brace(void **state)
{
	(void)state;
	assert_string_equal(check_error("%{x"),
	    "'%{x' at offset 0: unterminated %{");
	assert_string_equal(check_error("%s %{%Y-%m"),
	    "'%{%Y-%m' at offset 3: unterminated %{");
}

static void
check_rejects_a_modifier_the_code_does_not_know(void **state)
{
	(void)state;
	assert_string_equal(check_error("%{foo}d"),
	    "'%{foo}d' at offset 0: the modifier of %d must be one of "
	    "seconds, milli, milliseconds, mili, miliseconds, micro, "
	    "microseconds");
	assert_string_equal(check_error("%M %{foo}M"),
	    "'%{foo}M' at offset 3: the modifier of %M must be one of "
	    "bytes, kilo, kilobytes, mega, megabytes");
	assert_string_equal(check_error("%{foo}C"),
	    "'%{foo}C' at offset 0: the modifier of %C must be one of "
	    "total, user, system");
}

static void
check_rejects_braces_on_a_code_without_modifiers(void **state)
{
	(void)state;
	assert_string_equal(check_error("%{x}s"),
	    "'%{x}s' at offset 0: %s takes no modifier");
	assert_string_equal(check_error("%{x}%"),
	    "'%{x}%' at offset 0: %% takes no modifier");
}

static void
check_rejects_a_name_code_without_braces(void **state)
{
	(void)state;
	assert_string_equal(check_error("%e"),
	    "'%e' at offset 0: %e needs a name in braces, as %{NAME}e");
	assert_string_equal(check_error("x %o"),
	    "'%o' at offset 2: %o needs a name in braces, as %{NAME}o");
	assert_string_equal(check_error("%i"),
	    "'%i' at offset 0: %i needs a name in braces, as %{NAME}i");
	assert_string_equal(check_error("%{}e"),
	    "'%{}e' at offset 0: %e needs a name in braces, as %{NAME}e");
}

static void
check_rejects_a_lone_percent_at_the_end(void **state)
{
	(void)state;
	assert_string_equal(check_error("%s %"),
	    "'%' at offset 3: no code letter follows");
	assert_string_equal(check_error("%{HTTPS}"),
	    "'%{HTTPS}' at offset 0: no code letter follows");
}

static void
check_rejects_a_line_break(void **state)
{
	(void)state;
	assert_string_equal(check_error("%s\n%s"),
	    "line break at offset 2: it would split the log line");
	assert_string_equal(check_error("\r"),
	    "line break at offset 0: it would split the log line");
}

static void
check_rejects_a_name_longer_than_127_bytes(void **state)
{
	char fmt[200], err[256];

	(void)state;
	memset(fmt, 'A', sizeof(fmt));
	memcpy(fmt, "%{", 2);
	memcpy(fmt + 2 + 127, "}e", 3);
	assert_int_equal(access_format_check(fmt, err, sizeof(err)), 0);
	fmt[2 + 127] = 'A';
	memcpy(fmt + 2 + 128, "}e", 3);
	assert_string_equal(check_error(fmt), "'%{' at offset 0: the text "
	    "between braces is longer than 127 bytes");
}

static void
check_error_fits_a_small_buffer(void **state)
{
	char err[8];

	(void)state;
	memset(err, 'Z', sizeof(err));
	assert_int_equal(access_format_check("%Z", err, sizeof(err)), -1);
	assert_string_equal(err, "'%Z' at");
	assert_int_equal(access_format_check("%Z", NULL, 0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_format_gives_the_php_fpm_line),
		cmocka_unit_test(literal_text_is_copied_as_it_is),
		cmocka_unit_test(empty_format_gives_an_empty_line),
		cmocka_unit_test(double_percent_is_a_literal_percent),
		cmocka_unit_test(cpu_code_gives_the_cpu_share_of_the_duration),
		cmocka_unit_test(cpu_share_of_an_instant_request_is_zero),
		cmocka_unit_test(duration_code_gives_seconds_by_default),
		cmocka_unit_test(duration_code_gives_milli_and_microseconds),
		cmocka_unit_test(
		    response_code_gives_the_time_the_client_waited_in_the_same_units),
		cmocka_unit_test(env_code_gives_the_named_fastcgi_param),
		cmocka_unit_test(script_code_gives_script_filename),
		cmocka_unit_test(request_header_code_reads_its_http_param),
		cmocka_unit_test(content_length_code_gives_content_length),
		cmocka_unit_test(method_code_gives_request_method),
		cmocka_unit_test(
		    memory_code_gives_bytes_kilobytes_or_megabytes),
		cmocka_unit_test(pool_code_gives_the_pool_name),
		cmocka_unit_test(response_header_code_gives_the_header_value),
		cmocka_unit_test(pid_codes_give_the_worker_and_its_parent),
		cmocka_unit_test(query_code_gives_the_query_string),
		cmocka_unit_test(question_mark_code_appears_only_with_a_query),
		cmocka_unit_test(uri_code_gives_request_uri),
		cmocka_unit_test(remote_address_code_gives_remote_addr),
		cmocka_unit_test(status_code_gives_the_status_sent),
		cmocka_unit_test(
		    start_time_code_uses_the_common_log_format_by_default),
		cmocka_unit_test(end_time_code_gives_when_the_request_finished),
		cmocka_unit_test(time_codes_take_a_strftime_format),
		cmocka_unit_test(time_codes_give_local_time),
		cmocka_unit_test(remote_user_code_gives_remote_user),
		cmocka_unit_test(missing_values_give_a_dash),
		cmocka_unit_test(missing_callbacks_give_a_dash),
		cmocka_unit_test(empty_values_give_a_dash),
		cmocka_unit_test(line_break_in_a_uri_is_escaped),
		cmocka_unit_test(control_bytes_and_backslashes_are_escaped),
		cmocka_unit_test(bytes_above_ascii_are_kept),
		cmocka_unit_test(response_header_value_is_escaped),
		cmocka_unit_test(time_format_output_is_escaped),
		cmocka_unit_test(long_line_is_cut_but_keeps_its_newline),
		cmocka_unit_test(buffer_of_one_byte_gets_an_empty_string),
		cmocka_unit_test(buffer_of_two_bytes_gets_just_the_newline),
		cmocka_unit_test(cut_never_splits_an_escape),
		cmocka_unit_test(check_accepts_every_code_and_modifier),
		cmocka_unit_test(check_accepts_modifiers_in_any_case),
		cmocka_unit_test(check_rejects_an_unknown_code),
		cmocka_unit_test(check_rejects_an_unterminated_brace),
		cmocka_unit_test(
		    check_rejects_a_modifier_the_code_does_not_know),
		cmocka_unit_test(
		    check_rejects_braces_on_a_code_without_modifiers),
		cmocka_unit_test(check_rejects_a_name_code_without_braces),
		cmocka_unit_test(check_rejects_a_lone_percent_at_the_end),
		cmocka_unit_test(check_rejects_a_line_break),
		cmocka_unit_test(check_rejects_a_name_longer_than_127_bytes),
		cmocka_unit_test(check_error_fits_a_small_buffer),
	};

	return cmocka_run_group_tests(tests, utc, NULL);
}
