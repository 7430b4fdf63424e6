/*
 * addr.h - listen addresses and client address lists, as php-fpm writes
 * them: "/run/app.sock", "127.0.0.1:9000", "[::1]:9000", "localhost:9000",
 * or a bare "9000" (every IPv4 address).
 */
#ifndef FPM_ADDR_H
#define FPM_ADDR_H

#include <stddef.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

struct addr {
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
		struct sockaddr_un un;
	} u;
	socklen_t len;
	char text[sizeof(struct sockaddr_un) + 16];	/* canonical form */
};

/* Parse a listen address.  A relative unix path is taken relative to base
 * (which may be NULL for "as given").  Returns 0, or -1 with a message in
 * err. */
int addr_parse(const char *s, const char *base, struct addr *a,
    char *err, size_t errlen);

int addr_is_unix(const struct addr *a);

/* Whether a and b cannot both be bound: the same unix path, or the same
 * port where the hosts match or either is the wildcard. */
int addr_clash(const struct addr *a, const struct addr *b);

/* Whether a is exactly the address sa (as getsockname(2) gives it). */
int addr_is(const struct addr *a, const struct sockaddr *sa, socklen_t len);

/* A list of client IP addresses (listen.allowed_clients). */
struct addr_list {
	size_t n;
	struct in6_addr ip[64];		/* IPv4 stored as v4-mapped */
};

/* Parse "127.0.0.1, ::1": comma separated IP literals.  Returns 0, or -1
 * with a message in err. */
int addr_list_parse(const char *s, struct addr_list *l, char *err,
    size_t errlen);

/* Whether the peer address sa is on the list. */
int addr_list_allows(const struct addr_list *l, const struct sockaddr *sa);

#endif
