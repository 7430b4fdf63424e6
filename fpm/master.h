/*
 * master.h - the master's state: one struct master, passed explicitly.
 */
#ifndef FPM_MASTER_H
#define FPM_MASTER_H

#include <sys/types.h>

#include "conf.h"

struct pm_ops;

struct child {
	pid_t pid;
	struct pool *pool;
	long long started;		/* monotonic ms */
	struct child *next;
};

struct pool {
	struct pool_conf *conf;
	int listen_fd;
	const struct pm_ops *pm;
	struct child *children;
	int nchildren;
	long long respawn_at;		/* monotonic ms; no spawn before */
	int quick_deaths;		/* children dying young, in a row */
	struct pool *next;
};

enum stop_mode { RUNNING, STOP_GRACEFUL, STOP_FAST };

struct master {
	struct conf *conf;
	struct pool *pools;
	pid_t pid;
	int epfd;
	int sigfd;
	enum stop_mode stopping;
	long long stop_deadline;	/* ms; 0 = none */
	int killed;			/* SIGKILL sent to stragglers */
	const char *pidfile;
	int ready_fd;			/* -D: tell the parent we are up */
};

/* Monotonic clock in milliseconds. */
long long now_ms(void);

/* Set up signals and the event loop.  Returns 0 or -1 (logged). */
int master_init(struct master *m);
/* Run until stopped.  Returns the exit code. */
int master_run(struct master *m);

#endif
