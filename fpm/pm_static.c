/*
 * pm_static.c - pm = static: always pm.max_children workers.
 */
#include "config.h"

#include "pm.h"

int
pm_static_spawn_count(int max_children, int nchildren, long long now,
    long long respawn_at)
{
	if (now < respawn_at || nchildren >= max_children)
		return 0;
	return max_children - nchildren;
}

static void
static_tick(struct master *m, struct pool *p, long long now)
{
	int n = pm_static_spawn_count((int)p->conf->max_children,
	    p->nchildren - p->nending, now, p->respawn_at);

	if (n > 0)
		pm_spawn(m, p, n, now);
	else if (p->nchildren - p->nending < p->conf->max_children)
		master_wake_at(m, p->respawn_at);
}

static void
static_on_exit(struct master *m, struct pool *p, const struct child *c,
    long long now)
{
	(void)m;
	pm_note_exit(p, c, now);
}

const struct pm_ops pm_static = {
	.name = "static",
	.start = static_tick,
	.tick = static_tick,
	.on_exit = static_on_exit,
};
