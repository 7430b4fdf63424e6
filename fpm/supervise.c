/*
 * supervise.c - watching workers that are running: requests past
 * request_terminate_timeout, workers that do not leave when told, and the
 * messages workers send (READY, RECYCLE).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "children.h"
#include "control.h"
#include "log.h"
#include "pm.h"
#include "scoreboard.h"
#include "runtime.h"
#include "slowlog.h"
#include "supervise.h"

/* A worker gets this long between SIGTERM and SIGKILL when its request
 * outlived request_terminate_timeout. */
#define TERM_GRACE_MS 1000
/* Without a terminate timeout due sooner, requests are checked this
 * often: the master is not told when one starts. */
#define TERM_CHECK_MS 1000
/* A worker asked to stop for the slow log's trace stops at once, or is
 * inside vfork() or the like: tracing it is given up after this long. */
#define TRACE_STOP_MS 1000
/* Reading a stopped worker's stack takes milliseconds (a second under
 * valgrind): one that takes longer stalls on purpose. */
#define TRACE_DUMP_MS 5000

static void
kill_now(struct child *c, const char *why)
{
	log_warning("[pool %s] child %d %s: sending SIGKILL",
	    c->pool->conf->name, (int)c->pid, why);
	kill(c->pid, SIGKILL);
	c->killed = 1;
}

/* request_terminate_timeout: php-fpm's log line, then SIGTERM, then
 * SIGKILL if the worker still runs TERM_GRACE_MS later. */
static void
check_request(struct master *m, struct child *c, const struct sb_slot *sp,
    long long now)
{
	const struct pool_conf *pc = c->pool->conf;
	long long limit = pc->request_terminate_timeout * 1000, due;
	const struct sb_slot s = *sp;

	if (limit <= 0 || c->kill_at != 0)
		return;
	if (s.state != SB_READING && s.state != SB_RUNNING &&
	    (s.state != SB_FINISHING || !pc->terminate_track_finished))
		return;
	due = s.req_start_ms + limit;
	if (now < due) {
		master_wake_at(m, due);
		return;
	}
	/* a native app has no script of its own: name the app, as the
	 * slow log's warning does */
	log_warning("[pool %s] child %d, script '%s' (request: \"%s %s\") "
	    "execution timed out (%.3f sec), terminating", pc->name,
	    (int)c->pid, s.script[0] ? s.script : pc->app ? pc->app : "-",
	    s.method, s.uri,
	    (double)(now - s.req_start_ms) / 1000.0);
	kill(c->pid, SIGTERM);
	c->kill_at = now + TERM_GRACE_MS;
	master_wake_at(m, c->kill_at);
}

/* request_terminate_timeout for a previous master's worker: what that
 * master saw of its request in flight when it handed the worker over. */
static void
check_handed(struct master *m, struct child *c, long long now)
{
	long long due = c->handed_start + c->handed_limit;

	if (c->handed_limit <= 0 || c->kill_at != 0)
		return;
	if (now < due) {
		master_wake_at(m, due);
		return;
	}
	log_warning("[pool %s] child %d, %s execution timed out (%.3f sec), "
	    "terminating", c->pool->conf->name, (int)c->pid, c->handed_req,
	    (double)(now - c->handed_start) / 1000.0);
	kill(c->pid, SIGTERM);
	c->kill_at = now + TERM_GRACE_MS;
	master_wake_at(m, c->kill_at);
}

/* Frames, one a line, each line escaped by log_escape(): a worker's
 * published frames, or names the trace read from its memory and its
 * files, cannot forge an entry. */
static void
clean_frames(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	out[0] = '\0';
	while (*in != '\0' && n + 1 < outlen) {
		size_t len = strcspn(in, "\n");

		n += log_escape(out + n, outlen - n, in, len);
		in += len;
		if (*in == '\n' && n + 1 < outlen) {
			out[n++] = '\n';
			out[n] = '\0';
			in++;
		} else if (*in == '\n') {
			break;
		}
	}
}

