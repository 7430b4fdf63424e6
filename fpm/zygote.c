/*
 * zygote.c - per-pool parents that fork the workers of sapi = php pools
 * (see zygote.h).
 *
 * The master and a zygote talk over a SOCK_SEQPACKET pair, one request
 * and one answer at a time: "fork a worker for slot S, request limit L,
 * with these output pipes" (the pipes go along as SCM_RIGHTS), and the
 * answer is the new worker's pid.  Nothing passes per request.  The
 * master never waits on it: the answer is one more event of its loop,
 * given up after ZYGOTE_ANSWER_MS, and while a request is out the pool's
 * further spawns are owed (pm_spawn_owed).
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "children.h"
#include "log.h"
#include "master.h"
#include "pm.h"
#include "runtime.h"
#include "zygote.h"

#ifndef FPM_PHP_MODULE
#define FPM_PHP_MODULE "/usr/lib/fpm/php.so"
#endif

/* How long the master waits for an answer, never blocking: the first
 * one comes after the engine's start-up (php.ini, extensions,
 * opcache.preload). */
#define ZYGOTE_ANSWER_MS 30000

/* Untracked children reaped while a request is out, kept to tell a
 * worker that died young from a lie (take_answer). */
#define ZYGOTE_GONE 16

struct zygote {
	pid_t pid;
	int fd;				/* the master's end */
	struct watch watch;		/* W_ZYGOTE on fd: its answers */
	struct pool *pool;		/* NULL once let go */
	struct child *pending;		/* asked for, not answered yet */
	long long answer_by;		/* when pending is given up */
	pid_t gone[ZYGOTE_GONE];
	int ngone;
	struct child err;		/* its stderr, read as a worker's:
					 * only pid, pool and out[] are used */
	struct zygote *next_dead;
};

struct spawn_req {
	int slot;
	int nfds;			/* output pipes sent along: bit 0
					 * stdout, bit 1 stderr */
	long long request_limit;
};

struct spawn_ans {
	pid_t pid;			/* or -1 */
	int err;			/* errno of the failed fork */
};

const char *
zygote_module_path(void)
{
	static char found[4096];
	const char *env = getenv("FPM_PHP_MODULE");
	char exe[2048], *slash;
	ssize_t n;

	if (env != NULL && env[0] != '\0')
		return env;
	if (access(FPM_PHP_MODULE, F_OK) == 0)
		return FPM_PHP_MODULE;
	/* Installed elsewhere than configured (make install prefix=DIR), or
	 * run from the build tree: look beside the binary. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		if ((slash = strrchr(exe, '/')) != NULL)
			*slash = '\0';
		snprintf(found, sizeof(found), "%s/../lib/fpm/php.so", exe);
		if (access(found, F_OK) == 0)
			return found;
		snprintf(found, sizeof(found), "%s/../.libs/php.so", exe);
		if (access(found, F_OK) == 0)
			return found;
	}
	return FPM_PHP_MODULE;
}

/* ---- in the zygote --------------------------------------------------- */

/* Receive one request and its descriptors.  Returns 1, or 0 when the
 * master is gone or let the zygote go. */
static int
recv_req(int fd, struct spawn_req *rq, int fds[2])
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = { rq, sizeof(*rq) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int got[2], n_fds;
	ssize_t n;

	fds[0] = fds[1] = -1;
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(*rq))
		return 0;
	n_fds = (rq->nfds & 1) + (rq->nfds >> 1 & 1);
	cm = CMSG_FIRSTHDR(&mh);
	if (n_fds == 0 || cm == NULL || cm->cmsg_type != SCM_RIGHTS ||
	    cm->cmsg_len != CMSG_LEN((size_t)n_fds * sizeof(int)))
		return 1;
	memcpy(got, CMSG_DATA(cm), (size_t)n_fds * sizeof(int));
	if (rq->nfds & 1)
		fds[0] = got[0];
	if (rq->nfds & 2)
		fds[1] = got[n_fds - 1];
	return 1;
}

/* The master's name (comm), which workers take back. */
static char master_comm[16];

/* The new worker, with the engine already started.  It is orphaned to
 * the master as soon as its first parent exits: only then may it take the
 * master's death signal (a death signal follows the parent of the
 * moment). */
