/*
 * supervise.h - watching running workers: timeouts and their messages.
 */
#ifndef FPM_SUPERVISE_H
#define FPM_SUPERVISE_H

#include "master.h"

/* Requests past request_terminate_timeout (SIGTERM, then SIGKILL) and
 * retired workers past process_control_timeout (SIGKILL).  Asks the loop
 * to wake for the next deadline. */
void supervise_timeouts(struct master *m, long long now);

/* The child pid, reaped with status, was a slow log's tracer: what it
 * left undone is done (a worker denied to ptrace is asked for its own
 * stack).  Returns 1 if it was one, 0 if pid is no tracer. */
int supervise_tracer_exited(struct master *m, pid_t pid, int status);

/* End every trace under way (SIGKILL its tracer, reap it): before the
 * master exits or executes a new one. */
void supervise_end_traces(struct master *m);

/* Read the workers' messages on the control socket: READY, RECYCLE. */
void supervise_messages(struct master *m);

#endif
