/*
 * sapi_host.h - what the worker runtime offers a sapi loaded as a module
 * (the PHP sapi), beyond the app API of fpm_app.h.  The fpm binary
 * exports these (fpm_app.dynlist); a sapi module calls them.
 */
#ifndef FPM_SAPI_HOST_H
#define FPM_SAPI_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "fpm_app.h"
#include "scoreboard.h"

/* Send the response's head as the sapi formatted it: "Status: ...\r\n"
 * (or none, for 200) and header lines, each ending in "\r\n", without
 * the blank line, which is added here.  status is for the access log
 * and the status page.  The body is read to its end first (see
 * fpm_app.h).  Returns 0 or -1 (client gone). */
int fpm_sapi_head(fpm_request *req, int status, const char *head,
    size_t len);

/* Params picked in one pass: out[i] is the value of names[i] (a name of
 * up to 31 characters; n up to 64), or NULL.  A lookup per name would
 * scan every param each time. */
struct fpm_pick {
	const char *name;
	size_t len;
};
#define FPM_PICK(s) { s, sizeof(s) - 1 }
void fpm_params_pick(fpm_request *req, const struct fpm_pick *names, int n,
    const char **out);

/* Whether fpm_finish_request() ended the response already. */
int fpm_sapi_finished(fpm_request *req);

/* Write msg to the web server's error log (the FastCGI stderr stream,
 * as php-fpm's fastcgi.logging does) when req is not NULL, and to fpm's
 * error log, a line for each line of msg, naming the pool and pid. */
void fpm_sapi_log_message(fpm_request *req, const char *msg);

/* Write msg, and a line break, to the web server's error log (FastCGI
 * stderr) only. */
void fpm_sapi_stderr(fpm_request *req, const char *msg);

/* Log a line about the worker: "[pool P] pid N: ..." at level (0 debug,
 * 1 notice, 2 warning, 3 error). */
void fpm_sapi_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The pool's status, as the full JSON status page renders it (malloc'd,
 * *len bytes), or NULL. */
char *fpm_sapi_status_json(size_t *len);

/* Publish this worker's stack layout (scoreboard.h) in its scoreboard
 * slot, for the slow log. */
void fpm_sapi_stack(const struct sb_stack_layout *layout);

#endif
