/*
 * test_sd.c - systemd notifications, received on a real datagram socket,
 * and socket activation, with real sockets at fds 3 and 4 of a child.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sd.h"

#define HIGH_FD		64	/* above the fds a child hands out */

/* ---- notifications ------------------------------------------------------- */

/* The manager's end: a datagram socket bound to a path in a temp dir, or
 * to an abstract name.  The teardown closes and removes it and unsets
 * NOTIFY_SOCKET, so a failed assertion leaves nothing behind. */
struct manager {
	int fd;			/* -1 once a test closed it */
	char dir[64];		/* "" for an abstract socket */
	struct sockaddr_un un;
};

static struct manager *
manager_new(void **state)
{
	struct manager *m;

	m = calloc(1, sizeof(*m));
	assert_non_null(m);
	m->un.sun_family = AF_UNIX;
	*state = m;
	m->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return m;
}

static int
path_up(void **state)
{
	struct manager *m = manager_new(state);

	snprintf(m->dir, sizeof(m->dir), "/tmp/test_sd.XXXXXX");
	if (m->fd == -1 || mkdtemp(m->dir) == NULL) {
		m->dir[0] = '\0';
		return -1;
	}
	snprintf(m->un.sun_path, sizeof(m->un.sun_path), "%s/notify", m->dir);
	if (bind(m->fd, (struct sockaddr *)&m->un, sizeof(m->un)) == -1)
		return -1;
	return setenv("NOTIFY_SOCKET", m->un.sun_path, 1);
}

static int
abstract_up(void **state)
{
	struct manager *m = manager_new(state);
	char name[64];
	socklen_t len;

	snprintf(name, sizeof(name), "@fpm/test_sd/%d/%ld", (int)getpid(),
	    (long)time(NULL));
	memcpy(m->un.sun_path, name, strlen(name));
	m->un.sun_path[0] = '\0';
	len = offsetof(struct sockaddr_un, sun_path) + strlen(name);
	if (m->fd == -1 || bind(m->fd, (struct sockaddr *)&m->un, len) == -1)
		return -1;
	return setenv("NOTIFY_SOCKET", name, 1);
}

static int
manager_down(void **state)
{
	struct manager *m = *state;

	if (m->fd != -1)
		close(m->fd);
	if (m->dir[0] != '\0') {
		unlink(m->un.sun_path);
		rmdir(m->dir);
	}
	free(m);
	unsetenv("NOTIFY_SOCKET");
	return 0;
}

/* The next datagram, which must have come already: sending is synchronous
 * on a unix socket. */
static void
received(struct manager *m, char *buf, size_t size)
{
	ssize_t n;

	n = recv(m->fd, buf, size - 1, MSG_DONTWAIT | MSG_TRUNC);
	if (n == -1)
		fail_msg("recv: %s", strerror(errno));
	assert_in_range(n, 0, size - 1);
	buf[n] = '\0';
}

static void
nothing_more(struct manager *m)
{
	char c;

	assert_int_equal(recv(m->fd, &c, 1, MSG_DONTWAIT), -1);
	assert_int_equal(errno, EAGAIN);
}

static void
expect_failure(int err)
{
	errno = 0;
	assert_int_equal(sd_notifyf("READY=1"), -1);
	assert_int_equal(errno, err);
}

static unsigned long long
monotonic_usec(void)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return (unsigned long long)ts.tv_sec * 1000000 +
	    (unsigned long long)ts.tv_nsec / 1000;
}

static void
each_notification_arrives_as_formatted_in_a_datagram_of_its_own(
    void **state)
{
	struct manager *m = *state;
	char buf[256];

	assert_int_equal(sd_notifyf("READY=1\nSTATUS=%d workers in %s", 3,
	    "www"), 1);
	assert_int_equal(sd_notifyf("STOPPING=1"), 1);
	received(m, buf, sizeof(buf));
	assert_string_equal(buf, "READY=1\nSTATUS=3 workers in www");
	received(m, buf, sizeof(buf));
	assert_string_equal(buf, "STOPPING=1");
	nothing_more(m);
}

static void
abstract_socket_named_with_an_at_sign_gets_the_notification(void **state)
{
	struct manager *m = *state;
	char buf[64];

	assert_int_equal(sd_notifyf("READY=1"), 1);
	received(m, buf, sizeof(buf));
	assert_string_equal(buf, "READY=1");
	nothing_more(m);
}

