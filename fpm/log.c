/*
 * log.c - the error log.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *const level_names[] = {
	[LOG_LEVEL_DEBUG] = "DEBUG",
	[LOG_LEVEL_NOTICE] = "NOTICE",
	[LOG_LEVEL_WARNING] = "WARNING",
	[LOG_LEVEL_ERROR] = "ERROR",
	[LOG_LEVEL_ALERT] = "ALERT",
};

static int log_fd_ = STDERR_FILENO;
static enum log_level log_min = LOG_LEVEL_NOTICE;

int
log_level_parse(const char *name)
{
	for (int l = LOG_LEVEL_DEBUG; l <= LOG_LEVEL_ALERT; l++)
		if (strcasecmp(name, level_names[l]) == 0)
			return l;
	return -1;
}

const char *
log_level_name(enum log_level level)
{
	if (level < LOG_LEVEL_DEBUG || level > LOG_LEVEL_ALERT)
		return "?";
	return level_names[level];
}

int
log_open(const char *path)
{
	int fd;

	if (path == NULL || strcmp(path, "stderr") == 0) {
		fd = STDERR_FILENO;
	} else {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		if (fd < 0)
			return -1;
	}
	if (log_fd_ != STDERR_FILENO && log_fd_ != fd)
		close(log_fd_);
	log_fd_ = fd;
	return 0;
}

void
log_set_level(enum log_level level)
{
	log_min = level;
}

int
log_fd(void)
{
	return log_fd_;
}

void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char line[2048];
	struct tm tm;
	time_t now;
	size_t n;
	int saved = errno;

	if (level < log_min)
		return;
	now = time(NULL);
	localtime_r(&now, &tm);
	n = strftime(line, sizeof(line), "[%d-%b-%Y %H:%M:%S] ", &tm);
	n += snprintf(line + n, sizeof(line) - n, "%s: ", log_level_name(level));
	if (n < sizeof(line))
		vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	n = strlen(line);
	if (n == sizeof(line) - 1)
		n--;
	line[n++] = '\n';
	(void)!write(log_fd_, line, n);
	errno = saved;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ALERT, fmt, ap);
	va_end(ap);
	exit(1);
}
