/* hello: the smallest app.  GET /hello -> "Hello World" */
#include <fpm_app.h>

int
fpm_app_handle(fpm_request *req)
{
	fpm_header(req, "Content-Type", "text/plain");
	return fpm_printf(req, "Hello World\n") < 0 ? -1 : 0;
}
