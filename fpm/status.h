/*
 * status.h - the status page (pm.status_path), as php-fpm renders it: the
 * same field names, order and number formats in each of its formats, so
 * that exporters and dashboards written for php-fpm read ours unchanged.
 * Pure: plain data in, text out; the caller gathers the numbers.
 *
 * Formats, chosen by the query string as php-fpm chooses them:
 *
 *   (none)	text, one "name:<pad>value" line per field, names padded to
 *		22 columns ("pool:                 www"); with full, each
 *		process follows as a blank line, "************************"
 *		and its fields
 *   json	one object; with full, a "processes" array of objects
 *   xml	<status>, an element per field; with full, <processes>
 *   html	an HTML5 page: a table per pool, with full a table of its
 *		processes, a refresh link and an auto-refresh selector
 *   openmetrics	OpenMetrics text, ending in "# EOF"
 *
 * Times are unix seconds in json and xml, local time as
 * "14/Nov/2023:22:13:20 +0000" in text and html.
 *
 * Where we differ from php-fpm, on purpose:
 *
 *  - Every string is escaped for its format: JSON strings (quotes,
 *    backslashes, control characters; bytes that are not UTF-8 become
 *    U+FFFD), XML and HTML text (& < > " ', with characters XML or HTML
 *    forbid, and bytes that are not UTF-8, as U+FFFD), OpenMetrics label
 *    values and help text.  php-fpm escapes the query string only, so a
 *    URI with a quote breaks its JSON.  In text, a control byte or a
 *    backslash in a value is written \xHH, so a value never spans lines.
 *  - html is an HTML5 page (php-fpm writes XHTML 1.0 without refresh).
 *  - openmetrics: counters carry the "_total" suffix the OpenMetrics
 *    specification requires of their samples: phpfpm_accepted_connections,
 *    phpfpm_max_children_reached and phpfpm_slow_requests are exposed as
 *    phpfpm_accepted_connections_total etc.  The high-water marks and the
 *    uptime that php-fpm types "counter" (phpfpm_start_since,
 *    phpfpm_max_listen_queue, phpfpm_max_active_processes) are gauges, so
 *    they keep php-fpm's names.  Every other name is php-fpm's.
 *  - openmetrics with full adds a family per process field after the
 *    pool's (php-fpm ignores full there, php-src issue #9494), each
 *    sample labelled with the worker's pid="...":
 *	phpfpm_process_state		gauge, 1, labelled state="Idle" etc.
 *	phpfpm_process_start_since	gauge, seconds
 *	phpfpm_process_requests		counter (samples ..._total)
 *	phpfpm_process_request_duration	gauge, µs, as "request duration"
 *	phpfpm_process_last_request_cpu	gauge, percent
 *	phpfpm_process_last_request_memory	gauge, bytes
 *    Where php-fpm_exporter has the metric, the name is its, which
 *    dashboards already use.  The state labels phpfpm_process_state only,
 *    so that a worker's other series stay one series as its state changes.
 *  - Any number of pools but one (fpmctl): text writes a block per pool,
 *    separated by a blank line; json an array of the objects; xml a
 *    <pools> root around the <status> elements; html a table per pool;
 *    openmetrics labels every sample pool="..." (one pool has no pool
 *    label, as in php-fpm).
 */
#ifndef FPM_STATUS_H
#define FPM_STATUS_H

#include <stddef.h>

/* One worker.  A NULL or empty string prints as "-", as php-fpm prints a
 * missing value. */
struct status_proc {
	int pid;
	const char *state;		/* "Idle", "Reading headers", "Running",
					 * "Finishing", "Ending", "Starting" */
	long long start_time;		/* unix seconds */
	long long start_since;		/* seconds */
	unsigned long long requests;	/* served so far */
	long long request_duration;	/* µs: the current request so far, or
					 * the last one's when idle */
	const char *request_method;
	const char *request_uri;	/* the path, without the query */
	const char *query_string;	/* printed as "?query" after the URI
					 * when not empty */
	long long content_length;
	const char *user;
	const char *script;
	/* Of the last request; php-fpm reports 0 for both while a request
	 * runs (they are measured at its end), and so should the caller. */
	double last_request_cpu;	/* percent */
	long long last_request_memory;	/* bytes */
};

struct status_pool {
	const char *pool;
	const char *process_manager;	/* "static", "dynamic", "ondemand" */
	long long start_time;		/* unix seconds */
	long long start_since;		/* seconds */
	unsigned long long accepted_conn;
	unsigned listen_queue;		/* connections waiting now */
	unsigned max_listen_queue;	/* the most ever seen waiting */
	unsigned listen_queue_len;	/* the queue's limit */
	int idle_processes;
	int active_processes;
	int total_processes;		/* idle + active, as php-fpm counts */
	int max_active_processes;
	unsigned long long max_children_reached;
	unsigned long long slow_requests;
	const struct status_proc *procs;	/* printed with full only */
	int nprocs;
};

enum status_format {
	STATUS_TEXT,
	STATUS_JSON,
	STATUS_XML,
	STATUS_HTML,
	STATUS_OPENMETRICS
};

/* Pick the format and full from a query string as php-fpm does, which
 * looks the words up in $_GET: the string is split at '&'; each name is
 * URL-decoded ('+' is a space, %XX a byte), cut at a NUL, stripped of
 * leading spaces, and cut at '[' when a ']' follows ("json[]" is "json").
 * Values are ignored ("json=0" asks for json).  A name counts for a word
 * when it is a non-empty prefix of the word, case-sensitively: php-fpm
 * compares only the name's length, so "j" is json and "f" is full.  When
 * several formats are asked for, html wins, then xml, json, openmetrics.
 * Anything else, NULL included, is text without full.
 *
 * Unlike php-fpm, one leading '?' is skipped, for callers that pass the
 * query part of a URI: a web server strips it before php-fpm sees it. */
void status_parse_query(const char *qs, enum status_format *fmt, int *full);

/* The Content-Type php-fpm sends for fmt (with PHP's default_charset
 * applied to text/ types, as PHP does). */
const char *status_content_type(enum status_format fmt);

/* Render npools pools (the page of one pool passes 1) in fmt, with their
 * processes when full is set.  Returns a malloc'd string, NUL-terminated,
 * that the caller frees, and its length (without the NUL) in *len when len
 * is not NULL; or NULL with errno ENOMEM, or EINVAL for an unknown fmt, a
 * negative npools, or pools NULL with npools > 0. */
char *status_render(const struct status_pool *pools, int npools,
    enum status_format fmt, int full, size_t *len);

#endif
