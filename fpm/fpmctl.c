/*
 * fpmctl.c - the command line view and control of a running fpm master.
 *
 * The view comes from each pool's status page (php-fpm's plain text "full"
 * page), asked for over FastCGI exactly as a web server would; the control
 * is the master's signals, each followed by a wait until it took effect.
 * fpmctl reads the same configuration as fpm to find the pid file and the
 * pools' addresses; it never touches the master's memory or files.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"
#include "log.h"

#ifndef FPM_CONF_DEFAULT
#define FPM_CONF_DEFAULT "/etc/fpm/fpm.ini"
#endif

#define STATUS_TIMEOUT_MS 5000	/* one status request, connect included */
#define RELOAD_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS 10000	/* fpm kills the workers after 1 s */
#define QUIT_GRACE_MS 5000	/* beyond process_control_timeout */
#define POLL_MS 100
#define GONE_GRACE_MS 2000	/* for a new pid to reach the pid file */
#define PAGE_MAX (16 << 20)

/* FastCGI, as its 1996 specification defines it. */
#define FCGI_VERSION_1 1
#define FCGI_RESPONDER 1
#define FCGI_REQUEST_ID 1
#define FCGI_HEADER_LEN 8
enum fcgi_type {
	FCGI_BEGIN_REQUEST = 1,
	FCGI_END_REQUEST = 3,
	FCGI_PARAMS = 4,
	FCGI_STDIN = 5,
	FCGI_STDOUT = 6,
	FCGI_STDERR = 7,
};

struct ctl {
	const char *conf_file;
	const char *prefix;
	const char *pidfile;
	const char *pool;		/* the POOL argument, or NULL */
	struct conf *conf;
	pid_t pid;			/* the master */
};

/* One process block of the status page. */
struct worker {
	long long pid;
	char state[32];
	long long since;		/* seconds */
	long long requests;
	long long duration;		/* microseconds */
	char method[16];
	char uri[256];
	long long memory;		/* bytes */
};

/* The status page of one pool. */
struct page {
	char pool[64];
	char pm[16];
	char start_time[48];
	long long since;
	long long accepted;
	long long queue;
	long long max_queue;
	long long idle;
	long long active;
	long long total;
	long long max_children_reached;
	long long slow;
	struct worker *workers;
	size_t nworkers;
};

/* A line "key: value" of the page and where its value goes: a number when
 * size is 0, else a string of that size. */
struct field {
	const char *key;
	size_t off;
	size_t size;
};

#define NUM(s, m, k) { k, offsetof(struct s, m), 0 }
#define STR(s, m, k) { k, offsetof(struct s, m), sizeof(((struct s *)0)->m) }

static const struct field page_fields[] = {
	STR(page, pool, "pool"),
	STR(page, pm, "process manager"),
	STR(page, start_time, "start time"),
	NUM(page, since, "start since"),
	NUM(page, accepted, "accepted conn"),
	NUM(page, queue, "listen queue"),
	NUM(page, max_queue, "max listen queue"),
	NUM(page, idle, "idle processes"),
	NUM(page, active, "active processes"),
	NUM(page, total, "total processes"),
	NUM(page, max_children_reached, "max children reached"),
	NUM(page, slow, "slow requests"),
	{ NULL, 0, 0 },
};

static const struct field worker_fields[] = {
	NUM(worker, pid, "pid"),
	STR(worker, state, "state"),
	NUM(worker, since, "start since"),
	NUM(worker, requests, "requests"),
	NUM(worker, duration, "request duration"),
	STR(worker, method, "request method"),
	STR(worker, uri, "request URI"),
	NUM(worker, memory, "last request memory"),
	{ NULL, 0, 0 },
};

struct buf {
	char *p;
	size_t len;
	size_t cap;
};

/* Only what the signal handler of `top` must reach. */
static volatile sig_atomic_t interrupted;
static struct termios saved_tty;
static int tty_raw;

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("fpmctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
usage(FILE *out)
{
	fprintf(out,
	    "Usage: fpmctl [-y FILE] [-p DIR] [-g FILE] COMMAND [POOL]\n"
	    "  -y, --fpm-config FILE  fpm's configuration (default %s)\n"
	    "  -p, --prefix DIR       base for relative paths in it\n"
	    "  -g, --pid FILE         the master's pid file (overrides 'pid')\n"
	    "Commands:\n"
	    "  status [POOL]  the pools and their workers\n"
	    "  top [POOL]     the same, redrawn every second until q or ^C\n"
	    "  reload         SIGUSR2, then wait until the pools restarted\n"
	    "  stop           SIGTERM (fast stop), then wait until it exits\n"
	    "  quit           SIGQUIT (graceful stop), then wait until it "
	    "exits\n"
	    "  reopen         SIGUSR1: reopen the logs\n",
	    FPM_CONF_DEFAULT);
}

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR && !interrupted)
		;
}

