/*
 * runtime.c - the worker: accept loop and the request API of fpm_app.h.
 *
 * The worker does its own accept(2) and hands the connection to libfcgi
 * for the protocol.  That way it
 *   - waits in ppoll(2) with SIGQUIT unblocked only there, so a graceful
 *     stop can never interrupt a request, nor be lost just before a wait;
 *   - checks listen.allowed_clients for IPv4 and IPv6 alike;
 *   - watches the connections the web server keeps (fastcgi_keep_conn)
 *     together with the listening socket, so that an idle kept connection
 *     never pins the worker (see next_connection).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "fpm_app.h"
#include "log.h"
#include "runtime.h"

struct fpm_request {
	FCGX_Request fcgx;
	int status;
	char headers[8192];
	size_t headers_len;
	int has_content_type;
	int headers_sent;
	int body_done;		/* the FastCGI stdin stream is fully read */
	int spool_fd;		/* unread body kept here, or -1 */
	int body_lost;		/* the spool failed: fpm_read must not say EOF */
	int failed;		/* the client went away */
};

static const char *pool_name;
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
			log_error("[pool %s] pid %d: cannot keep the request body "
			    "for the app: %s", pool_name, (int)getpid(),
			    strerror(errno));
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
	int n;

	if (req->headers_sent || strpbrk(name, "\r\n:") != NULL ||
	    strpbrk(value, "\r\n") != NULL)
		return -1;
	n = snprintf(req->headers + req->headers_len, room, "%s: %s\r\n",
	    name, value);
	if (n < 0 || (size_t)n >= room) {
		req->headers[req->headers_len] = '\0';
		return -1;
	}
	req->headers_len += (size_t)n;
	if (strcasecmp(name, "Content-Type") == 0)
		req->has_content_type = 1;
	return 0;
}

static int
send_headers(fpm_request *req)
{
	FCGX_Stream *out = req->fcgx.out;

	req->headers_sent = 1;
	if (drain_body(req, 1) != 0 && req->failed)
		return -1;
	FCGX_FPrintF(out, "Status: %d %s\r\n", req->status, reason(req->status));
	if (!req->has_content_type)
		FCGX_PutS("Content-Type: text/html; charset=UTF-8\r\n", out);
	FCGX_PutStr(req->headers, (int)req->headers_len, out);
	FCGX_PutS("\r\n", out);
	return FCGX_GetError(out) == 0 ? 0 : -1;
}

ssize_t
fpm_write(fpm_request *req, const void *buf, size_t len)
{
	const char *p = buf;
	size_t left = len;

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
	if (req->failed || (!req->headers_sent && send_headers(req) != 0))
		return -1;
	return FCGX_FFlush(req->fcgx.out) == 0 ? 0 : -1;
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
	req->spool_fd = -1;
}

/* Finish the response.  Returns the connection if the web server asked to
 * keep it (fastcgi_keep_conn) and it is still sound, else -1 (closed). */
