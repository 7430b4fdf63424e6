/*
 * children.c - forking, reaping and signalling workers, and catching what
 * they write.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <dirent.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "children.h"
#include "identity.h"
#include "log.h"
#include "pm.h"
#include "runtime.h"
#include "scoreboard.h"
#include "supervise.h"
#include "zygote.h"

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

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Close every descriptor above stderr but the n in keep: the master's own
 * (epoll, signalfd, other pools' sockets) and whatever fpm was started
 * with must not leak into an app. */
static void
close_except(int *keep, int n)
{
	unsigned lo = STDERR_FILENO + 1;

	qsort(keep, (size_t)n, sizeof(*keep), cmp_int);
	for (int i = 0; i < n; i++) {
		if (keep[i] < (int)lo)
			continue;
		if ((unsigned)keep[i] > lo)
			close_range(lo, (unsigned)keep[i] - 1, 0);
		lo = (unsigned)keep[i] + 1;
	}
	close_range(lo, ~0U, 0);
}

/* Whether p is own's pool for isolation: itself, or the pool whose status
 * it serves, or its own status listener (they share one configuration). */
static int
same_pool(const struct pool *own, const struct pool *p)
{
	return p == own || p == own->status_of || p->status_of == own;
}

/* Nothing of another pool stays in a child: its scoreboard (the requests
 * it serves now) is unmapped, its configuration (env[] values,
 * php_value[], paths) and what its workers wrote last are zeroed in our
 * copy of the master's memory.  Its descriptors go with close_except.
 * Our own pool's scoreboards become read-only: children_worker_slot
 * opens a worker's own slot again. */
static void
forget_other_pools(struct master *m, struct pool *own)
{
	for (struct pool *p = m->pools; p != NULL; p = p->next) {
		if (same_pool(own, p)) {
			if (p->sb != NULL &&
			    scoreboard_seal(p->sb, p->sb_fd[1]) != 0) {
				log_error("cannot map the scoreboard read-only: "
				    "%s", strerror(errno));
				_exit(1);
			}
			continue;
		}
		scoreboard_free(p->sb);
		p->sb = NULL;
		conf_scrub_pool(p->conf);
		for (struct child *c = p->children; c != NULL; c = c->next)
			explicit_bzero(c->out, sizeof(c->out));
	}
	conf_scrub_shared(m->conf);
}

/* The master's stack below us holds what it last looked at: copies of
 * other pools' scoreboard slots, log lines.  Zero a generous depth. */
__attribute__((noinline)) static void
scrub_stack(void)
{
	char below[256 * 1024];

	explicit_bzero(below, sizeof(below));
	__asm__ volatile("" : : "r"(below) : "memory");
}

/* The child's first steps: a clean signal state; stdin and stdout on
 * /dev/null or the output pipe, stderr on the pipe the master reads; only
 * the descriptors it needs (and extra, or -1); nothing of other pools in
 * memory.  Not the error log nor the slow log: their lines go through the
 * master (log_to_master()). */
static void
child_reset(struct master *m, struct pool *own, const int out[2], int extra)
{
	/* sb_fd[0]: for children_worker_slot (the zygote's workers too) */
	int keep[7] = { own->listen_fd, m->ctl_worker_fd, own->access_fd,
	    own->status_of ? own->status_of->listen_fd : -1, extra,
	    own->wake_fd, own->sb_fd[0] };
	sigset_t none;	/* all but SIGQUIT */
	int null;

	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	/* SIGQUIT stays blocked: the runtime takes it only while idle. */
	sigemptyset(&none);
	sigaddset(&none, SIGQUIT);
	sigprocmask(SIG_SETMASK, &none, NULL);
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		children_set_stdio(out, null);
	}
	/* after the dup2: a log on stderr is replaced, any other closed */
	log_to_master();
	forget_other_pools(m, own);	/* before close_except: sb_fd[1] */
	close_except(keep, 7);
	scrub_stack();
}

