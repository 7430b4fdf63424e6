/*
 * identity.c - rlimits, priority, chroot, groups, uid, environment and
 * capabilities of a worker.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "identity.h"
#include "path.h"

static int
set_limit(int resource, const char *name, long long v, char *err,
    size_t errlen)
{
	struct rlimit rl;

	if (v == CONF_UNSET)
		return 0;
	rl.rlim_cur = rl.rlim_max = v == CONF_INFINITY ? RLIM_INFINITY :
	    (rlim_t)v;
	if (setrlimit(resource, &rl) != 0) {
		snprintf(err, errlen, "setrlimit(%s, %lld) failed: %s", name, v,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* chdir defaults to "/", so a chroot never leaves the cwd outside.  The
 * jail is entered by its resolved path, once no one but root can change
 * what that leads to. */
static int
set_root(const struct pool_conf *c, char *err, size_t errlen)
{
	char real[4096], why[512];

	if (c->chroot != NULL && path_resolve_trusted(c->chroot, real,
	    sizeof(real), why, sizeof(why)) != 0) {
		snprintf(err, errlen, "chroot %s refused: %s", c->chroot, why);
		return -1;
	}
	if (c->chroot != NULL && chroot(real) != 0) {
		snprintf(err, errlen, "chroot(%s) failed: %s", c->chroot,
		    strerror(errno));
		return -1;
	}
	if (c->chdir != NULL && chdir(c->chdir) != 0) {
		snprintf(err, errlen, "chdir(%s) failed: %s", c->chdir,
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
identity_lookup(const char *user, const char *group, uid_t *uid, gid_t *gid,
    char *err, size_t errlen)
{
	*uid = (uid_t)-1;
	*gid = (gid_t)-1;
	if (user != NULL) {
		struct passwd *pw = getpwnam(user);

		if (pw == NULL) {
			snprintf(err, errlen, "user '%s' does not exist", user);
			return -1;
		}
		*uid = pw->pw_uid;
		*gid = pw->pw_gid;
	}
	if (group != NULL) {
		struct group *gr = getgrnam(group);

		if (gr == NULL) {
			snprintf(err, errlen, "group '%s' does not exist", group);
			return -1;
		}
		*gid = gr->gr_gid;
	}
	return 0;
}

/* The user's groups as the host's /etc/group has them, looked up before
 * chroot: a jail's own /etc/group (its owner's to write) must not put the
 * worker into root's or disk's group, as initgroups(3) after chroot
 * would.  Returns the list (free it) and its length in *n, or NULL. */
static gid_t *
host_groups(const char *user, gid_t gid, int *n, char *err, size_t errlen)
{
	int want = 64;
	gid_t *list = NULL;

	for (int tries = 0; tries < 3; tries++) {
		gid_t *more = realloc(list, (size_t)want * sizeof(*list));

		if (more == NULL)
			break;
		list = more;
		*n = want;
		if (getgrouplist(user, gid, list, n) >= 0)
			return list;
		want = *n > want ? *n : want * 2;
	}
	free(list);
	snprintf(err, errlen, "getgrouplist(%s, %u) failed", user,
	    (unsigned)gid);
	return NULL;
}

static int
set_user(uid_t uid, gid_t gid, const gid_t *groups, int ngroups, char *err,
    size_t errlen)
{
	if (setgroups((size_t)ngroups, groups) != 0) {
		snprintf(err, errlen, "setgroups(%d groups) failed: %s",
		    ngroups, strerror(errno));
		return -1;
	}
	if (setgid(gid) != 0 || getgid() != gid || getegid() != gid) {
		snprintf(err, errlen, "setgid(%u) failed: %s", (unsigned)gid,
		    strerror(errno));
		return -1;
	}
	if (setuid(uid) != 0 || getuid() != uid || geteuid() != uid) {
		snprintf(err, errlen, "setuid(%u) failed: %s", (unsigned)uid,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* The block of strings fpm was started with (what /proc/PID/environ
 * shows), noted before anything is unset from it. */
static char *env_lo, *env_hi;

void
identity_note_environ(void)
{
	for (char **e = environ; e != NULL && *e != NULL; e++) {
		char *end = *e + strlen(*e) + 1;

		if (env_lo == NULL || *e < env_lo)
			env_lo = *e;
		if (end > env_hi)
			env_hi = end;
	}
}

/* clearenv() only drops the pointers: the strings fpm was started with
 * stay in memory, where an app (or anyone reading /proc/PID/environ) finds
 * them, even those the master unset (LISTEN_FDS, FPM_SOCKETS).  Wipe
 * them all first. */
static void
scrub_environ(void)
{
	for (char **e = environ; e != NULL && *e != NULL; e++)
		explicit_bzero(*e, strlen(*e));
	if (env_lo != NULL && env_hi > env_lo)
		explicit_bzero(env_lo, (size_t)(env_hi - env_lo));
}

static int
set_env(const struct pool_conf *c, char *err, size_t errlen)
{
	if (c->clear_env)
		scrub_environ();
	if (c->clear_env && clearenv() != 0) {
		snprintf(err, errlen, "clearenv() failed");
		return -1;
	}
	for (size_t i = 0; i < c->nenv; i++) {
		if (putenv(c->env[i]) != 0) {
			snprintf(err, errlen, "putenv(%s) failed: %s", c->env[i],
			    strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* What the master still needs once its pools listen: to fork workers
 * into their identity (setuid, setgid, chroot, nice, rlimits), to signal
 * and ptrace them, to own, reopen and chmod sockets and logs on a reload
 * or SIGUSR1 (chown, fowner, dac_override, bind below 1024), and to empty
 * the workers' capability bounding set (setpcap). */
static const cap_value_t master_caps[] = {
	CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER, CAP_KILL, CAP_SETGID,
	CAP_SETUID, CAP_SETPCAP, CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
	CAP_SYS_PTRACE, CAP_SYS_NICE, CAP_SYS_RESOURCE,
};

int
identity_master_caps(char *err, size_t errlen)
{
	int n = (int)(sizeof(master_caps) / sizeof(master_caps[0]));
	cap_t cur = cap_get_proc(), keep = cap_init();
	int rc = -1;

	if (cur == NULL || keep == NULL) {
		snprintf(err, errlen, "cap_get_proc() failed: %s",
		    strerror(errno));
		goto out;
	}
	/* Keep, of the list, only what the master has: never more. */
	for (int i = 0; i < n; i++) {
		cap_flag_value_t v = CAP_CLEAR;

		cap_get_flag(cur, master_caps[i], CAP_PERMITTED, &v);
		if (v == CAP_SET) {
			cap_set_flag(keep, CAP_PERMITTED, 1, &master_caps[i],
			    CAP_SET);
			cap_set_flag(keep, CAP_EFFECTIVE, 1, &master_caps[i],
			    CAP_SET);
		}
	}
	if (cap_set_proc(keep) != 0) {
		snprintf(err, errlen, "cap_set_proc() failed: %s",
		    strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (cur != NULL)
		cap_free(cur);
	if (keep != NULL)
		cap_free(keep);
	return rc;
}

static int
drop_caps(char *err, size_t errlen)
{
	cap_t none = cap_init();
	int rc;

	if (none == NULL) {
		snprintf(err, errlen, "cap_init() failed: %s", strerror(errno));
		return -1;
	}
	rc = cap_set_proc(none);
	cap_free(none);
	if (rc != 0) {
		snprintf(err, errlen, "cap_set_proc(empty) failed: %s",
		    strerror(errno));
		return -1;
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	return 0;
}

/* Empty the bounding set, so that nothing the worker runs (a setuid CGI
 * script, a file capability) can get a capability back.  Without
 * CAP_SETPCAP (fpm not started as root) there is nothing to take. */
static int
drop_bounding(char *err, size_t errlen)
{
	for (int cap = 0; cap < (int)cap_max_bits(); cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0 || errno == EINVAL)
			continue;
		if (errno == EPERM && cap == 0)
			return 0;
		snprintf(err, errlen, "prctl(PR_CAPBSET_DROP, %d) failed: %s",
		    cap, strerror(errno));
		return -1;
	}
	return 0;
}

/* The steps up to the user's ids; groups is the host's list for it. */
static int
apply_root_and_user(const struct pool_conf *c, int as_root, uid_t uid,
    gid_t gid, const gid_t *groups, int ngroups, char *err, size_t errlen)
{
	if (set_limit(RLIMIT_NOFILE, "RLIMIT_NOFILE", c->rlimit_files, err,
	    errlen) != 0 || set_limit(RLIMIT_CORE, "RLIMIT_CORE",
	    c->rlimit_core, err, errlen) != 0)
		return -1;
	if (c->priority != CONF_UNSET &&
	    setpriority(PRIO_PROCESS, 0, (int)c->priority) != 0) {
		snprintf(err, errlen, "setpriority(%lld) failed: %s", c->priority,
		    strerror(errno));
		return -1;
	}
	if (set_root(c, err, errlen) != 0)
		return -1;
	if (drop_bounding(err, errlen) != 0)
		return -1;
	if (as_root && set_user(uid, gid, groups, ngroups, err, errlen) != 0)
		return -1;
	return 0;
}

int
identity_apply(const struct pool_conf *c, char *err, size_t errlen)
{
	int as_root = geteuid() == 0 && c->user != NULL;
	uid_t uid = 0;
	gid_t gid = 0, *groups = NULL;
	int ngroups = 0, rc;

	/* Look the ids up before chroot: /etc/passwd may not be inside, and
	 * what is inside is the jail owner's, not the host's. */
	if (as_root && identity_lookup(c->user, c->group, &uid, &gid, err,
	    errlen) != 0)
		return -1;
	if (as_root && (groups = host_groups(c->user, gid, &ngroups, err,
	    errlen)) == NULL)
		return -1;
	rc = apply_root_and_user(c, as_root, uid, gid, groups, ngroups, err,
	    errlen);
	free(groups);
	if (rc != 0)
		return -1;
	if (set_env(c, err, errlen) != 0)
		return -1;
	if (drop_caps(err, errlen) != 0)
		return -1;
	/* no exec (a CGI script) may gain privileges: setuid bits and file
	 * capabilities are ignored from here on */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		snprintf(err, errlen, "prctl(PR_SET_NO_NEW_PRIVS) failed: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

const char *
identity_app_path(const struct pool_conf *c)
{
	if (c->chroot == NULL || c->app == NULL)
		return c->app;
	return c->app + strlen(c->chroot);
}

/* The checking child's answer, within CHECK_APP_MS: a path it must
 * look at may sit on a filesystem the pool user controls (a FUSE mount
 * that never answers).  Past the deadline the child is killed and the
 * check fails.  Returns what read(2) returned, or 1 with err set. */
#define CHECK_APP_MS 10000
static ssize_t
wait_answer(int fd, char *err, size_t errlen, pid_t pid)
{
	struct pollfd pfd = { fd, POLLIN, 0 };
	int r;

	do
		r = poll(&pfd, 1, CHECK_APP_MS);
	while (r < 0 && errno == EINTR);
	if (r > 0)
		return read(fd, err, errlen - 1);
	kill(pid, SIGKILL);
	snprintf(err, errlen, "checking the app as the pool's user took "
	    "more than %d ms: given up", CHECK_APP_MS);
	return (ssize_t)strlen(err);
}

int
identity_check_app(const struct pool_conf *c, char *err, size_t errlen)
{
	int pfd[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(pfd) != 0) {
		snprintf(err, errlen, "pipe() failed: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork() failed: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (pid == 0) {
		char msg[512] = "";
		const char *app;

		close(pfd[0]);
		if (identity_apply(c, msg, sizeof(msg)) == 0) {
			app = identity_app_path(c);
			if (access(app, R_OK) != 0)
				snprintf(msg, sizeof(msg), "%s cannot read app "
				    "'%s': %s", c->user ? c->user : "the worker",
				    c->app, strerror(errno));
		}
		(void)!write(pfd[1], msg, strlen(msg));
		_exit(0);
	}
	close(pfd[1]);
	n = wait_answer(pfd[0], err, errlen, pid);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (n > 0) {
		err[n] = '\0';
		return -1;
	}
	return 0;
}
