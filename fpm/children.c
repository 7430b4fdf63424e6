/*
 * children.c - forking, reaping and signalling workers.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "children.h"
#include "identity.h"
#include "log.h"
#include "pm.h"
#include "runtime.h"

/* "exited with code 1", "exited on signal 11 (SIGSEGV)" */
static void
describe_status(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with code %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "exited on signal %d (SIG%s)%s",
		    WTERMSIG(status), sigabbrev_np(WTERMSIG(status)) ?
		    sigabbrev_np(WTERMSIG(status)) : "?",
		    WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(buf, len, "changed state 0x%x", status);
}

/* Close every descriptor above stderr except a and b: the master's own
 * (epoll, signalfd, other pools' sockets) and whatever fpm was started
 * with must not leak into an app. */
static void
close_all_but(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	if (lo > STDERR_FILENO + 1)
		close_range(STDERR_FILENO + 1, (unsigned)lo - 1, 0);
	if (hi > lo + 1)
		close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
	close_range((unsigned)hi + 1, ~0U, 0);
}

/* The child's first steps: a clean signal state, only its own pool's
 * socket, stdio on /dev/null and the error log. */
static void
child_reset(struct pool *own)
{
	sigset_t none;	/* all but SIGQUIT */
	int null;

	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	/* SIGQUIT stays blocked: the runtime takes it only while idle. */
	sigemptyset(&none);
	sigaddset(&none, SIGQUIT);
	sigprocmask(SIG_SETMASK, &none, NULL);
	close_all_but(own->listen_fd, log_fd());
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	if (log_fd() != STDERR_FILENO)
		dup2(log_fd(), STDERR_FILENO);
}

__attribute__((noreturn)) static void
child_main(struct master *m, struct pool *p)
{
	struct worker_conf wc;
	char err[512];

	child_reset(p);
	if (identity_apply(p->conf, err, sizeof(err)) != 0) {
		log_error("[pool %s] pid %d: cannot take the pool's identity: %s",
		    p->conf->name, (int)getpid(), err);
		_exit(78);
	}
	/* After setuid: a change of credentials clears the death signal. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != m->pid)
		_exit(0);
	wc.pool = p->conf->name;
	wc.listen_fd = p->listen_fd;
	wc.allowed = &p->conf->allowed_clients;
	wc.sapi = p->conf->sapi;
	wc.app = identity_app_path(p->conf);
	worker_main(&wc);
}

int
children_spawn(struct master *m, struct pool *p)
{
	struct child *c = calloc(1, sizeof(*c));
	pid_t pid;

	if (c == NULL) {
		log_error("[pool %s] out of memory", p->conf->name);
		return -1;
	}
	/* Every signal is blocked in the master (signalfd), so none can run
	 * a handler in the child before child_reset. */
	pid = fork();
	if (pid < 0) {
		log_error("[pool %s] fork() failed: %s", p->conf->name,
		    strerror(errno));
		free(c);
		return -1;
	}
	if (pid == 0)
		child_main(m, p);
	c->pid = pid;
	c->pool = p;
	c->started = now_ms();
	c->next = p->children;
	p->children = c;
	p->nchildren++;
	log_debug("[pool %s] child %d started", p->conf->name, (int)pid);
	return 0;
}

static struct child *
unlink_child(struct master *m, pid_t pid)
{
	for (struct pool *p = m->pools; p != NULL; p = p->next) {
		for (struct child **cp = &p->children; *cp; cp = &(*cp)->next) {
			struct child *c = *cp;

			if (c->pid != pid)
				continue;
			*cp = c->next;
			p->nchildren--;
			return c;
		}
	}
	return NULL;
}

void
children_reap(struct master *m)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct child *c = unlink_child(m, pid);
		long long now = now_ms();
		char how[96];
		enum log_level lvl;

		if (c == NULL)
			continue;	/* not a worker: an -t check child */
		describe_status(status, how, sizeof(how));
		lvl = (WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
		    m->stopping ? LOG_LEVEL_NOTICE : LOG_LEVEL_WARNING;
		log_msg(lvl, "[pool %s] child %d %s after %.3f seconds",
		    c->pool->conf->name, (int)pid, how,
		    (double)(now - c->started) / 1000.0);
		if (!m->stopping)
			c->pool->pm->on_exit(m, c->pool, c, now);
		free(c);
	}
}

void
children_signal_all(struct master *m, int sig)
{
	for (struct pool *p = m->pools; p != NULL; p = p->next)
		for (struct child *c = p->children; c != NULL; c = c->next)
			kill(c->pid, sig);
}

int
children_count(const struct master *m)
{
	int n = 0;

	for (const struct pool *p = m->pools; p != NULL; p = p->next)
		n += p->nchildren;
	return n;
}
