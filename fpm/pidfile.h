/*
 * pidfile.h - the master's pid file.
 */
#ifndef FPM_PIDFILE_H
#define FPM_PIDFILE_H

#include <sys/types.h>

/* Write our pid to path atomically (a temporary file renamed over it).
 * Returns 0, or -1 with errno set. */
int pidfile_write(const char *path);

/* The pid of another running fpm that holds path, or 0 when the file is
 * missing, stale, or ours (as after a reload, which keeps the pid). */
pid_t pidfile_holder(const char *path);

/* Remove path if it is still our pid file (a regular file holding our
 * pid, in the directory path leads to now); anything else stays. */
void pidfile_remove(const char *path);

#endif
