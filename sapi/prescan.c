/*
 * prescan.c - limits on a request's FastCGI records, checked before
 * libfcgi reads them (see prescan.h).
 */
#include "config.h"

#include <string.h>

#include "prescan.h"

/* FastCGI record types (the FastCGI specification, section 8) */
enum {
	T_BEGIN_REQUEST = 1, T_ABORT_REQUEST, T_END_REQUEST, T_PARAMS,
	T_STDIN, T_STDOUT, T_STDERR, T_DATA, T_GET_VALUES,
	T_GET_VALUES_RESULT, T_UNKNOWN_TYPE, T_MAX = T_UNKNOWN_TYPE,
};

#define HEADER_LEN 8

/* a record header's request id and content length */
#define ID(h) ((h)[2] << 8 | (h)[3])
#define CLEN(h) ((size_t)(h)[4] << 8 | (h)[5])

/* The params' bytes, across their records.  Only over records prescan has
 * seen whole, up to the params' end (or a stdin record). */
struct stream {
	const unsigned char *buf;
	int id;			/* the request's */
	size_t at;		/* the next byte, or the next header */
	size_t left;		/* content bytes left in this record */
	size_t pad;		/* its padding, after them */
};

/* Up to want bytes of the params at s: where they are, *got of them;
 * NULL at the params' end. */
static const unsigned char *
take(struct stream *s, size_t want, size_t *got)
{
	const unsigned char *p;

	while (s->left == 0) {
		const unsigned char *h = s->buf + s->at;
		size_t clen = CLEN(h);
		int ours;

		ours = ID(h) == s->id;
		if (ours && (h[1] == T_STDIN || (h[1] == T_PARAMS && clen == 0)))
			return NULL;
		s->at += HEADER_LEN;
		if (ours && h[1] == T_PARAMS) {
			s->left = clen;
			s->pad = h[6];
		} else {
			s->at += clen + h[6];
		}
	}
	p = s->buf + s->at;
	*got = want < s->left ? want : s->left;
	s->at += *got;
	s->left -= *got;
	if (s->left == 0)
		s->at += s->pad;
	return p;
}

/* A name or value length: one byte, or four with the high bit set. */
static int
length(struct stream *s, size_t *len)
{
	const unsigned char *p;
	size_t got;
	int n = 1;

	*len = 0;
	for (int i = 0; i < n; i++) {
		if ((p = take(s, 1, &got)) == NULL)
			return -1;
		if (i == 0 && (*p & 0x80) != 0)
			n = 4;
		*len = *len << 8 | (i == 0 && n == 4 ? *p & 0x7f : *p);
	}
	return 0;
}

/* Whether every name-value pair in s claims no more than limit bytes, the
 * size of all of them (a pair cut short by their end is libfcgi's to
 * refuse). */
static int
pairs_fit(struct stream *s, size_t limit)
{
	size_t name, value, skip, got;

	while (length(s, &name) == 0 && length(s, &value) == 0) {
		if (name > limit || value > limit - name)
			return 0;
		for (skip = name + value; skip > 0; skip -= got)
			if (take(s, skip, &got) == NULL)
				return 1;
	}
	return 1;
}

/* The name and value lengths of the pair at *p, before end, into len;
 * *p moves past them.  -1 if they are cut short. */
static int
pair_lengths(const unsigned char **p, const unsigned char *end,
    size_t len[2])
{
	const unsigned char *q = *p;

	for (int i = 0; i < 2; i++) {
		if (q < end && (*q & 0x80) == 0) {
			len[i] = *q++;
		} else if (end - q >= 4) {
			len[i] = (size_t)(q[0] & 0x7f) << 24 |
			    (size_t)q[1] << 16 | (size_t)q[2] << 8 | q[3];
			q += 4;
		} else {
			return -1;
		}
	}
	*p = q;
	return 0;
}

/* pairs_fit for n bytes of pairs at p, all in one record: what nginx
 * sends, so this is the path of nearly every request, without the
 * stream's record walk. */
