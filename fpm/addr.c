/*
 * addr.c - parsing of listen addresses and client lists.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "addr.h"
#include "path.h"

static int
parse_port(const char *s, int *port)
{
	char *end;
	long v;

	if (*s == '\0' || !isdigit((unsigned char)*s))
		return -1;
	v = strtol(s, &end, 10);
	if (*end != '\0' || v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

static int
parse_unix(const char *s, const char *base, struct addr *a, char *err,
    size_t errlen)
{
	char path[sizeof(a->u.un.sun_path) + 1];
	int n;

	if (s[0] == '/' || base == NULL)
		n = snprintf(path, sizeof(path), "%s", s);
	else
		n = snprintf(path, sizeof(path), "%s/%s", base, s);
	if (n < 0 || (size_t)n >= sizeof(a->u.un.sun_path)) {
		snprintf(err, errlen, "unix socket path '%s' is longer than %zu "
		    "bytes", s, sizeof(a->u.un.sun_path) - 1);
		return -1;
	}
	path_clean(path);
	n = (int)strlen(path);
	a->u.un.sun_family = AF_UNIX;
	memcpy(a->u.un.sun_path, path, (size_t)n + 1);
	a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	snprintf(a->text, sizeof(a->text), "%s", path);
	return 0;
}

static int
parse_inet(const char *host, int port, struct addr *a, char *err,
    size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
	    .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res;
	char portstr[8], ip[INET6_ADDRSTRLEN];
	int rc;

	snprintf(portstr, sizeof(portstr), "%d", port);
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc != 0) {
		snprintf(err, errlen, "cannot resolve '%s': %s", host,
		    gai_strerror(rc));
		return -1;
	}
	memcpy(&a->u, res->ai_addr, res->ai_addrlen);
	a->len = res->ai_addrlen;
	freeaddrinfo(res);
	if (a->u.sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &a->u.in6.sin6_addr, ip, sizeof(ip));
		snprintf(a->text, sizeof(a->text), "[%s]:%d", ip, port);
	} else {
		inet_ntop(AF_INET, &a->u.in.sin_addr, ip, sizeof(ip));
		snprintf(a->text, sizeof(a->text), "%s:%d", ip, port);
	}
	return 0;
}

int
addr_parse(const char *s, const char *base, struct addr *a, char *err,
    size_t errlen)
{
	char host[256];
	const char *colon;
	size_t hl;
	int port;

	memset(a, 0, sizeof(*a));
	if (*s == '\0') {
		snprintf(err, errlen, "empty address");
		return -1;
	}
	if (strspn(s, "0123456789") == strlen(s)) {
		if (parse_port(s, &port) != 0) {
			snprintf(err, errlen, "port %s is not in 1..65535", s);
			return -1;
		}
		return parse_inet("0.0.0.0", port, a, err, errlen);
	}
	if (s[0] == '[') {
		const char *close = strchr(s, ']');
		if (close == NULL || close[1] != ':' ||
		    parse_port(close + 2, &port) != 0) {
			snprintf(err, errlen, "'%s' is not '[IPv6]:port'", s);
			return -1;
		}
		hl = (size_t)(close - s - 1);
		if (hl >= sizeof(host))
			hl = sizeof(host) - 1;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		return parse_inet(host, port, a, err, errlen);
	}
	colon = strrchr(s, ':');
	if (colon == NULL || strchr(s, '/') != NULL)
		return parse_unix(s, base, a, err, errlen);
	if (parse_port(colon + 1, &port) != 0) {
		snprintf(err, errlen, "'%s' has no valid port (1-65535) after ':'",
		    s);
		return -1;
	}
	hl = (size_t)(colon - s);
	if (hl == 0 || hl >= sizeof(host)) {
		snprintf(err, errlen, "'%s' has no host before ':'", s);
		return -1;
	}
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (strcmp(host, "*") == 0)
		snprintf(host, sizeof(host), "0.0.0.0");
	return parse_inet(host, port, a, err, errlen);
}

int
addr_is_unix(const struct addr *a)
{
	return a->u.sa.sa_family == AF_UNIX;
}

/* The same port on the wildcard address and on a specific one of the same
 * family cannot both be bound. */
