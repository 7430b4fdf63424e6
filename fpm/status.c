/*
 * status.c - the status page in php-fpm's formats.  Pure: no I/O, no
 * globals (but the local time zone, for text and html times); the caller
 * gathers the numbers and sends the page.
 *
 * Each format walks the same two field lists, pool_fields() and
 * proc_fields(), which hold php-fpm's names in php-fpm's order; a format
 * only decides how a name and a value are written.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "status.h"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* The text format pads "name:" to this many columns. */
#define TEXT_PAD	22
#define TEXT_SEPARATOR	"************************"
#define TIME_FORMAT	"%d/%b/%Y:%H:%M:%S %z"

/* U+FFFD, for bytes that are not UTF-8 and characters a format forbids. */
#define REPLACEMENT	"\xEF\xBF\xBD"

/* The page being built.  A failed allocation sticks: later writes do
 * nothing, and status_render() returns NULL. */
struct buf {
	char *p;
	size_t len;
	size_t cap;
	int failed;
};

/* How a string is written into each format. */
enum esc {
	ESC_TEXT,	/* control bytes and '\' as \xHH, the rest as is */
	ESC_JSON,	/* inside a JSON string */
	ESC_MARKUP,	/* XML or HTML text */
	ESC_OM		/* an OpenMetrics label value */
};

enum kind {
	V_STR,		/* s, "-" when NULL or empty */
	V_URI,		/* s as V_STR, then "?q" when q is not empty */
	V_TIME,		/* i, unix seconds */
	V_INT,		/* i */
	V_UINT,		/* u */
	V_CPU		/* d, a percentage */
};

/* One field of the page: php-fpm's name for it, and its value. */
struct field {
	const char *name;	/* json and html; xml with '-' for ' ' */
	const char *label;	/* text, where it is not name */
	enum kind kind;
	const char *s, *q;
	long long i;
	unsigned long long u;
	double d;
};

/* The fields, in php-fpm's order. */
enum {
	PF_POOL, PF_PM, PF_START_TIME, PF_START_SINCE, PF_ACCEPTED,
	PF_LISTEN_QUEUE, PF_MAX_LISTEN_QUEUE, PF_LISTEN_QUEUE_LEN, PF_IDLE,
	PF_ACTIVE, PF_TOTAL, PF_MAX_ACTIVE, PF_MAX_CHILDREN, PF_SLOW,
	POOL_FIELDS
};
enum {
	RF_PID, RF_STATE, RF_START_TIME, RF_START_SINCE, RF_REQUESTS,
	RF_DURATION, RF_METHOD, RF_URI, RF_LENGTH, RF_USER, RF_SCRIPT, RF_CPU,
	RF_MEMORY,
	PROC_FIELDS
};

/* An OpenMetrics family and the field its samples show; field -1 is a
 * sample of 1 (phpfpm_up; phpfpm_process_state, labelled with the state). */
struct family {
	const char *name;
	const char *type;
	const char *help;
	int field;
};

static const struct family pool_families[] = {
	{ "phpfpm_up", "gauge", "Whether the pool could be reached.", -1 },
	{ "phpfpm_start_since", "gauge",
	    "The number of seconds since the pool started.", PF_START_SINCE },
	{ "phpfpm_accepted_connections", "counter",
	    "The number of requests the pool accepted.", PF_ACCEPTED },
	{ "phpfpm_listen_queue", "gauge",
	    "The number of connections waiting to be accepted.",
	    PF_LISTEN_QUEUE },
	{ "phpfpm_max_listen_queue", "gauge", "The most connections ever "
	    "seen waiting to be accepted since the pool started.",
	    PF_MAX_LISTEN_QUEUE },
	{ "phpfpm_listen_queue_length", "gauge", "The most connections the "
	    "listen queue may hold.", PF_LISTEN_QUEUE_LEN },
	{ "phpfpm_idle_processes", "gauge",
	    "The number of idle processes.", PF_IDLE },
	{ "phpfpm_active_processes", "gauge",
	    "The number of processes serving a request.", PF_ACTIVE },
	{ "phpfpm_total_processes", "gauge",
	    "The number of idle and active processes.", PF_TOTAL },
	{ "phpfpm_max_active_processes", "gauge", "The most processes ever "
	    "active at once since the pool started.", PF_MAX_ACTIVE },
	{ "phpfpm_max_children_reached", "counter", "The number of times "
	    "the process manager wanted more processes than pm.max_children "
	    "allows.", PF_MAX_CHILDREN },
	{ "phpfpm_slow_requests", "counter", "The number of requests that "
	    "outlasted request_slowlog_timeout.", PF_SLOW },
};

