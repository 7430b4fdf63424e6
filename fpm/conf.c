/*
 * conf.c - the directive table, the ini reader and validation.
 *
 * inih does the ini syntax.  We feed it lines through our own reader so we
 * know the line number of every value (Debian's inih is built without
 * INI_HANDLER_LINENO), can tell which section a line opens, and can reject
 * lines longer than inih's buffer instead of letting it cut them silently.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <grp.h>
#include <libgen.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ini.h>

#include "conf.h"
#include "access_log.h"
#include "log.h"
#include "path.h"

enum dtype {
	T_STR,		/* any string */
	T_PATH,		/* relative to the prefix or the naming file's dir */
	T_INT,
	T_BOOL,
	T_TIME,		/* seconds, with s/m/h/d suffix */
	T_MODE,		/* octal permission bits */
	T_RLIMIT,	/* integer or "unlimited" */
	T_SIZE,		/* bytes, with k/m/g suffix */
	T_FACILITY,	/* a syslog facility name */
	T_FORMAT,	/* an access.format string */
	T_LOGLEVEL,
	T_PM,
	T_SAPI,
	T_LISTEN,
	T_ENV,		/* env[NAME] */
	T_PHPINI,	/* php_value[NAME] and its kin: min = admin, max = flag */
	T_LIST,		/* name[] = value, repeated: a list */
	T_INCLUDE,
	T_LATER,	/* php-fpm's, not supported yet: warn and ignore */
};

enum dscope { S_GLOBAL, S_POOL };

struct directive {
	const char *name;	/* "env[]" matches env[ANYTHING] */
	enum dtype type;
	enum dscope scope;
	size_t offset;
	const char *def;	/* default, parsed like a value; NULL = unset */
	long long min, max;
	const char *doc;
};

#define G(f) S_GLOBAL, offsetof(struct global_conf, f)
#define P(f) S_POOL, offsetof(struct pool_conf, f)
#define LATER_G(n) { n, T_LATER, S_GLOBAL, 0, NULL, 0, 0, "not supported yet" }
#define LATER_P(n) { n, T_LATER, S_POOL, 0, NULL, 0, 0, "not supported yet" }

static const struct directive directives[] = {
	{ "pid", T_PATH, G(pid), NULL, 0, 0,
	  "pid file of the master" },
	{ "error_log", T_PATH, G(error_log), "stderr", 0, 0,
	  "error log file, 'stderr' or 'syslog'" },
	{ "log_level", T_LOGLEVEL, G(log_level), "notice", 0, 0,
	  "alert, error, warning, notice or debug" },
	{ "daemonize", T_BOOL, G(daemonize), "yes", 0, 0,
	  "go to the background (-F and -D override)" },
	{ "process_control_timeout", T_TIME, G(process_control_timeout), "10s",
	  0, 86400, "how long a graceful stop waits for workers, 0 = forever" },
	{ "include", T_INCLUDE, S_GLOBAL, 0, NULL, 0, 0,
	  "glob of more files, relative to the including file" },
	{ "syslog.facility", T_FACILITY, G(syslog_facility), "daemon", 0, 0,
	  "facility when error_log = syslog" },
	{ "syslog.ident", T_STR, G(syslog_ident), "fpm", 0, 0,
	  "program name in syslog lines" },
	{ "syslog.socket", T_PATH, G(syslog_socket), "/dev/log", 0, 0,
	  "the syslog daemon's socket (ours: for containers and tests)" },
	{ "log_limit", T_INT, G(log_limit), "1024", 64, 8192,
	  "longest log message; longer ones are split into several lines" },
	{ "emergency_restart_threshold", T_INT, G(emergency_restart_threshold),
	  "0", 0, 100000, "restart the pools when this many workers die of "
	  "SIGSEGV or SIGBUS within emergency_restart_interval, 0 = never" },
	{ "emergency_restart_interval", T_TIME, G(emergency_restart_interval),
	  "0", 0, 86400 * 365, "window of emergency_restart_threshold" },
	LATER_G("log_buffering"), LATER_G("process.max"),
	LATER_G("rlimit_files"), LATER_G("rlimit_core"),
	LATER_G("events.mechanism"), LATER_G("systemd_interval"),

	{ "listen", T_LISTEN, P(listen), NULL, 0, 0,
	  "unix socket path, host:port, [ipv6]:port or port" },
	{ "listen.backlog", T_INT, P(listen_backlog), "511", -1, 65535,
	  "listen(2) backlog, -1 = the system's maximum" },
	{ "listen.owner", T_STR, P(listen_owner), NULL, 0, 0,
	  "owner of the unix socket (default: the master's user)" },
	{ "listen.group", T_STR, P(listen_group), NULL, 0, 0,
	  "group of the unix socket (default: the owner's group)" },
	{ "listen.mode", T_MODE, P(listen_mode), "0660", 0, 0777,
	  "permissions of the unix socket" },
	{ "listen.allowed_clients", T_STR, P(listen_allowed_clients), NULL,
	  0, 0, "comma separated client IPs allowed on a TCP socket" },
	{ "user", T_STR, P(user), NULL, 0, 0,
	  "user the workers run as" },
	{ "group", T_STR, P(group), NULL, 0, 0,
	  "group the workers run as (default: the user's group)" },
	{ "chroot", T_PATH, P(chroot), NULL, 0, 0,
	  "directory the workers chroot(2) into" },
	{ "chdir", T_STR, P(chdir), "/", 0, 0,
	  "absolute directory the workers chdir(2) to" },
	{ "rlimit_files", T_RLIMIT, P(rlimit_files), NULL, 1, 1LL << 30,
	  "RLIMIT_NOFILE of the workers" },
	{ "rlimit_core", T_RLIMIT, P(rlimit_core), NULL, 0, LLONG_MAX - 1,
	  "RLIMIT_CORE of the workers, or 'unlimited'" },
	{ "process.priority", T_INT, P(priority), NULL, -19, 20,
	  "nice value of the workers" },
	{ "clear_env", T_BOOL, P(clear_env), "yes", 0, 0,
	  "start workers with an empty environment (plus env[...])" },
	{ "env[]", T_ENV, S_POOL, 0, NULL, 0, 0,
	  "env[NAME] = value sets a worker environment variable" },
	{ "pm", T_PM, P(pm), "static", 0, 0,
	  "static, dynamic or ondemand" },
	{ "pm.max_children", T_INT, P(max_children), "5", 1, 100000,
	  "workers of a static pool; the most a dynamic or ondemand pool has" },
	{ "pm.start_servers", T_INT, P(start_servers), NULL, 1, 100000,
	  "dynamic: workers at start (default: halfway between the spares)" },
	{ "pm.min_spare_servers", T_INT, P(min_spare), NULL, 1, 100000,
	  "dynamic: fewer idle workers than this, more are forked" },
	{ "pm.max_spare_servers", T_INT, P(max_spare), NULL, 1, 100000,
	  "dynamic: more idle workers than this, the longest idle retires" },
	{ "pm.max_spawn_rate", T_INT, P(max_spawn_rate), "32", 1, 100000,
	  "dynamic: most workers forked in one second" },
	{ "pm.process_idle_timeout", T_TIME, P(process_idle_timeout), "10s",
	  1, 86400, "ondemand: an idle worker retires after this long" },
	{ "pm.max_requests", T_INT, P(max_requests), "0", 0, LLONG_MAX - 1,
	  "a worker is replaced after this many requests, 0 = never" },
	{ "pm.max_requests_jitter", T_INT, P(max_requests_jitter), "0", 0,
	  LLONG_MAX - 1, "each worker adds rand(0..this) to pm.max_requests" },
	{ "pm.max_memory", T_SIZE, P(max_memory), "0", 0, LLONG_MAX - 1,
	  "a worker whose RSS exceeds this after a request is replaced, "
	  "0 = never" },
	{ "request_terminate_timeout", T_TIME, P(request_terminate_timeout),
	  "0", 0, 86400 * 365, "a request running longer is killed, 0 = never" },
	{ "request_terminate_timeout_track_finished", T_BOOL,
	  P(terminate_track_finished), "no", 0, 0,
	  "apply request_terminate_timeout after fpm_finish_request too" },
	{ "catch_workers_output", T_BOOL, P(catch_workers_output), "no", 0, 0,
	  "send the workers' stdout to the error log too (stderr always is)" },
	{ "decorate_workers_output", T_BOOL, P(decorate_workers_output), "yes",
	  0, 0, "prefix workers' output lines with pool, pid and stream" },
	{ "access.log", T_PATH, P(access_log), NULL, 0, 0,
	  "access log file, one line per request" },
	{ "access.format", T_FORMAT, P(access_format), ACCESS_FORMAT_DEFAULT,
	  0, 0, "access log line, with php-fpm's %-codes" },
	{ "sapi", T_SAPI, P(sapi), NULL, 0, 0,
	  "how requests run: php (scripts, the default when this build has "
	  "it and no app is set), native (the app's shared object) or cgi" },
	{ "app", T_PATH, P(app), NULL, 0, 0,
	  "the native app's shared object" },
	{ "cgi.root", T_PATH, P(cgi_root), NULL, 0, 0,
	  "cgi: scripts must resolve, after symlinks, under this directory" },
	{ "cgi.limit_extensions", T_STR, P(cgi_extensions), NULL, 0, 0,
	  "cgi: space separated extensions a script may have (none: any)" },
	{ "pm.status_path", T_STR, P(status_path), NULL, 0, 0,
	  "URI of the status page, e.g. /status" },
	{ "pm.status_listen", T_LISTEN, P(status_listen), NULL, 0, 0,
	  "an address of its own serving only the status page" },
	{ "ping.path", T_STR, P(ping_path), NULL, 0, 0,
	  "URI answered with ping.response, e.g. /ping" },
	{ "ping.response", T_STR, P(ping_response), "pong", 0, 0,
	  "body of the ping page" },
	{ "slowlog", T_PATH, P(slowlog), NULL, 0, 0,
	  "file the backtraces of slow requests go to" },
	{ "request_slowlog_timeout", T_TIME, P(slowlog_timeout), "0", 0,
	  86400 * 365, "a request running longer gets its backtrace in the "
	  "slow log, 0 = never" },
	{ "request_slowlog_trace_depth", T_INT, P(slowlog_depth), "20", 1,
	  1000, "frames in a slow-log backtrace" },
	{ "security.limit_extensions", T_STR, P(limit_extensions),
	  ".php .phar", 0, 0, "php: extensions a script may have, space "
	  "separated (empty: any)" },
	{ "access.suppress_path[]", T_LIST, S_POOL, 0, NULL, 0, 0,
	  "a successful request for this URI is left out of the access log" },
	LATER_P("listen.acl_users"), LATER_P("listen.acl_groups"),
	LATER_P("listen.setfib"),
	{ "fastcgi.max_params_size", T_SIZE, P(max_params), "64K", 1024,
	  16 * 1024 * 1024, "ours: a request whose FastCGI params are larger "
	  "is refused with a 400, before they are read" },
	{ "process.dumpable", T_BOOL, P(dumpable), "no", 0, 0,
	  "keep workers dumpable (core files, ptrace by their own user)" },
	LATER_P("apparmor_hat"),
	{ "php_value[]", T_PHPINI, S_POOL, 0, NULL, 0, 0,
	  "php: php_value[NAME] = value sets a php.ini value; scripts may "
	  "change it" },
	{ "php_flag[]", T_PHPINI, S_POOL, 0, NULL, 0, 1,
	  "php: php_flag[NAME] = on|off, as php_value" },
	{ "php_admin_value[]", T_PHPINI, S_POOL, 0, NULL, 1, 0,
	  "php: php_admin_value[NAME] = value, which ini_set cannot change" },
	{ "php_admin_flag[]", T_PHPINI, S_POOL, 0, NULL, 1, 1,
	  "php: php_admin_flag[NAME] = on|off, as php_admin_value" },
};