static int
request_finish(fpm_request *req, int app_rc)
{
	int fd, keep;

	if (app_rc != 0 && !req->headers_sent) {
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
	keep = req->fcgx.keepConnection && !req->failed && req->body_done;
	req->fcgx.keepConnection = keep;
	FCGX_Finish_r(&req->fcgx);
	fd = req->fcgx.ipcFd;		/* -1 if libfcgi closed it */
	req->fcgx.ipcFd = -1;
	return keep ? fd : -1;
}

/* Serve one request on connection fd.  Returns fd if it is to be kept
 * for more requests, else -1 (closed). */
static int
serve(fpm_request *req, const struct sapi_ops *sapi, int fd)
{
	int rc;

	/* With ipcFd set and keepConnection on, FCGX_Accept_r reads the
	 * request from our connection instead of accepting one itself. */
	req->fcgx.ipcFd = fd;
	req->fcgx.keepConnection = 1;
	if (FCGX_Accept_r(&req->fcgx) != 0) {
		/* The peer closed the connection, or sent garbage; libfcgi
		 * has closed it. */
		req->fcgx.ipcFd = -1;
		return -1;
	}
	request_reset(req);
	rc = sapi->handle(req);
	if (rc != 0)
		log_warning("[pool %s] pid %d: app failed on %s %s",
		    pool_name, (int)getpid(),
		    fpm_param(req, "REQUEST_METHOD") ?: "?",
		    fpm_param(req, "REQUEST_URI") ?: "?");
	return request_finish(req, rc);
}

/*
 * Idle connections the web server keeps open (fastcgi_keep_conn) are
 * watched together with the listening socket, so an idle kept connection
 * never pins the worker: whichever has a request first is served.  php-fpm
 * instead blocks on a kept connection, and connections beyond the number
 * of workers wait in the backlog until nginx gives one up.
 */
#define KEPT_MAX 64

struct kept {
	int fd[KEPT_MAX];	/* oldest first */
	int n;
};

static void
kept_add(struct kept *k, int fd)
{
	if (k->n == KEPT_MAX) {
		/* nginx drops its least recently used connection first too */
		close(k->fd[0]);
		memmove(k->fd, k->fd + 1, sizeof(k->fd[0]) * (KEPT_MAX - 1));
		k->n--;
	}
	k->fd[k->n++] = fd;
}

static int
kept_take(struct kept *k, int i)
{
	int fd = k->fd[i];

	memmove(k->fd + i, k->fd + i + 1, sizeof(k->fd[0]) * (size_t)(k->n -
	    i - 1));
	k->n--;
	return fd;
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
	log_error("[pool %s] pid %d: waiting for connections failed: %s",
	    pool_name, (int)getpid(), strerror(err));
	nanosleep(&pause, NULL);
}

/* Wait, with SIGQUIT deliverable, for a request on a kept connection or a
 * new connection.  Returns a connection to serve, or -1 to look again. */
static int
next_connection(const struct worker_conf *wc, struct kept *k,
    const sigset_t *idle_mask)
{
	struct pollfd pfd[1 + KEPT_MAX];
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd;

	pfd[0].fd = wc->listen_fd;
	pfd[0].events = POLLIN;
	for (int i = 0; i < k->n; i++) {
		pfd[1 + i].fd = k->fd[i];
		pfd[1 + i].events = POLLIN;
	}
	if (ppoll(pfd, (nfds_t)(1 + k->n), NULL, idle_mask) < 0) {
		accept_failed(errno);	/* EINTR: SIGQUIT, the loop checks */
		return -1;
	}
	for (int i = k->n - 1; i >= 0; i--)
		if (pfd[1 + i].revents != 0)
			return kept_take(k, i);
	if ((pfd[0].revents & POLLIN) == 0)
		return -1;
	fd = accept4(wc->listen_fd, (struct sockaddr *)&ss, &sl, SOCK_CLOEXEC);
	if (fd < 0) {
		accept_failed(errno);
		return -1;
	}
	if (!addr_list_allows(wc->allowed, (struct sockaddr *)&ss)) {
		log_warning("[pool %s] pid %d: connection refused: client not in "
		    "listen.allowed_clients", pool_name, (int)getpid());
		close(fd);
		return -1;
	}
	return fd;
}

static const struct sapi_ops *
sapi_for(long long kind)
{
	(void)kind;	/* native is the only sapi so far */
	return &sapi_native;
}

void
worker_main(const struct worker_conf *wc)
{
	static fpm_request req;
	const struct sapi_ops *sapi = sapi_for(wc->sapi);
	static struct kept kept;
	sigset_t idle_mask;
	char err[512];

	pool_name = wc->pool;
	if (FCGX_Init() != 0) {
		log_error("[pool %s] pid %d: FCGX_Init() failed", pool_name,
		    (int)getpid());
		_exit(70);
	}
	set_signals(&idle_mask);
	/* No listening socket for libfcgi: it must never accept by itself. */
	FCGX_InitRequest(&req.fcgx, -1, 0);
	req.spool_fd = -1;
	if (sapi->init(wc->app, err, sizeof(err)) != 0) {
		log_error("[pool %s] pid %d: %s", pool_name, (int)getpid(), err);
		_exit(78);
	}
	while (!quit) {
		int fd = next_connection(wc, &kept, &idle_mask);

		if (fd < 0)
			continue;
		fd = serve(&req, sapi, fd);
		if (fd >= 0)
			kept_add(&kept, fd);
	}
	kept_close_all(&kept);
	if (sapi->shutdown != NULL)
		sapi->shutdown();
	_exit(0);
}
