/*
 * response.c - a CGI script's response cut into status, headers and body.
 *
 * The header block ends at the first empty line, whatever line ending
 * it or the lines before it use ("\n\n", "\r\n\r\n", "\n\r\n"): what
 * follows is body, sent as is, so text in the body can never become a
 * header.  A header line that is not "token: value" with a value free of
 * control characters is dropped, so nothing the script writes can split
 * the FastCGI response's own header block either.
 */
#include "config.h"

#include <string.h>
#include <strings.h>

#include "response.h"

void
response_init(struct response *r, int nph)
{
	r->len = 0;
	r->line = 0;
	r->in_body = 0;
	r->nph = nph;
	r->status_set = 0;
	r->failed = 0;
}

int
response_head_end(const char *buf, size_t len, size_t *from, size_t *end,
    size_t *body_at)
{
	size_t p = *from;

	while (p < len) {
		const char *nl;

		if (buf[p] == '\n') {
			*end = p;
			*body_at = p + 1;
			return 1;
		}
		if (buf[p] == '\r' && p + 1 < len && buf[p + 1] == '\n') {
			*end = p;
			*body_at = p + 2;
			return 1;
		}
		if ((nl = memchr(buf + p, '\n', len - p)) == NULL)
			break;
		p = (size_t)(nl - buf) + 1;
	}
	*from = p;
	return 0;
}

/* RFC 7230's tchar: what a header name may be made of. */
static int
is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("!#$%&'*+-.^_`|~",
	    c) != NULL);
}

/* A status code: three digits, 100 to 599, then the end or a space. */
static int
status_code(const char *v)
{
	int code;

	if (v[0] < '1' || v[0] > '5' || v[1] < '0' || v[1] > '9' ||
	    v[2] < '0' || v[2] > '9' || (v[3] != '\0' && v[3] != ' '))
		return -1;
	code = (v[0] - '0') * 100 + (v[1] - '0') * 10 + (v[2] - '0');
	return code;
}

static void
set_status(struct response *r, const struct response_sink *s, int code)
{
	if (code < 0)
		return;
	r->status_set = 1;
	s->status(s->ctx, code);
}

/* One line of the header block, its line ending gone. */
static void
one_header(struct response *r, const struct response_sink *s, char *line)
{
	char *colon, *v, *e;

	if (r->nph && strncmp(line, "HTTP/", 5) == 0) {
		if ((v = strchr(line, ' ')) != NULL)
			set_status(r, s, status_code(v + 1));
		return;
	}
	for (colon = line; is_tchar((unsigned char)*colon); colon++)
		;
	if (colon == line || *colon != ':')
		return;		/* not a header */
	*colon = '\0';
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (e = v; *e != '\0'; e++)
		if (((unsigned char)*e < 0x20 && *e != '\t') || *e == 0x7f)
			return;	/* a control character: not a header */
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	if (strcasecmp(line, "Status") == 0)
		set_status(r, s, status_code(v));
	else if (strcasecmp(line, "Location") == 0 && v[0] == '/')
		/* RFC 3875's local redirect: the web server fetches that path
		 * itself, which nginx does for X-Accel-Redirect. */
		s->header(s->ctx, "X-Accel-Redirect", v);
	else if (strcasecmp(line, "Location") == 0 && v[0] != '\0') {
		if (!r->status_set)
			s->status(s->ctx, 302);	/* a client redirect */
		s->header(s->ctx, "Location", v);
	} else if (strcasecmp(line, "Location") != 0)
		s->header(s->ctx, line, v);
}

/* Every line of head[0..end). */
static void
parse_head(struct response *r, const struct response_sink *s, size_t end)
{
	char *p = r->head, *stop = r->head + end;

	while (p < stop) {
		char *nl = memchr(p, '\n', (size_t)(stop - p));

		if (nl == NULL)
			nl = stop;
		*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		if (*p != '\0')
			one_header(r, s, p);
		p = nl + 1;
	}
}

static void
body(struct response *r, const struct response_sink *s, const char *buf,
    size_t n)
{
	if (n > 0 && !r->failed && s->body(s->ctx, buf, n) < 0)
		r->failed = 1;
}

void
response_feed(struct response *r, const char *buf, size_t n,
    const struct response_sink *s)
{
	size_t take, end, body_at;

	if (r->in_body) {
		body(r, s, buf, n);
		return;
	}
	take = n < sizeof(r->head) - 1 - r->len ? n :
	    sizeof(r->head) - 1 - r->len;
	memcpy(r->head + r->len, buf, take);
	r->len += take;
	r->head[r->len] = '\0';
	if (!response_head_end(r->head, r->len, &r->line, &end, &body_at))
		return;		/* more headers to come, or too many */
	/* parse_head() cuts lines in place, inside [0, end) only: the body
	 * bytes after the empty line stay as they came. */
	parse_head(r, s, end);
	r->in_body = 1;
	body(r, s, r->head + body_at, r->len - body_at);
	body(r, s, buf + take, n - take);
}
