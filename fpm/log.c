/*
 * log.c - the error log: a file, stderr, or syslog's socket.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "path.h"

#define LOG_LIMIT_DEFAULT	1024

static const char *const level_names[] = {
	[LOG_LEVEL_DEBUG] = "DEBUG",
	[LOG_LEVEL_NOTICE] = "NOTICE",
	[LOG_LEVEL_WARNING] = "WARNING",
	[LOG_LEVEL_ERROR] = "ERROR",
	[LOG_LEVEL_ALERT] = "ALERT",
};

static const int level_severities[] = {
	[LOG_LEVEL_DEBUG] = LOG_DEBUG,
	[LOG_LEVEL_NOTICE] = LOG_NOTICE,
	[LOG_LEVEL_WARNING] = LOG_WARNING,
	[LOG_LEVEL_ERROR] = LOG_ERR,
	[LOG_LEVEL_ALERT] = LOG_ALERT,
};

static const struct {
	const char	*name;
	int		 facility;
} facilities[] = {
	{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
	{ "cron", LOG_CRON }, { "daemon", LOG_DAEMON }, { "ftp", LOG_FTP },
	{ "kern", LOG_KERN }, { "lpr", LOG_LPR }, { "mail", LOG_MAIL },
	{ "news", LOG_NEWS }, { "syslog", LOG_SYSLOG }, { "user", LOG_USER },
	{ "uucp", LOG_UUCP },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

/* A process has one log, reached from everywhere, workers included. */
static int log_fd_ = STDERR_FILENO;
static int log_syslog;		/* log_fd_ is the syslog socket */
static int log_child;		/* log_to_master(): lines go to stderr */
static enum log_level log_min = LOG_LEVEL_NOTICE;
static size_t log_limit = LOG_LIMIT_DEFAULT;

static struct {
	char			ident[64];
	int			facility;
	struct sockaddr_un	sun;
} syslog_conf = {
	.ident = "fpm",
	.facility = LOG_DAEMON,
	.sun = { .sun_family = AF_UNIX, .sun_path = "/dev/log" },
};

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
log_facility_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (strcasecmp(name, facilities[i].name) == 0)
			return facilities[i].facility;
	return -1;
}

