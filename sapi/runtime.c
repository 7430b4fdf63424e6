/*
 * runtime.c - the worker: accept loop and the request API of fpm_app.h.
 *
 * The worker does its own accept(2) and hands the connection to libfcgi
 * for the protocol.  That way it
 *   - waits in epoll_pwait(2) with SIGQUIT unblocked only there, so a graceful
 *     stop can never interrupt a request, nor be lost just before a wait;
 *   - checks listen.allowed_clients for IPv4 and IPv6 alike;
 *   - watches the connections the web server keeps (fastcgi_keep_conn)
 *     together with the listening socket, so that an idle kept connection
 *     never pins the worker (see next_connection).
 */
#include "config.h"

#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "access_log.h"
#include "clock.h"
#include "conf.h"
#include "control.h"
#include "fpm_app.h"
#include "log.h"
#include "runtime.h"
#include "prescan.h"
#include "sapi_host.h"
#include "scoreboard.h"
#include "status.h"

struct req_clock;

/* The request's own reader of its body, in place of libfcgi's on its
 * stdin stream (see body_take). */
struct body_in {
	struct bodyscan scan;
	unsigned char buf[16384];
	size_t at, end;		/* bytes read in, not yet taken */
	int fd;
	int rest;		/* bytes came after the body's end */
	void *lib_data;		/* libfcgi's, put back before FCGX_Finish_r */
	void (*lib_fill)(struct FCGX_Stream *);
};

struct fpm_request {
	FCGX_Request fcgx;
	struct body_in body;
	int status;
	char headers[8192];
	size_t headers_len;
	int has_content_type;
	int headers_sent;
	int body_done;		/* the FastCGI stdin stream is fully read */
	int spool_fd;		/* unread body kept here, or -1 */
	int body_lost;		/* the spool failed: fpm_read must not say EOF */
	int failed;		/* the client went away */
	int finished;		/* fpm_finish_request: the response is out */
	long long body_len;	/* CONTENT_LENGTH, or -1 */
	long long body_read;
	int body_excess;	/* more body than CONTENT_LENGTH said */
	struct req_clock *clock;	/* when it began, what it cost */
};

static const char *pool_name;
static const struct worker_conf *conf;
static volatile sig_atomic_t quit;

const char *
fpm_pool_name(void)
{
	return pool_name;
}

const char *
fpm_param(fpm_request *req, const char *name)
{
	return FCGX_GetParam(name, req->fcgx.envp);
}

char *const *
fpm_params(fpm_request *req)
{
	return req->fcgx.envp;
}

/* ---- request body ------------------------------------------------------ */

/* The head of libfcgi's reader state, FCGX_Stream_Data, private to its
 * fcgiapp.c and the same from 2.4.0 to 2.4.6: where the bytes it has read
 * from the connection end (buffStop). */
struct lib_reader {
	unsigned char *buff;
	int bufflen;
	unsigned char *mBuff;
	unsigned char *buffStop;
};

static void
body_error(FCGX_Stream *in, int err)
{
	if (in->FCGI_errno == 0)
		in->FCGI_errno = err;
	in->isClosed = 1;
	in->wrNext = in->stop = in->rdNext;
}

/* The stdin stream's fill procedure, called by FCGX_GetStr when what it
 * had is taken: the next body bytes between in->rdNext and in->stop, or
 * the end (isClosed), or an error (FCGI_errno too).  Every record is
 * looked at by bodyscan before anything uses it; libfcgi only copies the
 * bytes out. */
static void
body_take(FCGX_Stream *in)
{
	struct body_in *b = in->data;
	size_t used;
	ssize_t n;

	for (;;) {
		switch (bodyscan(&b->scan, b->buf + b->at, b->end - b->at,
		    &used)) {
		case BODYSCAN_DATA:
			in->rdNext = in->stopUnget = b->buf + b->at;
			b->at += used;
			in->wrNext = in->stop = b->buf + b->at;
			return;
		case BODYSCAN_SKIP:
			b->at += used;
			continue;
		case BODYSCAN_END:
			b->at += used;
			b->rest = b->end > b->at;
			in->rdNext = b->buf + b->at;
			in->isClosed = 1;
			in->wrNext = in->stop = in->rdNext;
			return;
		case BODYSCAN_BAD:
			body_error(in, FCGX_PROTOCOL_ERROR);
			return;
		case BODYSCAN_MORE:
			break;
		}
		memmove(b->buf, b->buf + b->at, b->end - b->at);
		b->end -= b->at;
		b->at = 0;
		do
			n = read(b->fd, b->buf + b->end, sizeof(b->buf) - b->end);
		while (n < 0 && errno == EINTR);
		if (n <= 0) {
			body_error(in, n == 0 ? FCGX_PROTOCOL_ERROR : errno);
			return;
		}
		b->end += (size_t)n;
	}
}

/* Take the body from libfcgi, with what it has read of it already.
 * Returns -1 if its reader is not laid out as fpm knows it: the request
 * is refused rather than read unchecked. */
static int
body_install(fpm_request *req)
{
	FCGX_Stream *in = req->fcgx.in;
	struct lib_reader *r = in->data;
	struct body_in *b = &req->body;
	size_t had;

	if (r == NULL || r->buff == NULL || r->mBuff > r->buff ||
	    r->buff - r->mBuff > 8 || r->bufflen <= 0 ||
	    in->rdNext < r->buff || r->buffStop < in->rdNext ||
	    r->buffStop > r->buff + r->bufflen ||
	    (size_t)(r->buffStop - in->rdNext) > sizeof(b->buf))
		return -1;
	had = (size_t)(r->buffStop - in->rdNext);
	memcpy(b->buf, in->rdNext, had);
	b->at = 0;
	b->end = had;
	b->fd = req->fcgx.ipcFd;
	b->rest = 0;
	bodyscan_init(&b->scan, req->fcgx.requestId);
	b->lib_data = in->data;
	b->lib_fill = in->fillBuffProc;
	in->data = b;
	in->fillBuffProc = body_take;
	in->rdNext = in->wrNext = in->stop = in->stopUnget = b->buf;
	return 0;
}

