/*
 * path.c - textual path clean-up, and the master's own files opened
 * safely where others may write.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path.h"

void
path_clean(char *p)
{
	char *in = p, *out = p;

	while (*in != '\0') {
		if (in[0] == '/' && (in[1] == '/' || (in[1] == '.' &&
		    (in[2] == '/' || in[2] == '\0')))) {
			in += in[1] == '/' ? 1 : 2;
			continue;
		}
		*out++ = *in++;
	}
	*out = '\0';
	if (out - p > 1 && out[-1] == '/')
		out[-1] = '\0';
	if (*p == '\0' && in != p)
		strcpy(p, "/");
}

static int
open_append(const char *path, int create)
{
	struct stat st;
	int fd, e = 0, flags;

	/* O_NONBLOCK: opening a FIFO for writing would otherwise wait,
	 * master and all, for a reader that never comes. */
	fd = open(path, O_WRONLY | O_APPEND | (create ? O_CREAT : 0) |
	    O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0640);
	if (fd < 0) {
		if (errno == ENXIO)	/* a FIFO without reader, a socket */
			errno = ENOTSUP;
		return -1;
	}
	if (fstat(fd, &st) != 0)
		e = errno;
	else if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode))
		e = ENOTSUP;	/* a device is root's to make: /dev/null */
	else if (S_ISREG(st.st_mode) && st.st_nlink != 1)
		e = EMLINK;
	else if ((flags = fcntl(fd, F_GETFL)) < 0 ||
	    fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0)
		e = errno;
	if (e != 0) {
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int
path_open_append(const char *path)
{
	return open_append(path, 1);
}

int
path_check_append(const char *path)
{
	int fd = open_append(path, 0);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

const char *
path_open_why(int errnum)
{
	switch (errnum) {
	case ELOOP:
		return "it is a symbolic link, which fpm does not follow";
	case ENOTSUP:
		return "it is not a regular file";
	case EMLINK:
		return "it has another name (a hard link), so it may be "
		    "someone else's file";
	default:
		return strerror(errnum);
	}
}

/* Whether the entry name (of st) in directory dir (of dst) can be renamed
 * or replaced by no one but root. */
static int
entry_is_roots(const struct stat *dst, const struct stat *st)
{
	if (dst->st_uid != 0)
		return 0;
	if ((dst->st_mode & (S_IWGRP | S_IWOTH)) == 0)
		return 1;
	return (dst->st_mode & S_ISVTX) != 0 && st->st_uid == 0;
}

int
path_resolve_trusted(const char *path, char *real, size_t reallen,
    char *err, size_t errlen)
{
	char buf[PATH_MAX];
	struct stat dst, st;
	char *slash;

	if (realpath(path, buf) == NULL) {
		snprintf(err, errlen, "realpath(%s) failed: %s", path,
		    strerror(errno));
		return -1;
	}
	if (stat("/", &dst) != 0) {
		snprintf(err, errlen, "stat(/) failed: %s", strerror(errno));
		return -1;
	}
	/* buf has no symbolic link left: walk it one directory down at a
	 * time, each entry judged by the directory that holds it. */
	for (slash = buf; slash != NULL && slash[1] != '\0';
	    slash = strchr(slash + 1, '/')) {
		char *next = strchr(slash + 1, '/');

		if (next != NULL)
			*next = '\0';
		if (lstat(buf, &st) != 0) {
			snprintf(err, errlen, "lstat(%s) failed: %s", buf,
			    strerror(errno));
			return -1;
		}
		if (!entry_is_roots(&dst, &st)) {
			snprintf(err, errlen, "%s lies in a directory that "
			    "someone other than root can write (owner uid %u, "
			    "mode %04o): %s could be swapped for another "
			    "directory", buf, (unsigned)dst.st_uid,
			    (unsigned)(dst.st_mode & 07777), path);
			return -1;
		}
		if (next != NULL)
			*next = '/';
		dst = st;
	}
	if (snprintf(real, reallen, "%s", buf) >= (int)reallen) {
		snprintf(err, errlen, "%s: path too long", path);
		return -1;
	}
	return 0;
}

int
path_open_dir_of(const char *path, const char **base)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t n;

	if (slash == NULL) {
		*base = path;
		return open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	}
	*base = slash + 1;
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	return open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
}
