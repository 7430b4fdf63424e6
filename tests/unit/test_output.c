/*
 * test_output.c - workers' output cut into log lines, and decorated.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "output.h"

/* What the emit callback was given, piece by piece. */
struct piece {
	char	text[OUTPUT_MAX];
	size_t	len;
	int	continued;
};

struct got {
	struct piece	p[64];
	size_t		n;
};

static void
collect(void *ctx, const char *line, size_t len, int continued)
{
	struct got *g = ctx;

	assert_true(g->n < sizeof(g->p) / sizeof(g->p[0]));
	assert_true(len <= OUTPUT_MAX);
	memcpy(g->p[g->n].text, line, len);
	g->p[g->n].len = len;
	g->p[g->n].continued = continued;
	g->n++;
}

static struct got *
got_new(void)
{
	struct got *g = calloc(1, sizeof(*g));

	assert_non_null(g);
	return g;
}

static struct output_line *
line_new(void)
{
	struct output_line *o = calloc(1, sizeof(*o));

	assert_non_null(o);
	return o;
}

static void
assert_piece(const struct got *g, size_t i, const char *text, int continued)
{
	assert_true(i < g->n);
	assert_int_equal(g->p[i].len, strlen(text));
	assert_memory_equal(g->p[i].text, text, strlen(text));
	assert_int_equal(g->p[i].continued, continued);
}

static void
feed_str(struct output_line *o, const char *s, size_t limit, struct got *g)
{
	output_feed(o, s, strlen(s), limit, collect, g);
}

/* Feed a line of len 'x's, then "\n", in one call, at limit 16. */
static void
feed_xs(struct output_line *o, size_t len, struct got *g)
{
	char *s = malloc(len + 1);

	assert_non_null(s);
	memset(s, 'x', len);
	s[len] = '\n';
	output_feed(o, s, len + 1, 16, collect, g);
	free(s);
}

/* ---- output_feed ----------------------------------------------------------- */

static void
empty_input_emits_nothing(void **state)
{
	struct output_line *o = line_new();
	struct got *g = got_new();

	(void)state;
	output_feed(o, "", 0, 1024, collect, g);
	assert_int_equal(g->n, 0);
	assert_int_equal(o->len, 0);
	free(o);
	free(g);
}

static void
one_line_is_emitted_without_its_newline(void **state)
{
	struct output_line *o = line_new();
	struct got *g = got_new();

	(void)state;
	feed_str(o, "hello world\n", 1024, g);
	assert_int_equal(g->n, 1);
	assert_piece(g, 0, "hello world", 0);
	assert_int_equal(o->len, 0);
	free(o);
	free(g);
}

static void
several_lines_in_one_feed_are_emitted_in_order(void **state)
{
	struct output_line *o = line_new();
	struct got *g = got_new();

	(void)state;
	feed_str(o, "one\ntwo\n\nthree\nfour", 1024, g);
	assert_int_equal(g->n, 4);
	assert_piece(g, 0, "one", 0);
	assert_piece(g, 1, "two", 0);
	assert_piece(g, 2, "", 0);
	assert_piece(g, 3, "three", 0);
	assert_int_equal(o->len, 4);
	free(o);
	free(g);
}

static void
line_fed_byte_by_byte_is_emitted_once_whole(void **state)
{
	const char *s = "a line in many reads\r\nnext\n";
	struct output_line *o = line_new();
	struct got *g = got_new();

	(void)state;
	for (size_t i = 0; s[i] != '\0'; i++) {
		output_feed(o, s + i, 1, 1024, collect, g);
		if (i < strlen("a line in many reads\r"))
			assert_int_equal(g->n, 0);
	}
	assert_int_equal(g->n, 2);
	assert_piece(g, 0, "a line in many reads", 0);
	assert_piece(g, 1, "next", 0);
	free(o);
	free(g);
}

