/*
 * pm_dynamic.c - pm = dynamic: pm.start_servers at start, then once a
 * second keep the idle workers between the spare bounds, never more than
 * pm.max_children in all.
 */
#include "config.h"

#include <stdlib.h>

#include "children.h"
#include "pm.h"

static void
dynamic_start(struct master *m, struct pool *p, long long now)
{
	p->spawn_rate = 1;
	p->maint_at = now + PM_MAINT_MS;
	pm_spawn(m, p, (int)p->conf->start_servers, now);
	master_wake_at(m, p->maint_at);
}

static void
dynamic_tick(struct master *m, struct pool *p, long long now)
{
	struct pm_dynamic_in in = {
		.min_spare = (int)p->conf->min_spare,
		.max_spare = (int)p->conf->max_spare,
		.max_children = (int)p->conf->max_children,
		.max_spawn_rate = (int)p->conf->max_spawn_rate,
	};
	struct pm_worker *w;
	int n;

	if (now < p->maint_at) {
		master_wake_at(m, p->maint_at);
		return;
	}
	p->maint_at = now + PM_MAINT_MS;
	master_wake_at(m, p->maint_at);
	w = calloc((size_t)p->nchildren + 1, sizeof(*w));
	if (w == NULL)
		return;
	in.total = pm_workers(p, w, p->nchildren);
	for (int i = 0; i < in.total; i++)
		in.idle += w[i].idle || w[i].starting;
	n = pm_dynamic_decide(&in, &p->spawn_rate);
	pm_note_at_max(p, in.idle < in.min_spare &&
	    in.total >= in.max_children);
	if (n > 0) {
		pm_spawn(m, p, n, now);
	} else if (n < 0) {
		int i = pm_longest_idle(w, in.total);

		if (i >= 0)
			children_retire(m, w[i].child, "more idle workers than "
			    "pm.max_spare_servers");
	}
	free(w);
}

static void
dynamic_on_exit(struct master *m, struct pool *p, const struct child *c,
    long long now)
{
	pm_note_exit(p, c, now);
	/* A worker that died unasked is replaced now, not at the next
	 * round; the spare arithmetic then runs on fresh numbers. */
	if (!c->ending && p->nchildren - p->nending < p->conf->min_spare)
		pm_spawn(m, p, 1, now);
}

const struct pm_ops pm_dynamic = {
	.name = "dynamic",
	.start = dynamic_start,
	.tick = dynamic_tick,
	.on_exit = dynamic_on_exit,
};
