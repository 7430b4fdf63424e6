/*
 * cgi.c - the CGI sapi: each request executes SCRIPT_FILENAME as a CGI/1.1
 * script (RFC 3875), as fcgiwrap does, inside a supervised pool.
 *
 * The script is opened once, checked on that descriptor (under cgi.root,
 * an allowed extension, executable, neither it nor its directories
 * writable by others than their owner) and executed by it, so the file
 * that runs is the one that was checked.  It gets as its environment the
 * pool's env[], the CGI meta-variables among the FastCGI params (RFC 3875
 * plus what web servers add) and well-formed HTTP_* ones, never anything
 * else a client sends (LD_PRELOAD, BASH_FUNC_*); the request body on
 * stdin; and runs in a process group of its own.  Its stdout is parsed
 * by response.c for CGI headers (Status, Location, Content-Type...) and
 * streamed back: a Location with a URL is a client redirect (302), one
 * with a local path a local redirect (X-Accel-Redirect, which nginx
 * follows); an nph- script's status line becomes the Status.  Its stderr
 * goes to the error log, a line per line.  When it exits, what is left
 * of its group (a background child) is killed; when the worker is killed
 * (request_terminate_timeout) the group goes with it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgi.h"
#include "fpm_app.h"
#include "log.h"
#include "response.h"
#include "runtime.h"

extern char **environ;

static const struct worker_conf *wconf;
static volatile pid_t running;		/* the script's process group */

/* request_terminate_timeout sends the worker SIGTERM: the script's whole
 * group dies with it. */
static void
on_term(int sig)
{
	(void)sig;
	if (running > 0)
		kill(-running, SIGKILL);
	_exit(1);
}

static int
cgi_init(const struct worker_conf *wc, char *err, size_t errlen)
{
	struct sigaction sa = { .sa_handler = on_term };

	(void)err, (void)errlen;
	wconf = wc;
	sigfillset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	/* A #! script run by descriptor reaches its interpreter as
	 * /dev/fd/3: a chroot without /proc runs binaries only. */
	if (access("/dev/fd/0", F_OK) != 0)
		log_warning("[pool %s] pid %d: /dev/fd/0: %s: #! scripts cannot "
		    "run (mount /proc in the chroot), binaries can",
		    fpm_pool_name(), (int)getpid(), strerror(errno));
	return 0;
}

static int
refuse(fpm_request *req, int code, const char *script, const char *why)
{
	log_warning("%s: %s (%d)", script ? script : "no SCRIPT_FILENAME", why,
	    code);
	fpm_set_status(req, code);
	fpm_header(req, "Content-Type", "text/plain");
	return fpm_printf(req, "%d %s\n", code, code == 404 ? "Not Found" :
	    code == 403 ? "Forbidden" : "Bad Gateway") < 0 ? -1 : 0;
}

/* Whether the script's name ends with one of cgi.limit_extensions. */
static int
extension_allowed(const char *script)
{
	const char *list = wconf->cgi_extensions, *dot = strrchr(script, '.');
	char ext[64];

	if (list == NULL || *list == '\0')
		return 1;
	if (dot == NULL || strchr(dot, '/') != NULL)
		return 0;
	while (sscanf(list, " %63[^ ,]", ext) == 1) {
		const char *e = ext[0] == '.' ? ext + 1 : ext;

		if (strcmp(dot + 1, e) == 0)
			return 1;
		list += strspn(list, " ,");
		list += strcspn(list, " ,");
	}
	return 0;
}

/* ---- the script, opened once and checked on its descriptor ----------- */

struct script {
	int fd;		/* the file that was checked and is executed */
	int dir;	/* O_PATH, its directory: the working directory */
	int shebang;	/* it starts with "#!" */
};

/* A directory the walk opened: refused if others than its owner may
 * write it (they could swap the script), checked when at or below the
 * first directory that counts. */
static int
dir_ok(fpm_request *req, const char *script, int dfd, const char *real,
    size_t len, size_t first, int *rc)
{
	struct stat st;
	char why[PATH_MAX + 64];

	if (len < first)
		return 0;
	if (fstat(dfd, &st) != 0)
		return *rc = refuse(req, 404, script, "no such script"), -1;
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) == 0)
		return 0;
	snprintf(why, sizeof(why), "directory %.*s is writable by others "
	    "than its owner", (int)(len ? len : 1), len ? real : "/");
	return *rc = refuse(req, 403, script, why), -1;
}

