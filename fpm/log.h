/*
 * log.h - the error log, written by the master.
 *
 * Lines look like php-fpm's:
 *   [22-Nov-2026 14:03:07] WARNING: [pool www] child 4242 exited on signal 11
 * Each line goes out in one system call on an O_APPEND descriptor, and is
 * escaped (log_escape()) whoever formatted it, so that no string from a
 * client or a worker can end a line and forge the next.
 *
 * With error_log = syslog the descriptor is instead a datagram socket
 * connected to the syslog socket (/dev/log), not syslog(3).  Each line is
 * one datagram in RFC 3164 form, with the master's pid:
 *   <28>Nov 22 14:03:07 fpm[4242]: WARNING: [pool www] child 4243 ...
 *
 * Workers and zygotes hold neither: after log_to_master() their lines go
 * to their stderr, a pipe the master reads and logs (children.c).
 */
#ifndef FPM_LOG_H
#define FPM_LOG_H

#include <stdarg.h>
#include <stddef.h>

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

/* Open path (O_APPEND) as the log, use stderr for "stderr" or NULL, or
 * connect to syslog for "syslog" (with the log_set_syslog() settings).
 * Called again, as on SIGUSR1, it reopens the file or reconnects.
 * Returns 0, or -1 with errno set (ENOENT: no syslog socket); the previous
 * log stays in use then.  A file is opened by path_open_append(). */
int log_open(const char *path);
void log_set_level(enum log_level level);
/* The descriptor log lines go to, for children to inherit.  The syslog
 * socket keeps its number when a send reconnects it. */
int log_fd(void);

/* Settings for syslog, as syslog.ident and syslog.facility (a LOG_* value
 * of <syslog.h>, see log_facility_parse()); sockpath is the syslog socket,
 * NULL for "/dev/log", and ident NULL for "fpm".  They take effect
 * at the next log_open("syslog"); until then the log in use is unchanged.
 * Defaults: fpm, daemon, /dev/log.  Returns 0, or -1 with errno EINVAL (a
 * bad facility, an ident of 64 bytes or more) or ENAMETOOLONG (sockpath). */
int log_set_syslog(const char *ident, int facility, const char *sockpath);
/* Parse a syslog.facility name (auth, authpriv, cron, daemon, ftp, kern,
 * lpr, mail, news, syslog, user, uucp, local0..local7, in any case) into
 * its LOG_* value, or -1. */
int log_facility_parse(const char *name);
/* Whether lines go to syslog. */
int log_is_syslog(void);

/* log_limit: the longest message part of a line, 1024 by default as in
 * php-fpm (0 restores it).  log_msg() cuts a longer message into several
 * lines, each with the usual prefix; no byte is dropped. */
void log_set_limit(size_t limit);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level level, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* The text of the last error or alert logged (or asked to be), "" if
 * none. */
const char *log_last_error(void);

/* Log one line already cut to size, such as a piece of worker output
 * (output.h): msg is len bytes, no '\n' among them, and goes out whole,
 * log_limit not applied.  With bare, as decorate_workers_output = no, the
 * "[time] LEVEL: " prefix is left out; a syslog line keeps its header,
 * less "LEVEL: ".  Lines below the log level are dropped as usual. */
void log_line(enum log_level level, int bare, const char *msg, size_t len);

/* log_line(LOG_LEVEL_WARNING, 1, msg, len): a line of worker output with
 * decorate_workers_output = no, at the level php-fpm logs it at. */
void log_raw(const char *msg, size_t len);

/* Make the log's descriptor greater than fd, duplicating it higher if
 * need be, so that a child can dup2() over its stdio (stderr becoming the
 * output pipe) without losing the log.  The old descriptor is closed,
 * unless it is stderr, which stays the process's own.  Returns 0, or -1
 * with errno, the log unchanged. */
int log_move_above(int fd);

/*
 * Copy len bytes of in (any byte, NUL included) into out with every
 * control character (below 0x20, and 0x7f) as \xHH, so that text from a
 * client or a worker can neither start a line of its own in a log nor
 * move a terminal's cursor.  Other bytes, '\\' and UTF-8 included, are
 * copied as they are: the escaping is for safety, not to be reversed,
 * and it is idempotent, so text escaped twice reads as escaped once.
 * out is NUL-terminated (when outlen > 0); what does not fit is cut,
 * never inside an escape.  Returns the length written, < outlen.
 * LOG_ESCAPED_MAX(len) is the room that always suffices.
 */
size_t log_escape(char *out, size_t outlen, const char *in, size_t len);
#define LOG_ESCAPED_MAX(len)	(4 * (len) + 1)
/* Whether log_escape() would change c. */
#define LOG_NEEDS_ESCAPE(c)	((unsigned char)(c) < 0x20 || \
				 (unsigned char)(c) == 0x7f)

/*
 * In a worker or a zygote, right after fork: log lines go to stderr, a
 * pipe the master reads, as LOG_MARK_RUNTIME, the escaped message and
 * "\n", with neither time nor level: the master adds the time, the
 * pool and the pid it knows, at a level of its own choosing (nothing a
 * worker writes is trusted).  The log's descriptor (file or syslog
 * socket) is closed: a worker cannot write the master's log.
 */
void log_to_master(void);
#define LOG_MARK_RUNTIME	'\x1e'
/* A worker's own backtrace for the slow log: these two lines, each after
 * LOG_MARK_TRACE, frame it on stderr (see slowlog.h). */
#define LOG_MARK_TRACE		'\x1d'
#define LOG_TRACE_BEGIN		"\x1d" "trace"
#define LOG_TRACE_END		"\x1d" "end"

/* Start-up failures: log, then exit(1). */
void fatal(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

#define log_debug(...)   log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_notice(...)  log_msg(LOG_LEVEL_NOTICE, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_error(...)   log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_alert(...)   log_msg(LOG_LEVEL_ALERT, __VA_ARGS__)

#endif
