/*
 * response.h - a CGI script's response (RFC 3875 section 6) cut into its
 * status, headers and body: a pure parser, fed what the script writes,
 * that tells a sink what to send.  No I/O, so the fuzzer and the unit
 * tests run it as the sapi does.
 */
#ifndef FPM_CGI_RESPONSE_H
#define FPM_CGI_RESPONSE_H

#include <stddef.h>

#define RESPONSE_HEAD_MAX 16384	/* headers beyond this are never ended */

/* Where the parsed response goes.  status() and header() are called
 * only with checked values (a code of 100..599; a token name; a value
 * without control characters but tab); body() returns -1 once the
 * client is gone, after which nothing more is sent. */
struct response_sink {
	void (*status)(void *ctx, int code);
	void (*header)(void *ctx, const char *name, const char *value);
	int (*body)(void *ctx, const char *buf, size_t n);
	void *ctx;
};

struct response {
	char head[RESPONSE_HEAD_MAX];	/* the header block so far */
	size_t len;
	size_t line;		/* where the line being received starts */
	int in_body;		/* the header block has ended */
	int nph;		/* an nph- script: a status line comes first */
	int status_set;		/* a Status: (or status line) was seen */
	int failed;		/* body() failed */
};

/* A response whose script is nph (its name starts with "nph-"). */
void response_init(struct response *r, int nph);

/* Whether buf[0..len) holds the end of a header block: the first empty
 * line, ended by LF or CRLF whatever the lines before it use.  from is
 * the start of a line at or before which no empty line lies (0 when in
 * doubt).  On 1, *end is where that empty line starts and *body_at the
 * first byte after it; on 0, *from is moved to the start of the last,
 * unfinished line. */
int response_head_end(const char *buf, size_t len, size_t *from,
    size_t *end, size_t *body_at);

/* Feed n bytes the script wrote to its stdout. */
void response_feed(struct response *r, const char *buf, size_t n,
    const struct response_sink *s);

#endif
