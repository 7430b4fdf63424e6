/*
 * runtime.c - the worker: accept loop and the request API of fpm_app.h.
 *
 * The worker does its own accept(2) and hands the connection to libfcgi
 * for the protocol.  That way it
 *   - waits in ppoll(2) with SIGQUIT unblocked only there, so a graceful
 *     stop can never interrupt a request, nor be lost just before a wait;
 *   - checks listen.allowed_clients for IPv4 and IPv6 alike;
 *   - closes each connection after its request, even when the web server
 *     asks to keep it (fastcgi_keep_conn): an idle kept connection would
 *     pin this worker while other connections queue behind it.
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
		if (n <= 0)
			break;
		if (!keep)
			continue;
		if (req->spool_fd < 0 && (req->spool_fd = spool_open()) < 0) {
			log_error("[pool %s] pid %d: cannot keep the request body: "
			    "%s", pool_name, (int)getpid(), strerror(errno));
			keep = 0;
			continue;
		}
		if (write(req->spool_fd, buf, (size_t)n) != n) {
			log_error("[pool %s] pid %d: cannot keep the request body: "
			    "%s", pool_name, (int)getpid(), strerror(errno));
			return -1;
		}
	}
	if (req->spool_fd >= 0)
		lseek(req->spool_fd, 0, SEEK_SET);
	return req->failed ? -1 : 0;
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
	req->failed = 0;
	req->spool_fd = -1;
}

static void
request_finish(fpm_request *req, int app_rc)
{
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
	req->fcgx.keepConnection = 0;
	FCGX_Finish_r(&req->fcgx);
}

static void
serve(fpm_request *req, const struct sapi_ops *sapi, int fd)
{
	int rc;

	/* With ipcFd set and keepConnection on, FCGX_Accept_r reads the
	 * request from our connection instead of accepting one itself. */
	req->fcgx.ipcFd = fd;
	req->fcgx.keepConnection = 1;
	if (FCGX_Accept_r(&req->fcgx) != 0) {
		req->fcgx.keepConnection = 0;
		FCGX_Finish_r(&req->fcgx);
		if (req->fcgx.ipcFd >= 0)
			close(req->fcgx.ipcFd);
		req->fcgx.ipcFd = -1;
		return;
	}
	request_reset(req);
	rc = sapi->handle(req);
	if (rc != 0)
		log_warning("[pool %s] pid %d: app failed on %s %s",
		    pool_name, (int)getpid(),
		    fpm_param(req, "REQUEST_METHOD") ?: "?",
		    fpm_param(req, "REQUEST_URI") ?: "?");
	request_finish(req, rc);
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
	struct pollfd pfd = { .fd = wc->listen_fd, .events = POLLIN };
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
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		int fd;

		if (ppoll(&pfd, 1, NULL, &idle_mask) < 0) {
			if (errno == EINTR)
				continue;
			log_error("[pool %s] pid %d: ppoll() failed: %s", pool_name,
			    (int)getpid(), strerror(errno));
			break;
		}
		fd = accept4(wc->listen_fd, (struct sockaddr *)&ss, &sl,
		    SOCK_CLOEXEC);
		if (fd < 0)
			continue;	/* another worker took it, or it was reset */
		if (!addr_list_allows(wc->allowed, (struct sockaddr *)&ss)) {
			log_warning("[pool %s] pid %d: connection refused: client "
			    "not in listen.allowed_clients", pool_name,
			    (int)getpid());
			close(fd);
			continue;
		}
		serve(&req, sapi, fd);
	}
	if (sapi->shutdown != NULL)
		sapi->shutdown();
	_exit(0);
}
