/*
 * identity.h - a worker takes its pool's identity.
 */
#ifndef FPM_IDENTITY_H
#define FPM_IDENTITY_H

#include <stddef.h>
#include <sys/types.h>

#include "conf.h"

/* In a freshly forked child: apply, in this order and each verified,
 * rlimits, priority, chroot and chdir, supplementary groups, gid, uid, the
 * environment, and drop every capability.  User and group changes are
 * skipped when not running as root.  Returns 0, or -1 with a message in
 * err: the caller must then exit, never run half-privileged. */
int identity_apply(const struct pool_conf *c, char *err, size_t errlen);

/* Look up a user (may be NULL: uid stays -1) and a group (NULL: the
 * user's group, or -1).  Returns 0, or -1 with a message in err. */
int identity_lookup(const char *user, const char *group, uid_t *uid,
    gid_t *gid, char *err, size_t errlen);

/* The app path as the worker sees it (inside its chroot). */
const char *identity_app_path(const struct pool_conf *c);

/* Whether the pool's workers, with the pool's identity, can read its app:
 * forks a child that takes the identity and tries.  Returns 0, or -1 with
 * the reason in err. */
int identity_check_app(const struct pool_conf *c, char *err, size_t errlen);

/* The master keeps only the capabilities it needs to run its pools (see
 * identity.c), dropping the rest from its effective and permitted sets.
 * A reload's exec starts from the full set of root again.  Returns 0, or
 * -1 with a message in err. */
int identity_master_caps(char *err, size_t errlen);

/* Note where the environment fpm was started with lies, first thing in
 * main, so that clear_env can wipe all of it in the workers. */
void identity_note_environ(void);

#endif
