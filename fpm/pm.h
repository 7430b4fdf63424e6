/*
 * pm.h - the process manager: how many workers a pool keeps.
 *
 * Each pm mode lives in its own file behind struct pm_ops.  The decisions
 * are pure functions of plain data (unit tested); the ops only act on them.
 */
#ifndef FPM_PM_H
#define FPM_PM_H

#include "master.h"

struct pm_ops {
	const char *name;
	/* Fork the pool's first workers. */
	void (*start)(struct master *m, struct pool *p, long long now);
	/* Bring the pool to the size it should have now. */
	void (*tick)(struct master *m, struct pool *p, long long now);
	/* A child of the pool was reaped (already unlinked from the pool). */
	void (*on_exit)(struct master *m, struct pool *p, const struct child *c,
	    long long now);
	/* ondemand: a connection waits on the listening socket. */
	void (*on_connection)(struct master *m, struct pool *p, long long now);
};

extern const struct pm_ops pm_static;
extern const struct pm_ops pm_dynamic;
extern const struct pm_ops pm_ondemand;

const struct pm_ops *pm_for(long long mode);

/* After a failed fork(), the next try waits this long. */
#define PM_FORK_RETRY_MS 1000
/* dynamic and ondemand look at their pool this often. */
#define PM_MAINT_MS 1000
/* ondemand: after acting on a waiting connection, look again after this
 * long (or as soon as a new worker is ready), not in a spin. */
#define PM_REARM_MS 10

/* A worker that lived less than this is counted as dying young. */
#define PM_YOUNG_MS 1000
/* So many young deaths in a row and the pool is failing. */
#define PM_WARN_DEATHS 3

/* Delay before the next spawn after `quick_deaths` young deaths in a row:
 * 0 for none, then 100 ms doubling up to 30 s, so an app that cannot start
 * does not turn the master into a fork loop. */
long long pm_respawn_delay(int quick_deaths);

/* How many workers to fork now for a static pool: up to max_children,
 * none before respawn_at.  nchildren counts the workers not leaving. */
int pm_static_spawn_count(int max_children, int nchildren, long long now,
    long long respawn_at);

/* dynamic, once a second: a positive result is how many to fork, a
 * negative one how many idle workers to retire.  *rate is the current
 * spawn rate; it doubles (up to max_spawn_rate) while idle workers stay
 * short and falls back to 1 otherwise, as php-fpm's does. */
struct pm_dynamic_in {
	int total;		/* workers not leaving */
	int idle;		/* of which idle or still starting */
	int min_spare, max_spare, max_children, max_spawn_rate;
};
int pm_dynamic_decide(const struct pm_dynamic_in *in, int *rate);

/* ondemand: workers to fork for `waiting` queued connections, given the
 * idle and starting ones that will take some of them. */
int pm_ondemand_spawn_count(int waiting, int idle, int starting, int total,
    int max_children);

/* One worker as the pm sees it, read from the scoreboard. */
struct pm_worker {
	struct child *child;
	int idle;		/* in its accept loop, not leaving */
	int starting;		/* not READY yet */
	long long idle_since;	/* monotonic ms */
};

/* The idle worker idle the longest, or -1. */
int pm_longest_idle(const struct pm_worker *w, int n);

/* Fill w (room for n) from pool p's children that are not leaving.
 * Returns how many. */
int pm_workers(const struct pool *p, struct pm_worker *w, int n);

/* Spawn up to n workers for p; stops at the first failure and backs off.
 * A PHP pool's zygote takes one request at a time: the rest are owed, and
 * asked for as it answers.  Returns how many were forked or asked for. */
int pm_spawn(struct master *m, struct pool *p, int n, long long now);
/* p's zygote answered: the spawns pm_spawn could not ask for yet. */
void pm_spawn_owed(struct master *m, struct pool *p);

/* Log once that the pool is at pm.max_children while more are wanted. */
void pm_note_at_max(struct pool *p, int at_max);

/* Shared bookkeeping after a child exit: young deaths back off spawning. */
/* A worker could not be started (a PHP zygote that did not come up):
 * counted as a death at start-up, with the same back-off and log. */
void pm_note_failed_start(struct pool *p, long long now);
void pm_note_exit(struct pool *p, const struct child *c, long long now);

/* Once the newest worker has outlived PM_YOUNG_MS, the pool is healthy
 * again: spawn at full speed. */
void pm_forgive(struct pool *p, long long now);

#endif