#ifdef HAVE_PHP
#define HAVE_PHP_SAPI 1
#else
#define HAVE_PHP_SAPI 0
#endif

#define NDIRECTIVES (sizeof(directives) / sizeof(directives[0]))

/* State of one file being read. */
struct reader {
	struct conf *conf;
	FILE *fp;
	const char *file;
	const char *dir;	/* base for relative paths */
	int line;
	int depth;		/* include nesting */
	struct pool_conf *pool;	/* current section, NULL in [global] */
	int in_global;
	int skip_section;	/* a duplicate pool: ignore its values */
	int syntax_errors;	/* reported by check_syntax */
	int read_errno;		/* a read error that ended the file early */
};

static int read_file(struct conf *conf, const char *file, int depth,
    const struct loc *from);

/* ---- messages ---------------------------------------------------------- */

/* A string formatted into a buffer of exactly its size.  Not asprintf:
 * glibc's grows a scratch buffer and frees it, and a value formatted
 * there (an env[] secret) would stay in freed memory that every child
 * inherits, out of reach of conf_scrub_pool. */
static void scrub_str(char *s);

static char *
exact_printf(const char *fmt, ...)
{
	va_list ap, again;
	char *out;
	int n;

	va_start(ap, fmt);
	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	out = n < 0 ? NULL : malloc((size_t)n + 1);
	if (out != NULL)
		vsnprintf(out, (size_t)n + 1, fmt, again);
	va_end(again);
	return out;
}

static char *
vformat(const struct loc *loc, const char *fmt, va_list ap)
{
	char msg[1024];
	char *out;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (loc != NULL && loc->file != NULL) {
		out = exact_printf("%s:%d: %s", loc->file, loc->line, msg);
	} else {
		out = strdup(msg);
	}
	return out;
}

static void
append(char ***list, size_t *n, char *s)
{
	char **l;

	if (s == NULL)
		return;
	l = realloc(*list, (*n + 1) * sizeof(*l));
	if (l == NULL) {
		free(s);
		return;
	}
	l[(*n)++] = s;
	*list = l;
}

void
conf_error(struct conf *conf, const struct loc *loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append(&conf->errors, &conf->nerrors, vformat(loc, fmt, ap));
	va_end(ap);
}

void
conf_warning(struct conf *conf, const struct loc *loc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append(&conf->warnings, &conf->nwarnings, vformat(loc, fmt, ap));
	va_end(ap);
}

/* ---- value parsers ----------------------------------------------------- */

static int
parse_ll(const char *s, long long *v)
{
	char *end;

	if (*s == '\0')
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	return 0;
}

/* A number with an optional one-letter unit from units/mults. */
static int
parse_scaled(const char *s, const char *units, const long long *mults,
    long long *out)
{
	char num[32];
	size_t len = strlen(s);
	long long v, mult = 1;
	const char *u;

	if (len == 0 || len >= sizeof(num))
		return -1;
	memcpy(num, s, len + 1);
	u = strchr(units, tolower((unsigned char)num[len - 1]));
	if (u != NULL && !isdigit((unsigned char)num[len - 1])) {
		mult = mults[u - units];
		num[len - 1] = '\0';
	}
	if (parse_ll(num, &v) != 0 || v < 0)
		return -1;
	if (v > LLONG_MAX / mult)
		return -1;
	*out = v * mult;
	return 0;
}