void
children_set_stdio(const int out[2], int null)
{
	dup2(out[0] >= 0 ? out[0] : null, STDOUT_FILENO);
	dup2(out[1] >= 0 ? out[1] : null, STDERR_FILENO);
}

/* pm.max_requests plus this worker's share of the jitter. */
static long long
request_limit(const struct pool_conf *c)
{
	if (c->max_requests <= 0)
		return 0;
	if (c->max_requests_jitter <= 0)
		return c->max_requests;
	return c->max_requests + random() % (c->max_requests_jitter + 1);
}

int
children_become(struct master *m, struct pool *p, const int out[2],
    int extra, int *procfd)
{
	char err[512];

	child_reset(m, p, out, extra);
	/* Before chroot: /proc may not exist inside it. */
	*procfd = p->conf->max_memory > 0 ?
	    open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (identity_apply(p->conf, err, sizeof(err)) != 0) {
		/* to the master, which adds the pool and pid */
		log_error("cannot take the pool's identity: %s", err);
		return -1;
	}
	return children_watch_master(m, p);
}

int
children_watch_master(struct master *m, struct pool *p)
{
	/* After setuid: a change of credentials clears the death signal. */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != m->pid)
		return -1;
	if (p->conf->dumpable)
		prctl(PR_SET_DUMPABLE, 1);
	return 0;
}

void
children_worker_conf(struct master *m, struct pool *p,
    struct worker_conf *wc)
{
	*wc = (struct worker_conf){ 0 };
	wc->pool = p->conf->name;
	wc->listen_fd = p->listen_fd;
	wc->allowed = &p->conf->allowed_clients;
	wc->sapi = p->conf->sapi;
	wc->app = identity_app_path(p->conf);
	wc->sb = p->sb;
	wc->pages = (struct page_conf){
		.pool = p->conf->name, .pm = conf_pm_name(p->conf->pm),
		.status_path = p->conf->status_path,
		.ping_path = p->conf->ping_path,
		.ping_response = p->conf->ping_response,
		.sb = p->status_of ? p->status_of->sb : p->sb,
		.queue_fd = p->status_of ? p->status_of->listen_fd :
		    p->listen_fd,
		.status_only = p->status_of != NULL,
	};
	wc->ctl_fd = m->ctl_worker_fd;
	wc->max_memory = p->conf->max_memory;
	wc->cgi_root = p->conf->cgi_root;
	if (wc->cgi_root != NULL && p->conf->chroot != NULL &&
	    strncmp(wc->cgi_root, p->conf->chroot, strlen(p->conf->chroot)) == 0)
		wc->cgi_root += strlen(p->conf->chroot);	/* as seen inside */
	wc->cgi_extensions = p->conf->cgi_extensions;
	wc->access_fd = p->access_fd;
	wc->slowlog = p->slowlog_fd >= 0;
	wc->slowlog_depth = (int)p->conf->slowlog_depth;
	wc->access_format = p->conf->access_format;
	wc->suppress_paths = p->conf->suppress_paths;
	wc->nsuppress_paths = p->conf->nsuppress_paths;
	wc->php_ini = p->conf->php_ini;
	wc->nphp_ini = p->conf->nphp_ini;
	wc->limit_extensions = p->conf->limit_extensions;
	wc->php = &m->php;
	wc->statm_fd = -1;
	wc->wake_fd = p->wake_fd;
	wc->max_params = p->conf->max_params;
}

void
children_worker_slot(struct worker_conf *wc, struct pool *p,
    const struct child *c, int procfd)
{
	/* Its own slot and the pool's counters writable, nothing else:
	 * then no descriptor is left to map more. */
	if (scoreboard_open_slot(p->sb, p->sb_fd[0], c->slot) != 0) {
		log_error("cannot map its scoreboard slot: %s", strerror(errno));
		_exit(1);
	}
	close(p->sb_fd[0]);
	p->sb_fd[0] = -1;
	wc->slot = &p->sb->slots[c->slot];
	wc->max_requests = c->request_limit;
	if (procfd >= 0) {
		wc->statm_fd = openat(procfd, "self/statm", O_RDONLY | O_CLOEXEC);
		close(procfd);
	}
}

