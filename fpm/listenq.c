/*
 * listenq.c - accept queue length of TCP and unix listening sockets.
 *
 * TCP reports its accept queue in TCP_INFO.  Unix sockets have no such
 * option; the queue is read from the kernel's sock_diag netlink interface
 * (what ss -xl shows as Recv-Q/Send-Q).  The netlink socket is opened per
 * call: stateless and simple, and its cost (three syscalls more) is paid
 * only by the callers that ask - the master when a listening socket
 * becomes readable (ondemand), the status page on request.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <sys/time.h>

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "listenq.h"

#define DIAG_TIMEOUT_MS	100
#define DIAG_SEQ	1	/* the socket is fresh: one request, one seq */
#define DIAG_MAXREAD	4	/* datagrams read before giving up */

static int
sockopt_int(int fd, int level, int name, int *v)
{
	socklen_t len = sizeof(*v);

	return getsockopt(fd, level, name, v, &len);
}

static int
tcp_queue(int fd, struct listenq *q)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1)
		return -1;
	if (len < offsetof(struct tcp_info, tcpi_sacked) +
	    sizeof(ti.tcpi_sacked)) {
		errno = EPROTO;
		return -1;
	}
	/* Only for a listener do these fields mean queue and backlog. */
	if (ti.tcpi_state != TCP_LISTEN) {
		errno = EINVAL;
		return -1;
	}
	q->len = ti.tcpi_unacked;
	q->max = ti.tcpi_sacked;
	return 0;
}

/* A NETLINK_SOCK_DIAG socket connected to the kernel, so that no other
 * process can send to it, with a receive timeout.  Returns the socket and
 * its port id in *portid, or -1. */
static int
diag_open(uint32_t *portid)
{
	struct timeval tv = { 0, DIAG_TIMEOUT_MS * 1000 };
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct sockaddr_nl self;
	socklen_t len = sizeof(self);
	int nl, saved;

	nl = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (nl == -1)
		return -1;
	if (setsockopt(nl, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    connect(nl, (struct sockaddr *)&kernel, sizeof(kernel)) == -1 ||
	    getsockname(nl, (struct sockaddr *)&self, &len) == -1) {
		saved = errno;
		close(nl);
		errno = saved;
		return -1;
	}
	*portid = self.nl_pid;
	return nl;
}

static int
diag_request(int nl, uint32_t ino)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req req;
	} msg;

	memset(&msg, 0, sizeof(msg));
	msg.nlh.nlmsg_len = sizeof(msg);
	msg.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	msg.nlh.nlmsg_flags = NLM_F_REQUEST;
	msg.nlh.nlmsg_seq = DIAG_SEQ;
	msg.req.sdiag_family = AF_UNIX;
	msg.req.udiag_states = ~0U;	/* any state: checked by the caller */
	msg.req.udiag_ino = ino;
	msg.req.udiag_show = UDIAG_SHOW_RQLEN | UDIAG_SHOW_VFS;
	msg.req.udiag_cookie[0] = INET_DIAG_NOCOOKIE;
	msg.req.udiag_cookie[1] = INET_DIAG_NOCOOKIE;
	if (send(nl, &msg, sizeof(msg), 0) == -1)
		return -1;
	return 0;
}

/* What the kernel told of the socket: its queue, and the file it is bound
 * to (a socket bound to no path, or an abstract one, has none). */
struct diag_answer {
	struct unix_diag_rqlen rql;
	struct unix_diag_vfs vfs;
	int state;
	int has_rql, has_vfs;
};

/* Pick UNIX_DIAG_RQLEN and UNIX_DIAG_VFS among the attributes after the
 * unix_diag_msg. */
static void
diag_attrs(const struct nlmsghdr *nlh, struct diag_answer *a)
{
	const char *p = (const char *)NLMSG_DATA(nlh) +
	    NLMSG_ALIGN(sizeof(struct unix_diag_msg));
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const struct nlattr *nla;
	int type;

	while (end - p >= NLA_HDRLEN) {
		nla = (const struct nlattr *)p;
		if (nla->nla_len < NLA_HDRLEN || nla->nla_len > end - p)
			break;
		type = nla->nla_type & NLA_TYPE_MASK;
		if (type == UNIX_DIAG_RQLEN &&
		    nla->nla_len >= NLA_HDRLEN + sizeof(a->rql)) {
			memcpy(&a->rql, p + NLA_HDRLEN, sizeof(a->rql));
			a->has_rql = 1;
		}
		if (type == UNIX_DIAG_VFS &&
		    nla->nla_len >= NLA_HDRLEN + sizeof(a->vfs)) {
			memcpy(&a->vfs, p + NLA_HDRLEN, sizeof(a->vfs));
			a->has_vfs = 1;
		}
		p += NLA_ALIGN(nla->nla_len);
	}
}

/* One message of the reply.  Returns 1 when it answered the request (a
 * filled in), 0 when it is not ours, -1 on an error reported or a reply
 * that makes no sense. */
