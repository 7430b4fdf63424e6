/*
 * liar: stands in for hostile code in a PHP zygote (opcache.preload with
 * FFI, or an extension).  Loaded into the zygote as a PHP extension
 * (-d extension=.../liar.so; PHP refuses it as "not a PHP library", but
 * only after its constructor ran), it answers the master's first spawn
 * request itself, naming the pid in $FPM_LIAR_PID, and leaves behind a
 * real process reparented to the master that ignores SIGQUIT and SIGTERM:
 * a worker the master was never told about.  Its pid goes to
 * $FPM_LIAR_STRAY_FILE.  Without $FPM_LIAR_PID it does nothing.
 */
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

__attribute__((constructor)) static void
lie(void)
{
	const char *victim = getenv("FPM_LIAR_PID");
	struct { pid_t pid; int err; } ans;
	char req[64];
	int fd;

	if (victim == NULL)
		return;
	if ((fd = find_master_socket()) < 0)
		return;
	if (recv(fd, req, sizeof(req), 0) <= 0)
		return;
	leave_stray();
	ans.pid = (pid_t)atoi(victim);
	ans.err = 0;
	(void)!send(fd, &ans, sizeof(ans), MSG_NOSIGNAL);
}
