/*
 * test_sockfile.c - a socket's file and the master's logs, in a directory
 * where anything may have been swapped: only the socket's own file is
 * changed or removed, no log is opened through a link, FIFO or hard link,
 * and a chroot path is trusted only when root alone can redirect it.
 * Real files in a temp dir; some checks need root (chown), and skip
 * without it.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "path.h"
#include "sockfile.h"

struct dir {
	char path[64];
	char sock[100];
	char other[100];
	int fd;		/* the listening socket at sock, or -1 */
};

static int
dir_up(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	assert_non_null(d);
	snprintf(d->path, sizeof(d->path), "/tmp/test_sockfile.XXXXXX");
	assert_non_null(mkdtemp(d->path));
	snprintf(d->sock, sizeof(d->sock), "%s/app.sock", d->path);
	snprintf(d->other, sizeof(d->other), "%s/other", d->path);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", d->sock);
	d->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(d->fd >= 0);
	assert_int_equal(bind(d->fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(d->fd, 1), 0);
	*state = d;
	return 0;
}

static int
dir_down(void **state)
{
	struct dir *d = *state;
	char cmd[128];

	if (d->fd >= 0)
		close(d->fd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->path);
	if (system(cmd) != 0)
		return -1;
	free(d);
	return 0;
}

static void
mode_of(const char *path, mode_t *mode)
{
	struct stat st;

	assert_int_equal(lstat(path, &st), 0);
	*mode = st.st_mode & 07777;
}

static void
the_socket_own_file_gets_the_mode(void **state)
{
	struct dir *d = *state;
	char err[256];
	mode_t m;

	assert_int_equal(sockfile_set_perms(d->fd, d->sock, (uid_t)-1,
	    (gid_t)-1, 0604, err, sizeof(err)), 0);
	mode_of(d->sock, &m);
	assert_int_equal(m, 0604);
}

static void
a_symlink_in_its_place_is_refused_and_its_target_untouched(void **state)
{
	struct dir *d = *state;
	char err[256], moved[160];
	mode_t m;
	int fd;

	fd = open(d->other, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	snprintf(moved, sizeof(moved), "%s/moved", d->path);
	assert_int_equal(rename(d->sock, moved), 0);
	assert_int_equal(symlink(d->other, d->sock), 0);
	assert_int_equal(sockfile_set_perms(d->fd, d->sock, (uid_t)-1,
	    (gid_t)-1, 0666, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "is no longer this pool's socket"));
	mode_of(d->other, &m);
	assert_int_equal(m, 0600);
	/* nor removed: the link stays, and so does its target */
	assert_int_equal(sockfile_unlink(d->fd, d->sock, err, sizeof(err)), -1);
	assert_int_equal(access(d->other, F_OK), 0);
	mode_of(d->sock, &m);
}

static void
another_socket_in_its_place_is_not_taken_for_it(void **state)
{
	struct dir *d = *state;
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char err[256];
	int fd2;

	assert_int_equal(unlink(d->sock), 0);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", d->sock);
	fd2 = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(fd2, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd2, 1), 0);
	assert_int_equal(sockfile_set_perms(d->fd, d->sock, (uid_t)-1,
	    (gid_t)-1, 0666, err, sizeof(err)), -1);
	assert_int_equal(sockfile_unlink(d->fd, d->sock, err, sizeof(err)), -1);
	assert_int_equal(access(d->sock, F_OK), 0);
	/* the other socket's own descriptor removes it */
	assert_int_equal(sockfile_unlink(fd2, d->sock, err, sizeof(err)), 0);
	assert_int_equal(access(d->sock, F_OK), -1);
	close(fd2);
}

static void
the_socket_own_file_is_removed_and_a_missing_one_is_no_error(void **state)
{
	struct dir *d = *state;
	char err[256];

	assert_int_equal(sockfile_unlink(d->fd, d->sock, err, sizeof(err)), 0);
	assert_int_equal(access(d->sock, F_OK), -1);
	assert_int_equal(sockfile_unlink(d->fd, d->sock, err, sizeof(err)), 0);
}

static void
a_log_is_never_opened_through_a_link_a_fifo_or_a_hard_link(void **state)
{
	struct dir *d = *state;
	char log[160], lnk[160];
	int fd;

	snprintf(log, sizeof(log), "%s/log", d->path);
	fd = path_open_append(log);
	assert_true(fd >= 0);
	close(fd);
	snprintf(lnk, sizeof(lnk), "%s/link", d->path);
	assert_int_equal(symlink(log, lnk), 0);
	assert_int_equal(path_open_append(lnk), -1);
	assert_int_equal(errno, ELOOP);
	assert_int_equal(unlink(lnk), 0);
	assert_int_equal(link(log, lnk), 0);
	assert_int_equal(path_open_append(lnk), -1);
	assert_int_equal(errno, EMLINK);
	assert_int_equal(mkfifo(d->other, 0666), 0);
	assert_int_equal(path_open_append(d->other), -1);	/* no wait */
	assert_int_equal(errno, ENOTSUP);
	assert_int_equal(path_open_append(d->sock), -1);
	assert_int_equal(errno, ENOTSUP);
	assert_string_equal(path_open_why(ENOTSUP), "it is not a regular file");
}

static void
a_chroot_under_a_writable_directory_is_not_trusted(void **state)
{
	struct dir *d = *state;
	char jail[160], real[4096], err[512], lnk[160];

	if (geteuid() != 0)
		skip();		/* the temp dir must be root's */
	snprintf(jail, sizeof(jail), "%s/jail", d->path);
	assert_int_equal(mkdir(jail, 0755), 0);
	assert_int_equal(chmod(d->path, 0755), 0);
	assert_int_equal(path_resolve_trusted(jail, real, sizeof(real), err,
	    sizeof(err)), 0);
	assert_string_equal(real, jail);
	/* followed once, entered by the resolved path */
	snprintf(lnk, sizeof(lnk), "%s/link", d->path);
	assert_int_equal(symlink(jail, lnk), 0);
	assert_int_equal(path_resolve_trusted(lnk, real, sizeof(real), err,
	    sizeof(err)), 0);
	assert_string_equal(real, jail);
	/* the jail's own mode does not matter; its directory's does */
	assert_int_equal(chmod(jail, 0777), 0);
	assert_int_equal(path_resolve_trusted(jail, real, sizeof(real), err,
	    sizeof(err)), 0);
	assert_int_equal(chmod(d->path, 0775), 0);
	assert_int_equal(path_resolve_trusted(jail, real, sizeof(real), err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "could be swapped for another directory"));
	/* a temp dir of someone else's in sticky /tmp: its owner can rename
	 * it, so the jail inside is no longer root's alone */
	assert_int_equal(chmod(d->path, 0755), 0);
	assert_int_equal(chown(d->path, 65534, 0), 0);
	assert_int_equal(path_resolve_trusted(jail, real, sizeof(real), err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "could be swapped for another directory"));
	assert_int_equal(chown(d->path, 0, 0), 0);
}

#define DIR_TEST(f) cmocka_unit_test_setup_teardown(f, dir_up, dir_down)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		DIR_TEST(the_socket_own_file_gets_the_mode),
		DIR_TEST(a_symlink_in_its_place_is_refused_and_its_target_untouched),
		DIR_TEST(another_socket_in_its_place_is_not_taken_for_it),
		DIR_TEST(the_socket_own_file_is_removed_and_a_missing_one_is_no_error),
		DIR_TEST(a_log_is_never_opened_through_a_link_a_fifo_or_a_hard_link),
		DIR_TEST(a_chroot_under_a_writable_directory_is_not_trusted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