static int
buf_append(struct buf *b, const void *p, size_t n)
{
	char *np;
	size_t cap;

	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (np == NULL)
			return -1;
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* ---- the master -------------------------------------------------------- */

/* Whether pid runs: exists and is not a zombie. */
static int
proc_alive(pid_t pid)
{
	char path[64], line[512], *paren;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fp = fopen(path, "re");
	if (fp == NULL)
		return 0;
	if (fgets(line, sizeof(line), fp) == NULL)
		line[0] = '\0';
	fclose(fp);
	paren = strrchr(line, ')');
	return paren != NULL && paren[1] == ' ' && paren[2] != 'Z' &&
	    paren[2] != 'X';
}

/* Whether pid is an fpm: named so in /proc/PID/comm, or running a binary
 * called fpm.  Puts its command name in comm. */
static int
proc_is_fpm(pid_t pid, char *comm, size_t len)
{
	char path[64], exe[4096], *base;
	FILE *fp;
	ssize_t n;

	snprintf(comm, len, "?");
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if ((fp = fopen(path, "re")) != NULL) {
		if (fgets(comm, (int)len, fp) == NULL)
			snprintf(comm, len, "?");
		comm[strcspn(comm, "\n")] = '\0';
		fclose(fp);
	}
	if (strcmp(comm, "fpm") == 0)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return 0;
	exe[n] = '\0';
	base = strrchr(exe, '/');
	return strcmp(base ? base + 1 : exe, "fpm") == 0;
}

/* The running fpm named by the pid file.  Returns its pid, or -1 with
 * the reason in err. */
static pid_t
pidfile_master(const char *pidfile, char *err, size_t errlen)
{
	char buf[64], comm[64], *end;
	FILE *fp = fopen(pidfile, "re");
	long pid;

	if (fp == NULL) {
		if (errno == ENOENT)
			snprintf(err, errlen, "no pid file at %s: is fpm "
			    "running?", pidfile);
		else
			snprintf(err, errlen, "cannot read pid file %s: %s",
			    pidfile, strerror(errno));
		return -1;
	}
	if (fgets(buf, sizeof(buf), fp) == NULL)
		buf[0] = '\0';
	fclose(fp);
	buf[strcspn(buf, "\n")] = '\0';
	errno = 0;
	pid = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || *end != '\0' || pid <= 0 ||
	    pid > 0x7fffffff)
		snprintf(err, errlen, "pid file %s holds no pid: '%s'", pidfile,
		    buf);
	else if (!proc_alive((pid_t)pid))
		snprintf(err, errlen, "pid file %s names %ld, which is not "
		    "running (stale pid file)", pidfile, pid);
	else if (!proc_is_fpm((pid_t)pid, comm, sizeof(comm)))
		snprintf(err, errlen, "pid file %s names %ld, which is '%s', "
		    "not an fpm (stale pid file)", pidfile, pid, comm);
	else
		return (pid_t)pid;
	return -1;
}

/* Whether the master still runs, following it to a new pid when it
 * wrote one into the pid file (a php-fpm style reload daemonizes again). */
static int
master_alive(struct ctl *c)
{
	char err[512];
	pid_t pid;

	if (proc_alive(c->pid))
		return 1;
	pid = pidfile_master(c->pidfile, err, sizeof(err));
	if (pid > 0)
		c->pid = pid;
	return pid > 0;
}

static void
master_signal(const struct ctl *c, int sig, const char *name)
{
	if (kill(c->pid, sig) != 0)
		die("cannot send %s to fpm %d: %s", name, (int)c->pid,
		    strerror(errno));
}

/* Wait until the master is gone; timeout_ms < 0 waits for ever.
 * Returns 0, or -1 when it still runs. */
static int
master_wait_gone(const struct ctl *c, long long timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;

	while (proc_alive(c->pid)) {
		if (interrupted || (timeout_ms >= 0 && now_ms() >= deadline))
			return -1;
		sleep_ms(POLL_MS);
	}
	return 0;
}

/* Where the master logs, for messages that send the user there. */
static const char *
error_log_hint(const struct ctl *c)
{
	static char hint[4200];
	const char *log = c->conf->global.error_log;

	if (log == NULL || strcmp(log, "stderr") == 0)
		return "see its error log (its standard error)";
	if (strcmp(log, "syslog") == 0)
		return "see its error log (syslog)";
	snprintf(hint, sizeof(hint), "see its error log (%s)", log);
	return hint;
}

/* ---- FastCGI client ---------------------------------------------------- */

static void
put_header(struct buf *b, int type, size_t len)
{
	unsigned char h[FCGI_HEADER_LEN] = {
		FCGI_VERSION_1, (unsigned char)type,
		0, FCGI_REQUEST_ID,
		(unsigned char)(len >> 8), (unsigned char)(len & 0xff),
		0, 0,
	};

	(void)buf_append(b, h, sizeof(h));
}

static void
put_length(struct buf *b, size_t n)
{
	unsigned char l[4] = {
		(unsigned char)((n >> 24) | 0x80), (unsigned char)(n >> 16),
		(unsigned char)(n >> 8), (unsigned char)n,
	};

	if (n < 128)
		(void)buf_append(b, &l[3], 1);
	else
		(void)buf_append(b, l, 4);
}

