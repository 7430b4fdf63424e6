/*
 * pages.c - the pages a worker answers itself, as php-fpm's do: the status
 * page (pm.status_path) and the ping page (ping.path).
 *
 * The status page is read from the pool's scoreboard, which every worker
 * maps; the listen queue comes from the kernel, for unix sockets too.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "fpm_app.h"
#include "listenq.h"
#include "pages.h"
#include "scoreboard.h"
#include "status.h"

static const char *const state_names[] = {
	[SB_STARTING] = "Starting", [SB_IDLE] = "Idle",
	[SB_READING] = "Reading headers", [SB_RUNNING] = "Running",
	[SB_FINISHING] = "Finishing", [SB_ENDING] = "Ending",
};

/* The path a request asks for: SCRIPT_NAME as nginx passes it, else the
 * URI without its query. */
static int
asks_for(fpm_request *req, const char *path)
{
	const char *p, *uri;
	size_t n;

	if (path == NULL || path[0] == '\0')
		return 0;
	p = fpm_param(req, "SCRIPT_NAME");
	uri = fpm_param(req, "REQUEST_URI");
	n = strlen(path);
	if (p != NULL && *p != '\0')
		return strcmp(p, path) == 0;
	return uri != NULL && strncmp(uri, path, n) == 0 &&
	    (uri[n] == '\0' || uri[n] == '?');
}

static void
fill_proc(struct sb_slot *s, struct status_proc *p, long long now_us,
    long long mono_ms)
{
	char *q = strchr(s->uri, '?');
	int busy = s->state == SB_READING || s->state == SB_RUNNING ||
	    s->state == SB_FINISHING;

	memset(p, 0, sizeof(*p));
	p->pid = s->pid;
	p->state = s->state >= 0 && s->state <= SB_ENDING ?
	    state_names[s->state] : "Unknown";
	p->start_time = s->started_us / 1000000;
	p->start_since = (now_us - s->started_us) / 1000000;
	p->requests = s->requests;
	p->request_duration = busy ? (mono_ms - s->req_start_ms) * 1000 :
	    s->last_duration_us;
	if (q != NULL)		/* the query is printed from its own field */
		*q = '\0';
	p->request_method = s->method[0] ? s->method : "-";
	p->request_uri = s->uri[0] ? s->uri : "-";
	p->query_string = s->query;
	p->script = s->script[0] ? s->script : "-";
	p->user = s->user[0] ? s->user : "-";
	p->content_length = s->content_length;
	p->last_request_cpu = busy ? 0 : s->last_cpu;
	p->last_request_memory = busy ? 0 : s->last_memory;
}

/* A copy of every live slot, read once. */
static int
snapshot(const struct page_conf *pc, struct sb_slot *slots,
    struct status_proc *procs, struct status_pool *pool)
{
	const struct scoreboard *sb = pc->sb;
	long long now_us = clock_us(CLOCK_REALTIME);
	long long mono_ms = clock_us(CLOCK_MONOTONIC) / 1000;
	struct listenq q = { 0, 0 };
	int n = 0;

	for (unsigned i = 0; i < sb->nslots; i++) {
		if (scoreboard_read(&sb->slots[i], &slots[n]) != 0 ||
		    slots[n].pid <= 0)
			continue;
		fill_proc(&slots[n], &procs[n], now_us, mono_ms);
		pool->idle_processes += slots[n].state == SB_IDLE;
		pool->active_processes += slots[n].state >= SB_READING &&
		    slots[n].state <= SB_FINISHING;
		n++;
	}
	listenq_read(pc->queue_fd, &q);
	pool->pool = pc->pool;
	pool->process_manager = pc->pm;
	pool->start_time = sb->started_us / 1000000;
	pool->start_since = (now_us - sb->started_us) / 1000000;
	pool->accepted_conn = atomic_load(&sb->accepted);
	pool->listen_queue = q.len;
	pool->listen_queue_len = q.max;
	pool->max_listen_queue = atomic_load(&sb->max_listen_queue);
	if (q.len > pool->max_listen_queue)
		pool->max_listen_queue = q.len;
	pool->total_processes = pool->idle_processes + pool->active_processes;
	pool->max_active_processes = atomic_load(&sb->max_active);
	pool->max_children_reached = atomic_load(&sb->max_children_reached);
	pool->slow_requests = atomic_load(&sb->slow_requests);
	pool->procs = procs;
	pool->nprocs = n;
	return n;
}

char *
pages_status(const struct page_conf *pc, enum status_format fmt, int full,
    size_t *len)
{
	struct sb_slot *slots = calloc(pc->sb->nslots, sizeof(*slots));
	struct status_proc *procs = calloc(pc->sb->nslots, sizeof(*procs));
	struct status_pool pool = { 0 };
	char *body = NULL;

	if (slots != NULL && procs != NULL) {
		snapshot(pc, slots, procs, &pool);
		body = status_render(&pool, 1, fmt, full, len);
	}
	free(procs);
	free(slots);
	return body;
}

static int
status_page(fpm_request *req, const struct page_conf *pc)
{
	enum status_format fmt;
	char *body;
	size_t len = 0;
	int full, rc = -1;

	status_parse_query(fpm_param(req, "QUERY_STRING"), &fmt, &full);
	body = pages_status(pc, fmt, full, &len);
	if (body == NULL)
		goto out;
	fpm_header(req, "Content-Type", status_content_type(fmt));
	fpm_header(req, "Expires", "Thu, 01 Jan 1970 00:00:00 GMT");
	fpm_header(req, "Cache-Control",
	    "no-cache, no-store, must-revalidate, max-age=0");
	rc = fpm_write(req, body, len) < 0 ? -1 : 0;
out:
	free(body);
	return rc;
}

int
pages_serve(fpm_request *req, const struct page_conf *pc, int *rc)
{
	if (asks_for(req, pc->ping_path)) {
		fpm_header(req, "Content-Type", "text/plain");
		fpm_header(req, "Expires", "Thu, 01 Jan 1970 00:00:00 GMT");
		fpm_header(req, "Cache-Control",
		    "no-cache, no-store, must-revalidate, max-age=0");
		*rc = fpm_printf(req, "%s", pc->ping_response) < 0 ? -1 : 0;
		return 1;
	}
	if (pc->sb != NULL && asks_for(req, pc->status_path)) {
		*rc = status_page(req, pc);
		return 1;
	}
	if (pc->status_only) {
		/* pm.status_listen serves nothing else */
		fpm_set_status(req, 404);
		fpm_header(req, "Content-Type", "text/plain");
		*rc = fpm_printf(req, "404 Not Found\n") < 0 ? -1 : 0;
		return 1;
	}
	return 0;
}