__attribute__((noreturn)) static void
child_main(struct master *m, struct pool *p, struct child *c,
    const int out[2])
{
	struct worker_conf wc;
	int procfd;

	if (children_become(m, p, out, -1, &procfd) != 0)
		_exit(78);
	children_worker_conf(m, p, &wc);
	children_worker_slot(&wc, p, c, procfd);
	worker_main(&wc);
}

/* A worker that died in a request leaves the pool's count of busy
 * workers one too high: take it back, then clear the slot. */
static void
release_slot(const struct child *c)
{
	struct scoreboard *sb = c->pool->sb;
	struct sb_slot s;

	if (scoreboard_read(&sb->slots[c->slot], &s) == 0 && s.pid == c->pid &&
	    (s.state == SB_RUNNING || s.state == SB_FINISHING))
		atomic_fetch_sub_explicit(&sb->active, 1, memory_order_relaxed);
	scoreboard_reset(&sb->slots[c->slot]);
	c->pool->slot_used[c->slot] = 0;
}

/* A free slot, looked for from where the last one was found: spawning N
 * workers is linear, not a walk of the children for each slot. */
static int
take_slot(struct pool *p)
{
	unsigned n = p->sb->nslots;

	for (unsigned k = 0; k < n; k++) {
		unsigned i = (p->slot_next + k) % n;

		if (!p->slot_used[i]) {
			p->slot_next = (i + 1) % n;
			return (int)i;
		}
	}
	return -1;
}

/* A pipe for stderr, always: the worker's own messages and whatever its
 * libraries write there (libfcgi before it aborts) reach the log through
 * the master.  With catch_workers_output a pipe for stdout as well, else
 * stdout is /dev/null, as in php-fpm.  The read ends stay here, w gets
 * the write ends for the child. */
static int
open_output(struct pool *p, struct child *c, int w[2])
{
	w[0] = w[1] = -1;
	c->out[0].fd = c->out[1].fd = -1;
	for (int i = p->conf->catch_workers_output ? 0 : 1; i < 2; i++) {
		int fds[2];

		if (pipe2(fds, O_CLOEXEC) != 0) {
			log_error("[pool %s] pipe2() failed: %s", p->conf->name,
			    strerror(errno));
			if (w[0] >= 0)	/* the caller closes the read ends */
				close(w[0]);
			w[0] = -1;
			return -1;
		}
		fcntl(fds[0], F_SETFL, O_NONBLOCK);
		c->out[i].fd = fds[0];
		w[i] = fds[1];
	}
	return 0;
}

static void
close_output(struct master *m, struct child *c)
{
	for (int i = 0; i < 2; i++) {
		if (c->out[i].fd < 0)
			continue;
		if (c->out[i].watch.owner != NULL)
			master_unwatch(m, c->out[i].fd);
		close(c->out[i].fd);
		c->out[i].fd = -1;
	}
}

void
children_adopt_output(struct master *m, struct child *c)
{
	for (int i = 0; i < 2; i++) {
		if (c->out[i].fd < 0)
			continue;
		c->out[i].watch = (struct watch){ W_OUTPUT, c, i };
		if (master_watch(m, c->out[i].fd, &c->out[i].watch) != 0)
			c->out[i].watch.owner = NULL;
	}
}

/* A PHP worker: forked by the pool's zygote, as our child all the same.
 * The zygote answers later (zygote_answer); until then c is counted in
 * nchildren and holds its slot, so that no pm asks for more than it
 * needs, and is the zygote's. */
static int
ask_zygote(struct master *m, struct pool *p, struct child *c, int w[2])
{
	int r = zygote_ask(m, p, c, w);

	for (int i = 0; i < 2; i++)	/* the zygote has them now, or none */
		if (w[i] >= 0)
			close(w[i]);
	if (r != 0) {
		close_output(m, c);
		free(c);
		return r;
	}
	p->slot_used[c->slot] = 1;
	p->nchildren++;
	return 0;
}

