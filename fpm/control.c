/*
 * control.c - messages from workers to the master.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "control.h"

int
ctl_open(int *master_end, int *worker_end)
{
	struct timeval tv = { 1, 0 };
	int sv[2], one = 1;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return -1;
	if (setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one,
	    sizeof(one)) != 0 ||
	    setsockopt(sv[1], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
	    shutdown(sv[1], SHUT_RD) != 0) {
		int e = errno;

		close(sv[0]);
		close(sv[1]);
		errno = e;
		return -1;
	}
	*master_end = sv[0];
	*worker_end = sv[1];
	return 0;
}

int
ctl_send(int fd, uint32_t type, uint32_t reason, uint64_t value)
{
	struct ctl_msg msg = { type, reason, value };
	ssize_t n;

	do
		n = send(fd, &msg, sizeof(msg), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(msg) ? 0 : -1;
}

int
ctl_recv(int fd, struct ctl_msg *msg, pid_t *pid)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct iovec iov = { msg, sizeof(*msg) };
	struct msghdr mh = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = u.buf, .msg_controllen = sizeof(u.buf),
	};
	struct cmsghdr *cm;
	ssize_t n;

	n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -1;
	if (n != (ssize_t)sizeof(*msg) || (mh.msg_flags & MSG_TRUNC)) {
		errno = EBADMSG;
		return -1;
	}
	for (cm = CMSG_FIRSTHDR(&mh); cm != NULL; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_CREDENTIALS) {
			struct ucred cr;

			memcpy(&cr, CMSG_DATA(cm), sizeof(cr));
			*pid = cr.pid;
			return 0;
		}
	}
	errno = EBADMSG;
	return -1;
}
