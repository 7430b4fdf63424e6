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

/* waitpid reported pid stopped (status): a worker stopping for the slow
 * log's trace is dumped and let go; any other stop is let go. */
void supervise_trace_stopped(struct master *m, pid_t pid, int status);

/* Read the workers' messages on the control socket: READY, RECYCLE. */
void supervise_messages(struct master *m);

#endif
