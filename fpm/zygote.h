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
struct zygote;

/* Ask p's zygote, started first if need be, to fork a worker for c (its
 * pool, slot and request limit set); w are the write ends of c's output
 * pipes, or -1.  The answer comes as an event (zygote_answer), which adds
 * c as a worker or abandons it.  Returns 0 (asked: c is the zygote's), or
 * -1 (logged). */
int zygote_ask(struct master *m, struct pool *p, struct child *c,
    const int w[2]);

/* Whether p's zygote has a request out (one at a time), and for which
 * worker-to-be. */
int zygote_busy(const struct pool *p);
struct child *zygote_pending(const struct pool *p);

/* W_ZYGOTE: z's socket is readable. */
void zygote_answer(struct master *m, struct zygote *z);

/* Give up on answers not come by their deadline: those zygotes are
 * replaced. */
void zygote_timeouts(struct master *m, long long now);

/* Free the zygotes let go since the last call: at the top of the loop,
 * where no event of a batch can point at one. */
void zygote_collect(void);

/* A child of the master is gone: if it was a zygote, log it and forget
 * it (the next spawn starts another).  Returns 1 if it was one. */
int zygote_exited(struct master *m, pid_t pid, int status);

/* Let p's zygote go (it exits when its socket closes).  An answer it has
 * sent already is taken; a worker it forks later it kills. */
void zygote_stop(struct master *m, struct pool *p);

/* The PHP sapi module's path: $FPM_PHP_MODULE, else where make install
 * puts it, else beside the binary (an install moved with prefix=DIR, or
 * the build tree). */
const char *zygote_module_path(void);

#endif