static void
put_param(struct buf *b, const char *name, const char *value)
{
	put_length(b, strlen(name));
	put_length(b, strlen(value));
	(void)buf_append(b, name, strlen(name));
	(void)buf_append(b, value, strlen(value));
}

/* The whole request for GET path?query: BEGIN_REQUEST, the parameters a
 * web server sends, the empty PARAMS and STDIN that end them.  Returns 0,
 * or -1 when it does not fit a record or memory ran out. */
static int
request_build(struct buf *req, const char *path, const char *query)
{
	static const unsigned char begin[8] = { 0, FCGI_RESPONDER, 0 };
	struct buf params = { 0 };
	char uri[4096];
	int rc = -1;

	snprintf(uri, sizeof(uri), "%s?%s", path, query);
	put_param(&params, "GATEWAY_INTERFACE", "CGI/1.1");
	put_param(&params, "SERVER_PROTOCOL", "HTTP/1.1");
	put_param(&params, "SERVER_SOFTWARE", "fpmctl");
	put_param(&params, "REQUEST_METHOD", "GET");
	put_param(&params, "SCRIPT_NAME", path);
	put_param(&params, "SCRIPT_FILENAME", path);
	put_param(&params, "DOCUMENT_URI", path);
	put_param(&params, "REQUEST_URI", uri);
	put_param(&params, "QUERY_STRING", query);
	if (params.p != NULL && params.len <= 0xffff) {
		put_header(req, FCGI_BEGIN_REQUEST, sizeof(begin));
		(void)buf_append(req, begin, sizeof(begin));
		put_header(req, FCGI_PARAMS, params.len);
		(void)buf_append(req, params.p, params.len);
		put_header(req, FCGI_PARAMS, 0);
		put_header(req, FCGI_STDIN, 0);
		rc = req->p != NULL ? 0 : -1;
	}
	free(params.p);
	return rc;
}

/* Wait for events on fd until deadline.  Returns 0, or -1 on timeout. */
static int
wait_fd(int fd, short events, long long deadline)
{
	struct pollfd pfd = { fd, events, 0 };
	long long left;
	int n;

	do {
		left = deadline - now_ms();
		if (left <= 0)
			return -1;
		n = poll(&pfd, 1, (int)left);
	} while (n < 0 && errno == EINTR);
	return n > 0 ? 0 : -1;
}

/* A connection to a, the wildcard addresses taken as the loopback ones.
 * Returns the descriptor (non-blocking), or -1 with a message in err. */
static int
connect_to(const struct addr *a, long long deadline, char *err, size_t errlen)
{
	struct addr to = *a;
	socklen_t sl = sizeof(int);
	int fd, rc, soerr = 0;

	if (to.u.sa.sa_family == AF_INET &&
	    to.u.in.sin_addr.s_addr == htonl(INADDR_ANY))
		to.u.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (to.u.sa.sa_family == AF_INET6 &&
	    IN6_IS_ADDR_UNSPECIFIED(&to.u.in6.sin6_addr))
		to.u.in6.sin6_addr = in6addr_loopback;
	fd = socket(to.u.sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket() failed: %s", strerror(errno));
		return -1;
	}
	/* A unix socket whose backlog is full says EAGAIN: try again. */
	while ((rc = connect(fd, &to.u.sa, to.len)) != 0 && errno == EAGAIN &&
	    now_ms() < deadline)
		sleep_ms(POLL_MS / 2);
	if (rc != 0 && errno != EINPROGRESS)
		soerr = errno;
	else if (wait_fd(fd, POLLOUT, deadline) != 0)
		soerr = ETIMEDOUT;
	else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) != 0)
		soerr = errno;
	if (soerr != 0) {
		snprintf(err, errlen, "cannot connect to %s: %s", a->text,
		    strerror(soerr));
		close(fd);
		return -1;
	}
	return fd;
}

static int
send_all(int fd, const struct buf *b, long long deadline)
{
	size_t off = 0;
	ssize_t n;

	while (off < b->len) {
		n = write(fd, b->p + off, b->len - off);
		if (n > 0)
			off += (size_t)n;
		else if (n < 0 && errno != EAGAIN && errno != EINTR)
			return -1;
		else if (wait_fd(fd, POLLOUT, deadline) != 0)
			return -1;
	}
	return 0;
}

/* Take the complete records at the start of in: STDOUT content goes to
 * out.  Returns 1 after END_REQUEST, 0 when more is needed, -1 when the
 * request was refused (FastCGI protocol status in *status). */
static int
records_take(struct buf *in, struct buf *out, int *status)
{
	const unsigned char *h;
	size_t clen, total, off = 0;
	int done = 0;

	while (!done && in->len - off >= FCGI_HEADER_LEN) {
		h = (const unsigned char *)in->p + off;
		clen = (size_t)h[4] << 8 | h[5];
		total = FCGI_HEADER_LEN + clen + h[6];
		if (in->len - off < total)
			break;
		if (h[1] == FCGI_STDOUT && out->len + clen <= PAGE_MAX &&
		    buf_append(out, h + FCGI_HEADER_LEN, clen) != 0)
			return -1;
		if (h[1] == FCGI_END_REQUEST) {
			*status = clen >= 5 ? h[FCGI_HEADER_LEN + 4] : 0;
			done = *status == 0 ? 1 : -1;
		}
		off += total;
	}
	memmove(in->p, in->p + off, in->len - off);
	in->len -= off;
	return done;
}

