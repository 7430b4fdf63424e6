/*
 * reload.c - SIGUSR2: replace the running configuration (and binary)
 * without closing a listening socket or cutting a request.
 *
 * The master checks the new configuration first; on any error it logs
 * them all and goes on as it was.  Otherwise it asks every worker to
 * finish its request and leave, lets the listening sockets and the
 * workers' output pipes survive exec, describes them in FPM_SOCKETS
 * (php-fpm's "addr=fd,addr=fd") and FPM_WORKERS, and executes its binary
 * again.  The pid stays, so the old workers stay its children.  The new
 * master adopts every socket whose address it still listens on (applying
 * the new owner, mode and backlog), keeps the old workers as retiring
 * pools until they exit, and closes a socket no pool wants once the
 * workers that used it are gone.  Connections waiting in a kept socket's
 * queue are accepted by the new workers: none is refused or lost.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "children.h"
#include "confcheck.h"
#include "log.h"
#include "pidfile.h"
#include "pm.h"
#include "pool.h"
#include "reload.h"
#include "scoreboard.h"
#include "sd.h"
#include "supervise.h"
#include "zygote.h"

#define ENV_SOCKETS "FPM_SOCKETS"
#define ENV_WORKERS "FPM_WORKERS"
#define ENV_CONF "FPM_CONF"		/* memfd: the checked files, to run */
#define ENV_FALLBACK "FPM_FALLBACK"	/* memfd: the running ones, to run
					 * again if the new master fails */
#define ENV_FAILED "FPM_RELOAD_FAILED"	/* why the fallback runs */

/* ---- before exec ------------------------------------------------------- */

static int
set_cloexec(int fd, int on)
{
	int fl = fcntl(fd, F_GETFD);

	if (fl < 0)
		return -1;
	return fcntl(fd, F_SETFD, on ? fl | FD_CLOEXEC : fl & ~FD_CLOEXEC);
}

/* What survives exec: every listening socket and every worker's output
 * pipes; on = 1 puts CLOEXEC back (the exec failed). */
static void
keep_across_exec(struct master *m, int keep)
{
	for (struct pool *p = m->pools; p != NULL; p = p->next) {
		if (p->listen_fd >= 0)
			set_cloexec(p->listen_fd, !keep);
		for (struct child *c = p->children; c != NULL; c = c->next)
			for (int i = 0; i < 2; i++)
				if (c->out[i].fd >= 0)
					set_cloexec(c->out[i].fd, !keep);
	}
}

/* Append to a growing string; returns -1 when out of memory. */
static int
append(char **s, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *more, *grown;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&more, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	grown = realloc(*s, *len + (size_t)n + 1);
	if (grown == NULL) {
		free(more);
		return -1;
	}
	memcpy(grown + *len, more, (size_t)n + 1);
	*s = grown;
	*len += (size_t)n;
	free(more);
	return 0;
}

/* Sockets for the new configuration's new addresses, opened here while
 * the running configuration can still stay: an address that cannot be
 * bound fails the reload, not the new master. */
struct fresh {
	int fd[256];
	const char *addr[256];
	int n;
};

static int
is_listening(const struct master *m, const char *addr)
{
	for (const struct pool *p = m->pools; p != NULL; p = p->next)
		if (p->listen_fd >= 0 && p->conf->listen != NULL &&
		    strcmp(p->conf->listen, addr) == 0)
			return 1;
	return 0;
}

static void
close_fresh(struct fresh *f)
{
	while (f->n > 0) {
		f->n--;
		if (f->addr[f->n][0] == '/')
			pool_unlink_socket(f->fd[f->n], f->addr[f->n]);
		close(f->fd[f->n]);
	}
}

static int
open_fresh(const struct master *m, const struct conf *next, struct fresh *f)
{
	char err[512];

	f->n = 0;
	for (const struct pool_conf *q = next->pools; q != NULL; q = q->next) {
		int fd;

		if (is_listening(m, q->listen))
			continue;
		if (f->n == 256 || (fd = pool_listen(q, err, sizeof(err))) < 0) {
			log_error("reload: [pool %s] cannot listen on %s: %s",
			    q->name, q->listen, f->n == 256 ? "too many new "
			    "addresses" : err);
			close_fresh(f);
			return -1;
		}
		f->fd[f->n] = fd;
		f->addr[f->n++] = q->listen;
	}
	return 0;
}

