/*
 * output.h - workers' stdout and stderr, cut into log lines.
 *
 * With catch_workers_output the master reads each worker's pipes and logs
 * what comes out line by line, as php-fpm does:
 *   [pool www] child 4242 said into stderr: "text"
 * A line longer than log_limit becomes several log lines, none dropped;
 * a partial last line waits for more data or for the end of the stream.
 * Nothing here does I/O: the master feeds what it read and says where the
 * lines go.
 */
#ifndef FPM_OUTPUT_H
#define FPM_OUTPUT_H

#include <stddef.h>

/* The longest piece of a line; a larger log_limit is taken as this. */
#define OUTPUT_MAX	8192

/* Room output_decorate() needs for any piece, when the pool name is
 * shorter than 256 bytes: every byte may become a 4-byte escape. */
#define OUTPUT_TEXT_MAX	(4 * OUTPUT_MAX + 512)

/* One pipe's pending partial line.  Zero it before the first feed. */
struct output_line {
	/* Up to a piece, plus a '\r' that may turn out to end the line. */
	char	buf[OUTPUT_MAX + 1];
	size_t	len;
};

/* Called with each piece of a line, without its "\n" or "\r\n".  line may
 * hold any byte but '\n', NUL included, and is not NUL-terminated; len may
 * be 0 for an empty line.  continued: the line was cut here by the limit
 * and its next piece follows. */
typedef void (*output_emit_fn)(void *ctx, const char *line, size_t len,
    int continued);

/* Take n bytes read from the pipe: emit each line they complete and each
 * limit-sized piece of a line longer than limit, and keep the rest for the
 * next call.  limit is log_limit; 0 or more than OUTPUT_MAX means
 * OUTPUT_MAX.  A line of exactly limit bytes is one piece, not cut. */
void output_feed(struct output_line *o, const char *data, size_t n,
    size_t limit, output_emit_fn emit, void *ctx);

/* The stream ended (EOF, or the worker died): emit the pending partial
 * line as if a '\n' had come, if anything is pending.  o is then empty. */
void output_flush(struct output_line *o, output_emit_fn emit, void *ctx);

/* output_decorate() flags.  OUTPUT_DECORATE is 1 so that the boolean
 * decorate_workers_output can be passed as it is. */
#define OUTPUT_DECORATE		0x1
#define OUTPUT_CONTINUED	0x2	/* the piece was cut, more follows */

/*
 * Write into out the text to log for a piece of worker output, with
 * control characters escaped by log_escape() so that a worker cannot
 * forge or hide log lines: bytes below 0x20 and 0x7f as \xHH (LF as
 * \x0a, NUL as \x00).  Other bytes, '"' and '\\' included, are copied as
 * they are: the escaping is for safety, not to be reversed.
 *
 * With OUTPUT_DECORATE (decorate_workers_output = yes):
 *   [pool www] child 4242 said into stderr: "text"
 * and with OUTPUT_CONTINUED as well, "..." after the closing quote:
 *   [pool www] child 4242 said into stderr: "text"...
 * Without OUTPUT_DECORATE, only the escaped text, and no marker, as in
 * php-fpm: the line is the worker's own.
 *
 * out is always NUL-terminated (when outlen > 0); text that does not fit is
 * cut, never in the middle of an escape.  Returns the length written,
 * less than outlen.
 */
size_t output_decorate(char *out, size_t outlen, const char *pool, int pid,
    const char *stream, const char *line, size_t len, int flags);

#endif