/* Open real (a path from realpath(3): absolute, no symlinks) one
 * component at a time from "/", following no symlink, so a component
 * swapped since realpath() fails instead of leading elsewhere.  The
 * directories from the one at length first down to the script's are
 * checked with dir_ok().  Fills s on 0. */
static int
walk(fpm_request *req, const char *script, const char *real, size_t first,
    struct script *s, int *rc)
{
	const char *p = real + 1, *slash;
	char name[NAME_MAX + 1];
	int dfd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), fd;

	while (dfd >= 0 && (slash = strchr(p, '/')) != NULL) {
		if (dir_ok(req, script, dfd, real, (size_t)(p - 1 - real),
		    first, rc) != 0)
			return close(dfd), -1;
		if ((size_t)(slash - p) > NAME_MAX)	/* not from realpath */
			return close(dfd), *rc = refuse(req, 404, script,
			    "no such script"), -1;
		memcpy(name, p, (size_t)(slash - p));
		name[slash - p] = '\0';
		fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		close(dfd);
		dfd = fd;
		p = slash + 1;
	}
	if (dfd < 0)
		return *rc = refuse(req, 404, script, "no such script (a "
		    "directory changed while being checked)"), -1;
	if (dir_ok(req, script, dfd, real, (size_t)(p - 1 - real), first,
	    rc) != 0)
		return close(dfd), -1;
	/* Readable if it may be: perl takes /dev/fd/3 as the descriptor
	 * itself and reads it.  O_NONBLOCK: a FIFO swapped in does not
	 * hang the worker. */
	fd = openat(dfd, p, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd < 0 && errno == EACCES)	/* a binary one may only execute */
		fd = openat(dfd, p, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		int loop = errno == ELOOP;

		close(dfd);
		*rc = refuse(req, loop ? 403 : 404, script, loop ? "a symlink "
		    "now (it changed while being checked)" : "no such script "
		    "(it changed while being checked)");
		return -1;
	}
	*s = (struct script){ fd, dfd, 0 };
	return 0;
}

static void
script_close(struct script *s)
{
	close(s->fd);
	close(s->dir);
}

/* The checks before anything runs: it exists, lies under cgi.root after
 * symlinks, has an allowed extension, neither it nor its directories up
 * to cgi.root can be written by others than their owner, and it may be
 * executed.  All but the name checks are made on the descriptor that is
 * then executed, so the pool user cannot swap the file in between. */
static int
open_script(fpm_request *req, const char *script, struct script *s, int *rc)
{
	char real[PATH_MAX];
	size_t rl = wconf->cgi_root != NULL ? strlen(wconf->cgi_root) : 0;
	struct stat st;
	char magic[2];

	if (script == NULL || *script == '\0' || realpath(script, real) == NULL)
		return *rc = refuse(req, 404, script, "no such script"), -1;
	if (wconf->cgi_root != NULL &&
	    (strncmp(real, wconf->cgi_root, rl) != 0 || real[rl] != '/'))
		return *rc = refuse(req, 403, script, "outside cgi.root"), -1;
	if (!extension_allowed(script))
		return *rc = refuse(req, 403, script,
		    "extension not in cgi.limit_extensions"), -1;
	if (wconf->cgi_root == NULL)	/* only the script's own directory */
		rl = (size_t)(strrchr(real, '/') - real);
	if (walk(req, script, real, rl, s, rc) != 0)
		return -1;
	*rc = 0;
	if (fstat(s->fd, &st) != 0)
		*rc = refuse(req, 404, script, "no such script");
	else if (S_ISLNK(st.st_mode))
		*rc = refuse(req, 403, script,
		    "a symlink now (it changed while being checked)");
	else if (!S_ISREG(st.st_mode))
		*rc = refuse(req, 404, script, "no such script");
	else if (st.st_mode & (S_IWGRP | S_IWOTH))
		*rc = refuse(req, 403, script,
		    "writable by others than its owner");
	else if (faccessat(s->fd, "", X_OK, AT_EMPTY_PATH) != 0)
		*rc = refuse(req, 403, script, "not executable");
	else {
		/* an O_PATH one (execute only) cannot be read: a binary */
		s->shebang = pread(s->fd, magic, 2, 0) == 2 &&
		    magic[0] == '#' && magic[1] == '!';
		return 0;
	}
	script_close(s);
	return -1;
}

