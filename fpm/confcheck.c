/*
 * confcheck.c - everything `fpm -t` checks, for start-up and for reload.
 *
 * A reload executes a new master that must open what the configuration
 * names; whatever can fail there is tried here first (without creating or
 * changing anything), so that a reload that cannot complete is refused
 * with FILE:LINE while the running configuration still serves.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "confcheck.h"
#include "identity.h"
#include "path.h"
#include "zygote.h"

/* Whether dir is a directory the master may create a file in. */
static int
can_create_in(const char *dir, const char *file, char *err, size_t errlen)
{
	struct stat st;

	if (stat(dir, &st) != 0) {
		snprintf(err, errlen, "cannot create '%s': its directory '%s' %s",
		    file, dir, errno == ENOENT ? "does not exist" :
		    strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "cannot create '%s': '%s' is not a "
		    "directory", file, dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(err, errlen, "cannot create '%s' in '%s': %s", file,
		    dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Whether the master can open path the way it will: for append, never
 * through a symbolic link, created if absent.  Nothing is created or
 * written here. */
static int
can_append(const char *path, char *err, size_t errlen)
{
	char copy[PATH_MAX];

	if (path_check_append(path) == 0)
		return 0;
	if (errno != ENOENT) {
		snprintf(err, errlen, "cannot open '%s' for append: %s", path,
		    path_open_why(errno));
		return -1;
	}
	snprintf(copy, sizeof(copy), "%s", path);
	return can_create_in(dirname(copy), path, err, errlen);
}

/* The error log and the pid file: [global], or -g for the pid file. */
static void
check_global(struct conf *conf, const char *pidfile)
{
	const char *log = conf->global.error_log;
	char err[PATH_MAX * 2 + 128], copy[PATH_MAX];

	if (log != NULL && strcmp(log, "stderr") != 0 &&
	    strcmp(log, "syslog") != 0 && can_append(log, err, sizeof(err)))
		conf_error(conf, conf_where_global(conf, "error_log"),
		    "[global] error_log: %s", err);
	if (pidfile == NULL)
		return;
	snprintf(copy, sizeof(copy), "%s", pidfile);
	if (can_create_in(dirname(copy), pidfile, err, sizeof(err)) != 0)
		conf_error(conf, pidfile == conf->global.pid ?
		    conf_where_global(conf, "pid") : NULL, "%s pid file: %s",
		    pidfile == conf->global.pid ? "[global]" : "-g", err);
}

/* What the master opens for a pool, and the directories its workers go
 * to: they fail a worker, not the check, unless tried here. */
static void
check_pool(struct conf *conf, struct pool_conf *p)
{
	char err[PATH_MAX * 2 + 128], dir[PATH_MAX * 2];
	struct stat st;

	if (p->access_log != NULL && can_append(p->access_log, err,
	    sizeof(err)) != 0)
		conf_error(conf, conf_where(p, "access.log"), "[pool %s] "
		    "access.log: %s", p->name, err);
	if (p->slowlog != NULL && can_append(p->slowlog, err, sizeof(err)))
		conf_error(conf, conf_where(p, "slowlog"), "[pool %s] "
		    "slowlog: %s", p->name, err);
	if (p->chdir == NULL || p->chdir[0] != '/')
		return;
	snprintf(dir, sizeof(dir), "%s%s", p->chroot ? p->chroot : "",
	    p->chdir);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		conf_error(conf, conf_where(p, "chdir"), "[pool %s] chdir '%s'%s "
		    "is not a directory", p->name, p->chdir, p->chroot ?
		    " (inside chroot)" : "");
}

/* -c: the php.ini every sapi = php pool reads. */
static void
check_php_ini(struct conf *conf, const struct php_cli *php)
{
	int uses_php = 0;

	for (struct pool_conf *p = conf->pools; p != NULL; p = p->next)
		uses_php |= p->sapi == SAPI_PHP;
	if (uses_php && php != NULL && php->ini_path != NULL &&
	    !php->no_ini && access(php->ini_path, R_OK) != 0)
		conf_error(conf, NULL, "-c %s: the php.ini cannot be read: %s",
		    php->ini_path, strerror(errno));
}

struct conf *
confcheck_load(const char *file, const char *prefix, int allow_root,
    const char *pidfile, const struct php_cli *php,
    const struct conf_source *from)
{
	struct conf *conf = from != NULL && from->n > 0 ?
	    conf_load_from(from->f[0].path, prefix, from) :
	    conf_load(file, prefix);
	char err[512];

	if (conf == NULL)
		return NULL;
	if (conf->nerrors == 0)
		conf_validate(conf, geteuid() == 0, allow_root);
	if (conf->nerrors == 0) {
		check_global(conf, pidfile ? pidfile : conf->global.pid);
		for (struct pool_conf *p = conf->pools; p; p = p->next)
			check_pool(conf, p);
		check_php_ini(conf, php);
	}
	for (struct pool_conf *p = conf->pools; conf->nerrors == 0 && p;
	    p = p->next)
		if (p->app != NULL && identity_check_app(p, err, sizeof(err)))
			conf_error(conf, conf_where(p, "app"), "[pool %s] %s",
			    p->name, err);
	for (struct pool_conf *p = conf->pools; conf->nerrors == 0 && p;
	    p = p->next)
		if (p->sapi == SAPI_PHP && access(zygote_module_path(), R_OK))
			conf_error(conf, conf_where(p, "sapi"), "[pool %s] the "
			    "PHP sapi module %s cannot be read: %s (is fpm "
			    "installed whole? FPM_PHP_MODULE names another)",
			    p->name, zygote_module_path(), strerror(errno));
	return conf;
}
