/*
 * output.c - workers' stdout and stderr, cut into log lines.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "output.h"

/* Where output_decorate() writes: once a part does not fit, nothing more
 * is added, so the text is a prefix of the whole, cut between parts. */
struct sink {
	char	*p;
	size_t	 len, cap;	/* cap keeps a byte for the NUL */
	int	 full;
};

/* Emit the first limit bytes of the pending line as a continued piece. */
static void
cut(struct output_line *o, size_t limit, output_emit_fn emit, void *ctx)
{
	emit(ctx, o->buf, limit, 1);
	o->len -= limit;
	memmove(o->buf, o->buf + limit, o->len);
}

/* The pending line is complete: drop the '\r' of a "\r\n" and emit it. */
static void
end_line(struct output_line *o, size_t limit, output_emit_fn emit, void *ctx)
{
	if (o->len > 0 && o->buf[o->len - 1] == '\r')
		o->len--;
	/* Only if the limit shrank since the bytes came. */
	while (o->len > limit)
		cut(o, limit, emit, ctx);
	emit(ctx, o->buf, o->len, 0);
	o->len = 0;
}

/*
 * The pending line never holds more than limit bytes, but for one more
 * '\r' that may be the start of the "\r\n" ending it: a line of exactly
 * limit bytes ended by "\r\n" is one piece, not a full piece and an empty
 * one.  The cut waits for the byte after the limit, for the same reason.
 */
void
output_feed(struct output_line *o, const char *data, size_t n, size_t limit,
    output_emit_fn emit, void *ctx)
{
	if (limit == 0 || limit > OUTPUT_MAX)
		limit = OUTPUT_MAX;
	for (size_t i = 0; i < n; i++) {
		char c = data[i];

		if (c == '\n') {
			end_line(o, limit, emit, ctx);
			continue;
		}
		while (o->len > limit || (o->len == limit && c != '\r'))
			cut(o, limit, emit, ctx);
		o->buf[o->len++] = c;
	}
}

void
output_flush(struct output_line *o, output_emit_fn emit, void *ctx)
{
	if (o->len > 0)
		end_line(o, OUTPUT_MAX, emit, ctx);
}

/* Append n bytes of p, or as many as fit. */
static void
put(struct sink *s, const char *p, size_t n)
{
	if (s->full)
		return;
	if (n > s->cap - s->len) {
		n = s->cap - s->len;
		s->full = 1;
	}
	memcpy(s->p + s->len, p, n);
	s->len += n;
}

static void
put_str(struct sink *s, const char *p)
{
	put(s, p, strlen(p));
}

/* Append line, escaped by the log's one helper; an escape goes in whole
 * or not at all. */
static void
put_escaped(struct sink *s, const char *line, size_t len)
{
	size_t need = 0, n;

	if (s->full)
		return;
	for (size_t i = 0; i < len; i++)
		need += LOG_NEEDS_ESCAPE(line[i]) ? 4 : 1;
	/* cap keeps a byte for the NUL, which log_escape() writes */
	n = log_escape(s->p + s->len, s->cap - s->len + 1, line, len);
	s->len += n;
	if (n < need)
		s->full = 1;
}

size_t
output_decorate(char *out, size_t outlen, const char *pool, int pid,
    const char *stream, const char *line, size_t len, int flags)
{
	struct sink s = { out, 0, outlen > 0 ? outlen - 1 : 0, 0 };
	char num[24];

	if (outlen == 0)
		return 0;
	if (flags & OUTPUT_DECORATE) {
		snprintf(num, sizeof(num), "%d", pid);
		put_str(&s, "[pool ");
		put_str(&s, pool);
		put_str(&s, "] child ");
		put_str(&s, num);
		put_str(&s, " said into ");
		put_str(&s, stream);
		put_str(&s, ": \"");
	}
	put_escaped(&s, line, len);
	if (flags & OUTPUT_DECORATE) {
		put_str(&s, "\"");
		if (flags & OUTPUT_CONTINUED)
			put_str(&s, "...");
	}
	out[s.len] = '\0';
	return s.len;
}
