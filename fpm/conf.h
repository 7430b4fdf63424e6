/*
 * conf.h - the configuration: fpm.ini's [global] section and one section
 * per pool, read with inih, with php-fpm's directive names.
 *
 * Every directive is declared once, in the table in conf.c; parsing,
 * defaults, validation messages and `fpm -t` all come from it.
 */
#ifndef FPM_CONF_H
#define FPM_CONF_H

#include <limits.h>
#include <stddef.h>

#include "addr.h"

#define CONF_UNSET LLONG_MIN
#define CONF_INFINITY LLONG_MAX	/* "unlimited" for rlimits */

enum pm_mode { PM_STATIC, PM_DYNAMIC, PM_ONDEMAND };
enum sapi_kind { SAPI_NATIVE, SAPI_CGI, SAPI_PHP };


/* -c, -d and -n of fpm's command line, as php-fpm has them: for the PHP
 * engine of every sapi = php pool. */
struct php_cli {
	const char *ini_path;		/* -c FILE|DIR, or NULL */
	int no_ini;			/* -n */
	char *defines;			/* -d lines, "NAME=VALUE\n"..., or NULL */
};

/* Where a directive was set, for messages. */
struct loc {
	const char *file;
	int line;
};

/* php_value[NAME], php_flag[NAME], php_admin_value[NAME], php_admin_flag[NAME] */
struct php_ini {
	char *name;
	char *value;			/* flags as "1" or "0" */
	int admin;			/* php_admin_*: ini_set cannot change it */
	struct loc where;
};

struct global_conf {
	char *pid;
	char *error_log;
	long long log_level;
	long long daemonize;
	long long process_control_timeout;	/* seconds, 0 = wait forever */
	long long syslog_facility;		/* LOG_DAEMON... */
	char *syslog_ident;
	char *syslog_socket;
	long long log_limit;
	long long emergency_restart_threshold;
	long long emergency_restart_interval;	/* seconds */
};

struct pool_conf {
	char *name;
	struct loc section;		/* the [name] line */
	struct loc *where;		/* per directive, indexed like the table */

	char *listen;
	struct addr listen_addr;
	long long listen_backlog;
	char *listen_owner;
	char *listen_group;
	long long listen_mode;
	char *listen_allowed_clients;
	struct addr_list allowed_clients;

	char *user;
	char *group;
	char *chroot;
	char *chdir;
	long long rlimit_files;
	long long rlimit_core;
	long long priority;
	long long clear_env;
	char **env;			/* "NAME=value", NULL-terminated */
	size_t nenv;

	long long pm;
	long long max_children;
	long long start_servers;
	long long min_spare;
	long long max_spare;
	long long max_spawn_rate;
	long long process_idle_timeout;		/* seconds */
	long long max_requests;
	long long max_requests_jitter;
	long long max_memory;			/* bytes, 0 = no limit */
	long long request_terminate_timeout;	/* seconds, 0 = none */
	long long terminate_track_finished;
	long long catch_workers_output;
	long long decorate_workers_output;
	char *access_log;
	char *access_format;
	char *status_path;
	char *status_listen;
	struct addr status_listen_addr;
	char *ping_path;
	char *ping_response;
	char *slowlog;
	long long slowlog_timeout;		/* seconds, 0 = off */
	long long slowlog_depth;
	long long dumpable;
	long long max_params;			/* fastcgi.max_params_size */

	long long sapi;
	char *app;
	struct php_ini *php_ini;
	size_t nphp_ini;
	char *limit_extensions;		/* security.limit_extensions */
	char **suppress_paths;		/* access.suppress_path[] */
	size_t nsuppress_paths;
	char *cgi_root;
	char *cgi_extensions;

	struct pool_conf *next;
};

/* A configuration's files as read: each path and its bytes, in the order
 * read.  A reload hands them on, so that the new master runs exactly
 * what was checked, and can fall back to what ran before. */
struct conf_text {
	char *path;
	char *text;
	size_t len;
};

struct conf_source {
	struct conf_text *f;
	size_t n;
};

struct conf {
	char *file;			/* the main configuration file */
	char *prefix;			/* -p, or NULL */
	struct global_conf global;
	struct pool_conf *pools;
	size_t npools;
	struct loc *where;		/* per [global] directive, indexed like
					 * the table */

	char **files;			/* every file read, owned here */
	size_t nfiles;
	struct conf_source source;	/* their bytes */
	const struct conf_source *from;	/* while loading: read from there,
					 * not from the disk (NULL) */

	char **errors;			/* "FILE:LINE: message" */
	size_t nerrors;
	char **warnings;
	size_t nwarnings;
};

/* Read file (and what it includes) into a new conf.  prefix may be NULL.
 * Never returns NULL except on memory exhaustion: syntax and value errors
 * are collected in conf->errors, so that every one of them is reported. */
struct conf *conf_load(const char *file, const char *prefix);
/* The same, with every file (and include glob) taken from `from` instead
 * of the disk; a file not in it cannot be read (ENOENT). */
struct conf *conf_load_from(const char *file, const char *prefix,
    const struct conf_source *from);
void conf_source_free(struct conf_source *s);

/* Cross-directive checks that need the whole pool: required directives,
 * address clashes, users and groups that must exist, running as root.
 * Appends to conf->errors.  Returns the number of errors in conf. */
size_t conf_validate(struct conf *conf, int is_root, int allow_root);

void conf_free(struct conf *conf);

/* In a child: zero, in place, every string of another pool's
 * configuration (env[] values, php_value[], paths, addresses); and what
 * conf holds of every pool: its messages (they may quote values) and the
 * files' text kept for a reload.  The pointers stay valid. */
void conf_scrub_pool(struct pool_conf *p);
void conf_scrub_shared(struct conf *conf);

/* Append a formatted error (or warning) about loc to conf. */
void conf_error(struct conf *conf, const struct loc *loc, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));
void conf_warning(struct conf *conf, const struct loc *loc, const char *fmt,
    ...) __attribute__((format(printf, 3, 4)));

/* Where [global] directive `name` was set, or NULL (its default). */
const struct loc *conf_where_global(const struct conf *conf,
    const char *name);
/* Where directive `name` was set in pool (or its section line). */
const struct loc *conf_where(const struct pool_conf *pool, const char *name);

/* Value parsers, exposed for the unit tests.  Each returns 0 or -1. */
int conf_parse_time(const char *s, long long *seconds);
int conf_parse_size(const char *s, long long *bytes);
int conf_parse_bool(const char *s, long long *b);
/* Expand $pool and ${VAR} in in; pool may be NULL outside pool sections. */
int conf_expand(const char *in, const char *pool, char *out, size_t outlen,
    char *err, size_t errlen);

const char *conf_pm_name(long long pm);

/* Print the directive table (name, scope, default, doc), one per line. */
void conf_print_directives(void);
/* Print the fpm.ini(5) man page, made from the same table. */
void conf_print_man(const char *version);

#endif