__attribute__((noreturn)) static void
worker(struct master *m, struct pool *p, const struct worker_conf *base,
    const struct spawn_req *rq, const int out[2], int procfd)
{
	struct worker_conf wc = *base;
	struct child c = { .slot = rq->slot,
	    .request_limit = rq->request_limit };

	prctl(PR_SET_NAME, master_comm);
	for (int i = 0; getppid() != m->pid && i < 2000; i++)
		usleep(500);
	children_set_stdio(out, STDIN_FILENO);	/* stdin is /dev/null */
	if (out[0] >= 0)
		close(out[0]);
	if (out[1] >= 0)
		close(out[1]);
	if (children_watch_master(m, p) != 0)
		_exit(0);
	children_worker_slot(&wc, p, &c, procfd);
	worker_main(&wc);
}

/* Fork a worker that is the master's child, not ours: fork twice and let
 * the middle process exit, so that the worker is orphaned to the master,
 * the child subreaper.  glibc's fork() both times, so the worker's libc
 * state (its thread id, robust futex list, atfork handlers) is right.
 * Returns the worker's pid once it is the master's, or -errno. */
static pid_t
fork_orphan(int fd, struct master *m, struct pool *p,
    const struct worker_conf *wc, const struct spawn_req *rq,
    const int out[2], int procfd)
{
	int pp[2], st;
	pid_t mid, pid = -EAGAIN;

	if (pipe2(pp, O_CLOEXEC) != 0)
		return -errno;
	mid = fork();
	if (mid == 0) {
		pid = fork();
		if (pid == 0) {
			close(pp[0]);
			close(pp[1]);
			close(fd);
			worker(m, p, wc, rq, out, procfd);
		}
		if (pid < 0)
			pid = -errno;
		_exit(write(pp[1], &pid, sizeof(pid)) == sizeof(pid) ? 0 : 1);
	}
	close(pp[1]);
	if (mid < 0) {
		close(pp[0]);
		return -errno;
	}
	if (read(pp[0], &pid, sizeof(pid)) != sizeof(pid))
		pid = -EAGAIN;
	close(pp[0]);
	while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
		;
	return pid;
}

/* Restore, for the engine's start-up only, variables that clear_env took
 * away but that PHP reads to find php.ini. */
struct saved_env {
	const char *name;
	char *value;
	int set;
};

static void
env_save(struct saved_env *e, int n)
{
	for (int i = 0; i < n; i++) {
		const char *v = getenv(e[i].name);

		e[i].value = v != NULL ? strdup(v) : NULL;
	}
}

static void
env_lend(struct saved_env *e, int n)
{
	for (int i = 0; i < n; i++)
		if (e[i].value != NULL && getenv(e[i].name) == NULL)
			e[i].set = setenv(e[i].name, e[i].value, 1) == 0;
}

static void
env_take_back(struct saved_env *e, int n)
{
	for (int i = 0; i < n; i++) {
		if (e[i].set)
			unsetenv(e[i].name);
		free(e[i].value);
	}
}

__attribute__((noreturn)) static void
zygote_main(struct master *m, struct pool *p, int fd, const int err_out[2])
{
	struct saved_env env[] = { { "PHPRC", NULL, 0 },
	    { "PHP_INI_SCAN_DIR", NULL, 0 } };
	int nenv = (int)(sizeof(env) / sizeof(env[0]));
	const struct sapi_ops *ops;
	struct worker_conf wc;
	char *path;
	char err[512];
	void *h;
	int procfd;

	/* "fpm-zygote" in ps and /proc/PID/comm; its workers are "fpm" */
	prctl(PR_GET_NAME, master_comm);
	prctl(PR_SET_NAME, "fpm-zygote");
	/* The module and libphp load while the files are all in sight:
	 * a chroot need not hold them. */
	/* a copy: it may point into the environment clear_env wipes */
	path = strdup(zygote_module_path());
	env_save(env, nenv);
	h = path ? dlopen(path, RTLD_NOW | RTLD_GLOBAL) : NULL;
	/* From here its lines go to the master, which adds pool and pid. */
	if (children_become(m, p, err_out, fd, &procfd) != 0)
		_exit(78);
	if (h == NULL) {
		log_error("cannot load the PHP sapi: %s", dlerror());
		_exit(78);
	}
	ops = dlsym(h, "fpm_sapi_php");
	if (ops == NULL || ops->preload == NULL) {
		log_error("%s is not fpm's PHP sapi module", path);
		_exit(78);
	}
	children_worker_conf(m, p, &wc);
	wc.ops = ops;
	worker_conf_set(&wc);
	env_lend(env, nenv);
	if (ops->preload(&wc, err, sizeof(err)) != 0) {
		log_error("the PHP engine did not start: %s", err);
		_exit(78);
	}
	env_take_back(env, nenv);
	log_debug("zygote: the PHP engine is up");
	for (;;) {
		struct spawn_req rq;
		struct spawn_ans ans = { -1, 0 };
		int out[2];
		pid_t pid;

		if (!recv_req(fd, &rq, out))
			_exit(0);
		pid = fork_orphan(fd, m, p, &wc, &rq, out, procfd);
		ans.pid = pid;
		ans.err = pid < 0 ? -pid : 0;
		if (pid < 0)
			ans.pid = -1;
		if (out[0] >= 0)
			close(out[0]);
		if (out[1] >= 0)
			close(out[1]);
		if (send(fd, &ans, sizeof(ans), MSG_NOSIGNAL) != sizeof(ans)) {
			/* the master let us go: nobody would track it */
			if (pid > 0)
				kill(pid, SIGKILL);
			_exit(0);
		}
	}
}

