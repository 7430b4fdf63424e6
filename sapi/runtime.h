/*
 * runtime.h - the worker side: accept loop and request API.
 */
#ifndef FPM_RUNTIME_H
#define FPM_RUNTIME_H

#include "addr.h"

struct worker_conf {
	const char *pool;
	int listen_fd;
	const struct addr_list *allowed;
	long long sapi;
	const char *app;		/* as seen by the worker */
};

/* A sapi: how a worker turns a request into a response. */
struct fpm_request;
struct sapi_ops {
	const char *name;
	int (*init)(const char *app, char *err, size_t errlen);
	int (*handle)(struct fpm_request *req);
	void (*shutdown)(void);
};

extern const struct sapi_ops sapi_native;

/* Serve requests until told to quit.  Never returns. */
__attribute__((noreturn)) void worker_main(const struct worker_conf *wc);

#endif
