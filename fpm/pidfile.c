/*
 * pidfile.c - the master's pid file.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "path.h"
#include "pidfile.h"

/* The command name of pid, as /proc/PID/comm has it. */
static int
comm_of(pid_t pid, char *buf, size_t len)
{
	char path[64];
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fp = fopen(path, "re");
	if (fp == NULL)
		return -1;
	if (fgets(buf, (int)len, fp) == NULL) {
		fclose(fp);
		return -1;
	}
	fclose(fp);
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* The pid written in the regular file base of directory dirfd, or 0:
 * never through a symbolic link, never waiting on a FIFO planted there. */
static long
read_pid(int dirfd, const char *base)
{
	char buf[32];
	struct stat st;
	ssize_t n = -1;
	int fd;

	fd = openat(dirfd, base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

pid_t
pidfile_holder(const char *path)
{
	char mine[32], theirs[32];
	const char *base;
	int dirfd = path_open_dir_of(path, &base);
	long pid;

	if (dirfd < 0)
		return 0;
	pid = read_pid(dirfd, base);
	close(dirfd);
	if (pid <= 0 || pid == getpid() || (kill((pid_t)pid, 0) != 0 &&
	    errno != EPERM))
		return 0;
	/* A live process that is not an fpm took a stale file's pid. */
	if (comm_of(getpid(), mine, sizeof(mine)) != 0 ||
	    comm_of((pid_t)pid, theirs, sizeof(theirs)) != 0 ||
	    strcmp(mine, theirs) != 0)
		return 0;
	return (pid_t)pid;
}

/* Written to a temporary name and renamed over path, all in one directory
 * descriptor: a directory swapped meanwhile does not move the file
 * elsewhere. */
int
pidfile_write(const char *path)
{
	char tmp[4096], buf[32];
	const char *base;
	int dirfd, fd, n, saved;

	if ((dirfd = path_open_dir_of(path, &base)) < 0)
		return -1;
	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", base, (int)getpid()) >=
	    (int)sizeof(tmp)) {
		close(dirfd);
		errno = ENAMETOOLONG;
		return -1;
	}
	/* O_EXCL | O_NOFOLLOW: never through a file or link someone planted */
	unlinkat(dirfd, tmp, 0);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd < 0)
		goto fail;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, (size_t)n) != n || fsync(fd) != 0) {
		saved = errno;
		close(fd);
		errno = saved;
		goto fail_tmp;
	}
	close(fd);
	if (renameat(dirfd, tmp, dirfd, base) != 0)
		goto fail_tmp;
	close(dirfd);
	return 0;
fail_tmp:
	saved = errno;
	unlinkat(dirfd, tmp, 0);
	errno = saved;
fail:
	saved = errno;
	close(dirfd);
	errno = saved;
	return -1;
}

void
pidfile_remove(const char *path)
{
	const char *base;
	int dirfd = path_open_dir_of(path, &base);

	if (dirfd < 0)
		return;
	/* Checked and removed in one directory: what a swapped directory
	 * holds under that name is not ours, and stays. */
	if (read_pid(dirfd, base) == getpid())
		unlinkat(dirfd, base, 0);
	close(dirfd);
}
