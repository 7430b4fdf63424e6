/*
 * test_prescan.c - the limits checked on a request's FastCGI records
 * before libfcgi reads them.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "prescan.h"

/* A record of type with clen content bytes (all 'x') and plen padding,
 * appended at buf + *len. */
static void
record(unsigned char *buf, size_t *len, int type, size_t clen, size_t plen)
{
	unsigned char *r = buf + *len;

	r[0] = 1;
	r[1] = (unsigned char)type;
	r[2] = 0, r[3] = 1;
	r[4] = (unsigned char)(clen >> 8), r[5] = (unsigned char)clen;
	r[6] = (unsigned char)plen, r[7] = 0;
	memset(r + 8, 'x', clen + plen);
	*len += 8 + clen + plen;
}

static unsigned char buf[1 << 20];

static void
a_request_as_nginx_sends_it_passes(void **state)
{
	size_t len = 0, params;

	(void)state;
	record(buf, &len, 1, 8, 0);		/* begin */
	record(buf, &len, 4, 1000, 0);		/* params */
	record(buf, &len, 4, 0, 0);		/* end of params */
	record(buf, &len, 5, 0, 0);		/* empty body */
	assert_int_equal(prescan(buf, len, 65536, &params), PRESCAN_OK);
	assert_int_equal(params, 1000);
}

static void
every_cut_short_of_the_params_end_needs_more(void **state)
{
	size_t len = 0, params;

	(void)state;
	record(buf, &len, 1, 8, 0);
	record(buf, &len, 4, 300, 4);
	record(buf, &len, 4, 0, 0);
	for (size_t cut = 0; cut < len; cut++)
		assert_int_equal(prescan(buf, cut, 65536, &params),
		    PRESCAN_MORE);
	assert_int_equal(prescan(buf, len, 65536, &params), PRESCAN_OK);
}

static void
params_over_the_limit_are_refused_as_soon_as_seen(void **state)
{
	size_t len = 0, params;

	(void)state;
	record(buf, &len, 1, 8, 0);
	for (int i = 0; i < 3; i++)
		record(buf, &len, 4, 30000, 0);
	/* the third record's header is enough to tell: 90000 > 65536 */
	assert_int_equal(prescan(buf, 16 + 2 * 30008 + 8, 65536, &params),
	    PRESCAN_TOO_BIG);
	assert_true(params > 65536);
	/* at the limit exactly it passes */
	len = 0;
	record(buf, &len, 1, 8, 0);
	record(buf, &len, 4, 65535, 0);
	record(buf, &len, 4, 1, 0);
	record(buf, &len, 4, 0, 0);
	assert_int_equal(prescan(buf, len, 65536, &params), PRESCAN_OK);
	assert_int_equal(params, 65536);
}

static void
endless_records_are_refused(void **state)
{
	size_t len = 0, params;

	(void)state;
	record(buf, &len, 1, 8, 0);
	for (int i = 0; i < PRESCAN_MAX_RECORDS + 10; i++)
		record(buf, &len, 9, 0, 0);	/* get-values, no params */
	assert_int_equal(prescan(buf, len, 65536, &params),
	    PRESCAN_TOO_MANY);
}

static void
what_is_not_fastcgi_is_refused(void **state)
{
	size_t len = 0, params;

	(void)state;
	memcpy(buf, "GET / HTTP/1.1\r\n", 16);
	assert_int_equal(prescan(buf, 16, 65536, &params), PRESCAN_BAD);
	record(buf, &len, 1, 8, 0);
	buf[len - 16 + 1] = 0;			/* type 0 */
	assert_int_equal(prescan(buf, len, 65536, &params), PRESCAN_BAD);
	assert_string_equal(prescan_why(PRESCAN_TOO_BIG),
	    "params larger than fastcgi.max_params_size");
}