void
children_add(struct master *m, struct child *c, pid_t pid)
{
	struct pool *p = c->pool;

	c->pid = pid;
	c->started = now_ms();
	c->next = p->children;
	p->children = c;
	children_adopt_output(m, c);
	log_debug("[pool %s] child %d started", p->conf->name, (int)pid);
}

void
children_abandon(struct master *m, struct child *c)
{
	c->pool->slot_used[c->slot] = 0;
	c->pool->nchildren--;
	close_output(m, c);
	free(c);
}

int
children_spawn(struct master *m, struct pool *p)
{
	struct child *c;
	int slot, w[2];
	pid_t pid;

	if (p->conf->sapi == SAPI_PHP && !p->retiring && zygote_busy(p))
		return 1;	/* one request at a time: ask on its answer */
	if ((slot = take_slot(p)) < 0) {
		log_debug("[pool %s] no free scoreboard slot", p->conf->name);
		return -1;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		log_error("[pool %s] out of memory", p->conf->name);
		return -1;
	}
	c->slot = slot;
	if (open_output(p, c, w) != 0) {
		close_output(m, c);
		free(c);
		return -1;
	}
	scoreboard_reset(&p->sb->slots[slot]);
	c->request_limit = request_limit(p->conf);
	c->pool = p;
	if (p->conf->sapi == SAPI_PHP && !p->retiring)
		return ask_zygote(m, p, c, w);
	/* Every signal is blocked in the master (signalfd), so none can run
	 * a handler in the child before child_reset. */
	pid = fork();
	if (pid < 0)
		log_error("[pool %s] fork() failed: %s", p->conf->name,
		    strerror(errno));
	if (pid == 0)
		child_main(m, p, c, w);
	if (pid < 0) {
		close(w[0]), close(w[1]);
		close_output(m, c);
		free(c);
		return -1;
	}
	p->slot_used[slot] = 1;
	p->nchildren++;
	for (int i = 0; i < 2; i++)
		if (w[i] >= 0)
			close(w[i]);
	children_add(m, c, pid);
	return 0;
}

struct child *
children_find(struct master *m, pid_t pid)
{
	for (struct pool *p = m->pools; p != NULL; p = p->next)
		for (struct child *c = p->children; c != NULL; c = c->next)
			if (c->pid == pid)
				return c;
	return NULL;
}

/* Take the child with pid out of the table (or exactly want, when not
 * NULL: its pid may already be another's). */
static struct child *
unlink_child(struct master *m, pid_t pid, const struct child *want)
{
	for (struct pool *p = m->pools; p != NULL; p = p->next) {
		for (struct child **cp = &p->children; *cp; cp = &(*cp)->next) {
			struct child *c = *cp;

			if (want != NULL ? c != want : c->pid != pid)
				continue;
			*cp = c->next;
			p->nchildren--;
			if (c->ending)
				p->nending--;
			return c;
		}
	}
	return NULL;
}

/* ---- caught output ----------------------------------------------------- */

struct emit_ctx {
	struct child *c;
	int stream;
};

static int
is_line(const char *line, size_t len, const char *what)
{
	return len == strlen(what) && memcmp(line, what, len) == 0;
}

/* A worker's own backtrace (no ptrace rights), between LOG_TRACE_BEGIN
 * and LOG_TRACE_END on its stderr: taken only right after the master
 * asked for it, at most slowlog_depth lines, escaped into the slow log,
 * after the entry's head the master wrote.  Returns 1 if line was one. */