static int
flat_pairs_fit(const unsigned char *p, size_t n, size_t limit)
{
	const unsigned char *end = p + n;
	size_t len[2];

	while (p < end) {
		if (pair_lengths(&p, end, len) != 0)
			return 1;	/* cut short */
		if (len[0] > limit || len[1] > limit - len[0])
			return 0;
		if ((size_t)(end - p) < len[0] + len[1])
			return 1;
		p += len[0] + len[1];
	}
	return 1;
}

/* The bytes libfcgi 2.4.2 (to 2.4.6) answers a FCGI_GET_VALUES of n
 * bytes of pairs at p with: for each pair whose name is one of the three
 * it knows (compared as its strcmp sees it: up to a '=' or a NUL), the
 * name, a value and 3 bytes, written with sprintf into 56 bytes of a
 * stack buffer, unchecked.  Each name once fits; asked twice, libfcgi
 * writes past its stack buffer. */
#define GET_VALUES_ROOM 55	/* 56, less sprintf's NUL */

static size_t
get_values_answer(const unsigned char *p, size_t n)
{
	static const char *const known[] = { "FCGI_MAX_CONNS",
	    "FCGI_MAX_REQS", "FCGI_MPXS_CONNS" };
	const unsigned char *end = p + n;
	size_t len[2], answer = 0, k;

	while (p < end && pair_lengths(&p, end, len) == 0) {
		if ((size_t)(end - p) < len[0] ||
		    (size_t)(end - p) - len[0] < len[1])
			break;		/* cut short: libfcgi answers nothing */
		for (k = 0; k < len[0] && p[k] != '=' && p[k] != '\0'; k++)
			;
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			if (strlen(known[i]) == k && memcmp(p, known[i], k) == 0)
				answer += k + 3;
		p += len[0] + len[1];
	}
	return answer;
}

/* The params of request id, up to their end: all in the one record at
 * first when there is one (nrecords), else across their records from
 * begun, the end of the request's begin record. */
static enum prescan_result
params_end(const unsigned char *buf, int id, size_t params, size_t first,
    int nrecords, size_t begun)
{
	/* from the record after the begin: libfcgi skips the records of
	 * every id before it (prescan makes its request id 0 there) */
	struct stream s = { buf, id, begun, 0, 0 };
	int fit;

	if (nrecords == 1)
		fit = flat_pairs_fit(buf + first, params, params);
	else
		fit = pairs_fit(&s, params);
	return fit ? PRESCAN_OK : PRESCAN_BAD_PARAMS;
}

/* The whole record at h, if libfcgi answers it: a FCGI_GET_VALUES (its
 * pairs checked as libfcgi will read them, and its answer), a begin
 * record but the request's own (first, when set).  The client must read
 * the answers or libfcgi's write blocks the worker: only a few. */
static enum prescan_result
answered(const unsigned char *h, int first, int *n)
{
	size_t clen = CLEN(h);

	if (h[1] == T_BEGIN_REQUEST && !first && clen == 8 && ID(h) != 0 &&
	    ++*n > PRESCAN_MAX_ANSWERED)
		return PRESCAN_TOO_MANY_ANSWERED;
	if (h[1] != T_GET_VALUES || ID(h) != 0)
		return PRESCAN_OK;
	if (++*n > PRESCAN_MAX_ANSWERED)
		return PRESCAN_TOO_MANY_ANSWERED;
	/* libfcgi reads its pairs as it reads the params' */
	if (!flat_pairs_fit(h + HEADER_LEN, clen, clen))
		return PRESCAN_BAD_PARAMS;
	if (get_values_answer(h + HEADER_LEN, clen) > GET_VALUES_ROOM)
		return PRESCAN_BAD_GET_VALUES;
	return PRESCAN_OK;
}

