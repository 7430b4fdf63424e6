/*
 * test_cgi.c - the CGI sapi's pipes, and its response parser: where the
 * header block ends, which header lines pass, what Status and Location
 * become.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgi/cgi.h"
#include "cgi/response.h"

/* ---- pipes ------------------------------------------------------------ */

static int made, fail_at;	/* pipes made so far; which one fails */
static int opened[6];

static int
some_pipes_fail(int fds[2], int flags)
{
	if (++made == fail_at) {
		errno = EMFILE;
		return -1;
	}
	if (pipe2(fds, flags) != 0)
		return -1;
	opened[2 * (made - 1)] = fds[0];
	opened[2 * (made - 1) + 1] = fds[1];
	return 0;
}

static void
assert_closed(int fd)
{
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
}

static void
when_the_second_pipe_fails_the_first_is_closed(void **state)
{
	int fds[3][2];

	(void)state;
	made = 0, fail_at = 2;
	assert_int_equal(cgi_pipes(fds, some_pipes_fail), -1);
	assert_int_equal(errno, EMFILE);
	assert_closed(opened[0]);
	assert_closed(opened[1]);
}

static void
when_the_third_pipe_fails_the_first_two_are_closed(void **state)
{
	int fds[3][2];

	(void)state;
	made = 0, fail_at = 3;
	assert_int_equal(cgi_pipes(fds, some_pipes_fail), -1);
	assert_int_equal(errno, EMFILE);
	for (int i = 0; i < 4; i++)
		assert_closed(opened[i]);
}

static void
three_pipes_are_made_close_on_exec(void **state)
{
	int fds[3][2];

	(void)state;
	made = 0, fail_at = 0;
	assert_int_equal(cgi_pipes(fds, some_pipes_fail), 0);
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 2; j++) {
			assert_int_equal(fcntl(fds[i][j], F_GETFD), FD_CLOEXEC);
			close(fds[i][j]);
		}
}

/* ---- the response ------------------------------------------------------- */

/* What the sink was told, as text: "status 302\n", "Name: value\n",
 * then the body as it came. */
struct seen {
	char head[4096];
	char body[4096];
	size_t body_len;
};

static void
seen_status(void *ctx, int code)
{
	struct seen *s = ctx;
	size_t l = strlen(s->head);

	snprintf(s->head + l, sizeof(s->head) - l, "status %d\n", code);
}

static void
seen_header(void *ctx, const char *name, const char *value)
{
	struct seen *s = ctx;
	size_t l = strlen(s->head);

	snprintf(s->head + l, sizeof(s->head) - l, "%s: %s\n", name, value);
}

static int
seen_body(void *ctx, const char *buf, size_t n)
{
	struct seen *s = ctx;

	assert_true(s->body_len + n <= sizeof(s->body));
	memcpy(s->body + s->body_len, buf, n);
	s->body_len += n;
	return 0;
}

static struct response r;

/* Feed out in pieces of step bytes; what the sink saw. */
static struct seen *
feed(const char *out, size_t step, int nph)
{
	static struct seen s;
	const struct response_sink sink = { seen_status, seen_header,
	    seen_body, &s };
	size_t len = strlen(out);

	memset(&s, 0, sizeof(s));
	response_init(&r, nph);
	for (size_t i = 0; i < len; i += step)
		response_feed(&r, out + i, len - i < step ? len - i : step,
		    &sink);
	return &s;
}

static void
assert_body(const struct seen *s, const char *body)
{
	assert_int_equal(s->body_len, strlen(body));
	assert_memory_equal(s->body, body, s->body_len);
}

static void
body_text_after_the_first_blank_line_is_never_a_header(void **state)
{
	const char *out = "Content-Type: text/plain\n\nhello\n"
	    "Location: http://evil/\r\n\r\nrest";

	(void)state;
	for (size_t step = 1; step <= strlen(out); step++) {
		struct seen *s = feed(out, step, 0);

		assert_true(r.in_body);
		assert_string_equal(s->head, "Content-Type: text/plain\n");
		assert_body(s, "hello\nLocation: http://evil/\r\n\r\nrest");
	}
}

static void
the_header_block_ends_at_lf_crlf_or_mixed_blank_lines(void **state)
{
	(void)state;
	assert_body(feed("A: 1\n\nb", 1, 0), "b");
	assert_body(feed("A: 1\r\n\r\nb", 1, 0), "b");
	assert_body(feed("A: 1\n\r\nb", 1, 0), "b");
	assert_body(feed("A: 1\r\n\nb", 1, 0), "b");
	assert_body(feed("\nonly body", 3, 0), "only body");
	assert_body(feed("\r\nonly body", 3, 0), "only body");
	assert_string_equal(feed("A: 1\r\n\nb", 1, 0)->head, "A: 1\n");
}

static void
headers_that_never_end_send_nothing(void **state)
{
	struct seen *s = feed("A: 1\nB: 2\r\n", 1, 0);

	(void)state;
	assert_false(r.in_body);
	assert_string_equal(s->head, "");
	assert_int_equal(s->body_len, 0);
}

static void
status_and_location_become_status_and_redirects(void **state)
{
	(void)state;
	assert_string_equal(feed("Status: 418 I am a teapot\n\n", 2, 0)->head,
	    "status 418\n");
	assert_string_equal(feed("Location: http://x/y\n\n", 2, 0)->head,
	    "status 302\nLocation: http://x/y\n");
	assert_string_equal(feed("Location: /local\n\n", 2, 0)->head,
	    "X-Accel-Redirect: /local\n");
	/* a Status given wins over the redirect's 302 */
	assert_string_equal(feed("Status: 301\nLocation: http://x/\n\n", 2,
	    0)->head, "status 301\nLocation: http://x/\n");
	assert_string_equal(feed("HTTP/1.1 202 Accepted\r\nA: b\r\n\r\n", 2,
	    1)->head, "status 202\nA: b\n");
}

static void
malformed_status_and_header_lines_are_dropped(void **state)
{
	(void)state;
	assert_string_equal(feed("Status: 42\nStatus: 6000\nStatus: x\n"
	    "Status: 99 \nStatus: 700\n\n", 2, 0)->head, "");
	assert_string_equal(feed("No colon\n: empty name\nBad name: v\n"
	    "A\rB: v\nC: a\rb\nD: a\001b\nE:  tabs\tand spaces \t\n\n", 3,
	    0)->head, "E: tabs\tand spaces\n");
	assert_string_equal(feed("HTTP/1.1 202 Accepted\n\n", 2, 0)->head,
	    "");	/* a status line only from an nph- script */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(when_the_second_pipe_fails_the_first_is_closed),
		cmocka_unit_test(when_the_third_pipe_fails_the_first_two_are_closed),
		cmocka_unit_test(three_pipes_are_made_close_on_exec),
		cmocka_unit_test(body_text_after_the_first_blank_line_is_never_a_header),
		cmocka_unit_test(the_header_block_ends_at_lf_crlf_or_mixed_blank_lines),
		cmocka_unit_test(headers_that_never_end_send_nothing),
		cmocka_unit_test(status_and_location_become_status_and_redirects),
		cmocka_unit_test(malformed_status_and_header_lines_are_dropped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
