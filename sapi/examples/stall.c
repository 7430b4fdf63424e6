/*
 * stall: hostile pool code against the slow log's tracer.  ?s=N publishes,
 * as its script stack, a page that userfaultfd holds, then sleeps N
 * seconds: any read of that page from outside (process_vm_readv, as a
 * trace reads a stack) waits until the worker answers the fault, which it
 * never does.  A master that read it itself would wait for good, its
 * signals and its pools with it.  Answers "stalled N", or "no
 * userfaultfd: why" (unprivileged userfaultfd is the sysctl
 * vm.unprivileged_userfaultfd, 1 on many distributions).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <fpm_app.h>

#include "scoreboard.h"

/* the runtime's, as the PHP sapi calls it (sapi_host.h) */
void fpm_sapi_stack(const struct sb_stack_layout *layout);

/* A page whose first touch waits on uffd, registered on it; or NULL. */
static void *
held_page(int uffd)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	void *page;

	if (ioctl(uffd, UFFDIO_API, &api) != 0)
		return NULL;
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return NULL;
	reg.range.start = (uintptr_t)page;
	reg.range.len = 4096;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg) != 0) {
		munmap(page, 4096);
		return NULL;
	}
	return page;
}

int
fpm_app_handle(fpm_request *req)
{
	const char *qs = fpm_param(req, "QUERY_STRING");
	const char *s = qs ? strstr(qs, "s=") : NULL;
	struct sb_stack_layout l = { .frame_prev = 8, .func_name = 8 };
	struct timespec t = { s ? atoi(s + 2) : 10, 0 };
	int uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	void *page = uffd >= 0 ? held_page(uffd) : NULL;

	fpm_header(req, "Content-Type", "text/plain");
	if (page == NULL) {
		fpm_printf(req, "no userfaultfd: %s\n", strerror(errno));
		if (uffd >= 0)
			close(uffd);
		return 0;
	}
	l.head = (uintptr_t)page;
	fpm_sapi_stack(&l);
	while (nanosleep(&t, &t) != 0 && errno == EINTR)
		;
	l = (struct sb_stack_layout){ .head = 0 };
	fpm_sapi_stack(&l);
	close(uffd);		/* wakes any read still waiting */
	munmap(page, 4096);
	fpm_printf(req, "stalled %d\n", s ? atoi(s + 2) : 10);
	return 0;
}
