/*
 * slowlog.h - backtraces of slow requests (request_slowlog_timeout).
 */
#ifndef FPM_SLOWLOG_H
#define FPM_SLOWLOG_H

#include <stddef.h>
#include <sys/types.h>

struct sb_stack_layout;

/* Ask worker pid to stop for a trace (PTRACE_SEIZE, PTRACE_INTERRUPT),
 * without waiting.  Returns 0, or -1 with a message in err; errno is
 * EPERM (or EACCES) when we may not ptrace it. */
int slowlog_seize(pid_t pid, char *err, size_t errlen);

/* Wait for the seized pid to stop, however long it takes (in a tracer
 * the master kills at a deadline, never in the master): 1 stopped
 * (*status its wait status), 0 gone. */
int slowlog_wait(pid_t pid, int *status);

/* The stopped pid (status: its wait status): up to depth frames of its
 * stack into out, one line each: first its script frames, when stack
 * says where they are (a PHP worker's), then its native frames.  Then it
 * is detached, and runs on.  Returns 0, or -1 with a message in err. */
int slowlog_dump(pid_t pid, int status, const struct sb_stack_layout *stack,
    int depth, char *out, size_t outlen, char *err, size_t errlen);

/* Detach the stopped pid without a trace; a signal whose delivery the
 * stop was is delivered. */
void slowlog_release(pid_t pid, int status);

#endif
