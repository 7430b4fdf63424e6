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
	/* Bring the pool to the size it should have now. */
	void (*tick)(struct master *m, struct pool *p, long long now);
	/* A child of the pool was reaped (already unlinked from the pool). */
	void (*on_exit)(struct master *m, struct pool *p, const struct child *c,
	    long long now);
};

extern const struct pm_ops pm_static;

const struct pm_ops *pm_for(long long mode);

/* After a failed fork(), the next try waits this long. */
#define PM_FORK_RETRY_MS 1000

/* A worker that lived less than this is counted as dying young. */
#define PM_YOUNG_MS 1000
/* So many young deaths in a row are worth a warning. */
#define PM_WARN_DEATHS 3

/* Delay before the next spawn after `quick_deaths` young deaths in a row:
 * 0 for none, then 100 ms doubling up to 30 s, so an app that cannot start
 * does not turn the master into a fork loop. */
long long pm_respawn_delay(int quick_deaths);

/* How many workers to fork now for a static pool: up to max_children,
 * none before respawn_at. */
int pm_static_spawn_count(int max_children, int nchildren, long long now,
    long long respawn_at);

/* Shared bookkeeping after a child exit: young deaths back off spawning. */
void pm_note_exit(struct pool *p, const struct child *c, long long now);

/* Once the newest worker has outlived PM_YOUNG_MS, the pool is healthy
 * again: spawn at full speed. */
void pm_forgive(struct pool *p, long long now);

#endif
