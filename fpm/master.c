/*
 * master.c - the master's event loop and signals.
 *
 * Every signal the master cares about is blocked and read from a signalfd
 * in the one epoll loop: no handler ever runs, so no work happens in one.
 * The loop is a fixed sequence:  act on signals;  reap;  let each pool's
 * pm bring it to size;  wait for the next event or deadline.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "children.h"
#include "log.h"
#include "master.h"
#include "pm.h"

/* How long a fast stop (TERM/INT) waits before SIGKILL. */
#define FAST_STOP_MS 1000

long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const int handled[] = {
	SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGHUP, SIGPIPE,
};

int
master_init(struct master *m)
{
	struct epoll_event ev = { .events = EPOLLIN };
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		sigaddset(&set, handled[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) {
		log_alert("sigprocmask() failed: %s", strerror(errno));
		return -1;
	}
	m->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (m->sigfd < 0) {
		log_alert("signalfd() failed: %s", strerror(errno));
		return -1;
	}
	m->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (m->epfd < 0) {
		log_alert("epoll_create1() failed: %s", strerror(errno));
		return -1;
	}
	ev.data.fd = m->sigfd;
	if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, m->sigfd, &ev) != 0) {
		log_alert("epoll_ctl(ADD, signalfd) failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void
stop(struct master *m, enum stop_mode mode, const char *signame)
{
	long long now = now_ms();

	if (mode == STOP_FAST) {
		log_notice("%s received, stopping fast: %d workers get SIGTERM",
		    signame, children_count(m));
		m->stopping = STOP_FAST;
		m->stop_deadline = now + FAST_STOP_MS;
		children_signal_all(m, SIGTERM);
		return;
	}
	if (m->stopping != RUNNING)
		return;
	log_notice("%s received, stopping gracefully: %d workers finish their "
	    "requests", signame, children_count(m));
	m->stopping = STOP_GRACEFUL;
	m->stop_deadline = m->conf->global.process_control_timeout > 0 ?
	    now + m->conf->global.process_control_timeout * 1000 : 0;
	children_signal_all(m, SIGQUIT);
}

static void
on_signal(struct master *m, int sig)
{
	switch (sig) {
	case SIGCHLD:
		children_reap(m);
		break;
	case SIGTERM:
	case SIGINT:
		stop(m, STOP_FAST, sig == SIGTERM ? "SIGTERM" : "SIGINT");
		break;
	case SIGQUIT:
		stop(m, STOP_GRACEFUL, "SIGQUIT");
		break;
	case SIGUSR1:
		if (m->conf->global.error_log != NULL &&
		    log_open(m->conf->global.error_log) != 0)
			log_error("SIGUSR1: cannot reopen %s: %s",
			    m->conf->global.error_log, strerror(errno));
		else
			log_notice("SIGUSR1 received, error log reopened");
		break;
	case SIGUSR2:
	case SIGHUP:
		log_notice("SIG%s received: reload is not supported yet, "
		    "ignored", sigabbrev_np(sig));
		break;
	default:
		break;
	}
}

static void
read_signals(struct master *m)
{
	struct signalfd_siginfo si;

	while (read(m->sigfd, &si, sizeof(si)) == sizeof(si))
		on_signal(m, (int)si.ssi_signo);
}

/* Milliseconds until the earliest deadline, or -1 for none. */
static int
next_timeout(const struct master *m, long long now)
{
	long long next = -1;

	if (m->stopping != RUNNING) {
		if (m->stop_deadline > 0 && !m->killed)
			next = m->stop_deadline;
	} else {
		for (const struct pool *p = m->pools; p; p = p->next)
			if (p->nchildren < p->conf->max_children &&
			    (next < 0 || p->respawn_at < next))
				next = p->respawn_at;
	}
	if (next < 0)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

int
master_run(struct master *m)
{
	struct epoll_event ev[8];

	/* Loop phase: from now on, we must not die. */
	for (;;) {
		long long now = now_ms();
		int n;

		children_reap(m);
		if (m->stopping != RUNNING && children_count(m) == 0)
			break;
		if (m->stopping == RUNNING) {
			for (struct pool *p = m->pools; p != NULL; p = p->next)
				p->pm->tick(m, p, now);
		} else if (m->stop_deadline > 0 && now >= m->stop_deadline &&
		    !m->killed) {
			log_warning("%d workers still running after the stop "
			    "timeout: sending SIGKILL", children_count(m));
			children_signal_all(m, SIGKILL);
			m->killed = 1;
		}
		n = epoll_wait(m->epfd, ev, 8, next_timeout(m, now_ms()));
		if (n < 0 && errno != EINTR) {
			log_alert("epoll_wait() failed: %s", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++)
			if (ev[i].data.fd == m->sigfd)
				read_signals(m);
	}
	log_notice("exiting, bye-bye!");
	return 0;
}
