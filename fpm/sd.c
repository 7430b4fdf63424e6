/*
 * sd.c - systemd notifications and socket activation, by the protocol of
 * sd_notify(3) and sd_listen_fds(3) rather than through libsystemd.
 *
 * A notification is one datagram per call from a fresh socket: the master
 * sends a handful in its life (ready, reloading, stopping), so a socket
 * kept open would only be one more fd to keep out of the workers.  No
 * credentials are attached by hand: the manager's socket has SO_PASSCRED,
 * so the kernel tells it our pid.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sd.h"

#define LISTEN_FDS_START	3	/* SD_LISTEN_FDS_START */

/* The address $NOTIFY_SOCKET names.  An abstract name's length counts no
 * trailing NUL: the kernel compares every byte of it. */
static int
notify_addr(const char *e, struct sockaddr_un *un, socklen_t *len)
{
	size_t n = strlen(e);

	if (e[0] != '/' && e[0] != '@') {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (n + (e[0] == '/') > sizeof(un->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memset(un, 0, sizeof(*un));
	un->sun_family = AF_UNIX;
	memcpy(un->sun_path, e, n);
	*len = offsetof(struct sockaddr_un, sun_path) + n;
	if (e[0] == '@')
		un->sun_path[0] = '\0';
	else
		*len += 1;
	return 0;
}

static int
send_datagram(const struct sockaddr_un *un, socklen_t alen, const char *msg,
    size_t len)
{
	ssize_t n;
	int fd, e;

	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	do
		n = sendto(fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL,
		    (const struct sockaddr *)un, alen);
	while (n == -1 && errno == EINTR);
	e = errno;
	close(fd);
	errno = e;
	return n == -1 ? -1 : 1;	/* a datagram goes whole or not */
}

int
sd_notifyf(const char *fmt, ...)
{
	struct sockaddr_un un;
	socklen_t alen;
	const char *e;
	va_list ap;
	char *msg;
	int n, r;

	if ((e = getenv("NOTIFY_SOCKET")) == NULL)
		return 0;
	if (notify_addr(e, &un, &alen) == -1)
		return -1;
	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0) {
		errno = ENOMEM;
		return -1;
	}
	r = send_datagram(&un, alen, msg, (size_t)n);
	free(msg);		/* keeps errno, as glibc's has since 2.33 */
	return r;
}

int
sd_notify_reloading(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return -1;
	return sd_notifyf("RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000 +
	    (unsigned long long)ts.tv_nsec / 1000);
}

/* A decimal number of digits alone (no sign, no space) up to max.
 * Returns 0, or -1 with EINVAL. */
static int
parse_count(const char *s, long long max, long long *v)
{
	long long n = 0;

	if (*s == '\0') {
		errno = EINVAL;
		return -1;
	}
	for (; *s != '\0'; s++) {
		int d = *s - '0';

		if (d < 0 || d > 9 || n > (max - d) / 10) {
			errno = EINVAL;
			return -1;
		}
		n = n * 10 + d;
	}
	*v = n;
	return 0;
}

/* Name the n sockets from LISTEN_FDNAMES: exactly n colon-separated
 * names, each shorter than the name buffer.  Returns 0, or -1 with
 * EINVAL. */
static int
split_names(const char *names, struct sd_socket *s, long long n)
{
	const char *p = names, *colon;
	size_t len;
	long long i;

	for (i = 0; i < n; i++) {
		colon = strchr(p, ':');
		len = colon != NULL ? (size_t)(colon - p) : strlen(p);
		if ((colon == NULL) != (i == n - 1) ||
		    len >= sizeof(s[i].name)) {
			errno = EINVAL;
			return -1;
		}
		memcpy(s[i].name, p, len);
		s[i].name[len] = '\0';
		if (colon != NULL)
			p = colon + 1;
	}
	return 0;
}

/* sd_listen_sockets() but for the environment.  Every check comes before
 * the first F_SETFD, so a failure leaves the fds as they were. */
static int
take_sockets(struct sd_socket **out)
{
	const char *pid_s, *fds_s, *names;
	struct sd_socket *s;
	long long pid, n, i;
	int fl;

	pid_s = getenv("LISTEN_PID");
	fds_s = getenv("LISTEN_FDS");
	if (pid_s == NULL || fds_s == NULL)
		return 0;
	if (parse_count(pid_s, INT_MAX, &pid) == -1)
		return -1;
	if (pid != getpid())
		return 0;	/* meant for a process we descend from */
	if (parse_count(fds_s, INT_MAX - LISTEN_FDS_START, &n) == -1)
		return -1;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (fcntl(LISTEN_FDS_START + (int)i, F_GETFD) == -1)
			return -1;
	if ((s = calloc((size_t)n, sizeof(*s))) == NULL)
		return -1;
	names = getenv("LISTEN_FDNAMES");
	if (names != NULL && split_names(names, s, n) == -1) {
		free(s);
		return -1;
	}
	for (i = 0; i < n; i++) {
		s[i].fd = LISTEN_FDS_START + (int)i;
		if ((fl = fcntl(s[i].fd, F_GETFD)) == -1 ||
		    fcntl(s[i].fd, F_SETFD, fl | FD_CLOEXEC) == -1) {
			free(s);
			return -1;
		}
	}
	*out = s;
	return (int)n;
}

int
sd_listen_sockets(struct sd_socket **out)
{
	int n, e;

	*out = NULL;
	n = take_sockets(out);
	e = errno;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	errno = e;
	return n;
}
