/*
 * pool.h - pools and their listening sockets.
 */
#ifndef FPM_POOL_H
#define FPM_POOL_H

#include "master.h"

/* Create a struct pool for every pool in m->conf and open its listening
 * socket.  Returns 0, or -1 after logging what failed. */
int pools_create(struct master *m);

/* Reopen every access log (SIGUSR1).  Returns 0, or -1 if one failed
 * (logged; that pool keeps its old file). */
int pools_reopen_logs(struct master *m);

/* Note each pool's listen queue in its scoreboard's "max listen queue"
 * (the status page reads the current one itself).  Once a second. */
void pools_sample(struct master *m);

/* Close every listening socket (and unlink unix socket files). */
void pools_close(struct master *m);

/* Free every pool, after pools_close when the master exits: its own
 * configuration (retiring and status pools), scoreboard, zygote link. */
void pools_free(struct master *m);

/* Open the listening socket of one pool.  Returns the descriptor, or -1
 * with a message in err. */
int pool_listen(const struct pool_conf *c, char *err, size_t errlen);

/* Take over fd, already listening on c's address (after a reload): apply
 * c's owner, group, mode and backlog.  Returns 0, or -1 with err. */
int pool_adopt(const struct pool_conf *c, int fd, char *err, size_t errlen);

/* Remove the file of the unix socket fd at path, before closing fd, if it
 * still is that socket's (sockfile_unlink); a warning if not. */
void pool_unlink_socket(int fd, const char *path);

#endif
