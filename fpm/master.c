/*
 * master.c - the master's event loop and signals.
 *
 * Every signal the master cares about is blocked and read from a signalfd
 * in the one epoll loop: no handler ever runs, so no work happens in one.
 * The loop is a fixed sequence:  reap;  let each pool's pm bring it to
 * size;  enforce timeouts;  wait for the next event or deadline;  act on
 * what arrived (signals, workers' messages and output, ondemand sockets).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "children.h"
#include "clock.h"
#include "control.h"
#include "log.h"
#include "master.h"
#include "path.h"
#include "pm.h"
#include "pool.h"
#include "reload.h"
#include "sd.h"
#include "supervise.h"
#include "zygote.h"

/* How long a fast stop (TERM/INT) waits before SIGKILL. */
#define FAST_STOP_MS 1000

long long
now_ms(void)
{
	return clock_us(CLOCK_MONOTONIC) / 1000;
}

void
master_wake_at(struct master *m, long long t)
{
	if (m->wake_at == 0 || t < m->wake_at)
		m->wake_at = t;
}

int
master_watch(struct master *m, int fd, struct watch *w)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };

	if (epoll_ctl(m->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		log_error("epoll_ctl(ADD, %d) failed: %s", fd, strerror(errno));
		return -1;
	}
	return 0;
}

void
master_unwatch(struct master *m, int fd)
{
	epoll_ctl(m->epfd, EPOLL_CTL_DEL, fd, NULL);
}

static const int handled[] = {
	SIGCHLD, SIGTERM, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGHUP, SIGPIPE,
};

int
master_init(struct master *m)
{
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
	if (ctl_open(&m->ctl_fd, &m->ctl_worker_fd) != 0) {
		log_alert("socketpair(AF_UNIX, SOCK_SEQPACKET) failed: %s",
		    strerror(errno));
		return -1;
	}
	m->sig_watch = (struct watch){ W_SIGNAL, m, 0 };
	m->ctl_watch = (struct watch){ W_CONTROL, m, 0 };
	if (master_watch(m, m->sigfd, &m->sig_watch) != 0 ||
	    master_watch(m, m->ctl_fd, &m->ctl_watch) != 0)
		return -1;
	srandom((unsigned)(m->pid ^ now_ms()));	/* pm.max_requests_jitter */
	return 0;
}

/* SIGUSR1: reopen the error log and the access logs.  Workers hold the
 * old files open, so they are replaced gracefully (as php-fpm does): each
 * finishes its request first, and lines written until then are in the
 * rotated file, not lost. */
static void
reopen_logs(struct master *m)
{
	if (m->conf->global.error_log != NULL &&
	    log_open(m->conf->global.error_log) != 0)
		log_error("SIGUSR1: cannot reopen %s: %s",
		    m->conf->global.error_log, path_open_why(errno));
	else
		log_notice("SIGUSR1 received, error log reopened");
	if (pools_reopen_logs(m) == 0)
		log_notice("access logs reopened");
	if (m->stopping)
		return;
	for (struct pool *p = m->pools; p != NULL; p = p->next) {
		/* a zygote holds them as well: the next worker starts one
		 * with the new files */
		zygote_stop(m, p);
		for (struct child *c = p->children; c != NULL; c = c->next)
			if (!c->ending)
				children_retire(m, c, "logs reopened");
	}
}

