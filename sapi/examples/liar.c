/*
 * liar: stands in for hostile code in a PHP zygote (opcache.preload with
 * FFI, or an extension).  Loaded into the zygote as a PHP extension
 * (-d extension=.../liar.so; PHP refuses it as "not a PHP library", but
 * only after its constructor ran), it answers the master's first spawn
 * request itself, naming the pid in $FPM_LIAR_PID, and leaves behind a
 * real process reparented to the master that ignores SIGQUIT and SIGTERM:
 * a worker the master was never told about.  Its pid goes to
 * $FPM_LIAR_STRAY_FILE; with $FPM_LIAR_KID_FILE the stray has a child of
 * its own, as stubborn, whose pid goes there.  With $FPM_LIAR_HANG set
 * instead it never returns (as a preload stuck in a loop or a lock), so
 * the zygote never answers.  Without either it does nothing.
 */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* The zygote's end of its socket to the master: a SOCK_SEQPACKET socket
 * with the master's spawn request waiting (the workers' control socket
 * only ever reads as shut down). */
static int
find_master_socket(void)
{
	for (int tries = 0; tries < 100; tries++) {
		for (int fd = 3; fd < 256; fd++) {
			int type = 0;
			socklen_t len = sizeof(type);
			char peek[64];

			if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 ||
			    type != SOCK_SEQPACKET)
				continue;
			if (recv(fd, peek, sizeof(peek), MSG_PEEK | MSG_DONTWAIT) > 0)
				return fd;
		}
		usleep(50000);
	}
	return -1;
}

static void
leave_stray(void)
{
	const char *file = getenv("FPM_LIAR_STRAY_FILE");
	pid_t mid = fork();

	if (mid == 0) {
		if (fork() == 0) {
			signal(SIGQUIT, SIG_IGN);
			signal(SIGTERM, SIG_IGN);
			/* a child of its own, which becomes the master's
			 * only once the stray is killed */
			if (getenv("FPM_LIAR_KID_FILE") != NULL && fork() == 0)
				file = getenv("FPM_LIAR_KID_FILE");
			if (file != NULL) {
				FILE *f = fopen(file, "w");

				if (f != NULL) {
					fprintf(f, "%d\n", (int)getpid());
					fclose(f);
				}
			}
			for (;;)
				pause();
		}
		_exit(0);
	}
	if (mid > 0)
		waitpid(mid, NULL, 0);
}

/* Another zygote of the master's (comm "fpm-zygote", our parent), for
 * FPM_LIAR_PID=other-zygote: another pool's, of the same user. */
static pid_t
other_zygote(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	while (d != NULL && (e = readdir(d)) != NULL) {
		char path[64], comm[32] = "";
		int pid = atoi(e->d_name), ppid = 0;
		FILE *f;

		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fscanf(f, "%*d (%31[^)]) %*c %d", comm, &ppid) == 2 &&
		    strcmp(comm, "fpm-zygote") == 0 && ppid == getppid())
			found = pid;
		fclose(f);
	}
	if (d != NULL)
		closedir(d);
	return found;
}

__attribute__((constructor)) static void
lie(void)
{
	const char *victim = getenv("FPM_LIAR_PID");
	struct { pid_t pid; int err; } ans;
	char req[64];
	int fd;

	if (getenv("FPM_LIAR_HANG") != NULL)
		for (;;)
			pause();
	if (victim == NULL)
		return;
	if ((fd = find_master_socket()) < 0)
		return;
	if (recv(fd, req, sizeof(req), 0) <= 0)
		return;
	if (strcmp(victim, "other-zygote") == 0) {
		/* the other pool's zygote may start just after ours */
		ans.pid = 0;
		for (int tries = 0; tries < 100 && ans.pid == 0; tries++) {
			ans.pid = other_zygote();
			if (ans.pid == 0)
				usleep(50000);
		}
	} else {
		ans.pid = (pid_t)atoi(victim);
	}
	leave_stray();	/* after the search: it is named as we are */
	ans.err = 0;
	(void)!send(fd, &ans, sizeof(ans), MSG_NOSIGNAL);
}
