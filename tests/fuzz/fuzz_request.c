/*
 * fuzz_request - arbitrary bytes as a FastCGI connection to a worker:
 * the prescan of check_records, libfcgi's parsing, and the runtime's
 * params, body, header, status and finish handling, with the status and
 * ping pages.  One connection per input: a thread writes the input into
 * one end of a socketpair, shuts it for writing and reads the answer to
 * EOF; the worker's request path serves the other end, as many requests
 * as the connection holds (fastcgi_keep_conn).
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fpm_app.h"
#include "log.h"
#include "runtime.h"
#include "sapi_host.h"
#include "scoreboard.h"

/* more requests on one connection than this are not worth the time */
#define MAX_REQUESTS 8

static struct worker_conf wc;

/* The real libfcgi (Debian's, built with its assertions: it calls
 * __assert_fail), unpatched and unfiltered: an input on which it aborts,
 * or leaks, is a finding.  It has no frame pointers: only the slow
 * unwinder sees through it. */
const char *__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return "fast_unwind_on_malloc=0";
}

struct peer {
	int fd;
	const uint8_t *data;
	size_t size;
};

/* The web server's side: send the input, then read the answer to EOF. */
static void *
peer_run(void *arg)
{
	struct peer *p = arg;
	char buf[65536];
	size_t at = 0;
	ssize_t n;

	while (at < p->size) {
		n = write(p->fd, p->data + at, p->size - at);
		if (n <= 0)
			break;
		at += (size_t)n;
	}
	shutdown(p->fd, SHUT_WR);
	while (read(p->fd, buf, sizeof(buf)) > 0)
		;
	return NULL;
}

static int
has(const char *s, const char *word)
{
	return s != NULL && strstr(s, word) != NULL;
}

/* Like sapi/examples/echo.c, with knobs in the query string and params:
 * the body back, a header and a status from params, an early write, a
 * flush, fpm_finish_request, a failure. */
static int
handle(fpm_request *req)
{
	const char *qs = fpm_param(req, "QUERY_STRING");
	const char *status = fpm_param(req, "HTTP_X_STATUS");
	const char *name = fpm_param(req, "HTTP_X_NAME");
	const char *value = fpm_param(req, "HTTP_X_VALUE");
	char buf[4096];
	ssize_t n;

	if (has(qs, "params"))
		for (char *const *p = fpm_params(req); p && *p; p++)
			if (fpm_printf(req, "%s\n", *p) < 0)
				return -1;
	if (status != NULL)
		fpm_set_status(req, atoi(status));
	fpm_header(req, name ? name : "X-Fuzz", value ? value : "1");
	if (has(qs, "stderr") && value != NULL) {
		fpm_sapi_stderr(req, value);
		fpm_sapi_log_message(req, value);
	}
	if (has(qs, "early") && fpm_printf(req, "early\n") < 0)
		return -1;
	if (has(qs, "flush"))
		fpm_flush(req);
	if (has(qs, "finish")) {
		fpm_finish_request(req);
		fpm_write(req, "late", 4);	/* must fail, harmlessly */
	}
	while ((n = fpm_read(req, buf, sizeof(buf))) > 0)
		if (fpm_write(req, buf, (size_t)n) < 0 && !has(qs, "finish"))
			return -1;
	if (has(qs, "fail"))
		return -1;
	return n < 0 ? -1 : 0;
}

static int
init(const struct worker_conf *c, char *err, size_t errlen)
{
	(void)c, (void)err, (void)errlen;
	return 0;
}

static const struct sapi_ops sapi_fuzz = {
	.name = "fuzz", .init = init, .handle = handle,
};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int sb_fd[2];
	struct scoreboard *sb = scoreboard_create(2, sb_fd);

	(void)argc, (void)argv;
	if (sb == NULL || log_open("/dev/null") != 0)
		abort();
	signal(SIGPIPE, SIG_IGN);
	/* a second worker, idle, for the status page to list */
	sb->slots[1].pid = 1;
	sb->slots[1].state = SB_IDLE;
	sb->slots[0].pid = getpid();
	wc = (struct worker_conf){
		.pool = "fuzz", .listen_fd = -1, .sb = sb, .slot = &sb->slots[0],
		.ctl_fd = -1, .access_fd = -1, .statm_fd = -1,
		.wake_fd = -1, .max_params = 65536,
		.pages = { .pool = "fuzz", .pm = "static",
		    .status_path = "/status", .ping_path = "/ping",
		    .ping_response = "pong", .sb = sb, .queue_fd = -1 },
	};
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct peer p = { -1, data, size };
	pthread_t t;
	int sv[2], fd;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		abort();
	p.fd = sv[0];
	if (pthread_create(&t, NULL, peer_run, &p) != 0)
		abort();
	fd = sv[1];
	for (int i = 0; i < MAX_REQUESTS && fd >= 0; i++)
		fd = runtime_serve_fd(&wc, &sapi_fuzz, fd);
	if (fd >= 0)
		close(fd);
	pthread_join(t, NULL);
	close(sv[0]);
	return 0;
}