static int
trace_line(struct child *c, const char *line, size_t len)
{
	struct pool *p = c->pool;
	char esc[LOG_ESCAPED_MAX(OUTPUT_MAX) + 1];
	size_t n;

	if (c->self_trace == TRACE_ASKED && is_line(line, len, LOG_TRACE_BEGIN)) {
		c->self_trace = TRACE_TAKING;
		c->trace_left = (int)p->conf->slowlog_depth;
		return 1;
	}
	if (c->self_trace != TRACE_TAKING)
		return 0;
	if (is_line(line, len, LOG_TRACE_END) || c->trace_left <= 0) {
		c->self_trace = TRACE_NONE;
		return is_line(line, len, LOG_TRACE_END);
	}
	c->trace_left--;
	n = log_escape(esc, sizeof(esc) - 1, line, len);
	esc[n++] = '\n';
	if (p->slowlog_fd >= 0 && write(p->slowlog_fd, esc, n) != (ssize_t)n)
		log_error("[pool %s] cannot write the slow log %s: %s",
		    p->conf->name, p->conf->slowlog, strerror(errno));
	return 1;
}

/*
 * A line of a worker's output: the worker's own message (LOG_MARK_RUNTIME,
 * from log_to_master()) as "[pool www] pid 4242: message", anything else
 * as "[pool www] child 4242 said into stderr: "text"".  Either way with
 * the pool and pid the master knows and at WARNING, whatever the worker
 * claims, and escaped.  decorate_workers_output = no leaves out the
 * "said into" part, not the time and level: a worker's line is never
 * bare, so it cannot pass for one of the master's.
 */
static void
emit_line(void *arg, const char *line, size_t len, int continued)
{
	const struct emit_ctx *e = arg;
	const struct pool_conf *pc = e->c->pool->conf;
	char text[OUTPUT_TEXT_MAX];
	size_t n;

	if (e->stream == 1 && trace_line(e->c, line, len))
		return;
	if (e->stream == 1 && len > 0 && line[0] == LOG_MARK_RUNTIME) {
		n = (size_t)snprintf(text, sizeof(text), "[pool %s] pid %d: ",
		    pc->name, (int)e->c->pid);
		if (n >= sizeof(text))
			n = sizeof(text) - 1;
		n += log_escape(text + n, sizeof(text) - n, line + 1, len - 1);
		log_line(LOG_LEVEL_WARNING, 0, text, n);
		return;
	}
	n = output_decorate(text, sizeof(text), pc->name, (int)e->c->pid,
	    e->stream ? "stderr" : "stdout", line, len,
	    (pc->decorate_workers_output ? OUTPUT_DECORATE : 0) |
	    (continued ? OUTPUT_CONTINUED : 0));
	log_line(LOG_LEVEL_WARNING, 0, text, n);
}

/* Read what the worker wrote; all of it when drain is set (it is dead),
 * else a bounded amount so one chatty worker cannot starve the loop.
 * Draining is bounded too (DRAIN_READS, more than a pipe holds): what a
 * dead worker left behind (a process that inherited the pipe and writes
 * on) must not keep the master reading forever. */
#define DRAIN_READS 128

static void
close_stream(struct master *m, struct child_out *o, struct emit_ctx *e)
{
	output_flush(&o->line, emit_line, e);
	if (o->watch.owner != NULL)
		master_unwatch(m, o->fd);
	close(o->fd);
	o->fd = -1;
}

static void
read_output(struct master *m, struct child *c, int stream, int drain)
{
	struct child_out *o = &c->out[stream];
	struct emit_ctx e = { c, stream };
	size_t limit = (size_t)m->conf->global.log_limit;
	char buf[16384];

	for (int i = 0; o->fd >= 0 && i < (drain ? DRAIN_READS : 16); i++) {
		ssize_t n = read(o->fd, buf, sizeof(buf));

		if (n > 0) {
			output_feed(&o->line, buf, (size_t)n, limit, emit_line, &e);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN && !drain)
			return;
		/* EOF, or dead with a grandchild keeping the pipe open */
		close_stream(m, o, &e);
	}
	if (drain && o->fd >= 0) {
		log_warning("[pool %s] child %d has exited, but something it "
		    "started still writes to its %s: the rest is not logged",
		    c->pool->conf->name, (int)c->pid, stream ? "stderr" :
		    "stdout");
		close_stream(m, o, &e);
	}
}

void
children_output(struct master *m, struct child *c, int stream)
{
	read_output(m, c, stream, 0);
}

