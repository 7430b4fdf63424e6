/*
 * main.c - the fpm command: options, configuration test, start-up.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "confcheck.h"
#include "identity.h"
#include "log.h"
#include "master.h"
#include "path.h"
#include "pidfile.h"
#include "pool.h"
#include "reload.h"
#include "sd.h"

#ifndef FPM_CONF_DEFAULT
#define FPM_CONF_DEFAULT "/etc/fpm/fpm.ini"
#endif

struct options {
	const char *conf;
	const char *prefix;
	const char *pid;
	int test;
	int daemonize;		/* -1 = as the configuration says */
	int allow_root;
	struct php_cli php;
};

static void
usage(FILE *out)
{
	fprintf(out,
	    "Usage: fpm [-y FILE] [-p DIR] [-g FILE] [-c PATH] [-d NAME[=VALUE]]... "
	    "[-n]\n           [-t] [-F|-D] [-R] [-v] [-h]\n"
	    "  -y, --fpm-config FILE     configuration file (default %s)\n"
	    "  -p, --prefix DIR          base for relative paths in the configuration\n"
	    "  -g, --pid FILE            pid file (overrides 'pid')\n"
	    "  -c, --php-ini PATH        php.ini file, or the directory it is in\n"
	    "  -d, --define NAME[=VALUE] set a php.ini value (VALUE 1 if left out)\n"
	    "  -n, --no-php-ini          use no php.ini file\n"
	    "  -t, --test                test the configuration and exit\n"
	    "  -F, --nodaemonize         stay in the foreground\n"
	    "  -D, --daemonize           go to the background\n"
	    "  -R, --allow-to-run-as-root  allow pools to run as root\n"
	    "  -v, --version             print the version\n"
	    "  -h, --help                this help\n"
	    "      --directives          list every directive with its default\n"
	    "      --man                 print the fpm.ini(5) man page\n",
	    FPM_CONF_DEFAULT);
}

/* -d NAME[=VALUE]: one "NAME=VALUE\n" line more for the PHP engine. */
static void
php_define(struct php_cli *php, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t have = php->defines ? strlen(php->defines) : 0;
	char *grown;

	if (arg[0] == '\0' || eq == arg) {
		fprintf(stderr, "fpm: -d needs NAME or NAME=VALUE\n");
		exit(64);
	}
	grown = realloc(php->defines, have + strlen(arg) + 4);
	if (grown == NULL)
		fatal("out of memory");
	sprintf(grown + have, "%s%s\n", arg, eq ? "" : "=1");
	php->defines = grown;
}

static void
parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "fpm-config", required_argument, NULL, 'y' },
		{ "prefix", required_argument, NULL, 'p' },
		{ "pid", required_argument, NULL, 'g' },
		{ "php-ini", required_argument, NULL, 'c' },
		{ "define", required_argument, NULL, 'd' },
		{ "no-php-ini", no_argument, NULL, 'n' },
		{ "test", no_argument, NULL, 't' },
		{ "nodaemonize", no_argument, NULL, 'F' },
		{ "daemonize", no_argument, NULL, 'D' },
		{ "allow-to-run-as-root", no_argument, NULL, 'R' },
		{ "version", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "directives", no_argument, NULL, 1 },
		{ "man", no_argument, NULL, 2 },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	o->conf = FPM_CONF_DEFAULT;
	o->daemonize = -1;
	while ((c = getopt_long(argc, argv, "y:c:d:np:g:tFDRvh", longs, NULL))
	    != -1) {
		switch (c) {
		case 'y': o->conf = optarg; break;
		case 'p': o->prefix = optarg; break;
		case 'g': o->pid = optarg; break;
		case 'c': o->php.ini_path = optarg; break;
		case 'd': php_define(&o->php, optarg); break;
		case 'n': o->php.no_ini = 1; break;
		case 't': o->test = 1; break;
		case 'F': o->daemonize = 0; break;
		case 'D': o->daemonize = 1; break;
		case 'R': o->allow_root = 1; break;
		case 'v':
			printf("fpm %s\n", PACKAGE_VERSION);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		case 1:
			conf_print_directives();
			exit(0);
		case 2:
			conf_print_man(PACKAGE_VERSION);
			exit(0);
		default:
			usage(stderr);
			exit(64);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "fpm: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(64);
	}
}

/* Everything -t checks, in the order a user would fix it: syntax and
 * values, then cross-checks, then whether each pool's user can read its
 * app.  Prints warnings and errors; returns the conf or NULL. */
