/*
 * scoreboard.c - the per-pool shared-memory scoreboard.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "clock.h"
#include "scoreboard.h"

/* A reader gives up after this many torn copies. */
#define READ_TRIES 64

static size_t
sb_size(unsigned nslots)
{
	return sizeof(struct scoreboard) + (size_t)nslots *
	    sizeof(struct sb_slot);
}

struct scoreboard *
scoreboard_create(unsigned nslots)
{
	struct scoreboard *sb;

	sb = mmap(NULL, sb_size(nslots), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sb == MAP_FAILED)
		return NULL;
	sb->nslots = nslots;
	sb->started_us = clock_us(CLOCK_REALTIME);
	for (unsigned i = 0; i < nslots; i++)
		scoreboard_reset(&sb->slots[i]);
	return sb;
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