/* The slow log's entry: php-fpm's shape, in one write(2). */
static void
write_entry(struct pool *p, const struct child *c, const char *script,
    const char *sapi_frames, const char *frames)
{
	char head[64], entry[16384], sapi[1024], name[LOG_ESCAPED_MAX(4096)];
	char trace[12288];
	time_t t = time(NULL);
	struct tm tm;
	int n;

	localtime_r(&t, &tm);
	strftime(head, sizeof(head), "%d-%b-%Y %H:%M:%S", &tm);
	clean_frames(sapi_frames, sapi, sizeof(sapi));
	sapi_frames = sapi;
	clean_frames(frames, trace, sizeof(trace));
	frames = trace;
	/* the script's name came from a client, through the worker */
	log_escape(name, sizeof(name), script, strnlen(script, 4096));
	script = name;
	n = snprintf(entry, sizeof(entry), "\n[%s]  [pool %s] pid %d\n"
	    "script_filename = %s\n%s%s%s", head, p->conf->name, (int)c->pid,
	    script, sapi_frames, sapi_frames[0] != '\0' &&
	    sapi_frames[strlen(sapi_frames) - 1] != '\n' ? "\n" : "",
	    frames);
	if (n >= (int)sizeof(entry))
		n = (int)sizeof(entry) - 1;
	if (n > 0 && write(p->slowlog_fd, entry, (size_t)n) != n)
		log_error("[pool %s] cannot write the slow log %s: %s",
		    p->conf->name, p->conf->slowlog, strerror(errno));
}

/* ---- the slow log's traces ---------------------------------------------
 *
 * A trace reads what the worker controls: its memory and the files its
 * maps name.  A read can stall (a page the worker backs with userfaultfd
 * or FUSE waits for the worker's own answer), so the master never takes
 * a trace itself: it forks a tracer for each, which stops the worker,
 * writes the entry and exits, and it kills a tracer that is late.  A
 * tracer's death detaches the worker, which runs on untouched. */

/* A tracer's exit codes, besides 0 (the entry is written). */
enum { TRACER_FAILED = 1, TRACER_DENIED = 2, TRACER_GONE = 3 };

/* The stopped worker's stack into the slow log, then it runs on. */
static int
dump_stopped(struct child *c, int status)
{
	struct pool *p = c->pool;
	char frames[12288], err[256];
	const char *script;
	struct sb_slot s;

	if (c->slot < 0 || scoreboard_read(&p->sb->slots[c->slot], &s) != 0 ||
	    s.pid != c->pid)
		memset(&s, 0, sizeof(s));
	script = s.script[0] ? s.script : p->conf->app ? p->conf->app : "-";
	if (slowlog_dump(c->pid, status, &s.stack, (int)p->conf->slowlog_depth,
	    frames, sizeof(frames), err, sizeof(err)) != 0) {
		log_error("[pool %s] child %d: no backtrace: %s",
		    p->conf->name, (int)c->pid, err);
		return TRACER_FAILED;
	}
	write_entry(p, c, script, s.frames, frames);
	return 0;
}

/* The tracer: stop c's worker, however long that takes, and dump it. */
static void __attribute__((noreturn))
tracer_main(struct master *m, struct child *c)
{
	char err[256];
	int status;

	/* a master killed mid-trace takes its tracer along */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != m->pid)
		_exit(TRACER_FAILED);
	if (slowlog_seize(c->pid, err, sizeof(err)) != 0) {
		if (errno == EPERM || errno == EACCES)
			_exit(TRACER_DENIED);
		log_error("[pool %s] child %d: no backtrace: %s",
		    c->pool->conf->name, (int)c->pid, err);
		_exit(TRACER_FAILED);
	}
	if (slowlog_wait(c->pid, &status) != 1)
		_exit(TRACER_GONE);
	_exit(dump_stopped(c, status));
}

/* Whether pid is in a ptrace stop (state 't' in /proc/PID/stat, after
 * the command's closing parenthesis: the name is the worker's to
 * choose). */
static int
trace_stopped(pid_t pid)
{
	char path[64], buf[512];
	const char *rp;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	rp = strrchr(buf, ')');
	return rp != NULL && rp[1] == ' ' && rp[2] == 't';
}

/* request_slowlog_timeout: once per request, php-fpm's warning, then a
 * tracer is forked to write the worker's stack. */
