/*
 * children.h - forking, reaping and signalling workers.
 */
#ifndef FPM_CHILDREN_H
#define FPM_CHILDREN_H

#include "master.h"

/* Fork one worker for pool p.  In the child this never returns.  Returns
 * 0, or -1 (logged) when fork fails. */
int children_spawn(struct master *m, struct pool *p);

/* Reap every exited child (SIGCHLDs coalesce), log each death and tell the
 * pool's pm. */
void children_reap(struct master *m);

/* Send sig to every worker of every pool. */
void children_signal_all(struct master *m, int sig);

int children_count(const struct master *m);

#endif
