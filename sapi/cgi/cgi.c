/*
 * cgi.c - the CGI sapi: each request executes SCRIPT_FILENAME as a CGI/1.1
 * script (RFC 3875), as fcgiwrap does, inside a supervised pool.
 *
 * The script gets the FastCGI params as its environment (nginx passes the
 * CGI meta-variables) plus GATEWAY_INTERFACE, the request body on stdin,
 * and runs in a process group of its own.  Its stdout is parsed for CGI
 * headers (Status, Location, Content-Type...) and streamed back: a
 * Location with a URL is a client redirect (302), one with a local path
 * a local redirect (X-Accel-Redirect, which nginx follows); an nph-
 * script's status line becomes the Status.  Its stderr goes to the error
 * log, a line per line.  When it exits, what is left of its group (a
 * background child) is killed; when the worker is killed
 * (request_terminate_timeout) the group goes with it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fpm_app.h"
#include "log.h"
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

/* The checks before anything runs: it exists, lies under cgi.root after
 * symlinks, has an allowed extension and may be executed. */
static int
check_script(fpm_request *req, const char *script, int *rc)
{
	char real[PATH_MAX];
	struct stat st;
	size_t rl;

	if (script == NULL || *script == '\0' || stat(script, &st) != 0 ||
	    !S_ISREG(st.st_mode))
		return *rc = refuse(req, 404, script, "no such script"), -1;
	if (wconf->cgi_root != NULL) {
		rl = strlen(wconf->cgi_root);
		if (realpath(script, real) == NULL ||
		    strncmp(real, wconf->cgi_root, rl) != 0 || real[rl] != '/')
			return *rc = refuse(req, 403, script,
			    "outside cgi.root"), -1;
	}
	if (!extension_allowed(script))
		return *rc = refuse(req, 403, script,
		    "extension not in cgi.limit_extensions"), -1;
	if (access(script, X_OK) != 0)
		return *rc = refuse(req, 403, script, "not executable"), -1;
	return 0;
}

/* Start the script: its own process group, stdio on the pipes, the params
 * as its whole environment, default signals, its directory as the working
 * directory.  posix_spawn(3) with glibc is a vfork: no copy of the
 * worker's page tables, and nothing runs in the child but the set-up.
 * Returns its pid, or -1 with errno set. */
static pid_t
spawn_script(fpm_request *req, const char *script, int in, int out, int err)
{
	char *const *params = fpm_params(req);
	char *argv[2] = { (char *)script, NULL }, dir[PATH_MAX], *slash;
	char **env;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t all, none;
	size_t n = 0;
	pid_t pid = -1;
	int rc;

	while (params != NULL && params[n] != NULL)
		n++;
	env = malloc((n + 2) * sizeof(*env));
	if (env == NULL)
		return -1;
	memcpy(env, params, n * sizeof(*env));
	if (fpm_param(req, "GATEWAY_INTERFACE") == NULL)
		env[n++] = "GATEWAY_INTERFACE=CGI/1.1";
	env[n] = NULL;
	snprintf(dir, sizeof(dir), "%s", script);
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir)
		*slash = '\0';
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, out, STDOUT_FILENO);
	posix_spawn_file_actions_adddup2(&fa, err, STDERR_FILENO);
	posix_spawn_file_actions_addclosefrom_np(&fa, STDERR_FILENO + 1);
	if (slash != NULL && slash != dir)
		posix_spawn_file_actions_addchdir_np(&fa, dir);
	posix_spawnattr_init(&at);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setsigdefault(&at, &all);
	posix_spawnattr_setsigmask(&at, &none);
	rc = posix_spawn(&pid, script, &fa, &at, argv, env);
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return pid;
}

/* ---- the script's output ------------------------------------------------ */

struct out {
	char head[16384];	/* headers until the blank line */
	size_t len;
	int in_body;
	int nph;
	int failed;
};

static void
one_header(fpm_request *req, struct out *o, char *line)
{
	char *colon = strchr(line, ':'), *v;

	if (o->nph && strncmp(line, "HTTP/", 5) == 0) {
		int code = atoi(strchr(line, ' ') ? strchr(line, ' ') + 1 : "");

		if (code >= 100)
			fpm_set_status(req, code);
		return;
	}
	if (colon == NULL)
		return;
	*colon = '\0';
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	if (strcasecmp(line, "Status") == 0)
		fpm_set_status(req, atoi(v));
	else if (strcasecmp(line, "Location") == 0 && v[0] == '/')
		/* RFC 3875's local redirect: the web server fetches that path
		 * itself, which nginx does for X-Accel-Redirect. */
		fpm_header(req, "X-Accel-Redirect", v);
	else {
		if (strcasecmp(line, "Location") == 0)
			fpm_set_status(req, 302);	/* a client redirect */
		fpm_header(req, line, v);
	}
}

/* Headers end at the first empty line (LF or CRLF). */
static void
parse_head(fpm_request *req, struct out *o, size_t end)
{
	char *p = o->head, *stop = o->head + end;

	while (p < stop) {
		char *nl = memchr(p, '\n', (size_t)(stop - p));

		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		if (*p != '\0')
			one_header(req, o, p);
		p = nl + 1;
	}
}

/* Feed what the script wrote: headers first, then the body as is. */
static void
from_script(fpm_request *req, struct out *o, const char *buf, size_t n)
{
	char *end;
	size_t take, body_at;

	if (o->in_body) {
		if (fpm_write(req, buf, n) < 0)
			o->failed = 1;
		return;
	}
	take = n < sizeof(o->head) - 1 - o->len ? n :
	    sizeof(o->head) - 1 - o->len;
	memcpy(o->head + o->len, buf, take);
	o->len += take;
	o->head[o->len] = '\0';
	if ((end = strstr(o->head, "\n\r\n")) != NULL)
		body_at = (size_t)(end - o->head) + 3;
	else if ((end = strstr(o->head, "\n\n")) != NULL)
		body_at = (size_t)(end - o->head) + 2;
	else
		return;		/* more headers to come */
	parse_head(req, o, (size_t)(end - o->head) + 1);
	o->in_body = 1;
	if (o->len > body_at)
		from_script(req, o, o->head + body_at, o->len - body_at);
	if (n > take)
		from_script(req, o, buf + take, n - take);
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
    struct out *o)
{
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
				from_script(req, o, buf, (size_t)n);
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
	int in[2], out[2], err[2], rc = 0, status;
	struct pipes p;
	static struct out o;
	pid_t pid;

	if (check_script(req, script, &rc) != 0)
		return rc;
	if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 ||
	    pipe2(err, O_CLOEXEC) != 0)
		return -1;
	pid = spawn_script(req, script, in[0], out[1], err[1]);
	close(in[0]), close(out[1]), close(err[1]);
	if (pid < 0) {
		char why[128];

		snprintf(why, sizeof(why), "cannot start it: %s",
		    strerror(errno));
		close(in[1]), close(out[0]), close(err[0]);
		return refuse(req, 502, script, why);
	}
	running = pid;
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	signal(SIGPIPE, SIG_IGN);
	memset(&o, 0, sizeof(o));
	base = strrchr(script, '/');
	o.nph = strncmp(base ? base + 1 : script, "nph-", 4) == 0;
	p = (struct pipes){ in[1], out[0], err[0],
	    (int)syscall(SYS_pidfd_open, pid, 0), pid };
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
