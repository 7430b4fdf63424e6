/*
 * forge: hostile pool code against its own siblings.  ?s=N sleeps N
 * seconds and answers "slept N pid P" (a healthy slow request).  ?forge
 * finds its pool's scoreboard among its shared mappings, makes it
 * writable again if it is not (mprotect), and rewrites every other busy
 * slot so that its request seems to have started ten minutes ago: the master
 * would time that worker out (request_terminate_timeout) or trace it.
 * One line per slot it rewrote: "forged slot I pid P", or what failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fpm_app.h>

#include "scoreboard.h"

static void
forge_region(fpm_request *req, unsigned long lo, unsigned long hi)
{
	struct scoreboard *sb = (struct scoreboard *)lo;
	size_t need;

	if (mprotect(sb, hi - lo, PROT_READ | PROT_WRITE) != 0)
		fpm_printf(req, "mprotect(%#lx) failed: %s\n", lo,
		    strerror(errno));
	need = sizeof(*sb) + (size_t)sb->nslots * sizeof(sb->slots[0]);
	if (sb->nslots == 0 || need > hi - lo)
		return;
	for (unsigned i = 0; i < sb->nslots; i++) {
		struct sb_slot *s = &sb->slots[i];

		if (s->pid <= 0 || s->pid == getpid() ||
		    (s->state != SB_RUNNING && s->state != SB_READING))
			continue;
		sb_write_begin(s);
		s->state = SB_RUNNING;
		/* ten minutes ago, but not before the clock's start */
		s->req_start_ms = s->req_start_ms > 600 * 1000 ?
		    s->req_start_ms - 600 * 1000 : 1;
		sb_write_end(s);
		fpm_printf(req, "forged slot %u pid %d\n", i, (int)s->pid);
	}
}

static void
forge(fpm_request *req)
{
	FILE *maps = fopen("/proc/self/maps", "re");
	char line[512];

	if (maps == NULL)
		return;
	while (fgets(line, sizeof(line), maps) != NULL) {
		unsigned long lo, hi;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 &&
		    perms[3] == 's' && (strstr(line, "/dev/zero") != NULL ||
		    strstr(line, "memfd:") != NULL))
			forge_region(req, lo, hi);
	}
	fclose(maps);
}

int
fpm_app_handle(fpm_request *req)
{
	const char *qs = fpm_param(req, "QUERY_STRING");
	const char *s = qs ? strstr(qs, "s=") : NULL;

	fpm_header(req, "Content-Type", "text/plain");
	if (qs != NULL && strstr(qs, "forge") != NULL) {
		forge(req);
		return fpm_printf(req, "done\n") < 0 ? -1 : 0;
	}
	if (s != NULL) {
		double secs = strtod(s + 2, NULL);

		usleep((useconds_t)(secs * 1e6));
		return fpm_printf(req, "slept %g pid %d\n", secs,
		    (int)getpid()) < 0 ? -1 : 0;
	}
	return fpm_printf(req, "pid %d\n", (int)getpid()) < 0 ? -1 : 0;
}
