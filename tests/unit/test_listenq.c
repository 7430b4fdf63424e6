/*
 * test_listenq.c - accept queue of TCP (IPv4, IPv6) and unix listeners,
 * on real loopback sockets.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "listenq.h"

#define BACKLOG		7
#define CLIENTS		3

/* A listener, where to reach it, and the connections a test made to it;
 * for unix, the temp dir to remove.  A test's teardown closes it all, so
 * a failed assertion leaves nothing behind. */
struct server {
	int fd;			/* -1: the family has no loopback here */
	struct sockaddr_storage ss;
	socklen_t len;
	char dir[64];
	int c[CLIENTS];		/* clients, -1 when not connected */
	int a;			/* the accepted connection, or -1 */
};

static struct server *
server_new(void)
{
	struct server *s;
	int i;

	s = calloc(1, sizeof(*s));
	assert_non_null(s);
	s->fd = s->a = -1;
	for (i = 0; i < CLIENTS; i++)
		s->c[i] = -1;
	return s;
}

/* Listen on loopback, port 0, in family.  Without that loopback (IPv6
 * disabled) s->fd stays -1 and the test skips. */
static int
inet_up(void **state, int family)
{
	struct server *s = server_new();
	struct sockaddr_in *in = (struct sockaddr_in *)&s->ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&s->ss;
	int fd;

	*state = s;
	if (family == AF_INET) {
		in->sin_family = AF_INET;
		in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		s->len = sizeof(*in);
	} else {
		in6->sin6_family = AF_INET6;
		in6->sin6_addr = in6addr_loopback;
		s->len = sizeof(*in6);
	}
	if ((fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return family == AF_INET6 ? 0 : -1;
	if (bind(fd, (struct sockaddr *)&s->ss, s->len) == -1) {
		close(fd);
		return family == AF_INET6 ? 0 : -1;
	}
	s->fd = fd;
	if (getsockname(fd, (struct sockaddr *)&s->ss, &s->len) == -1 ||
	    listen(fd, BACKLOG) == -1)
		return -1;
	return 0;
}

static int
ipv4_up(void **state)
{
	return inet_up(state, AF_INET);
}

static int
ipv6_up(void **state)
{
	return inet_up(state, AF_INET6);
}

static int
unix_up(void **state)
{
	struct server *s = server_new();
	struct sockaddr_un *un = (struct sockaddr_un *)&s->ss;

	*state = s;
	snprintf(s->dir, sizeof(s->dir), "/tmp/test_listenq.XXXXXX");
	if (mkdtemp(s->dir) == NULL) {
		s->dir[0] = '\0';
		return -1;
	}
	un->sun_family = AF_UNIX;
	snprintf(un->sun_path, sizeof(un->sun_path), "%s/s.sock", s->dir);
	s->len = sizeof(*un);
	if ((s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(s->fd, (struct sockaddr *)&s->ss, s->len) == -1 ||
	    listen(s->fd, BACKLOG) == -1)
		return -1;
	return 0;
}

static int
server_down(void **state)
{
	struct server *s = *state;
	int i;

	for (i = 0; i < CLIENTS; i++)
		if (s->c[i] != -1)
			close(s->c[i]);
	if (s->a != -1)
		close(s->a);
	if (s->fd != -1)
		close(s->fd);
	if (s->dir[0] != '\0') {
		unlink(((struct sockaddr_un *)&s->ss)->sun_path);
		rmdir(s->dir);
	}
	free(s);
	return 0;
}

static int
client_connect(const struct server *s)
{
	int fd;

	fd = socket(s->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_not_equal(fd, -1);
	if (connect(fd, (const struct sockaddr *)&s->ss, s->len) == -1) {
		close(fd);
		fail_msg("connect: %s", strerror(errno));
	}
	return fd;
}

/* A TCP connection enters the accept queue when the server has the
 * client's last ACK, which may be just after connect() returned: poll for
 * want, with a deadline of about a second. */
static struct listenq
queue_when(int fd, unsigned want)
{
	struct timespec ms = { 0, 1000 * 1000 };
	struct listenq q;
	int i;

	for (i = 0; i < 1000; i++) {
		assert_int_equal(listenq_read(fd, &q), 0);
		if (q.len == want)
			break;
		nanosleep(&ms, NULL);
	}
	return q;
}

static struct server *
listening(void **state)
{
	struct server *s = *state;

	if (s->fd == -1)
		fail_msg("the listener could not be created");
	return s;
}

/* The narrative each family follows, one step per test. */
static void
idle_listener(void **state)
{
	struct server *s = listening(state);
	struct listenq q = { 99, 99 };

	assert_int_equal(listenq_read(s->fd, &q), 0);
	assert_int_equal(q.len, 0);
	assert_int_equal(q.max, BACKLOG);
}

static void
clients_waiting(struct server *s)
{
	struct listenq q;
	int i;

	for (i = 0; i < CLIENTS; i++)
		s->c[i] = client_connect(s);
	q = queue_when(s->fd, CLIENTS);
	assert_int_equal(q.len, CLIENTS);
	assert_int_equal(q.max, BACKLOG);
}

static void
connections_not_accepted(void **state)
{
	clients_waiting(listening(state));
}

static void
one_accepted(void **state)
{
	struct server *s = listening(state);
	struct listenq q;

	clients_waiting(s);
	s->a = accept(s->fd, NULL, NULL);
	assert_int_not_equal(s->a, -1);
	q = queue_when(s->fd, CLIENTS - 1);
	assert_int_equal(q.len, CLIENTS - 1);
	assert_int_equal(q.max, BACKLOG);
}

static void
expect_error(int fd, int err)
{
	struct listenq q = { 99, 98 };

	errno = 0;
	assert_int_equal(listenq_read(fd, &q), -1);
	assert_int_equal(errno, err);
	assert_int_equal(q.len, 99);		/* untouched on error */
	assert_int_equal(q.max, 98);
}

/* ---- TCP over IPv4 --------------------------------------------------------- */

static void
idle_ipv4_listener_has_an_empty_queue_as_long_as_its_backlog(void **state)
{
	idle_listener(state);
}

static void
ipv4_connections_not_yet_accepted_are_in_the_queue(void **state)
{
	connections_not_accepted(state);
}

static void
accepting_an_ipv4_connection_takes_it_off_the_queue(void **state)
{
	one_accepted(state);
}

/* ---- TCP over IPv6 (skipped without ::1) ----------------------------------- */

static void
idle_ipv6_listener_has_an_empty_queue_as_long_as_its_backlog(void **state)
{
	idle_listener(state);
}

static void
ipv6_connections_not_yet_accepted_are_in_the_queue(void **state)
{
	connections_not_accepted(state);
}

static void
accepting_an_ipv6_connection_takes_it_off_the_queue(void **state)
{
	one_accepted(state);
}

/* ---- unix stream ----------------------------------------------------------- */

static void
idle_unix_listener_has_an_empty_queue_as_long_as_its_backlog(void **state)
{
	idle_listener(state);
}

static void
unix_connections_not_yet_accepted_are_in_the_queue(void **state)
{
	connections_not_accepted(state);
}

static void
accepting_a_unix_connection_takes_it_off_the_queue(void **state)
{
	one_accepted(state);
}

/* ---- what is not a listening stream socket --------------------------------- */

static void
tcp_socket_that_is_not_listening_is_refused_with_einval(void **state)
{
	struct server *s = listening(state);

	s->c[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_not_equal(s->c[1], -1);
	expect_error(s->c[1], EINVAL);		/* never bound */

	s->c[0] = client_connect(s);
	s->a = accept(s->fd, NULL, NULL);
	assert_int_not_equal(s->a, -1);
	expect_error(s->c[0], EINVAL);		/* either end of a connection */
	expect_error(s->a, EINVAL);
}

static void
unix_socket_that_is_not_listening_is_refused_with_einval(void **state)
{
	struct server *s = listening(state);

	s->c[0] = client_connect(s);
	s->a = accept(s->fd, NULL, NULL);
	assert_int_not_equal(s->a, -1);
	expect_error(s->c[0], EINVAL);
	expect_error(s->a, EINVAL);
}

/* The descriptor under test, closed by the teardown. */
static int
fd_up(void **state)
{
	int *fd;

	fd = malloc(sizeof(*fd));
	if (fd == NULL)
		return -1;
	*fd = -1;
	*state = fd;
	return 0;
}

static int
fd_down(void **state)
{
	int *fd = *state;

	if (*fd != -1)
		close(*fd);
	free(fd);
	return 0;
}

static void
udp_socket_is_refused_with_eopnotsupp(void **state)
{
	int *fd = *state;

	*fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_not_equal(*fd, -1);
	expect_error(*fd, EOPNOTSUPP);
}

static void
unix_datagram_socket_is_refused_with_eopnotsupp(void **state)
{
	int *fd = *state;

	*fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_not_equal(*fd, -1);
	expect_error(*fd, EOPNOTSUPP);
}

static void
socket_of_another_family_is_refused_with_eafnosupport(void **state)
{
	int *fd = *state;

	*fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (*fd == -1)
		fail_msg("socket(AF_NETLINK) failed");
	expect_error(*fd, EAFNOSUPPORT);
}

static void
pipe_is_refused_with_enotsock(void **state)
{
	int *fd = *state;
	int p[2];

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	close(p[1]);
	*fd = p[0];
	expect_error(*fd, ENOTSOCK);
}

static void
closed_descriptor_is_refused_with_ebadf(void **state)
{
	int fd;

	(void)state;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_not_equal(fd, -1);
	close(fd);
	expect_error(fd, EBADF);
}

#define SERVER_TEST(f, up) cmocka_unit_test_setup_teardown(f, up, server_down)
#define FD_TEST(f) cmocka_unit_test_setup_teardown(f, fd_up, fd_down)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		SERVER_TEST(
		    idle_ipv4_listener_has_an_empty_queue_as_long_as_its_backlog,
		    ipv4_up),
		SERVER_TEST(ipv4_connections_not_yet_accepted_are_in_the_queue,
		    ipv4_up),
		SERVER_TEST(accepting_an_ipv4_connection_takes_it_off_the_queue,
		    ipv4_up),
		SERVER_TEST(
		    idle_ipv6_listener_has_an_empty_queue_as_long_as_its_backlog,
		    ipv6_up),
		SERVER_TEST(ipv6_connections_not_yet_accepted_are_in_the_queue,
		    ipv6_up),
		SERVER_TEST(accepting_an_ipv6_connection_takes_it_off_the_queue,
		    ipv6_up),
		SERVER_TEST(
		    idle_unix_listener_has_an_empty_queue_as_long_as_its_backlog,
		    unix_up),
		SERVER_TEST(unix_connections_not_yet_accepted_are_in_the_queue,
		    unix_up),
		SERVER_TEST(accepting_a_unix_connection_takes_it_off_the_queue,
		    unix_up),
		SERVER_TEST(
		    tcp_socket_that_is_not_listening_is_refused_with_einval,
		    ipv4_up),
		SERVER_TEST(
		    unix_socket_that_is_not_listening_is_refused_with_einval,
		    unix_up),
		FD_TEST(udp_socket_is_refused_with_eopnotsupp),
		FD_TEST(unix_datagram_socket_is_refused_with_eopnotsupp),
		FD_TEST(socket_of_another_family_is_refused_with_eafnosupport),
		FD_TEST(pipe_is_refused_with_enotsock),
		cmocka_unit_test(closed_descriptor_is_refused_with_ebadf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
