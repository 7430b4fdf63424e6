/*
 * fuzz_conf - arbitrary bytes as an fpm.ini: conf_load (inih, the
 * directive table, includes), then conf_validate, then conf_free.  The
 * input goes to a file of this process's own under /tmp, since conf_load
 * reads a path.  An include of any path the input names is followed, to
 * the depth conf.c allows.
 */
#include "config.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"

static char path[64];

static void
remove_input(void)
{
	unlink(path);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (log_open("/dev/null") != 0)
		abort();
	snprintf(path, sizeof(path), "/tmp/fuzz_conf.%d.ini", (int)getpid());
	atexit(remove_input);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf *c;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	c = conf_load(path, NULL);
	if (c == NULL)
		abort();
	conf_validate(c, 0, 1);
	conf_free(c);
	return 0;
}
