/*
 * fpm_app.h - the interface between fpm's worker runtime and a native app.
 *
 * A native app is a shared object named by a pool's `app` directive.  Each
 * worker loads it once, after the worker has taken the pool's identity
 * (user, group, chroot), so the app's code never runs as root.  The app
 * exports:
 *
 *   int  fpm_app_handle(fpm_request *req);   required: serve one request
 *   int  fpm_app_init(void);                 optional: once per worker
 *   void fpm_app_shutdown(void);             optional: when the worker ends
 *
 * fpm_app_handle() returns 0, or -1 on failure: if nothing was sent yet the
 * client gets a 500, and the worker logs the failure.  fpm_app_init()
 * returning -1 ends the worker with a log line.
 *
 * The request body is read in a stream (fpm_read), so a large POST never
 * has to sit in memory.  Output is written with fpm_write/fpm_printf; the
 * status line and headers set before the first write are sent with it.
 * Before the first byte of output leaves the worker, the runtime reads
 * whatever part of the body the app has not read yet (keeping it for later
 * fpm_read calls), so an app that answers before reading its body cannot
 * stall the web server.
 */
#ifndef FPM_APP_H
#define FPM_APP_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define FPM_APP_API_VERSION 1

typedef struct fpm_request fpm_request;

/* The value of a CGI/FastCGI parameter ("REQUEST_METHOD", "QUERY_STRING",
 * "HTTP_HOST", ...), or NULL when the web server did not send it. */
const char *fpm_param(fpm_request *req, const char *name);

/* All parameters as a NULL-terminated array of "NAME=value" strings, valid
 * until the request ends. */
char *const *fpm_params(fpm_request *req);

/* Read up to len bytes of the request body.  Returns the number of bytes
 * read, 0 at the end of the body, -1 on error (client gone). */
ssize_t fpm_read(fpm_request *req, void *buf, size_t len);

/* Set the HTTP status (default 200).  Returns 0, or -1 if the headers were
 * already sent or the code is not in 100..599. */
int fpm_set_status(fpm_request *req, int code);

/* Add a response header.  Returns 0, or -1 if the headers were already
 * sent, the name or value contains CR/LF, or the headers do not fit. */
int fpm_header(fpm_request *req, const char *name, const char *value);

/* Write body bytes; the first write sends the status and headers.  Returns
 * len, or -1 when the client is gone. */
ssize_t fpm_write(fpm_request *req, const void *buf, size_t len);

/* printf into the response body.  Returns the number of bytes written, or
 * -1 on error. */
int fpm_printf(fpm_request *req, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int fpm_vprintf(fpm_request *req, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Push buffered output to the web server now.  Returns 0 or -1. */
int fpm_flush(fpm_request *req);

/* End the response now, as PHP's fastcgi_finish_request(): the web server
 * gets all of it and the client its answer, while the app goes on working
 * on this request (fpm_param still works; fpm_write fails with EPIPE).
 * The worker takes its next request only when fpm_app_handle returns.
 * request_terminate_timeout no longer applies to the rest, unless
 * request_terminate_timeout_track_finished is set.  Returns 0 or -1. */
int fpm_finish_request(fpm_request *req);

/* Publish where the request is at the script level, for the slow log: one
 * frame per line, innermost first ("render() /srv/page.php:12\n...").  A
 * sapi for a scripting language (PHP) calls it as functions are entered
 * and left; a native app may too.  The text is cut to 1023 bytes; NULL
 * clears it.  Costs a copy into shared memory, no system call. */
void fpm_set_frames(fpm_request *req, const char *frames);

/* The name of the pool this worker serves. */
const char *fpm_pool_name(void);

/* Entry points the app defines. */
int fpm_app_handle(fpm_request *req);
int fpm_app_init(void);
void fpm_app_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif
