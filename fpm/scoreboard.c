/*
 * scoreboard.c - the per-pool shared-memory scoreboard.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "scoreboard.h"

/* A reader gives up after this many torn copies. */
#define READ_TRIES 64

_Static_assert(sizeof(struct sb_slot) == SB_PAGE, "a slot is one page");
_Static_assert(offsetof(struct scoreboard, accepted) == SB_PAGE,
    "the master's header is one page");
_Static_assert(offsetof(struct scoreboard, slots) == 2 * SB_PAGE,
    "the workers' counters are one page");

static size_t
sb_size(unsigned nslots)
{
	return sizeof(struct scoreboard) + (size_t)nslots *
	    sizeof(struct sb_slot);
}

/* A read-only descriptor of the memfd fd: reopened through /proc, as
 * memfds have no other name. */
static int
reopen_read_only(int fd)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return open(path, O_RDONLY | O_CLOEXEC);
}

struct scoreboard *
scoreboard_create(unsigned nslots, int fd[2])
{
	size_t size = sb_size(nslots);
	struct scoreboard *sb;
	int e;

	fd[0] = memfd_create("fpm-scoreboard", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	fd[1] = -1;
	if (fd[0] < 0)
		return NULL;
	/* Sealed: a worker that shrank it would make the master's next
	 * read of a slot a SIGBUS. */
	if (ftruncate(fd[0], (off_t)size) != 0 || fcntl(fd[0], F_ADD_SEALS,
	    F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0 ||
	    (fd[1] = reopen_read_only(fd[0])) < 0)
		goto fail;
	sb = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd[0], 0);
	if (sb == MAP_FAILED)
		goto fail;
	sb->nslots = nslots;
	sb->started_us = clock_us(CLOCK_REALTIME);
	for (unsigned i = 0; i < nslots; i++)
		scoreboard_reset(&sb->slots[i]);
	return sb;
fail:
	e = errno;
	close(fd[0]);
	if (fd[1] >= 0)
		close(fd[1]);
	fd[0] = fd[1] = -1;
	errno = e;
	return NULL;
}

int
scoreboard_seal(struct scoreboard *sb, int ro_fd)
{
	return mmap(sb, sb_size(sb->nslots), PROT_READ, MAP_SHARED | MAP_FIXED,
	    ro_fd, 0) == MAP_FAILED ? -1 : 0;
}

/* Page off of the region, writable, in place. */
static int
open_page(struct scoreboard *sb, int rw_fd, size_t off)
{
	return mmap((char *)sb + off, SB_PAGE, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_FIXED, rw_fd, (off_t)off) == MAP_FAILED ? -1 : 0;
}

int
scoreboard_open_slot(struct scoreboard *sb, int rw_fd, int slot)
{
	/* A larger page would take the neighbours along: refuse rather. */
	if (sysconf(_SC_PAGESIZE) != SB_PAGE || slot < 0 ||
	    (unsigned)slot >= sb->nslots) {
		errno = EINVAL;
		return -1;
	}
	if (open_page(sb, rw_fd, offsetof(struct scoreboard, accepted)) != 0)
		return -1;
	return open_page(sb, rw_fd, (size_t)((char *)&sb->slots[slot] -
	    (char *)sb));
}

void
scoreboard_free(struct scoreboard *sb)
{
	if (sb != NULL)
		munmap(sb, sb_size(sb->nslots));
}

/* Everything after the two atomics is plain data. */
#define PLAIN_OFFSET offsetof(struct sb_slot, pid)

void
scoreboard_reset(struct sb_slot *s)
{
	memset((char *)s + PLAIN_OFFSET, 0, sizeof(*s) - PLAIN_OFFSET);
	atomic_store_explicit(&s->quit, 0, memory_order_relaxed);
	atomic_store_explicit(&s->seq, 0, memory_order_release);
}

int
scoreboard_read(const struct sb_slot *s, struct sb_slot *out)
{
	for (int i = 0; i < READ_TRIES; i++) {
		unsigned a, b;

		a = atomic_load_explicit(&s->seq, memory_order_acquire);
		if (a & 1)
			continue;
		memcpy((char *)out + PLAIN_OFFSET,
		    (const char *)s + PLAIN_OFFSET,
		    sizeof(*s) - PLAIN_OFFSET);
		atomic_thread_fence(memory_order_acquire);
		b = atomic_load_explicit(&s->seq, memory_order_relaxed);
		if (a == b) {
			/* fields the worker wrote are its word only */
			out->method[sizeof(out->method) - 1] = '\0';
			out->uri[sizeof(out->uri) - 1] = '\0';
			out->query[sizeof(out->query) - 1] = '\0';
			out->script[sizeof(out->script) - 1] = '\0';
			out->user[sizeof(out->user) - 1] = '\0';
			out->frames[sizeof(out->frames) - 1] = '\0';
			return 0;
		}
	}
	return -1;
}

void
sb_copy(char *dst, size_t dstlen, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (n >= dstlen)
		n = dstlen - 1;
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
}