static void
stop(struct master *m, enum stop_mode mode, const char *signame)
{
	long long now = now_ms();

	sd_notifyf("STOPPING=1");
	for (struct pool *p = m->pools; p != NULL; p = p->next)
		zygote_stop(m, p);		/* no more workers: let them go */
	if (mode == STOP_FAST) {
		log_notice("%s received, stopping fast: %d workers get SIGTERM",
		    signame, children_count(m));
		m->stopping = STOP_FAST;
		for (struct pool *p = m->pools; p != NULL; p = p->next)
			children_watch_listen(m, p, 0);
		m->stop_deadline = now + FAST_STOP_MS;
		children_signal_all(m, SIGTERM);
		return;
	}
	if (m->stopping != RUNNING)
		return;
	for (struct pool *p = m->pools; p != NULL; p = p->next)
		children_watch_listen(m, p, 0);	/* ondemand forks no more */
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
		/* Reaped at the top of the loop, once every event of this
		 * round is handled: nothing may free a child under them. */
		break;
	case SIGTERM:
	case SIGINT:
		stop(m, STOP_FAST, sig == SIGTERM ? "SIGTERM" : "SIGINT");
		break;
	case SIGQUIT:
		stop(m, STOP_GRACEFUL, "SIGQUIT");
		break;
	case SIGUSR1:
		reopen_logs(m);
		break;
	case SIGUSR2:
	case SIGHUP:
		if (m->stopping == RUNNING)
			reload(m, sig == SIGUSR2 ? "SIGUSR2" : "SIGHUP");
		else
			log_notice("SIG%s received while stopping: ignored",
			    sigabbrev_np(sig));
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
	long long next = m->wake_at;

	if (m->stopping != RUNNING && m->stop_deadline > 0 && !m->killed &&
	    (next == 0 || m->stop_deadline < next))
		next = m->stop_deadline;
	if (next == 0)
		return -1;
	return next <= now ? 0 : (int)(next - now);
}

static void
on_event(struct master *m, const struct watch *w)
{
	switch (w->kind) {
	case W_SIGNAL:
		read_signals(m);
		break;
	case W_CONTROL:
		supervise_messages(m);
		break;
	case W_LISTEN: {
		struct pool *p = w->owner;

		if (m->stopping == RUNNING && p->pm->on_connection != NULL)
			p->pm->on_connection(m, p, now_ms());
		break;
	}
	case W_OUTPUT:
		children_output(m, w->owner, w->stream);
		break;
	case W_ZYGOTE:
		zygote_answer(m, w->owner);
		break;
	}
}

/* Whether a PHP pool that keeps workers has none yet but one asked of its
 * zygote: bounded by the zygote's answer time. */
static int
first_answers_out(const struct master *m)
{
	for (const struct pool *p = m->pools; p != NULL; p = p->next)
		if (!p->retiring && p->conf->pm != PM_ONDEMAND &&
		    p->children == NULL && zygote_busy(p))
			return 1;
	return 0;
}

static void
stop_deadline(struct master *m, long long now)
{
	if (m->stop_deadline > 0 && now >= m->stop_deadline && !m->killed) {
		log_warning("%d workers still running after the stop "
		    "timeout: sending SIGKILL", children_count(m));
		children_signal_all(m, SIGKILL);
		m->killed = 1;
	}
}

int
master_run(struct master *m)
{
	struct epoll_event ev[16];

	int retired = 0;

	for (struct pool *p = m->pools; p != NULL; p = p->next)
		p->pm->start(m, p, now_ms());
	/* Loop phase: from now on, we must not die. */
	for (;;) {
		long long now = now_ms();
		int n;

		zygote_collect();
		children_reap(m);
		reload_gc(m);
		/* After a reload: the previous workers go once ours are
		 * forked (a PHP pool's first as its zygote answers). */
		if (!retired && !first_answers_out(m)) {
			children_signal_retiring(m);
			retired = 1;
		}
		if (m->stopping != RUNNING && children_count(m) == 0)
			break;
		m->wake_at = 0;
		if (now >= m->sample_at) {
			pools_sample(m);
			m->sample_at = now + 1000;
		}
		master_wake_at(m, m->sample_at);
		if (m->stopping == RUNNING) {
			for (struct pool *p = m->pools; p != NULL; p = p->next)
				p->pm->tick(m, p, now);
		} else {
			stop_deadline(m, now);
		}
		if (m->stopping != STOP_FAST)
			supervise_timeouts(m, now);
		zygote_timeouts(m, now);
		n = epoll_wait(m->epfd, ev, 16, next_timeout(m, now_ms()));
		if (n < 0 && errno != EINTR) {
			log_alert("epoll_wait() failed: %s", strerror(errno));
			return 1;
		}
		for (int i = 0; i < n; i++)
			on_event(m, ev[i].data.ptr);
	}
	/* Nothing we did not fork or vouch for outlives us. */
	supervise_end_traces(m);
	children_kill_strays(m);
	log_notice("exiting, bye-bye!");
	return 0;
}