static struct conf *
load_config(const struct options *o, const struct conf_source *from,
    char *why, size_t whylen)
{
	struct conf *conf = confcheck_load(o->conf, o->prefix, o->allow_root,
	    o->pid, &o->php, from);

	if (conf == NULL) {
		fprintf(stderr, "fpm: out of memory\n");
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < conf->nwarnings; i++)
		fprintf(stderr, "%s\n", conf->warnings[i]);
	for (size_t i = 0; i < conf->nerrors; i++)
		fprintf(stderr, "%s\n", conf->errors[i]);
	if (conf->nerrors > 0) {
		snprintf(why, whylen, "%s (%zu error%s)", conf->errors[0],
		    conf->nerrors, conf->nerrors == 1 ? "" : "s");
		fprintf(stderr, "configuration file %s test failed: %zu error%s\n",
		    conf->file, conf->nerrors, conf->nerrors == 1 ? "" : "s");
		conf_free(conf);
		return NULL;
	}
	return conf;
}

/* -D: fork; the parent waits until the child says the pools are up (one
 * byte on a pipe) and exits with the child's code otherwise. */
static int
daemonize(void)
{
	int pfd[2], status;
	char ok;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) != 0)
		fatal("pipe2() failed: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		fatal("fork() failed: %s", strerror(errno));
	if (pid > 0) {
		close(pfd[1]);
		if (read(pfd[0], &ok, 1) == 1)
			exit(0);
		if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
			exit(WEXITSTATUS(status) ? WEXITSTATUS(status) : 1);
		exit(1);
	}
	close(pfd[0]);
	if (setsid() < 0)
		fatal("setsid() failed: %s", strerror(errno));
	return pfd[1];
}

/* Our binary's path, for a reload to execute again: found now, since
 * once the file is replaced (an upgrade) /proc/self/exe names the old,
 * deleted one. */
static char *
self_path(const char *argv0)
{
	char buf[4096];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);

	if (n <= 0)
		return strdup(argv0);
	buf[n] = '\0';
	/* replaced since we started: the path names the new one */
	if (n > 10 && strcmp(buf + n - 10, " (deleted)") == 0)
		buf[n - 10] = '\0';
	return strdup(buf);
}

static void
detach_stdio(void)
{
	int null = open("/dev/null", O_RDWR);

	if (null < 0)
		return;
	dup2(null, STDIN_FILENO);
	dup2(null, STDOUT_FILENO);
	if (log_fd() != STDERR_FILENO)
		dup2(null, STDERR_FILENO);
	if (null > STDERR_FILENO)
		close(null);
}

/* The master holds a pipe per worker (its stderr, and stdout with
 * catch_workers_output): raise the soft limit on descriptors to the hard
 * one, so that a thousand workers fit under systemd's soft 1024.  The
 * workers inherit it, unless rlimit_files says otherwise. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			log_warning("setrlimit(RLIMIT_NOFILE, %llu) failed: %s",
			    (unsigned long long)rl.rlim_max, strerror(errno));
	}
}

/* The error log, as [global] says.  Returns 0, or -1 with why. */
static int
open_log(const struct global_conf *g, char *why, size_t whylen)
{
	log_set_level((enum log_level)g->log_level);
	log_set_limit((size_t)g->log_limit);
	if (log_set_syslog(g->syslog_ident, (int)g->syslog_facility,
	    g->syslog_socket) != 0)
		snprintf(why, whylen, "syslog.socket '%s': %s",
		    g->syslog_socket, strerror(errno));
	else if (log_open(g->error_log) == 0)
		return 0;
	else if (strcmp(g->error_log, "syslog") == 0)
		snprintf(why, whylen, "error_log = syslog: cannot connect to "
		    "%s: %s", g->syslog_socket, strerror(errno));
	else
		snprintf(why, whylen, "cannot open error_log %s: %s",
		    g->error_log, path_open_why(errno));
	return -1;
}

/* Init phase failed: the process dies, unless it is the new master of a
 * reload, which hands the service back to the previous configuration. */
__attribute__((noreturn)) static void
init_failed(struct master *m, int reloaded, const char *why)
{
	if (reloaded)
		reload_fall_back(m, why);
	else
		log_alert("%s", why);
	exit(1);
}

/* The pools listen: say so in the log, to systemd, and to the parent
 * waiting after -D. */
