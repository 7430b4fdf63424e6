/*
 * prescan.h - look at the start of a FastCGI connection before libfcgi
 * reads it, to hold hostile input to limits libfcgi does not have.
 *
 * libfcgi reads a request's params into memory without bound.  The worker
 * peeks (MSG_PEEK) at what has arrived and checks the records up to the
 * end of the params: their total size against fastcgi.max_params_size,
 * and their number, and the lengths the name-value pairs claim.  Only then
 * does libfcgi read them.
 */
#ifndef FPM_PRESCAN_H
#define FPM_PRESCAN_H

#include <stddef.h>

enum prescan_result {
	PRESCAN_OK,		/* the params end within the limits */
	PRESCAN_MORE,		/* not enough bytes yet to tell */
	PRESCAN_TOO_BIG,	/* the params exceed max_params */
	PRESCAN_TOO_MANY,	/* more records than PRESCAN_MAX_RECORDS */
	PRESCAN_BAD,		/* not FastCGI (version, record type, or
				 * a management record other than
				 * FCGI_GET_VALUES) */
	PRESCAN_BAD_PARAMS,	/* a param claims to be longer than all the
				 * params: libfcgi would malloc what it
				 * claims, overflowing at 2 GB */
	PRESCAN_BAD_GET_VALUES,	/* a FCGI_GET_VALUES whose answer would not
				 * fit the 64 bytes libfcgi writes it into
				 * on its stack (asking a name twice) */
	PRESCAN_TOO_MANY_ANSWERED,	/* more than PRESCAN_MAX_ANSWERED
				 * records libfcgi answers */
};

/* Records before the params end: a begin record, params, and at most as
 * many management records; nginx sends a few. */
#define PRESCAN_MAX_RECORDS 1024

/* Of them, records libfcgi answers (FCGI_GET_VALUES, a begin record of
 * another request): each answer is written at once, blocking the worker
 * when the client does not read them. */
#define PRESCAN_MAX_ANSWERED 16

/* Scan the len bytes at buf, the start of a connection (or of the next
 * request on a kept one).  *params is set to the params' size seen so
 * far.  Pure: no I/O. */
enum prescan_result prescan(const unsigned char *buf, size_t len,
    size_t max_params, size_t *params);

const char *prescan_why(enum prescan_result r);

/*
 * The body, record by record, for the worker's own reader of it: libfcgi
 * never sees a record after the params end (its FCGX_GetStr would answer
 * a management record, malloc what a FCGI_GET_VALUES pair claims and
 * abort when that fails, leak 48 bytes for any other management record,
 * and take an unknown one's content for the body).  The body is the
 * content of the request's FCGI_STDIN records; every other record (other
 * request ids, management records) is skipped unanswered, up to
 * BODYSCAN_MAX_FOREIGN of them.
 */
#define BODYSCAN_MAX_FOREIGN 1024

struct bodyscan {
	int id;			/* the request's */
	int foreign;		/* records skipped so far */
	int ours;		/* the current record's content is the body */
	size_t left;		/* content bytes left in the current record */
	size_t pad;		/* then its padding */
};

enum bodyscan_step {
	BODYSCAN_DATA,		/* *used bytes of body */
	BODYSCAN_SKIP,		/* *used bytes to pass over */
	BODYSCAN_MORE,		/* nothing to take: need more bytes */
	BODYSCAN_END,		/* the body's end (an empty FCGI_STDIN) */
	BODYSCAN_BAD,		/* not FastCGI, a record of the request not
				 * FCGI_STDIN, or too many foreign ones */
};

/* Start a body of request id. */
void bodyscan_init(struct bodyscan *s, int id);

/* One step over the len bytes at buf, the stream where s is: what the
 * first *used of them are.  Pure: no I/O. */
enum bodyscan_step bodyscan(struct bodyscan *s, const unsigned char *buf,
    size_t len, size_t *used);

#endif