/* Give libfcgi its reader back, for FCGX_Finish_r to free. */
static void
body_uninstall(fpm_request *req)
{
	FCGX_Stream *in = req->fcgx.in;

	if (in == NULL || in->data != &req->body)
		return;
	in->data = req->body.lib_data;
	in->fillBuffProc = req->body.lib_fill;
}

static ssize_t
read_stdin(fpm_request *req, void *buf, size_t len)
{
	int n;

	if (req->body_done)
		return 0;
	n = FCGX_GetStr(buf, (int)(len > 1 << 30 ? 1 << 30 : len),
	    req->fcgx.in);
	if (FCGX_GetError(req->fcgx.in) != 0) {
		req->failed = 1;
		req->body_done = 1;
		return -1;
	}
	req->body_read += n;
	if (req->body_len >= 0 && req->body_read > req->body_len) {
		if (!req->body_excess)
			log_warning("request refused: its body is longer than "
			    "its CONTENT_LENGTH (%lld)", req->body_len);
		req->body_excess = 1;
		req->body_done = 1;
		errno = EPROTO;
		return -1;
	}
	if (n < (int)len)
		req->body_done = 1;
	return n;
}

ssize_t
fpm_read(fpm_request *req, void *buf, size_t len)
{
	ssize_t n;

	if (req->body_lost) {
		errno = EIO;
		return -1;
	}
	if (req->spool_fd < 0)
		return read_stdin(req, buf, len);
	do
		n = read(req->spool_fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static int
spool_open(void)
{
	const char *dir = getenv("TMPDIR");
	int fd = open(dir ? dir : "/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd < 0)
		fd = memfd_create("fpm-body", MFD_CLOEXEC);
	return fd;
}

/* Read the rest of the body before any output leaves: nginx stops sending
 * the body once the response has started, so a response that starts while
 * the body is still coming would stall until fastcgi_read_timeout.  What the
 * app has not read yet is kept in an unlinked temporary file (a large POST
 * never sits in memory) for later fpm_read calls. */
static int
drain_body(fpm_request *req, int keep)
{
	char buf[65536];
	ssize_t n;

	while (!req->body_done) {
		n = read_stdin(req, buf, sizeof(buf));
		if (n <= 0 || !keep)
			continue;
		if (req->spool_fd < 0)
			req->spool_fd = spool_open();
		if (req->spool_fd < 0 || write(req->spool_fd, buf, (size_t)n) != n) {
			log_error("cannot keep the request body for the app: "
			    "%s", strerror(errno));
			req->body_lost = 1;
			keep = 0;
		}
	}
	if (req->spool_fd >= 0)
		lseek(req->spool_fd, 0, SEEK_SET);
	return req->failed || req->body_lost ? -1 : 0;
}

/* ---- response ---------------------------------------------------------- */

static const char *
reason(int code)
{
	switch (code) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 413: return "Payload Too Large";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	default: return "";
	}
}

int
fpm_set_status(fpm_request *req, int code)
{
	if (req->headers_sent || code < 100 || code > 599)
		return -1;
	req->status = code;
	return 0;
}

int
fpm_header(fpm_request *req, const char *name, const char *value)
{
	size_t room = sizeof(req->headers) - req->headers_len;
	size_t nl = strcspn(name, "\r\n:"), vl = strcspn(value, "\r\n");
	char *at = req->headers + req->headers_len;

	if (req->headers_sent || name[nl] != '\0' || value[vl] != '\0')
		return -1;
	if (nl + vl + 4 >= room)
		return -1;
	memcpy(at, name, nl);
	memcpy(at + nl, ": ", 2);
	memcpy(at + nl + 2, value, vl);
	memcpy(at + nl + 2 + vl, "\r\n", 3);
	req->headers_len += nl + vl + 4;
	if (strcasecmp(name, "Content-Type") == 0)
		req->has_content_type = 1;
	return 0;
}

static int
send_headers(fpm_request *req)
{
	FCGX_Stream *out = req->fcgx.out;

	static const char ctype[] = "Content-Type: text/html; charset=UTF-8\r\n";
	static const char bad[] = "Status: 400 Bad Request\r\n"
	    "Content-Type: text/plain\r\n\r\n400 Bad Request\n";
	char head[64 + sizeof(ctype) + sizeof(req->headers)];
	const char *why;
	size_t n = 0, wl;

	req->headers_sent = 1;
	if (drain_body(req, 1) != 0 && req->failed)
		return -1;
	if (req->body_excess) {
		/* the body broke the protocol: a 400 instead of the app's
		 * answer, whose writes now fail */
		req->status = 400;
		FCGX_PutStr(bad, (int)sizeof(bad) - 1, out);
		req->failed = 1;
		return -1;
	}
	why = reason(req->status);
	wl = strlen(why);
	/* "Status: 200 OK\r\n", headers, blank line: one write */
	memcpy(head, "Status: ", 8);
	n = 8;
	head[n++] = (char)('0' + req->status / 100);
	head[n++] = (char)('0' + req->status / 10 % 10);
	head[n++] = (char)('0' + req->status % 10);
	head[n++] = ' ';
	memcpy(head + n, why, wl);
	n += wl;
	memcpy(head + n, "\r\n", 2);
	n += 2;
	if (!req->has_content_type) {
		memcpy(head + n, ctype, sizeof(ctype) - 1);
		n += sizeof(ctype) - 1;
	}
	memcpy(head + n, req->headers, req->headers_len);
	n += req->headers_len;
	memcpy(head + n, "\r\n", 2);
	n += 2;
	FCGX_PutStr(head, (int)n, out);
	return FCGX_GetError(out) == 0 ? 0 : -1;
}

ssize_t
fpm_write(fpm_request *req, const void *buf, size_t len)
{
	const char *p = buf;
	size_t left = len;

	if (req->finished) {
		errno = EPIPE;
		return -1;
	}
	if (req->failed || (!req->headers_sent && send_headers(req) != 0))
		return req->failed = 1, -1;
	while (left > 0) {
		int chunk = left > 1 << 30 ? 1 << 30 : (int)left;

		if (FCGX_PutStr(p, chunk, req->fcgx.out) != chunk) {
			req->failed = 1;
			return -1;
		}
		p += chunk;
		left -= (size_t)chunk;
	}
	return (ssize_t)len;
}

int
fpm_vprintf(fpm_request *req, const char *fmt, va_list ap)
{
	char small[1024], *buf = small;
	va_list copy;
	int n;

	va_copy(copy, ap);
	n = vsnprintf(small, sizeof(small), fmt, copy);
	va_end(copy);
	if (n < 0)
		return -1;
	if ((size_t)n >= sizeof(small)) {
		buf = malloc((size_t)n + 1);
		if (buf == NULL)
			return -1;
		vsnprintf(buf, (size_t)n + 1, fmt, ap);
	}
	n = fpm_write(req, buf, (size_t)n) < 0 ? -1 : n;
	if (buf != small)
		free(buf);
	return n;
}

int
fpm_printf(fpm_request *req, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fpm_vprintf(req, fmt, ap);
	va_end(ap);
	return n;
}

int
fpm_flush(fpm_request *req)
{
	if (req->finished) {
		errno = EPIPE;
		return -1;
	}
	if (req->failed || (!req->headers_sent && send_headers(req) != 0))
		return -1;
	return FCGX_FFlush(req->fcgx.out) == 0 ? 0 : -1;
}

/* ---- the worker's slot, its access log, recycling ------------------ */

/* When a request began, for its duration and its access log line. */
struct req_clock {
	struct timespec mono, real;
	struct rusage ru;		/* only when measure_cpu */
	/* measured as the request ends */
	struct timespec end;		/* realtime */
	double duration;		/* seconds */
	double response;		/* seconds until the client had it all */
	double cpu_user, cpu_sys;	/* seconds */
	long long memory;		/* bytes: peak RSS */
};

/* Whether requests are measured for CPU and memory (a getrusage(2) at
 * each end): only if the access format prints them or the pool has a
 * status page. */
static int measure_cpu, measure_memory;
static unsigned long long served;	/* requests this worker served */

static long long
mono_ms(void)
{
	return clock_us(CLOCK_MONOTONIC) / 1000;
}

static void
slot_state(int state)
{
	struct sb_slot *s = conf->slot;

	sb_write_begin(s);
	s->state = state;
	if (state == SB_IDLE)
		s->idle_since_ms = mono_ms();
	sb_write_end(s);
}

static void
slot_reading(struct req_clock *clk)
{
	struct sb_slot *s = conf->slot;

	clock_gettime(CLOCK_MONOTONIC, &clk->mono);
	clock_gettime(CLOCK_REALTIME, &clk->real);
	if (measure_cpu)
		getrusage(RUSAGE_SELF, &clk->ru);
	sb_write_begin(s);
	s->state = SB_READING;
	s->req_start_ms = ts_us(&clk->mono) / 1000;
	s->req_start_us = ts_us(&clk->real);
	s->method[0] = s->uri[0] = s->query[0] = s->script[0] = '\0';
	s->user[0] = s->frames[0] = '\0';
	s->content_length = 0;
	sb_write_end(s);
}

/* The pool's counters: one more request taken, one more worker busy. */
static void
count_request(void)
{
	struct scoreboard *sb = conf->sb;
	int active, max;

	atomic_fetch_add_explicit(&sb->accepted, 1, memory_order_relaxed);
	active = atomic_fetch_add_explicit(&sb->active, 1,
	    memory_order_relaxed) + 1;
	max = atomic_load_explicit(&sb->max_active, memory_order_relaxed);
	while (active > max && !atomic_compare_exchange_weak_explicit(
	    &sb->max_active, &max, active, memory_order_relaxed,
	    memory_order_relaxed))
		;
}

void
fpm_params_pick(fpm_request *req, const struct fpm_pick *names, int n,
    const char **out)
{
	signed char head[64], next[64];

	/* the names by first letter, each letter a chain */
	memset(head, -1, sizeof(head));
	for (int i = n - 1; i >= 0; i--) {
		unsigned char b = (unsigned char)names[i].name[0] & 63;

		out[i] = NULL;
		next[i] = head[b];
		head[b] = (signed char)i;
	}
	for (char *const *p = req->fcgx.envp; p != NULL && *p != NULL; p++) {
		const char *kv = *p, *eq;
		int i = head[(unsigned char)kv[0] & 63];
		size_t len;

		/* by first letter, then by length, then one comparison */
		if (i < 0 || (eq = memchr(kv, '=', 32)) == NULL)
			continue;
		len = (size_t)(eq - kv);
		for (; i >= 0; i = next[i]) {
			if (names[i].len == len && out[i] == NULL &&
			    memcmp(kv, names[i].name, len) == 0) {
				out[i] = eq + 1;
				break;
			}
		}
	}
}

static void
slot_running(fpm_request *req)
{
	enum { CL, METHOD, URI, QUERY, SCRIPT, USER, NPICK };
	static const struct fpm_pick picks[NPICK] = {
		FPM_PICK("CONTENT_LENGTH"), FPM_PICK("REQUEST_METHOD"),
		FPM_PICK("REQUEST_URI"), FPM_PICK("QUERY_STRING"),
		FPM_PICK("SCRIPT_FILENAME"), FPM_PICK("REMOTE_USER"),
	};
	const char *v[NPICK];
	struct sb_slot *s = conf->slot;

	fpm_params_pick(req, picks, NPICK, v);
	req->body_len = v[CL] && *v[CL] ? atoll(v[CL]) : -1;
	sb_write_begin(s);
	s->state = SB_RUNNING;
	sb_copy(s->method, sizeof(s->method), v[METHOD]);
	sb_copy(s->uri, sizeof(s->uri), v[URI]);
	sb_copy(s->query, sizeof(s->query), v[QUERY]);
	sb_copy(s->script, sizeof(s->script), v[SCRIPT]);
	sb_copy(s->user, sizeof(s->user), v[USER]);
	s->content_length = v[CL] ? atoll(v[CL]) : 0;
	sb_write_end(s);
}

static void
slot_served(const struct req_clock *clk)
{
	struct sb_slot *s = conf->slot;
	struct scoreboard *sb = conf->sb;

	sb_write_begin(s);
	s->requests++;
	s->state = SB_IDLE;
	s->idle_since_ms = mono_ms();
	s->last_duration_us = (long long)(clk->duration * 1e6);
	s->last_cpu = clk->duration > 0 ? 100.0 * (clk->cpu_user +
	    clk->cpu_sys) / clk->duration : 0;
	s->last_memory = clk->memory;
	sb_write_end(s);
	atomic_fetch_sub_explicit(&sb->active, 1, memory_order_relaxed);
}

static const char *
rec_param(void *ctx, const char *name)
{
	return fpm_param(ctx, name);
}

/* A response header, from the block fpm_header built. */
static int
rec_header(void *ctx, const char *name, char *out, size_t outlen)
{
	fpm_request *req = ctx;
	size_t nl = strlen(name);

	for (const char *p = req->headers; *p != '\0'; ) {
		const char *eol = strstr(p, "\r\n");

		if (eol == NULL)
			break;
		if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
			const char *v = p + nl + 1 + (p[nl + 1] == ' ');

			snprintf(out, outlen, "%.*s", (int)(eol - v), v);
			return 0;
		}
		p = eol + 2;
	}
	if (strcasecmp(name, "Content-Type") == 0 && !req->has_content_type) {
		snprintf(out, outlen, "text/html; charset=UTF-8");
		return 0;
	}
	return -1;
}

/* One line per request, in one write(2) on an O_APPEND descriptor, so
 * lines from many workers never interleave. */
/* What the request cost, as it ends: into clk. */
static void
measure(struct req_clock *clk)
{
	struct timespec mono;
	struct rusage ru;

	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &clk->end);
	clk->duration = ts_seconds(&clk->mono, &mono);
	if (clk->response == 0)		/* no fpm_finish_request */
		clk->response = clk->duration;
	if (!measure_cpu && !measure_memory)
		return;
	getrusage(RUSAGE_SELF, &ru);
	clk->memory = (long long)ru.ru_maxrss * 1024;
	if (!measure_cpu)
		return;
	clk->cpu_user = (double)(ru.ru_utime.tv_sec - clk->ru.ru_utime.tv_sec) +
	    (double)(ru.ru_utime.tv_usec - clk->ru.ru_utime.tv_usec) / 1e6;
	clk->cpu_sys = (double)(ru.ru_stime.tv_sec - clk->ru.ru_stime.tv_sec) +
	    (double)(ru.ru_stime.tv_usec - clk->ru.ru_stime.tv_usec) / 1e6;
}