int
conf_parse_time(const char *s, long long *seconds)
{
	static const long long mults[] = { 1, 60, 3600, 86400 };

	return parse_scaled(s, "smhd", mults, seconds);
}

int
conf_parse_size(const char *s, long long *bytes)
{
	static const long long mults[] = { 1LL << 10, 1LL << 20, 1LL << 30 };

	return parse_scaled(s, "kmg", mults, bytes);
}

int
conf_parse_bool(const char *s, long long *b)
{
	static const char *const yes[] = { "yes", "on", "true", "1" };
	static const char *const no[] = { "no", "off", "false", "0", "" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(s, yes[i]) == 0)
			return *b = 1, 0;
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcasecmp(s, no[i]) == 0)
			return *b = 0, 0;
	return -1;
}

const char *
conf_pm_name(long long pm)
{
	switch (pm) {
	case PM_DYNAMIC: return "dynamic";
	case PM_ONDEMAND: return "ondemand";
	default: return "static";
	}
}

int
conf_expand(const char *in, const char *pool, char *out, size_t outlen,
    char *err, size_t errlen)
{
	size_t o = 0;

	while (*in != '\0') {
		const char *val = NULL;
		char name[128];
		size_t skip = 1, vlen;

		if (strncmp(in, "$pool", 5) == 0 && pool != NULL) {
			val = pool;
			skip = 5;
		} else if (in[0] == '$' && in[1] == '{') {
			const char *close = strchr(in, '}');
			size_t nl = close ? (size_t)(close - in - 2) : 0;

			if (close == NULL || nl == 0 || nl >= sizeof(name)) {
				snprintf(err, errlen, "unterminated or empty ${...} "
				    "in '%s'", in);
				return -1;
			}
			memcpy(name, in + 2, nl);
			name[nl] = '\0';
			val = getenv(name);
			if (val == NULL) {
				snprintf(err, errlen, "environment variable '%s' is "
				    "not set", name);
				return -1;
			}
			skip = nl + 3;
		}
		if (val == NULL) {
			val = in;
			vlen = 1;
		} else {
			vlen = strlen(val);
		}
		if (o + vlen >= outlen) {
			snprintf(err, errlen, "value is too long after expansion");
			return -1;
		}
		memcpy(out + o, val, vlen);
		o += vlen;
		in += skip;
	}
	out[o] = '\0';
	return 0;
}

/* ---- the table --------------------------------------------------------- */

/* Whether table name n matches key; for "env[X]" set sub to "X". */
static int
name_matches(const char *n, const char *key, char *sub, size_t sublen)
{
	size_t nl = strlen(n), kl = strlen(key);

	if (nl < 2 || strcmp(n + nl - 2, "[]") != 0 || strcmp(n, key) == 0)
		return strcmp(n, key) == 0;
	if (kl <= nl || strncmp(n, key, nl - 1) != 0 || key[kl - 1] != ']')
		return 0;
	snprintf(sub, sublen, "%.*s", (int)(kl - nl), key + nl - 1);
	return 1;
}

/* The directive named key, preferring the one of scope (a few names, like
 * rlimit_files, exist in both).  NULL if there is none. */
static const struct directive *
lookup(const char *key, enum dscope scope, char *sub, size_t sublen)
{
	const struct directive *any = NULL;

	sub[0] = '\0';
	for (size_t i = 0; i < NDIRECTIVES; i++) {
		if (!name_matches(directives[i].name, key, sub, sublen))
			continue;
		if (directives[i].scope == scope)
			return &directives[i];
		if (any == NULL)
			any = &directives[i];
	}
	return any;
}

const struct loc *
conf_where_global(const struct conf *conf, const char *name)
{
	for (size_t i = 0; i < NDIRECTIVES; i++)
		if (directives[i].scope == S_GLOBAL &&
		    strcmp(directives[i].name, name) == 0 &&
		    conf->where != NULL && conf->where[i].file != NULL)
			return &conf->where[i];
	return NULL;
}

const struct loc *
conf_where(const struct pool_conf *pool, const char *name)
{
	for (size_t i = 0; i < NDIRECTIVES; i++)
		if (directives[i].scope == S_POOL &&
		    strcmp(directives[i].name, name) == 0 &&
		    pool->where[i].file != NULL)
			return &pool->where[i];
	return &pool->section;
}

static int
resolve_path(const char *v, const char *base, char **out)
{
	if (v[0] == '/' || base == NULL || strcmp(v, "stderr") == 0 ||
	    strcmp(v, "syslog") == 0)
		*out = strdup(v);
	else
		*out = exact_printf("%s/%s", base, v);
	if (*out == NULL)
		return -1;
	path_clean(*out);
	return 0;
}

static int
set_env(struct pool_conf *pool, const char *name, const char *value)
{
	char **env, *kv;
	size_t nl = strlen(name);

	if ((kv = exact_printf("%s=%s", name, value)) == NULL)
		return -1;
	for (size_t i = 0; i < pool->nenv; i++) {
		if (strncmp(pool->env[i], name, nl) == 0 &&
		    pool->env[i][nl] == '=') {
			scrub_str(pool->env[i]);
			free(pool->env[i]);
			pool->env[i] = kv;
			return 0;
		}
	}
	env = realloc(pool->env, (pool->nenv + 2) * sizeof(*env));
	if (env == NULL) {
		free(kv);
		return -1;
	}
	env[pool->nenv++] = kv;
	env[pool->nenv] = NULL;
	pool->env = env;
	return 0;
}

static int
set_number(const struct directive *d, const char *v, long long *out,
    char *err, size_t errlen)
{
	long long n;
	int rc;

	switch (d->type) {
	case T_TIME:
		rc = conf_parse_time(v, &n);
		break;
	case T_MODE: {
		char *end;
		n = strtoll(v, &end, 8);
		rc = (*v == '\0' || *end != '\0') ? -1 : 0;
		break;
	}
	case T_SIZE:
		rc = conf_parse_size(v, &n);
		break;
	case T_RLIMIT:
		if (strcasecmp(v, "unlimited") == 0 || strcmp(v, "-1") == 0) {
			*out = CONF_INFINITY;
			return 0;
		}
		/* FALLTHROUGH */
	default:
		rc = parse_ll(v, &n);
		break;
	}
	if (d->type == T_MODE && (rc != 0 || n < d->min || n > d->max)) {
		snprintf(err, errlen, "expected an octal mode in 0..0%llo, got "
		    "'%s'", d->max, v);
		return -1;
	}
	if (rc != 0 || n < d->min || n > d->max) {
		static const char *const what[] = {
			[T_INT] = "an integer", [T_TIME] = "a time (N, Ns, Nm, "
			"Nh or Nd)", [T_MODE] = "an octal mode",
			[T_RLIMIT] = "an integer or 'unlimited'",
			[T_SIZE] = "a size (N, Nk, Nm or Ng)",
		};
		snprintf(err, errlen, "expected %s in %lld..%lld, got '%s'",
		    what[d->type] ? what[d->type] : "a number", d->min, d->max, v);
		return -1;
	}
	*out = n;
	return 0;
}

