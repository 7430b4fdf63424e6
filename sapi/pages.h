/*
 * pages.h - the status and ping pages, answered by the workers.
 */
#ifndef FPM_PAGES_H
#define FPM_PAGES_H

#include "status.h"

struct fpm_request;
struct scoreboard;

struct page_conf {
	const char *pool;
	const char *pm;			/* "static", "dynamic", "ondemand" */
	const char *status_path;	/* or NULL */
	const char *ping_path;		/* or NULL */
	const char *ping_response;
	const struct scoreboard *sb;	/* the pool's, for the status page */
	int queue_fd;			/* the pool's listening socket */
	int status_only;		/* pm.status_listen: nothing else */
};

/* The status of pc's pool rendered in fmt (status.h), malloc'd, *len
 * bytes; NULL when out of memory. */
char *pages_status(const struct page_conf *pc, enum status_format fmt,
    int full, size_t *len);

/* If req asks for a page of pc, answer it (*rc is the app-style result)
 * and return 1; else return 0. */
int pages_serve(struct fpm_request *req, const struct page_conf *pc,
    int *rc);

#endif
