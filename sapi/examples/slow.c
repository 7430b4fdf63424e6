/*
 * slow: sleeps ?s=N seconds (fractions allowed), then answers.  With
 * &bg=M it then ends the response (fpm_finish_request) and goes on
 * "working" M more seconds, as an app sending mail after answering does.
 * ?spin=N burns the CPU for N seconds instead of sleeping.  With &frames
 * it publishes two script-level frames, as the PHP sapi does, for the
 * slow log to print.  &mark=PATH creates PATH once the work after
 * finishing is done.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fpm_app.h>

static double
arg(const char *qs, const char *name, double def)
{
	const char *p = qs ? strstr(qs, name) : NULL;
	double v = p ? strtod(p + strlen(name), NULL) : def;

	return v < 0 ? 0 : v;
}

/* A CPU-bound loop, for slow-log traces of a worker that does not sleep. */
static volatile unsigned long spun;

static void
spin_for(double secs)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		for (int i = 0; i < 100000; i++)
			spun++;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) +
	    (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < secs);
}

static void
pause_for(double secs)
{
	struct timespec ts;

	ts.tv_sec = (time_t)secs;
	ts.tv_nsec = (long)((secs - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* &mark=PATH: create PATH (the query's value, up to '&'). */
static void
mark(const char *qs)
{
	const char *p = qs ? strstr(qs, "mark=") : NULL;
	char path[512];
	size_t n;
	FILE *f;

	if (p == NULL)
		return;
	p += 5;
	n = strcspn(p, "&");
	if (n >= sizeof(path))
		return;
	memcpy(path, p, n);
	path[n] = '\0';
	if ((f = fopen(path, "w")) != NULL)
		fclose(f);
}

int
fpm_app_handle(fpm_request *req)
{
	const char *qs = fpm_param(req, "QUERY_STRING");
	double secs = arg(qs, "s=", 1.0), bg = arg(qs, "bg=", 0);
	double spin = arg(qs, "spin=", 0);

	if (qs != NULL && strstr(qs, "frames") != NULL)
		fpm_set_frames(req, "sleep() /srv/app/slow.php:7\n"
		    "main() /srv/app/slow.php:12\n");
	if (spin > 0)
		spin_for(spin), secs = spin;
	else
		pause_for(secs);
	fpm_header(req, "Content-Type", "text/plain");
	if (fpm_printf(req, "slept %.3f s\n", secs) < 0)
		return -1;
	if (bg > 0) {
		if (fpm_finish_request(req) != 0)
			return -1;
		pause_for(bg);
		mark(qs);
	}
	return 0;
}