static int
set_keyword(const struct directive *d, const char *v, long long *out,
    char *err, size_t errlen)
{
	static const char *const pms[] = { "static", "dynamic", "ondemand" };
	int n = -1;

	switch (d->type) {
	case T_BOOL:
		if (conf_parse_bool(v, out) == 0)
			return 0;
		snprintf(err, errlen, "expected yes or no, got '%s'", v);
		return -1;
	case T_LOGLEVEL:
		n = log_level_parse(v);
		if (n < 0)
			snprintf(err, errlen, "expected alert, error, warning, "
			    "notice or debug, got '%s'", v);
		break;
	case T_PM:
		for (int i = 0; i < 3; i++)
			if (strcmp(v, pms[i]) == 0)
				n = i;
		if (n < 0)
			snprintf(err, errlen, "expected static, dynamic or "
			    "ondemand, got '%s'", v);
		break;
	case T_SAPI:
		if (strcmp(v, "native") == 0)
			n = SAPI_NATIVE;
		else if (strcmp(v, "cgi") == 0)
			n = SAPI_CGI;
#ifdef HAVE_PHP
		else if (strcmp(v, "php") == 0)
			n = SAPI_PHP;
#else
		else if (strcmp(v, "php") == 0)
			snprintf(err, errlen, "this fpm was built without the "
			    "PHP sapi (configure found no libphp8.2-embed and "
			    "php8.2-dev, or was run --without-php)");
#endif
		else
			snprintf(err, errlen, "expected php, native or cgi, got "
			    "'%s'", v);
		break;
	case T_FACILITY:
		n = log_facility_parse(v);
		if (n < 0)
			snprintf(err, errlen, "expected a syslog facility (daemon, "
			    "user, local0..local7...), got '%s'", v);
		break;
	default:
		break;
	}
	if (n < 0)
		return -1;
	*out = n;
	return 0;
}

/* The parsed address beside a T_LISTEN directive's text. */
static struct addr *
addr_of(void *base, const struct directive *d)
{
	struct pool_conf *pool = base;

	if (d->offset == offsetof(struct pool_conf, status_listen))
		return &pool->status_listen_addr;
	return &pool->listen_addr;
}

/* Store value v for directive d into the struct at base.  dir is the base
 * for relative paths.  Returns 0, or -1 with a message in err. */
static int
set_value(const struct directive *d, void *base, const char *v,
    const char *dir, char *err, size_t errlen)
{
	char **sp = (char **)((char *)base + d->offset);
	long long *np = (long long *)((char *)base + d->offset);

	switch (d->type) {
	case T_STR:
		free(*sp);
		*sp = strdup(v);
		return *sp ? 0 : -1;
	case T_PATH:
		if (*v == '\0') {
			snprintf(err, errlen, "expected a path, got ''");
			return -1;
		}
		free(*sp);
		return resolve_path(v, dir, sp);
	case T_LISTEN: {
		struct addr *a = addr_of(base, d);
		if (addr_parse(v, dir, a, err, errlen) != 0)
			return -1;
		free(*sp);
		*sp = strdup(a->text);
		return *sp ? 0 : -1;
	}
	case T_FORMAT:
		if (access_format_check(v, err, errlen) != 0)
			return -1;
		free(*sp);
		*sp = strdup(v);
		return *sp ? 0 : -1;
	case T_INT: case T_TIME: case T_MODE: case T_RLIMIT: case T_SIZE:
		return set_number(d, v, np, err, errlen);
	case T_BOOL: case T_LOGLEVEL: case T_PM: case T_SAPI: case T_FACILITY:
		return set_keyword(d, v, np, err, errlen);
	default:
		snprintf(err, errlen, "cannot be set here");
		return -1;
	}
}

/* Whether the directive has a field of its own at d->offset. */
static int
has_field(const struct directive *d)
{
	return d->type != T_LATER && d->type != T_ENV &&
	    d->type != T_INCLUDE && d->type != T_PHPINI && d->type != T_LIST;
}

/* Whether the directive's field is a char * (else a long long). */
static int
holds_string(const struct directive *d)
{
	return d->type == T_STR || d->type == T_PATH || d->type == T_LISTEN ||
	    d->type == T_FORMAT;
}

static void
apply_defaults(enum dscope scope, void *base)
{
	char err[256];

	for (size_t i = 0; i < NDIRECTIVES; i++) {
		const struct directive *d = &directives[i];

		if (d->scope != scope || !has_field(d))
			continue;
		if (holds_string(d))
			*(char **)((char *)base + d->offset) = NULL;
		else
			*(long long *)((char *)base + d->offset) = CONF_UNSET;
		if (d->def != NULL &&
		    set_value(d, base, d->def, NULL, err, sizeof(err)) != 0)
			fatal("default of %s is invalid: %s", d->name, err);
	}
}

/* ---- reading ----------------------------------------------------------- */

static struct pool_conf *
pool_new(struct conf *conf, const char *name, const struct loc *loc)
{
	struct pool_conf *p = calloc(1, sizeof(*p)), **tail;

	if (p == NULL || (p->where = calloc(NDIRECTIVES, sizeof(*p->where)))
	    == NULL || (p->name = strdup(name)) == NULL)
		fatal("out of memory");
	p->section = *loc;
	apply_defaults(S_POOL, p);
	for (tail = &conf->pools; *tail != NULL; tail = &(*tail)->next)
		;
	*tail = p;
	conf->npools++;
	return p;
}

static struct pool_conf *
pool_find(struct conf *conf, const char *name)
{
	for (struct pool_conf *p = conf->pools; p != NULL; p = p->next)
		if (strcmp(p->name, name) == 0)
			return p;
	return NULL;
}

/* A "[name]" line opens a section: track it here, where we know the line. */
static void
open_section(struct reader *r, const char *line)
{
	const char *end = strchr(line, ']');
	struct loc loc = { r->file, r->line };
	struct pool_conf *dup;
	char name[256];
	size_t len;

	if (end == NULL)
		return;		/* inih reports the syntax error */
	len = (size_t)(end - line - 1);
	if (len >= sizeof(name))
		len = sizeof(name) - 1;
	memcpy(name, line + 1, len);
	name[len] = '\0';
	r->pool = NULL;
	r->skip_section = 0;
	r->in_global = strcmp(name, "global") == 0;
	if (r->in_global)
		return;
	if (len == 0) {
		conf_error(r->conf, &loc, "empty pool name '[]'");
		r->skip_section = 1;
		return;
	}
	dup = pool_find(r->conf, name);
	if (dup != NULL) {
		conf_error(r->conf, &loc, "duplicate pool '%s' (first defined at "
		    "%s:%d)", name, dup->section.file, dup->section.line);
		r->skip_section = 1;
		return;
	}
	r->pool = pool_new(r->conf, name, &loc);
}

/* inih stops reporting after the first bad line; check each line here so
 * that -t lists them all. */
static void
check_syntax(struct reader *r, const char *p)
{
	struct loc loc = { r->file, r->line };

	if (*p == '\0' || strchr("\r\n;#", *p) != NULL)
		return;
	if (*p == '[' && strchr(p, ']') == NULL) {
		conf_error(r->conf, &loc, "syntax error: '[' without ']'");
		r->syntax_errors++;
	} else if (*p != '[' && strpbrk(p, "=:") == NULL) {
		conf_error(r->conf, &loc, "syntax error: expected '[section]' "
		    "or 'key = value'");
		r->syntax_errors++;
	}
}

/* inih's reader: one line per call.  We drop a UTF-8 byte order mark and
 * leading blanks (php-fpm allows indented directives; inih would take an
 * indented line for the continuation of the previous value), and reject
 * lines that do not fit inih's buffer instead of letting it cut them. */
