/*
 * native.c - the native sapi: an app is a shared object exporting
 * fpm_app_handle (and optionally fpm_app_init / fpm_app_shutdown).
 *
 * It is loaded in the worker, after the worker has taken its pool's
 * identity, so the app's constructors already run as the pool's user.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>

#include "fpm_app.h"
#include "runtime.h"

static int (*app_handle)(fpm_request *);
static void (*app_shutdown)(void);

static int
native_init(const struct worker_conf *wc, char *err, size_t errlen)
{
	const char *app = wc->app;
	int (*init)(void);
	void *h;

	h = dlopen(app, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		snprintf(err, errlen, "cannot load app: %s", dlerror());
		return -1;
	}
	*(void **)&app_handle = dlsym(h, "fpm_app_handle");
	if (app_handle == NULL) {
		snprintf(err, errlen, "app %s does not export fpm_app_handle",
		    app);
		return -1;
	}
	*(void **)&init = dlsym(h, "fpm_app_init");
	*(void **)&app_shutdown = dlsym(h, "fpm_app_shutdown");
	if (init != NULL && init() != 0) {
		snprintf(err, errlen, "app %s: fpm_app_init() failed", app);
		return -1;
	}
	return 0;
}

static int
native_handle(struct fpm_request *req)
{
	return app_handle(req);
}

static void
native_shutdown(void)
{
	if (app_shutdown != NULL)
		app_shutdown();
}

const struct sapi_ops sapi_native = {
	.name = "native",
	.init = native_init,
	.handle = native_handle,
	.shutdown = native_shutdown,
};
