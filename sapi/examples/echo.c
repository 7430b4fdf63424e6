/*
 * echo: sends the request body back unchanged, streaming (a large POST is
 * never held in memory).  With "params" in the query string it lists the
 * FastCGI params instead, one NAME=value per line, and with "env" the
 * worker's environment, as the app sees it.  With "early" it writes
 * a first line before reading the body, as apps that answer early do: the
 * runtime must keep that from stalling nginx, which stops sending the body
 * once the response has started.
 */
#include <string.h>

#include <fpm_app.h>

extern char **environ;

static int
list(fpm_request *req, char *const *p)
{
	fpm_header(req, "Content-Type", "text/plain");
	for (; p != NULL && *p != NULL; p++)
		if (fpm_printf(req, "%s\n", *p) < 0)
			return -1;
	return 0;
}

int
fpm_app_handle(fpm_request *req)
{
	const char *qs = fpm_param(req, "QUERY_STRING");
	const char *type = fpm_param(req, "CONTENT_TYPE");
	char buf[65536];
	ssize_t n;

	if (qs != NULL && strstr(qs, "params") != NULL)
		return list(req, fpm_params(req));
	if (qs != NULL && strstr(qs, "env") != NULL)
		return list(req, environ);
	fpm_header(req, "Content-Type", type && *type ? type :
	    "application/octet-stream");
	if (qs != NULL && strstr(qs, "early") != NULL &&
	    fpm_printf(req, "early\n") < 0)
		return -1;
	while ((n = fpm_read(req, buf, sizeof(buf))) > 0)
		if (fpm_write(req, buf, (size_t)n) < 0)
			return -1;
	return n < 0 ? -1 : 0;
}
