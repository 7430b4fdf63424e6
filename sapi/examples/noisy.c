/*
 * noisy: writes to its stdout and stderr, as apps and their libraries do,
 * for catch_workers_output.  ?out=WORD writes "WORD" and a newline to
 * stdout, ?err=WORD to stderr, ?long=N one line of N 'x' to stderr,
 * ?partial=WORD writes WORD to stderr with no newline, and ?die then ends
 * the worker with SIGSEGV: what it wrote must still reach the log.
 * Values are URL-decoded (%XX), so a test can send control characters.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fpm_app.h>

/* The value of ?NAME=..., up to '&', URL-decoded into buf. */
static const char *
arg(const char *qs, const char *name, char *buf, size_t len)
{
	const char *p = qs ? strstr(qs, name) : NULL;
	size_t n = 0;

	if (p == NULL || p[strlen(name)] != '=')
		return NULL;
	for (p += strlen(name) + 1; *p != '\0' && *p != '&' && n + 1 < len;
	    p++) {
		unsigned v;

		if (*p == '%' && sscanf(p + 1, "%2x", &v) == 1) {
			buf[n++] = (char)v;
			p += 2;
		} else {
			buf[n++] = *p;
		}
	}
	buf[n] = '\0';
	return buf;
}

static void
put(int fd, const char *s, int newline)
{
	(void)!write(fd, s, strlen(s));
	if (newline)
		(void)!write(fd, "\n", 1);
}

int
fpm_app_handle(fpm_request *req)
{
	const char *qs = fpm_param(req, "QUERY_STRING");
	char buf[256];
	const char *v;

	if ((v = arg(qs, "out", buf, sizeof(buf))) != NULL)
		put(STDOUT_FILENO, v, 1);
	if ((v = arg(qs, "err", buf, sizeof(buf))) != NULL)
		put(STDERR_FILENO, v, 1);
	if ((v = arg(qs, "long", buf, sizeof(buf))) != NULL) {
		size_t n = (size_t)strtoul(v, NULL, 10);
		char *line = malloc(n + 1);

		if (line == NULL)
			return -1;
		memset(line, 'x', n);
		line[n] = '\n';
		(void)!write(STDERR_FILENO, line, n + 1);
		free(line);
	}
	if ((v = arg(qs, "partial", buf, sizeof(buf))) != NULL)
		put(STDERR_FILENO, v, 0);
	if (qs != NULL && strstr(qs, "die") != NULL)
		raise(SIGSEGV);
	fpm_header(req, "Content-Type", "text/plain");
	return fpm_printf(req, "pid %d\n", (int)getpid()) < 0 ? -1 : 0;
}
