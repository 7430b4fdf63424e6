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
#include <unistd.h>

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

pid_t
pidfile_holder(const char *path)
{
	char buf[32], mine[32], theirs[32];
	FILE *fp = fopen(path, "re");
	long pid;

	if (fp == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), fp) == NULL)
		buf[0] = '\0';
	fclose(fp);
	pid = strtol(buf, NULL, 10);
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

int
pidfile_write(const char *path)
{
	char tmp[4096], buf[32];
	int fd, n, saved;

	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >=
	    (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* O_EXCL | O_NOFOLLOW: never through a file or link someone planted */
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd < 0)
		return -1;
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (write(fd, buf, (size_t)n) != n || fsync(fd) != 0) {
		saved = errno;
		close(fd);
		unlink(tmp);
		errno = saved;
		return -1;
	}
	close(fd);
	if (rename(tmp, path) != 0) {
		saved = errno;
		unlink(tmp);
		errno = saved;
		return -1;
	}
	return 0;
}
