/*
 * path.h - textual path clean-up, so that two spellings of one path
 * compare equal.
 */
#ifndef FPM_PATH_H
#define FPM_PATH_H

/* In place: collapse repeated slashes, drop "/." components and a
 * trailing slash ("/" stays "/").  ".." is left alone: it may cross a
 * symbolic link. */
void path_clean(char *p);

#endif