/* Worker-written text for the environment: every byte that is not
 * printable ASCII, and space and '%', as %HH. */
static void
encode(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	for (; *in != '\0' && n + 4 < outlen; in++) {
		unsigned char ch = (unsigned char)*in;

		if (ch <= ' ' || ch >= 0x7f || ch == '%')
			n += (size_t)snprintf(out + n, outlen - n, "%%%02X", ch);
		else
			out[n++] = (char)ch;
	}
	out[n] = '\0';
}

/* What request_terminate_timeout needs of c's request in flight, for the
 * next master: "\tREQ_START LIMIT_MS\tDESCRIPTION", or "" when it is
 * idle or the pool has no limit.  The slot is only the worker's word:
 * a forged value can make the next master end this worker only. */
static void
request_in_flight(const struct child *c, char *out, size_t outlen)
{
	const struct pool_conf *pc = c->pool->conf;
	char desc[4096], enc[12288];
	struct sb_slot s;

	out[0] = '\0';
	if (c->slot < 0 || pc->request_terminate_timeout <= 0 ||
	    scoreboard_read(&c->pool->sb->slots[c->slot], &s) != 0 ||
	    s.pid != c->pid || (s.state != SB_READING && s.state != SB_RUNNING
	    && (s.state != SB_FINISHING || !pc->terminate_track_finished)))
		return;
	snprintf(desc, sizeof(desc), "script '%s' (request: \"%s %s\")",
	    s.script, s.method, s.uri);
	encode(desc, enc, sizeof(enc));
	snprintf(out, outlen, "\t%lld %lld\t%s", s.req_start_ms,
	    pc->request_terminate_timeout * 1000, enc);
}

/* FPM_SOCKETS: "addr=fd,addr=fd" as php-fpm.  FPM_WORKERS: a line per
 * worker, "pid listen_fd out_fd err_fd started quit_at decorate pool",
 * then its request in flight (request_in_flight()). */
static int
describe(struct master *m, const struct fresh *f)
{
	char req[12400];
	char *socks = NULL, *workers = NULL;
	size_t sl = 0, wl = 0;
	int rc = 0;

	for (int i = 0; i < f->n && rc == 0; i++)
		rc = append(&socks, &sl, "%s%s=%d", sl ? "," : "", f->addr[i],
		    f->fd[i]);
	for (struct pool *p = m->pools; p != NULL && rc == 0; p = p->next) {
		if (p->listen_fd >= 0)
			rc = append(&socks, &sl, "%s%s=%d", sl ? "," : "",
			    p->conf->listen, p->listen_fd);
		for (struct child *c = p->children; c && rc == 0; c = c->next) {
			request_in_flight(c, req, sizeof(req));
			rc = append(&workers, &wl, "%d %d %d %d %lld %lld %d "
			    "%s%s\n", (int)c->pid, p->listen_fd, c->out[0].fd,
			    c->out[1].fd, c->started, c->quit_at,
			    (int)p->conf->decorate_workers_output,
			    p->conf->name, req);
		}
	}
	if (rc == 0 && (setenv(ENV_SOCKETS, socks ? socks : "", 1) != 0 ||
	    setenv(ENV_WORKERS, workers ? workers : "", 1) != 0))
		rc = -1;
	free(socks);
	free(workers);
	return rc;
}

/* A configuration's files in a sealed memfd that survives exec:
 * "PATHLEN TEXTLEN\n" PATH TEXT, per file.  Returns the fd or -1. */
