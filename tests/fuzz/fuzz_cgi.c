/*
 * fuzz_cgi - arbitrary bytes as a CGI script's stdout, fed to the CGI
 * sapi's response parser (sapi/cgi/response.c) in pieces whose sizes the
 * first byte picks.  Besides what ASan and UBSan catch, it checks what
 * the parser promises: the body is exactly what follows the first empty
 * line (found here by a naive search of our own), a status is 100..599,
 * a header name is a non-empty token and its value holds no control
 * character but tab and no surrounding blanks, and nothing is sent as
 * body after body() failed.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgi/response.h"

struct check {
	const uint8_t *want;	/* the body expected, from the naive split */
	size_t want_len, got;
	int fail_after;		/* body() fails once this much was sent */
	int failed;
};

static void
check_status(void *ctx, int code)
{
	(void)ctx;
	if (code < 100 || code > 599)
		abort();
}

static void
check_header(void *ctx, const char *name, const char *value)
{
	size_t vl = strlen(value);

	(void)ctx;
	if (*name == '\0' || strcspn(name, "()<>@,;:\\\"/[]?={} \t") !=
	    strlen(name))
		abort();
	for (const char *p = name; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			abort();
	for (const char *p = value; *p != '\0'; p++)
		if (((unsigned char)*p < 0x20 && *p != '\t') || *p == 0x7f)
			abort();
	if (vl > 0 && (value[0] == ' ' || value[0] == '\t' ||
	    value[vl - 1] == ' ' || value[vl - 1] == '\t'))
		abort();
}

static int
check_body(void *ctx, const char *buf, size_t n)
{
	struct check *c = ctx;

	if (c->failed || n == 0 || c->got + n > c->want_len ||
	    memcmp(c->want + c->got, buf, n) != 0)
		abort();
	c->got += n;
	if (c->fail_after >= 0 && c->got >= (size_t)c->fail_after) {
		c->failed = 1;
		return -1;
	}
	return 0;
}

/* Where the body starts: after the first line that is empty ("\n" or
 * "\r\n"), looked for only in what fits the header buffer.  Or -1. */
static long
naive_body_at(const uint8_t *d, size_t n)
{
	size_t lim = n < RESPONSE_HEAD_MAX - 1 ? n : RESPONSE_HEAD_MAX - 1;

	for (size_t i = 0; i < lim; i++) {
		if (i > 0 && d[i - 1] != '\n')
			continue;
		if (d[i] == '\n')
			return (long)i + 1;
		if (d[i] == '\r' && i + 1 < lim && d[i + 1] == '\n')
			return (long)i + 2;
	}
	return -1;
}

static struct response r;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct check c = { 0 };
	const struct response_sink sink = { check_status, check_header,
	    check_body, &c };
	unsigned step, seed;
	int nph;
	long at;

	if (size < 2)
		return 0;
	/* first byte: the piece size (1..64, or all at once) and nph;
	 * second: whether and when body() fails */
	step = data[0] & 0x3f ? data[0] & 0x3f : (unsigned)size;
	seed = data[1];
	nph = data[0] & 0x40;
	data += 2, size -= 2;
	at = naive_body_at(data, size);
	c.want = at >= 0 ? data + at : data;
	c.want_len = at >= 0 ? size - (size_t)at : 0;
	c.fail_after = seed & 0x80 ? (int)(seed & 0x7f) : -1;
	response_init(&r, nph);
	for (size_t i = 0; i < size; i += step)
		response_feed(&r, (const char *)data + i,
		    size - i < step ? size - i : step, &sink);
	if (r.in_body != (at >= 0))
		abort();
	if (at >= 0 && !c.failed && c.got != c.want_len)
		abort();
	return 0;
}
