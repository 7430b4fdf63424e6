/*
 * zygote.h - per-pool parents that fork the workers of sapi = php pools.
 *
 * php-fpm starts the PHP engine once, in its master, as root: every pool,
 * whatever its user, then shares one module init and one opcache (php-src
 * #11723).  Here each PHP pool gets a zygote: a child of the master that
 * takes the pool's identity, loads the PHP sapi module and starts the
 * engine (php.ini, extensions, opcache) once, then forks the pool's
 * workers when the master asks.  Workers share compiled scripts copy-on-
 * write with their siblings, never with another pool.
 *
 * The zygote forks each worker through a middle process that exits at
 * once, and the master is the child subreaper: each worker is the
 * master's own child, reaped, signalled, traced and timed exactly as a
 * worker it forked itself, and the process managers do not know the
 * difference.  The zygote dies with the master (PR_SET_PDEATHSIG) and
 * leaves when the master closes its end of their socket.
 */
#ifndef FPM_ZYGOTE_H
#define FPM_ZYGOTE_H

#include <sys/types.h>

struct master;
struct pool;
struct child;

/* Fork a worker for c (its slot and request limit set) from p's zygote,
 * starting the zygote first if need be.  w are the write ends of c's
 * output pipes, or -1.  Returns the worker's pid, or -1 (logged). */
pid_t zygote_spawn(struct master *m, struct pool *p, const struct child *c,
    const int w[2]);

/* A child of the master is gone: if it was a zygote, log it and forget
 * it (the next spawn starts another).  Returns 1 if it was one. */
int zygote_exited(struct master *m, pid_t pid, int status);

/* Let p's zygote go (it exits when its socket closes). */
void zygote_stop(struct master *m, struct pool *p);

/* The PHP sapi module's path: $FPM_PHP_MODULE, else where make install
 * puts it, else beside the binary (an install moved with prefix=DIR, or
 * the build tree). */
const char *zygote_module_path(void);

#endif
