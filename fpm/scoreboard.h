/*
 * scoreboard.h - one shared-memory region per pool, mapped by the master
 * before it forks, with one slot per worker.
 *
 * A worker writes only its own slot, with plain stores between two bumps
 * of a sequence counter (odd while it writes); readers copy the slot and
 * retry when the counter moved, so a reader never blocks a writer and a
 * writer never waits.  A worker killed mid-write leaves the counter odd:
 * readers give up after a few tries and report the slot as unreadable.
 *
 * The master reads slots to decide whom to retire and whom to time out,
 * never to decide whom it may signal: pids come from its own table.  A
 * worker can write no slot but its own: the region is a memfd, every
 * child maps it read-only, and a worker then maps writable only the
 * page of the pool's counters and its own slot's page (scoreboard_seal,
 * scoreboard_open_slot).  So what a slot says about a worker is that
 * worker's word, and a lie hurts only the liar.
 */
#ifndef FPM_SCOREBOARD_H
#define FPM_SCOREBOARD_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

/* Where a scripting sapi keeps its call stack, so that the slow log can
 * walk it from outside while the worker is stopped (process_vm_readv):
 * a chain of frames from the pointer at `head`, innermost first. */
struct sb_stack_layout {
	uint64_t head;		/* address of the innermost frame's pointer */
	uint16_t frame_prev;	/* in a frame: its caller's frame */
	uint16_t frame_func;	/*   its function */
	uint16_t frame_op;	/*   the instruction it is at */
	uint16_t func_type;	/* in a function: its type (a byte) */
	uint16_t func_name;	/*   its name (a string) */
	uint16_t func_scope;	/*   its class, or NULL */
	uint16_t func_file;	/*   script functions: the file */
	uint16_t scope_name;	/* in a class: its name */
	uint16_t op_line;	/* in an instruction: its line (32 bits) */
	uint16_t str_len;	/* in a string: its length (a size_t) */
	uint16_t str_val;	/*   its bytes */
	uint8_t script_type;	/* the type of a script (not native) function */
};

enum sb_state {
	SB_STARTING,		/* forked, loading its app */
	SB_IDLE,		/* waiting for a connection */
	SB_READING,		/* reading a request's headers */
	SB_RUNNING,		/* the app has the request */
	SB_FINISHING,		/* the response is sent; the app goes on */
	SB_ENDING,		/* leaving: recycled or told to stop */
};

/* Each slot fills one page of its own, so that it can be mapped alone. */
#define SB_PAGE 4096

struct sb_slot {
	union {
	struct {
		atomic_uint seq;
		/* Written by the master only: leave after this request.
		 * SIGQUIT wakes an idle worker, but a worker that always
		 * finds a connection waiting never sleeps where SIGQUIT is
		 * let in; it reads this. */
		atomic_int quit;
		pid_t pid;
		int state;			/* enum sb_state */
		long long started_ms;		/* monotonic: the worker's start */
		long long started_us;		/* realtime µs, for display */
		long long idle_since_ms;	/* monotonic: last went idle */
		long long req_start_ms;		/* monotonic: the current request */
		long long req_start_us;		/* realtime µs, for display */
		unsigned long long requests;	/* served so far */
		long long last_duration_us;	/* the last request's */
		double last_cpu;		/* % of a CPU the last request used */
		long long last_memory;		/* bytes: peak RSS after it */
		long long content_length;
		char method[16];
		char uri[512];
		char query[512];
		char script[512];
		char user[64];
		/* Script-level frames a sapi publishes (PHP: function,
		 * file, line), innermost first, one per line: the slow log
		 * prints them above the native stack. */
		char frames[1024];
		struct sb_stack_layout stack;	/* head 0: no script stack */
	};
	char page_[SB_PAGE];	/* the rest of its page */
	};
};

/* The layout (nslots) and the master's counters fill the first page,
 * which only the master writes: children unmap a scoreboard by its
 * nslots, the master takes slots by it.  The counters workers add to
 * (with atomics, for the status page only) fill the second page; slot i
 * is page i + 2. */
struct scoreboard {
	unsigned nslots;
	long long started_us;		/* realtime µs: the pool's start */
	atomic_uint max_listen_queue;
	atomic_ullong max_children_reached;
	atomic_ullong slow_requests;
	atomic_ullong accepted		/* requests taken */
	    __attribute__((aligned(SB_PAGE)));
	atomic_int active;		/* workers in a request now */
	atomic_int max_active;
	struct sb_slot slots[] __attribute__((aligned(SB_PAGE)));
};

/* Map a scoreboard of nslots slots, shared, from a new memfd whose size
 * is sealed (no child can shrink it under the master).  fd[0] is that
 * memfd, fd[1] a read-only descriptor of it (both O_CLOEXEC), for
 * scoreboard_seal and scoreboard_open_slot; the caller closes them.
 * Returns NULL (errno set) on failure. */
struct scoreboard *scoreboard_create(unsigned nslots, int fd[2]);
void scoreboard_free(struct scoreboard *sb);

/* In a child: the whole of sb again, read-only, from ro_fd (a mapping of
 * a read-only descriptor cannot be made writable by mprotect).  Returns
 * 0, or -1 with errno. */
int scoreboard_seal(struct scoreboard *sb, int ro_fd);
/* In a worker, after scoreboard_seal: the workers' counters and slot
 * writable again, from rw_fd, which the worker closes next.  Returns 0,
 * or -1. */
int scoreboard_open_slot(struct scoreboard *sb, int rw_fd, int slot);

/* Master: make slot s fresh for a worker about to be forked. */
void scoreboard_reset(struct sb_slot *s);

/* Copy slot s into out.  Returns 0, or -1 when the writer kept it
 * inconsistent through every try (it died mid-write, or is scribbling). */
int scoreboard_read(const struct sb_slot *s, struct sb_slot *out);

/* Worker: bracket every change of its own slot. */
static inline void
sb_write_begin(struct sb_slot *s)
{
	atomic_fetch_add_explicit(&s->seq, 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static inline void
sb_write_end(struct sb_slot *s)
{
	atomic_fetch_add_explicit(&s->seq, 1, memory_order_release);
}

/* Copy a string into a fixed field, cut to fit, NUL-terminated. */
void sb_copy(char *dst, size_t dstlen, const char *src);

#endif