static void
access_log(fpm_request *req, const struct req_clock *clk)
{
	struct access_rec r = {
		.pool = pool_name, .pid = getpid(), .ppid = getppid(),
		.status = req->status, .start = clk->real, .end = clk->end,
		.duration = clk->duration, .response_duration = clk->response,
		.cpu_user = clk->cpu_user,
		.cpu_sys = clk->cpu_sys, .memory = clk->memory,
		.param = rec_param, .header = rec_header, .ctx = req,
	};
	char line[8192];
	size_t n;

	n = access_format(line, sizeof(line), conf->access_format, &r);
	if (write(conf->access_fd, line, n) != (ssize_t)n)
		log_warning("cannot write the access log: %s",
		    strerror(errno));
}

/* access.suppress_path[]: a plain successful GET or HEAD of one of those
 * URIs (a health check) leaves no line.  Anything with a query, a body or
 * another status is logged, as in php-fpm. */
static int
suppressed(fpm_request *req)
{
	const char *uri = fpm_param(req, "REQUEST_URI");
	const char *method = fpm_param(req, "REQUEST_METHOD");
	const char *qs = fpm_param(req, "QUERY_STRING");
	const char *cl = fpm_param(req, "CONTENT_LENGTH");
	size_t n;

	if (conf->nsuppress_paths == 0 || uri == NULL || method == NULL ||
	    req->status < 200 || req->status > 299 || (qs != NULL && *qs) ||
	    (cl != NULL && atoll(cl) > 0) ||
	    (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0))
		return 0;
	n = strcspn(uri, "?");
	for (size_t i = 0; i < conf->nsuppress_paths; i++)
		if (strlen(conf->suppress_paths[i]) == n &&
		    strncmp(conf->suppress_paths[i], uri, n) == 0)
			return 1;
	return 0;
}