static int
diag_message(const struct nlmsghdr *nlh, uint32_t portid, uint32_t ino,
    struct diag_answer *a)
{
	const struct nlmsgerr *err;
	const struct unix_diag_msg *udm;

	if (nlh->nlmsg_seq != DIAG_SEQ || nlh->nlmsg_pid != portid)
		return 0;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		err = NLMSG_DATA(nlh);
		if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*err)) ||
		    err->error >= 0)
			errno = EPROTO;		/* truncated, or an ack */
		else
			errno = -err->error;
		return -1;
	}
	udm = NLMSG_DATA(nlh);
	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*udm)) ||
	    udm->udiag_family != AF_UNIX || udm->udiag_ino != ino) {
		errno = EPROTO;
		return -1;
	}
	a->state = udm->udiag_state;
	diag_attrs(nlh, a);
	return 1;
}

/* Read datagrams until one answers the request.  The socket is connected
 * to the kernel and fresh, so the first should; the bound only keeps a
 * confused kernel from holding us longer than a few timeouts. */
static int
diag_reply(int nl, uint32_t portid, uint32_t ino, struct diag_answer *a)
{
	union {
		struct nlmsghdr nlh;
		char buf[8192];
	} u;
	const struct nlmsghdr *nlh;
	ssize_t n;
	size_t left;
	int i, rc;

	for (i = 0; i < DIAG_MAXREAD; i++) {
		/* MSG_TRUNC: n is the datagram's length, even if longer. */
		n = recv(nl, &u, sizeof(u), MSG_TRUNC);
		if (n == -1)
			return -1;
		if ((size_t)n > sizeof(u)) {
			errno = EMSGSIZE;
			return -1;
		}
		left = (size_t)n;
		for (nlh = &u.nlh; NLMSG_OK(nlh, left);
		    nlh = NLMSG_NEXT(nlh, left)) {
			rc = diag_message(nlh, portid, ino, a);
			if (rc != 0)
				return rc == 1 ? 0 : -1;
		}
		if (left != 0) {
			errno = EPROTO;		/* a truncated message */
			return -1;
		}
	}
	errno = EAGAIN;
	return -1;
}

static int
unix_diag(int fd, struct diag_answer *a)
{
	struct stat st;
	uint32_t portid;
	int nl, rc, saved;

	if (fstat(fd, &st) == -1)
		return -1;
	if ((uint32_t)st.st_ino != st.st_ino) {	/* unix_diag_req: 32 bits */
		errno = EOVERFLOW;
		return -1;
	}
	if ((nl = diag_open(&portid)) == -1)
		return -1;
	rc = diag_request(nl, (uint32_t)st.st_ino);
	if (rc == 0)
		rc = diag_reply(nl, portid, (uint32_t)st.st_ino, a);
	saved = errno;
	close(nl);
	errno = saved;
	return rc;
}

static int
unix_queue(int fd, struct listenq *q)
{
	struct diag_answer a = { .has_rql = 0 };

	if (unix_diag(fd, &a) == -1)
		return -1;
	/* rqueue/wqueue mean queue and backlog only for a listener. */
	if (a.state != TCP_LISTEN) {
		errno = EINVAL;
		return -1;
	}
	if (!a.has_rql) {
		errno = EPROTO;
		return -1;
	}
	q->len = a.rql.udiag_rqueue;
	q->max = a.rql.udiag_wqueue;
	return 0;
}

int
listenq_read(int fd, struct listenq *q)
{
	struct listenq r;
	int domain, type, proto, listening;

	if (sockopt_int(fd, SOL_SOCKET, SO_DOMAIN, &domain) == -1 ||
	    sockopt_int(fd, SOL_SOCKET, SO_TYPE, &type) == -1 ||
	    sockopt_int(fd, SOL_SOCKET, SO_PROTOCOL, &proto) == -1 ||
	    sockopt_int(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening) == -1)
		return -1;
	if (domain != AF_INET && domain != AF_INET6 && domain != AF_UNIX) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (type != SOCK_STREAM || (domain != AF_UNIX && proto != IPPROTO_TCP)) {
		errno = EOPNOTSUPP;
		return -1;
	}
	/* The errno accept(2) gives on a socket that is not listening. */
	if (!listening) {
		errno = EINVAL;
		return -1;
	}
	if ((domain == AF_UNIX ? unix_queue(fd, &r) : tcp_queue(fd, &r)) == -1)
		return -1;
	*q = r;
	return 0;
}

int
listenq_bound_file(int fd, dev_t *dev, ino_t *ino)
{
	struct diag_answer a = { .has_vfs = 0 };

	if (unix_diag(fd, &a) == -1)
		return -1;
	if (!a.has_vfs) {
		errno = ENOENT;
		return -1;
	}
	/* The kernel's own dev_t encoding (major << 20 | minor), not the
	 * one stat(2) gives. */
	*dev = makedev(a.vfs.udiag_vfs_dev >> 20, a.vfs.udiag_vfs_dev & 0xfffff);
	*ino = a.vfs.udiag_vfs_ino;
	return 0;
}