static void
crlf_ends_a_line_and_a_lone_cr_is_kept(void **state)
{
	struct output_line *o = line_new();
	struct got *g = got_new();

	(void)state;
	feed_str(o, "dos\r\nbar\rfoo\n\r\n", 1024, g);
	assert_int_equal(g->n, 3);
	assert_piece(g, 0, "dos", 0);
	assert_piece(g, 1, "bar\rfoo", 0);
	assert_piece(g, 2, "", 0);
	free(o);
	free(g);
}

static void
line_of_exactly_the_limit_is_one_piece(void **state)
{
	struct output_line *o = line_new();
	struct got *g = got_new();

	(void)state;
	feed_xs(o, 16, g);
	assert_int_equal(g->n, 1);
	assert_piece(g, 0, "xxxxxxxxxxxxxxxx", 0);

	/* Also with "\r\n", and fed in two reads split before the '\n'. */
	g->n = 0;
	feed_str(o, "yyyyyyyyyyyyyyyy\r", 16, g);
	assert_int_equal(g->n, 0);
	feed_str(o, "\n", 16, g);
	assert_int_equal(g->n, 1);
	assert_piece(g, 0, "yyyyyyyyyyyyyyyy", 0);
	free(o);
	free(g);
}

static void
line_one_byte_over_the_limit_is_two_pieces(void **state)
{
	struct output_line *o = line_new();
	struct got *g = got_new();

	(void)state;
	feed_xs(o, 17, g);
	assert_int_equal(g->n, 2);
	assert_piece(g, 0, "xxxxxxxxxxxxxxxx", 1);
	assert_piece(g, 1, "x", 0);

	/* A '\r' just past the limit that does not end the line is text. */
	g->n = 0;
	feed_str(o, "zzzzzzzzzzzzzzzz\rz\n", 16, g);
	assert_int_equal(g->n, 2);
	assert_piece(g, 0, "zzzzzzzzzzzzzzzz", 1);
	assert_piece(g, 1, "\rz", 0);
	free(o);
	free(g);
}

static void
line_of_three_limits_and_five_is_four_pieces_with_no_byte_lost(void **state)
{
	struct output_line *o = line_new();
	struct got *g = got_new();
	char *s = malloc(3 * 16 + 5 + 1);
	size_t off = 0;

	(void)state;
	assert_non_null(s);
	for (size_t i = 0; i < 3 * 16 + 5; i++)
		s[i] = (char)('a' + i % 26);
	s[3 * 16 + 5] = '\n';
	output_feed(o, s, 3 * 16 + 5 + 1, 16, collect, g);
	assert_int_equal(g->n, 4);
	for (size_t i = 0; i < g->n; i++) {
		assert_int_equal(g->p[i].len, i < 3 ? 16 : 5);
		assert_int_equal(g->p[i].continued, i < 3);
		assert_memory_equal(g->p[i].text, s + off, g->p[i].len);
		off += g->p[i].len;
	}
	assert_int_equal(off, 3 * 16 + 5);
	free(s);
	free(o);
	free(g);
}

static void
limit_above_the_maximum_is_the_maximum(void **state)
{
	struct output_line *o = line_new();
	struct got *g = got_new();
	size_t len = OUTPUT_MAX + 3;
	char *s = malloc(len);

	(void)state;
	assert_non_null(s);
	memset(s, 'q', len);
	output_feed(o, s, len, 0, collect, g);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->p[0].len, OUTPUT_MAX);
	assert_int_equal(g->p[0].continued, 1);
	output_feed(o, s, len, 100000, collect, g);
	assert_int_equal(g->n, 2);
	assert_int_equal(g->p[1].len, OUTPUT_MAX);
	output_flush(o, collect, g);
	assert_int_equal(g->n, 3);
	assert_int_equal(g->p[2].len, 6);
	assert_int_equal(g->p[2].continued, 0);
	free(s);
	free(o);
	free(g);
}

