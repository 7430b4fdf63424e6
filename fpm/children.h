/*
 * children.h - forking, reaping and signalling workers, and catching
 * what they write.
 */
#ifndef FPM_CHILDREN_H
#define FPM_CHILDREN_H

#include "master.h"

/* Fork one worker for pool p.  In the child this never returns.  Returns
 * 0, or -1 (logged) when fork fails or the pool has no free slot. */
int children_spawn(struct master *m, struct pool *p);

/* Reap every exited child (SIGCHLDs coalesce), log each death, keep what
 * it wrote, and tell the pool's pm. */
void children_reap(struct master *m);

/* A wait(2) outside children_reap (the slow-log tracer's) consumed the
 * exit of pid: children_reap handles it on its next round. */
void children_exited_elsewhere(struct master *m, pid_t pid, int status);

/* Ask c to finish its request and leave (SIGQUIT); it is no longer
 * counted, and gets SIGKILL if it outlives process_control_timeout. */
void children_retire(struct master *m, struct child *c, const char *why);

/* Send sig to every worker of every pool. */
void children_signal_all(struct master *m, int sig);

int children_count(const struct master *m);

/* Watch c's output pipes (already in c->out), as after a reload. */
void children_adopt_output(struct master *m, struct child *c);

/* The worker with this pid, or NULL. */
struct child *children_find(struct master *m, pid_t pid);

/* A worker's stdout or stderr is readable. */
void children_output(struct master *m, struct child *c, int stream);

/* ondemand: watch (on = 1) or stop watching p's listening socket. */
void children_watch_listen(struct master *m, struct pool *p, int on);

#endif
