/*
 * runtime.h - the worker side: accept loop and request API.
 */
#ifndef FPM_RUNTIME_H
#define FPM_RUNTIME_H

#include "addr.h"
#include "pages.h"

#include <signal.h>

struct php_cli;
struct sapi_ops;
struct php_ini;
struct sb_slot;
struct scoreboard;

struct worker_conf {
	const char *pool;
	int listen_fd;
	const struct addr_list *allowed;
	long long sapi;
	const char *app;		/* as seen by the worker */
	struct scoreboard *sb;		/* its pool's scoreboard */
	struct sb_slot *slot;		/* its own slot there */
	int ctl_fd;			/* messages to the master */
	long long max_requests;		/* with its jitter; 0 = no limit */
	long long max_memory;		/* bytes; 0 = no limit */
	int statm_fd;			/* /proc/self/statm, for max_memory */
	int access_fd;			/* access.log, or -1 */
	const char *access_format;
	struct page_conf pages;		/* status and ping */
	const char *cgi_root;		/* as seen by the worker, or NULL */
	const char *cgi_extensions;	/* "sh pl" or ".sh .pl", or NULL */
	int slowlog;			/* a slow log is kept: on FPM_SIG_TRACE
					 * write a backtrace of its own */
	int slowlog_depth;
	char **suppress_paths;		/* access.suppress_path[] */
	size_t nsuppress_paths;
	const struct php_ini *php_ini;	/* php_value[] and its kin */
	size_t nphp_ini;
	const char *limit_extensions;	/* security.limit_extensions */
	const struct php_cli *php;	/* -c, -d, -n */
	const struct sapi_ops *ops;	/* a loaded sapi (php), or NULL */
	int wake_fd;			/* readable: look at the quit flag */
	long long max_params;		/* fastcgi.max_params_size, bytes */
};

/* The master sends this when it may not ptrace the worker: the worker
 * writes its own backtrace into the slow log. */
#define FPM_SIG_TRACE (SIGRTMIN + 1)

/* A sapi: how a worker turns a request into a response. */
struct fpm_request;
struct sapi_ops {
	const char *name;
	/* Once per pool, in its zygote (sapi = php), before any worker is
	 * forked from it: load what the workers will share. */
	int (*preload)(const struct worker_conf *wc, char *err, size_t errlen);
	int (*init)(const struct worker_conf *wc, char *err, size_t errlen);
	int (*handle)(struct fpm_request *req);
	void (*shutdown)(void);
};

extern const struct sapi_ops sapi_native;
extern const struct sapi_ops sapi_cgi;

/* Make wc the configuration the request API and the log lines of this
 * process use, before worker_main (a zygote's preload logs). */
void worker_conf_set(const struct worker_conf *wc);

/* For the fuzzer and tests: serve one request on connection fd as a
 * worker of wc would, with sapi, without the accept loop or signals.
 * Returns fd if the connection is kept for another request, else -1 (it
 * is closed).  FCGX_Init is done at the first call. */
int runtime_serve_fd(const struct worker_conf *wc,
    const struct sapi_ops *sapi, int fd);

/* Serve requests until told to quit.  Never returns. */
__attribute__((noreturn)) void worker_main(const struct worker_conf *wc);

#endif
