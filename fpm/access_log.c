/*
 * access_log.c - formatting of access.format lines.  Pure: no I/O, no
 * globals; the caller writes the line.
 *
 * access_format_check() and access_format() read the format through the
 * same lexer, so a format that passes the check is formatted exactly as
 * it was checked.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "access_log.h"

/* php-fpm keeps at most 128 bytes between the braces. */
#define MODMAX		127

#define TIME_DEFAULT	"%d/%b/%Y:%H:%M:%S %z"

/* A modifier that picks a unit, and what that unit means to its code. */
struct unit {
	const char *name;
	long long kind;
};

enum { CPU_TOTAL, CPU_USER, CPU_SYSTEM };
enum { DUR_SECONDS, DUR_MILLI, DUR_MICRO };

/* The first entry of each list is the default. */
static const struct unit cpu_units[] = {
	{ "total", CPU_TOTAL }, { "user", CPU_USER },
	{ "system", CPU_SYSTEM }, { NULL, 0 }
};
static const struct unit duration_units[] = {
	{ "seconds", DUR_SECONDS },
	{ "milli", DUR_MILLI }, { "milliseconds", DUR_MILLI },
	{ "mili", DUR_MILLI }, { "miliseconds", DUR_MILLI },
	{ "micro", DUR_MICRO }, { "microseconds", DUR_MICRO }, { NULL, 0 }
};
/* For %M the kind is the divisor. */
static const struct unit memory_units[] = {
	{ "bytes", 1 },
	{ "kilo", 1024 }, { "kilobytes", 1024 },
	{ "mega", 1024 * 1024 }, { "megabytes", 1024 * 1024 }, { NULL, 0 }
};

enum brace {
	BRACE_NONE,	/* %{...}X is an error */
	BRACE_UNIT,	/* optional, one of units */
	BRACE_FREE,	/* optional, any text (a strftime format) */
	BRACE_NAME	/* required, any text (a param or header name) */
};

struct code {
	char c;
	enum brace brace;
	const struct unit *units;
	const char *param;	/* the FastCGI param the code prints, if any */
};

static const struct code codes[] = {
	{ '%', BRACE_NONE, NULL, NULL },
	{ 'C', BRACE_UNIT, cpu_units, NULL },
	{ 'd', BRACE_UNIT, duration_units, NULL },
	{ 'D', BRACE_UNIT, duration_units, NULL },
	{ 'e', BRACE_NAME, NULL, NULL },
	{ 'f', BRACE_NONE, NULL, "SCRIPT_FILENAME" },
	{ 'i', BRACE_NAME, NULL, NULL },
	{ 'l', BRACE_NONE, NULL, "CONTENT_LENGTH" },
	{ 'm', BRACE_NONE, NULL, "REQUEST_METHOD" },
	{ 'M', BRACE_UNIT, memory_units, NULL },
	{ 'n', BRACE_NONE, NULL, NULL },
	{ 'o', BRACE_NAME, NULL, NULL },
	{ 'p', BRACE_NONE, NULL, NULL },
	{ 'P', BRACE_NONE, NULL, NULL },
	{ 'q', BRACE_NONE, NULL, NULL },
	{ 'Q', BRACE_NONE, NULL, NULL },
	{ 'r', BRACE_NONE, NULL, "REQUEST_URI" },
	{ 'R', BRACE_NONE, NULL, "REMOTE_ADDR" },
	{ 's', BRACE_NONE, NULL, NULL },
	{ 't', BRACE_FREE, NULL, NULL },
	{ 'T', BRACE_FREE, NULL, NULL },
	{ 'u', BRACE_NONE, NULL, "REMOTE_USER" },
};

/* One piece of the format: a run of literal text, or a code. */
struct tok {
	const struct code *code;	/* NULL for literal text */
	const char *text;		/* the text, or the modifier */
	size_t len;
	long long kind;			/* the unit's kind, for BRACE_UNIT */
};

struct lexer {
	const char *fmt;
	const char *s;			/* the next token */
	char *err;
	size_t errlen;
};

/* The line being built.  cap keeps room for the '\n' and the NUL. */
struct line {
	char *p;
	size_t len;
	size_t cap;
};

/* Write "'<code as written>' at offset N: <why>" into err.  Returns -1. */
static int __attribute__((format(printf, 4, 5)))
fault(struct lexer *x, const char *start, const char *end, const char *why,
    ...)
{
	va_list ap;
	int n;

	n = snprintf(x->err, x->errlen, "'%.*s' at offset %zu: ",
	    (int)(end - start), start, (size_t)(start - x->fmt));
	if (n < 0 || (size_t)n >= x->errlen)
		return -1;
	va_start(ap, why);
	vsnprintf(x->err + n, x->errlen - (size_t)n, why, ap);
	va_end(ap);
	return -1;
}

static const struct code *
code_find(char c)
{
	size_t i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		if (codes[i].c == c)
			return &codes[i];
	return NULL;
}

/* The unit named by s (n bytes, case-insensitive); no name means the
 * first.  Returns its index, or -1. */
