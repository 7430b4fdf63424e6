/*
 * snoop: hostile pool code looking for another pool.  ?n=HEX,HEX...
 * gives the needles hex-encoded (so that they are nowhere in this
 * worker's own memory but where it decodes them); it searches every
 * readable mapping of its own address space (process_vm_readv)
 * for each, and looks at each descriptor it holds.  One line per find:
 *   found N at ADDR in MAPPING     (needle N, 0-based)
 *   fd N: TARGET [bound to PATH]   (every descriptor, for the test)
 *   shared anonymous mapping LINE  (a scoreboard-like region)
 * then "scanned K bytes".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <fpm_app.h>

#define MAXN 4
#define CHUNK (1 << 20)
#define WINDOW (1UL << 30)

struct needles {
	int n;
	size_t len[MAXN];
	char s[MAXN][256];
};

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Decode "n=HEX,HEX" into nd (a mapping of its own, skipped by scan). */
static void
decode(const char *qs, struct needles *nd)
{
	const char *p = qs ? strstr(qs, "n=") : NULL;

	nd->n = 0;
	if (p == NULL)
		return;
	for (p += 2; *p != '\0' && *p != '&' && nd->n < MAXN; nd->n++) {
		size_t k = 0;

		while (hexval(p[0]) >= 0 && hexval(p[1]) >= 0 && k < 255) {
			nd->s[nd->n][k++] = (char)(hexval(p[0]) * 16 + hexval(p[1]));
			p += 2;
		}
		nd->len[nd->n] = k;
		if (*p == ',')
			p++;
		else if (*p != '\0' && *p != '&')
			break;
	}
}

static void
scan_chunk(fpm_request *req, unsigned long lo, unsigned long hi,
    const char *what, const struct needles *nd, char *buf,
    unsigned long long *total)
{
	for (unsigned long a = lo; a < hi; a += CHUNK - 256) {
		size_t want = hi - a < CHUNK ? hi - a : CHUNK;
		struct iovec l = { buf, want }, r = { (void *)a, want };
		ssize_t got = process_vm_readv(getpid(), &l, 1, &r, 1, 0);

		if (got <= 0)
			return;
		*total += (unsigned long long)got;
		for (int i = 0; i < nd->n; i++) {
			if (nd->len[i] == 0)
				continue;
			if (memmem(buf, (size_t)got, nd->s[i], nd->len[i]) != NULL)
				fpm_printf(req, "found %d at %#lx in %s\n", i, a, what);
		}
		if ((size_t)got < want || hi - a <= CHUNK)
			return;
	}
}

/* Read only the pages that are in memory (mincore): a page never
 * touched reads as zeros and holds nothing, and a sanitizer build
 * reserves terabytes of such shadow, too much to read.  (No swap on
 * the test machines; a swapped-out page would be missed.) */
static void
scan_range(fpm_request *req, unsigned long lo, unsigned long hi,
    const char *what, const struct needles *nd, char *buf,
    unsigned char *vec, unsigned long long *total)
{
	const unsigned long pg = (unsigned long)sysconf(_SC_PAGESIZE);

	for (unsigned long w = lo; w < hi; w += WINDOW) {
		unsigned long end = hi - w < WINDOW ? hi : w + WINDOW;
		unsigned long n = (end - w) / pg, i = 0;

		if (mincore((void *)w, end - w, vec) != 0) {
			scan_chunk(req, w, end, what, nd, buf, total);
			continue;
		}
		while (i < n) {
			unsigned long j;

			while (i < n && !(vec[i] & 1))
				i++;
			for (j = i; j < n && (vec[j] & 1); j++)
				;
			if (j > i)
				scan_chunk(req, w + i * pg, w + j * pg, what, nd,
				    buf, total);
			i = j;
		}
	}
}

/* Our own scratch mappings, which the kernel may have merged with a
 * neighbour. */
static int
holds(unsigned long lo, unsigned long hi, const void *p)
{
	return p != NULL && (unsigned long)p >= lo && (unsigned long)p < hi;
}

static void
scan_memory(fpm_request *req, const struct needles *nd, const void *skip1,
    const void *skip2)
{
	FILE *maps = fopen("/proc/self/maps", "re");
	char *buf = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *vec = mmap(NULL, WINDOW / 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long long total = 0;
	char line[512];

	if (maps == NULL || buf == MAP_FAILED || vec == MAP_FAILED) {
		fpm_printf(req, "cannot read my own memory\n");
		return;
	}
	while (fgets(line, sizeof(line), maps) != NULL) {
		unsigned long lo, hi;
		char perms[8];

		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 ||
		    perms[0] != 'r' || strstr(line, "[vvar") != NULL ||
		    strstr(line, "[vsyscall]") != NULL ||
		    holds(lo, hi, buf) || holds(lo, hi, vec) ||
		    holds(lo, hi, skip1) ||
		    holds(lo, hi, skip2))
			continue;
		if (perms[3] == 's' && (strstr(line, "/dev/zero") != NULL ||
		    strstr(line, "anon_shmem") != NULL || strstr(line, "memfd:")))
			fpm_printf(req, "shared anonymous mapping %s", line);
		line[strcspn(line, "\n")] = '\0';
		scan_range(req, lo, hi, line, nd, buf, vec, &total);
	}
	fpm_printf(req, "scanned %llu bytes\n", total);
	munmap(buf, CHUNK);
	munmap(vec, WINDOW / 4096);
	fclose(maps);
}

static void
list_fds(fpm_request *req)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[300], target[256];
		struct sockaddr_un sun;
		socklen_t sl = sizeof(sun);
		ssize_t n;
		int fd = atoi(e->d_name);

		if (e->d_name[0] == '.' || fd == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		memset(&sun, 0, sizeof(sun));
		if (getsockname(fd, (struct sockaddr *)&sun, &sl) == 0 &&
		    sun.sun_family == AF_UNIX && sun.sun_path[0] != '\0')
			fpm_printf(req, "fd %d: %s bound to %s\n", fd, target,
			    sun.sun_path);
		else
			fpm_printf(req, "fd %d: %s\n", fd, target);
	}
	closedir(d);
}

int
fpm_app_handle(fpm_request *req)
{
	struct needles *nd = mmap(NULL, sizeof(*nd), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (nd == MAP_FAILED)
		return -1;
	fpm_header(req, "Content-Type", "text/plain");
	decode(fpm_param(req, "QUERY_STRING"), nd);
	fpm_printf(req, "pid %d, %d needles\n", (int)getpid(), nd->n);
	list_fds(req);
	scan_memory(req, nd, nd, NULL);
	munmap(nd, sizeof(*nd));
	return 0;
}