/* Read the response until END_REQUEST.  Returns 0, or -1 with a message
 * in err. */
static int
response_read(int fd, struct buf *out, long long deadline, char *err,
    size_t errlen)
{
	struct buf in = { 0 };
	char chunk[16384];
	ssize_t n;
	int done = 0, status = 0;

	while (done == 0) {
		n = read(fd, chunk, sizeof(chunk));
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			snprintf(err, errlen, "read: %s", strerror(errno));
			break;
		}
		if (n == 0) {
			snprintf(err, errlen, "the connection closed before "
			    "the end of the response");
			break;
		}
		if (n < 0 && wait_fd(fd, POLLIN, deadline) != 0) {
			snprintf(err, errlen, "no answer within %d s",
			    STATUS_TIMEOUT_MS / 1000);
			break;
		}
		if (n > 0 && buf_append(&in, chunk, (size_t)n) != 0)
			break;
		if (n > 0 && (done = records_take(&in, out, &status)) < 0)
			snprintf(err, errlen, "the request was refused "
			    "(FastCGI protocol status %d)", status);
	}
	free(in.p);
	return done == 1 ? 0 : -1;
}

/* GET path?query from the FastCGI server at a; the STDOUT stream, headers
 * included, goes to out (which the caller frees).  Returns 0, or -1 with
 * a message in err. */
static int
fcgi_get(const struct addr *a, const char *path, const char *query,
    struct buf *out, char *err, size_t errlen)
{
	long long deadline = now_ms() + STATUS_TIMEOUT_MS;
	struct buf req = { 0 };
	char why[512] = "out of memory";
	int fd, rc = -1;

	if (request_build(&req, path, query) != 0) {
		snprintf(err, errlen, "cannot build the request for %s", path);
		free(req.p);
		return -1;
	}
	fd = connect_to(a, deadline, err, errlen);
	if (fd >= 0) {
		if (send_all(fd, &req, deadline) != 0)
			snprintf(why, sizeof(why), "cannot send the request");
		else
			rc = response_read(fd, out, deadline, why, sizeof(why));
		if (rc != 0)
			snprintf(err, errlen, "%s?%s at %s: %s", path, query,
			    a->text, why);
		close(fd);
	}
	free(req.p);
	return rc;
}

/* ---- the status page --------------------------------------------------- */

/* The page came from a worker, which runs pool code: its strings are
 * escaped (log_escape()) before they can reach a terminal, so no escape
 * sequence clears the screen, moves the cursor or sets the title. */
static void
field_set(const struct field *f, void *base, const char *key,
    const char *value)
{
	for (; f->key != NULL; f++) {
		if (strcmp(f->key, key) != 0)
			continue;
		if (f->size == 0)
			*(long long *)((char *)base + f->off) =
			    strtoll(value, NULL, 10);
		else
			log_escape((char *)base + f->off, f->size, value,
			    strlen(value));
		return;
	}
}

/* The body after the CGI headers.  Returns NULL, with the status line in
 * err, when they say the request failed. */
static char *
body_of(char *text, char *err, size_t errlen)
{
	char *end = strstr(text, "\r\n\r\n"), *lf = strstr(text, "\n\n");
	char *status;

	if (strncmp(text, "pool:", 5) == 0)
		return text;		/* no headers at all */
	if (end == NULL || (lf != NULL && lf < end))
		end = lf;
	if (end == NULL)
		return text;
	*end = '\0';
	status = strncasecmp(text, "Status:", 7) == 0 ? text :
	    strcasestr(text, "\nStatus:");
	if (status != NULL) {
		status += *status == '\n';
		status += strspn(status + 7, " ") + 7;
		if (strncmp(status, "200", 3) != 0) {
			snprintf(err, errlen, "answered %.*s",
			    (int)strcspn(status, "\r\n"), status);
			return NULL;
		}
	}
	return end + (end[0] == '\r' ? 4 : 2);
}

static void
page_free(struct page *pg)
{
	free(pg->workers);
	pg->workers = NULL;
	pg->nworkers = 0;
}

/* Parse the plain text "full" page into pg.  Returns 0, or -1 with a
 * message in err. */
static int
page_parse(char *text, struct page *pg, char *err, size_t errlen)
{
	struct worker *w = NULL, *nw;
	char *body, *line, *save = NULL, *colon, *value;

	memset(pg, 0, sizeof(*pg));
	if ((body = body_of(text, err, errlen)) == NULL)
		return -1;
	for (line = strtok_r(body, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "\r")] = '\0';
		if (line[0] == '*') {
			nw = realloc(pg->workers,
			    (pg->nworkers + 1) * sizeof(*nw));
			if (nw == NULL)
				break;
			pg->workers = nw;
			w = memset(&nw[pg->nworkers++], 0, sizeof(*w));
			continue;
		}
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		value = colon + 1 + strspn(colon + 1, " \t");
		if (w != NULL)
			field_set(worker_fields, w, line, value);
		else
			field_set(page_fields, pg, line, value);
	}
	if (pg->pool[0] == '\0') {
		snprintf(err, errlen, "the answer is not a status page");
		page_free(pg);
		return -1;
	}
	return 0;
}

