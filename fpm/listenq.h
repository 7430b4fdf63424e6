/*
 * listenq.h - the accept queue of a listening socket: how many connections
 * wait to be accepted, and how many may.  php-fpm reports this ("listen
 * queue") for TCP only; we read it for unix stream sockets too.
 */
#ifndef FPM_LISTENQ_H
#define FPM_LISTENQ_H

#include <sys/types.h>

struct listenq {
	unsigned len;	/* connections waiting to be accepted now */
	unsigned max;	/* the queue's limit (the effective backlog) */
};

/* Read the accept queue of the listening socket fd: a TCP socket (IPv4 or
 * IPv6) or a unix stream socket.  max is the backlog given to listen(2) as
 * the kernel clamped it (net.core.somaxconn).  The kernel admits a
 * connection while len <= max, so a full queue shows len == max + 1.
 *
 * A unix socket is looked up by inode through sock_diag in the caller's
 * network namespace; that needs unix_diag in the kernel (ENOENT without it,
 * as for a socket of another namespace).  The call does not block: the
 * kernel answers within the request's send(2), and a missing answer is
 * awaited 100 ms at most (then EAGAIN).
 *
 * Returns 0, or -1 with errno set and *q untouched: EBADF, ENOTSOCK;
 * EAFNOSUPPORT for a socket of another family, EOPNOTSUPP for one that is
 * not a stream (or is SCTP), EINVAL for one that is not listening; else
 * what the kernel said. */
int listenq_read(int fd, struct listenq *q);

/* The file the listening unix socket fd is bound to, as the kernel knows
 * it (sock_diag's UNIX_DIAG_VFS): what a path must lead to before fpm
 * touches it as this socket's.  Only the low 32 bits of the inode number
 * are reported.  Returns 0, or -1 with errno: ENOENT for a socket bound
 * to no file (abstract), else as listenq_read. */
int listenq_bound_file(int fd, dev_t *dev, ino_t *ino);

#endif
