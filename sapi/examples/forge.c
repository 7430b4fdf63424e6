/*
 * forge: hostile pool code against its own siblings.  ?s=N sleeps N
 * seconds and answers "slept N pid P" (a healthy slow request).  ?forge
 * finds its pool's scoreboard among its shared mappings and rewrites
 * every other busy slot so that its request seems to have started ten
 * minutes ago: the master would time that worker out
 * (request_terminate_timeout) or trace it.  ?hide instead shows every
 * other busy slot as idle, to shield a stuck sibling from
 * request_terminate_timeout.  ?layout instead raises the scoreboard's
 * slot count, which the master and every child trust for its size
 * ("forged nslots (how)" or "cannot write nslots: why").  Each slot is written every way pool code
 * could: process_vm_writev, then after mprotect(PROT_WRITE), then through
 * /proc/self/mem.  One line per slot: "forged slot I pid P (how)", or
 * "cannot write slot I pid P: why".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <fpm_app.h>

#include "scoreboard.h"

#ifndef SB_PAGE
#define SB_PAGE 4096	/* before slots had a page each */
#endif

/* Write n bytes of v at at, every way pool code could: returns how, or
 * NULL (errno set) if none worked. */
static const char *
write_bytes(void *at, const void *v, size_t n)
{
	struct iovec l = { (void *)v, n }, r = { at, n };
	uintptr_t page = (uintptr_t)at & ~(uintptr_t)(SB_PAGE - 1);
	int fd;

	if (process_vm_writev(getpid(), &l, 1, &r, 1, 0) == (ssize_t)n)
		return "process_vm_writev";
	if (mprotect((void *)page, SB_PAGE, PROT_READ | PROT_WRITE) == 0 &&
	    process_vm_writev(getpid(), &l, 1, &r, 1, 0) == (ssize_t)n)
		return "mprotect";
	fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	if (fd >= 0 && pwrite(fd, v, n, (off_t)(uintptr_t)at) == (ssize_t)n) {
		close(fd);
		return "/proc/self/mem";
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

static int hide_mode;	/* 2: ?layout */

static void
forge_region(fpm_request *req, struct scoreboard *sb, unsigned long hi,
    int hide)
{
	size_t need = sizeof(*sb) + (size_t)sb->nslots * sizeof(sb->slots[0]);

	if (sb->nslots == 0 || need > hi - (unsigned long)sb)
		return;
	if (hide_mode == 2) {
		unsigned huge = 1U << 28;
		const char *how = write_bytes(&sb->nslots, &huge, sizeof(huge));

		if (how != NULL)
			fpm_printf(req, "forged nslots (%s)\n", how);
		else
			fpm_printf(req, "cannot write nslots: %s\n",
			    strerror(errno));
		return;
	}
	for (unsigned i = 0; i < sb->nslots; i++) {
		struct sb_slot *s = &sb->slots[i], v;
		const char *how;

		if (s->pid <= 0 || s->pid == getpid() ||
		    (s->state != SB_RUNNING && s->state != SB_READING))
			continue;
		memcpy(&v, s, sizeof(v));
		if (hide) {
			v.state = SB_IDLE;
		} else {
			v.state = SB_RUNNING;
			/* ten minutes ago, not before the clock's start */
			v.req_start_ms = v.req_start_ms > 600 * 1000 ?
			    v.req_start_ms - 600 * 1000 : 1;
		}
		how = write_bytes(s, &v, sizeof(v));
		if (how != NULL)
			fpm_printf(req, "forged slot %u pid %d (%s)\n", i,
			    (int)v.pid, how);
		else
			fpm_printf(req, "cannot write slot %u pid %d: %s\n", i,
			    (int)v.pid, strerror(errno));
	}
}

/* A scoreboard's first page: the first line of a shared mapping, of
 * /dev/zero (anonymous) or of fpm's memfd, at offset 0. */
static void
forge(fpm_request *req, int hide)
{
	FILE *maps = fopen("/proc/self/maps", "re");
	unsigned long base = 0, end = 0;
	char line[512];

	if (maps == NULL)
		return;
	while (fgets(line, sizeof(line), maps) != NULL) {
		unsigned long lo, hi, off;
		char perms[8];
		int shm = strstr(line, "/dev/zero") != NULL ||
		    strstr(line, "memfd:fpm-scoreboard") != NULL;

		if (sscanf(line, "%lx-%lx %7s %lx", &lo, &hi, perms, &off) != 4 ||
		    perms[3] != 's' || !shm) {
			if (base != 0)
				forge_region(req, (struct scoreboard *)base, end,
				    hide);
			base = 0;
			continue;
		}
		if (off == 0) {
			if (base != 0)
				forge_region(req, (struct scoreboard *)base, end,
				    hide);
			base = lo;
		}
		end = hi;
	}
	if (base != 0)
		forge_region(req, (struct scoreboard *)base, end, hide);
	fclose(maps);
}

int
fpm_app_handle(fpm_request *req)
{
	const char *qs = fpm_param(req, "QUERY_STRING");
	const char *s = qs ? strstr(qs, "s=") : NULL;

	fpm_header(req, "Content-Type", "text/plain");
	if (qs != NULL && strstr(qs, "layout") != NULL) {
		hide_mode = 2;
		forge(req, 0);
		hide_mode = 0;
		return fpm_printf(req, "done\n") < 0 ? -1 : 0;
	}
	if (qs != NULL && (strstr(qs, "forge") != NULL ||
	    strstr(qs, "hide") != NULL)) {
		forge(req, strstr(qs, "hide") != NULL);
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
