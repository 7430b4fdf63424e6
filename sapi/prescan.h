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
};

/* Records before the params end: a begin record, params, and at most as
 * many management records; nginx sends a few. */
#define PRESCAN_MAX_RECORDS 1024

/* Scan the len bytes at buf, the start of a connection (or of the next
 * request on a kept one).  *params is set to the params' size seen so
 * far.  Pure: no I/O. */
enum prescan_result prescan(const unsigned char *buf, size_t len,
    size_t max_params, size_t *params);

const char *prescan_why(enum prescan_result r);

#endif