static void
announce_ready(struct master *m)
{
	log_notice("fpm %s is running, pid %d", PACKAGE_VERSION, (int)m->pid);
	log_notice("ready to handle connections");
	sd_notifyf("READY=1\nSTATUS=fpm %s: %zu pools", PACKAGE_VERSION,
	    m->conf->npools);
	if (m->ready_fd >= 0) {
		detach_stdio();
		(void)!write(m->ready_fd, "", 1);
		close(m->ready_fd);
		m->ready_fd = -1;
	}
}

/* Init phase: if something fails here, we can die -- or, after a
 * reload's exec, fall back to the previous configuration.  Returns 0, or
 * -1 when the process is to exit 1 (logged). */
static int
init_phase(struct master *m, const struct options *o, int reloaded,
    struct sd_socket *activated, int nactivated)
{
	char why[2048];
	pid_t holder;

	m->pidfile = o->pid ? o->pid : m->conf->global.pid;
	if (m->pidfile != NULL && (holder = pidfile_holder(m->pidfile)) > 0) {
		snprintf(why, sizeof(why), "pid file %s belongs to fpm %d, "
		    "which is running: stop it first, or give this one another "
		    "pid file (-g)", m->pidfile, (int)holder);
		init_failed(m, reloaded, why);
	}
	if (open_log(&m->conf->global, why, sizeof(why)) != 0)
		init_failed(m, reloaded, why);
	if (m->failed_reload != NULL)
		log_error("reload: the new master failed (%s): the previous "
		    "configuration runs again", m->failed_reload);
	if (!reloaded && (o->daemonize == 1 || (o->daemonize < 0 &&
	    m->conf->global.daemonize)))
		m->ready_fd = daemonize();
	m->pid = getpid();
	raise_nofile();
	if (m->pidfile != NULL && pidfile_write(m->pidfile) != 0) {
		snprintf(why, sizeof(why), "cannot write pid file %s: %s",
		    m->pidfile, strerror(errno));
		init_failed(m, reloaded, why);
	}
	if (master_init(m) != 0 || (reloaded ? reload_inherit_sockets(m) :
	    reload_inherit_activated(m, activated, nactivated)) != 0 ||
	    pools_create(m) != 0) {
		if (reloaded)
			init_failed(m, reloaded, log_last_error());
		pools_close(m);
		if (m->pidfile != NULL)
			pidfile_remove(m->pidfile);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct master m = { .epfd = -1, .sigfd = -1, .ready_fd = -1,
	    .fallback_fd = -1 };
	struct options o = { 0 };
	struct sd_socket *activated;
	char err[256], why[2048];
	int rc, reloaded, nactivated;

	identity_note_environ();
	/* Sockets from systemd sit at fds 3 and up: take them before any
	 * other descriptor is opened. */
	nactivated = sd_listen_sockets(&activated);
	parse_options(argc, argv, &o);
	if (nactivated < 0)
		fatal("socket activation: LISTEN_FDS: %s", strerror(errno));
	m.conf_file = o.conf;
	m.prefix = o.prefix;
	m.allow_root = o.allow_root;
	m.php = o.php;
	m.argv = argv;
	m.self = self_path(argv[0]);
	reloaded = !o.test && reload_received(&m);
	m.conf = load_config(&o, &m.handed, why, sizeof(why));
	conf_source_free(&m.handed);
	if (m.conf == NULL && reloaded)
		init_failed(&m, reloaded, why);
	if (m.conf == NULL || o.test) {
		if (m.conf != NULL)
			fprintf(stderr, "configuration file %s test is "
			    "successful\n", m.conf->file);
		rc = m.conf == NULL;
		conf_free(m.conf);
		free(m.self);
		return rc;
	}
	if (init_phase(&m, &o, reloaded, activated, nactivated) != 0)
		return 1;
	reload_adopt_workers(&m);
	if (geteuid() == 0 && identity_master_caps(err, sizeof(err)) != 0)
		log_warning("cannot narrow the master's capabilities: %s", err);
	announce_ready(&m);
	/* serving: the previous configuration is no longer needed */
	if (m.fallback_fd >= 0)
		close(m.fallback_fd);
	m.fallback_fd = -1;
	rc = master_run(&m);
	pools_close(&m);
	if (m.pidfile != NULL)
		pidfile_remove(m.pidfile);
	/* All freed, so that a leak checker's report shows only real leaks. */
	pools_free(&m);
	reload_free(&m);
	free(m.handed_sockets);
	free(m.handed_workers);
	free(m.failed_reload);
	free(m.crashes);
	free(m.self);
	conf_free(m.conf);
	return rc;
}