static void
a_param_claiming_more_than_the_params_is_refused(void **state)
{
	size_t len = 0, params;
	unsigned char *p;

	(void)state;
	record(buf, &len, 1, 8, 0);
	record(buf, &len, 4, 16, 0);
	record(buf, &len, 4, 0, 0);
	/* a name of 0x7fffff00 bytes, as libfcgi reads four-byte lengths;
	 * it would malloc that much, and overflow near 2 GB */
	p = buf + 16 + 8;
	memcpy(p, "\xff\xff\xff\x00\x01", 5);
	assert_int_equal(prescan(buf, len, 65536, &params),
	    PRESCAN_BAD_PARAMS);
	/* split across records, the lengths still add up */
	len = 0;
	record(buf, &len, 1, 8, 0);
	record(buf, &len, 4, 2, 3);
	record(buf, &len, 4, 6, 0);
	record(buf, &len, 4, 0, 0);
	memcpy(buf + 16 + 8, "\x03\x03", 2);
	memcpy(buf + 16 + 13 + 8, "ABCdef", 6);
	assert_int_equal(prescan(buf, len, 65536, &params), PRESCAN_OK);
	buf[16 + 8 + 1] = 7;			/* value: one byte too long */
	assert_int_equal(prescan(buf, len, 65536, &params),
	    PRESCAN_BAD_PARAMS);
	/* in a get-values record, libfcgi reads them the same way */
	len = 0;
	record(buf, &len, 9, 8, 0);
	buf[2] = buf[3] = 0;
	memcpy(buf + 8, "\x03\x03" "ABCdef", 8);
	record(buf, &len, 1, 8, 0);
	record(buf, &len, 4, 0, 0);
	assert_int_equal(prescan(buf, len, 65536, &params), PRESCAN_OK);
	buf[8] = 0x84;				/* a four-byte name length */
	assert_int_equal(prescan(buf, len, 65536, &params),
	    PRESCAN_BAD_PARAMS);
}

static void
a_four_byte_length_split_across_records_is_read_whole(void **state)
{
	size_t len = 0, params;

	(void)state;
	record(buf, &len, 1, 8, 0);
	record(buf, &len, 4, 2, 1);		/* "\x80\x00" and a pad byte */
	record(buf, &len, 4, 9, 0);		/* "\x00\x03\x03ABCdef" */
	record(buf, &len, 4, 0, 0);
	memcpy(buf + 16 + 8, "\x80\x00", 2);
	memcpy(buf + 16 + 11 + 8, "\x00\x03\x03" "ABCdef", 9);
	assert_int_equal(prescan(buf, len, 65536, &params), PRESCAN_OK);
	assert_int_equal(params, 11);
	/* the same split, claiming a name of 0xff0003 bytes */
	buf[16 + 8 + 1] = 0xff;
	assert_int_equal(prescan(buf, len, 65536, &params),
	    PRESCAN_BAD_PARAMS);
}

static void
management_records_other_than_get_values_are_refused(void **state)
{
	size_t len = 0, params;

	(void)state;
	record(buf, &len, 9, 0, 0);		/* get-values */
	buf[2] = buf[3] = 0;			/* request id 0 */
	record(buf, &len, 1, 8, 0);
	record(buf, &len, 4, 0, 0);
	assert_int_equal(prescan(buf, len, 65536, &params), PRESCAN_OK);
	buf[1] = 4;				/* params, with id 0 */
	assert_int_equal(prescan(buf, len, 65536, &params), PRESCAN_BAD);
}

static void
the_records_of_another_request_neither_end_nor_count(void **state)
{
	size_t len = 0, params;

	(void)state;
	record(buf, &len, 1, 8, 0);
	record(buf, &len, 4, 0, 0);		/* an end of params... */
	buf[len - 8 + 3] = 2;			/* ...of request 2 */
	record(buf, &len, 4, 40000, 0);
	buf[len - 40008 + 3] = 2;		/* not counted */
	record(buf, &len, 4, 30000, 0);
	record(buf, &len, 4, 30000, 0);		/* too big: 60000 */
	assert_int_equal(prescan(buf, len, 50000, &params), PRESCAN_TOO_BIG);
	assert_int_equal(params, 60000);
}

