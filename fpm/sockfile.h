/*
 * sockfile.h - the file of a unix listening socket, which often lies in a
 * directory its pool's user owns.  Its owner and mode are set, and it is
 * removed, only once the kernel confirms that the path still leads to
 * this socket's own file, and then through a descriptor of that file (or
 * of its directory): a symbolic link or another file swapped in its place
 * is never chown'ed, chmod'ed or removed.
 */
#ifndef FPM_SOCKFILE_H
#define FPM_SOCKFILE_H

#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

/* Give the file of the bound unix socket fd at path the owner uid:gid
 * (-1: unchanged) and mode.  Returns 0, or -1 with a message in err (the
 * path no longer leads to fd's file, or a system call failed). */
int sockfile_set_perms(int fd, const char *path, uid_t uid, gid_t gid,
    mode_t mode, char *err, size_t errlen);

/* Remove path if it is still the file of the bound unix socket fd (call
 * before closing fd).  Returns 0 (removed, or already gone), or -1 with a
 * message in err: a file that is not fd's is left alone. */
int sockfile_unlink(int fd, const char *path, char *err, size_t errlen);

/* Remove the file of a dead server's socket at path (sa, len its address):
 * none there, or one that accepts no connection.  Returns 0, or -1 with a
 * message in err: a file that is not a socket, or a live server's. */
int sockfile_clear_stale(const char *path, const struct sockaddr *sa,
    socklen_t len, char *err, size_t errlen);

#endif