static char *
reader_gets(char *str, int num, void *stream)
{
	struct reader *r = stream;
	char *line = NULL, *p;
	size_t cap = 0, len;

	errno = 0;
	if (getline(&line, &cap, r->fp) < 0) {
		r->read_errno = errno;
		free(line);
		return NULL;
	}
	r->line++;
	p = line;
	if (r->line == 1 && strncmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;
	p += strspn(p, " \t");
	len = strlen(p);
	if (len >= (size_t)num - 1 &&
	    !(len == (size_t)num - 1 && p[len - 1] == '\n')) {
		struct loc loc = { r->file, r->line };
		conf_error(r->conf, &loc, "line is longer than %d characters",
		    num - 2);
		r->syntax_errors++;
		p = (char *)"\n";
		len = 1;
	}
	memcpy(str, p, len + 1);
	explicit_bzero(line, cap);	/* values may be secrets: see scrub_stack */
	free(line);
	check_syntax(r, str);
	if (*str == '[')
		open_section(r, str);
	return str;
}

static void
strip_quotes(char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		memmove(v, v + 1, n - 2);
		v[n - 2] = '\0';
	}
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* glob(3) over the files of conf->from instead of the disk: the same
 * matches, sorted, each once. */
static int
glob_from(const struct conf_source *from, const char *pattern, glob_t *g)
{
	memset(g, 0, sizeof(*g));
	g->gl_pathv = calloc(from->n + 1, sizeof(char *));
	if (g->gl_pathv == NULL)
		return GLOB_NOSPACE;
	for (size_t i = 0; i < from->n; i++) {
		int seen = 0;

		for (size_t j = 0; j < g->gl_pathc && !seen; j++)
			seen = strcmp(g->gl_pathv[j], from->f[i].path) == 0;
		if (!seen && fnmatch(pattern, from->f[i].path, FNM_PATHNAME |
		    FNM_PERIOD) == 0)
			g->gl_pathv[g->gl_pathc++] = from->f[i].path;
	}
	qsort(g->gl_pathv, g->gl_pathc, sizeof(char *), by_name);
	if (g->gl_pathc == 0) {
		free(g->gl_pathv);
		return GLOB_NOMATCH;
	}
	return 0;
}

static void
do_include(struct reader *r, const char *pattern, const struct loc *loc)
{
	const struct conf_source *from = r->conf->from;
	char *path;
	glob_t g;
	int rc;

	if (resolve_path(pattern, r->dir, &path) != 0)
		return;
	rc = from ? glob_from(from, path, &g) : glob(path, GLOB_ERR, NULL, &g);
	if (rc == GLOB_NOMATCH) {
		if (strpbrk(path, "*?[") == NULL)
			conf_error(r->conf, loc, "include: cannot read '%s': %s",
			    path, strerror(ENOENT));
		else
			conf_warning(r->conf, loc, "include: no file matches '%s'",
			    path);
	} else if (rc != 0) {
		conf_error(r->conf, loc, "include: cannot read '%s'", path);
	} else {
		for (size_t i = 0; i < g.gl_pathc; i++)
			read_file(r->conf, g.gl_pathv[i], r->depth + 1, loc);
	}
	if (rc == 0 && from != NULL)
		free(g.gl_pathv);
	else if (rc == 0)
		globfree(&g);
	free(path);
}

/* env[NAME] = value; php-fpm's "env[HOSTNAME] = $HOSTNAME" takes the
 * master's variable. */
static void
env_directive(struct reader *r, const struct loc *loc, const char *key,
    const char *name, const char *value)
{
	const char *v = value;

	if (value[0] == '$' && value[1] != '\0') {
		v = getenv(value + 1);
		if (v == NULL) {
			conf_warning(r->conf, loc, "[%s] '%s': %s is not set in "
			    "fpm's environment, using ''", r->pool->name, key,
			    value);
			v = "";
		}
	}
	if (set_env(r->pool, name, v) != 0)
		fatal("out of memory");
}

/* php_value[NAME] = v and its kin.  A later setting of NAME replaces an
 * earlier one, as in php-fpm; a flag must be a boolean. */
static void
php_ini_directive(struct reader *r, const struct loc *loc,
    const struct directive *d, const char *key, const char *name,
    const char *value)
{
	struct pool_conf *p = r->pool;
	struct php_ini *e = NULL, *grown;
	long long b;
	char *v;

	if (name[0] == '\0') {
		conf_error(r->conf, loc, "[%s] '%s': the php.ini name is "
		    "missing between the brackets", p->name, key);
		return;
	}
	if (d->max && conf_parse_bool(value, &b) != 0) {
		conf_error(r->conf, loc, "[%s] '%s': expected on or off, got "
		    "'%s'", p->name, key, value);
		return;
	}
	v = strdup(d->max ? (b ? "1" : "0") : value);
	for (size_t i = 0; i < p->nphp_ini && e == NULL; i++)
		if (strcmp(p->php_ini[i].name, name) == 0)
			e = &p->php_ini[i];
	if (e == NULL) {
		grown = realloc(p->php_ini, (p->nphp_ini + 1) * sizeof(*grown));
		if (grown == NULL)
			fatal("out of memory");
		p->php_ini = grown;
		e = &p->php_ini[p->nphp_ini++];
		e->name = strdup(name);
	} else {
		free(e->value);
	}
	if (v == NULL || e->name == NULL)
		fatal("out of memory");
	e->value = v;
	e->admin = (int)d->min;
	e->where = *loc;
}

/* A directive the table knows, in the right section: expand, then store
 * (or include, or set an env[] entry). */
static void
apply_directive(struct reader *r, const struct loc *loc,
    const struct directive *d, const char *key, const char *sub,
    const char *raw)
{
	char value[4096], err[512];
	const char *section = r->pool ? r->pool->name : "global";
	void *base = r->pool ? (void *)r->pool : (void *)&r->conf->global;

	if (conf_expand(raw, r->pool ? r->pool->name : NULL, value,
	    sizeof(value), err, sizeof(err)) != 0) {
		conf_error(r->conf, loc, "[%s] '%s': %s", section, key, err);
		return;
	}
	strip_quotes(value);
	if (d->type == T_INCLUDE) {
		if (r->depth >= 8)
			conf_error(r->conf, loc, "include nested too deeply");
		else
			do_include(r, value, loc);
		return;
	}
	if (d->type == T_ENV) {
		env_directive(r, loc, key, sub, value);
		return;
	}
	if (d->type == T_PHPINI) {
		php_ini_directive(r, loc, d, key, sub, value);
		return;
	}
	if (d->type == T_LIST) {
		if (value[0] != '\0')
			append(&r->pool->suppress_paths, &r->pool->nsuppress_paths,
			    strdup(value));
		return;
	}
	if (set_value(d, base, value, r->conf->prefix ? r->conf->prefix :
	    r->dir, err, sizeof(err)) != 0)
		conf_error(r->conf, loc, "[%s] '%s': %s", section, key, err);
	else if (r->pool == NULL)
		r->conf->where[d - directives] = *loc;
	else
		r->pool->where[d - directives] = *loc;
	explicit_bzero(value, sizeof(value));
}

static int
handler(void *user, const char *section, const char *key, const char *raw)
{
	struct reader *r = user;
	struct loc loc = { r->file, r->line };
	enum dscope scope = r->in_global ? S_GLOBAL : S_POOL;
	const struct directive *d;
	char sub[128];

	if (r->skip_section)
		return 1;
	d = lookup(key, scope, sub, sizeof(sub));
	if (d == NULL)
		conf_error(r->conf, &loc, "[%s] unknown directive '%s'", section,
		    key);
	else if (d->scope != scope)
		conf_error(r->conf, &loc, "'%s' belongs in %s, not in [%s]", key,
		    d->scope == S_GLOBAL ? "[global]" : "a pool section",
		    section);
	else if (d->type == T_LATER)
		conf_warning(r->conf, &loc, "[%s] '%s' is not supported yet, "
		    "ignored", section, key);
	else
		apply_directive(r, &loc, d, key, sub, raw);
	return 1;	/* go on: every error of the file is wanted */
}

/* Report that file cannot be read, at the include line that named it. */
static int
unreadable(struct conf *conf, const char *file, const struct loc *from,
    const char *why)
{
	if (from != NULL)
		conf_error(conf, from, "include: cannot read '%s': %s", file, why);
	else
		conf_error(conf, NULL, "%s: cannot read: %s", file, why);
	return -1;
}

/* The text of a configuration is secret to its pool (env[] values,
 * php_admin_value[]), and workers of every pool are forked from this
 * memory: the stdio buffer, inih's line buffer and our copies of lines
 * are zeroed once read, and what the parse left on the stack below us. */
#define IOBUF_SIZE 8192

__attribute__((noinline)) static void
scrub_stack(void)
{
	char below[64 * 1024];

	explicit_bzero(below, sizeof(below));
	__asm__ volatile("" : : "r"(below) : "memory");
}

/* The whole of fd, NUL-terminated, into *text.  Grown by hand, not
 * realloc: a moved buffer would leave the text (its secrets) in freed
 * memory, where no scrub finds it. */
static int
slurp(int fd, char **text, size_t *len)
{
	struct stat st;
	size_t cap = fstat(fd, &st) == 0 && st.st_size > 0 &&
	    st.st_size < (64 << 20) ? (size_t)st.st_size + 2 : 4096;
	char *buf = malloc(cap);
	ssize_t n;

	*len = 0;
	while (buf != NULL) {
		if (*len + 1 == cap) {
			char *grown = cap < ((size_t)64 << 20) ?
			    malloc(cap * 2) : NULL;

			if (grown == NULL)
				break;
			memcpy(grown, buf, *len);
			explicit_bzero(buf, cap);
			free(buf);
			buf = grown;
			cap *= 2;
		}
		n = read(fd, buf + *len, cap - *len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		if (n == 0) {
			buf[*len] = '\0';
			*text = buf;
			return 0;
		}
		*len += (size_t)n;
	}
	if (buf != NULL)
		explicit_bzero(buf, cap);
	free(buf);
	return -1;
}

/* The bytes of file, from conf->from or from the disk; kept in
 * conf->source either way.  Returns 0, or -1 with *why. */
static int
file_text(struct conf *conf, const char *file, const struct conf_text **t,
    const char **why)
{
	const struct conf_text *src = NULL;
	struct conf_text nt = { 0 }, *grown;
	struct stat st;
	int fd;

	for (size_t i = 0; conf->from != NULL && i < conf->from->n; i++)
		if (src == NULL && strcmp(conf->from->f[i].path, file) == 0)
			src = &conf->from->f[i];
	if (conf->from != NULL && src == NULL) {
		*why = strerror(ENOENT);
		return -1;
	}
	if (src == NULL) {
		if ((fd = open(file, O_RDONLY | O_CLOEXEC)) < 0) {
			*why = strerror(errno);
			return -1;
		}
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(fd);
			*why = "it is a directory (to read the files in it, "
			    "include 'DIR/*.conf')";
			return -1;
		}
		if (slurp(fd, &nt.text, &nt.len) != 0) {
			*why = strerror(errno ? errno : ENOMEM);
			close(fd);
			return -1;
		}
		close(fd);
	} else if ((nt.text = malloc(src->len + 1)) != NULL) {
		nt.len = src->len;
		memcpy(nt.text, src->text, nt.len);
		nt.text[nt.len] = '\0';
	}
	nt.path = strdup(file);
	grown = realloc(conf->source.f, (conf->source.n + 1) * sizeof(*grown));
	if (nt.text == NULL || nt.path == NULL || grown == NULL)
		fatal("out of memory");
	conf->source.f = grown;
	grown[conf->source.n] = nt;
	*t = &grown[conf->source.n++];
	return 0;
}

static int
read_file(struct conf *conf, const char *file, int depth,
    const struct loc *from)
{
	struct reader r = { .conf = conf, .depth = depth, .in_global = 1 };
	const struct conf_text *t;
	const char *why;
	char *copy, *dir, *iobuf;
	int rc;

	if (file_text(conf, file, &t, &why) != 0)
		return unreadable(conf, file, from, why);
	/* an empty file has nothing to parse, and fmemopen wants bytes */
	r.fp = fmemopen(t->len ? t->text : (char *)"\n", t->len ? t->len : 1,
	    "r");
	if (r.fp == NULL)
		return unreadable(conf, file, from, strerror(errno));
	copy = strdup(file);
	dir = copy ? strdup(dirname(copy)) : NULL;
	free(copy);
	if (dir == NULL)
		fatal("out of memory");
	append(&conf->files, &conf->nfiles, strdup(file));
	append(&conf->files, &conf->nfiles, dir);
	r.file = conf->files[conf->nfiles - 2];
	r.dir = dir;
	iobuf = malloc(IOBUF_SIZE);
	if (iobuf != NULL)
		setvbuf(r.fp, iobuf, _IOFBF, IOBUF_SIZE);
	rc = ini_parse_stream(reader_gets, &r, handler, &r);
	fclose(r.fp);
	if (iobuf != NULL)
		explicit_bzero(iobuf, IOBUF_SIZE);
	free(iobuf);
	scrub_stack();
	if (r.read_errno != 0)
		return unreadable(conf, file, from, strerror(r.read_errno));
	if (rc > 0 && r.syntax_errors == 0) {
		struct loc loc = { r.file, rc };
		conf_error(conf, &loc, "syntax error: expected '[section]' or "
		    "'key = value'");
	}
	return rc == 0 ? 0 : -1;
}

struct conf *
conf_load(const char *file, const char *prefix)
{
	return conf_load_from(file, prefix, NULL);
}

void
conf_source_free(struct conf_source *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->f[i].path);
		if (s->f[i].text != NULL)	/* secrets: see scrub_stack */
			explicit_bzero(s->f[i].text, s->f[i].len);
		free(s->f[i].text);
	}
	free(s->f);
	s->f = NULL;
	s->n = 0;
}

