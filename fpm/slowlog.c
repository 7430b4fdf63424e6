/*
 * slowlog.c - backtraces of slow requests, taken by the master with ptrace
 * and unwound with elfutils' libdw (function names, and file:line where
 * the code has debug information).
 *
 * The worker is stopped only for the dump: PTRACE_SEIZE (no signal sent),
 * PTRACE_INTERRUPT, wait for that stop, unwind, PTRACE_DETACH.  A system
 * call the stop interrupted is restarted by the kernel, so the request
 * goes on and completes as if nothing happened.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <elfutils/libdwfl.h>

#include "slowlog.h"

struct walk {
	Dwfl *dwfl;
	char *out;
	size_t len, cap;
	int depth, n;
};

static void
put(struct walk *w, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (w->len >= w->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(w->out + w->len, w->cap - w->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		w->len += (size_t)n < w->cap - w->len ? (size_t)n :
		    w->cap - w->len - 1;
}

/* One line per frame, as php-fpm's slow log:
 *   [0x00007f3a2b1c4e10] nanosleep() /lib/x86_64-linux-gnu/libc.so.6
 *   [0x000055d0c0a01234] slow_handler() sapi/examples/slow.c:21 */
static int
frame(Dwfl_Frame *f, void *arg)
{
	struct walk *w = arg;
	Dwarf_Addr pc, at;
	bool activation;
	Dwfl_Module *mod;
	const char *fn = NULL, *file = NULL, *modname = NULL;
	Dwfl_Line *line;
	int lineno = 0;

	if (w->n >= w->depth || !dwfl_frame_pc(f, &pc, &activation))
		return DWARF_CB_ABORT;
	at = activation ? pc : pc - 1;
	mod = dwfl_addrmodule(w->dwfl, at);
	if (mod != NULL) {
		fn = dwfl_module_addrname(mod, at);
		modname = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL,
		    &modname, NULL);
		if ((line = dwfl_module_getsrc(mod, at)) != NULL)
			file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL,
			    NULL);
	}
	put(w, "[0x%016llx] %s() ", (unsigned long long)pc, fn ? fn : "???");
	if (file != NULL)
		put(w, "%s:%d\n", file, lineno);
	else
		put(w, "%s\n", modname ? modname : "???");
	w->n++;
	return DWARF_CB_OK;
}

static const Dwfl_Callbacks callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
};

/* Unwind the stopped pid's main thread into w. */
static int
unwind(pid_t pid, struct walk *w)
{
	int rc = -1;

	w->dwfl = dwfl_begin(&callbacks);
	if (w->dwfl == NULL)
		return -1;
	if (dwfl_linux_proc_report(w->dwfl, pid) == 0 &&
	    dwfl_report_end(w->dwfl, NULL, NULL) == 0 &&
	    dwfl_linux_proc_attach(w->dwfl, pid, true) == 0) {
		dwfl_getthread_frames(w->dwfl, pid, frame, w);
		rc = w->n > 0 ? 0 : -1;
	}
	dwfl_end(w->dwfl);
	return rc;
}

/* Wait for the stop PTRACE_INTERRUPT asks for: it comes at once, or the
 * worker died meanwhile (its status goes to *exited). */
static int
wait_stop(pid_t pid, int *exited)
{
	int st;
	pid_t r;

	do
		r = waitpid(pid, &st, __WALL);
	while (r < 0 && errno == EINTR);
	if (r == pid && WIFSTOPPED(st))
		return 0;
	if (r == pid)
		*exited = st;
	return -1;
}

int
slowlog_trace(pid_t pid, int depth, char *out, size_t outlen,
    int *exited, char *err, size_t errlen)
{
	struct walk w = { .out = out, .cap = outlen, .depth = depth };
	int rc;

	*exited = -1;
	out[0] = '\0';
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) != 0) {
		int e = errno;

		snprintf(err, errlen, "ptrace(PTRACE_SEIZE, %d) failed: %s",
		    (int)pid, strerror(e));
		errno = e;
		return -1;
	}
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) != 0 ||
	    wait_stop(pid, exited) != 0) {
		snprintf(err, errlen, "could not stop %d for the trace",
		    (int)pid);
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
		errno = ESRCH;
		return -1;
	}
	rc = unwind(pid, &w);
	ptrace(PTRACE_DETACH, pid, NULL, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "unwinding %d failed: %s", (int)pid,
		    dwfl_errmsg(-1));
		errno = EIO;
	}
	return rc;
}