/* The status page's "start time" (31/Dec/2026:23:59:59 +0000) as a time,
 * or -1. */
static time_t
page_start(const struct page *pg)
{
	struct tm tm = { 0 };
	const char *end = strptime(pg->start_time, "%d/%b/%Y:%H:%M:%S %z", &tm);

	if (end == NULL)
		return -1;
	return timegm(&tm) - tm.tm_gmtoff;
}

/* Where pool p answers its status page: pm.status_listen, else listen. */
static const struct addr *
status_addr(const struct pool_conf *p)
{
	if (p->status_listen != NULL)
		return &p->status_listen_addr;
	return p->listen != NULL ? &p->listen_addr : NULL;
}

/* Fetch and parse pool p's status page.  Returns 0, or -1 with a message
 * naming the pool in err. */
static int
pool_fetch(const struct pool_conf *p, struct page *pg, char *err,
    size_t errlen)
{
	const struct addr *a = status_addr(p);
	struct buf out = { 0 };
	char why[768] = "";
	int rc = -1;

	if (a == NULL) {
		snprintf(err, errlen, "pool %s has no listen address", p->name);
		return -1;
	}
	if (fcgi_get(a, p->status_path, "full", &out, why, sizeof(why)) != 0)
		snprintf(err, errlen, "pool %s: %s", p->name, why);
	else if (out.p == NULL)
		snprintf(err, errlen, "pool %s: %s?full at %s: an empty answer",
		    p->name, p->status_path, a->text);
	else if (page_parse(out.p, pg, why, sizeof(why)) != 0)
		snprintf(err, errlen, "pool %s: %s?full at %s: %s (is "
		    "pm.status_path = %s in the running configuration?)",
		    p->name, p->status_path, a->text, why, p->status_path);
	else
		rc = 0;
	free(out.p);
	return rc;
}

/* ---- printing ---------------------------------------------------------- */

/* 45s, 12m03s, 5h02m, 3d04h. */
static void
fmt_age(char *out, size_t len, long long s)
{
	if (s < 0)
		snprintf(out, len, "-");
	else if (s < 60)
		snprintf(out, len, "%llds", s);
	else if (s < 3600)
		snprintf(out, len, "%lldm%02llds", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, len, "%lldh%02lldm", s / 3600, s % 3600 / 60);
	else
		snprintf(out, len, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
}

/* 850us, 12ms, 3.4s, then as fmt_age. */
static void
fmt_duration(char *out, size_t len, long long us)
{
	if (us < 1000)
		snprintf(out, len, "%lldus", us);
	else if (us < 1000000)
		snprintf(out, len, "%lldms", us / 1000);
	else if (us < 60000000)
		snprintf(out, len, "%.1fs", (double)us / 1e6);
	else
		fmt_age(out, len, us / 1000000);
}

/* 900B, 512K, 2.0M, 14M, 1.2G; "-" for unknown (0). */
static void
fmt_size(char *out, size_t len, long long bytes)
{
	static const char units[] = "BKMGT";
	double v = (double)bytes;
	int u = 0;

	if (bytes <= 0) {
		snprintf(out, len, "-");
		return;
	}
	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0 || v >= 10)
		snprintf(out, len, "%.0f%c", v, units[u]);
	else
		snprintf(out, len, "%.1f%c", v, units[u]);
}

/* Write line, cut to width columns when width > 0. */
static void
put_line(FILE *out, const char *line, int width)
{
	size_t n = strlen(line);

	if (width > 0 && n > (size_t)width)
		n = (size_t)width;
	fwrite(line, 1, n, out);
	fputc('\n', out);
}

static void
header_print(FILE *out, const struct page *pg, const struct pool_conf *p)
{
	char line[1024], up[32], slow[48] = "";
	long long max = p->max_children > 0 && p->max_children != CONF_UNSET ?
	    p->max_children : pg->total;

	fmt_age(up, sizeof(up), pg->since);
	if (pg->slow > 0)
		snprintf(slow, sizeof(slow), "  slow %lld", pg->slow);
	snprintf(line, sizeof(line), "%s (%s)  up %s  accepted %lld  active "
	    "%lld/%lld  idle %lld  queue %lld (max %lld)  "
	    "max-children-reached %lld%s", pg->pool, pg->pm, up, pg->accepted,
	    pg->active, max, pg->idle, pg->queue, pg->max_queue,
	    pg->max_children_reached, slow);
	put_line(out, line, 0);
}

enum { C_PID, C_UPTIME, C_SERVED, C_MEMORY, C_STATE, C_REQUEST, NCOLS };
#define CELL 320

static const char *const col_names[NCOLS] = {
	"PID", "UPTIME", "SERVED", "MEMORY", "STATE", "REQUEST",
};
static const int col_right[NCOLS] = { 0, 1, 1, 1, 0, 0 };

