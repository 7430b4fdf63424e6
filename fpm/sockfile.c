/*
 * sockfile.c - owner, mode and removal of a unix socket's file, by the
 * file's identity rather than by its path.
 *
 * The root master binds a pool's socket in a directory that may belong to
 * the pool's user, who can replace any entry there at any moment, e.g.
 * with a symbolic link to /etc/shadow.  chown(2) and chmod(2) by path
 * would then follow the link, and fchmod(2) on the socket descriptor
 * changes the socket's own inode (sockfs), not the file clients connect
 * to.  So the file is opened with O_PATH | O_NOFOLLOW, which pins it; the
 * kernel's sock_diag tells which file the socket was bound to, and only
 * if the two are one is the file changed, through the pinned descriptor.
 * Removal works on one directory descriptor: what was checked there is
 * what unlinkat(2) removes, unless the directory is writable by someone
 * else, whose own entries those are.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "listenq.h"
#include "path.h"
#include "sockfile.h"

/* Whether st (found in directory dirfd) is the file the socket fd is bound
 * to: 1 yes, 0 no.  Without unix_diag in the kernel the binding cannot be
 * asked; then only a socket in a directory that no one but root can
 * change is taken for ours, and -1 says that one could not tell. */
static int
is_bound_file(int fd, const struct stat *st, int dirfd)
{
	struct stat d;
	dev_t dev;
	ino_t ino;

	if (!S_ISSOCK(st->st_mode))
		return 0;
	if (listenq_bound_file(fd, &dev, &ino) == 0)
		return st->st_dev == dev &&
		    (uint32_t)st->st_ino == (uint32_t)ino;
	if (fstat(dirfd, &d) == 0 && d.st_uid == 0 &&
	    (d.st_mode & (S_IWGRP | S_IWOTH)) == 0)
		return 1;
	return -1;
}

/* Why is_bound_file said no (rc 0) or could not tell (rc -1). */
static void
not_bound(int rc, const char *path, const char *what, char *err,
    size_t errlen)
{
	if (rc == 0)
		snprintf(err, errlen, "%s is no longer this pool's socket "
		    "(something replaced it): %s", path, what);
	else
		snprintf(err, errlen, "%s may not be this pool's socket (the "
		    "kernel has no unix_diag to ask, and others can write its "
		    "directory): %s", path, what);
}

static int
change(int pfd, const char *path, uid_t uid, gid_t gid, mode_t mode,
    char *err, size_t errlen)
{
	char proc[64];

	if ((uid != (uid_t)-1 || gid != (gid_t)-1) &&
	    fchownat(pfd, "", uid, gid, AT_EMPTY_PATH) != 0) {
		snprintf(err, errlen, "chown(%s) failed: %s", path,
		    strerror(errno));
		return -1;
	}
	/* fchmod(2) refuses an O_PATH descriptor; its /proc link reaches the
	 * pinned file itself (what glibc's fchmodat(AT_SYMLINK_NOFOLLOW)
	 * does too), whatever the path holds now. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pfd);
	if (chmod(proc, mode) != 0) {
		snprintf(err, errlen, "chmod(%s, %04o) failed: %s", path,
		    (unsigned)mode, strerror(errno));
		return -1;
	}
	return 0;
}

int
sockfile_set_perms(int fd, const char *path, uid_t uid, gid_t gid,
    mode_t mode, char *err, size_t errlen)
{
	const char *base;
	struct stat st;
	int dirfd, pfd = -1, rc = -1, bound;

	if ((dirfd = path_open_dir_of(path, &base)) < 0 ||
	    (pfd = openat(dirfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC)) < 0 ||
	    fstat(pfd, &st) != 0) {
		snprintf(err, errlen, "cannot open %s: %s", path,
		    strerror(errno));
		goto out;
	}
	if ((bound = is_bound_file(fd, &st, dirfd)) != 1) {
		not_bound(bound, path, "its owner and mode are left alone", err,
		    errlen);
		goto out;
	}
	rc = change(pfd, path, uid, gid, mode, err, errlen);
out:
	if (pfd >= 0)
		close(pfd);
	if (dirfd >= 0)
		close(dirfd);
	return rc;
}

int
sockfile_unlink(int fd, const char *path, char *err, size_t errlen)
{
	const char *base;
	struct stat st;
	int dirfd, rc = 0, bound;

	if ((dirfd = path_open_dir_of(path, &base)) < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot open the directory of %s: %s",
		    path, strerror(errno));
		return -1;
	}
	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		rc = errno == ENOENT ? 0 : -1;
		if (rc != 0)
			snprintf(err, errlen, "lstat(%s) failed: %s", path,
			    strerror(errno));
	} else if ((bound = is_bound_file(fd, &st, dirfd)) != 1) {
		not_bound(bound, path, "not removed", err, errlen);
		rc = -1;
	} else if (unlinkat(dirfd, base, 0) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "unlink(%s) failed: %s", path,
		    strerror(errno));
		rc = -1;
	}
	close(dirfd);
	return rc;
}

int
sockfile_clear_stale(const char *path, const struct sockaddr *sa,
    socklen_t len, char *err, size_t errlen)
{
	const char *base;
	struct stat st;
	int dirfd, fd, alive, rc = -1;

	if ((dirfd = path_open_dir_of(path, &base)) < 0)
		return 0;	/* bind(2) will say what is wrong */
	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		close(dirfd);
		return 0;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "'%s' exists and is not a socket", path);
		goto out;
	}
	/* non-blocking: a listener that never accepts (its queue full)
	 * must not hold the master in connect(2); EAGAIN is alive too */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	alive = fd >= 0 && (connect(fd, sa, len) == 0 || errno == EAGAIN);
	if (fd >= 0)
		close(fd);
	if (alive) {
		snprintf(err, errlen, "'%s' is in use by another server", path);
		goto out;
	}
	/* The name checked above, in the same directory: not whatever the
	 * path might lead to by now. */
	if (unlinkat(dirfd, base, 0) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "unlink(%s) failed: %s", path,
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	close(dirfd);
	return rc;
}