static void
check_slow(struct master *m, struct child *c, const struct sb_slot *s,
    long long now)
{
	struct pool *p = c->pool;
	long long limit = p->conf->slowlog_timeout * 1000, due;
	const char *script = s->script[0] ? s->script :
	    p->conf->app ? p->conf->app : "-";
	pid_t pid;

	if (limit <= 0 || p->slowlog_fd < 0 || c->slow_logged == s->req_start_ms
	    || c->tracer != 0 || (s->state != SB_READING &&
	    s->state != SB_RUNNING))
		return;
	due = s->req_start_ms + limit;
	if (now < due) {
		master_wake_at(m, due);
		return;
	}
	c->slow_logged = s->req_start_ms;
	log_warning("[pool %s] child %d, script '%s' (request: \"%s %s\") "
	    "executing too slow (%.3f sec), logging", p->conf->name,
	    (int)c->pid, script, s->method, s->uri,
	    (double)(now - s->req_start_ms) / 1000.0);
	atomic_fetch_add_explicit(&p->sb->slow_requests, 1,
	    memory_order_relaxed);
	/* Every signal is blocked in the master (signalfd): the tracer
	 * runs no handler of the master's. */
	if ((pid = fork()) == 0)
		tracer_main(m, c);
	if (pid < 0) {
		log_error("[pool %s] child %d: no backtrace: fork() failed: %s",
		    p->conf->name, (int)c->pid, strerror(errno));
		return;
	}
	c->tracer = pid;
	c->tracing = TRACE_WAITING;
	c->trace_until = now + TRACE_STOP_MS;
	master_wake_at(m, c->trace_until);
}

/* No ptrace rights: the worker is asked for its own stack, which its
 * stderr brings after the entry's head (children.c, trace_line). */
static void
ask_self_trace(struct child *c)
{
	struct pool *p = c->pool;
	const char *script;
	struct sb_slot s;

	if (c->slot < 0 || scoreboard_read(&p->sb->slots[c->slot], &s) != 0 ||
	    s.pid != c->pid)
		memset(&s, 0, sizeof(s));
	script = s.script[0] ? s.script : p->conf->app ? p->conf->app : "-";
	log_notice("[pool %s] child %d: ptrace(PTRACE_SEIZE, %d) failed: %s: "
	    "the worker writes its own backtrace", p->conf->name, (int)c->pid,
	    (int)c->pid, strerror(EPERM));
	write_entry(p, c, script, s.frames,
	    "(ptrace denied: the worker's own backtrace follows)\n");
	c->self_trace = TRACE_ASKED;
	kill(c->pid, FPM_SIG_TRACE);
}

int
supervise_tracer_exited(struct master *m, pid_t pid, int status)
{
	for (struct pool *p = m->pools; p != NULL; p = p->next) {
		for (struct child *c = p->children; c != NULL; c = c->next) {
			int was = c->tracing;

			if (c->tracer != pid)
				continue;
			c->tracer = 0;
			c->tracing = 0;
			if (was == TRACE_ABANDONED)
				return 1;	/* killed late: logged then */
			if (WIFEXITED(status) &&
			    WEXITSTATUS(status) == TRACER_DENIED)
				ask_self_trace(c);
			else if (!WIFEXITED(status))
				log_error("[pool %s] child %d: no backtrace: its "
				    "tracer %d ended by signal %d", p->conf->name,
				    (int)c->pid, (int)pid, WTERMSIG(status));
			return 1;
		}
	}
	return 0;
}

/* A trace under way: the tracer is given TRACE_STOP_MS for the worker to
 * stop (a worker inside vfork() does not), then TRACE_DUMP_MS to read
 * it, and is killed past either. */
static void
poll_trace(struct master *m, struct child *c, long long now)
{
	const char *pool = c->pool->conf->name;

	if (c->tracing == TRACE_ABANDONED)
		return;		/* killed: reaped soon */
	if (c->tracing == TRACE_WAITING && trace_stopped(c->pid)) {
		c->tracing = TRACE_DUMPING;
		c->trace_until = now + TRACE_DUMP_MS;
	}
	if (now < c->trace_until) {
		master_wake_at(m, c->trace_until);
		return;
	}
	kill(c->tracer, SIGKILL);
	if (c->tracing == TRACE_WAITING)
		log_warning("[pool %s] child %d did not stop for the slow log's "
		    "trace within %d ms: gave up tracing it (it runs on, "
		    "untraced)", pool, (int)c->pid, TRACE_STOP_MS);
	else
		log_warning("[pool %s] child %d: reading its stack for the slow "
		    "log took more than %d ms (its memory or files stall "
		    "reads): gave up tracing it (it runs on, untraced)", pool,
		    (int)c->pid, TRACE_DUMP_MS);
	c->tracing = TRACE_ABANDONED;
}

