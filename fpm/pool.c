/*
 * pool.c - pools and their listening sockets.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "identity.h"
#include "log.h"
#include "path.h"
#include "pm.h"
#include "listenq.h"
#include "pool.h"
#include "reload.h"
#include "scoreboard.h"
#include "sockfile.h"
#include "zygote.h"

/* Owner and mode of a unix socket, as php-fpm: owner defaults to the
 * master's user, group to the owner's group, mode to 0660.  Applied to
 * the socket's own file, never to what its path may lead to by now. */
static int
set_socket_perms(const struct pool_conf *c, int fd, char *err,
    size_t errlen)
{
	uid_t uid;
	gid_t gid;

	if (identity_lookup(c->listen_owner, c->listen_group, &uid, &gid, err,
	    errlen) != 0)
		return -1;
	return sockfile_set_perms(fd, c->listen_addr.u.un.sun_path, uid, gid,
	    (mode_t)c->listen_mode, err, errlen);
}

/* Remove the file of a socket fpm is closing, if it still is that
 * socket's: a file swapped in its place stays. */
void
pool_unlink_socket(int fd, const char *path)
{
	char err[512];

	if (sockfile_unlink(fd, path, err, sizeof(err)) != 0)
		log_warning("%s", err);
}

/* listen(2) again on a listening socket only changes its backlog. */
static int
listen_backlog(const struct pool_conf *c, int fd, char *err, size_t errlen)
{
	int backlog = c->listen_backlog < 0 ? 65535 : (int)c->listen_backlog;

	if (listen(fd, backlog) != 0) {
		snprintf(err, errlen, "listen(%s) failed: %s",
		    c->listen_addr.text, strerror(errno));
		return -1;
	}
	return 0;
}

int
pool_listen(const struct pool_conf *c, char *err, size_t errlen)
{
	const struct addr *a = &c->listen_addr;
	int fd, one = 1;
	mode_t old;

	if (addr_is_unix(a) && sockfile_clear_stale(a->u.un.sun_path, &a->u.sa,
	    a->len, err, errlen) != 0)
		return -1;
	fd = socket(a->u.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket() failed: %s", strerror(errno));
		return -1;
	}
	if (!addr_is_unix(a))
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (a->u.sa.sa_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	old = umask(0177);
	if (bind(fd, &a->u.sa, a->len) != 0) {
		snprintf(err, errlen, "bind(%s) failed: %s", a->text,
		    strerror(errno));
		umask(old);
		close(fd);
		return -1;
	}
	umask(old);
	if (addr_is_unix(a) && set_socket_perms(c, fd, err, errlen) != 0) {
		pool_unlink_socket(fd, a->u.un.sun_path);
		close(fd);
		return -1;
	}
	if (listen_backlog(c, fd, err, errlen) != 0) {
		if (addr_is_unix(a))
			pool_unlink_socket(fd, a->u.un.sun_path);
		close(fd);
		return -1;
	}
	return fd;
}

int
pool_adopt(const struct pool_conf *c, int fd, char *err, size_t errlen)
{
	/* The socket stays; what the new configuration says of it applies:
	 * owner, group and mode of a unix socket, and the backlog.  Workers
	 * need it non-blocking (systemd passes sockets blocking). */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
		snprintf(err, errlen, "fcntl(O_NONBLOCK) failed: %s",
		    strerror(errno));
		return -1;
	}
	if (addr_is_unix(&c->listen_addr)) {
		uid_t uid;
		gid_t gid;

		if (identity_lookup(c->listen_owner, c->listen_group, &uid,
		    &gid, err, errlen) != 0)
			return -1;
		/* A file swapped in the socket's place harms only this
		 * pool's own clients: logged, and the reload goes on. */
		if (sockfile_set_perms(fd, c->listen_addr.u.un.sun_path, uid,
		    gid, (mode_t)c->listen_mode, err, errlen) != 0)
			log_warning("[pool %s] %s", c->name, err);
	}
	return listen_backlog(c, fd, err, errlen);
}

/* (Re)open one of the pool's log files into *fdp; path NULL = none. */
static int
open_log(struct pool *p, const char *what, const char *path, int *fdp)
{
	int fd;

	if (path == NULL)
		return 0;
	/* never through a symlink, into a FIFO or a hard link: one planted
	 * in a log directory another user may write to would have us append
	 * to any file, or wait forever */
	fd = path_open_append(path);
	if (fd < 0) {
		log_alert("[pool %s] cannot open %s %s: %s", p->conf->name,
		    what, path, path_open_why(errno));
		return -1;
	}
	if (*fdp >= 0)
		close(*fdp);
	*fdp = fd;
	return 0;
}

static int
open_access_log(struct pool *p)
{
	return open_log(p, "access.log", p->conf->access_log, &p->access_fd) |
	    open_log(p, "slowlog", p->conf->slowlog, &p->slowlog_fd);
}

/* What a pool needs besides its socket: the scoreboard, with room for a
 * successor beside every worker that is leaving, and the access log. */
