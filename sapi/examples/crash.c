/*
 * crash: with "now" in the query string it dereferences NULL, so the
 * worker dies on SIGSEGV; otherwise it answers with its pid, so a test can
 * see that a fresh worker took over.
 */
#include <string.h>
#include <unistd.h>

#include <fpm_app.h>

int
fpm_app_handle(fpm_request *req)
{
	const char *qs = fpm_param(req, "QUERY_STRING");
	volatile int *p = (volatile int *)0;

	if (qs != NULL && strstr(qs, "now") != NULL)
		*p = 42;
	fpm_header(req, "Content-Type", "text/plain");
	return fpm_printf(req, "alive pid %d\n", (int)getpid()) < 0 ? -1 : 0;
}
