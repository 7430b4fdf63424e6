/*
 * pidfile.h - the master's pid file.
 */
#ifndef FPM_PIDFILE_H
#define FPM_PIDFILE_H

/* Write our pid to path atomically (a temporary file renamed over it).
 * Returns 0, or -1 with errno set. */
int pidfile_write(const char *path);

#endif