static int
unit_find(const struct unit *u, const char *s, size_t n)
{
	int i;

	if (n == 0)
		return 0;
	for (i = 0; u[i].name != NULL; i++)
		if (strlen(u[i].name) == n && strncasecmp(u[i].name, s, n) == 0)
			return i;
	return -1;
}

static void
unit_names(const struct unit *u, char *buf, size_t len)
{
	size_t used = 0;
	int i, n;

	buf[0] = '\0';
	for (i = 0; u[i].name != NULL && used < len; i++) {
		n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
		    u[i].name);
		if (n < 0)
			return;
		used += (size_t)n;
	}
}

/* Check the modifier t carries against what its code accepts; start..end
 * is the code as written, for messages. */
static int
lex_modifier(struct lexer *x, struct tok *t, const char *start,
    const char *end)
{
	char names[128];
	int i;

	switch (t->code->brace) {
	case BRACE_NONE:
		if (t->len > 0)
			return fault(x, start, end, "%%%c takes no modifier",
			    t->code->c);
		break;
	case BRACE_NAME:
		if (t->len == 0)
			return fault(x, start, end, "%%%c needs a name in "
			    "braces, as %%{NAME}%c", t->code->c, t->code->c);
		break;
	case BRACE_UNIT:
		if ((i = unit_find(t->code->units, t->text, t->len)) == -1) {
			unit_names(t->code->units, names, sizeof(names));
			return fault(x, start, end, "the modifier of %%%c must "
			    "be one of %s", t->code->c, names);
		}
		t->kind = t->code->units[i].kind;
		break;
	case BRACE_FREE:
		break;
	}
	return 0;
}

/* Read the code at x->s, which is a '%'. */
static int
lex_code(struct lexer *x, struct tok *t)
{
	const char *start = x->s, *s = x->s + 1, *close;

	if (*s == '{') {
		if ((close = strchr(s, '}')) == NULL)
			return fault(x, start, start + strlen(start),
			    "unterminated %%{");
		t->text = s + 1;
		t->len = (size_t)(close - t->text);
		if (t->len > MODMAX)
			return fault(x, start, start + 2, "the text between "
			    "braces is longer than %d bytes", MODMAX);
		s = close + 1;
	}
	if (*s == '\0')
		return fault(x, start, s, "no code letter follows");
	if ((t->code = code_find(*s)) == NULL) {
		if (isprint((unsigned char)*s))
			return fault(x, start, s + 1, "unknown code %%%c", *s);
		return fault(x, start, s, "unknown code byte 0x%02X",
		    (unsigned char)*s);
	}
	x->s = s + 1;
	return lex_modifier(x, t, start, x->s);
}

/* Read the token at x->s into t and step past it.  Returns 0, or -1 with
 * a message in x->err. */
static int
lex(struct lexer *x, struct tok *t)
{
	memset(t, 0, sizeof(*t));
	if (*x->s == '%')
		return lex_code(x, t);
	t->text = x->s;
	t->len = strcspn(x->s, "%\r\n");
	if (t->len == 0) {
		snprintf(x->err, x->errlen, "line break at offset %zu: it "
		    "would split the log line", (size_t)(x->s - x->fmt));
		return -1;
	}
	x->s += t->len;
	return 0;
}

int
access_format_uses(const char *fmt, char letter)
{
	char err[256];
	struct lexer x = { fmt, fmt, err, sizeof(err) };
	struct tok t;

	while (*x.s != '\0') {
		if (lex(&x, &t) == -1)
			return 0;
		if (t.code != NULL && t.code->c == letter)
			return 1;
	}
	return 0;
}

int
access_format_check(const char *fmt, char *err, size_t errlen)
{
	struct lexer x = { fmt, fmt, err, errlen };
	struct tok t;

	while (*x.s != '\0')
		if (lex(&x, &t) == -1)
			return -1;
	return 0;
}

/* Append n bytes of s, as many as fit. */
static void
put(struct line *l, const char *s, size_t n)
{
	if (n > l->cap - l->len)
		n = l->cap - l->len;
	memcpy(l->p + l->len, s, n);
	l->len += n;
}

static void __attribute__((format(printf, 2, 3)))
put_number(struct line *l, const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	put(l, buf, (size_t)n);
}

static int
unsafe(unsigned char c)
{
	return c < 0x20 || c == 0x7f || c == '\\';
}

/* Append s with unsafe bytes as \xHH.  An escape that does not fit whole
 * ends the line there, so a cut line never ends in half an escape. */
static void
put_escaped(struct line *l, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	char esc[4] = { '\\', 'x' };
	size_t n;

	while (*s != '\0') {
		for (n = 0; s[n] != '\0' && !unsafe((unsigned char)s[n]); n++)
			continue;
		put(l, s, n);
		s += n;
		if (*s == '\0')
			break;
		if (l->cap - l->len < sizeof(esc)) {
			l->cap = l->len;
			return;
		}
		esc[2] = hex[(unsigned char)*s >> 4];
		esc[3] = hex[(unsigned char)*s & 0x0f];
		put(l, esc, sizeof(esc));
		s++;
	}
}