static void
long_status_arrives_whole(void **state)
{
	struct manager *m = *state;
	char status[4001], buf[8192];

	memset(status, 'x', sizeof(status) - 1);
	status[sizeof(status) - 1] = '\0';
	assert_int_equal(sd_notifyf("STATUS=%s", status), 1);
	received(m, buf, sizeof(buf));
	assert_int_equal(strlen(buf), strlen("STATUS=") + strlen(status));
	assert_memory_equal(buf + strlen("STATUS="), status, strlen(status));
}

static void
reloading_carries_monotonic_usec_of_now(void **state)
{
	struct manager *m = *state;
	unsigned long long before, after, usec;
	char buf[128];
	int end = -1;

	before = monotonic_usec();
	assert_int_equal(sd_notify_reloading(), 1);
	after = monotonic_usec();
	received(m, buf, sizeof(buf));
	assert_int_equal(sscanf(buf, "RELOADING=1\nMONOTONIC_USEC=%llu%n",
	    &usec, &end), 1);
	assert_int_equal(end, strlen(buf));	/* and nothing after it */
	assert_in_range(usec, before, after);
}

static void
full_notify_socket_fails_with_eagain_instead_of_blocking(void **state)
{
	int i, r = 0;

	(void)state;
	alarm(10);		/* a send that blocks ends the run here */
	for (i = 0; i < 100000 && (r = sd_notifyf("STATUS=%d", i)) == 1; i++)
		continue;
	alarm(0);
	assert_int_equal(r, -1);
	assert_int_equal(errno, EAGAIN);
}

static void
notify_socket_whose_reader_is_gone_fails_without_sigpipe(void **state)
{
	struct manager *m = *state;
	void (*old)(int);

	old = signal(SIGPIPE, SIG_DFL);	/* a SIGPIPE would end the run */
	close(m->fd);
	m->fd = -1;
	expect_failure(ECONNREFUSED);
	signal(SIGPIPE, old);
}

static void
unset_notify_socket_sends_nothing_and_returns_0(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sd_notifyf("READY=1"), 0);
	assert_int_equal(sd_notify_reloading(), 0);
}

static void
notify_socket_pointing_nowhere_fails_with_enoent(void **state)
{
	struct manager *m = *state;
	char path[128];

	snprintf(path, sizeof(path), "%s/nowhere", m->dir);
	assert_int_equal(setenv("NOTIFY_SOCKET", path, 1), 0);
	expect_failure(ENOENT);
}

static void
notify_socket_that_is_not_an_address_fails_with_eafnosupport(void **state)
{
	(void)state;
	assert_int_equal(setenv("NOTIFY_SOCKET", "run/notify", 1), 0);
	expect_failure(EAFNOSUPPORT);
	assert_int_equal(setenv("NOTIFY_SOCKET", "", 1), 0);
	expect_failure(EAFNOSUPPORT);
}