struct conf *
conf_load_from(const char *file, const char *prefix,
    const struct conf_source *from)
{
	struct conf *conf = calloc(1, sizeof(*conf));
	char *abs = NULL;

	if (conf == NULL)
		return NULL;
	if ((conf->where = calloc(NDIRECTIVES, sizeof(*conf->where))) == NULL) {
		free(conf);
		return NULL;
	}
	if (file[0] != '/') {
		char cwd[4096];
		if (getcwd(cwd, sizeof(cwd)) != NULL)
			abs = exact_printf("%s/%s", cwd, file);
	}
	conf->file = abs ? abs : strdup(file);
	conf->prefix = prefix ? strdup(prefix) : NULL;
	apply_defaults(S_GLOBAL, &conf->global);
	conf->from = from;
	read_file(conf, conf->file, 0, NULL);
	conf->from = NULL;
	return conf;
}

/* ---- validation -------------------------------------------------------- */

static void
validate_identity(struct conf *conf, struct pool_conf *p, int is_root,
    int allow_root)
{
	struct passwd *pw = NULL;

	if (p->user != NULL && !is_root) {
		conf_warning(conf, conf_where(p, "user"), "[pool %s] 'user' is "
		    "ignored when fpm is not running as root", p->name);
	} else if (p->user != NULL) {
		pw = getpwnam(p->user);
		if (pw == NULL)
			conf_error(conf, conf_where(p, "user"), "[pool %s] user "
			    "'%s' does not exist", p->name, p->user);
	}
	if (p->group != NULL && is_root && getgrnam(p->group) == NULL)
		conf_error(conf, conf_where(p, "group"), "[pool %s] group '%s' "
		    "does not exist", p->name, p->group);
	if (is_root && !allow_root && (p->user == NULL ||
	    (pw != NULL && pw->pw_uid == 0)))
		conf_error(conf, conf_where(p, "user"), "[pool %s] workers would "
		    "run as root: set 'user' (and 'group') to another user, or "
		    "start fpm with -R/--allow-to-run-as-root", p->name);
	if (p->listen_owner != NULL && getpwnam(p->listen_owner) == NULL)
		conf_error(conf, conf_where(p, "listen.owner"), "[pool %s] "
		    "listen.owner '%s' does not exist", p->name, p->listen_owner);
	if (p->listen_group != NULL && getgrnam(p->listen_group) == NULL)
		conf_error(conf, conf_where(p, "listen.group"), "[pool %s] "
		    "listen.group '%s' does not exist", p->name, p->listen_group);
}

