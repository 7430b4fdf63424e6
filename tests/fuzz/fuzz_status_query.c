/*
 * fuzz_status_query - arbitrary bytes as the status page's query string:
 * status_parse_query, then status_render of a small fixed pool in the
 * format it picked.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

static const struct status_proc procs[] = {
	{ .pid = 42, .state = "Running", .start_time = 1700000000,
	    .start_since = 60, .requests = 7, .request_duration = 1234,
	    .request_method = "GET", .request_uri = "/a\"b<c>&d",
	    .query_string = "x=1&y=\xff", .content_length = 0,
	    .user = NULL, .script = "/srv/www/index.php" },
	{ .pid = 43, .state = "Idle", .start_time = 1700000001,
	    .start_since = 59, .requests = 0, .request_method = "",
	    .last_request_cpu = 12.5, .last_request_memory = 2097152 },
};

static const struct status_pool pool = {
	.pool = "fuzz", .process_manager = "dynamic",
	.start_time = 1700000000, .start_since = 60, .accepted_conn = 7,
	.listen_queue = 1, .max_listen_queue = 3, .listen_queue_len = 511,
	.idle_processes = 1, .active_processes = 1, .total_processes = 2,
	.max_active_processes = 2, .procs = procs, .nprocs = 2,
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *qs = malloc(size + 1), *out;
	enum status_format fmt;
	size_t len = 0;
	int full;

	if (qs == NULL)
		abort();
	memcpy(qs, data, size);
	qs[size] = '\0';
	status_parse_query(qs, &fmt, &full);
	free(qs);
	if (fmt > STATUS_OPENMETRICS || (full != 0 && full != 1))
		abort();
	out = status_render(&pool, 1, fmt, full, &len);
	if (out == NULL || strlen(out) != len)
		abort();
	free(out);
	return 0;
}
