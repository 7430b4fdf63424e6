/*
 * pm.c - process manager decisions shared by the pm modes.
 */
#include "config.h"

#include "children.h"
#include "log.h"
#include "pm.h"
#include "scoreboard.h"
#include "zygote.h"

const struct pm_ops *
pm_for(long long mode)
{
	switch (mode) {
	case PM_DYNAMIC: return &pm_dynamic;
	case PM_ONDEMAND: return &pm_ondemand;
	default: return &pm_static;
	}
}

long long
pm_respawn_delay(int quick_deaths)
{
	long long d = 100;

	if (quick_deaths <= 0)
		return 0;
	for (int i = 1; i < quick_deaths && d < 30000; i++)
		d *= 2;
	return d > 30000 ? 30000 : d;
}

int
pm_dynamic_decide(const struct pm_dynamic_in *in, int *rate)
{
	int n;

	if (*rate < 1)
		*rate = 1;
	if (in->idle > in->max_spare) {
		*rate = 1;
		return -1;	/* one a round, as php-fpm: no thrashing */
	}
	if (in->idle >= in->min_spare || in->total >= in->max_children) {
		*rate = 1;
		return 0;
	}
	n = in->min_spare - in->idle;
	if (n > *rate)
		n = *rate;
	if (n > in->max_children - in->total)
		n = in->max_children - in->total;
	if (*rate < in->max_spawn_rate)
		*rate = *rate * 2 > in->max_spawn_rate ? in->max_spawn_rate :
		    *rate * 2;
	return n;
}

int
pm_ondemand_spawn_count(int waiting, int idle, int starting, int total,
    int max_children)
{
	int n = waiting - idle - starting;

	if (n > max_children - total)
		n = max_children - total;
	return n > 0 ? n : 0;
}

int
pm_longest_idle(const struct pm_worker *w, int n)
{
	int best = -1;

	for (int i = 0; i < n; i++)
		if (w[i].idle && (best < 0 ||
		    w[i].idle_since < w[best].idle_since))
			best = i;
	return best;
}

int
pm_workers(const struct pool *p, struct pm_worker *w, int n)
{
	long long now = now_ms();
	int k = 0;

	for (struct child *c = p->children; c != NULL && k < n; c = c->next) {
		struct sb_slot s;

		if (c->ending)
			continue;
		w[k].child = c;
		w[k].starting = !c->ready;
		w[k].idle = 0;
		w[k].idle_since = 0;
		/* The slot is the worker's word: an idle time outside the
		 * clock's range would overflow the pm's arithmetic. */
		if (c->ready && scoreboard_read(&p->sb->slots[c->slot], &s) == 0
		    && s.pid == c->pid && s.state == SB_IDLE &&
		    s.idle_since_ms >= 0 && s.idle_since_ms <= now) {
			w[k].idle = 1;
			w[k].idle_since = s.idle_since_ms;
		}
		k++;
	}
	/* the worker asked of a PHP pool's zygote: starting, as they come */
	if (k < n && (w[k].child = zygote_pending(p)) != NULL) {
		w[k].starting = 1;
		w[k].idle = 0;
		w[k].idle_since = 0;
		k++;
	}
	return k;
}

int
pm_spawn(struct master *m, struct pool *p, int n, long long now)
{
	int done = 0;

	pm_forgive(p, now);
	if (now < p->respawn_at)
		return 0;
	/* After young deaths, spawn one at a time, each after the delay. */
	if (p->quick_deaths > 0 && n > 1)
		n = 1;
	while (done < n) {
		int r = children_spawn(m, p);

		if (r > 0) {	/* the zygote is busy: the rest on its answer */
			p->spawn_owed = n - done;
			break;
		}
		if (r != 0) {
			/* fork failed (logged): retry later, not in a spin */
			p->respawn_at = now + PM_FORK_RETRY_MS;
			break;
		}
		done++;
	}
	if (p->quick_deaths > 0)
		p->respawn_at = now + pm_respawn_delay(p->quick_deaths);
	if (p->respawn_at > now)
		master_wake_at(m, p->respawn_at);
	return done;
}

void
pm_spawn_owed(struct master *m, struct pool *p)
{
	int n = p->spawn_owed;

	p->spawn_owed = 0;
	/* what the pm asked for was within bounds then; exits since only
	 * made room, but say it here rather than trust that */
	if (n > p->conf->max_children - (p->nchildren - p->nending))
		n = (int)(p->conf->max_children - (p->nchildren - p->nending));
	if (n > 0 && m->stopping == RUNNING)
		pm_spawn(m, p, n, now_ms());
}

void
pm_note_at_max(struct pool *p, int at_max)
{
	if (at_max && !p->at_max) {
		log_warning("[pool %s] server reached pm.max_children setting "
		    "(%lld), consider raising it", p->conf->name,
		    p->conf->max_children);
		atomic_fetch_add_explicit(&p->sb->max_children_reached, 1,
		    memory_order_relaxed);
	}
	p->at_max = at_max;
}

void
pm_note_exit(struct pool *p, const struct child *c, long long now)
{
	/* A worker we told to go says nothing about the app: the count
	 * stands.  A worker that loaded its app and then died (a crash on a
	 * request) is replaced at once: backing off would let one bad
	 * request take the pool down.  Only a worker that never loaded its
	 * app, or one dying young while the pool is already failing, counts
	 * as dying at start-up. */
	if (c->ending)
		return;
	if (c->ready && (p->quick_deaths == 0 ||
	    now - c->started >= PM_YOUNG_MS)) {
		p->quick_deaths = 0;
		return;
	}
	pm_note_failed_start(p, now);
}

void
pm_note_failed_start(struct pool *p, long long now)
{
	long long delay;

	p->quick_deaths++;
	delay = pm_respawn_delay(p->quick_deaths);
	p->respawn_at = now + delay;
	if (p->quick_deaths == PM_WARN_DEATHS)
		log_error("[pool %s] the pool is failing: its workers keep "
		    "dying at start-up; respawns back off up to 30 s",
		    p->conf->name);
	if (p->quick_deaths >= PM_WARN_DEATHS)
		log_warning("[pool %s] workers keep dying at start-up (%d in a "
		    "row); next spawn in %lld ms", p->conf->name,
		    p->quick_deaths, delay);
}

void
pm_forgive(struct pool *p, long long now)
{
	/* children are listed newest first */
	if (p->quick_deaths > 0 && p->children != NULL &&
	    p->children->ready && now - p->children->started >= PM_YOUNG_MS) {
		if (p->quick_deaths >= PM_WARN_DEATHS)
			log_notice("[pool %s] workers start again",
			    p->conf->name);
		p->quick_deaths = 0;
	}
}
