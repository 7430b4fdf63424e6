/*
 * path.h - textual path clean-up, so that two spellings of one path
 * compare equal; and opening the files the root master writes to in
 * directories others may write to.
 */
#ifndef FPM_PATH_H
#define FPM_PATH_H

/* In place: collapse repeated slashes, drop "/." components and a
 * trailing slash ("/" stays "/").  ".." is left alone: it may cross a
 * symbolic link. */
void path_clean(char *p);

/* Open (creating it 0640 if need be) the file at path for appending, as
 * the root master opens its logs in directories a pool user may write:
 * never through a symbolic link planted there (errno ELOOP), never a
 * FIFO, device or directory (ENOTSUP; opening does not wait for a FIFO's
 * reader), never one of several names of a file (EMLINK: a hard link to a
 * file of someone else's).  Returns the descriptor (O_CLOEXEC), or -1
 * with errno set; path_open_why(errno) says it in words. */
int path_open_append(const char *path);
/* Whether path_open_append(path) would take the file there now, without
 * creating it: 0, or -1 with errno (ENOENT: there is none). */
int path_check_append(const char *path);

/* Resolve path (symbolic links followed) into real, and check that no
 * one but root can change what it leads to: every directory above it is
 * root's and writable by no one else, or sticky with the entry in it
 * root's.  The directory itself may be anyone's.  For a chroot, which
 * must then be entered by real: a pool user who could rename a directory
 * above the jail could swap the jail for a link to /.  Returns 0, or -1
 * with a message in err. */
int path_resolve_trusted(const char *path, char *real, size_t reallen,
    char *err, size_t errlen);

/* The directory path lies in, opened once (O_PATH), so that what is
 * checked there and what is then done there by name (fstatat, unlinkat,
 * renameat) happen in one directory, whatever its path leads to by then.
 * *base points to path's last name.  Returns the descriptor, or -1 with
 * errno. */
int path_open_dir_of(const char *path, const char **base);

/* The reason path_open_append failed with errnum, for a log line. */
const char *path_open_why(int errnum);

#endif
