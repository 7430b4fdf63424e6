/*
 * confcheck.h - everything `fpm -t` checks, for start-up and for reload.
 */
#ifndef FPM_CONFCHECK_H
#define FPM_CONFCHECK_H

#include "conf.h"

/* Read file and check it the way a user would fix it: syntax and values,
 * then cross-checks, then what the master must open (error log, pid
 * file's directory -- pidfile, or the configuration's --, access logs,
 * slow logs, the -c php.ini) and the directories workers go to, then
 * whether each pool's user can read its app (a child takes the pool's
 * identity and tries).  Errors and warnings are
 * left in the conf for the caller to print or log.  NULL only when out of
 * memory.  With from (not NULL, not empty), the files are read from
 * there (the first is the main one), not from the disk. */
struct conf *confcheck_load(const char *file, const char *prefix,
    int allow_root, const char *pidfile, const struct php_cli *php,
    const struct conf_source *from);

#endif