static void
notify_socket_too_long_for_an_address_fails_with_enametoolong(void **state)
{
	struct sockaddr_un un;
	char path[sizeof(un.sun_path) + 2];

	(void)state;
	memset(path, 'a', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	path[0] = '@';				/* 109 bytes: one too many */
	assert_int_equal(setenv("NOTIFY_SOCKET", path, 1), 0);
	expect_failure(ENAMETOOLONG);
	path[sizeof(path) - 2] = '\0';		/* 108: fits */
	assert_int_equal(setenv("NOTIFY_SOCKET", path, 1), 0);
	expect_failure(ECONNREFUSED);
	path[0] = '/';				/* 108 + NUL: does not */
	assert_int_equal(setenv("NOTIFY_SOCKET", path, 1), 0);
	expect_failure(ENAMETOOLONG);
}

/* ---- socket activation --------------------------------------------------- */

/* Each check runs in a child of its own, where fds 3 and 4 are free to
 * take and the environment to change.  It returns NULL, or what went
 * wrong, which the parent fails the test with: a cmocka assertion in the
 * child would jump back into the child's copy of the test runner. */
typedef const char *(*check_fn)(void);

static char why[512];
static struct sd_socket poison;	/* an *out the call must overwrite */

static const char *
failed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static const char *
failed(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return why;
}

static void __attribute__((noreturn))
child_run(int p[2], check_fn check)
{
	const char *err;
	int w;

	close(p[0]);
	w = fcntl(p[1], F_DUPFD_CLOEXEC, HIGH_FD);
	close(p[1]);
	err = w == -1 ? "F_DUPFD_CLOEXEC of the report pipe failed" : check();
	if (err != NULL && write(w, err, strlen(err)) == -1)
		_exit(2);
	_exit(err == NULL ? 0 : 1);
}

static void
in_child(check_fn check)
{
	char buf[sizeof(why)];
	size_t len = 0;
	ssize_t n;
	pid_t pid;
	int p[2], st;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_int_not_equal(pid, -1);
	if (pid == 0)
		child_run(p, check);
	close(p[1]);
	while (len < sizeof(buf) - 1 &&
	    (n = read(p[0], buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(p[0]);
	buf[len] = '\0';
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (len > 0)
		fail_msg("%s", buf);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

/* Put n new sockets at fds 3 to 3 + n - 1, inheritable, as the manager
 * passes them.  Each is made above the low fds first, so that one being
 * placed never lands on, then closes, one placed before. */
static const char *
pass_sockets(int n)
{
	int i, fd, high;

	for (i = 0; i < n; i++) {
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
			return failed("socket: %s", strerror(errno));
		high = fcntl(fd, F_DUPFD, HIGH_FD);
		close(fd);
		if (high == -1 || dup2(high, 3 + i) == -1)
			return failed("placing fd %d: %s", 3 + i,
			    strerror(errno));
		close(high);
	}
	return NULL;
}

static void
set_or_unset(const char *name, const char *value)
{
	if (value != NULL)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

/* The environment of an activated process; NULL unsets. */
static void
set_listen(const char *pid, const char *fds, const char *names)
{
	set_or_unset("LISTEN_PID", pid);
	set_or_unset("LISTEN_FDS", fds);
	set_or_unset("LISTEN_FDNAMES", names);
}

static const char *
self(void)
{
	static char pid[16];

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	return pid;
}

static const char *
env_cleared(void)
{
	static const char *const vars[] = {
		"LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES",
	};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		if (getenv(vars[i]) != NULL)
			return failed("%s is still set", vars[i]);
	return NULL;
}

/* fds 3 .. 3 + n - 1 are open, with FD_CLOEXEC as want says. */
static const char *
fds_cloexec(int n, int want)
{
	int i, fl;

	for (i = 0; i < n; i++) {
		if ((fl = fcntl(3 + i, F_GETFD)) == -1)
			return failed("fd %d: %s", 3 + i, strerror(errno));
		if (!!(fl & FD_CLOEXEC) != want)
			return failed("fd %d has FD_CLOEXEC %s", 3 + i,
			    want ? "unset" : "set");
	}
	return NULL;
}

/* sd_listen_sockets() gives want sockets (0: none, and *out NULL). */
static const char *
listen_gives(int want, struct sd_socket **s)
{
	int n;

	*s = &poison;
	errno = 0;
	n = sd_listen_sockets(s);
	if (n != want)
		return failed("returned %d (%s), not %d", n, strerror(errno),
		    want);
	if (want == 0 && *s != NULL)
		return failed("returned 0 with *out not NULL");
	return NULL;
}

/* sd_listen_sockets() fails with err, and *out NULL. */
static const char *
listen_fails(int err, const char *what)
{
	struct sd_socket *s = &poison;
	int n;

	errno = 0;
	n = sd_listen_sockets(&s);
	if (n != -1 || errno != err)
		return failed("%s: returned %d (%s), not -1 (%s)", what, n,
		    strerror(errno), strerror(err));
	if (s != NULL)
		return failed("%s: failed with *out not NULL", what);
	return NULL;
}

static const char *
sockets_in_order_with_names(void)
{
	struct sd_socket *s;
	const char *err;

	if ((err = pass_sockets(2)) != NULL)
		return err;
	set_listen(self(), "2", "web:admin");
	if ((err = listen_gives(2, &s)) != NULL)
		return err;
	if (s[0].fd != 3 || s[1].fd != 4)
		err = failed("fds %d, %d; not 3, 4", s[0].fd, s[1].fd);
	else if (strcmp(s[0].name, "web") != 0 ||
	    strcmp(s[1].name, "admin") != 0)
		err = failed("names '%s', '%s'; not 'web', 'admin'",
		    s[0].name, s[1].name);
	free(s);
	return err;
}

static const char *
sockets_without_fdnames(void)
{
	struct sd_socket *s;
	const char *err;

	if ((err = pass_sockets(2)) != NULL)
		return err;
	set_listen(self(), "2", NULL);
	if ((err = listen_gives(2, &s)) != NULL)
		return err;
	if (s[0].name[0] != '\0' || s[1].name[0] != '\0')
		err = failed("names '%s', '%s'; not empty", s[0].name,
		    s[1].name);
	free(s);
	return err;
}

static const char *
sockets_get_cloexec(void)
{
	struct sd_socket *s;
	const char *err;

	if ((err = pass_sockets(2)) != NULL ||
	    (err = fds_cloexec(2, 0)) != NULL)
		return err;
	set_listen(self(), "2", "a:b");
	if ((err = listen_gives(2, &s)) != NULL)
		return err;
	free(s);
	return fds_cloexec(2, 1);
}

static const char *
variables_unset(void)
{
	struct sd_socket *s;
	const char *err;

	if ((err = pass_sockets(1)) != NULL)
		return err;
	set_listen(self(), "1", "web");
	if ((err = listen_gives(1, &s)) != NULL)
		return err;
	free(s);
	if ((err = env_cleared()) != NULL)
		return err;
	return listen_gives(0, &s);	/* so a second call finds none */
}

static const char *
another_pid(void)
{
	struct sd_socket *s;
	const char *err;
	char parent[16];

	if ((err = pass_sockets(2)) != NULL)
		return err;
	snprintf(parent, sizeof(parent), "%d", (int)getppid());
	set_listen(parent, "2", "web:admin");
	if ((err = listen_gives(0, &s)) != NULL ||
	    (err = fds_cloexec(2, 0)) != NULL)
		return err;
	return env_cleared();
}

static const char *
none_passed(void)
{
	struct sd_socket *s;
	const char *err;

	if ((err = pass_sockets(1)) != NULL)
		return err;
	set_listen(self(), "0", NULL);
	if ((err = listen_gives(0, &s)) != NULL)
		return err;
	set_listen(NULL, "1", NULL);
	if ((err = listen_gives(0, &s)) != NULL)
		return err;
	set_listen(self(), NULL, NULL);
	if ((err = listen_gives(0, &s)) != NULL)
		return err;
	return fds_cloexec(1, 0);
}

/* Each of bad[] in LISTEN_FDS (or LISTEN_PID, or LISTEN_FDNAMES, which
 * names two sockets) fails with EINVAL, leaves fds 3 and 4 untouched and
 * the variables unset. */
static const char *
each_rejected(const char *var, const char *const *bad, size_t nbad)
{
	const char *err;
	size_t i;

	if ((err = pass_sockets(2)) != NULL)
		return err;
	for (i = 0; i < nbad; i++) {
		set_listen(self(), "2", "a:b");
		setenv(var, bad[i], 1);
		if ((err = listen_fails(EINVAL, bad[i])) != NULL ||
		    (err = fds_cloexec(2, 0)) != NULL ||
		    (err = env_cleared()) != NULL)
			return err;
	}
	return NULL;
}

static const char *
malformed_fds(void)
{
	static const char *const bad[] = {
		"", "x", "2x", " 2", "+2", "-1", "0x2", "2.0",
		"2147483645",		/* fds past INT_MAX */
		"99999999999999999999999",
	};

	return each_rejected("LISTEN_FDS", bad, sizeof(bad) / sizeof(bad[0]));
}

static const char *
malformed_pid(void)
{
	static const char *const bad[] = {
		"", "abc", "-1", "1x", " 1", "99999999999",
	};

	return each_rejected("LISTEN_PID", bad, sizeof(bad) / sizeof(bad[0]));
}

static const char *
wrong_fdnames(void)
{
	static char long_name[300];
	static const char *const bad[] = {
		"", "web", "a:b:c", "a:b:", ":a:b", long_name,
	};

	memset(long_name, 'n', 256);		/* with ":b": 256 bytes */
	memcpy(long_name + 256, ":b", 3);
	return each_rejected("LISTEN_FDNAMES", bad,
	    sizeof(bad) / sizeof(bad[0]));
}

static const char *
longest_name(void)
{
	struct sd_socket *s;
	const char *err;
	char name[256];

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	if ((err = pass_sockets(2)) != NULL)
		return err;
	set_listen(self(), "2", NULL);
	setenv("LISTEN_FDNAMES", ":", 1);	/* two empty names */
	if ((err = listen_gives(2, &s)) != NULL)
		return err;
	if (s[0].name[0] != '\0' || s[1].name[0] != '\0')
		err = failed("':' did not give two empty names");
	free(s);
	if (err != NULL || (err = pass_sockets(1)) != NULL)
		return err;
	set_listen(self(), "1", name);
	if ((err = listen_gives(1, &s)) != NULL)
		return err;
	if (strcmp(s[0].name, name) != 0)
		err = failed("the 255-byte name came back as '%s'", s[0].name);
	free(s);
	return err;
}

static const char *
closed_fd(void)
{
	const char *err;

	if ((err = pass_sockets(1)) != NULL)
		return err;
	close(4);
	set_listen(self(), "2", "a:b");
	if ((err = listen_fails(EBADF, "fd 4 closed")) != NULL ||
	    (err = fds_cloexec(1, 0)) != NULL)
		return err;
	return env_cleared();
}

static void
passed_sockets_are_ours_in_order_with_their_names(void **state)
{
	(void)state;
	in_child(sockets_in_order_with_names);
}

static void
passed_sockets_without_fdnames_have_empty_names(void **state)
{
	(void)state;
	in_child(sockets_without_fdnames);
}

static void
names_may_be_empty_or_255_bytes_long(void **state)
{
	(void)state;
	in_child(longest_name);
}

static void
passed_sockets_get_close_on_exec(void **state)
{
	(void)state;
	in_child(sockets_get_cloexec);
}

static void
listen_variables_are_unset_afterwards(void **state)
{
	(void)state;
	in_child(variables_unset);
}

static void
sockets_for_another_pid_are_left_alone_and_give_0(void **state)
{
	(void)state;
	in_child(another_pid);
}

static void
no_sockets_passed_gives_0(void **state)
{
	(void)state;
	in_child(none_passed);
}

static void
malformed_listen_fds_fails_with_einval(void **state)
{
	(void)state;
	in_child(malformed_fds);
}

static void
malformed_listen_pid_fails_with_einval(void **state)
{
	(void)state;
	in_child(malformed_pid);
}

static void
fdnames_not_one_per_socket_fails_with_einval(void **state)
{
	(void)state;
	in_child(wrong_fdnames);
}

static void
passed_fd_that_is_closed_fails_with_ebadf(void **state)
{
	(void)state;
	in_child(closed_fd);
}

#define PATH_TEST(f) cmocka_unit_test_setup_teardown(f, path_up, manager_down)
#define ABSTRACT_TEST(f) \
	cmocka_unit_test_setup_teardown(f, abstract_up, manager_down)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		PATH_TEST(
		    each_notification_arrives_as_formatted_in_a_datagram_of_its_own),
		ABSTRACT_TEST(
		    abstract_socket_named_with_an_at_sign_gets_the_notification),
		PATH_TEST(long_status_arrives_whole),
		PATH_TEST(reloading_carries_monotonic_usec_of_now),
		ABSTRACT_TEST(
		    full_notify_socket_fails_with_eagain_instead_of_blocking),
		PATH_TEST(
		    notify_socket_whose_reader_is_gone_fails_without_sigpipe),
		cmocka_unit_test(
		    unset_notify_socket_sends_nothing_and_returns_0),
		PATH_TEST(notify_socket_pointing_nowhere_fails_with_enoent),
		cmocka_unit_test(
		  notify_socket_that_is_not_an_address_fails_with_eafnosupport),
		cmocka_unit_test(
		  notify_socket_too_long_for_an_address_fails_with_enametoolong),
		cmocka_unit_test(
		    passed_sockets_are_ours_in_order_with_their_names),
		cmocka_unit_test(
		    passed_sockets_without_fdnames_have_empty_names),
		cmocka_unit_test(names_may_be_empty_or_255_bytes_long),
		cmocka_unit_test(passed_sockets_get_close_on_exec),
		cmocka_unit_test(listen_variables_are_unset_afterwards),
		cmocka_unit_test(
		    sockets_for_another_pid_are_left_alone_and_give_0),
		cmocka_unit_test(no_sockets_passed_gives_0),
		cmocka_unit_test(malformed_listen_fds_fails_with_einval),
		cmocka_unit_test(malformed_listen_pid_fails_with_einval),
		cmocka_unit_test(fdnames_not_one_per_socket_fails_with_einval),
		cmocka_unit_test(passed_fd_that_is_closed_fails_with_ebadf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
