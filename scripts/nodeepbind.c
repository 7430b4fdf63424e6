/*
 * nodeepbind.so: dlopen() without RTLD_DEEPBIND, preloaded by
 * scripts/sanitize into the sanitizer build's test runs.  Debian's libphp
 * loads PHP's shared extensions (opcache.so, ...) with RTLD_DEEPBIND,
 * which AddressSanitizer refuses ("incompatible with sanitizer runtime",
 * google/sanitizers#611): the PHP zygote would die at start-up.  Without
 * the flag an extension binds to the global malloc (ASan's), as PHP does
 * when it is itself built with -fsanitize=address.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

void *dlopen(const char *file, int flags);

void *
dlopen(const char *file, int flags)
{
	static void *(*next)(const char *, int);

	if (next == NULL)
		next = (void *(*)(const char *, int))dlsym(RTLD_NEXT, "dlopen");
	return next(file, flags & ~RTLD_DEEPBIND);
}
