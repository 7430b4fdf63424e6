/*
 * access_log.h - the access.format line, as php-fpm writes it: one line per
 * request, built from a format of literal text and %-codes.
 *
 *   %%		a literal '%'
 *   %C		CPU used by the request, as a percentage of its duration:
 *		%{total}C (the default), %{user}C, %{system}C
 *   %d		duration: %{seconds}d (the default, "1.234"),
 *		%{milli}d or %{milliseconds}d (also php-fpm's misspelt
 *		%{mili}d and %{miliseconds}d), %{micro}d or %{microseconds}d
 *   %D		ours: the time until the client had its whole response (at
 *		fpm_finish_request, else the end), with %d's units
 *   %{NAME}e	the FastCGI param NAME (braces required)
 *   %f		SCRIPT_FILENAME
 *   %{Name}i	the request header Name, read from its FastCGI param
 *		(%{User-Agent}i is HTTP_USER_AGENT; braces required)
 *   %l		CONTENT_LENGTH
 *   %m		REQUEST_METHOD
 *   %M		the worker's peak memory: %{bytes}M (the default),
 *		%{kilo}M or %{kilobytes}M, %{mega}M or %{megabytes}M
 *   %n		the pool name
 *   %{Name}o	the response header Name (braces required)
 *   %p, %P	the worker's pid, its parent's pid
 *   %q		QUERY_STRING ("" when there is none)
 *   %Q		"?" when QUERY_STRING is not empty, else ""
 *   %r		REQUEST_URI
 *   %R		REMOTE_ADDR
 *   %s		the HTTP status sent
 *   %t, %T	when the request was accepted, when it finished, in local
 *		time as "%d/%b/%Y:%H:%M:%S %z", or %{strftime format}t
 *   %u		REMOTE_USER
 *
 * Modifier names are case-insensitive, as in php-fpm.  A value that is
 * absent or empty is written "-" (but %q and %Q write "").
 *
 * Unlike php-fpm, every byte of an inserted value that is a control
 * character (below 0x20, or 0x7f) or a backslash is written as \xHH, so a
 * client cannot forge or split log lines through a URI or a header: one
 * request is always exactly one line.  For the same reason a format may not
 * itself contain a CR or LF.
 */
#ifndef FPM_ACCESS_LOG_H
#define FPM_ACCESS_LOG_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

/* php-fpm's default. */
#define ACCESS_FORMAT_DEFAULT "%R - %u %t \"%m %r\" %s"

/* What one finished request contributes to its line. */
struct access_rec {
	const char *pool;
	pid_t pid, ppid;
	int status;			/* HTTP status sent */
	struct timespec start;		/* CLOCK_REALTIME, when accepted */
	struct timespec end;		/* CLOCK_REALTIME, when finished */
	double duration;		/* seconds (from a monotonic clock) */
	double response_duration;	/* seconds until the client had the
					 * whole response: fpm_finish_request,
					 * else the end */
	double cpu_user, cpu_sys;	/* CPU seconds the request used */
	long long memory;		/* bytes: the worker's peak RSS */
	/* A FastCGI param (REQUEST_METHOD, HTTP_HOST...) or NULL if absent. */
	const char *(*param)(void *ctx, const char *name);
	/* A response header's value (name case-insensitive) into out;
	 * returns 0, or -1 if the response has no such header. */
	int (*header)(void *ctx, const char *name, char *out, size_t outlen);
	void *ctx;
};

/* Check an access.format string: unknown %X codes, an unterminated %{...},
 * a modifier the code does not take (%{foo}d, %{x}s), a missing required
 * name (%e, %o, %i), a lone '%' at the end, a CR or LF.  Returns 0, or -1
 * with a message naming the offending code and its offset in err. */
int access_format_check(const char *fmt, char *err, size_t errlen);

/* Whether a checked fmt uses code letter (e.g. 'C'), so that a worker
 * measures only what its format prints. */
int access_format_uses(const char *fmt, char letter);

/* Format one log line for r into out.  fmt must have passed
 * access_format_check (formatting stops at the first fault otherwise).
 * When outlen >= 2 the line always ends with '\n' and a NUL; a line too
 * long for out is cut at a code or byte boundary, never inside a \xHH
 * escape, and keeps its '\n'.  outlen 1 gives "", outlen 0 writes nothing.
 * Times are converted with localtime_r(): after changing TZ the caller
 * must call tzset().  Returns the length written, excluding the NUL. */
size_t access_format(char *out, size_t outlen, const char *fmt,
    const struct access_rec *r);

#endif
