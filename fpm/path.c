/*
 * path.c - textual path clean-up.
 */
#include "config.h"

#include <string.h>

#include "path.h"

void
path_clean(char *p)
{
	char *in = p, *out = p;

	while (*in != '\0') {
		if (in[0] == '/' && (in[1] == '/' || (in[1] == '.' &&
		    (in[2] == '/' || in[2] == '\0')))) {
			in += in[1] == '/' ? 1 : 2;
			continue;
		}
		*out++ = *in++;
	}
	*out = '\0';
	if (out - p > 1 && out[-1] == '/')
		out[-1] = '\0';
	if (*p == '\0' && in != p)
		strcpy(p, "/");
}