static int
pool_prepare(struct pool *p)
{
	p->access_fd = p->slowlog_fd = p->sb_fd[0] = p->sb_fd[1] = -1;
	p->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (p->wake_fd < 0) {
		log_alert("[pool %s] eventfd() failed: %s", p->conf->name,
		    strerror(errno));
		return -1;
	}
	p->sb = scoreboard_create((unsigned)p->conf->max_children * 2 + 1,
	    p->sb_fd);
	if (p->sb == NULL) {
		log_alert("[pool %s] cannot make the scoreboard (a sealed "
		    "memfd, reopened read-only through /proc): %s",
		    p->conf->name, strerror(errno));
		return -1;
	}
	if ((p->slot_used = calloc(p->sb->nslots, 1)) == NULL) {
		log_alert("[pool %s] out of memory", p->conf->name);
		return -1;
	}
	return open_access_log(p);
}

void
pools_sample(struct master *m)
{
	for (struct pool *p = m->pools; p != NULL; p = p->next) {
		struct listenq q;
		unsigned max;

		if (p->sb == NULL || p->listen_fd < 0 ||
		    listenq_read(p->listen_fd, &q) != 0)
			continue;
		max = atomic_load_explicit(&p->sb->max_listen_queue,
		    memory_order_relaxed);
		while (q.len > max && !atomic_compare_exchange_weak_explicit(
		    &p->sb->max_listen_queue, &max, q.len,
		    memory_order_relaxed, memory_order_relaxed))
			;
	}
}

int
pools_reopen_logs(struct master *m)
{
	int rc = 0;

	for (struct pool *p = m->pools; p != NULL; p = p->next)
		if (open_access_log(p) != 0)
			rc = -1;
	return rc;
}

/* The socket the previous master left on this address, else a new one. */
static int
pool_open(struct master *m, struct pool *p, char *err, size_t errlen)
{
	const struct pool_conf *c = p->conf;
	int fd = reload_take_socket(m, c->listen);

	if (fd >= 0) {
		p->listen_fd = fd;
		if (pool_adopt(c, fd, err, errlen) != 0)
			return -1;
		log_notice("[pool %s] listening on %s (kept)", c->name,
		    c->listen);
		return 0;
	}
	p->listen_fd = pool_listen(c, err, errlen);
	if (p->listen_fd < 0)
		return -1;
	log_notice("[pool %s] listening on %s", c->name, c->listen);
	return 0;
}

/* pm.status_listen: a hidden pool of one worker on its own address,
 * which answers only the status and ping pages of pool main, so that
 * they answer while main's workers are all busy. */
static struct pool *
status_pool(struct master *m, struct pool *main, char *err, size_t errlen)
{
	struct pool *p = calloc(1, sizeof(*p));
	struct pool_conf *c = malloc(sizeof(*c));

	if (p == NULL || c == NULL) {
		free(p);
		free(c);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	*c = *main->conf;		/* same name, user, chroot... */
	c->listen = c->status_listen;
	c->listen_addr = c->status_listen_addr;
	c->pm = PM_STATIC;
	c->max_children = 1;
	c->max_requests = c->max_memory = 0;
	c->access_log = c->slowlog = NULL;
	c->slowlog_timeout = c->request_terminate_timeout = 0;
	c->next = NULL;
	p->conf = c;
	p->pm = &pm_static;
	p->status_of = main;
	p->listen_fd = -1;
	if (pool_prepare(p) != 0 || pool_open(m, p, err, errlen) != 0)
		return NULL;
	return p;
}

int
pools_create(struct master *m)
{
	struct pool **tail = &m->pools;
	char err[512];

	for (struct pool_conf *c = m->conf->pools; c != NULL; c = c->next) {
		struct pool *p = calloc(1, sizeof(*p));

		if (p == NULL) {
			log_alert("[pool %s] out of memory", c->name);
			return -1;
		}
		p->conf = c;
		p->pm = pm_for(c->pm);
		p->listen_fd = -1;
		*tail = p;
		tail = &p->next;
		if (pool_prepare(p) != 0)
			return -1;
		if (pool_open(m, p, err, sizeof(err)) != 0) {
			log_alert("[pool %s] cannot listen on %s: %s", c->name,
			    c->listen, err);
			return -1;
		}
		if (c->status_listen == NULL)
			continue;
		if ((p->next = status_pool(m, p, err, sizeof(err))) == NULL) {
			log_alert("[pool %s] pm.status_listen %s: %s", c->name,
			    c->status_listen, err);
			return -1;
		}
		tail = &p->next->next;
	}
	return 0;
}

void
pools_close(struct master *m)
{
	for (struct pool *p = m->pools; p != NULL; p = p->next) {
		if (p->listen_fd < 0)
			continue;
		if (p->retiring && p->conf->listen && p->conf->listen[0] == '/')
			pool_unlink_socket(p->listen_fd, p->conf->listen);
		else if (!p->retiring && addr_is_unix(&p->conf->listen_addr))
			pool_unlink_socket(p->listen_fd,
			    p->conf->listen_addr.u.un.sun_path);
		close(p->listen_fd);
		p->listen_fd = -1;
	}
}

void
pools_free(struct master *m)
{
	while (m->pools != NULL) {
		struct pool *p = m->pools;

		zygote_stop(m, p);	/* before what it would release */
		m->pools = p->next;
		if (p->retiring) {
			free(p->conf->listen);
			free(p->conf->name);
		}
		if (p->retiring || p->status_of != NULL)
			free(p->conf);
		scoreboard_free(p->sb);
		for (int i = 0; i < 2; i++)
			if (p->sb_fd[i] >= 0)
				close(p->sb_fd[i]);
		free(p->slot_used);
		free(p);
	}
	zygote_collect();
}