/* ---- the script's environment ------------------------------------------ */

/* What RFC 3875 section 4.1 defines, then what web servers add and
 * scripts rely on (nginx's fastcgi_params, Apache's mod_cgi); HTTP_*
 * comes on top.  README-cgi lists them. */
static const char *const meta_vars[] = {
	"AUTH_TYPE", "CONTENT_LENGTH", "CONTENT_TYPE", "GATEWAY_INTERFACE",
	"PATH_INFO", "PATH_TRANSLATED", "QUERY_STRING", "REMOTE_ADDR",
	"REMOTE_HOST", "REMOTE_IDENT", "REMOTE_USER", "REQUEST_METHOD",
	"SCRIPT_NAME", "SERVER_NAME", "SERVER_PORT", "SERVER_PROTOCOL",
	"SERVER_SOFTWARE",
	"DOCUMENT_ROOT", "DOCUMENT_URI", "HTTPS", "REDIRECT_STATUS",
	"REMOTE_PORT", "REQUEST_SCHEME", "REQUEST_URI", "SCRIPT_FILENAME",
	"SERVER_ADDR",
};

/* The length of kv's name (up to its '='), or 0 if that name is not
 * letters, digits and underscores. */
static size_t
name_len(const char *kv)
{
	size_t n = 0;

	while ((kv[n] >= 'A' && kv[n] <= 'Z') || (kv[n] >= 'a' &&
	    kv[n] <= 'z') || (kv[n] >= '0' && kv[n] <= '9') || kv[n] == '_')
		n++;
	return kv[n] == '=' ? n : 0;
}

/* Whether a param "NAME=value" may reach the script: a meta-variable or
 * a well-formed HTTP_* (but HTTP_PROXY) that the pool's own environment
 * does not set. */
static int
param_passes(const char *kv)
{
	size_t n = name_len(kv), i;

	if (n == 0)
		return 0;
	for (i = 0; environ != NULL && environ[i] != NULL; i++)
		if (strncmp(environ[i], kv, n + 1) == 0)
			return 0;	/* the pool's env[] wins */
	if (n > 5 && strncmp(kv, "HTTP_", 5) == 0)
		/* httpoxy: a client's "Proxy:" header would be the proxy
		 * the script's HTTP library uses for its own requests. */
		return n != 10 || strncmp(kv + 5, "PROXY", 5) != 0;
	for (i = 0; i < sizeof(meta_vars) / sizeof(meta_vars[0]); i++)
		if (strncmp(meta_vars[i], kv, n) == 0 &&
		    meta_vars[i][n] == '\0')
			return 1;
	return 0;
}

/* The script's environment: the worker's own (the pool's env[]), the
 * params that pass, GATEWAY_INTERFACE.  Freed by the caller. */
static char **
script_env(fpm_request *req)
{
	char *const *params = fpm_params(req);
	size_t np = 0, ne = 0, n = 0;
	char **env;
	int gateway = 0;

	while (params != NULL && params[np] != NULL)
		np++;
	while (environ != NULL && environ[ne] != NULL)
		ne++;
	if ((env = malloc((ne + np + 2) * sizeof(*env))) == NULL)
		return NULL;
	for (size_t i = 0; i < ne; i++) {
		gateway |= strncmp(environ[i], "GATEWAY_INTERFACE=", 18) == 0;
		env[n++] = environ[i];
	}
	for (size_t i = 0; i < np; i++) {
		if (!param_passes(params[i]))
			continue;
		gateway |= strncmp(params[i], "GATEWAY_INTERFACE=", 18) == 0;
		env[n++] = params[i];
	}
	if (!gateway)
		env[n++] = "GATEWAY_INTERFACE=CGI/1.1";
	env[n] = NULL;
	return env;
}