int
addr_clash(const struct addr *a, const struct addr *b)
{
	static const struct in6_addr any6 = IN6ADDR_ANY_INIT;

	if (a->u.sa.sa_family != b->u.sa.sa_family)
		return 0;
	switch (a->u.sa.sa_family) {
	case AF_UNIX:
		return strcmp(a->u.un.sun_path, b->u.un.sun_path) == 0;
	case AF_INET:
		return a->u.in.sin_port == b->u.in.sin_port &&
		    (a->u.in.sin_addr.s_addr == b->u.in.sin_addr.s_addr ||
		    a->u.in.sin_addr.s_addr == htonl(INADDR_ANY) ||
		    b->u.in.sin_addr.s_addr == htonl(INADDR_ANY));
	case AF_INET6:
		return a->u.in6.sin6_port == b->u.in6.sin6_port &&
		    (memcmp(&a->u.in6.sin6_addr, &b->u.in6.sin6_addr, 16) == 0 ||
		    memcmp(&a->u.in6.sin6_addr, &any6, 16) == 0 ||
		    memcmp(&b->u.in6.sin6_addr, &any6, 16) == 0);
	default:
		return 0;
	}
}

int
addr_is(const struct addr *a, const struct sockaddr *sa, socklen_t len)
{
	const struct sockaddr_un *un = (const struct sockaddr_un *)sa;
	const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;

	if (len < sizeof(sa_family_t) || a->u.sa.sa_family != sa->sa_family)
		return 0;
	switch (sa->sa_family) {
	case AF_UNIX:
		return len > offsetof(struct sockaddr_un, sun_path) &&
		    strncmp(a->u.un.sun_path, un->sun_path,
		    len - offsetof(struct sockaddr_un, sun_path)) == 0;
	case AF_INET:
		return len >= sizeof(*in) && a->u.in.sin_port == in->sin_port &&
		    a->u.in.sin_addr.s_addr == in->sin_addr.s_addr;
	case AF_INET6:
		return len >= sizeof(*in6) &&
		    a->u.in6.sin6_port == in6->sin6_port &&
		    memcmp(&a->u.in6.sin6_addr, &in6->sin6_addr, 16) == 0;
	default:
		return 0;
	}
}

/* IPv4 addresses are kept v4-mapped (::ffff:a.b.c.d), so one comparison
 * serves both families. */
static void
map_v4(const struct in_addr *v4, struct in6_addr *ip)
{
	memset(ip, 0, sizeof(*ip));
	ip->s6_addr[10] = 0xff;
	ip->s6_addr[11] = 0xff;
	memcpy(&ip->s6_addr[12], v4, 4);
}

static int
ip_parse(const char *s, struct in6_addr *ip)
{
	struct in_addr v4;

	if (inet_pton(AF_INET6, s, ip) == 1)
		return 0;
	if (inet_pton(AF_INET, s, &v4) != 1)
		return -1;
	map_v4(&v4, ip);
	return 0;
}

int
addr_list_parse(const char *s, struct addr_list *l, char *err, size_t errlen)
{
	char item[INET6_ADDRSTRLEN + 1];
	const char *p = s;

	l->n = 0;
	while (*p != '\0') {
		size_t len;

		p += strspn(p, ", \t");
		len = strcspn(p, ", \t");
		if (len == 0)
			break;
		if (len >= sizeof(item)) {
			snprintf(err, errlen, "'%.*s' is not an IP address",
			    (int)len, p);
			return -1;
		}
		memcpy(item, p, len);
		item[len] = '\0';
		if (l->n == sizeof(l->ip) / sizeof(l->ip[0])) {
			snprintf(err, errlen, "more than %zu addresses",
			    sizeof(l->ip) / sizeof(l->ip[0]));
			return -1;
		}
		if (ip_parse(item, &l->ip[l->n]) != 0) {
			snprintf(err, errlen, "'%s' is not an IP address", item);
			return -1;
		}
		l->n++;
		p += len;
	}
	return 0;
}

int
addr_list_allows(const struct addr_list *l, const struct sockaddr *sa)
{
	struct in6_addr ip;

	if (l->n == 0 || sa->sa_family == AF_UNIX)
		return 1;
	if (sa->sa_family == AF_INET6) {
		ip = ((const struct sockaddr_in6 *)sa)->sin6_addr;
	} else if (sa->sa_family == AF_INET) {
		map_v4(&((const struct sockaddr_in *)sa)->sin_addr, &ip);
	} else {
		return 0;
	}
	for (size_t i = 0; i < l->n; i++)
		if (memcmp(&l->ip[i], &ip, sizeof(ip)) == 0)
			return 1;
	return 0;
}