/* The worker's resident set, from /proc/self/statm (opened before any
 * chroot), in bytes; -1 if it cannot tell. */
static long long
rss_bytes(void)
{
	char buf[128];
	long long size, resident;
	ssize_t n = pread(conf->statm_fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%lld %lld", &size, &resident) != 2)
		return -1;
	return resident * sysconf(_SC_PAGESIZE);
}

/* pm.max_requests or pm.max_memory reached: stop accepting, ask the
 * master for a successor, and go when it says so (SIGQUIT), or after a
 * second if it does not answer. */
static int
should_recycle(unsigned long long served, uint32_t *reason, uint64_t *value)
{
	long long rss;

	if (conf->max_requests > 0 && served >= (unsigned long long)
	    conf->max_requests) {
		*reason = RECYCLE_REQUESTS;
		*value = served;
		return 1;
	}
	if (conf->max_memory > 0 && conf->statm_fd >= 0 &&
	    (rss = rss_bytes()) > conf->max_memory) {
		*reason = RECYCLE_MEMORY;
		*value = (uint64_t)rss;
		return 1;
	}
	return 0;
}

static void
await_successor(void)
{
	struct timespec wait = { 2, 0 };
	sigset_t q;

	sigemptyset(&q);
	sigaddset(&q, SIGQUIT);
	while (sigtimedwait(&q, NULL, &wait) < 0 && errno == EINTR)
		;
}

void
fpm_set_frames(fpm_request *req, const char *frames)
{
	struct sb_slot *s = conf->slot;

	(void)req;
	sb_write_begin(s);
	sb_copy(s->frames, sizeof(s->frames), frames);
	sb_write_end(s);
}

/* ---- for a sapi module (sapi_host.h) --------------------------------- */

int
fpm_sapi_head(fpm_request *req, int status, const char *head, size_t len)
{
	FCGX_Stream *out = req->fcgx.out;

	if (req->headers_sent || req->finished)
		return -1;
	req->headers_sent = 1;
	req->status = status;
	if (drain_body(req, 1) != 0 && req->failed)
		return -1;
	if (req->body_excess) {
		req->headers_sent = 0;
		req->status = 400;
		return send_headers(req);	/* the 400 */
	}
	FCGX_PutStr(head, (int)len, out);
	FCGX_PutS("\r\n", out);
	if (FCGX_GetError(out) != 0)
		return req->failed = 1, -1;
	return 0;
}

int
fpm_sapi_finished(fpm_request *req)
{
	return req->finished;
}

void
fpm_sapi_stderr(fpm_request *req, const char *msg)
{
	if (req != NULL && !req->finished && req->fcgx.err != NULL) {
		FCGX_PutS(msg, req->fcgx.err);
		FCGX_PutS("\n", req->fcgx.err);
	}
}

void
fpm_sapi_log_message(fpm_request *req, const char *msg)
{
	if (req != NULL && !req->finished && req->fcgx.err != NULL) {
		FCGX_PutS("PHP message: ", req->fcgx.err);
		FCGX_PutS(msg, req->fcgx.err);
		FCGX_PutS("\n", req->fcgx.err);
	}
	/* one log line per line of the message (a stack trace has many) */
	for (const char *line = msg; *line != '\0'; ) {
		int n = (int)strcspn(line, "\n");

		if (n > 0)
			log_warning("PHP message: %.*s", n, line);
		line += n;
		line += *line == '\n';
	}
}

void
fpm_sapi_log(int level, const char *fmt, ...)
{
	static const enum log_level levels[] = { LOG_LEVEL_DEBUG,
	    LOG_LEVEL_NOTICE, LOG_LEVEL_WARNING, LOG_LEVEL_ERROR };
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_msg(levels[level < 0 ? 0 : level > 3 ? 3 : level], "%s", msg);
}

char *
fpm_sapi_status_json(size_t *len)
{
	return pages_status(&conf->pages, STATUS_JSON, 1, len);
}

void
fpm_sapi_stack(const struct sb_stack_layout *layout)
{
	struct sb_slot *s = conf->slot;

	sb_write_begin(s);
	s->stack = *layout;
	sb_write_end(s);
}

int
fpm_finish_request(fpm_request *req)
{
	int rc = 0;

	if (req->finished)
		return 0;
	if (!req->headers_sent && send_headers(req) != 0)
		rc = -1;
	/* Closing stdout sends the end of the request; the connection is
	 * then shut down, so that a web server keeping connections cannot
	 * queue its next request behind this one's background work. */
	FCGX_FClose(req->fcgx.err);
	if (FCGX_FClose(req->fcgx.out) != 0)
		rc = -1;
	req->finished = 1;
	if (req->clock != NULL) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		req->clock->response = ts_seconds(&req->clock->mono, &now);
	}
	req->fcgx.keepConnection = 0;
	shutdown(req->fcgx.ipcFd, SHUT_RDWR);
	slot_state(SB_FINISHING);
	return rc;
}

