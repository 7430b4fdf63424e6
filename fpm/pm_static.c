/*
 * pm_static.c - pm = static: always pm.max_children workers.
 */
#include "config.h"

#include "children.h"
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
	    p->nchildren, now, p->respawn_at);

	pm_forgive(p, now);
	/* After young deaths, spawn one at a time, each after the delay. */
	if (p->quick_deaths > 0 && n > 1)
		n = 1;
	while (n-- > 0) {
		if (children_spawn(m, p) != 0) {
			/* fork failed (logged): retry later, not in a spin */
			p->respawn_at = now + PM_FORK_RETRY_MS;
			return;
		}
	}
	if (p->quick_deaths > 0)
		p->respawn_at = now + pm_respawn_delay(p->quick_deaths);
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
	.tick = static_tick,
	.on_exit = static_on_exit,
};