/* An absent or empty value is written "-". */
static void
put_value(struct line *l, const char *v)
{
	if (v == NULL || *v == '\0')
		put(l, "-", 1);
	else
		put_escaped(l, v);
}

static const char *
param(const struct access_rec *r, const char *name)
{
	return r->param != NULL ? r->param(r->ctx, name) : NULL;
}

static void
put_cpu(struct line *l, long long kind, const struct access_rec *r)
{
	double cpu;

	if (kind == CPU_USER)
		cpu = r->cpu_user;
	else if (kind == CPU_SYSTEM)
		cpu = r->cpu_sys;
	else
		cpu = r->cpu_user + r->cpu_sys;
	/* A request too quick for the clock used no measurable CPU share. */
	put_number(l, "%.2f", r->duration > 0 ? 100. * cpu / r->duration : 0.);
}

static void
put_duration(struct line *l, long long kind, double d)
{
	if (kind == DUR_MILLI)
		put_number(l, "%.3f", d * 1e3);
	else if (kind == DUR_MICRO)
		put_number(l, "%.0f", d * 1e6);
	else
		put_number(l, "%.3f", d);
}

static void
put_time(struct line *l, const char *fmt, const struct timespec *ts)
{
	char buf[256];
	struct tm tm;
	time_t sec = ts->tv_sec;

	/* strftime() returns 0 both for "did not fit" and for an empty
	 * result: either way there is nothing to print. */
	if (localtime_r(&sec, &tm) == NULL ||
	    strftime(buf, sizeof(buf), *fmt != '\0' ? fmt : TIME_DEFAULT,
	    &tm) == 0)
		buf[0] = '\0';
	put_value(l, buf);
}

/* A request header reaches us as a param: User-Agent is HTTP_USER_AGENT. */
static void
put_request_header(struct line *l, const char *name,
    const struct access_rec *r)
{
	char key[sizeof("HTTP_") + MODMAX];
	size_t i;

	memcpy(key, "HTTP_", 5);
	for (i = 0; name[i] != '\0'; i++)
		key[5 + i] = name[i] == '-' ? '_' :
		    (char)toupper((unsigned char)name[i]);
	key[5 + i] = '\0';
	put_value(l, param(r, key));
}

static void
put_response_header(struct line *l, const char *name,
    const struct access_rec *r)
{
	char buf[4096];

	if (r->header == NULL ||
	    r->header(r->ctx, name, buf, sizeof(buf)) != 0)
		buf[0] = '\0';
	buf[sizeof(buf) - 1] = '\0';
	put_value(l, buf);
}

/* %q and %Q are meant to be used together ("%r%Q%q"), so no query string
 * prints nothing rather than "-". */
static void
put_query(struct line *l, char c, const struct access_rec *r)
{
	const char *v = param(r, "QUERY_STRING");

	if (v == NULL)
		return;
	if (c == 'q')
		put_escaped(l, v);
	else if (*v != '\0')
		put(l, "?", 1);
}

static void
put_code(struct line *l, const struct tok *t, const struct access_rec *r)
{
	char name[MODMAX + 1];

	name[0] = '\0';
	if (t->len > 0) {
		memcpy(name, t->text, t->len);
		name[t->len] = '\0';
	}
	if (t->code->param != NULL) {
		put_value(l, param(r, t->code->param));
		return;
	}
	switch (t->code->c) {
	case '%':
		put(l, "%", 1);
		break;
	case 'C':
		put_cpu(l, t->kind, r);
		break;
	case 'd':
		put_duration(l, t->kind, r->duration);
		break;
	case 'D':
		put_duration(l, t->kind, r->response_duration);
		break;
	case 'e':
		put_value(l, param(r, name));
		break;
	case 'i':
		put_request_header(l, name, r);
		break;
	case 'M':
		put_number(l, "%lld", r->memory / t->kind);
		break;
	case 'n':
		put_value(l, r->pool);
		break;
	case 'o':
		put_response_header(l, name, r);
		break;
	case 'p':
		put_number(l, "%ld", (long)r->pid);
		break;
	case 'P':
		put_number(l, "%ld", (long)r->ppid);
		break;
	case 'q':
	case 'Q':
		put_query(l, t->code->c, r);
		break;
	case 's':
		put_number(l, "%d", r->status);
		break;
	case 't':
	case 'T':
		put_time(l, name, t->code->c == 't' ? &r->start : &r->end);
		break;
	}
}

size_t
access_format(char *out, size_t outlen, const char *fmt,
    const struct access_rec *r)
{
	struct lexer x = { fmt, fmt, NULL, 0 };
	struct line l = { out, 0, outlen >= 2 ? outlen - 2 : 0 };
	struct tok t;

	if (outlen == 0)
		return 0;
	while (*x.s != '\0' && l.len < l.cap) {
		if (lex(&x, &t) == -1)
			break;
		if (t.code == NULL)
			put(&l, t.text, t.len);
		else
			put_code(&l, &t, r);
	}
	if (outlen >= 2)
		out[l.len++] = '\n';
	out[l.len] = '\0';
	return l.len;
}
