/*
 * leak: every request keeps ?mb=N more megabytes (default 8), touched so
 * they count in the worker's RSS, as a leaking app does; answers with the
 * worker's pid.  For pm.max_memory.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fpm_app.h>

/* Everything kept, chained, so the compiler cannot drop the allocation. */
static void *kept;

int
fpm_app_handle(fpm_request *req)
{
	const char *qs = fpm_param(req, "QUERY_STRING");
	const char *m = qs ? strstr(qs, "mb=") : NULL;
	long mb = m ? strtol(m + 3, NULL, 10) : 8;
	char *p;

	if (mb < 1 || mb > 1024)
		mb = 8;
	p = malloc((size_t)mb << 20);
	if (p == NULL)
		return -1;
	memset(p, 1, (size_t)mb << 20);	/* never freed: that is the leak */
	*(void **)p = kept;
	kept = p;
	fpm_header(req, "Content-Type", "text/plain");
	return fpm_printf(req, "pid %d\n", (int)getpid()) < 0 ? -1 : 0;
}
