/*
 * vfork: a request that vfork()s a child which sleeps ?s=N seconds
 * (default 20) before it exits, as code that spawns a helper with
 * posix_spawn or vfork may.  Until the child is gone the worker cannot
 * stop, not even for a ptrace interrupt: the slow log's tracer must not
 * wait for it.  The child's pid goes to ?pid=PATH, for the test to end it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fpm_app.h>

int
fpm_app_handle(fpm_request *req)
{
	const char *qs = fpm_param(req, "QUERY_STRING");
	const char *s = qs ? strstr(qs, "s=") : NULL;
	const char *pidpath = qs ? strstr(qs, "pid=") : NULL;
	struct timespec ts = { s ? atoi(s + 2) : 20, 0 };
	char path[512] = "";
	pid_t pid;

	if (pidpath != NULL)
		snprintf(path, sizeof(path), "%.*s",
		    (int)strcspn(pidpath + 4, "&"), pidpath + 4);
	pid = vfork();
	if (pid == 0) {
		/* only system calls here: the parent's memory is ours */
		if (path[0] != '\0') {
			char buf[32];
			int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			int n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

			if (fd >= 0) {
				(void)!write(fd, buf, (size_t)n);
				close(fd);
			}
		}
		nanosleep(&ts, NULL);
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, NULL, 0);
	fpm_header(req, "Content-Type", "text/plain");
	return fpm_printf(req, "child %d done\n", (int)pid) < 0 ? -1 : 0;
}
