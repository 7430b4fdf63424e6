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

/* First thing after a reload's exec: take what the previous master
 * handed over (the checked configuration's files into m->handed, the
 * previous configuration's for a fall back, FPM_SOCKETS and FPM_WORKERS
 * as they came) out of the environment.  Returns 1 after a reload's
 * exec, else 0. */
int reload_received(struct master *m);

/* The new master cannot start: log why, and execute our binary again on
 * the previous configuration with everything handed over as it came,
 * so the previous pools go on serving.  Returns only when there is no
 * previous configuration or the exec failed (logged): then exit. */
void reload_fall_back(struct master *m, const char *why);

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