static int
source_memfd(const struct conf_source *s)
{
	int fd = memfd_create("fpm-conf", MFD_ALLOW_SEALING);
	FILE *fp;

	if (fd < 0 || (fp = fdopen(dup(fd), "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (size_t i = 0; i < s->n; i++)
		fprintf(fp, "%zu %zu\n%s", strlen(s->f[i].path), s->f[i].len,
		    s->f[i].path), fwrite(s->f[i].text, 1, s->f[i].len, fp);
	if (fclose(fp) != 0 || fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK |
	    F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int
source_add(struct conf_source *s, const char *p, size_t pl, const char *t,
    size_t tl)
{
	struct conf_text *f = realloc(s->f, (s->n + 1) * sizeof(*f));

	if (f == NULL)
		return -1;
	s->f = f;
	f[s->n].path = strndup(p, pl);
	f[s->n].text = malloc(tl + 1);
	f[s->n].len = tl;
	if (f[s->n].path == NULL || f[s->n].text == NULL) {
		free(f[s->n].path);
		free(f[s->n].text);
		return -1;
	}
	memcpy(f[s->n].text, t, tl);
	f[s->n++].text[tl] = '\0';
	return 0;
}

/* The files source_memfd() wrote, read back into s.  Returns 0 or -1. */
static int
source_read(int fd, struct conf_source *s)
{
	struct stat st;
	char *buf, *p, *end;
	int rc = 0;

	if (fstat(fd, &st) != 0 || st.st_size <= 0)
		return -1;
	buf = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (buf == MAP_FAILED)
		return -1;
	for (p = buf, end = buf + st.st_size; p < end && rc == 0;) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		unsigned long long pl, tl;

		if (nl == NULL || sscanf(p, "%llu %llu", &pl, &tl) != 2 ||
		    pl + tl > (unsigned long long)(end - nl - 1)) {
			rc = -1;
			break;
		}
		rc = source_add(s, nl + 1, pl, nl + 1 + pl, tl);
		p = nl + 1 + pl + tl;
	}
	munmap(buf, (size_t)st.st_size);
	if (rc != 0 || s->n == 0)
		conf_source_free(s);
	return rc != 0 || s->n == 0 ? -1 : 0;
}

/* FPM_CONF and FPM_FALLBACK for the exec; -1 if they cannot be made. */
static int
hand_sources(const struct conf *next, const struct conf *running)
{
	int cfd = source_memfd(&next->source);
	int ffd = source_memfd(&running->source);
	char a[16], b[16];

	if (cfd < 0 || ffd < 0) {
		if (cfd >= 0)
			close(cfd);
		if (ffd >= 0)
			close(ffd);
		return -1;
	}
	snprintf(a, sizeof(a), "%d", cfd);
	snprintf(b, sizeof(b), "%d", ffd);
	if (setenv(ENV_CONF, a, 1) != 0 || setenv(ENV_FALLBACK, b, 1) != 0)
		return -1;
	return 0;
}

static void
drop_sources(void)
{
	const char *e;

	if ((e = getenv(ENV_CONF)) != NULL)
		close(atoi(e));
	if ((e = getenv(ENV_FALLBACK)) != NULL)
		close(atoi(e));
	unsetenv(ENV_CONF);
	unsetenv(ENV_FALLBACK);
}

/* How long the new binary's own check may take. */
#define TRIAL_MS 10000

/* The trial's output, a line at a time, into the log. */
static void
log_trial_output(const char *self, char *out)
{
	char *save = NULL;

	for (char *l = strtok_r(out, "\n", &save); l != NULL;
	    l = strtok_r(NULL, "\n", &save)) {
		for (char *q = l; *q != '\0'; q++)
			if ((unsigned char)*q < 0x20)
				*q = '?';
		log_error("reload: %s -t: %s", self, l);
	}
}

__attribute__((noreturn)) static void
trial_child(const struct master *m, int out)
{
	sigset_t none;
	int argc = 0;
	char **argv;

	while (m->argv[argc] != NULL)
		argc++;
	argv = calloc((size_t)argc + 2, sizeof(*argv));
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (argv == NULL || dup2(out, STDOUT_FILENO) < 0 ||
	    dup2(out, STDERR_FILENO) < 0)
		_exit(127);
	memcpy(argv, m->argv, (size_t)argc * sizeof(*argv));
	argv[argc] = (char *)"-t";
	execv(m->self, argv);
	dprintf(STDERR_FILENO, "execv() failed: %s\n", strerror(errno));
	_exit(127);
}

/* What the trial writes, until it closes its end or the deadline. */
static void
read_trial(int fd, long long deadline, char *out, size_t outlen)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	char sink[256];
	size_t n = 0;
	long long now;

	while ((now = now_ms()) < deadline) {
		ssize_t r;

		if (poll(&pfd, 1, (int)(deadline - now)) <= 0)
			continue;
		r = n + 1 < outlen ? read(fd, out + n, outlen - n - 1) :
		    read(fd, sink, sizeof(sink));
		if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
			break;
		if (r > 0 && n + 1 < outlen)
			n += (size_t)r;
	}
	out[n] = '\0';
}

/* The new binary checks the configuration itself (`fpm -t`, with our
 * own options) before it is executed for good: a binary that cannot
 * start (a broken upgrade) or that refuses the configuration (one that
 * dropped a directive) fails the reload while the running configuration
 * still serves.  Waited for TRIAL_MS at most.  Returns 0 or -1
 * (logged). */
static int
trial(struct master *m)
{
	char out[4096], how[64];
	int pfd[2], st = 0;
	long long deadline = now_ms() + TRIAL_MS;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) != 0 || (pid = fork()) < 0) {
		log_error("reload: cannot run %s -t: %s", m->self,
		    strerror(errno));
		return -1;
	}
	if (pid == 0)
		trial_child(m, pfd[1]);
	close(pfd[1]);
	read_trial(pfd[0], deadline, out, sizeof(out));
	close(pfd[0]);
	while (waitpid(pid, &st, WNOHANG) == 0 && now_ms() < deadline)
		poll(NULL, 0, 10);
	if (waitpid(pid, &st, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		log_error("reload: %s -t took more than %d ms: keeping the "
		    "running configuration", m->self, TRIAL_MS);
		return -1;
	}
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	log_trial_output(m->self, out);
	if (WIFEXITED(st))
		snprintf(how, sizeof(how), "exited with code %d",
		    WEXITSTATUS(st));
	else
		snprintf(how, sizeof(how), "was killed by signal %d",
		    WTERMSIG(st));
	log_error("reload: %s -t %s: keeping the running configuration",
	    m->self, how);
	return -1;
}

/* Log what the check found.  Returns the number of errors. */
static size_t
report(struct conf *next)
{
	for (size_t i = 0; i < next->nwarnings; i++)
		log_warning("reload: %s", next->warnings[i]);
	for (size_t i = 0; i < next->nerrors; i++)
		log_error("reload: %s", next->errors[i]);
	return next->nerrors;
}

static int execute(struct master *m, struct conf *next, struct fresh *fresh);

int
reload(struct master *m, const char *signame)
{
	static struct fresh fresh;
	struct conf *next;
	size_t errors;

	log_notice("%s received: reloading %s", signame, m->conf_file);
	next = confcheck_load(m->conf_file, m->prefix, m->allow_root,
	    m->pidfile != m->conf->global.pid ? m->pidfile : NULL, &m->php,
	    NULL);
	if (next == NULL) {
		log_error("reload: out of memory: keeping the running "
		    "configuration");
		return -1;
	}
	errors = report(next);
	if (errors == 0 && trial(m) != 0) {
		conf_free(next);
		return -1;
	}
	if (errors == 0 && open_fresh(m, next, &fresh) != 0)
		errors = 1;
	if (errors > 0) {
		log_error("reload: %s has %zu error%s: keeping the running "
		    "configuration", m->conf_file, errors, errors == 1 ? "" :
		    "s");
		conf_free(next);
		return -1;
	}
	/* The new master runs exactly the files checked here, and can run
	 * the running ones again if it fails. */
	if (hand_sources(next, m->conf) != 0) {
		log_error("reload: memfd_create() for the hand-over failed: %s:"
		    " keeping the running configuration", strerror(errno));
		drop_sources();
		close_fresh(&fresh);
		conf_free(next);
		return -1;
	}
	return execute(m, next, &fresh);
}

/* The check passed: hand everything over and execute the new master.
 * Returns only if that failed (logged): the running configuration
 * stays, with new workers. */
static int
execute(struct master *m, struct conf *next, struct fresh *fresh)
{
	sd_notify_reloading();
	/* A worker a zygote has forked is handed over; one it is about to
	 * fork, it kills (zygote_stop). */
	for (struct pool *p = m->pools; p != NULL; p = p->next)
		zygote_stop(m, p);
	/* Every worker finishes its request and leaves; the new master
	 * signals them once its own are forked, and watches them go. */
	for (struct pool *p = m->pools; p != NULL; p = p->next) {
		for (struct child *c = p->children; c != NULL; c = c->next)
			children_retire_later(c);
		children_wake_all(p);
	}
	if (describe(m, fresh) != 0) {
		log_error("reload: out of memory describing the hand-over");
		drop_sources();
		close_fresh(fresh);
		conf_free(next);
		return -1;
	}
	for (int i = 0; i < fresh->n; i++)
		set_cloexec(fresh->fd[i], 0);
	keep_across_exec(m, 1);
	supervise_end_traces(m);	/* no tracer is left to the next */
	log_notice("reload: the configuration is valid; executing %s",
	    m->self);
	execv(m->self, m->argv);
	log_error("reload: execv(%s) failed: %s; the running configuration "
	    "stays and its workers are replaced", m->self, strerror(errno));
	for (struct pool *p = m->pools; p != NULL; p = p->next) {
		for (struct child *c = p->children; c != NULL; c = c->next)
			kill(c->pid, SIGQUIT);
		children_wake_reset(p);
	}
	keep_across_exec(m, 0);
	close_fresh(fresh);
	conf_free(next);
	drop_sources();
	unsetenv(ENV_SOCKETS);
	unsetenv(ENV_WORKERS);
	sd_notifyf("READY=1");
	return -1;
}

/* ---- after exec ------------------------------------------------------- */

static char *
take_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL ? strdup(v) : NULL;
}

int
reload_received(struct master *m)
{
	char *conf = take_env(ENV_CONF), *fallback = take_env(ENV_FALLBACK);
	int fd;

	m->fallback_fd = -1;
	m->handed_sockets = take_env(ENV_SOCKETS);
	m->handed_workers = take_env(ENV_WORKERS);
	m->failed_reload = take_env(ENV_FAILED);
	unsetenv(ENV_CONF);
	unsetenv(ENV_FALLBACK);
	unsetenv(ENV_FAILED);
	if (conf != NULL && (fd = atoi(conf)) > STDERR_FILENO) {
		if (source_read(fd, &m->handed) != 0)
			log_error("reload: the configuration handed over in fd "
			    "%d cannot be read: reading %s", fd, m->conf_file);
		close(fd);
	}
	if (fallback != NULL && (fd = atoi(fallback)) > STDERR_FILENO &&
	    fcntl(fd, F_GETFD) >= 0) {
		m->fallback_fd = fd;
		set_cloexec(fd, 1);
	}
	free(conf);
	free(fallback);
	return m->handed_sockets != NULL;
}

/* Every descriptor named in the hand-over survives the next exec. */
static void
keep_handed(const struct master *m)
{
	char *copy = m->handed_sockets ? strdup(m->handed_sockets) : NULL;
	char *save = NULL, *eq;
	const char *s;

	/* as reload_inherit_sockets() reads them: the fd after the last '=' */
	for (char *e = copy ? strtok_r(copy, ",", &save) : NULL; e != NULL;
	    e = strtok_r(NULL, ",", &save))
		if ((eq = strrchr(e, '=')) != NULL && atoi(eq + 1) > STDERR_FILENO)
			set_cloexec(atoi(eq + 1), 0);
	free(copy);
	for (s = m->handed_workers; s != NULL && *s != '\0'; ) {
		int pid, lfd, ofd, efd;

		if (sscanf(s, "%d %d %d %d", &pid, &lfd, &ofd, &efd) == 4) {
			if (ofd > STDERR_FILENO)
				set_cloexec(ofd, 0);
			if (efd > STDERR_FILENO)
				set_cloexec(efd, 0);
		}
		s = strchr(s, '\n');
		s = s != NULL ? s + 1 : "";
	}
}

/* Unix socket files this master bound itself (not handed over) go. */
static void
unlink_own_sockets(const struct master *m)
{
	for (const struct pool *p = m->pools; p != NULL; p = p->next) {
		int handed = 0;

		for (int i = 0; i < m->ninherited; i++)
			handed |= m->inherited[i].fd == p->listen_fd;
		if (p->listen_fd >= 0 && !handed && !p->retiring &&
		    addr_is_unix(&p->conf->listen_addr))
			pool_unlink_socket(p->listen_fd,
			    p->conf->listen_addr.u.un.sun_path);
	}
}

void
reload_fall_back(struct master *m, const char *reason)
{
	char fd[16], why[1024];

	/* reason may be log_last_error()'s buffer, which logging rewrites */
	snprintf(why, sizeof(why), "%s", reason);

	if (m->fallback_fd < 0 || m->self == NULL) {
		log_alert("reload failed after exec: %s; nothing to fall back "
		    "to: exiting", why);
		return;
	}
	log_error("reload failed after exec: %s: running the previous "
	    "configuration again", why);
	unlink_own_sockets(m);
	keep_handed(m);
	set_cloexec(m->fallback_fd, 0);
	snprintf(fd, sizeof(fd), "%d", m->fallback_fd);
	if (setenv(ENV_SOCKETS, m->handed_sockets, 1) != 0 ||
	    setenv(ENV_WORKERS, m->handed_workers ? m->handed_workers : "",
	    1) != 0 || setenv(ENV_CONF, fd, 1) != 0 ||
	    setenv(ENV_FAILED, why, 1) != 0) {
		log_alert("reload: fall back: setenv() failed: exiting");
		return;
	}
	execv(m->self, m->argv);
	log_alert("reload: fall back: execv(%s) failed: %s: exiting", m->self,
	    strerror(errno));
}

static int
inherit(struct master *m, int fd, const char *addr)
{
	struct inherited *in = realloc(m->inherited,
	    (size_t)(m->ninherited + 1) * sizeof(*in));

	if (in == NULL)
		return -1;
	m->inherited = in;
	in[m->ninherited++] = (struct inherited){ fd, strdup(addr), 0 };
	return 0;
}

int
reload_inherit_sockets(struct master *m)
{
	const char *env = getenv(ENV_SOCKETS);
	char *copy, *save = NULL;

	if (env == NULL)
		return 0;
	copy = strdup(env);
	unsetenv(ENV_SOCKETS);
	if (copy == NULL)
		return -1;
	for (char *e = strtok_r(copy, ",", &save); e != NULL;
	    e = strtok_r(NULL, ",", &save)) {
		char *eq = strrchr(e, '=');
		int fd;

		if (eq == NULL || (fd = atoi(eq + 1)) <= STDERR_FILENO ||
		    fcntl(fd, F_GETFD) < 0)
			continue;
		*eq = '\0';
		if (inherit(m, fd, e) != 0)
			break;
		set_cloexec(fd, 1);
	}
	free(copy);
	return 0;
}

int
reload_inherit_activated(struct master *m, struct sd_socket *socks, int n)
{
	for (int i = 0; i < n; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		const struct pool_conf *c = NULL;

		if (getsockname(socks[i].fd, (struct sockaddr *)&ss, &len) == 0)
			for (c = m->conf->pools; c != NULL; c = c->next)
				if (addr_is(&c->listen_addr,
				    (struct sockaddr *)&ss, len))
					break;
		if (c == NULL || inherit(m, socks[i].fd, c->listen) != 0) {
			log_warning("socket activation: fd %d (%s) matches no "
			    "pool's listen address: closed", socks[i].fd,
			    socks[i].name[0] ? socks[i].name : "unnamed");
			close(socks[i].fd);
			continue;
		}
		log_notice("[pool %s] socket activation: fd %d is %s",
		    c->name, socks[i].fd, c->listen);
	}
	free(socks);
	return 0;
}

int
reload_take_socket(struct master *m, const char *addr)
{
	for (int i = 0; i < m->ninherited; i++) {
		struct inherited *in = &m->inherited[i];

		if (!in->adopted && in->addr && strcmp(in->addr, addr) == 0) {
			in->adopted = 1;
			return in->fd;
		}
	}
	return -1;
}

static const struct inherited *
inherited_fd(const struct master *m, int fd)
{
	for (int i = 0; i < m->ninherited; i++)
		if (m->inherited[i].fd == fd)
			return &m->inherited[i];
	return NULL;
}

static void
retiring_nothing(struct master *m, struct pool *p, long long now)
{
	(void)m, (void)p, (void)now;
}

static void
retiring_exit(struct master *m, struct pool *p, const struct child *c,
    long long now)
{
	(void)m, (void)p, (void)c, (void)now;
}

/* The pm of a retiring pool: it forks nothing. */
static const struct pm_ops pm_retiring = {
	.name = "retiring",
	.start = retiring_nothing,
	.tick = retiring_nothing,
	.on_exit = retiring_exit,
};

/* The retiring pool of the previous configuration named name, on
 * listen_fd: found, or made and appended to m->pools. */
static struct pool *
retiring_pool(struct master *m, const char *name, int listen_fd,
    int decorate)
{
	const struct inherited *in = inherited_fd(m, listen_fd);
	struct pool **tail, *p;

	for (tail = &m->pools; *tail != NULL; tail = &(*tail)->next)
		if ((*tail)->retiring && (*tail)->listen_fd == listen_fd &&
		    strcmp((*tail)->conf->name, name) == 0)
			return *tail;
	p = calloc(1, sizeof(*p));
	if (p == NULL || (p->conf = calloc(1, sizeof(*p->conf))) == NULL ||
	    (p->conf->name = strdup(name)) == NULL) {
		free(p);
		return NULL;
	}
	p->conf->decorate_workers_output = decorate;
	p->conf->listen = in && in->addr ? strdup(in->addr) : NULL;
	p->retiring = 1;
	p->pm = &pm_retiring;
	p->access_fd = p->slowlog_fd = p->wake_fd = -1;
	p->sb_fd[0] = p->sb_fd[1] = -1;
	/* Its socket is its own to close only if no pool took it. */
	p->listen_fd = in != NULL && !in->adopted ? listen_fd : -1;
	*tail = p;
	return p;
}

/* Every inherited socket now belongs to a pool of this configuration, or
 * to a retiring pool (closed when its workers are gone), or to nobody:
 * closed now. */
static void
release_inherited(struct master *m)
{
	for (int i = 0; i < m->ninherited; i++) {
		struct inherited *in = &m->inherited[i];
		int owned = in->adopted;

		for (struct pool *p = m->pools; p && !owned; p = p->next)
			owned = p->retiring && p->listen_fd == in->fd;
		if (!owned && in->fd >= 0) {
			if (in->addr != NULL && in->addr[0] == '/')
				pool_unlink_socket(in->fd, in->addr);
			close(in->fd);
			log_notice("reload: closed %s: no pool listens there now",
			    in->addr ? in->addr : "a socket");
		}
		in->fd = -1;
	}
}

void
reload_free(struct master *m)
{
	for (int i = 0; i < m->ninherited; i++)
		free(m->inherited[i].addr);
	free(m->inherited);
	m->inherited = NULL;
	m->ninherited = 0;
}

static int
hexval(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'A' && ch <= 'F' ?
	    ch - 'A' + 10 : -1;
}

/* encode()'s text back, control characters shown as \xHH: it came from
 * a worker and goes to the log. */
static char *
decode(const char *in)
{
	char *out = malloc(strlen(in) * 4 + 1), *o = out;

	for (; out != NULL && *in != '\0'; in++) {
		int ch = (unsigned char)*in;

		if (ch == '%' && hexval(in[1]) >= 0 && hexval(in[2]) >= 0) {
			ch = hexval(in[1]) * 16 + hexval(in[2]);
			in += 2;
		}
		if (ch < 0x20 || ch == 0x7f)
			o += sprintf(o, "\\x%02x", ch);
		else
			*o++ = (char)ch;
	}
	if (out != NULL)
		*o = '\0';
	return out;
}

/* The request in flight after the pool name (request_in_flight()). */
static void
adopt_request(struct child *c, char *rest)
{
	char *desc;

	if (rest == NULL || sscanf(rest + 1, "%lld %lld", &c->handed_start,
	    &c->handed_limit) != 2 || (desc = strchr(rest + 1, '\t')) == NULL)
		return;
	c->handed_req = decode(desc + 1);
	if (c->handed_req == NULL)
		c->handed_limit = 0;
}

static void
adopt_worker(struct master *m, char *line)
{
	int pid, lfd, ofd, efd, decorate, n = 0;
	long long started, quit_at;
	struct child *c;
	struct pool *p;
	char *rest;

	if (sscanf(line, "%d %d %d %d %lld %lld %d %n", &pid, &lfd, &ofd,
	    &efd, &started, &quit_at, &decorate, &n) != 7 || n == 0 ||
	    pid <= 1)
		return;
	if ((rest = strchr(line + n, '\t')) != NULL)
		*rest = '\0';
	p = retiring_pool(m, line + n, lfd, decorate);
	c = calloc(1, sizeof(*c));
	if (p == NULL || c == NULL) {
		free(c);
		return;
	}
	if (rest != NULL)
		adopt_request(c, rest);
	c->pid = pid;
	c->pool = p;
	c->slot = -1;
	c->started = started;
	c->ready = 1;
	c->ending = 1;
	c->quit_at = quit_at;
	c->out[0].fd = ofd > STDERR_FILENO && fcntl(ofd, F_GETFD) >= 0 ? ofd :
	    -1;
	c->out[1].fd = efd > STDERR_FILENO && fcntl(efd, F_GETFD) >= 0 ? efd :
	    -1;
	c->next = p->children;
	p->children = c;
	p->nchildren++;
	p->nending++;
	children_adopt_output(m, c);
}

int
reload_adopt_workers(struct master *m)
{
	const char *env = getenv(ENV_WORKERS);
	char *copy, *save = NULL;
	int n = 0;

	if (env == NULL)
		return 0;
	copy = strdup(env);
	unsetenv(ENV_WORKERS);
	if (copy == NULL)
		return 0;
	for (char *l = strtok_r(copy, "\n", &save); l != NULL;
	    l = strtok_r(NULL, "\n", &save), n++)
		adopt_worker(m, l);
	free(copy);
	if (n > 0)
		log_notice("reload: %d workers of the previous configuration "
		    "finish their requests", n);
	release_inherited(m);
	reload_gc(m);
	return n;
}

/* A unix socket's file goes with the socket, unless a pool of this
 * configuration listens there now. */
static void
close_socket(struct master *m, struct pool *r)
{
	int shared = 0;

	for (struct pool *p = m->pools; p != NULL; p = p->next)
		if (!p->retiring && p->conf->listen != NULL &&
		    r->conf->listen != NULL &&
		    strcmp(p->conf->listen, r->conf->listen) == 0)
			shared = 1;
	if (!shared && r->conf->listen != NULL && r->conf->listen[0] == '/')
		pool_unlink_socket(r->listen_fd, r->conf->listen);
	close(r->listen_fd);
	log_notice("[pool %s] closed %s: the pool is gone", r->conf->name,
	    r->conf->listen ? r->conf->listen : "its socket");
	r->listen_fd = -1;
}

void
reload_gc(struct master *m)
{
	struct pool **pp = &m->pools;

	while (*pp != NULL) {
		struct pool *r = *pp;

		if (!r->retiring || r->nchildren > 0) {
			pp = &r->next;
			continue;
		}
		if (r->listen_fd >= 0)
			close_socket(m, r);
		*pp = r->next;
		free(r->conf->listen);
		free(r->conf->name);
		free(r->conf);
		free(r);
	}
}