static void
row_cells(const struct worker *w, char cells[NCOLS][CELL])
{
	char d[32];

	snprintf(cells[C_PID], CELL, "%lld", w->pid);
	fmt_age(cells[C_UPTIME], CELL, w->since);
	snprintf(cells[C_SERVED], CELL, "%lld", w->requests);
	fmt_size(cells[C_MEMORY], CELL, w->memory);
	snprintf(cells[C_STATE], CELL, "%s", w->state[0] ? w->state : "-");
	fmt_duration(d, sizeof(d), w->duration);
	if (w->method[0] == '\0' || strcmp(w->method, "-") == 0)
		snprintf(cells[C_REQUEST], CELL, "-");
	else
		snprintf(cells[C_REQUEST], CELL, "%s %s %s", w->method, w->uri,
		    d);
}

static void
row_print(FILE *out, char cells[NCOLS][CELL], const int *widths, int width)
{
	char line[NCOLS * (CELL + 2)];
	size_t off = 0;

	for (int i = 0; i < NCOLS; i++) {
		int pad = i == NCOLS - 1 && !col_right[i] ? 0 : widths[i];

		off += (size_t)snprintf(line + off, sizeof(line) - off, "%s%*s",
		    i ? "  " : "", col_right[i] ? pad : -pad, cells[i]);
	}
	put_line(out, line, width);
}

/* The workers of pg as a table, columns as wide as their widest cell. */
static void
table_print(FILE *out, const struct page *pg, int width)
{
	char (*rows)[NCOLS][CELL] = calloc(pg->nworkers + 1, sizeof(*rows));
	int widths[NCOLS] = { 0 };

	if (rows == NULL)
		return;
	for (int i = 0; i < NCOLS; i++)
		snprintf(rows[0][i], CELL, "%s", col_names[i]);
	for (size_t r = 0; r < pg->nworkers; r++)
		row_cells(&pg->workers[r], rows[r + 1]);
	for (size_t r = 0; r <= pg->nworkers; r++)
		for (int i = 0; i < NCOLS; i++)
			if ((int)strlen(rows[r][i]) > widths[i])
				widths[i] = (int)strlen(rows[r][i]);
	for (size_t r = 0; r <= pg->nworkers; r++)
		row_print(out, rows[r], widths, width);
	free(rows);
}

/* ---- commands ---------------------------------------------------------- */

/* The pools the command is about: the named one, or all of them. */
static int
pool_selected(const struct ctl *c, const struct pool_conf *p)
{
	return c->pool == NULL || strcmp(c->pool, p->name) == 0;
}

static void
check_pool_name(const struct ctl *c)
{
	char names[4096] = "";
	size_t off = 0;

	if (c->pool == NULL)
		return;
	for (const struct pool_conf *p = c->conf->pools; p; p = p->next) {
		if (strcmp(p->name, c->pool) == 0)
			return;
		off += (size_t)snprintf(names + off, off < sizeof(names) ?
		    sizeof(names) - off : 0, "%s%s", off ? ", " : "", p->name);
		if (off >= sizeof(names))
			off = sizeof(names) - 1;
	}
	die("no pool '%s' in %s (pools: %s)", c->pool, c->conf->file,
	    names[0] ? names : "none");
}

/* Print every selected pool to out, problems to err after tag.  Rows are
 * cut to width columns when width > 0; a pool's header line never is.
 * Returns 0 when every pool with a status page was shown and at least one
 * was, else -1. */
static int
show(FILE *out, FILE *err, const char *tag, const struct ctl *c, int width)
{
	char why[2048];
	struct page pg;
	int shown = 0, failed = 0;

	for (const struct pool_conf *p = c->conf->pools; p; p = p->next) {
		if (!pool_selected(c, p))
			continue;
		if (p->status_path == NULL) {
			fprintf(err, "%spool %s has no pm.status_path%s\n",
			    tag, p->name, c->pool ? "" : ": skipped");
			failed += c->pool != NULL;
			continue;
		}
		if (pool_fetch(p, &pg, why, sizeof(why)) != 0) {
			fprintf(err, "%s%s\n", tag, why);
			failed++;
			continue;
		}
		fputs(shown++ ? "\n" : "", out);
		header_print(out, &pg, p);
		table_print(out, &pg, width);
		page_free(&pg);
	}
	if (shown == 0 && failed == 0)
		fprintf(err, "%sno pool in %s has pm.status_path\n", tag,
		    c->conf->file);
	return shown > 0 && failed == 0 ? 0 : -1;
}

static int
terminal_width(int fd)
{
	struct winsize ws;

	if (!isatty(fd) || ioctl(fd, TIOCGWINSZ, &ws) != 0)
		return 0;
	return ws.ws_col;
}

static int
cmd_status(struct ctl *c)
{
	return show(stdout, stderr, "fpmctl: ", c,
	    terminal_width(STDOUT_FILENO)) == 0 ? 0 : 1;
}

static void
on_interrupt(int sig)
{
	(void)sig;
	interrupted = 1;
}