static const struct family proc_families[] = {
	{ "phpfpm_process_state", "gauge", "The state of the process, in "
	    "its state label.", -1 },
	{ "phpfpm_process_start_since", "gauge",
	    "The number of seconds since the process started.",
	    RF_START_SINCE },
	{ "phpfpm_process_requests", "counter",
	    "The number of requests the process served.", RF_REQUESTS },
	{ "phpfpm_process_request_duration", "gauge", "The duration of the "
	    "current request, or of the last one when idle, in "
	    "microseconds.", RF_DURATION },
	{ "phpfpm_process_last_request_cpu", "gauge", "The CPU the last "
	    "request used, in percent of its duration; 0 while a request "
	    "runs.", RF_CPU },
	{ "phpfpm_process_last_request_memory", "gauge", "The peak memory "
	    "of the last request, in bytes; 0 while a request runs.",
	    RF_MEMORY },
};

/* php-fpm's words for the formats, in the order it tries them. */
static const struct {
	const char *word;
	enum status_format fmt;
} format_words[] = {
	{ "html", STATUS_HTML },
	{ "xml", STATUS_XML },
	{ "json", STATUS_JSON },
	{ "openmetrics", STATUS_OPENMETRICS },
};

/* Append n bytes of s, growing the page. */
static void
put(struct buf *b, const char *s, size_t n)
{
	size_t cap;
	char *p;

	if (b->failed)
		return;
	if (n >= b->cap - b->len) {
		cap = b->cap != 0 ? b->cap : 1024;
		while (cap - b->len <= n) {
			if (cap > SIZE_MAX / 2) {
				b->failed = 1;
				return;
			}
			cap *= 2;
		}
		if ((p = realloc(b->p, cap)) == NULL) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
put_str(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* Append a short printf result: numbers and names of ours, never a value
 * of the caller's, which goes through put_esc(). */
static void __attribute__((format(printf, 2, 3)))
put_fmt(struct buf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		b->failed = 1;
		return;
	}
	put(b, tmp, (size_t)n);
}

/* Decode the UTF-8 sequence at s into *cp.  Returns its length, or 0 when
 * s does not start a valid one (a stray or overlong byte, a surrogate,
 * beyond U+10FFFF, cut short by the NUL). */
static size_t
utf8_decode(const unsigned char *s, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t i, n;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, c &= 0x07, min = 0x10000;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Characters XML 1.0 forbids or HTML calls a parse error: C0 controls
 * other than tab, LF and CR; DEL and the C1 controls; noncharacters. */
static int
markup_forbids(uint32_t c)
{
	if (c < 0x20)
		return c != '\t' && c != '\n' && c != '\r';
	return (c >= 0x7f && c <= 0x9f) || (c >= 0xfdd0 && c <= 0xfdef) ||
	    (c & 0xfffe) == 0xfffe;
}

/* What mode e writes for the character c, or NULL to copy it as it is. */
static const char *
escape_of(enum esc e, uint32_t c, char *tmp, size_t tmplen)
{
	static const struct {
		enum esc e;
		char c;
		const char *to;
	} table[] = {
		{ ESC_JSON, '"', "\\\"" }, { ESC_JSON, '\\', "\\\\" },
		{ ESC_JSON, '\b', "\\b" }, { ESC_JSON, '\f', "\\f" },
		{ ESC_JSON, '\n', "\\n" }, { ESC_JSON, '\r', "\\r" },
		{ ESC_JSON, '\t', "\\t" },
		{ ESC_MARKUP, '&', "&amp;" }, { ESC_MARKUP, '<', "&lt;" },
		{ ESC_MARKUP, '>', "&gt;" }, { ESC_MARKUP, '"', "&quot;" },
		{ ESC_MARKUP, '\'', "&#39;" }, { ESC_MARKUP, '\t', "&#9;" },
		{ ESC_MARKUP, '\n', "&#10;" }, { ESC_MARKUP, '\r', "&#13;" },
		{ ESC_OM, '"', "\\\"" }, { ESC_OM, '\\', "\\\\" },
		{ ESC_OM, '\n', "\\n" },
	};
	size_t i;

	for (i = 0; i < NITEMS(table); i++)
		if (table[i].e == e && (uint32_t)table[i].c == c)
			return table[i].to;
	if (e == ESC_JSON && (c < 0x20 || c == 0x7f)) {
		snprintf(tmp, tmplen, "\\u%04x", (unsigned)c);
		return tmp;
	}
	if (e == ESC_MARKUP && markup_forbids(c))
		return REPLACEMENT;
	return NULL;
}

/* Whether the byte c goes through mode e unchanged: printable ASCII that
 * the mode does not escape.  Other bytes are decoded and looked at. */
static int
plain(enum esc e, unsigned char c)
{
	static const char *const special[] = {
		[ESC_TEXT] = "\\", [ESC_JSON] = "\"\\",
		[ESC_MARKUP] = "&<>\"'", [ESC_OM] = "\"\\",
	};

	return c >= 0x20 && c < 0x7f && strchr(special[e], c) == NULL;
}

/* The text format: every byte as is but control bytes and '\', as \xHH,
 * so that a value never spans lines. */
static void
put_text(struct buf *b, const char *s)
{
	size_t n;

	while (*s != '\0') {
		for (n = 0; s[n] != '\0' && (plain(ESC_TEXT, s[n]) ||
		    (unsigned char)s[n] >= 0x80); n++)
			continue;
		put(b, s, n);
		s += n;
		if (*s == '\0')
			break;
		put_fmt(b, "\\x%02X", (unsigned char)*s);
		s++;
	}
}

/* Append s escaped for mode e. */
static void
put_esc(struct buf *b, enum esc e, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	const char *to;
	char tmp[8];
	uint32_t c;
	size_t n;

	if (e == ESC_TEXT) {
		put_text(b, s);
		return;
	}
	while (*u != '\0') {
		for (n = 0; u[n] != '\0' && plain(e, u[n]); n++)
			continue;
		put(b, (const char *)u, n);
		u += n;
		if (*u == '\0')
			break;
		if ((n = utf8_decode(u, &c)) == 0) {
			put_str(b, REPLACEMENT);
			u++;
			continue;
		}
		if ((to = escape_of(e, c, tmp, sizeof(tmp))) != NULL)
			put_str(b, to);
		else
			put(b, (const char *)u, n);
		u += n;
	}
}

static const char *
dash(const char *s)
{
	return s == NULL || *s == '\0' ? "-" : s;
}

static void
put_time(struct buf *b, long long t)
{
	time_t tt = (time_t)t;
	char s[64];
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(s, sizeof(s), TIME_FORMAT, &tm) == 0)
		put_str(b, "-");
	else
		put_str(b, s);
}

/* Append the value of f: its strings escaped for e, its times as unix
 * seconds when epoch is set, else in local time. */
static void
put_value(struct buf *b, const struct field *f, enum esc e, int epoch)
{
	switch (f->kind) {
	case V_STR:
		put_esc(b, e, dash(f->s));
		break;
	case V_URI:
		put_esc(b, e, dash(f->s));
		if (f->q != NULL && *f->q != '\0') {
			put(b, "?", 1);
			put_esc(b, e, f->q);
		}
		break;
	case V_TIME:
		if (epoch)
			put_fmt(b, "%lld", f->i);
		else
			put_time(b, f->i);
		break;
	case V_INT:
		put_fmt(b, "%lld", f->i);
		break;
	case V_UINT:
		put_fmt(b, "%llu", f->u);
		break;
	case V_CPU:
		/* NaN or inf would make invalid JSON and OpenMetrics */
		put_fmt(b, "%.2f", isfinite(f->d) ? f->d : 0.0);
		break;
	}
}

static void
pool_fields(const struct status_pool *p, struct field *f)
{
	memset(f, 0, POOL_FIELDS * sizeof(*f));
	f[PF_POOL] = (struct field){ .name = "pool", .kind = V_STR,
	    .s = p->pool };
	f[PF_PM] = (struct field){ .name = "process manager", .kind = V_STR,
	    .s = p->process_manager };
	f[PF_START_TIME] = (struct field){ .name = "start time",
	    .kind = V_TIME, .i = p->start_time };
	f[PF_START_SINCE] = (struct field){ .name = "start since",
	    .kind = V_INT, .i = p->start_since };
	f[PF_ACCEPTED] = (struct field){ .name = "accepted conn",
	    .kind = V_UINT, .u = p->accepted_conn };
	f[PF_LISTEN_QUEUE] = (struct field){ .name = "listen queue",
	    .kind = V_INT, .i = p->listen_queue };
	f[PF_MAX_LISTEN_QUEUE] = (struct field){ .name = "max listen queue",
	    .kind = V_INT, .i = p->max_listen_queue };
	f[PF_LISTEN_QUEUE_LEN] = (struct field){ .name = "listen queue len",
	    .kind = V_INT, .i = p->listen_queue_len };
	f[PF_IDLE] = (struct field){ .name = "idle processes",
	    .kind = V_INT, .i = p->idle_processes };
	f[PF_ACTIVE] = (struct field){ .name = "active processes",
	    .kind = V_INT, .i = p->active_processes };
	f[PF_TOTAL] = (struct field){ .name = "total processes",
	    .kind = V_INT, .i = p->total_processes };
	f[PF_MAX_ACTIVE] = (struct field){ .name = "max active processes",
	    .kind = V_INT, .i = p->max_active_processes };
	f[PF_MAX_CHILDREN] = (struct field){ .name = "max children reached",
	    .kind = V_UINT, .u = p->max_children_reached };
	f[PF_SLOW] = (struct field){ .name = "slow requests",
	    .kind = V_UINT, .u = p->slow_requests };
}

static void
proc_fields(const struct status_proc *r, struct field *f)
{
	f[RF_PID] = (struct field){ .name = "pid", .kind = V_INT,
	    .i = r->pid };
	f[RF_STATE] = (struct field){ .name = "state", .kind = V_STR,
	    .s = r->state };
	f[RF_START_TIME] = (struct field){ .name = "start time",
	    .kind = V_TIME, .i = r->start_time };
	f[RF_START_SINCE] = (struct field){ .name = "start since",
	    .kind = V_INT, .i = r->start_since };
	f[RF_REQUESTS] = (struct field){ .name = "requests", .kind = V_UINT,
	    .u = r->requests };
	f[RF_DURATION] = (struct field){ .name = "request duration",
	    .kind = V_INT, .i = r->request_duration };
	f[RF_METHOD] = (struct field){ .name = "request method",
	    .kind = V_STR, .s = r->request_method };
	f[RF_URI] = (struct field){ .name = "request uri",
	    .label = "request URI", .kind = V_URI, .s = r->request_uri,
	    .q = r->query_string };
	f[RF_LENGTH] = (struct field){ .name = "content length",
	    .kind = V_INT, .i = r->content_length };
	f[RF_USER] = (struct field){ .name = "user", .kind = V_STR,
	    .s = r->user };
	f[RF_SCRIPT] = (struct field){ .name = "script", .kind = V_STR,
	    .s = r->script };
	f[RF_CPU] = (struct field){ .name = "last request cpu",
	    .kind = V_CPU, .d = r->last_request_cpu };
	f[RF_MEMORY] = (struct field){ .name = "last request memory",
	    .kind = V_INT, .i = r->last_request_memory };
}

static void
text_fields(struct buf *b, const struct field *f, int n)
{
	const char *label;
	int i, pad;

	for (i = 0; i < n; i++) {
		label = f[i].label != NULL ? f[i].label : f[i].name;
		pad = TEXT_PAD - (int)strlen(label) - 1;
		put_fmt(b, "%s:%*s", label, pad > 1 ? pad : 1, "");
		put_value(b, &f[i], ESC_TEXT, 0);
		put(b, "\n", 1);
	}
}

static void
render_text(struct buf *b, const struct status_pool *pools, int npools,
    int full)
{
	struct field pf[POOL_FIELDS], rf[PROC_FIELDS];
	int i, j;

	for (i = 0; i < npools; i++) {
		if (i > 0)
			put(b, "\n", 1);
		pool_fields(&pools[i], pf);
		text_fields(b, pf, POOL_FIELDS);
		for (j = 0; full && j < pools[i].nprocs; j++) {
			put_str(b, "\n" TEXT_SEPARATOR "\n");
			proc_fields(&pools[i].procs[j], rf);
			text_fields(b, rf, PROC_FIELDS);
		}
	}
}

/* Write the fields as the members of a JSON object, its "{" included. */
static void
json_fields(struct buf *b, const struct field *f, int n)
{
	int i, quoted;

	put(b, "{", 1);
	for (i = 0; i < n; i++) {
		quoted = f[i].kind == V_STR || f[i].kind == V_URI;
		put_str(b, i > 0 ? ",\"" : "\"");
		put_str(b, f[i].name);
		put_str(b, quoted ? "\":\"" : "\":");
		put_value(b, &f[i], ESC_JSON, 1);
		if (quoted)
			put(b, "\"", 1);
	}
}

static void
json_pool(struct buf *b, const struct status_pool *p, int full)
{
	struct field pf[POOL_FIELDS], rf[PROC_FIELDS];
	int i;

	pool_fields(p, pf);
	json_fields(b, pf, POOL_FIELDS);
	if (full) {
		put_str(b, ", \"processes\":[");
		for (i = 0; i < p->nprocs; i++) {
			if (i > 0)
				put(b, ",", 1);
			proc_fields(&p->procs[i], rf);
			json_fields(b, rf, PROC_FIELDS);
			put(b, "}", 1);
		}
		put(b, "]", 1);
	}
	put(b, "}", 1);
}

/* One pool is php-fpm's object; any other number an array of them. */
static void
render_json(struct buf *b, const struct status_pool *pools, int npools,
    int full)
{
	int i;

	if (npools == 1) {
		json_pool(b, &pools[0], full);
		return;
	}
	put(b, "[", 1);
	for (i = 0; i < npools; i++) {
		if (i > 0)
			put(b, ",", 1);
		json_pool(b, &pools[i], full);
	}
	put(b, "]", 1);
}

/* Write a field's name as an XML tag name: php-fpm's with '-' for ' '. */
static void
xml_tag(struct buf *b, const char *open, const char *name)
{
	put_str(b, open);
	for (; *name != '\0'; name++)
		put(b, *name == ' ' ? "-" : name, 1);
	put(b, ">", 1);
}

static void
xml_fields(struct buf *b, const struct field *f, int n, const char *end)
{
	int i;

	for (i = 0; i < n; i++) {
		xml_tag(b, "<", f[i].name);
		put_value(b, &f[i], ESC_MARKUP, 1);
		xml_tag(b, "</", f[i].name);
		put_str(b, end);
	}
}

static void
xml_pool(struct buf *b, const struct status_pool *p, int full)
{
	struct field pf[POOL_FIELDS], rf[PROC_FIELDS];
	int i;

	pool_fields(p, pf);
	put_str(b, "<status>\n");
	xml_fields(b, pf, POOL_FIELDS, "\n");
	if (full) {
		put_str(b, "<processes>\n");
		for (i = 0; i < p->nprocs; i++) {
			proc_fields(&p->procs[i], rf);
			put_str(b, "<process>");
			xml_fields(b, rf, PROC_FIELDS, "");
			put_str(b, "</process>\n");
		}
		put_str(b, "</processes>\n");
	}
	put_str(b, "</status>");
}

/* One pool is php-fpm's document; any other number has a <pools> root. */
static void
render_xml(struct buf *b, const struct status_pool *pools, int npools,
    int full)
{
	int i;

	put_str(b, "<?xml version=\"1.0\" ?>\n");
	if (npools == 1) {
		xml_pool(b, &pools[0], full);
		return;
	}
	put_str(b, "<pools>\n");
	for (i = 0; i < npools; i++) {
		xml_pool(b, &pools[i], full);
		put(b, "\n", 1);
	}
	put_str(b, "</pools>");
}

static const char html_head[] =
    "<!DOCTYPE html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<title>fpm status</title>\n"
    "<style>\n"
    "body { font-family: sans-serif; margin: 1em; }\n"
    "table { border-collapse: collapse; margin-bottom: 1em; }\n"
    "th, td { border: 1px solid #bbb; padding: 2px 8px; "
    "text-align: left; }\n"
    "th { background: #eee; }\n"
    "td { font-family: monospace; white-space: pre-wrap; }\n"
    "</style>\n"
    "</head>\n"
    "<body>\n"
    "<h1>fpm status</h1>\n";

/* The refresh controls: the link works everywhere; the selector reloads
 * the page every few seconds, and keeps its choice in the URL's #hash,
 * which a reload keeps. */
static const char html_refresh[] =
    "refresh</a>\n"
    "<label>auto-refresh <select id=\"refresh\">"
    "<option value=\"0\">off</option>"
    "<option value=\"2\">2 s</option>"
    "<option value=\"5\">5 s</option>"
    "<option value=\"10\">10 s</option>"
    "<option value=\"30\">30 s</option>"
    "<option value=\"60\">60 s</option>"
    "</select></label></p>\n";

static const char html_tail[] =
    "<script>\n"
    "(function () {\n"
    "\tvar s = document.getElementById(\"refresh\"), t;\n"
    "\tfunction arm() {\n"
    "\t\tclearTimeout(t);\n"
    "\t\thistory.replaceState(null, \"\", \"#\" + s.value);\n"
    "\t\tif (s.value !== \"0\")\n"
    "\t\t\tt = setTimeout(function () { location.reload(); },\n"
    "\t\t\t    s.value * 1000);\n"
    "\t}\n"
    "\ts.value = location.hash.slice(1);\n"
    "\tif (s.selectedIndex < 0)\n"
    "\t\ts.value = \"0\";\n"
    "\ts.onchange = arm;\n"
    "\tarm();\n"
    "})();\n"
    "</script>\n"
    "</body>\n"
    "</html>\n";

/* A pool's table: a row per field, as php-fpm's. */
static void
html_pool(struct buf *b, const struct status_pool *p)
{
	struct field f[POOL_FIELDS];
	int i;

	pool_fields(p, f);
	put_str(b, "<h2>pool ");
	put_esc(b, ESC_MARKUP, dash(p->pool));
	put_str(b, "</h2>\n<table>\n<tbody>\n");
	for (i = 0; i < POOL_FIELDS; i++) {
		put_str(b, "<tr><th scope=\"row\">");
		put_str(b, f[i].name);
		put_str(b, "</th><td>");
		put_value(b, &f[i], ESC_MARKUP, 0);
		put_str(b, "</td></tr>\n");
	}
	put_str(b, "</tbody>\n</table>\n");
}

/* The processes' table: a column per field, a row per process. */
static void
html_procs(struct buf *b, const struct status_pool *p)
{
	static const struct status_proc none;
	struct field f[PROC_FIELDS];
	int i, j;

	proc_fields(&none, f);
	put_str(b, "<table>\n<thead>\n<tr>");
	for (j = 0; j < PROC_FIELDS; j++) {
		put_str(b, "<th scope=\"col\">");
		put_str(b, f[j].name);
		put_str(b, "</th>");
	}
	put_str(b, "</tr>\n</thead>\n<tbody>\n");
	for (i = 0; i < p->nprocs; i++) {
		proc_fields(&p->procs[i], f);
		put_str(b, "<tr>");
		for (j = 0; j < PROC_FIELDS; j++) {
			put_str(b, "<td>");
			put_value(b, &f[j], ESC_MARKUP, 0);
			put_str(b, "</td>");
		}
		put_str(b, "</tr>\n");
	}
	put_str(b, "</tbody>\n</table>\n");
}

static void
render_html(struct buf *b, const struct status_pool *pools, int npools,
    int full)
{
	int i;

	put_str(b, html_head);
	put_str(b, full ? "<p><a href=\"?html&amp;full\">" :
	    "<p><a href=\"?html\">");
	put_str(b, html_refresh);
	for (i = 0; i < npools; i++) {
		html_pool(b, &pools[i]);
		if (full)
			html_procs(b, &pools[i]);
	}
	put_str(b, html_tail);
}

static void
om_family(struct buf *b, const struct family *fam)
{
	put_str(b, "# HELP ");
	put_str(b, fam->name);
	put(b, " ", 1);
	put_str(b, fam->help);
	put_str(b, "\n# TYPE ");
	put_str(b, fam->name);
	put(b, " ", 1);
	put_str(b, fam->type);
	put(b, "\n", 1);
}

/* Write a sample's name and labels, up to its value: pool, pid and state
 * labels where not NULL.  A counter's samples are named <family>_total. */
static void
om_sample(struct buf *b, const struct family *fam, const char *pool,
    const char *pid, const char *state)
{
	const char *names[] = { "pool", "pid", "state" };
	const char *values[] = { pool, pid, state };
	size_t i;
	int n = 0;

	put_str(b, fam->name);
	if (strcmp(fam->type, "counter") == 0)
		put_str(b, "_total");
	for (i = 0; i < NITEMS(names); i++) {
		if (values[i] == NULL)
			continue;
		put_str(b, n++ == 0 ? "{" : ",");
		put_str(b, names[i]);
		put_str(b, "=\"");
		put_esc(b, ESC_OM, values[i]);
		put(b, "\"", 1);
	}
	put_str(b, n > 0 ? "} " : " ");
}

/* The pool families, each with a sample per pool; every family whole
 * before the next, as OpenMetrics requires. */
static void
om_pools(struct buf *b, const struct status_pool *pools, int npools)
{
	struct field f[POOL_FIELDS];
	const struct family *fam;
	size_t i;
	int j;

	for (i = 0; i < NITEMS(pool_families); i++) {
		fam = &pool_families[i];
		om_family(b, fam);
		for (j = 0; j < npools; j++) {
			pool_fields(&pools[j], f);
			om_sample(b, fam, npools > 1 ? dash(pools[j].pool) :
			    NULL, NULL, NULL);
			if (fam->field < 0)
				put(b, "1", 1);
			else
				put_value(b, &f[fam->field], ESC_OM, 1);
			put(b, "\n", 1);
		}
	}
}

/* The process families, with a sample per process of every pool. */
static void
om_procs(struct buf *b, const struct status_pool *pools, int npools)
{
	struct field f[PROC_FIELDS];
	const struct family *fam;
	char pid[16];
	size_t i;
	int j, k;

	for (i = 0; i < NITEMS(proc_families); i++) {
		fam = &proc_families[i];
		om_family(b, fam);
		for (j = 0; j < npools; j++)
			for (k = 0; k < pools[j].nprocs; k++) {
				proc_fields(&pools[j].procs[k], f);
				snprintf(pid, sizeof(pid), "%d",
				    pools[j].procs[k].pid);
				om_sample(b, fam, npools > 1 ?
				    dash(pools[j].pool) : NULL, pid,
				    fam->field < 0 ? dash(f[RF_STATE].s) :
				    NULL);
				if (fam->field < 0)
					put(b, "1", 1);
				else
					put_value(b, &f[fam->field], ESC_OM, 1);
				put(b, "\n", 1);
			}
	}
}

static void
render_openmetrics(struct buf *b, const struct status_pool *pools,
    int npools, int full)
{
	om_pools(b, pools, npools);
	if (full)
		om_procs(b, pools, npools);
	put_str(b, "# EOF\n");
}

char *
status_render(const struct status_pool *pools, int npools,
    enum status_format fmt, int full, size_t *len)
{
	static void (*const render[])(struct buf *,
	    const struct status_pool *, int, int) = {
		[STATUS_TEXT] = render_text,
		[STATUS_JSON] = render_json,
		[STATUS_XML] = render_xml,
		[STATUS_HTML] = render_html,
		[STATUS_OPENMETRICS] = render_openmetrics,
	};
	struct buf b = { NULL, 0, 0, 0 };

	if ((unsigned)fmt >= NITEMS(render) || npools < 0 ||
	    (npools > 0 && pools == NULL)) {
		errno = EINVAL;
		return NULL;
	}
	put(&b, "", 0);
	render[fmt](&b, pools, npools, full);
	if (b.failed) {
		free(b.p);
		errno = ENOMEM;
		return NULL;
	}
	if (len != NULL)
		*len = b.len;
	return b.p;
}

/* Decode the byte at *s of a URL-encoded name ending at e, as PHP's
 * urldecode(): '+' is a space, %XX a byte, a '%' without two hex digits
 * itself.  Steps *s past it. */
static int
url_byte(const char **s, const char *e)
{
	const char *p = *s;
	char hex[3];

	if (*p == '%' && e - p >= 3 && isxdigit((unsigned char)p[1]) &&
	    isxdigit((unsigned char)p[2])) {
		memcpy(hex, p + 1, 2);
		hex[2] = '\0';
		*s = p + 3;
		return (int)strtol(hex, NULL, 16);
	}
	*s = p + 1;
	return *p == '+' ? ' ' : (unsigned char)*p;
}

/* Key the name [s, e) of a query pair as PHP keys it in $_GET, into key
 * (keylen bytes, NUL included): decoded, cut at a NUL, without leading
 * spaces, and "a[...]" keyed "a".  Returns the key's length, or -1 when
 * it cannot be a prefix of a word: longer than keylen - 1, or with a '['
 * that no ']' closes, which PHP turns into '_'.  (PHP also turns ' ' and
 * '.' into '_'; no word has either, so such a key fails all the same.) */
static int
query_key(const char *s, const char *e, char *key, size_t keylen)
{
	size_t n = 0;
	int c = 0, open = 0;

	while (s < e && (c = url_byte(&s, e)) != '\0') {
		if (open) {
			if (c == ']')
				break;
			continue;
		}
		if (c == ' ' && n == 0)
			continue;
		if (c == '[') {
			open = 1;
			continue;
		}
		if (n + 1 >= keylen)
			return -1;
		key[n++] = (char)c;
	}
	key[n] = '\0';
	if (open && c != ']')
		return -1;
	return (int)n;
}

/* Whether the query qs asks for word as php-fpm reads it: a key that is
 * a non-empty prefix of word, for it compares only the key's length. */
static int
asks_for(const char *qs, const char *word)
{
	const char *s = qs, *e, *eq;
	char key[16];
	int n;

	while (*s != '\0') {
		e = s + strcspn(s, "&");
		if ((eq = memchr(s, '=', (size_t)(e - s))) == NULL)
			eq = e;
		n = query_key(s, eq, key, sizeof(key));
		if (n > 0 && strncmp(key, word, (size_t)n) == 0)
			return 1;
		s = *e != '\0' ? e + 1 : e;
	}
	return 0;
}

void
status_parse_query(const char *qs, enum status_format *fmt, int *full)
{
	size_t i;

	*fmt = STATUS_TEXT;
	*full = 0;
	if (qs == NULL)
		return;
	if (*qs == '?')
		qs++;
	*full = asks_for(qs, "full");
	for (i = 0; i < NITEMS(format_words); i++)
		if (asks_for(qs, format_words[i].word)) {
			*fmt = format_words[i].fmt;
			return;
		}
}

const char *
status_content_type(enum status_format fmt)
{
	switch (fmt) {
	case STATUS_JSON:
		return "application/json";
	case STATUS_XML:
		return "text/xml;charset=UTF-8";
	case STATUS_HTML:
		return "text/html;charset=UTF-8";
	case STATUS_OPENMETRICS:
		return "application/openmetrics-text; version=1.0.0; "
		    "charset=utf-8";
	case STATUS_TEXT:
	default:
		return "text/plain;charset=UTF-8";
	}
}
