/*
 * slowlog.h - backtraces of slow requests (request_slowlog_timeout).
 */
#ifndef FPM_SLOWLOG_H
#define FPM_SLOWLOG_H

#include <stddef.h>
#include <sys/types.h>

struct sb_stack_layout;

/* Stop worker pid for a moment and write up to depth frames of its stack
 * into out, one line each: first its script frames, when stack says where
 * they are (a PHP worker's), then its native frames.  Returns 0, or -1 with a message in err; the
 * worker runs on either way; errno is EPERM (or EACCES) when the master
 * may not ptrace it.  If it died meanwhile, the wait consumed its
 * exit: *exited is its wait status then (else -1), for the caller to
 * reap it by hand. */
int slowlog_trace(pid_t pid, const struct sb_stack_layout *stack, int depth,
    char *out, size_t outlen, int *exited, char *err, size_t errlen);

#endif
