/* hello: the smallest app.  GET /hello -> "Hello World" */
#include <fpm_app.h>

int
fpm_app_handle(fpm_request *req)
{
	static const char body[] = "Hello World\n";

	fpm_header(req, "Content-Type", "text/plain");
	return fpm_write(req, body, sizeof(body) - 1) < 0 ? -1 : 0;
}
