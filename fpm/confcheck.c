/*
 * confcheck.c - everything `fpm -t` checks, for start-up and for reload.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "confcheck.h"
#include "identity.h"
#include "zygote.h"

struct conf *
confcheck_load(const char *file, const char *prefix, int allow_root)
{
	struct conf *conf = conf_load(file, prefix);
	char err[512];

	if (conf == NULL)
		return NULL;
	if (conf->nerrors == 0)
		conf_validate(conf, geteuid() == 0, allow_root);
	for (struct pool_conf *p = conf->pools; conf->nerrors == 0 && p;
	    p = p->next)
		if (p->app != NULL && identity_check_app(p, err, sizeof(err)))
			conf_error(conf, conf_where(p, "app"), "[pool %s] %s",
			    p->name, err);
	for (struct pool_conf *p = conf->pools; conf->nerrors == 0 && p;
	    p = p->next)
		if (p->sapi == SAPI_PHP && access(zygote_module_path(), R_OK))
			conf_error(conf, conf_where(p, "sapi"), "[pool %s] the "
			    "PHP sapi module %s cannot be read: %s (is fpm "
			    "installed whole? FPM_PHP_MODULE names another)",
			    p->name, zygote_module_path(), strerror(errno));
	return conf;
}
