/*
 * control.h - messages from workers to the master.
 *
 * One SOCK_SEQPACKET socket pair per master: every worker inherits one
 * end, the master reads the other with SO_PASSCRED, so the kernel, not the
 * worker, says which pid sent a message: a worker cannot speak for
 * another.  Workers write only at start (READY) and when they ask to be
 * replaced (RECYCLE), never per request.
 */
#ifndef FPM_CONTROL_H
#define FPM_CONTROL_H

#include <stdint.h>
#include <sys/types.h>

enum ctl_type {
	CTL_READY = 1,		/* the app is loaded; accepting from now on */
	CTL_RECYCLE,		/* stopped accepting; replace me, then QUIT */
};

enum ctl_reason {
	RECYCLE_REQUESTS = 1,	/* served pm.max_requests (+ jitter) */
	RECYCLE_MEMORY,		/* RSS above pm.max_memory */
};

struct ctl_msg {
	uint32_t type;
	uint32_t reason;
	uint64_t value;		/* requests served, or RSS in bytes */
};

/* Create the pair.  Returns 0, or -1 with errno. */
int ctl_open(int *master_end, int *worker_end);

/* Worker: send one message; waits at most a second if the master is
 * behind.  Returns 0 or -1 (errno). */
int ctl_send(int fd, uint32_t type, uint32_t reason, uint64_t value);

/* Master: take one message and the pid the kernel says sent it.  Returns
 * 0, or -1 with errno (EAGAIN: none left). */
int ctl_recv(int fd, struct ctl_msg *msg, pid_t *pid);

#endif