static void
tty_restore(void)
{
	if (tty_raw)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_tty);
	tty_raw = 0;
	if (isatty(STDOUT_FILENO))
		fputs("\033[?25h", stdout);	/* the cursor again */
}

/* Keys without Enter, not echoed; ^C still a signal. */
static void
tty_setup(void)
{
	struct sigaction sa = { .sa_handler = on_interrupt };
	struct termios t;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	atexit(tty_restore);
	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved_tty) == 0) {
		t = saved_tty;
		t.c_lflag &= (tcflag_t)~(ICANON | ECHO);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		tty_raw = tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0;
	}
	if (isatty(STDOUT_FILENO))
		fputs("\033[?25l", stdout);
}

/* Wait up to ms for a key; returns 1 when it was q (or stdin ended at a
 * terminal), else 0. */
static int
key_quit(long long ms, int *stdin_open)
{
	struct pollfd pfd = { STDIN_FILENO, POLLIN, 0 };
	char ch;
	ssize_t n;

	if (!*stdin_open) {
		sleep_ms(ms);
		return 0;
	}
	if (poll(&pfd, 1, (int)ms) <= 0)
		return 0;
	n = read(STDIN_FILENO, &ch, 1);
	if (n <= 0) {
		*stdin_open = 0;	/* </dev/null: run until a signal */
		return 0;
	}
	return ch == 'q' || ch == 'Q';
}

/* One screen: a title, then what status prints, errors inline. */
static void
top_frame(const struct ctl *c)
{
	struct buf frame = { 0 };
	char *text = NULL, clock[16];
	size_t len = 0;
	time_t now = time(NULL);
	FILE *f = open_memstream(&text, &len);
	int width = terminal_width(STDOUT_FILENO);

	if (f == NULL)
		die("open_memstream() failed: %s", strerror(errno));
	strftime(clock, sizeof(clock), "%H:%M:%S", localtime(&now));
	fprintf(f, "fpm %d  %s  %s  (q quits)\n\n", (int)c->pid,
	    c->conf->file, clock);
	show(f, f, "", c, width);
	fclose(f);
	(void)buf_append(&frame, "\033[H\033[2J", 7);
	(void)buf_append(&frame, text, len);
	fwrite(frame.p, 1, frame.len, stdout);
	fflush(stdout);
	free(frame.p);
	free(text);
}

static int
cmd_top(struct ctl *c)
{
	int stdin_open = 1;

	tty_setup();
	while (!interrupted) {
		if (!master_alive(c)) {
			tty_restore();
			die("fpm %d is gone", (int)c->pid);
		}
		top_frame(c);
		if (key_quit(1000, &stdin_open))
			break;
	}
	return 0;
}

/* The start time of every selected pool that answers its status page, in
 * starts[] (-1 for the others).  Returns how many answered. */
static int
starts_read(const struct ctl *c, time_t *starts)
{
	char why[2048];
	struct page pg;
	size_t i = 0;
	int n = 0;

	for (const struct pool_conf *p = c->conf->pools; p; p = p->next, i++) {
		starts[i] = -1;
		if (p->status_path == NULL || pool_fetch(p, &pg, why,
		    sizeof(why)) != 0)
			continue;
		starts[i] = page_start(&pg);
		n += starts[i] != -1;
		page_free(&pg);
	}
	return n;
}

/* Whether every pool that had a start time reports a later one. */
static int
pools_restarted(const struct ctl *c, const time_t *before)
{
	time_t *now = calloc(c->conf->npools + 1, sizeof(*now));
	int done = now != NULL;

	if (now != NULL)
		starts_read(c, now);
	for (size_t i = 0; done && i < c->conf->npools; i++)
		if (before[i] != -1 && now[i] <= before[i])
			done = 0;
	free(now);
	return done;
}

/* Start times have whole seconds: wait until the clock has left the
 * latest one, so that a scoreboard made from now on starts later. */
static void
wait_past(const time_t *starts, size_t n)
{
	struct timespec ts;
	time_t latest = -1;

	for (size_t i = 0; i < n; i++)
		if (starts[i] > latest)
			latest = starts[i];
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec <= latest)
		sleep_ms((long long)(latest - ts.tv_sec) * 1000 +
		    (1000000000 - ts.tv_nsec) / 1000000 + 1);
}

/* Poll until every pool that answered before reports a later start
 * time, or, when none did, for a second; the master is followed to a new
 * pid should it write one.  Returns 1 when the pools restarted, 0 at the
 * deadline, -1 when the master is gone. */
static int
reload_wait(struct ctl *c, const time_t *before, int known)
{
	long long deadline = now_ms() + (known ? RELOAD_TIMEOUT_MS : 1000);
	long long gone = -1;	/* when the master was first missed */

	while (!interrupted) {
		sleep_ms(POLL_MS);
		if (master_alive(c))
			gone = -1;
		else if (gone < 0)
			gone = now_ms();
		if (gone >= 0 && now_ms() - gone >= GONE_GRACE_MS)
			return -1;
		if (gone < 0 && known && pools_restarted(c, before))
			return 1;
		if (now_ms() >= deadline)
			return gone < 0 ? 0 : -1;
	}
	return 0;
}

