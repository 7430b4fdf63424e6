/* slow: sleeps ?s=N seconds (fractions allowed), then answers. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fpm_app.h>

int
fpm_app_handle(fpm_request *req)
{
	const char *qs = fpm_param(req, "QUERY_STRING");
	const char *s = qs ? strstr(qs, "s=") : NULL;
	double secs = s ? strtod(s + 2, NULL) : 1.0;
	struct timespec ts;

	if (secs < 0)
		secs = 0;
	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0)
		;
	fpm_header(req, "Content-Type", "text/plain");
	return fpm_printf(req, "slept %.3f s\n", secs) < 0 ? -1 : 0;
}