/* ---- a backtrace of its own -------------------------------------------- */

/* When the master may not ptrace this worker (no CAP_SYS_PTRACE, Yama),
 * it sends FPM_SIG_TRACE and has already written the entry's head; the
 * worker writes its stack to stderr, between LOG_TRACE_BEGIN and
 * LOG_TRACE_END, and the master copies it, escaped, into the slow log,
 * which the worker cannot write.  Only async-signal-safe calls here:
 * backtrace() was warmed up at start (its first call loads libgcc), and
 * backtrace_symbols_fd() writes without allocating.  The cost: a sleep
 * the signal interrupts returns early (EINTR), as with any signal. */
static void
on_trace(int sig, siginfo_t *si, void *uc)
{
	static const char begin[] = LOG_TRACE_BEGIN "\n";
	static const char end[] = LOG_TRACE_END "\n";
	void *frames[1001];
	int saved = errno, n;

	(void)sig, (void)uc;
	if (si->si_pid != getppid() || !conf->slowlog)
		return;
	n = backtrace(frames, conf->slowlog_depth + 1);
	(void)!write(STDERR_FILENO, begin, sizeof(begin) - 1);
	if (n > 1)	/* the first frame is this handler */
		backtrace_symbols_fd(frames + 1, n - 1, STDERR_FILENO);
	(void)!write(STDERR_FILENO, end, sizeof(end) - 1);
	errno = saved;
}

static void
trace_setup(void)
{
	struct sigaction sa = { .sa_sigaction = on_trace,
	    .sa_flags = SA_SIGINFO | SA_RESTART };
	void *warm[4];

	if (!conf->slowlog)
		return;
	backtrace(warm, 4);
	sigfillset(&sa.sa_mask);
	sigaction(FPM_SIG_TRACE, &sa, NULL);
}

/* ---- the loop ---------------------------------------------------------- */

static void
on_quit(int sig)
{
	(void)sig;
	quit = 1;
}

/* libfcgi's FCGX_Init installs handlers of its own; replace them. */
static void
set_signals(sigset_t *idle_mask)
{
	struct sigaction sa = { .sa_handler = on_quit };
	sigset_t busy;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGQUIT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	signal(SIGUSR1, SIG_DFL);
	sigemptyset(&busy);
	sigaddset(&busy, SIGQUIT);
	sigprocmask(SIG_BLOCK, &busy, idle_mask);
	sigdelset(idle_mask, SIGQUIT);
}

static void
request_reset(fpm_request *req)
{
	req->status = 200;
	req->headers_len = 0;
	req->headers[0] = '\0';
	req->has_content_type = 0;
	req->headers_sent = 0;
	req->body_done = 0;
	req->body_lost = 0;
	req->failed = 0;
	req->finished = 0;
	req->spool_fd = -1;
	req->body_len = -1;
	req->body_read = 0;
	req->body_excess = 0;
}

/* After the response, before the close: what the client still sends is
 * read and dropped (so that TCP does not answer it with a reset that
 * could cost the client the end of the response) until it closes, for
 * 1 s in all from the response's end, however it trickles.  libfcgi's
 * own close waits up to 2 s of silence at a time, for ever.  The usual
 * path costs what libfcgi's does: shutdown, poll, a read of the EOF. */
#define LINGER_MS 1000

