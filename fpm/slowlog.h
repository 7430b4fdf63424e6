/*
 * slowlog.h - backtraces of slow requests (request_slowlog_timeout).
 */
#ifndef FPM_SLOWLOG_H
#define FPM_SLOWLOG_H

#include <stddef.h>
#include <sys/types.h>

/* Stop worker pid for a moment and write up to depth frames of its stack
 * into out, one line each.  Returns 0, or -1 with a message in err; the
 * worker runs on either way; errno is EPERM (or EACCES) when the master
 * may not ptrace it.  If it died meanwhile, the wait consumed its
 * exit: *exited is its wait status then (else -1), for the caller to
 * reap it by hand. */
int slowlog_trace(pid_t pid, int depth, char *out, size_t outlen,
    int *exited, char *err, size_t errlen);

#endif