static void
a_params_end_before_the_begin_does_not_end_its_params(void **state)
{
	size_t len = 0, params;

	(void)state;
	record(buf, &len, 4, 0, 0);		/* before the begin: skipped */
	record(buf, &len, 1, 8, 0);
	record(buf, &len, 4, 2, 0);		/* two records of params */
	record(buf, &len, 4, 8, 0);
	record(buf, &len, 4, 0, 0);
	memcpy(buf + 24 + 8, "\x00\x00", 2);	/* an empty pair */
	memcpy(buf + 24 + 10 + 8, "\xff\xff\xff\xf0\xff\xff\xff\xf0", 8);
	assert_int_equal(prescan(buf, len, 65536, &params),
	    PRESCAN_BAD_PARAMS);
}

/* prescan of a get-values record with the n bytes of pairs at ask, then
 * a request */
static enum prescan_result
get_values(const char *ask, size_t n)
{
	size_t len = 0, params;

	record(buf, &len, 9, n, 0);
	buf[2] = buf[3] = 0;
	memcpy(buf + 8, ask, n);
	record(buf, &len, 1, 8, 0);
	record(buf, &len, 4, 0, 0);
	return prescan(buf, len, 65536, &params);
}

#define ASK(s) s, sizeof(s) - 1

static void
a_get_values_asking_a_name_twice_is_refused(void **state)
{
	(void)state;
	/* each name once: fine */
	assert_int_equal(get_values(ASK("\x0e\x00" "FCGI_MAX_CONNS"
	    "\x0d\x00" "FCGI_MAX_REQS" "\x0f\x00" "FCGI_MPXS_CONNS")),
	    PRESCAN_OK);
	assert_int_equal(get_values(ASK("\x0f\x00" "FCGI_MPXS_CONNS"
	    "\x0f\x00" "FCGI_MPXS_CONNS" "\x0f\x00" "FCGI_MPXS_CONNS"
	    "\x0f\x00" "FCGI_MPXS_CONNS")), PRESCAN_BAD_GET_VALUES);
	/* "FCGI_MAX_CONNS=x" and "FCGI_MAX_CONNS\0x": the same to libfcgi */
	assert_int_equal(get_values(ASK("\x0e\x00" "FCGI_MAX_CONNS"
	    "\x10\x00" "FCGI_MAX_CONNS=x" "\x10\x00" "FCGI_MAX_CONNS\0x"
	    "\x0e\x00" "FCGI_MAX_CONNS")), PRESCAN_BAD_GET_VALUES);
	/* other names cost nothing */
	assert_int_equal(get_values(ASK("\x0e\x00" "FCGI_MAX_CONNX"
	    "\x0e\x00" "FCGI_MAX_CONNX" "\x0e\x00" "FCGI_MAX_CONNX"
	    "\x0e\x00" "FCGI_MAX_CONNX")), PRESCAN_OK);
}

static void
only_a_few_records_that_libfcgi_answers_are_taken(void **state)
{
	size_t len = 0, params;

	(void)state;
	for (int i = 0; i < PRESCAN_MAX_ANSWERED; i++) {
		record(buf, &len, 9, 0, 0);	/* get-values */
		buf[len - 8 + 3] = 0;
	}
	record(buf, &len, 1, 8, 0);
	record(buf, &len, 4, 0, 0);
	assert_int_equal(prescan(buf, len, 65536, &params), PRESCAN_OK);
	len -= 8;
	record(buf, &len, 1, 8, 0);		/* a begin of request 2 */
	buf[len - 16 + 3] = 2;
	record(buf, &len, 4, 0, 0);
	assert_int_equal(prescan(buf, len, 65536, &params),
	    PRESCAN_TOO_MANY_ANSWERED);
}

/* The body of len bytes at p, taken in pieces of at most step bytes, into
 * out; returns the last step. */