static void
linger_bounded(int fd, const struct req_clock *clk)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	struct timespec now;
	char trash[4096];
	int left = LINGER_MS;

	if (fd < 0 || shutdown(fd, SHUT_WR) != 0)
		return;
	while (left > 0 && poll(&pfd, 1, left) == 1 &&
	    read(fd, trash, sizeof(trash)) > 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		left = LINGER_MS - (int)((ts_seconds(&clk->mono, &now) -
		    clk->duration) * 1000);
	}
}

/* Finish the response.  Returns the connection if the web server asked to
 * keep it (fastcgi_keep_conn) and it is still sound, else -1 (closed). */
static int
request_finish(fpm_request *req, int app_rc, struct req_clock *clk)
{
	int fd, keep;

	if (req->body_excess && !req->headers_sent) {
		req->status = 400;
		req->headers_len = 0;
		req->has_content_type = 0;
		fpm_header(req, "Content-Type", "text/plain");
		fpm_printf(req, "400 Bad Request\n");
	} else if (app_rc != 0 && !req->headers_sent) {
		req->status = 500;
		req->headers_len = 0;
		req->has_content_type = 0;
		fpm_header(req, "Content-Type", "text/plain");
		fpm_printf(req, "500 Internal Server Error\n");
	}
	if (!req->headers_sent) {
		drain_body(req, 0);
		send_headers(req);
	}
	if (req->spool_fd >= 0)
		close(req->spool_fd);
	req->spool_fd = -1;
	/* A connection whose body was not read to the end is out of step
	 * with the protocol: never reuse it. */
	keep = req->fcgx.keepConnection && !req->failed && req->body_done &&
	    !req->body_excess && !req->body.rest;
	req->fcgx.keepConnection = keep;
	measure(clk);
	/* The params are freed with the request. */
	if (conf->access_fd >= 0 && !suppressed(req))
		access_log(req, clk);
	body_uninstall(req);
	if (!keep) {
		FCGX_FClose(req->fcgx.err);
		FCGX_FClose(req->fcgx.out);
		linger_bounded(req->fcgx.ipcFd, clk);
	}
	req->fcgx.detached = 1;		/* no linger of libfcgi's own */
	FCGX_Finish_r(&req->fcgx);
	fd = req->fcgx.ipcFd;		/* -1 if libfcgi closed it */
	req->fcgx.ipcFd = -1;
	return keep ? fd : -1;
}

/* Answer a request refused before libfcgi read it: a 400 in FastCGI
 * records of our own, for the request id of its first record. */
static void
refuse_records(int fd, const unsigned char *first, size_t n)
{
	static const char body[] = "Status: 400 Bad Request\r\n"
	    "Content-Type: text/plain\r\n\r\n400 Bad Request\n";
	unsigned char out[8 + sizeof(body) + 8 + 16];
	unsigned char id0 = n >= 4 ? first[2] : 0, id1 = n >= 4 ? first[3] : 1;
	size_t len = sizeof(body) - 1, at = 0;
	ssize_t w;

	/* FCGI_STDOUT with the answer, an empty one, FCGI_END_REQUEST */
	memcpy(out, (unsigned char[8]){ 1, 6, id0, id1, 0, (unsigned char)len,
	    0, 0 }, 8);
	memcpy(out + 8, body, len);
	at = 8 + len;
	memcpy(out + at, (unsigned char[8]){ 1, 6, id0, id1, 0, 0, 0, 0 }, 8);
	at += 8;
	memcpy(out + at, (unsigned char[16]){ 1, 3, id0, id1, 0, 8, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0 }, 16);
	at += 16;
	w = send(fd, out, at, MSG_NOSIGNAL | MSG_DONTWAIT);
	(void)w;
}

/* Whether the peer has shut down its sending side: what has arrived is
 * all that will. */
static int
peer_done(int fd)
{
	struct pollfd pfd = { fd, POLLRDHUP, 0 };

	return poll(&pfd, 1, 0) == 1 &&
	    (pfd.revents & (POLLRDHUP | POLLHUP)) != 0;
}

/* fastcgi.max_params_size and a bound on the records before the params
 * end, checked before libfcgi reads the request (it would take any size
 * into memory): peek at what has arrived.  Only when the params did not
 * come in one piece, wait for the rest, 10 s at most.  Returns 0 to go
 * on, -1 (logged) to drop the connection. */
static int
check_records(int fd)
{
	static unsigned char *buf;
	static size_t cap;
	enum prescan_result r = PRESCAN_MORE;
	size_t params = 0;
	ssize_t n;
	int done = 0;

	if (buf == NULL) {
		cap = (size_t)conf->max_params + 65536;
		if ((buf = malloc(cap)) == NULL) {
			/* unchecked, libfcgi could be made to abort */
			log_error("[pool %s] pid %d: request refused: no memory "
			    "(%zu bytes) to check its records", pool_name,
			    (int)getpid(), cap);
			return -1;
		}
	}
	n = recv(fd, buf, cap, MSG_PEEK | MSG_DONTWAIT);
	if (n < 0 && errno == EAGAIN) {
		/* accepted before the web server wrote: wait for it */
		struct pollfd pfd = { fd, POLLIN, 0 };

		if (poll(&pfd, 1, 10000) == 1)
			n = recv(fd, buf, cap, MSG_PEEK | MSG_DONTWAIT);
	}
	if (n > 0)
		r = prescan(buf, (size_t)n, (size_t)conf->max_params, &params);
	if (r == PRESCAN_MORE && n > 0 && (size_t)n < cap) {
		/* A peek cannot wait for more than is there (poll says
		 * readable at once, MSG_WAITALL does not wait with MSG_PEEK on
		 * a unix socket): look again after a growing pause. */
		long long waited_us = 0, pause_us = 500;

		while (waited_us < 10 * 1000000LL) {
			struct timespec ts = { 0, pause_us * 1000 };
			ssize_t m;

			nanosleep(&ts, NULL);
			waited_us += pause_us;
			if (pause_us < 50000)
				pause_us *= 2;
			/* before the peek, so that the peek sees all there is */
			done = peer_done(fd);
			m = recv(fd, buf, cap, MSG_PEEK | MSG_DONTWAIT);
			if (m == 0 || (m < 0 && errno != EAGAIN)) {
				n = m;
				break;		/* the client is gone */
			}
			if (m <= n && done)
				break;		/* it stopped sending midway */
			if (m <= n)
				continue;
			n = m;
			r = prescan(buf, (size_t)n, (size_t)conf->max_params,
			    &params);
			if (r != PRESCAN_MORE || (size_t)n == cap)
				break;
		}
	}
	if (r == PRESCAN_MORE && n > 0 && (size_t)n == cap)
		r = PRESCAN_TOO_BIG;
	if (r == PRESCAN_OK || (r == PRESCAN_MORE && n == 0))
		return 0;	/* as usual, or let libfcgi see the EOF */
	if (r == PRESCAN_MORE && ((n < 0 && errno != EAGAIN) || done))
		return -1;	/* the client reset the connection, or shut
				 * it down before its params ended */
	if (r == PRESCAN_MORE) {
		log_warning("request refused: its params did not arrive "
		    "within 10 s");
		return -1;
	}
	log_warning("request refused: %s (%zu bytes of params seen, limit "
	    "%lld)", prescan_why(r), params, conf->max_params);
	if (r != PRESCAN_BAD)
		refuse_records(fd, buf, (size_t)n);
	return -1;
}

