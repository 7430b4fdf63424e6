/*
 * path.c - textual path clean-up, and the master's own files opened
 * safely where others may write.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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

int
path_open_append(const char *path)
{
	struct stat st;
	int fd, e = 0, flags;

	/* O_NONBLOCK: opening a FIFO for writing would otherwise wait,
	 * master and all, for a reader that never comes. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW |
	    O_NONBLOCK | O_CLOEXEC, 0640);
	if (fd < 0) {
		if (errno == ENXIO)	/* a FIFO without reader, a socket */
			errno = ENOTSUP;
		return -1;
	}
	if (fstat(fd, &st) != 0)
		e = errno;
	else if (!S_ISREG(st.st_mode))
		e = ENOTSUP;
	else if (st.st_nlink != 1)
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