static void
validate_paths(struct conf *conf, struct pool_conf *p)
{
	struct stat st;

	if (p->chroot != NULL) {
		size_t cl = strlen(p->chroot);

		if (stat(p->chroot, &st) != 0 || !S_ISDIR(st.st_mode))
			conf_error(conf, conf_where(p, "chroot"), "[pool %s] "
			    "chroot '%s' is not a directory", p->name, p->chroot);
		if (p->app != NULL && (strncmp(p->app, p->chroot, cl) != 0 ||
		    p->app[cl] != '/'))
			conf_error(conf, conf_where(p, "app"), "[pool %s] app '%s' "
			    "is outside chroot '%s'", p->name, p->app, p->chroot);
	}
	if (p->chdir != NULL && p->chdir[0] != '/')
		conf_error(conf, conf_where(p, "chdir"), "[pool %s] chdir '%s' "
		    "must be an absolute path", p->name, p->chdir);
	if (p->cgi_root != NULL && (stat(p->cgi_root, &st) != 0 ||
	    !S_ISDIR(st.st_mode)))
		conf_error(conf, conf_where(p, "cgi.root"), "[pool %s] cgi.root "
		    "'%s' is not a directory", p->name, p->cgi_root);
	if (p->sapi == CONF_UNSET)
		p->sapi = p->app != NULL || !HAVE_PHP_SAPI ? SAPI_NATIVE :
		    SAPI_PHP;
	if (p->sapi == SAPI_NATIVE && p->app == NULL)
		conf_error(conf, &p->section, "[pool %s] 'app' is not set: a "
		    "native pool needs the path of its app's shared object%s",
		    p->name, HAVE_PHP_SAPI ? "" : " (this fpm was built "
		    "without the PHP sapi, so a pool without sapi or app "
		    "is native)");
	if (p->sapi != SAPI_NATIVE && p->app != NULL)
		conf_warning(conf, conf_where(p, "app"), "[pool %s] 'app' "
		    "applies to sapi = native only, ignored", p->name);
	if (p->sapi != SAPI_PHP && p->nphp_ini > 0)
		conf_warning(conf, &p->php_ini[0].where, "[pool %s] php_value "
		    "and its kin apply to sapi = php only, ignored", p->name);
}

/* php-fpm's cross-checks of the spare-server settings, with its defaults
 * (start_servers halfway between the spares). */
static void
validate_dynamic(struct conf *conf, struct pool_conf *p)
{
	const struct loc *at = conf_where(p, "pm");

	if (p->min_spare == CONF_UNSET || p->max_spare == CONF_UNSET) {
		conf_error(conf, at, "[pool %s] pm = dynamic needs "
		    "pm.min_spare_servers and pm.max_spare_servers", p->name);
		return;
	}
	if (p->start_servers == CONF_UNSET)
		p->start_servers = p->min_spare + (p->max_spare -
		    p->min_spare) / 2;
	if (p->max_spare < p->min_spare)
		conf_error(conf, conf_where(p, "pm.max_spare_servers"),
		    "[pool %s] pm.max_spare_servers (%lld) must not be less "
		    "than pm.min_spare_servers (%lld)", p->name, p->max_spare,
		    p->min_spare);
	if (p->max_spare > p->max_children)
		conf_error(conf, conf_where(p, "pm.max_spare_servers"),
		    "[pool %s] pm.max_spare_servers (%lld) must not be greater "
		    "than pm.max_children (%lld)", p->name, p->max_spare,
		    p->max_children);
	if (p->max_spare >= p->min_spare && (p->start_servers < p->min_spare ||
	    p->start_servers > p->max_spare))
		conf_error(conf, conf_where(p, "pm.start_servers"), "[pool %s] "
		    "pm.start_servers (%lld) must be between "
		    "pm.min_spare_servers (%lld) and pm.max_spare_servers "
		    "(%lld)", p->name, p->start_servers, p->min_spare,
		    p->max_spare);
}

/* Directives that mean nothing for the pool's pm get a warning, not
 * silence: the user expects them to act. */
static void
validate_pm(struct conf *conf, struct pool_conf *p)
{
	static const char *const dynamic_only[] = { "pm.start_servers",
	    "pm.min_spare_servers", "pm.max_spare_servers",
	    "pm.max_spawn_rate" };

	if (p->pm == PM_DYNAMIC)
		validate_dynamic(conf, p);
	for (size_t i = 0; p->pm != PM_DYNAMIC && i < 4; i++)
		if (conf_where(p, dynamic_only[i]) != &p->section)
			conf_warning(conf, conf_where(p, dynamic_only[i]),
			    "[pool %s] %s only applies to pm = dynamic, "
			    "ignored", p->name, dynamic_only[i]);
	if (p->pm != PM_ONDEMAND &&
	    conf_where(p, "pm.process_idle_timeout") != &p->section)
		conf_warning(conf, conf_where(p, "pm.process_idle_timeout"),
		    "[pool %s] pm.process_idle_timeout only applies to "
		    "pm = ondemand, ignored", p->name);
	if (p->slowlog_timeout > 0 && p->slowlog == NULL)
		conf_error(conf, conf_where(p, "request_slowlog_timeout"),
		    "[pool %s] request_slowlog_timeout needs 'slowlog', the "
		    "file the backtraces go to", p->name);
	if (p->access_log == NULL &&
	    conf_where(p, "access.format") != &p->section)
		conf_warning(conf, conf_where(p, "access.format"), "[pool %s] "
		    "access.format is set but access.log is not: no access log",
		    p->name);
}

/* The status and ping pages: paths as php-fpm wants them, and a
 * status_listen address of its own. */
static void
validate_pages(struct conf *conf, struct pool_conf *p)
{
	static const char *const paths[] = { "pm.status_path", "ping.path" };
	const char *vals[] = { p->status_path, p->ping_path };

	for (int i = 0; i < 2; i++)
		if (vals[i] != NULL && vals[i][0] != '/')
			conf_error(conf, conf_where(p, paths[i]), "[pool %s] "
			    "%s '%s' must start with a '/'", p->name, paths[i],
			    vals[i]);
	if (p->status_listen == NULL)
		return;
	if (p->status_path == NULL)
		conf_error(conf, conf_where(p, "pm.status_listen"), "[pool %s] "
		    "pm.status_listen needs pm.status_path", p->name);
	for (struct pool_conf *q = conf->pools; q != NULL; q = q->next) {
		const char *with = NULL;

		if (q->listen != NULL &&
		    addr_clash(&q->listen_addr, &p->status_listen_addr))
			with = q->listen;
		else if (q != p && q->status_listen != NULL &&
		    addr_clash(&q->status_listen_addr, &p->status_listen_addr))
			with = q->status_listen;
		if (with != NULL)
			conf_error(conf, conf_where(p, "pm.status_listen"),
			    "[pool %s] pm.status_listen '%s' is already used by "
			    "pool '%s'", p->name, p->status_listen, q->name);
	}
}

