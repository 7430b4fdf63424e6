/*
 * pm.c - process manager decisions shared by the pm modes.
 */
#include "config.h"

#include "log.h"
#include "pm.h"

const struct pm_ops *
pm_for(long long mode)
{
	(void)mode;	/* dynamic and ondemand run static until they land */
	return &pm_static;
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

void
pm_note_exit(struct pool *p, const struct child *c, long long now)
{
	long long delay;

	if (now - c->started >= PM_YOUNG_MS) {
		p->quick_deaths = 0;
		return;
	}
	p->quick_deaths++;
	delay = pm_respawn_delay(p->quick_deaths);
	p->respawn_at = now + delay;
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
	    now - p->children->started >= PM_YOUNG_MS) {
		if (p->quick_deaths >= PM_WARN_DEATHS)
			log_notice("[pool %s] workers start again",
			    p->conf->name);
		p->quick_deaths = 0;
	}
}
