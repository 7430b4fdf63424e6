/*
 * children.h - forking, reaping and signalling workers, and catching
 * what they write.
 */
#ifndef FPM_CHILDREN_H
#define FPM_CHILDREN_H

#include "master.h"

/* Fork one worker for pool p.  In the child this never returns.  Returns
 * 0, or -1 (logged) when fork fails or the pool has no free slot.  A PHP
 * pool asks its zygote instead: 0 means asked (the worker is added when
 * the answer comes, and counts in nchildren from now on), 1 that the
 * zygote is busy with an earlier request (ask again on its answer). */
int children_spawn(struct master *m, struct pool *p);
/* c (its pool, slot and output set, counted in nchildren) is the new
 * worker pid: track it. */
void children_add(struct master *m, struct child *c, pid_t pid);
/* c, asked of a zygote, will not be a worker: its slot, count and pipes
 * go. */
void children_abandon(struct master *m, struct child *c);

/* The first steps of a worker, or of a zygote (extra: a descriptor of its
 * own to keep): clean signals and descriptors, stdio on out[] (-1: the
 * log), the pool's identity, the master's death signal.  *procfd is
 * /proc, opened before chroot when pm.max_memory needs it, or -1.
 * Returns 0, or -1 (logged) when the child must leave. */
int children_become(struct master *m, struct pool *p, const int out[2],
    int extra, int *procfd);
/* Put stdout and stderr on out[] (-1: null, or the error log). */
void children_set_stdio(const int out[2], int null);
/* The master's death signal, and process.dumpable.  Returns 0, or -1
 * when the master is gone already. */
int children_watch_master(struct master *m, struct pool *p);
/* What a worker of p needs to know, less its slot. */
struct worker_conf;
void children_worker_conf(struct master *m, struct pool *p,
    struct worker_conf *wc);
/* ...and its slot (mapped writable again, the pool's memfd then closed:
 * see scoreboard_open_slot), request limit, and /proc/self/statm from
 * procfd (closed here).  In the worker only. */
void children_worker_slot(struct worker_conf *wc, struct pool *p,
    const struct child *c, int procfd);

/* Reap every exited child (SIGCHLDs coalesce), log each death, keep what
 * it wrote, and tell the pool's pm. */
void children_reap(struct master *m);

/* Reload: tell c to leave after its request by its slot's flag only, so
 * that the exec is not held up by a signal per worker (children_wake_all
 * wakes the idle ones); the next master sends a SIGQUIT as well, with
 * children_signal_retiring, once its own workers are forked. */
void children_retire_later(struct child *c);
/* Wake every idle worker of p at once (one write to the eventfd they all
 * watch): each looks at its quit flag.  _reset: take it back, when the
 * workers are to stay after all (a failed exec). */
void children_wake_all(struct pool *p);
void children_wake_reset(struct pool *p);
void children_signal_retiring(struct master *m);

/* Ask c to finish its request and leave (SIGQUIT); it is no longer
 * counted, and gets SIGKILL if it outlives process_control_timeout. */
void children_retire(struct master *m, struct child *c, const char *why);

/* Stopping, every worker gone: SIGKILL every child the kernel still
 * lists as ours (workers a lying zygote did not report, orphans of pool
 * code reparented to us), and reap them, in rounds until none is left
 * (their own orphans come to us too), for at most a second.  Returns how
 * many were named. */
int children_kill_strays(struct master *m);

/* Send sig to every worker of every pool. */
void children_signal_all(struct master *m, int sig);

int children_count(const struct master *m);

/* Watch c's output pipes (already in c->out), as after a reload. */
void children_adopt_output(struct master *m, struct child *c);

/* The worker with this pid, or NULL. */
struct child *children_find(struct master *m, pid_t pid);

/* A worker's stdout or stderr is readable. */
void children_output(struct master *m, struct child *c, int stream);
/* Read what c's pipes hold now, log it, pending partial lines as well,
 * and close them: for a zygote the master lets go. */
void children_end_output(struct master *m, struct child *c);

/* ondemand: watch (on = 1) or stop watching p's listening socket. */
void children_watch_listen(struct master *m, struct pool *p, int on);

#endif
