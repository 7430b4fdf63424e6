/* big: streams ?mb=N megabytes (default 1) of a repeating pattern. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fpm_app.h>

int
fpm_app_handle(fpm_request *req)
{
	const char *qs = fpm_param(req, "QUERY_STRING");
	const char *m = qs ? strstr(qs, "mb=") : NULL;
	long mb = m ? strtol(m + 3, NULL, 10) : 1;
	static char chunk[1 << 16];
	char len[32];

	if (mb < 0 || mb > 100000)
		mb = 1;
	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (char)('a' + i % 26);
	snprintf(len, sizeof(len), "%ld", mb << 20);
	fpm_header(req, "Content-Type", "application/octet-stream");
	fpm_header(req, "Content-Length", len);
	for (long i = 0; i < mb * 16; i++)
		if (fpm_write(req, chunk, sizeof(chunk)) < 0)
			return -1;
	return 0;
}
