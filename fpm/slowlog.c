/*
 * slowlog.c - backtraces of slow requests, taken with ptrace and unwound
 * with elfutils' libdw (function names, and file:line where the code has
 * debug information).
 *
 * These run in a tracer: a child the master forks for one trace and
 * kills at a deadline (supervise.c), never in the master itself.  What
 * they read is the worker's: its memory (a page the worker backs with
 * userfaultfd or FUSE stalls a read until someone answers) and the files
 * its maps name; only a process the master can kill may wait on those.
 * The worker is stopped only for the dump: PTRACE_SEIZE (no signal
 * sent), PTRACE_INTERRUPT, wait for the stop, unwind, PTRACE_DETACH.  A
 * system call the stop interrupted is restarted by the kernel, so the
 * request goes on and completes as if nothing happened.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <elfutils/libdwfl.h>

#include "scoreboard.h"
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

/* ---- script frames (PHP), read from the stopped worker's memory -------- */

/* len bytes at addr in pid.  Returns 0 or -1. */
static int
peek(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };

	if (addr == 0)
		return -1;
	return process_vm_readv(pid, &local, 1, &remote, 1, 0) ==
	    (ssize_t)len ? 0 : -1;
}

static uint64_t
peek_ptr(pid_t pid, uint64_t addr)
{
	uintptr_t v = 0;

	return peek(pid, addr, &v, sizeof(v)) == 0 ? (uint64_t)v : 0;
}

/* A string of the engine's (length, then bytes), cut to fit, with
 * control characters made visible: the worker cannot forge lines. */
static const char *
peek_str(pid_t pid, uint64_t zs, const struct sb_stack_layout *l,
    char *out, size_t outlen)
{
	size_t len = 0;

	out[0] = '\0';
	if (zs == 0 || peek(pid, zs + l->str_len, &len, sizeof(len)) != 0)
		return out;
	if (len >= outlen)
		len = outlen - 1;
	if (peek(pid, zs + l->str_val, out, len) != 0)
		len = 0;
	out[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)out[i] < 0x20)
			out[i] = '?';
	return out;
}

/* Where frame ex was called from: the file and line its nearest calling
 * script frame is at. */
static void
call_site(pid_t pid, uint64_t ex, const struct sb_stack_layout *l,
    char *file, size_t filelen, unsigned *line)
{
	for (int guard = 0; ex != 0 && guard < 1000; guard++) {
		uint64_t fn = peek_ptr(pid, ex + l->frame_func);
		uint8_t type = 0;
		uint32_t ln = 0;

		if (fn != 0 && peek(pid, fn + l->func_type, &type, 1) == 0 &&
		    type == l->script_type) {
			if (peek(pid, peek_ptr(pid, ex + l->frame_op) + l->op_line,
			    &ln, sizeof(ln)) == 0)
				*line = ln;
			peek_str(pid, peek_ptr(pid, fn + l->func_file), l, file,
			    filelen);
			return;
		}
		ex = peek_ptr(pid, ex + l->frame_prev);
	}
}

/* php-fpm's lines, innermost first: each called function, with the file
 * and line it was called from; the script's top level is not a line. */
static void
script_frames(pid_t pid, const struct sb_stack_layout *l, struct walk *w)
{
	uint64_t ex = peek_ptr(pid, l->head);

	for (int n = 0; ex != 0 && n < w->depth; n++) {
		uint64_t fn = peek_ptr(pid, ex + l->frame_func);
		uint64_t prev = peek_ptr(pid, ex + l->frame_prev);
		char name[256], file[1024] = "???";
		unsigned line = 0;

		if (prev == 0)
			break;
		peek_str(pid, fn ? peek_ptr(pid, fn + l->func_name) : 0, l,
		    name, sizeof(name));
		call_site(pid, prev, l, file, sizeof(file), &line);
		put(w, "[0x%016llx] %s() %s:%u\n", (unsigned long long)ex,
		    name[0] ? name : "???", file[0] ? file : "???", line);
		ex = prev;
	}
}

/* The worker's mapped files are named by paths its pool's user may
 * change: open them without blocking and only if regular (a FIFO put in
 * an app's place would hold the master in open(2)).  Names that are no
 * path ([vdso], deleted files read from memory) go to libdwfl's own. */
static int
find_elf(Dwfl_Module *mod, void **userdata, const char *name,
    Dwarf_Addr base, char **file_name, Elf **elfp)
{
	struct stat st;
	const char *sp = strrchr(name, ' ');
	int fd;

	if (name[0] != '/' || (sp != NULL && strcmp(sp, " (deleted)") == 0))
		return dwfl_linux_proc_find_elf(mod, userdata, name, base,
		    file_name, elfp);
	fd = open(name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (*file_name = strdup(name)) == NULL) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Separate debug information only by build id, under the system's
 * directory: never in the app's own directory (the pool user's), never
 * through debuginfod (the network). */
static char *debuginfo_path = (char *)"/usr/lib/debug";

static const Dwfl_Callbacks callbacks = {
	.find_elf = find_elf,
	.find_debuginfo = dwfl_build_id_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
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

int
slowlog_seize(pid_t pid, char *err, size_t errlen)
{
	int e;

	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) != 0) {
		e = errno;
		snprintf(err, errlen, "ptrace(PTRACE_SEIZE, %d) failed: %s",
		    (int)pid, strerror(e));
		errno = e;
		return -1;
	}
	if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) != 0) {
		e = errno;
		snprintf(err, errlen, "ptrace(PTRACE_INTERRUPT, %d) failed: %s",
		    (int)pid, strerror(e));
		ptrace(PTRACE_DETACH, pid, NULL, NULL);
		errno = e;
		return -1;
	}
	return 0;
}

int
slowlog_wait(pid_t pid, int *status)
{
	pid_t r;

	do
		r = waitpid(pid, status, __WALL);
	while (r < 0 && errno == EINTR);
	return r == pid && WIFSTOPPED(*status) ? 1 : 0;
}

/* A stop that is the delivery of a signal keeps it for the worker;
 * PTRACE_INTERRUPT's own stop (and a group stop) carries none. */
static int
stop_signal(int status)
{
	return (status >> 16) == 0 && WSTOPSIG(status) != SIGTRAP ?
	    WSTOPSIG(status) : 0;
}

void
slowlog_release(pid_t pid, int status)
{
	ptrace(PTRACE_DETACH, pid, NULL,
	    (void *)(intptr_t)stop_signal(status));
}

int
slowlog_dump(pid_t pid, int status, const struct sb_stack_layout *stack,
    int depth, char *out, size_t outlen, char *err, size_t errlen)
{
	struct walk w = { .out = out, .cap = outlen, .depth = depth };
	int rc;

	out[0] = '\0';
	if (stack != NULL && stack->head != 0)
		script_frames(pid, stack, &w);
	rc = unwind(pid, &w);
	slowlog_release(pid, status);
	if (rc != 0) {
		snprintf(err, errlen, "unwinding %d failed: %s", (int)pid,
		    dwfl_errmsg(-1));
		errno = EIO;
	}
	return rc;
}