/* ---- in the master --------------------------------------------------- */

/* Zygotes let go while an epoll batch may still point at them: freed at
 * the top of the next loop (zygote_collect). */
static struct zygote *dead;

static int
zygote_start(struct master *m, struct pool *p)
{
	struct zygote *z = calloc(1, sizeof(*z));
	int sv[2], ep[2], err_out[2] = { -1, -1 };

	if (z == NULL) {
		log_error("[pool %s] out of memory", p->conf->name);
		return -1;
	}
	/* The zygote's workers are orphaned to us (see fork_orphan). */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
		log_error("[pool %s] prctl(PR_SET_CHILD_SUBREAPER) failed: %s",
		    p->conf->name, strerror(errno));
		free(z);
		return -1;
	}
	/* its stderr: a pipe we read, as a worker's (log_to_master()) */
	if (pipe2(ep, O_CLOEXEC) != 0) {
		log_error("[pool %s] pipe2() failed: %s", p->conf->name,
		    strerror(errno));
		free(z);
		return -1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		log_error("[pool %s] socketpair() failed: %s", p->conf->name,
		    strerror(errno));
		close(ep[0]);
		close(ep[1]);
		free(z);
		return -1;
	}
	z->pid = fork();
	if (z->pid < 0) {
		log_error("[pool %s] fork() failed: %s", p->conf->name,
		    strerror(errno));
		close(sv[0]);
		close(sv[1]);
		close(ep[0]);
		close(ep[1]);
		free(z);
		return -1;
	}
	if (z->pid == 0) {
		close(sv[0]);
		close(ep[0]);
		err_out[1] = ep[1];
		zygote_main(m, p, sv[1], err_out);
	}
	close(sv[1]);
	close(ep[1]);
	fcntl(ep[0], F_SETFL, O_NONBLOCK);
	z->fd = sv[0];
	z->pool = p;
	z->err = (struct child){ .pid = z->pid, .pool = p, .slot = -1 };
	z->err.out[0].fd = -1;
	z->err.out[1].fd = ep[0];
	children_adopt_output(m, &z->err);
	z->watch = (struct watch){ W_ZYGOTE, z, 0 };
	if (master_watch(m, z->fd, &z->watch) != 0) {
		/* logged; without its answers it is no use */
		kill(z->pid, SIGKILL);
		children_end_output(m, &z->err);
		close(z->fd);
		free(z);
		return -1;
	}
	p->zygote = z;
	log_debug("[pool %s] zygote %d started", p->conf->name, (int)z->pid);
	return 0;
}