static int
cmd_reload(struct ctl *c)
{
	time_t *before = calloc(c->conf->npools + 1, sizeof(*before));
	int known, rc;

	if (before == NULL)
		die("out of memory");
	known = starts_read(c, before);
	wait_past(before, c->conf->npools);
	master_signal(c, SIGUSR2, "SIGUSR2");
	rc = reload_wait(c, before, known);
	free(before);
	if (rc < 0)
		die("fpm %d exited during the reload: %s", (int)c->pid,
		    error_log_hint(c));
	if (rc > 0)
		printf("reloaded (pid %d)\n", (int)c->pid);
	else if (known)
		die("fpm %d kept its configuration: %s", (int)c->pid,
		    error_log_hint(c));
	else
		printf("sent SIGUSR2 to fpm %d, which runs 1 s later (no pool "
		    "answers a status page, so the reload cannot be "
		    "followed)\n", (int)c->pid);
	return 0;
}

static int
cmd_stop(struct ctl *c)
{
	master_signal(c, SIGTERM, "SIGTERM");
	if (master_wait_gone(c, STOP_TIMEOUT_MS) != 0)
		die("fpm %d still runs %d s after SIGTERM: %s", (int)c->pid,
		    STOP_TIMEOUT_MS / 1000, error_log_hint(c));
	printf("fpm %d stopped\n", (int)c->pid);
	return 0;
}

static int
cmd_quit(struct ctl *c)
{
	long long pct = c->conf->global.process_control_timeout;
	long long timeout = pct > 0 ? pct * 1000 + QUIT_GRACE_MS : -1;

	master_signal(c, SIGQUIT, "SIGQUIT");
	if (master_wait_gone(c, timeout) != 0)
		die("fpm %d still runs %lld s after SIGQUIT: %s", (int)c->pid,
		    timeout / 1000, error_log_hint(c));
	printf("fpm %d stopped gracefully\n", (int)c->pid);
	return 0;
}

static int
cmd_reopen(struct ctl *c)
{
	master_signal(c, SIGUSR1, "SIGUSR1");
	printf("sent SIGUSR1 to fpm %d: it reopens its logs\n", (int)c->pid);
	return 0;
}

static const struct command {
	const char *name;
	int (*run)(struct ctl *);
	int takes_pool;
} commands[] = {
	{ "status", cmd_status, 1 },
	{ "top", cmd_top, 1 },
	{ "reload", cmd_reload, 0 },
	{ "stop", cmd_stop, 0 },
	{ "quit", cmd_quit, 0 },
	{ "reopen", cmd_reopen, 0 },
};

/* ---- start-up ---------------------------------------------------------- */

static void
bad_usage(const char *fmt, const char *arg)
{
	fputs("fpmctl: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	usage(stderr);
	exit(EX_USAGE);
}

static const struct command *
parse_options(int argc, char **argv, struct ctl *c)
{
	static const struct option longs[] = {
		{ "fpm-config", required_argument, NULL, 'y' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "pid", required_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct command *cmd = NULL;
	int ch;

	c->conf_file = FPM_CONF_DEFAULT;
	while ((ch = getopt_long(argc, argv, "y:p:g:h", longs, NULL)) != -1) {
		switch (ch) {
		case 'y': c->conf_file = optarg; break;
		case 'p': c->prefix = optarg; break;
		case 'g': c->pidfile = optarg; break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(EX_USAGE);
		}
	}
	if (optind >= argc)
		bad_usage("no command%s", "");
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			cmd = &commands[i];
	if (cmd == NULL)
		bad_usage("unknown command '%s'", argv[optind]);
	if (optind + 1 < argc && cmd->takes_pool)
		c->pool = argv[optind + 1];
	if (optind + 1 + (c->pool != NULL) < argc)
		bad_usage("unexpected argument '%s'",
		    argv[optind + 1 + (c->pool != NULL)]);
	return cmd;
}

static void
load_config(struct ctl *c)
{
	c->conf = conf_load(c->conf_file, c->prefix);
	if (c->conf == NULL)
		die("out of memory");
	for (size_t i = 0; i < c->conf->nerrors; i++)
		fprintf(stderr, "fpmctl: %s\n", c->conf->errors[i]);
	if (c->conf->nerrors > 0)
		die("%s has %zu error%s: nothing done", c->conf->file,
		    c->conf->nerrors, c->conf->nerrors == 1 ? "" : "s");
	if (c->pidfile == NULL)
		c->pidfile = c->conf->global.pid;
	if (c->pidfile == NULL)
		die("no pid file: %s sets no 'pid' and no -g was given",
		    c->conf->file);
}

int
main(int argc, char **argv)
{
	struct ctl c = { 0 };
	char err[4400];
	const struct command *cmd = parse_options(argc, argv, &c);
	int rc;

	signal(SIGPIPE, SIG_IGN);
	load_config(&c);
	check_pool_name(&c);
	c.pid = pidfile_master(c.pidfile, err, sizeof(err));
	if (c.pid < 0)
		die("%s", err);
	rc = cmd->run(&c);
	conf_free(c.conf);
	return rc;
}