static void
flush_emits_a_pending_partial_line(void **state)
{
	struct output_line *o = line_new();
	struct got *g = got_new();

	(void)state;
	feed_str(o, "done\npartial", 1024, g);
	assert_int_equal(g->n, 1);
	output_flush(o, collect, g);
	assert_int_equal(g->n, 2);
	assert_piece(g, 1, "partial", 0);
	assert_int_equal(o->len, 0);

	/* A last '\r' ends it as a "\r\n" would. */
	feed_str(o, "cr\r", 1024, g);
	output_flush(o, collect, g);
	assert_int_equal(g->n, 3);
	assert_piece(g, 2, "cr", 0);
	free(o);
	free(g);
}

static void
flush_with_nothing_pending_emits_nothing(void **state)
{
	struct output_line *o = line_new();
	struct got *g = got_new();

	(void)state;
	output_flush(o, collect, g);
	assert_int_equal(g->n, 0);
	feed_str(o, "whole\n", 1024, g);
	output_flush(o, collect, g);
	output_flush(o, collect, g);
	assert_int_equal(g->n, 1);
	free(o);
	free(g);
}

static void
nul_bytes_inside_a_line_are_kept(void **state)
{
	static const char s[] = "a\0b\0\0c\n";
	struct output_line *o = line_new();
	struct got *g = got_new();

	(void)state;
	output_feed(o, s, sizeof(s) - 1, 1024, collect, g);
	assert_int_equal(g->n, 1);
	assert_int_equal(g->p[0].len, 6);
	assert_memory_equal(g->p[0].text, "a\0b\0\0c", 6);
	free(o);
	free(g);
}

/* ---- output_decorate ------------------------------------------------------- */

static void
decorated_line_names_pool_child_and_stream(void **state)
{
	char out[OUTPUT_TEXT_MAX];
	size_t n;

	(void)state;
	n = output_decorate(out, sizeof(out), "www", 4242, "stderr", "text",
	    4, OUTPUT_DECORATE);
	assert_string_equal(out,
	    "[pool www] child 4242 said into stderr: \"text\"");
	assert_int_equal(n, strlen(out));

	output_decorate(out, sizeof(out), "www", 7, "stdout", "", 0,
	    OUTPUT_DECORATE);
	assert_string_equal(out, "[pool www] child 7 said into stdout: \"\"");

	/* decorate_workers_output, a boolean, can be passed as the flags. */
	output_decorate(out, sizeof(out), "www", 7, "stdout", "t", 1, 1);
	assert_string_equal(out, "[pool www] child 7 said into stdout: \"t\"");
}

static void
continued_piece_is_marked_after_the_quote(void **state)
{
	char out[256];

	(void)state;
	output_decorate(out, sizeof(out), "www", 4242, "stdout", "abc", 3,
	    OUTPUT_DECORATE | OUTPUT_CONTINUED);
	assert_string_equal(out,
	    "[pool www] child 4242 said into stdout: \"abc\"...");
	/* Undecorated text stays the worker's, with no marker. */
	output_decorate(out, sizeof(out), "www", 4242, "stdout", "abc", 3,
	    OUTPUT_CONTINUED);
	assert_string_equal(out, "abc");
}

static void
undecorated_line_is_the_bare_text(void **state)
{
	char out[256];

	(void)state;
	assert_int_equal(output_decorate(out, sizeof(out), "www", 1, "stderr",
	    "PHP Warning: \"x\" \\ y", 20, 0), 20);
	assert_string_equal(out, "PHP Warning: \"x\" \\ y");
}

static void
control_characters_are_escaped_so_no_line_can_be_forged(void **state)
{
	static const char s[] = "a\tb\rc\nd\0e\x1b[31m\x7f\xc3\xa9";
	char out[256];

	(void)state;
	output_decorate(out, sizeof(out), "www", 1, "stderr", s, sizeof(s) - 1,
	    0);
	assert_string_equal(out,
	    "a\\x09b\\x0dc\\x0ad\\x00e\\x1b[31m\\x7f\xc3\xa9");
	output_decorate(out, sizeof(out), "www", 1, "stderr", "\r\n", 2,
	    OUTPUT_DECORATE);
	assert_string_equal(out,
	    "[pool www] child 1 said into stderr: \"\\x0d\\x0a\"");
}