static void
validate_pool(struct conf *conf, struct pool_conf *p, int is_root,
    int allow_root)
{
	char err[256];

	if (p->listen == NULL)
		conf_error(conf, &p->section, "[pool %s] 'listen' is not set",
		    p->name);
	for (struct pool_conf *q = conf->pools; p->listen && q != p;
	    q = q->next)
		if (q->listen != NULL &&
		    addr_clash(&q->listen_addr, &p->listen_addr))
			conf_error(conf, conf_where(p, "listen"), "[pool %s] "
			    "listen address '%s' is already used by pool '%s'",
			    p->name, p->listen, q->name);
	if (p->listen_allowed_clients != NULL &&
	    addr_list_parse(p->listen_allowed_clients, &p->allowed_clients,
	    err, sizeof(err)) != 0)
		conf_error(conf, conf_where(p, "listen.allowed_clients"),
		    "[pool %s] listen.allowed_clients: %s", p->name, err);
	validate_identity(conf, p, is_root, allow_root);
	validate_paths(conf, p);
	validate_pm(conf, p);
	validate_pages(conf, p);
}

/* [global] checks that involve more than one value. */
static void
validate_global(struct conf *conf)
{
	const struct global_conf *g = &conf->global;
	struct loc top = { conf->file, 1 };

	if (g->syslog_ident != NULL && strlen(g->syslog_ident) >= 64)
		conf_error(conf, &top, "[global] syslog.ident must be shorter "
		    "than 64 bytes");
	if ((g->emergency_restart_threshold > 0) !=
	    (g->emergency_restart_interval > 0))
		conf_warning(conf, &top, "[global] emergency restarts need both "
		    "emergency_restart_threshold and emergency_restart_interval; "
		    "with only one set there are none");
}

size_t
conf_validate(struct conf *conf, int is_root, int allow_root)
{
	struct loc top = { conf->file, 1 };

	validate_global(conf);
	if (conf->npools == 0 && conf->nerrors == 0)
		conf_error(conf, &top, "no pool defined: add a [name] section "
		    "(or include = pools.d/*.conf)");
	for (struct pool_conf *p = conf->pools; p != NULL; p = p->next)
		validate_pool(conf, p, is_root, allow_root);
	return conf->nerrors;
}

/* ---- the rest ---------------------------------------------------------- */

static void
free_fields(enum dscope scope, void *base)
{
	for (size_t i = 0; i < NDIRECTIVES; i++) {
		const struct directive *d = &directives[i];

		if (d->scope == scope && holds_string(d))
			free(*(char **)((char *)base + d->offset));
	}
}

static void
free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static void
scrub_str(char *s)
{
	if (s != NULL)
		explicit_bzero(s, strlen(s));
}

void
conf_scrub_pool(struct pool_conf *p)
{
	for (size_t i = 0; i < NDIRECTIVES; i++) {
		const struct directive *d = &directives[i];

		if (d->scope == S_POOL && holds_string(d))
			scrub_str(*(char **)((char *)p + d->offset));
	}
	for (size_t i = 0; i < p->nenv; i++)
		scrub_str(p->env[i]);
	for (size_t i = 0; i < p->nsuppress_paths; i++)
		scrub_str(p->suppress_paths[i]);
	for (size_t i = 0; i < p->nphp_ini; i++) {
		scrub_str(p->php_ini[i].name);
		scrub_str(p->php_ini[i].value);
	}
	explicit_bzero(&p->listen_addr, sizeof(p->listen_addr));
	explicit_bzero(&p->status_listen_addr, sizeof(p->status_listen_addr));
}

void
conf_scrub_shared(struct conf *conf)
{
	for (size_t i = 0; i < conf->nerrors; i++)
		scrub_str(conf->errors[i]);
	for (size_t i = 0; i < conf->nwarnings; i++)
		scrub_str(conf->warnings[i]);
	for (size_t i = 0; i < conf->source.n; i++)
		explicit_bzero(conf->source.f[i].text, conf->source.f[i].len);
}

void
conf_free(struct conf *conf)
{
	struct pool_conf *p, *next;

	if (conf == NULL)
		return;
	for (p = conf->pools; p != NULL; p = next) {
		next = p->next;
		conf_scrub_pool(p);	/* freed memory goes to later children */
		free_fields(S_POOL, p);
		free_list(p->env, p->nenv);
		free_list(p->suppress_paths, p->nsuppress_paths);
		for (size_t i = 0; i < p->nphp_ini; i++) {
			free(p->php_ini[i].name);
			free(p->php_ini[i].value);
		}
		free(p->php_ini);
		free(p->where);
		free(p->name);
		free(p);
	}
	free_fields(S_GLOBAL, &conf->global);
	free(conf->where);
	conf_source_free(&conf->source);
	free_list(conf->files, conf->nfiles);
	free_list(conf->errors, conf->nerrors);
	free_list(conf->warnings, conf->nwarnings);
	free(conf->file);
	free(conf->prefix);
	free(conf);
}

void
conf_print_directives(void)
{
	for (size_t i = 0; i < NDIRECTIVES; i++) {
		const struct directive *d = &directives[i];

		printf("%-28s %-6s %-10s %s\n", d->name,
		    d->scope == S_GLOBAL ? "global" : "pool",
		    d->def ? d->def : "-", d->doc);
	}
}

/* roff escapes the few characters directive text uses, and text lines
 * broken at a space past column 72 (man page linters want at most 80). */
static void
man_text(const char *s)
{
	int col = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ' && col >= 72) {
			putchar('\n');
			col = 0;
			continue;
		}
		/* a text line must not start like a request */
		if (col == 0 && (*s == '.' || *s == '\''))
			col += printf("\\&");
		if (*s == '\\' || *s == '-') {
			putchar('\\');
			col++;
		}
		putchar(*s);
		col++;
	}
}

static void
man_section(enum dscope scope, int later)
{
	for (size_t i = 0; i < NDIRECTIVES; i++) {
		const struct directive *d = &directives[i];

		if (d->scope != scope || (d->type == T_LATER) != later)
			continue;
		printf(".TP\n.B ");
		man_text(d->name);
		if (d->def != NULL) {
			printf(" \\fR(default: ");
			man_text(d->def);
			printf(")\\fP");
		}
		putchar('\n');
		man_text(d->doc);
		putchar('\n');
	}
}

/* The date of the last change to the page's text, as the hand-written
 * pages in man/ carry theirs in .Dd: not the build date, so that builds
 * are reproducible. */
#define MAN_DATE "2026-11-22"

void
conf_print_man(const char *version)
{
	printf(".TH FPM.INI 5 %s \"fpm %s\" \"File Formats\"\n", MAN_DATE,
	    version);
	printf(".SH NAME\nfpm.ini \\- configuration of the fpm FastCGI "
	    "process manager\n");
	printf(".SH DESCRIPTION\n"
	    "An ini file: a \\fB[global]\\fP section, and one section per "
	    "pool, named after it.\n"
	    "Directive names are php\\-fpm's.\n"
	    "\\fB$pool\\fP expands to the pool's name and "
	    "\\fB${NAME}\\fP to an environment variable;\n"
	    "times take s, m, h or d;\n"
	    "relative paths resolve against the prefix (\\fB\\-p\\fP)\n"
	    "or the directory of the file naming them.\n"
	    "\\fBfpm \\-t\\fP checks a file.\n");
	printf(".SH GLOBAL DIRECTIVES\n");
	man_section(S_GLOBAL, 0);
	printf(".SH POOL DIRECTIVES\n");
	man_section(S_POOL, 0);
	printf(".SH NOT SUPPORTED YET\n"
	    "Accepted with a warning and ignored, so php\\-fpm files read "
	    "unchanged:\n");
	man_section(S_GLOBAL, 1);
	man_section(S_POOL, 1);
	printf(".SH SEE ALSO\n.BR fpm (8),\n.BR fpmctl (1),\n"
	    ".BR fpm_app (3)\n");
}