/* Serve one request on connection fd.  Returns fd if it is to be kept
 * for more requests, else -1 (closed). */
static int
serve(fpm_request *req, const struct sapi_ops *sapi, int fd)
{
	struct req_clock clock_ = { 0 }, *clk = &clock_;
	int rc;

	slot_reading(clk);
	if (check_records(fd) != 0) {
		close(fd);
		slot_state(SB_IDLE);
		return -1;
	}
	/* With ipcFd set and keepConnection on, FCGX_Accept_r reads the
	 * request from our connection instead of accepting one itself. */
	req->fcgx.ipcFd = fd;
	req->fcgx.keepConnection = 1;
	/* libfcgi keeps the last request's id, and before the begin record
	 * would take a record of that id as the request's; with 0 it skips
	 * every record before the begin but management ones, as prescan
	 * does.  detached: a connection it refuses it closes at once,
	 * without its unbounded linger. */
	req->fcgx.requestId = 0;
	req->fcgx.detached = 1;
	if (FCGX_Accept_r(&req->fcgx) != 0) {
		/* The peer closed the connection, or sent garbage; libfcgi
		 * has closed it. */
		req->fcgx.ipcFd = -1;
		slot_state(SB_IDLE);
		return -1;
	}
	if (body_install(req) != 0) {
		log_error("[pool %s] pid %d: request refused: libfcgi's reader "
		    "is not laid out as fpm knows it, its body cannot be "
		    "checked", pool_name, (int)getpid());
		req->fcgx.keepConnection = 0;
		FCGX_Finish_r(&req->fcgx);
		req->fcgx.ipcFd = -1;
		slot_state(SB_IDLE);
		return -1;
	}
	request_reset(req);
	req->clock = clk;
	slot_running(req);
	count_request();
	if (!pages_serve(req, &conf->pages, &rc))
		rc = sapi->handle(req);
	if (rc != 0)
		log_warning("app failed on %s %s",
		    fpm_param(req, "REQUEST_METHOD") ?: "?",
		    fpm_param(req, "REQUEST_URI") ?: "?");
	fd = request_finish(req, rc, clk);
	slot_served(clk);
	served++;
	return fd;
}

/*
 * Idle connections the web server keeps open (fastcgi_keep_conn) are
 * watched together with the listening socket, so an idle kept connection
 * never pins the worker: whichever has a request first is served.  php-fpm
 * instead blocks on a kept connection, and connections beyond the number
 * of workers wait in the backlog until nginx gives one up.
 *
 * The watching is an epoll set per worker.  The listening socket is in it
 * with EPOLLEXCLUSIVE, so a new connection wakes one idle worker, not all
 * of them (as a blocking accept(2) would, which cannot watch anything
 * else).  A kept connection joins the set once and stays in it while it
 * is served; closing it takes it out.
 */
#define KEPT_MAX 64

struct kept {
	int fd[KEPT_MAX];	/* oldest first */
	int n;
	int epfd;
	int listen_fd;
	int wake_fd;
};

/* The set: the listening socket (one waiter woken per connection), and
 * the pool's wake-up eventfd (every waiter woken: a reload). */
static int
kept_init(struct kept *k, int listen_fd, int wake_fd)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLEXCLUSIVE,
	    .data.fd = listen_fd };
	struct epoll_event wake = { .events = EPOLLIN, .data.fd = wake_fd };

	k->n = 0;
	k->listen_fd = listen_fd;
	k->wake_fd = wake_fd;
	k->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (k->epfd < 0 || epoll_ctl(k->epfd, EPOLL_CTL_ADD, listen_fd,
	    &ev) != 0)
		return -1;
	if (wake_fd >= 0 && epoll_ctl(k->epfd, EPOLL_CTL_ADD, wake_fd,
	    &wake) != 0)
		return -1;
	return 0;
}

/* Keep fd; watched is set when it is in the epoll set already (it came
 * from there). */
static void
kept_add(struct kept *k, int fd, int watched)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	if (!watched && epoll_ctl(k->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		close(fd);
		return;
	}
	if (k->n == KEPT_MAX) {
		/* nginx drops its least recently used connection first too */
		close(k->fd[0]);
		memmove(k->fd, k->fd + 1, sizeof(k->fd[0]) * (KEPT_MAX - 1));
		k->n--;
	}
	k->fd[k->n++] = fd;
}

/* Take the kept connection fd out of the list (it stays watched). */
static int
kept_take(struct kept *k, int fd)
{
	for (int i = 0; i < k->n; i++) {
		if (k->fd[i] != fd)
			continue;
		memmove(k->fd + i, k->fd + i + 1,
		    sizeof(k->fd[0]) * (size_t)(k->n - i - 1));
		k->n--;
		return fd;
	}
	return -1;
}

static void
kept_close_all(struct kept *k)
{
	while (k->n > 0)
		close(k->fd[--k->n]);
}

/* EAGAIN (another worker took the connection) and a client's reset are
 * normal.  Out of descriptors or memory is not: say so, and pause so that
 * the loop does not spin while the condition lasts. */