void
children_end_output(struct master *m, struct child *c)
{
	struct emit_ctx e = { c, 0 };

	for (int i = 0; i < 2; i++) {
		read_output(m, c, i, 0);
		e.stream = i;
		if (c->out[i].fd >= 0)
			output_flush(&c->out[i].line, emit_line, &e);
	}
	close_output(m, c);
}

/* ---- exits --------------------------------------------------------------- */

/* emergency_restart_threshold workers dead of SIGSEGV or SIGBUS within
 * emergency_restart_interval: every worker is replaced. */
static void
note_crash(struct master *m, long long now)
{
	long long th = m->conf->global.emergency_restart_threshold;
	long long iv = m->conf->global.emergency_restart_interval * 1000;

	if (th <= 0 || iv <= 0 || m->stopping)
		return;
	if (m->crashes == NULL &&
	    (m->crashes = calloc((size_t)th, sizeof(*m->crashes))) == NULL)
		return;
	m->crashes[m->ncrashes % th] = now;
	m->ncrashes++;
	if (m->ncrashes < th || now - m->crashes[m->ncrashes % th] > iv)
		return;
	log_warning("%lld workers died of SIGSEGV or SIGBUS within %lld s "
	    "(emergency_restart_threshold): restarting the pools", th,
	    m->conf->global.emergency_restart_interval);
	m->ncrashes = 0;
	for (struct pool *p = m->pools; p != NULL; p = p->next)
		for (struct child *c = p->children; c != NULL; c = c->next)
			if (!c->ending)
				children_retire(m, c, "emergency restart");
}

/* One worker is gone, out of the table already: log it, keep what it
 * wrote, tell its pm. */
static void
child_gone(struct master *m, struct child *c, int status)
{
	pid_t pid = c->pid;
	long long now = now_ms();
	char how[96];
	enum log_level lvl;

	read_output(m, c, 0, 1);
	read_output(m, c, 1, 1);
	describe_status(status, how, sizeof(how));
	lvl = (WIFEXITED(status) && WEXITSTATUS(status) == 0) || c->ending ||
	    m->stopping ? LOG_LEVEL_NOTICE : LOG_LEVEL_WARNING;
	log_msg(lvl, "[pool %s] child %d %s after %.3f seconds",
	    c->pool->conf->name, (int)pid, how,
	    (double)(now - c->started) / 1000.0);
	if (c->slot >= 0)
		release_slot(c);
	if (WIFSIGNALED(status) && (WTERMSIG(status) == SIGSEGV ||
	    WTERMSIG(status) == SIGBUS))
		note_crash(m, now);
	if (!m->stopping)
		c->pool->pm->on_exit(m, c->pool, c, now);
	free(c->handed_req);
	free(c);
}

static void
exited(struct master *m, pid_t pid, int status)
{
	struct child *c = unlink_child(m, pid, NULL);

	if (c == NULL) {
		/* a zygote, or not a worker: an -t check child */
		zygote_exited(m, pid, status);
		return;
	}
	child_gone(m, c, status);
}

void
children_reap(struct master *m)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		if (!supervise_tracer_exited(m, pid, status))
			exited(m, pid, status);
}

/* Ask c to leave after its request: the flag in its slot, which a busy
 * worker reads, and SIGQUIT, which wakes an idle one. */
static void
quit(struct child *c)
{
	if (c->slot >= 0)	/* not a previous master's worker */
		atomic_store_explicit(&c->pool->sb->slots[c->slot].quit, 1,
		    memory_order_relaxed);
	kill(c->pid, SIGQUIT);
}

void
children_retire_later(struct child *c)
{
	if (c->quit_at != 0)
		return;
	if (!c->ending) {
		c->ending = 1;
		c->pool->nending++;
	}
	c->awaits_successor = 0;
	c->quit_at = now_ms();
	if (c->slot >= 0)
		atomic_store_explicit(&c->pool->sb->slots[c->slot].quit, 1,
		    memory_order_relaxed);
}

