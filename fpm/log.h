/*
 * log.h - the error log, shared by the master and its workers.
 *
 * Lines look like php-fpm's:
 *   [22-Nov-2026 14:03:07] WARNING: [pool www] child 4242 exited on signal 11
 * Each line goes out in one write(2) on an O_APPEND descriptor, so lines
 * from the master and from workers never interleave mid-line.
 */
#ifndef FPM_LOG_H
#define FPM_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LEVEL_DEBUG = 1,
	LOG_LEVEL_NOTICE,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_ERROR,
	LOG_LEVEL_ALERT,
};

/* Parse "debug", "notice", "warning", "error" or "alert".  Returns the
 * level, or -1 for anything else. */
int log_level_parse(const char *name);
const char *log_level_name(enum log_level level);

/* Open path (O_APPEND) as the log, or use stderr for "stderr" or NULL.
 * Returns 0, or -1 with errno set; the previous log stays in use then. */
int log_open(const char *path);
void log_set_level(enum log_level level);
/* The descriptor log lines go to, for children to inherit. */
int log_fd(void);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Start-up failures: log, then exit(1). */
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#define log_debug(...)   log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_notice(...)  log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_error(...)   log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_alert(...)   log_msg(LOG_LEVEL_ALERT, __VA_ARGS__)

#endif