void
supervise_end_traces(struct master *m)
{
	int n = 0, status;

	for (struct pool *p = m->pools; p != NULL; p = p->next)
		for (struct child *c = p->children; c != NULL; c = c->next)
			if (c->tracer != 0) {
				kill(c->tracer, SIGKILL);
				c->tracing = TRACE_ABANDONED;
				n++;
			}
	/* SIGKILL ends a tracer in any read it waits in; reaped here, they
	 * are not taken for strays, nor left to a new master. */
	for (int round = 0; n > 0 && round < 100; round++) {
		for (struct pool *p = m->pools; p != NULL; p = p->next)
			for (struct child *c = p->children; c != NULL;
			    c = c->next)
				if (c->tracer != 0 && waitpid(c->tracer,
				    &status, WNOHANG) == c->tracer) {
					c->tracer = 0;
					c->tracing = 0;
					n--;
				}
		if (n > 0)
			usleep(10000);
	}
}

void
supervise_timeouts(struct master *m, long long now)
{
	long long grace = m->conf->global.process_control_timeout * 1000;

	for (struct pool *p = m->pools; p != NULL; p = p->next) {
		if ((p->conf->request_terminate_timeout > 0 ||
		    p->conf->slowlog_timeout > 0) && p->nchildren > 0)
			master_wake_at(m, now + TERM_CHECK_MS);
		for (struct child *c = p->children; c != NULL; c = c->next) {
			struct sb_slot s;

			if (c->tracer != 0)
				poll_trace(m, c, now);
			if (c->killed)
				continue;
			if (c->slot >= 0 && scoreboard_read(
			    &p->sb->slots[c->slot], &s) == 0 && s.pid == c->pid) {
				check_slow(m, c, &s, now);
				check_request(m, c, &s, now);
			} else if (c->slot < 0) {
				check_handed(m, c, now);
			}
			if (c->kill_at != 0 && now >= c->kill_at)
				kill_now(c, "did not end after SIGTERM");
			else if (c->kill_at != 0)
				master_wake_at(m, c->kill_at);
			else if (c->quit_at != 0 && grace > 0 &&
			    now >= c->quit_at + grace)
				kill_now(c, "did not exit within "
				    "process_control_timeout after SIGQUIT");
			else if (c->quit_at != 0 && grace > 0)
				master_wake_at(m, c->quit_at + grace);
		}
	}
}

/* ---- messages from workers ------------------------------------------- */

/* The fewest workers the pm keeps: a recycled worker below it is replaced
 * before it goes. */
static long long
pool_minimum(const struct pool_conf *pc)
{
	switch (pc->pm) {
	case PM_DYNAMIC: return pc->min_spare;
	case PM_ONDEMAND: return 0;
	default: return pc->max_children;
	}
}

static void
on_ready(struct master *m, struct child *c)
{
	struct pool *p = c->pool;

	c->ready = 1;
	for (struct child *o = p->children; o != NULL; o = o->next) {
		if (o->awaits_successor) {
			children_retire(m, o, "its successor is ready");
			break;
		}
	}
	if (p->pm->on_connection != NULL) {
		p->rearm_at = 0;	/* a new worker: look at the queue */
		master_wake_at(m, now_ms());
	}
}

static void
on_recycle(struct master *m, struct child *c, const struct ctl_msg *msg)
{
	struct pool *p = c->pool;
	const struct pool_conf *pc = p->conf;

	if (c->ending)
		return;
	if (msg->reason == RECYCLE_MEMORY)
		log_notice("[pool %s] child %d uses %llu KiB, more than "
		    "pm.max_memory (%lld KiB): replacing it", pc->name,
		    (int)c->pid, (unsigned long long)msg->value / 1024,
		    pc->max_memory / 1024);
	else
		log_notice("[pool %s] child %d has served %llu requests "
		    "(pm.max_requests): replacing it", pc->name, (int)c->pid,
		    (unsigned long long)msg->value);
	c->ending = 1;
	p->nending++;
	if (!m->stopping && p->nchildren - p->nending < pool_minimum(pc) &&
	    pm_spawn(m, p, 1, now_ms()) == 1)
		c->awaits_successor = 1;
	else
		children_retire(m, c, "recycled");
}

void
supervise_messages(struct master *m)
{
	struct ctl_msg msg;
	pid_t pid;

	for (int i = 0; i < 256; i++) {
		struct child *c;

		if (ctl_recv(m->ctl_fd, &msg, &pid) != 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return;
			continue;	/* a malformed message: skip it */
		}
		c = children_find(m, pid);
		if (c == NULL)
			continue;
		if (msg.type == CTL_READY)
			on_ready(m, c);
		else if (msg.type == CTL_RECYCLE)
			on_recycle(m, c, &msg);
	}
	master_wake_at(m, now_ms());	/* more may be queued */
}
