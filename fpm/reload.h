/*
 * reload.h - SIGUSR2 and SIGHUP: a new configuration and binary, the same
 * listening sockets, no request cut.
 */
#ifndef FPM_RELOAD_H
#define FPM_RELOAD_H

#include "master.h"
#include "sd.h"

/* Check the configuration file again; if it is valid, hand the sockets
 * and workers over to a new execution of our binary (which does not
 * return).  Returns -1 when the running configuration stays (logged). */
int reload(struct master *m, const char *signame);

/* After a reload's exec, before the pools are created: the sockets the
 * previous master left (FPM_SOCKETS).  Returns 0 or -1. */
int reload_inherit_sockets(struct master *m);

/* At a first start: the n sockets systemd passed (sd_listen_sockets(),
 * taken before anything else opened a descriptor), matched to the pools
 * by address; the others are closed.  Frees socks.  Returns 0. */
int reload_inherit_activated(struct master *m, struct sd_socket *socks,
    int n);

/* The inherited socket listening on addr (a pool's listen text), or -1. */
int reload_take_socket(struct master *m, const char *addr);

/* After the pools are created: the previous master's workers
 * (FPM_WORKERS) become retiring pools; sockets nobody uses are closed.
 * Returns how many workers were adopted. */
int reload_adopt_workers(struct master *m);

/* Drop retiring pools whose workers are all gone, closing their sockets. */
void reload_gc(struct master *m);

/* Free the list of inherited sockets (their descriptors are the pools'
 * or closed by now), when the master exits. */
void reload_free(struct master *m);

#endif