/* ---- starting it --------------------------------------------------------- */

struct spawn {
	const struct script *s;
	int in, out, err;
	char **argv, **env;
	int error;		/* the child's errno when it could not exec */
};

/* The child, sharing the worker's memory until it execs (CLONE_VM |
 * CLONE_VFORK): default signals, its own process group, stdio on the
 * pipes, the script's directory, then the checked descriptor executed.
 * A #! script's interpreter opens /dev/fd/3 (the kernel refuses a
 * close-on-exec descriptor for those, ENOENT), so it survives the exec
 * for them only. */
static int
child(void *arg)
{
	struct spawn *sp = arg;
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);
	sigemptyset(&none);
	setpgid(0, 0);
	if (dup2(sp->in, STDIN_FILENO) < 0 || dup2(sp->out, STDOUT_FILENO) < 0 ||
	    dup2(sp->err, STDERR_FILENO) < 0 || fchdir(sp->s->dir) != 0 ||
	    (sp->s->fd != 3 && dup2(sp->s->fd, 3) < 0))
		goto fail;
	close_range(4, ~0U, 0);
	sigprocmask(SIG_SETMASK, &none, NULL);
	fcntl(3, F_SETFD, sp->s->shebang ? 0 : FD_CLOEXEC);
	syscall(SYS_execveat, 3, "", sp->argv, sp->env, AT_EMPTY_PATH);
fail:
	sp->error = errno;
	_exit(127);
}

/* Start the script by its descriptor.  clone(2) with CLONE_VM |
 * CLONE_VFORK, as glibc's posix_spawn does: no copy of the worker's page
 * tables, the worker waits until the child has exec'd.  Returns its pid
 * (and a pidfd in *pidfd), or -1 with errno set. */
static pid_t
spawn_script(fpm_request *req, const char *script, const struct script *s,
    int in, int out, int err, int *pidfd)
{
	char *argv[2] = { (char *)script, NULL };
	struct spawn sp = { s, in, out, err, argv, script_env(req), 0 };
	_Alignas(16) char stack[32768];
	sigset_t all, old;
	pid_t pid;
	int saved;

	if (sp.env == NULL)
		return -1;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = clone(child, stack + sizeof(stack), CLONE_VM | CLONE_VFORK |
	    CLONE_PIDFD | SIGCHLD, &sp, pidfd);
	saved = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	free(sp.env);
	errno = saved;
	if (pid > 0 && sp.error != 0) {
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		close(*pidfd);
		errno = sp.error;
		return -1;
	}
	return pid;
}

/* ---- the script's output ------------------------------------------------ */

static void
to_status(void *ctx, int code)
{
	fpm_set_status(ctx, code);
}

static void
to_header(void *ctx, const char *name, const char *value)
{
	fpm_header(ctx, name, value);
}

static int
to_body(void *ctx, const char *buf, size_t n)
{
	return fpm_write(ctx, buf, n) < 0 ? -1 : 0;
}

static void
log_stderr(const char *script, char *buf, ssize_t n)
{
	char *line = buf, *nl;

	buf[n] = '\0';
	while ((nl = strchr(line, '\n')) != NULL || *line != '\0') {
		if (nl != NULL)
			*nl = '\0';
		log_warning("%s said into stderr: \"%s\"", script, line);
		if (nl == NULL)
			break;
		line = nl + 1;
	}
}

/* ---- the request ----------------------------------------------------- */

int
cgi_pipes(int fds[3][2], int (*mkpipe)(int pipefd[2], int flags))
{
	for (int i = 0; i < 3; i++) {
		if (mkpipe(fds[i], O_CLOEXEC) == 0)
			continue;
		/* EMFILE on the second or third: the first ones must not
		 * stay open, or each such request leaks a pair. */
		int saved = errno;

		while (i-- > 0)
			close(fds[i][0]), close(fds[i][1]);
		errno = saved;
		return -1;
	}
	return 0;
}

struct pipes {
	int in, out, err;	/* our ends: write, read, read */
	int pidfd;		/* readable once the script has exited */
	pid_t pid;
};

/* Shuttle the body in and the output out until the script closes its
 * stdout; stdin is fed as the script takes it, so neither side blocks
 * the other. */
