/* crash: dereferences NULL, so the worker dies on SIGSEGV. */
#include <fpm_app.h>

int
fpm_app_handle(fpm_request *req)
{
	volatile int *p = (volatile int *)0;

	(void)req;
	*p = 42;
	return 0;
}
