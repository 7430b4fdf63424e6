/*
 * pm_ondemand.c - pm = ondemand: no worker until a connection waits.
 *
 * The master watches the pool's listening socket.  When it is readable it
 * forks one worker per waiting connection that no idle or starting worker
 * will take (the queue length comes from the kernel), up to
 * pm.max_children, then stops watching for PM_REARM_MS or until a new
 * worker is ready, so a queue that drains slowly never spins the master.
 * At pm.max_children it looks once a second, to say so in the log, and
 * again as soon as a worker exits.
 * php-fpm forks one worker per wake-up (php-src PR #1308).  Once a second,
 * every worker idle longer than pm.process_idle_timeout retires, not only
 * the oldest (php-src #12798).
 */
#include "config.h"

#include <stdlib.h>

#include "children.h"
#include "listenq.h"
#include "pm.h"

static void
ondemand_start(struct master *m, struct pool *p, long long now)
{
	p->maint_at = now + PM_MAINT_MS;
	p->rearm_at = now;
	master_wake_at(m, p->maint_at);
}

static void
retire_idle(struct master *m, struct pool *p, long long now)
{
	long long timeout = p->conf->process_idle_timeout * 1000;
	struct pm_worker *w = calloc((size_t)p->nchildren + 1, sizeof(*w));
	int n;

	if (w == NULL)
		return;
	n = pm_workers(p, w, p->nchildren);
	for (int i = 0; i < n; i++)
		if (w[i].idle && now - w[i].idle_since >= timeout)
			children_retire(m, w[i].child,
			    "idle for pm.process_idle_timeout");
	free(w);
}

static void
ondemand_tick(struct master *m, struct pool *p, long long now)
{
	if (now >= p->maint_at) {
		retire_idle(m, p, now);
		p->maint_at = now + PM_MAINT_MS;
	}
	master_wake_at(m, p->maint_at);
	if (now >= p->rearm_at && now >= p->respawn_at)
		children_watch_listen(m, p, 1);
	else
		master_wake_at(m, p->rearm_at > p->respawn_at ? p->rearm_at :
		    p->respawn_at);
}

static void
ondemand_on_connection(struct master *m, struct pool *p, long long now)
{
	struct pm_worker *w = calloc((size_t)p->nchildren + 1, sizeof(*w));
	struct listenq q;
	int n, idle = 0, starting = 0, total, waiting;

	if (w == NULL)
		return;
	total = pm_workers(p, w, p->nchildren);
	for (int i = 0; i < total; i++) {
		idle += w[i].idle;
		starting += w[i].starting;
	}
	free(w);
	/* Readable means one at least, if the kernel cannot say more. */
	waiting = listenq_read(p->listen_fd, &q) == 0 ? (int)q.len : 1;
	n = pm_ondemand_spawn_count(waiting, idle, starting, total,
	    (int)p->conf->max_children);
	pm_note_at_max(p, waiting > idle + starting &&
	    total >= p->conf->max_children);
	if (n > 0)
		pm_spawn(m, p, n, now);
	children_watch_listen(m, p, 0);
	p->rearm_at = now + (p->at_max ? PM_MAINT_MS : PM_REARM_MS);
	master_wake_at(m, p->rearm_at);
}

static void
ondemand_on_exit(struct master *m, struct pool *p, const struct child *c,
    long long now)
{
	(void)m;
	pm_note_exit(p, c, now);
	p->rearm_at = 0;	/* room for a worker again: look now */
}

const struct pm_ops pm_ondemand = {
	.name = "ondemand",
	.start = ondemand_start,
	.tick = ondemand_tick,
	.on_exit = ondemand_on_exit,
	.on_connection = ondemand_on_connection,
};
