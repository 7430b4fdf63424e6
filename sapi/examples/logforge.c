/*
 * logforge: a hostile app that tries to forge and erase the master's logs,
 * for tests/e2e/logforge.bats.  ?log=PATH (URL-decoded) names a log file:
 * the app scans /proc/self/fd for a descriptor open on it, writes a fake
 * "ALERT:" line into it and truncates it to zero bytes.  It then writes
 * the same fake line to its stderr.  The body says what it managed:
 *   found 5 wrote 1 truncated 1
 * ("found -1" when it holds no descriptor of PATH).
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fpm_app.h>

#define FORGED "[04-Dec-2026 10:00:00] ALERT: forged by logforge\n"

/* The value of ?log=..., up to '&', URL-decoded into buf. */
static const char *
log_arg(const char *qs, char *buf, size_t len)
{
	const char *p = qs ? strstr(qs, "log=") : NULL;
	size_t n = 0;

	if (p == NULL)
		return NULL;
	for (p += 4; *p != '\0' && *p != '&' && n + 1 < len; p++) {
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

/* A descriptor of ours open on path, or -1. */
static int
find_fd(const char *path)
{
	char link[PATH_MAX], target[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");
	int found = -1;

	if (d == NULL)
		return -1;
	while (found < 0 && (e = readdir(d)) != NULL) {
		ssize_t n;

		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strcmp(target, path) == 0)
			found = atoi(e->d_name);
	}
	closedir(d);
	return found;
}

int
fpm_app_handle(fpm_request *req)
{
	char path[PATH_MAX];
	int fd, wrote = 0, truncated = 0;

	if (log_arg(fpm_param(req, "QUERY_STRING"), path, sizeof(path)) == NULL)
		return fpm_printf(req, "no ?log=\n") < 0 ? -1 : 0;
	fd = find_fd(path);
	if (fd >= 0) {
		wrote = write(fd, FORGED, strlen(FORGED)) > 0;
		truncated = ftruncate(fd, 0) == 0;
	}
	(void)!write(STDERR_FILENO, FORGED, strlen(FORGED));
	fpm_header(req, "Content-Type", "text/plain");
	return fpm_printf(req, "found %d wrote %d truncated %d\n", fd, wrote,
	    truncated) < 0 ? -1 : 0;
}