enum prescan_result
prescan(const unsigned char *buf, size_t len, size_t max_params,
    size_t *params)
{
	size_t at = 0, first = 0;	/* first: the params' first byte */
	size_t begun = 0;	/* the end of the begin record */
	int id = -1;		/* the request's, from its begin record */
	int nrecords = 0;	/* its params records, but the empty one */
	int nanswered = 0;
	enum prescan_result r;

	*params = 0;
	for (int n = 0; n < PRESCAN_MAX_RECORDS; n++) {
		size_t clen, plen;
		int type, ours;

		if (len - at < HEADER_LEN)
			return PRESCAN_MORE;
		if (buf[at] != 1)
			return PRESCAN_BAD;
		type = buf[at + 1];
		if (type < T_BEGIN_REQUEST || type > T_MAX)
			return PRESCAN_BAD;
		/* Request id 0 is a management record, and the only one a web
		 * server sends is FCGI_GET_VALUES.  libfcgi 2.4.2 leaks 48
		 * bytes for any other. */
		if (ID(buf + at) == 0 && type != T_GET_VALUES)
			return PRESCAN_BAD;
		/* libfcgi takes the first begin record's id, and skips the
		 * records of any other */
		clen = CLEN(buf + at);
		plen = buf[at + 6];
		if (type == T_BEGIN_REQUEST && id < 0) {
			id = ID(buf + at);
			begun = at + HEADER_LEN + clen + plen;
		}
		ours = ID(buf + at) == id;
		if (ours && type == T_PARAMS) {
			if (clen == 0)		/* the params end */
				return params_end(buf, id, *params, first,
				    nrecords, begun);
			if (nrecords++ == 0)
				first = at + HEADER_LEN;
			*params += clen;
			if (*params > max_params)
				return PRESCAN_TOO_BIG;
		}
		if (ours && type == T_STDIN)	/* libfcgi takes it from here */
			return params_end(buf, id, *params, first, nrecords,
			    begun);
		if (clen + plen > len - at - HEADER_LEN)
			return PRESCAN_MORE;
		if ((r = answered(buf + at, at < begun, &nanswered)) !=
		    PRESCAN_OK)
			return r;
		at += HEADER_LEN + clen + plen;
	}
	return PRESCAN_TOO_MANY;
}

const char *
prescan_why(enum prescan_result r)
{
	switch (r) {
	case PRESCAN_OK: return "ok";
	case PRESCAN_MORE: return "incomplete";
	case PRESCAN_TOO_BIG: return "params larger than "
	    "fastcgi.max_params_size";
	case PRESCAN_TOO_MANY: return "too many records before the params end";
	case PRESCAN_BAD: return "not a FastCGI record";
	case PRESCAN_BAD_PARAMS: return "a param longer than the params";
	case PRESCAN_BAD_GET_VALUES: return "a FCGI_GET_VALUES asking more "
	    "than libfcgi can answer";
	case PRESCAN_TOO_MANY_ANSWERED: return "more than 16 records asking "
	    "for an answer (FCGI_GET_VALUES, begin records)";
	}
	return "?";
}

void
bodyscan_init(struct bodyscan *s, int id)
{
	*s = (struct bodyscan){ .id = id };
}

enum bodyscan_step
bodyscan(struct bodyscan *s, const unsigned char *buf, size_t len,
    size_t *used)
{
	size_t n;

	*used = 0;
	if (s->left > 0 || s->pad > 0) {
		if (len == 0)
			return BODYSCAN_MORE;
		if (s->left > 0) {
			n = *used = len < s->left ? len : s->left;
			s->left -= n;
			return s->ours ? BODYSCAN_DATA : BODYSCAN_SKIP;
		}
		n = *used = len < s->pad ? len : s->pad;
		s->pad -= n;
		return BODYSCAN_SKIP;
	}
	if (len < HEADER_LEN)
		return BODYSCAN_MORE;
	if (buf[0] != 1)
		return BODYSCAN_BAD;
	*used = HEADER_LEN;
	s->ours = ID(buf) == s->id;
	if (s->ours && buf[1] != T_STDIN)
		return BODYSCAN_BAD;	/* libfcgi: a protocol error */
	if (s->ours && CLEN(buf) == 0)
		return BODYSCAN_END;	/* its padding is not read */
	if (!s->ours && ++s->foreign > BODYSCAN_MAX_FOREIGN)
		return BODYSCAN_BAD;
	s->left = CLEN(buf);
	s->pad = buf[6];
	return BODYSCAN_SKIP;
}