static void
shuttle(fpm_request *req, const char *script, struct pipes *p,
    struct response *o)
{
	const struct response_sink sink = { to_status, to_header, to_body,
	    req };
	char body[65536], buf[65536];
	size_t have = 0, off = 0;
	int body_done = 0;

	while (p->out >= 0) {
		struct pollfd pfd[4] = {
			{ p->out, POLLIN, 0 }, { p->err, POLLIN, 0 },
			{ p->in, POLLOUT, 0 }, { p->pidfd, POLLIN, 0 },
		};
		ssize_t n;

		if (!body_done && have == off) {
			n = fpm_read(req, body, sizeof(body));
			have = n > 0 ? (size_t)n : 0;
			off = 0;
			body_done = n <= 0;
		}
		if (body_done && p->in >= 0) {
			close(p->in);
			p->in = -1;
		}
		pfd[2].fd = p->in;
		if (poll(pfd, 4, -1) < 0 && errno != EINTR)
			break;
		if (pfd[3].revents) {
			/* It exited: a background child it left must not keep
			 * the response open. */
			kill(-p->pid, SIGKILL);
			close(p->pidfd);
			p->pidfd = -1;
		}
		if (pfd[2].revents & (POLLOUT | POLLERR | POLLHUP)) {
			n = write(p->in, body + off, have - off);
			if (n > 0)
				off += (size_t)n;
			else if (errno != EAGAIN)
				body_done = 1;	/* it stopped reading */
		}
		if (pfd[1].revents) {
			n = read(p->err, buf, sizeof(buf) - 1);
			if (n > 0)
				log_stderr(script, buf, n);
			else if (n == 0)
				close(p->err), p->err = -1;
		}
		if (pfd[0].revents) {
			n = read(p->out, buf, sizeof(buf));
			if (n > 0)
				response_feed(o, buf, (size_t)n, &sink);
			else if (n == 0 || errno != EINTR)
				close(p->out), p->out = -1;
		}
	}
}

static int
cgi_handle(fpm_request *req)
{
	const char *script = fpm_param(req, "SCRIPT_FILENAME");
	const char *base;
	int fds[3][2], rc = 0, status, pidfd = -1;
	struct script sc;
	struct pipes p;
	static struct response o;
	pid_t pid;

	if (open_script(req, script, &sc, &rc) != 0)
		return rc;
	if (cgi_pipes(fds, pipe2) != 0) {
		script_close(&sc);
		return refuse(req, 502, script, "cannot make its pipes");
	}
	pid = spawn_script(req, script, &sc, fds[0][0], fds[1][1], fds[2][1],
	    &pidfd);
	script_close(&sc);
	close(fds[0][0]), close(fds[1][1]), close(fds[2][1]);
	if (pid < 0) {
		char why[128];

		snprintf(why, sizeof(why), "cannot start it: %s",
		    strerror(errno));
		close(fds[0][1]), close(fds[1][0]), close(fds[2][0]);
		return refuse(req, 502, script, why);
	}
	running = pid;
	fcntl(fds[0][1], F_SETFL, O_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	base = strrchr(script, '/');
	response_init(&o, strncmp(base ? base + 1 : script, "nph-", 4) == 0);
	p = (struct pipes){ fds[0][1], fds[1][0], fds[2][0], pidfd, pid };
	shuttle(req, script, &p, &o);
	if (p.in >= 0)
		close(p.in);
	if (p.err >= 0) {
		char buf[4096];
		ssize_t n;

		fcntl(p.err, F_SETFL, O_NONBLOCK);
		while ((n = read(p.err, buf, sizeof(buf) - 1)) > 0)
			log_stderr(script, buf, n);
		close(p.err);
	}
	if (p.pidfd >= 0)
		close(p.pidfd);
	kill(-pid, SIGKILL);	/* what it left running in its group */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	running = 0;
	if (!o.in_body)
		return refuse(req, 502, script, o.len ? "the script's headers "
		    "never ended" : "the script wrote no headers");
	return o.failed ? -1 : 0;
}

const struct sapi_ops sapi_cgi = {
	.name = "cgi",
	.init = cgi_init,
	.handle = cgi_handle,
};