static enum bodyscan_step
body(const unsigned char *p, size_t len, size_t step, char *out,
    size_t *outlen)
{
	struct bodyscan s;
	enum bodyscan_step r;
	size_t at = 0, end = 0, used;	/* end: what has arrived */

	bodyscan_init(&s, 1);
	*outlen = 0;
	for (;;) {
		r = bodyscan(&s, p + at, end - at, &used);
		if (r == BODYSCAN_DATA)
			memcpy(out + (*outlen), p + at, used), *outlen += used;
		at += used;
		if (r == BODYSCAN_END || r == BODYSCAN_BAD ||
		    (r == BODYSCAN_MORE && end == len))
			return r;
		if (r == BODYSCAN_MORE)
			end = len - end < step ? len : end + step;
	}
}

static void
the_body_is_the_requests_stdin_and_nothing_else(void **state)
{
	size_t len = 0, got, steps[] = { 1, 3, 8, 1 << 20 };
	char out[64];

	(void)state;
	record(buf, &len, 5, 3, 2);		/* "abc" */
	memcpy(buf + 8, "abc", 3);
	record(buf, &len, 9, 9, 0);		/* get-values, an overflowing */
	buf[len - 17 + 2] = buf[len - 17 + 3] = 0;	/* pair: skipped */
	memcpy(buf + len - 9, "\xff\xff\xff\xf0\xff\xff\xff\xf0", 8);
	record(buf, &len, 11, 4, 0);		/* unknown type, id 0 */
	buf[len - 12 + 2] = buf[len - 12 + 3] = 0;
	record(buf, &len, 5, 5, 0);		/* another request's */
	buf[len - 13 + 3] = 2;
	record(buf, &len, 1, 8, 0);		/* another begin */
	buf[len - 16 + 3] = 3;
	record(buf, &len, 5, 2, 0);		/* "de" */
	memcpy(buf + len - 2, "de", 2);
	record(buf, &len, 5, 0, 0);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		assert_int_equal(body(buf, len, steps[i], out, &got),
		    BODYSCAN_END);
		assert_int_equal(got, 5);
		assert_memory_equal(out, "abcde", 5);
	}
	/* cut short: more is needed */
	assert_int_equal(body(buf, len - 1, 7, out, &got), BODYSCAN_MORE);
}

static void
a_body_record_of_the_request_not_stdin_or_endless_skipping_is_refused(
    void **state)
{
	size_t len = 0, got;
	char out[64];

	(void)state;
	record(buf, &len, 4, 3, 0);		/* params, in the body */
	assert_int_equal(body(buf, len, 100, out, &got), BODYSCAN_BAD);
	buf[0] = 2;				/* version 2 */
	assert_int_equal(body(buf, len, 100, out, &got), BODYSCAN_BAD);
	len = 0;
	for (int i = 0; i <= BODYSCAN_MAX_FOREIGN; i++) {
		record(buf, &len, 11, 0, 0);
		buf[len - 8 + 3] = 0;
	}
	record(buf, &len, 5, 0, 0);
	assert_int_equal(body(buf, len, 1 << 20, out, &got), BODYSCAN_BAD);
	len -= 16;				/* one fewer: fine */
	record(buf, &len, 5, 0, 0);
	assert_int_equal(body(buf, len, 1 << 20, out, &got), BODYSCAN_END);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_request_as_nginx_sends_it_passes),
		cmocka_unit_test(every_cut_short_of_the_params_end_needs_more),
		cmocka_unit_test(params_over_the_limit_are_refused_as_soon_as_seen),
		cmocka_unit_test(endless_records_are_refused),
		cmocka_unit_test(what_is_not_fastcgi_is_refused),
		cmocka_unit_test(a_param_claiming_more_than_the_params_is_refused),
		cmocka_unit_test(a_four_byte_length_split_across_records_is_read_whole),
		cmocka_unit_test(management_records_other_than_get_values_are_refused),
		cmocka_unit_test(the_records_of_another_request_neither_end_nor_count),
		cmocka_unit_test(a_params_end_before_the_begin_does_not_end_its_params),
		cmocka_unit_test(a_get_values_asking_a_name_twice_is_refused),
		cmocka_unit_test(only_a_few_records_that_libfcgi_answers_are_taken),
		cmocka_unit_test(the_body_is_the_requests_stdin_and_nothing_else),
		cmocka_unit_test(a_body_record_of_the_request_not_stdin_or_endless_skipping_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