static int
recv_ans(int fd, struct spawn_ans *ans)
{
	ssize_t n;

	do
		n = recv(fd, ans, sizeof(*ans), MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return 1;
	return n == (ssize_t)sizeof(*ans) ? 0 : -1;
}

static void take_answer(struct master *m, struct zygote *z,
    const struct spawn_ans *ans);

void
zygote_stop(struct master *m, struct pool *p)
{
	struct zygote *z = p->zygote;
	struct spawn_ans ans;

	if (z == NULL)
		return;
	if (z->pending != NULL) {
		/* An answer already sent is taken; after shutdown() the
		 * zygote's send fails, and it kills the worker it forked
		 * (zygote_main): no worker is left that nobody tracks. */
		shutdown(z->fd, SHUT_RD);
		if (recv_ans(z->fd, &ans) == 0)
			take_answer(m, z, &ans);
		if (z->pending != NULL) {
			children_abandon(m, z->pending);
			z->pending = NULL;
		}
	}
	/* what it wrote before it went: a failed start says why */
	children_end_output(m, &z->err);
	master_unwatch(m, z->fd);
	close(z->fd);
	z->fd = -1;
	z->pool = NULL;
	p->zygote = NULL;
	z->next_dead = dead;
	dead = z;
}

void
zygote_collect(void)
{
	while (dead != NULL) {
		struct zygote *z = dead;

		dead = z->next_dead;
		free(z);
	}
}

/* z runs pool code, which may lie or hang: it goes, and the pool backs
 * off as for a worker dying at start-up. */
static void
replace(struct master *m, struct zygote *z)
{
	struct pool *p = z->pool;

	kill(z->pid, SIGKILL);
	zygote_stop(m, p);
	pm_note_failed_start(p, now_ms());
	master_wake_at(m, p->respawn_at);
}

static int
send_req(int fd, const struct spawn_req *rq, const int w[2])
{
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	struct iovec iov = { (void *)rq, sizeof(*rq) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;
	int fds[2], n_fds = 0;
	ssize_t n;

	for (int i = 0; i < 2; i++)
		if (rq->nfds & (1 << i))
			fds[n_fds++] = w[i];
	if (n_fds > 0) {
		memset(cbuf, 0, sizeof(cbuf));
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE((size_t)n_fds * sizeof(int));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN((size_t)n_fds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, (size_t)n_fds * sizeof(int));
	}
	/* One request at a time, so the socket has room: never wait. */
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(*rq) ? 0 : -1;
}

/* The real uid of pid, from /proc (a child we have not reaped cannot
 * change pid under us).  Returns 0, or -1. */
static int
proc_uid(pid_t pid, uid_t *uid)
{
	char path[64], line[256];
	unsigned long u;
	FILE *f;
	int found = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (found != 0 && fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "Uid: %lu", &u) == 1)
			found = 0;
	fclose(f);
	*uid = (uid_t)u;
	return found;
}

/* Whether the kernel vouches for pid as a new worker of z's pool: our own
 * child (the zygote's middle process has exited, so the worker is
 * reparented to us before the answer is sent), not reaped, not one we
 * track already, not a zygote, and running as the zygote does.  Race-
 * free: until we reap it, no other process can take a child's pid. */
static int
vouch(struct master *m, const struct zygote *z, pid_t pid)
{
	siginfo_t si = { 0 };
	uid_t uid, zuid;

	if (pid <= 0 || pid == m->pid || children_find(m, pid) != NULL)
		return -1;
	/* Every zygote is an untracked child of ours: another pool's (of
	 * the same user) would pass the checks below, and be recorded
	 * twice. */
	for (const struct pool *q = m->pools; q != NULL; q = q->next)
		if (q->zygote != NULL && q->zygote->pid == pid)
			return -1;
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
		return -1;	/* ECHILD: not ours */
	if (proc_uid(pid, &uid) != 0 || proc_uid(z->pid, &zuid) != 0 ||
	    uid != zuid)
		return -1;
	return 0;
}

/* Whether pid is a child of ours that exited, untracked, since the
 * request: a worker that died before its zygote could report it. */
static int
gone_since_asked(const struct zygote *z, pid_t pid)
{
	int n = z->ngone < ZYGOTE_GONE ? z->ngone : ZYGOTE_GONE;

	for (int i = 0; i < n; i++)
		if (z->gone[i] == pid)
			return 1;
	return 0;
}

/* z answered its pending request. */
static void
take_answer(struct master *m, struct zygote *z, const struct spawn_ans *ans)
{
	struct pool *p = z->pool;
	struct child *c = z->pending;

	z->pending = NULL;
	if (ans->pid < 0) {
		log_error("[pool %s] the PHP zygote could not fork: %s",
		    p->conf->name, strerror(ans->err > 0 && ans->err < 4096 ?
		    ans->err : EIO));
		children_abandon(m, c);
		p->respawn_at = now_ms() + PM_FORK_RETRY_MS;
		master_wake_at(m, p->respawn_at);
		return;
	}
	if (vouch(m, z, ans->pid) == 0) {
		children_add(m, c, ans->pid);
		return;
	}
	if (gone_since_asked(z, ans->pid)) {
		/* reaped already, as a child we did not know */
		log_warning("[pool %s] worker %d exited before its zygote "
		    "reported it", p->conf->name, (int)ans->pid);
		children_abandon(m, c);
		pm_note_failed_start(p, now_ms());
		master_wake_at(m, p->respawn_at);
		return;
	}
	/* It runs pool code, and that code lies: let it go.  The worker it
	 * may have forked is an untracked child, which children_kill_strays
	 * stops with the master. */
	log_error("[pool %s] the PHP zygote %d reported pid %d, which is not "
	    "a new worker of the pool: refused, the zygote is replaced",
	    p->conf->name, (int)z->pid, (int)ans->pid);
	children_abandon(m, c);
	replace(m, z);
}

int
zygote_ask(struct master *m, struct pool *p, struct child *c,
    const int w[2])
{
	struct spawn_req rq = { c->slot, (w[0] >= 0) | (w[1] >= 0) << 1,
	    c->request_limit };
	struct zygote *z;

	if (p->zygote == NULL && zygote_start(m, p) != 0)
		return -1;
	z = p->zygote;
	if (send_req(z->fd, &rq, w) != 0) {
		/* It died (its start-up failed: logged there). */
		log_error("[pool %s] the PHP zygote %d does not take requests; "
		    "it is replaced", p->conf->name, (int)z->pid);
		replace(m, z);
		return -1;
	}
	z->pending = c;
	z->ngone = 0;
	z->answer_by = now_ms() + ZYGOTE_ANSWER_MS;
	master_wake_at(m, z->answer_by);
	return 0;
}

int
zygote_busy(const struct pool *p)
{
	return p->zygote != NULL && p->zygote->pending != NULL;
}

struct child *
zygote_pending(const struct pool *p)
{
	return p->zygote != NULL ? p->zygote->pending : NULL;
}

void
zygote_answer(struct master *m, struct zygote *z)
{
	struct spawn_ans ans;
	int r;

	if (z->pool == NULL)
		return;		/* let go earlier in this batch */
	r = recv_ans(z->fd, &ans);
	if (r > 0)
		return;
	if (r < 0 && z->pending == NULL) {
		/* it exits: zygote_exited says so as it is reaped */
		master_unwatch(m, z->fd);
		return;
	}
	if (r < 0 || z->pending == NULL) {
		/* EOF (it died: its lines say why), a torn message, or an
		 * answer to nothing */
		log_error("[pool %s] the PHP zygote %d %s; it is replaced",
		    z->pool->conf->name, (int)z->pid, r == 0 ?
		    "answered what was not asked" : "does not answer");
		replace(m, z);
		return;
	}
	take_answer(m, z, &ans);
	if (z->pool != NULL)
		pm_spawn_owed(m, z->pool);
}

void
zygote_timeouts(struct master *m, long long now)
{
	for (struct pool *p = m->pools; p != NULL; p = p->next) {
		struct zygote *z = p->zygote;

		if (z == NULL || z->pending == NULL)
			continue;
		if (now < z->answer_by) {
			master_wake_at(m, z->answer_by);
			continue;
		}
		log_error("[pool %s] the PHP zygote %d has not answered in %d "
		    "seconds; it is replaced", p->conf->name, (int)z->pid,
		    ZYGOTE_ANSWER_MS / 1000);
		replace(m, z);
	}
}

int
zygote_exited(struct master *m, pid_t pid, int status)
{
	for (struct pool *p = m->pools; p != NULL; p = p->next) {
		struct zygote *z = p->zygote;

		if (z == NULL)
			continue;
		if (z->pid != pid) {
			/* maybe the worker it is about to report */
			if (z->pending != NULL)
				z->gone[z->ngone++ % ZYGOTE_GONE] = pid;
			continue;
		}
		log_warning("[pool %s] the PHP zygote %d exited (status 0x%x); "
		    "the next worker starts another", p->conf->name, (int)pid,
		    status);
		if (z->pending != NULL) {
			zygote_stop(m, p);	/* takes a last answer */
			pm_note_failed_start(p, now_ms());
			master_wake_at(m, p->respawn_at);
		} else {
			zygote_stop(m, p);
		}
		return 1;
	}
	return 0;
}