static void
output_never_overflows_and_cuts_between_escapes(void **state)
{
	static const char s[] = "ab\x01\x02";
	const char *whole = "[pool www] child 42 said into stderr: "
	    "\"ab\\x01\\x02\"...";
	size_t p = strlen("[pool www] child 42 said into stderr: \"ab");
	char out[64];
	size_t n;

	(void)state;
	/* Every size from 0 to the whole, with a canary after it. */
	for (size_t len = 0; len <= strlen(whole) + 1; len++) {
		memset(out, '#', sizeof(out));
		n = output_decorate(out, len, "www", 42, "stderr", s,
		    sizeof(s) - 1, OUTPUT_DECORATE | OUTPUT_CONTINUED);
		assert_int_equal(out[len], '#');
		if (len == 0) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_true(n < len);
		assert_int_equal(out[n], '\0');
		assert_memory_equal(out, whole, n);
		/* Never inside "\x01" (at p) or "\x02" (at p + 4). */
		assert_false(n > p && n < p + 4);
		assert_false(n > p + 4 && n < p + 8);
	}
	n = output_decorate(out, strlen(whole) + 1, "www", 42, "stderr", s,
	    sizeof(s) - 1, OUTPUT_DECORATE | OUTPUT_CONTINUED);
	assert_int_equal(n, strlen(whole));
	assert_string_equal(out, whole);
}

static void
worst_case_piece_fits_in_output_text_max(void **state)
{
	char *out = malloc(OUTPUT_TEXT_MAX);
	char *s = malloc(OUTPUT_MAX);
	char pool[256];
	size_t n;

	(void)state;
	assert_non_null(out);
	assert_non_null(s);
	memset(s, '\x01', OUTPUT_MAX);
	memset(pool, 'p', sizeof(pool) - 1);
	pool[sizeof(pool) - 1] = '\0';
	n = output_decorate(out, OUTPUT_TEXT_MAX, pool, -2147483647 - 1,
	    "stderr", s, OUTPUT_MAX, OUTPUT_DECORATE | OUTPUT_CONTINUED);
	assert_true(n < OUTPUT_TEXT_MAX);
	assert_int_equal(strcmp(out + n - 4, "\"..."), 0);
	free(s);
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(empty_input_emits_nothing),
		cmocka_unit_test(one_line_is_emitted_without_its_newline),
		cmocka_unit_test(
		    several_lines_in_one_feed_are_emitted_in_order),
		cmocka_unit_test(line_fed_byte_by_byte_is_emitted_once_whole),
		cmocka_unit_test(crlf_ends_a_line_and_a_lone_cr_is_kept),
		cmocka_unit_test(line_of_exactly_the_limit_is_one_piece),
		cmocka_unit_test(line_one_byte_over_the_limit_is_two_pieces),
		cmocka_unit_test(
		    line_of_three_limits_and_five_is_four_pieces_with_no_byte_lost),
		cmocka_unit_test(limit_above_the_maximum_is_the_maximum),
		cmocka_unit_test(flush_emits_a_pending_partial_line),
		cmocka_unit_test(flush_with_nothing_pending_emits_nothing),
		cmocka_unit_test(nul_bytes_inside_a_line_are_kept),
		cmocka_unit_test(decorated_line_names_pool_child_and_stream),
		cmocka_unit_test(continued_piece_is_marked_after_the_quote),
		cmocka_unit_test(undecorated_line_is_the_bare_text),
		cmocka_unit_test(
		    control_characters_are_escaped_so_no_line_can_be_forged),
		cmocka_unit_test(
		    output_never_overflows_and_cuts_between_escapes),
		cmocka_unit_test(worst_case_piece_fits_in_output_text_max),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