static void
accept_failed(int err)
{
	struct timespec pause = { 0, 100 * 1000 * 1000 };

	if (err == EAGAIN || err == EWOULDBLOCK || err == EINTR ||
	    err == ECONNABORTED || err == EPROTO)
		return;
	log_error("waiting for connections failed: %s", strerror(err));
	nanosleep(&pause, NULL);
}

/* Wait, with SIGQUIT deliverable, for a request on a kept connection or a
 * new connection.  Returns a connection to serve (*watched: a kept one,
 * in the epoll set), or -1 to look again. */
static int
next_connection(const struct worker_conf *wc, struct kept *k,
    const sigset_t *idle_mask, int *watched)
{
	struct epoll_event ev[1 + KEPT_MAX];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int n, fd, listening = 0;

	*watched = 0;
	n = epoll_pwait(k->epfd, ev, 1 + KEPT_MAX, -1, idle_mask);
	if (n < 0) {
		accept_failed(errno);	/* EINTR: SIGQUIT, the loop checks */
		return -1;
	}
	/* a request already waiting on a kept connection comes first */
	for (int i = 0; i < n; i++) {
		if (ev[i].data.fd == k->listen_fd) {
			listening = 1;
			continue;
		}
		if (ev[i].data.fd == k->wake_fd) {
			/* the loop reads the quit flag; it stays readable, so
			 * unless told to go, stop watching it */
			if (!atomic_load_explicit(&wc->slot->quit,
			    memory_order_relaxed))
				epoll_ctl(k->epfd, EPOLL_CTL_DEL, k->wake_fd, NULL);
			return -1;
		}
		if ((fd = kept_take(k, ev[i].data.fd)) >= 0) {
			*watched = 1;
			return fd;
		}
	}
	if (!listening)
		return -1;
	fd = accept4(wc->listen_fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
	if (fd < 0) {
		accept_failed(errno);
		return -1;
	}
	if (!addr_list_allows(wc->allowed, (struct sockaddr *)&ss)) {
		log_warning("connection refused: client not in "
		    "listen.allowed_clients");
		close(fd);
		return -1;
	}
	return fd;
}

/* pm.status_listen's worker answers its pages and nothing else. */
static int
pages_only_init(const struct worker_conf *wc, char *err, size_t errlen)
{
	(void)wc, (void)err, (void)errlen;
	return 0;
}

static const struct sapi_ops sapi_pages_only = {
	.name = "pages",
	.init = pages_only_init,
};

static const struct sapi_ops *
sapi_for(const struct worker_conf *wc)
{
	if (wc->pages.status_only)
		return &sapi_pages_only;
	if (wc->ops != NULL)
		return wc->ops;
	return wc->sapi == SAPI_CGI ? &sapi_cgi : &sapi_native;
}

/* Serve until SIGQUIT, or until the worker is to be recycled. */
static void
worker_loop(const struct worker_conf *wc, fpm_request *req,
    const struct sapi_ops *sapi, const sigset_t *idle_mask)
{
	static struct kept kept;
	unsigned long long before;
	uint32_t reason;
	uint64_t value;

	if (kept_init(&kept, wc->listen_fd, wc->wake_fd) != 0) {
		log_error("epoll: %s", strerror(errno));
		_exit(70);
	}
	sb_write_begin(wc->slot);
	wc->slot->pid = getpid();
	wc->slot->started_ms = mono_ms();
	wc->slot->started_us = clock_us(CLOCK_REALTIME);
	sb_write_end(wc->slot);
	slot_state(SB_IDLE);
	ctl_send(wc->ctl_fd, CTL_READY, 0, 0);
	while (!quit && !atomic_load_explicit(&wc->slot->quit,
	    memory_order_relaxed)) {
		int watched, fd = next_connection(wc, &kept, idle_mask,
		    &watched);

		if (fd < 0)
			continue;
		before = served;
		fd = serve(req, sapi, fd);
		if (fd >= 0)
			kept_add(&kept, fd, watched);
		if (served == before || !should_recycle(served, &reason, &value))
			continue;
		slot_state(SB_ENDING);
		kept_close_all(&kept);
		if (ctl_send(wc->ctl_fd, CTL_RECYCLE, reason, value) == 0)
			await_successor();
		return;
	}
	slot_state(SB_ENDING);
	kept_close_all(&kept);
}

void
worker_conf_set(const struct worker_conf *wc)
{
	pool_name = wc->pool;
	conf = wc;
}

/* The request that a worker of wc reuses for every connection, and what
 * it measures of each (the access log's %C and %M, the status page). */
static void
request_setup(const struct worker_conf *wc, fpm_request *req)
{
	/* No listening socket for libfcgi: it must never accept by itself. */
	FCGX_InitRequest(&req->fcgx, -1, 0);
	req->spool_fd = -1;
	if (wc->access_fd >= 0) {
		measure_cpu = access_format_uses(wc->access_format, 'C');
		measure_memory = access_format_uses(wc->access_format, 'M');
	}
	if (wc->pages.status_path != NULL)
		measure_cpu = measure_memory = 1;
}

int
runtime_serve_fd(const struct worker_conf *wc, const struct sapi_ops *sapi,
    int fd)
{
	static fpm_request req;
	static int ready;

	worker_conf_set(wc);
	if (!ready) {
		if (FCGX_Init() != 0)
			return -1;
		request_setup(wc, &req);
		ready = 1;
	}
	return serve(&req, sapi, fd);
}

void
worker_main(const struct worker_conf *wc)
{
	static fpm_request req;
	const struct sapi_ops *sapi = sapi_for(wc);
	sigset_t idle_mask;
	char err[512];

	worker_conf_set(wc);
	if (FCGX_Init() != 0) {
		log_error("FCGX_Init() failed");
		_exit(70);
	}
	set_signals(&idle_mask);
	trace_setup();
	request_setup(wc, &req);
	if (sapi->init(wc, err, sizeof(err)) != 0) {
		log_error("%s", err);
		_exit(78);
	}
	worker_loop(wc, &req, sapi, &idle_mask);
	if (sapi->shutdown != NULL)
		sapi->shutdown();
	_exit(0);
}
