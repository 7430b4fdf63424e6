/*
 * master.h - the master's state: one struct master, passed explicitly.
 */
#ifndef FPM_MASTER_H
#define FPM_MASTER_H

#include <sys/types.h>

#include "conf.h"
#include "output.h"

struct pm_ops;
struct scoreboard;

/* What an epoll event is about: ev.data.ptr points at one of these. */
enum watch_kind { W_SIGNAL, W_CONTROL, W_LISTEN, W_OUTPUT, W_ZYGOTE };

struct watch {
	enum watch_kind kind;
	void *owner;			/* struct pool, child or zygote */
	int stream;			/* W_OUTPUT: 0 stdout, 1 stderr */
};

/* A worker's stdout or stderr, caught by the master. */
struct child_out {
	int fd;				/* read end, or -1 */
	struct watch watch;
	struct output_line line;
};

struct child {
	pid_t pid;
	struct pool *pool;
	int slot;			/* index in the pool's scoreboard */
	long long started;		/* monotonic ms */
	long long request_limit;	/* pm.max_requests + jitter, 0 = none */
	int ready;			/* said READY: its app is loaded */
	int ending;			/* told to go, or going: not counted */
	int awaits_successor;		/* recycling: SIGQUIT once one is READY */
	long long quit_at;		/* SIGQUIT sent then (ms), 0 = not yet */
	long long kill_at;		/* SIGKILL due then (ms), 0 = none */
	int killed;			/* SIGKILL sent */
	long long slow_logged;		/* req_start_ms of the request the slow
					 * log has, so it is logged once */
	pid_t tracer;			/* the slow log's tracer of it, or 0 */
	int tracing;			/* TRACE_WAITING: for it to stop;
					 * TRACE_DUMPING: reading it;
					 * TRACE_ABANDONED: the tracer killed */
	long long trace_until;		/* kill the tracer then (ms) */
	struct child_out out[2];
	enum { TRACE_NONE, TRACE_ASKED, TRACE_TAKING } self_trace;
					/* no ptrace rights: its own backtrace
					 * on stderr, for the slow log */
	int trace_left;			/* lines of it still taken */
	/* A previous master's worker: its request in flight at the reload,
	 * for request_terminate_timeout (handed_limit 0 = none). */
	long long handed_start;		/* monotonic ms */
	long long handed_limit;		/* ms */
	char *handed_req;		/* "script '...' (request: ...)" */
	struct child *next;
};

enum { TRACE_WAITING = 1, TRACE_DUMPING, TRACE_ABANDONED };

struct pool {
	struct pool_conf *conf;
	int retiring;			/* the previous configuration's pool,
					 * kept until its workers are gone */
	struct zygote *zygote;		/* sapi = php: what forks the workers */
	struct pool *status_of;		/* pm.status_listen: the pool whose
					 * status this one serves */
	int listen_fd;
	struct watch listen_watch;
	int listen_armed;		/* ondemand: the master watches it */
	long long rearm_at;		/* ondemand: watch again from then */
	const struct pm_ops *pm;
	struct scoreboard *sb;
	int sb_fd[2];			/* its memfd, and read-only (or -1) */
	int spawn_owed;			/* spawns the pm asked for while the
					 * zygote was busy: made as it answers */
	unsigned char *slot_used;	/* per scoreboard slot: a child has it */
	unsigned slot_next;		/* where take_slot looks first */
	int access_fd;			/* access.log, or -1 */
	int slowlog_fd;			/* slowlog, or -1 */
	int wake_fd;			/* eventfd its workers watch: written
					 * once, it wakes them all (reload) */
	struct child *children;		/* newest first */
	int nchildren;
	int nending;
	long long respawn_at;		/* monotonic ms; no spawn before */
	long long maint_at;		/* next once-a-second maintenance */
	int quick_deaths;		/* children dying young, in a row */
	int spawn_rate;			/* dynamic: forks per round, doubling */
	int at_max;			/* max_children reached (logged once) */
	struct pool *next;
};

enum stop_mode { RUNNING, STOP_GRACEFUL, STOP_FAST };

struct master {
	struct conf *conf;
	struct pool *pools;
	pid_t pid;
	int epfd;
	int sigfd;
	struct watch sig_watch;
	int ctl_fd;			/* workers' messages arrive here */
	int ctl_worker_fd;		/* the end workers inherit */
	struct watch ctl_watch;
	enum stop_mode stopping;
	long long stop_deadline;	/* ms; 0 = none */
	int killed;			/* SIGKILL sent to stragglers */
	long long wake_at;		/* earliest deadline of this round */
	long long sample_at;		/* next pools_sample() */
	long long *crashes;		/* emergency restart: recent crash times */
	int ncrashes;
	const char *pidfile;
	int ready_fd;			/* -D: tell the parent we are up */

	/* For reload: how this master was started. */
	const char *conf_file;
	const char *prefix;
	int allow_root;
	struct php_cli php;		/* -c, -d, -n */
	char *self;			/* our binary's path, found at start */
	char **argv;
	struct inherited *inherited;	/* sockets the previous master left */
	int ninherited;

	/* After a reload's exec: what the previous master handed over. */
	struct conf_source handed;	/* the checked configuration's files */
	char *handed_sockets;		/* FPM_SOCKETS as it came, or NULL */
	char *handed_workers;		/* FPM_WORKERS as it came */
	int fallback_fd;		/* memfd of the previous configuration's
					 * files, or -1 */
	char *failed_reload;		/* this is a fall back: why */
};

/* A listening socket passed on by the master before a reload. */
struct inherited {
	int fd;
	char *addr;			/* as the pool's listen directive said */
	int adopted;			/* a pool of this configuration took it */
};

/* Monotonic clock in milliseconds. */
long long now_ms(void);

/* Ask for the event loop to wake up by time t (monotonic ms). */
void master_wake_at(struct master *m, long long t);

/* Watch fd for input; w says what it is.  Returns 0 or -1 (logged). */
int master_watch(struct master *m, int fd, struct watch *w);
void master_unwatch(struct master *m, int fd);

/* Set up signals and the event loop.  Returns 0 or -1 (logged). */
int master_init(struct master *m);
/* Run until stopped.  Returns the exit code. */
int master_run(struct master *m);

#endif