int
log_set_syslog(const char *ident, int facility, const char *sockpath)
{
	if (ident == NULL)
		ident = "fpm";
	if (sockpath == NULL)
		sockpath = "/dev/log";
	if (facility < 0 || facility > LOG_LOCAL7 ||
	    (facility & LOG_PRIMASK) != 0 ||
	    strlen(ident) >= sizeof(syslog_conf.ident)) {
		errno = EINVAL;
		return -1;
	}
	if (strlen(sockpath) >= sizeof(syslog_conf.sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(syslog_conf.ident, ident);
	syslog_conf.facility = facility;
	strcpy(syslog_conf.sun.sun_path, sockpath);
	return 0;
}

/* A new datagram socket connected to the syslog socket, or -1 with errno. */
static int
syslog_connect(void)
{
	int fd, saved;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&syslog_conf.sun,
	    sizeof(syslog_conf.sun)) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* Connect again in place, as syslogd restarted: the descriptor keeps its
 * number, which forked children know it by. */
static int
syslog_reconnect(void)
{
	int fd;

	fd = syslog_connect();
	if (fd < 0)
		return -1;
	if (dup3(fd, log_fd_, O_CLOEXEC) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
log_open(const char *path)
{
	int fd, is_syslog = 0;

	if (path == NULL || strcmp(path, "stderr") == 0) {
		fd = STDERR_FILENO;
	} else if (strcmp(path, "syslog") == 0) {
		fd = syslog_connect();
		if (fd < 0)
			return -1;
		is_syslog = 1;
	} else {
		fd = path_open_append(path);
		if (fd < 0)
			return -1;
	}
	if (log_fd_ != STDERR_FILENO && log_fd_ != fd)
		close(log_fd_);
	log_fd_ = fd;
	log_syslog = is_syslog;
	return 0;
}

int
log_move_above(int fd)
{
	int nfd;

	if (log_fd_ > fd)
		return 0;
	nfd = fcntl(log_fd_, F_DUPFD_CLOEXEC, fd + 1);
	if (nfd < 0)
		return -1;
	if (log_fd_ != STDERR_FILENO)
		close(log_fd_);
	log_fd_ = nfd;
	return 0;
}

void
log_set_level(enum log_level level)
{
	log_min = level;
}

void
log_set_limit(size_t limit)
{
	log_limit = limit > 0 ? limit : LOG_LIMIT_DEFAULT;
}

int
log_fd(void)
{
	return log_fd_;
}

int
log_is_syslog(void)
{
	return log_syslog;
}

void
log_to_master(void)
{
	if (log_fd_ != STDERR_FILENO)
		close(log_fd_);
	log_fd_ = STDERR_FILENO;
	log_syslog = 0;
	log_child = 1;
}

size_t
log_escape(char *out, size_t outlen, const char *in, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	if (outlen == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (!LOG_NEEDS_ESCAPE(c)) {
			if (n + 1 >= outlen)
				break;
			out[n++] = (char)c;
			continue;
		}
		if (n + 4 >= outlen)
			break;
		out[n++] = '\\';
		out[n++] = 'x';
		out[n++] = hex[c >> 4];
		out[n++] = hex[c & 0xf];
	}
	out[n] = '\0';
	return n;
}

/* One datagram; if syslogd went away (restarted), reconnect once and
 * retry.  A line that cannot be sent is lost: logging must not fail. */
static void
syslog_send(struct iovec *iov, int iovcnt)
{
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t)iovcnt };
	int retried = 0;

	for (;;) {
		/* MSG_DONTWAIT: a syslog daemon that stops reading (its
		 * queue full) costs lines, never the master's loop */
		if (sendmsg(log_fd_, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0)
			return;
		if (errno == EINTR)
			continue;
		if (retried || (errno != ECONNREFUSED && errno != ENOTCONN) ||
		    syslog_reconnect() != 0)
			return;
		retried = 1;
	}
}

/* "<PRI>Mmm dd HH:MM:SS ident[pid]: LEVEL: ", LEVEL left out if bare. */
static size_t
syslog_header(char *buf, size_t len, enum log_level level, int bare)
{
	struct tm tm;
	time_t now;
	size_t n;

	now = time(NULL);
	localtime_r(&now, &tm);
	n = (size_t)snprintf(buf, len, "<%d>",
	    syslog_conf.facility | level_severities[level]);
	n += strftime(buf + n, len - n, "%b %e %H:%M:%S ", &tm);
	n += (size_t)snprintf(buf + n, len - n, "%s[%ld]: ",
	    syslog_conf.ident, (long)getpid());
	if (!bare)
		n += (size_t)snprintf(buf + n, len - n, "%s: ",
		    level_names[level]);
	return n;
}

/* "[dd-Mon-YYYY HH:MM:SS] LEVEL: ", php-fpm's prefix. */
static size_t
file_header(char *buf, size_t len, enum log_level level)
{
	struct tm tm;
	time_t now;
	size_t n;

	now = time(NULL);
	localtime_r(&now, &tm);
	n = strftime(buf, len, "[%d-%b-%Y %H:%M:%S] ", &tm);
	n += (size_t)snprintf(buf + n, len - n, "%s: ", level_names[level]);
	return n;
}

/* Write one line in one system call, so that lines from several
 * processes never interleave. */
static void
write_escaped(enum log_level level, int bare, const char *msg, size_t len)
{
	char head[160];
	struct iovec iov[3];
	size_t n = 0;

	if (log_child) {
		head[0] = LOG_MARK_RUNTIME;
		iov[0] = (struct iovec){ head, 1 };
		iov[1] = (struct iovec){ (char *)msg, len };
		iov[2] = (struct iovec){ "\n", 1 };
		while (writev(log_fd_, iov, 3) < 0 && errno == EINTR)
			;
		return;
	}
	if (log_syslog) {
		n = syslog_header(head, sizeof(head), level, bare);
		iov[0] = (struct iovec){ head, n };
		iov[1] = (struct iovec){ (char *)msg, len };
		syslog_send(iov, 2);
		return;
	}
	if (!bare)
		n = file_header(head, sizeof(head), level);
	iov[0] = (struct iovec){ head, n };
	iov[1] = (struct iovec){ (char *)msg, len };
	iov[2] = (struct iovec){ "\n", 1 };
	while (writev(log_fd_, iov, 3) < 0 && errno == EINTR)
		;
}

/* Every line is escaped here, whoever formed it: a client's string in a
 * message ("not found: %s") cannot end the line and forge the next.
 * Text already escaped (worker output) goes through unchanged. */
static void
write_line(enum log_level level, int bare, const char *msg, size_t len)
{
	char small[4096], *esc = small;
	size_t i, n;

	for (i = 0; i < len && !LOG_NEEDS_ESCAPE(msg[i]); i++)
		;
	if (i == len) {
		write_escaped(level, bare, msg, len);
		return;
	}
	n = LOG_ESCAPED_MAX(len);
	if (n > sizeof(small) && (esc = malloc(n)) == NULL) {
		esc = small;	/* out of memory: cut rather than lost */
		n = sizeof(small);
	}
	n = log_escape(esc, n, msg, len);
	write_escaped(level, bare, esc, n);
	if (esc != small)
		free(esc);
}

static int
wanted(enum log_level level)
{
	return level >= log_min && level >= LOG_LEVEL_DEBUG &&
	    level <= LOG_LEVEL_ALERT;
}

void
log_line(enum log_level level, int bare, const char *msg, size_t len)
{
	int saved = errno;

	if (!wanted(level))
		return;
	write_line(level, bare, msg, len);
	errno = saved;
}

void
log_raw(const char *msg, size_t len)
{
	log_line(LOG_LEVEL_WARNING, 1, msg, len);
}

/*
 * The message is formatted whole, on the heap if it is long, then cut
 * into lines of log_limit bytes.  Out of memory, it is cut to what the
 * stack buffer holds rather than lost.
 */
/* The last error or alert, for a caller that must pass the reason on
 * (a reload that failed after exec). */
static char last_error[1024];

const char *
log_last_error(void)
{
	return last_error;
}

void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char small[2048], *msg = small;
	size_t len, off, n;
	va_list aq;
	int saved = errno, rc;

	if (level >= LOG_LEVEL_ERROR) {
		va_copy(aq, ap);
		vsnprintf(last_error, sizeof(last_error), fmt, aq);
		va_end(aq);
		errno = saved;
	}
	if (!wanted(level))
		return;
	va_copy(aq, ap);
	rc = vsnprintf(small, sizeof(small), fmt, aq);
	va_end(aq);
	if (rc < 0)
		rc = 0;
	len = (size_t)rc;
	if (len >= sizeof(small)) {
		msg = malloc(len + 1);
		if (msg != NULL) {
			errno = saved;	/* for %m */
			vsnprintf(msg, len + 1, fmt, ap);
		} else {
			msg = small;
			len = sizeof(small) - 1;
		}
	}
	off = 0;
	do {
		n = len - off < log_limit ? len - off : log_limit;
		write_line(level, 0, msg + off, n);
		off += n;
	} while (off < len);
	if (msg != small)
		free(msg);
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