void
children_wake_all(struct pool *p)
{
	uint64_t one = 1;

	if (p->wake_fd >= 0 && write(p->wake_fd, &one, sizeof(one)) < 0)
		log_warning("[pool %s] cannot wake the workers: %s",
		    p->conf->name, strerror(errno));
}

void
children_wake_reset(struct pool *p)
{
	uint64_t n;

	if (p->wake_fd >= 0)
		(void)!read(p->wake_fd, &n, sizeof(n));
}

void
children_signal_retiring(struct master *m)
{
	for (struct pool *p = m->pools; p != NULL; p = p->next)
		if (p->retiring)
			for (struct child *c = p->children; c; c = c->next)
				kill(c->pid, SIGQUIT);
}

void
children_retire(struct master *m, struct child *c, const char *why)
{
	(void)m;
	if (c->quit_at != 0)
		return;
	log_debug("[pool %s] child %d retires: %s", c->pool->conf->name,
	    (int)c->pid, why);
	if (!c->ending) {
		c->ending = 1;
		c->pool->nending++;
	}
	c->awaits_successor = 0;
	c->quit_at = now_ms();
	quit(c);
}

void
children_signal_all(struct master *m, int sig)
{
	for (struct pool *p = m->pools; p != NULL; p = p->next) {
		for (struct child *c = p->children; c != NULL; c = c->next) {
			if (sig == SIGQUIT)
				quit(c);
			else
				kill(c->pid, sig);
		}
	}
}

int
children_count(const struct master *m)
{
	int n = 0;

	for (const struct pool *p = m->pools; p != NULL; p = p->next)
		n += p->nchildren;
	return n;
}

void
children_watch_listen(struct master *m, struct pool *p, int on)
{
	if (on == p->listen_armed)
		return;
	if (on) {
		p->listen_watch = (struct watch){ W_LISTEN, p, 0 };
		if (master_watch(m, p->listen_fd, &p->listen_watch) != 0)
			return;
	} else {
		master_unwatch(m, p->listen_fd);
	}
	p->listen_armed = on;
}

/* Pids already told of in the log, so that each stray is named once. */
struct strays {
	pid_t told[64];
	int ntold;
};

static int
told(struct strays *st, pid_t pid)
{
	for (int i = 0; i < st->ntold; i++)
		if (st->told[i] == pid)
			return 1;
	if (st->ntold < (int)(sizeof(st->told) / sizeof(st->told[0])))
		st->told[st->ntold++] = pid;
	return 0;
}

/* SIGKILL our children listed by the kernel in one task's children
 * file.  None is reaped but by us, between reading and killing: a pid
 * listed is still ours. */
static int
kill_listed(const struct master *m, const char *path, struct strays *st)
{
	FILE *f = fopen(path, "re");
	int pid, n = 0;

	if (f == NULL)
		return 0;
	while (fscanf(f, "%d", &pid) == 1) {
		if (pid <= 0 || pid == m->pid)
			continue;
		if (!told(st, pid))
			log_warning("stopping: child %d is not a worker the master "
			    "forked or vouched for: sending SIGKILL", pid);
		kill(pid, SIGKILL);
		n++;
	}
	fclose(f);
	return n;
}

static int
kill_round(struct master *m, struct strays *st)
{
	char path[300];
	struct dirent *d;
	DIR *dir;
	int n = 0;

	if ((dir = opendir("/proc/self/task")) == NULL)
		return 0;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children",
		    d->d_name);
		n += kill_listed(m, path, st);
	}
	closedir(dir);
	return n;
}

/* Rounds of reap, list, kill: a stray may have forked before it died,
 * and its orphans come to us (the child subreaper).  At most a second. */
#define STRAY_ROUNDS 100

int
children_kill_strays(struct master *m)
{
	struct strays st = { .ntold = 0 };
	int status;

	for (int round = 0; round < STRAY_ROUNDS; round++) {
		while (waitpid(-1, &status, WNOHANG) > 0)
			;
		if (kill_round(m, &st) == 0)
			break;
		usleep(10000);
	}
	return st.ntold;
}
