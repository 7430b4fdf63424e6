/*
 * test_status.c - the status page: php-fpm's layout in each format, with
 * and without full, escaping, several pools, and the query string.
 *
 * Where jq, xmllint or promtool is installed, the pages also go through
 * it; the tests that need one are skipped without it.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "status.h"

/* A URI and a query with every character some format must escape. */
#define NASTY_URI	"/x\"y<z&w\nv\\u"
#define NASTY_QUERY	"k=\"<&'"

static const struct status_proc two_procs[] = {
	{
		.pid = 101, .state = "Idle", .start_time = 1700000100,
		.start_since = 3500, .requests = 120,
		.request_duration = 1500, .request_method = "GET",
		.request_uri = "/index.php", .query_string = "a=1",
		.content_length = 0, .user = NULL,
		.script = "/srv/www/index.php", .last_request_cpu = 12.5,
		.last_request_memory = 2097152,
	},
	{
		.pid = 102, .state = "Running", .start_time = 1700000200,
		.start_since = 3400, .requests = 80,
		.request_duration = 250000, .request_method = "POST",
		.request_uri = "/upload.php", .query_string = "",
		.content_length = 4096, .user = "alice",
		.script = "/srv/www/upload.php",
	},
};

/* Pool www, started 2023-11-14 22:13:20 UTC, with two_procs. */
static struct status_pool
www(void)
{
	struct status_pool p = {
		.pool = "www", .process_manager = "dynamic",
		.start_time = 1700000000, .start_since = 3600,
		.accepted_conn = 1234, .listen_queue = 0,
		.max_listen_queue = 3, .listen_queue_len = 511,
		.idle_processes = 1, .active_processes = 1,
		.total_processes = 2, .max_active_processes = 2,
		.max_children_reached = 0, .slow_requests = 1,
		.procs = two_procs, .nprocs = 2,
	};

	return p;
}

/* Pool www with one process serving a request for NASTY_URI. */
static struct status_pool
www_nasty(struct status_proc *proc)
{
	struct status_pool p = www();

	*proc = two_procs[1];
	proc->request_uri = NASTY_URI;
	proc->query_string = NASTY_QUERY;
	p.procs = proc;
	p.nprocs = 1;
	return p;
}

/* Render, check the length given back, and return the page (to free). */
static char *
render(const struct status_pool *pools, int npools, enum status_format fmt,
    int full)
{
	size_t len = (size_t)-1;
	char *s;

	s = status_render(pools, npools, fmt, full, &len);
	assert_non_null(s);
	assert_int_equal(len, strlen(s));
	return s;
}

static char *
render_www(enum status_format fmt, int full)
{
	struct status_pool p = www();

	return render(&p, 1, fmt, full);
}

static int
have(const char *tool)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* Run the shell command cmd with in as its standard input; its standard
 * output and error into out.  Returns its exit status, or -1. */
static int
run(const char *cmd, const char *in, char *out, size_t outlen)
{
	char path[] = "/tmp/test_status.XXXXXX", line[512];
	size_t n;
	FILE *fp;
	int fd, st;

	assert_true((fd = mkstemp(path)) != -1);
	assert_int_equal(write(fd, in, strlen(in)), (ssize_t)strlen(in));
	close(fd);
	snprintf(line, sizeof(line), "%s < %s 2>&1", cmd, path);
	assert_non_null(fp = popen(line, "r"));
	n = fread(out, 1, outlen - 1, fp);
	out[n] = '\0';
	st = pclose(fp);
	unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Run cmd on in and expect it to succeed. */
static void
passes(const char *cmd, const char *in)
{
	char out[8192];
	int st;

	st = run(cmd, in, out, sizeof(out));
	if (st != 0)
		print_error("%s exited %d:\n%s\n", cmd, st, out);
	assert_int_equal(st, 0);
}

static int
om_name_char(int c, int first)
{
	return isalpha(c) || c == '_' || c == ':' || (!first && isdigit(c));
}

/* Check an escaped OpenMetrics string up to its end or an unescaped '"'.
 * Returns where it stopped, or NULL on a bad escape. */
static const char *
om_escaped(const char *s, const char *end)
{
	for (; s < end && *s != '"'; s++)
		if (*s == '\\' && (++s == end || strchr("\\\"n", *s) == NULL))
			return NULL;
	return s;
}

/* Check the labels of a sample, s at its '{'.  Returns the end, or NULL. */
static const char *
om_labels(const char *s, const char *end)
{
	const char *p;

	s++;
	while (s < end && *s != '}') {
		if (!isalpha((unsigned char)*s) && *s != '_')
			return NULL;
		for (p = s; p < end && (isalnum((unsigned char)*p) ||
		    *p == '_'); p++)
			continue;
		if (end - p < 2 || p[0] != '=' || p[1] != '"')
			return NULL;
		if ((p = om_escaped(p + 2, end)) == NULL || p == end)
			return NULL;
		s = p + 1;
		if (s < end && *s == ',')
			s++;
	}
	return s < end ? s + 1 : NULL;
}

/* Check one sample line [s, end) of family fam, of type type. */
static const char *
om_sample_line(const char *s, const char *end, const char *fam,
    const char *type)
{
	char name[128], value[64], *stop;
	const char *p;

	for (p = s; p < end && om_name_char((unsigned char)*p, p == s); p++)
		continue;
	if (p == s || (size_t)(p - s) >= sizeof(name))
		return "bad sample name";
	snprintf(name, sizeof(name), "%.*s", (int)(p - s), s);
	if (strcmp(type, "counter") == 0 ?
	    strncmp(name, fam, strlen(fam)) != 0 ||
	    strcmp(name + strlen(fam), "_total") != 0 :
	    strcmp(name, fam) != 0)
		return "sample name does not fit its family and type";
	if (p < end && *p == '{' && (p = om_labels(p, end)) == NULL)
		return "bad labels";
	if (p == end || *p != ' ' || end - p - 1 >= (long)sizeof(value))
		return "no value";
	snprintf(value, sizeof(value), "%.*s", (int)(end - p - 1), p + 1);
	strtod(value, &stop);
	if (*value == '\0' || *stop != '\0')
		return "value is not a number";
	return NULL;
}

/* A small OpenMetrics checker, for want of promtool: each family's HELP
 * and TYPE, then its samples, families unique, counters' samples named
 * <family>_total, labels and escapes as the ABNF has them, numbers, and
 * "# EOF" at the very end.  Returns NULL, or what is wrong. */
static const char *
om_check(const char *text)
{
	static char seen[4096];
	char fam[128] = "", type[32] = "", key[130];
	const char *s = text, *end, *why;

	seen[0] = '\0';
	for (; *s != '\0'; s = end + 1) {
		if ((end = strchr(s, '\n')) == NULL)
			return "last line without LF";
		if (strncmp(s, "# EOF\n", 6) == 0)
			return s[6] == '\0' ? NULL : "text after # EOF";
		if (sscanf(s, "# HELP %127s", fam) == 1) {
			snprintf(key, sizeof(key), " %s ", fam);
			if (strstr(seen, key) != NULL)
				return "family repeated";
			strncat(seen, key, sizeof(seen) - strlen(seen) - 1);
			if (om_escaped(s + 8 + strlen(fam), end) != end)
				return "bad help text";
			type[0] = '\0';
		} else if (strncmp(s, "# TYPE ", 7) == 0) {
			if (strncmp(s + 7, fam, strlen(fam)) != 0 ||
			    sscanf(s + 8 + strlen(fam), "%31s", type) != 1 ||
			    strstr(" gauge counter unknown ", type) == NULL)
				return "bad TYPE";
		} else if (*type == '\0')
			return "sample before its TYPE";
		else if ((why = om_sample_line(s, end, fam, type)) != NULL)
			return why;
	}
	return "no # EOF";
}

static void
is_openmetrics(const char *text)
{
	const char *why;

	if ((why = om_check(text)) != NULL)
		print_error("not OpenMetrics: %s\n%s\n", why, text);
	assert_null(why);
}

static const char text_golden[] =
    "pool:                 www\n"
    "process manager:      dynamic\n"
    "start time:           14/Nov/2023:22:13:20 +0000\n"
    "start since:          3600\n"
    "accepted conn:        1234\n"
    "listen queue:         0\n"
    "max listen queue:     3\n"
    "listen queue len:     511\n"
    "idle processes:       1\n"
    "active processes:     1\n"
    "total processes:      2\n"
    "max active processes: 2\n"
    "max children reached: 0\n"
    "slow requests:        1\n";

static const char text_procs_golden[] =
    "\n"
    "************************\n"
    "pid:                  101\n"
    "state:                Idle\n"
    "start time:           14/Nov/2023:22:15:00 +0000\n"
    "start since:          3500\n"
    "requests:             120\n"
    "request duration:     1500\n"
    "request method:       GET\n"
    "request URI:          /index.php?a=1\n"
    "content length:       0\n"
    "user:                 -\n"
    "script:               /srv/www/index.php\n"
    "last request cpu:     12.50\n"
    "last request memory:  2097152\n"
    "\n"
    "************************\n"
    "pid:                  102\n"
    "state:                Running\n"
    "start time:           14/Nov/2023:22:16:40 +0000\n"
    "start since:          3400\n"
    "requests:             80\n"
    "request duration:     250000\n"
    "request method:       POST\n"
    "request URI:          /upload.php\n"
    "content length:       4096\n"
    "user:                 alice\n"
    "script:               /srv/www/upload.php\n"
    "last request cpu:     0.00\n"
    "last request memory:  0\n";

static const char json_pool_golden[] =
    "{\"pool\":\"www\",\"process manager\":\"dynamic\","
    "\"start time\":1700000000,\"start since\":3600,"
    "\"accepted conn\":1234,\"listen queue\":0,\"max listen queue\":3,"
    "\"listen queue len\":511,\"idle processes\":1,"
    "\"active processes\":1,\"total processes\":2,"
    "\"max active processes\":2,\"max children reached\":0,"
    "\"slow requests\":1";

static const char json_procs_golden[] =
    ", \"processes\":["
    "{\"pid\":101,\"state\":\"Idle\",\"start time\":1700000100,"
    "\"start since\":3500,\"requests\":120,\"request duration\":1500,"
    "\"request method\":\"GET\",\"request uri\":\"/index.php?a=1\","
    "\"content length\":0,\"user\":\"-\","
    "\"script\":\"/srv/www/index.php\",\"last request cpu\":12.50,"
    "\"last request memory\":2097152},"
    "{\"pid\":102,\"state\":\"Running\",\"start time\":1700000200,"
    "\"start since\":3400,\"requests\":80,\"request duration\":250000,"
    "\"request method\":\"POST\",\"request uri\":\"/upload.php\","
    "\"content length\":4096,\"user\":\"alice\","
    "\"script\":\"/srv/www/upload.php\",\"last request cpu\":0.00,"
    "\"last request memory\":0}]";

static const char xml_pool_golden[] =
    "<?xml version=\"1.0\" ?>\n"
    "<status>\n"
    "<pool>www</pool>\n"
    "<process-manager>dynamic</process-manager>\n"
    "<start-time>1700000000</start-time>\n"
    "<start-since>3600</start-since>\n"
    "<accepted-conn>1234</accepted-conn>\n"
    "<listen-queue>0</listen-queue>\n"
    "<max-listen-queue>3</max-listen-queue>\n"
    "<listen-queue-len>511</listen-queue-len>\n"
    "<idle-processes>1</idle-processes>\n"
    "<active-processes>1</active-processes>\n"
    "<total-processes>2</total-processes>\n"
    "<max-active-processes>2</max-active-processes>\n"
    "<max-children-reached>0</max-children-reached>\n"
    "<slow-requests>1</slow-requests>\n";

static const char xml_procs_golden[] =
    "<processes>\n"
    "<process><pid>101</pid><state>Idle</state>"
    "<start-time>1700000100</start-time><start-since>3500</start-since>"
    "<requests>120</requests><request-duration>1500</request-duration>"
    "<request-method>GET</request-method>"
    "<request-uri>/index.php?a=1</request-uri>"
    "<content-length>0</content-length><user>-</user>"
    "<script>/srv/www/index.php</script>"
    "<last-request-cpu>12.50</last-request-cpu>"
    "<last-request-memory>2097152</last-request-memory></process>\n"
    "<process><pid>102</pid><state>Running</state>"
    "<start-time>1700000200</start-time><start-since>3400</start-since>"
    "<requests>80</requests><request-duration>250000</request-duration>"
    "<request-method>POST</request-method>"
    "<request-uri>/upload.php</request-uri>"
    "<content-length>4096</content-length><user>alice</user>"
    "<script>/srv/www/upload.php</script>"
    "<last-request-cpu>0.00</last-request-cpu>"
    "<last-request-memory>0</last-request-memory></process>\n"
    "</processes>\n";

static const char om_golden[] =
    "# HELP phpfpm_up Whether the pool could be reached.\n"
    "# TYPE phpfpm_up gauge\n"
    "phpfpm_up 1\n"
    "# HELP phpfpm_start_since The number of seconds since the pool "
    "started.\n"
    "# TYPE phpfpm_start_since gauge\n"
    "phpfpm_start_since 3600\n"
    "# HELP phpfpm_accepted_connections The number of requests the pool "
    "accepted.\n"
    "# TYPE phpfpm_accepted_connections counter\n"
    "phpfpm_accepted_connections_total 1234\n"
    "# HELP phpfpm_listen_queue The number of connections waiting to be "
    "accepted.\n"
    "# TYPE phpfpm_listen_queue gauge\n"
    "phpfpm_listen_queue 0\n"
    "# HELP phpfpm_max_listen_queue The most connections ever seen "
    "waiting to be accepted since the pool started.\n"
    "# TYPE phpfpm_max_listen_queue gauge\n"
    "phpfpm_max_listen_queue 3\n"
    "# HELP phpfpm_listen_queue_length The most connections the listen "
    "queue may hold.\n"
    "# TYPE phpfpm_listen_queue_length gauge\n"
    "phpfpm_listen_queue_length 511\n"
    "# HELP phpfpm_idle_processes The number of idle processes.\n"
    "# TYPE phpfpm_idle_processes gauge\n"
    "phpfpm_idle_processes 1\n"
    "# HELP phpfpm_active_processes The number of processes serving a "
    "request.\n"
    "# TYPE phpfpm_active_processes gauge\n"
    "phpfpm_active_processes 1\n"
    "# HELP phpfpm_total_processes The number of idle and active "
    "processes.\n"
    "# TYPE phpfpm_total_processes gauge\n"
    "phpfpm_total_processes 2\n"
    "# HELP phpfpm_max_active_processes The most processes ever active at "
    "once since the pool started.\n"
    "# TYPE phpfpm_max_active_processes gauge\n"
    "phpfpm_max_active_processes 2\n"
    "# HELP phpfpm_max_children_reached The number of times the process "
    "manager wanted more processes than pm.max_children allows.\n"
    "# TYPE phpfpm_max_children_reached counter\n"
    "phpfpm_max_children_reached_total 0\n"
    "# HELP phpfpm_slow_requests The number of requests that outlasted "
    "request_slowlog_timeout.\n"
    "# TYPE phpfpm_slow_requests counter\n"
    "phpfpm_slow_requests_total 1\n";

static void
text_format_matches_php_fpm_field_for_field(void **state)
{
	char *s = render_www(STATUS_TEXT, 0);

	(void)state;
	assert_string_equal(s, text_golden);
	free(s);
}

static void
text_format_with_full_lists_each_process_after_a_separator(void **state)
{
	char want[4096];
	char *s = render_www(STATUS_TEXT, 1);

	(void)state;
	snprintf(want, sizeof(want), "%s%s", text_golden, text_procs_golden);
	assert_string_equal(s, want);
	free(s);
}

static void
text_times_are_in_local_time(void **state)
{
	char *s;

	(void)state;
	setenv("TZ", "EET-2", 1);
	tzset();
	s = render_www(STATUS_TEXT, 0);
	setenv("TZ", "UTC", 1);
	tzset();
	assert_non_null(strstr(s, "start time:           "
	    "15/Nov/2023:00:13:20 +0200\n"));
	free(s);
}

static void
json_format_matches_php_fpm_byte_for_byte(void **state)
{
	char want[4096];
	char *s;

	(void)state;
	s = render_www(STATUS_JSON, 0);
	snprintf(want, sizeof(want), "%s}", json_pool_golden);
	assert_string_equal(s, want);
	free(s);
	s = render_www(STATUS_JSON, 1);
	snprintf(want, sizeof(want), "%s%s}", json_pool_golden,
	    json_procs_golden);
	assert_string_equal(s, want);
	free(s);
}

static void
json_with_full_and_no_processes_has_an_empty_array(void **state)
{
	struct status_pool p = www();
	char *s;

	(void)state;
	p.nprocs = 0;
	s = render(&p, 1, STATUS_JSON, 1);
	assert_non_null(strstr(s, "\"slow requests\":1, \"processes\":[]}"));
	free(s);
}

static void
json_pages_pass_jq(void **state)
{
	char *s;
	int full;

	(void)state;
	if (!have("jq"))	/* scripts/bootstrap installs it */
		fail_msg("jq is not installed: run scripts/bootstrap");
	for (full = 0; full <= 1; full++) {
		s = render_www(STATUS_JSON, full);
		passes("jq -e .", s);
		free(s);
	}
}

static void
xml_format_matches_php_fpm_byte_for_byte(void **state)
{
	char want[4096];
	char *s;

	(void)state;
	s = render_www(STATUS_XML, 0);
	snprintf(want, sizeof(want), "%s</status>", xml_pool_golden);
	assert_string_equal(s, want);
	free(s);
	s = render_www(STATUS_XML, 1);
	snprintf(want, sizeof(want), "%s%s</status>", xml_pool_golden,
	    xml_procs_golden);
	assert_string_equal(s, want);
	free(s);
}

static void
xml_pages_pass_xmllint(void **state)
{
	char *s;
	int full;

	(void)state;
	if (!have("xmllint"))	/* scripts/bootstrap installs it */
		fail_msg("xmllint is not installed: run scripts/bootstrap");
	for (full = 0; full <= 1; full++) {
		s = render_www(STATUS_XML, full);
		passes("xmllint --noout -", s);
		free(s);
	}
}

static void
html_page_has_a_row_per_pool_field(void **state)
{
	char *s = render_www(STATUS_HTML, 0);

	(void)state;
	assert_true(strncmp(s, "<!DOCTYPE html>\n<html lang=\"en\">", 32) == 0);
	assert_non_null(strstr(s, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(s,
	    "<tr><th scope=\"row\">pool</th><td>www</td></tr>\n"));
	assert_non_null(strstr(s, "<tr><th scope=\"row\">start time</th>"
	    "<td>14/Nov/2023:22:13:20 +0000</td></tr>\n"));
	assert_non_null(strstr(s, "<tr><th scope=\"row\">slow requests</th>"
	    "<td>1</td></tr>\n</tbody>\n</table>\n"));
	assert_null(strstr(s, ">pid</th>"));
	assert_non_null(strstr(s, "<a href=\"?html\">refresh</a>"));
	assert_non_null(strstr(s, "<select id=\"refresh\">"));
	assert_true(strcmp(s + strlen(s) - 16, "</body>\n</html>\n") == 0);
	free(s);
}

static void
html_page_with_full_has_a_row_per_process(void **state)
{
	char *s = render_www(STATUS_HTML, 1);

	(void)state;
	assert_non_null(strstr(s, "<thead>\n<tr><th scope=\"col\">pid</th>"
	    "<th scope=\"col\">state</th><th scope=\"col\">start time</th>"
	    "<th scope=\"col\">start since</th>"
	    "<th scope=\"col\">requests</th>"
	    "<th scope=\"col\">request duration</th>"
	    "<th scope=\"col\">request method</th>"
	    "<th scope=\"col\">request uri</th>"
	    "<th scope=\"col\">content length</th>"
	    "<th scope=\"col\">user</th><th scope=\"col\">script</th>"
	    "<th scope=\"col\">last request cpu</th>"
	    "<th scope=\"col\">last request memory</th></tr>\n"
	    "</thead>\n"));
	assert_non_null(strstr(s, "<tr><td>101</td><td>Idle</td>"
	    "<td>14/Nov/2023:22:15:00 +0000</td><td>3500</td><td>120</td>"
	    "<td>1500</td><td>GET</td><td>/index.php?a=1</td><td>0</td>"
	    "<td>-</td><td>/srv/www/index.php</td><td>12.50</td>"
	    "<td>2097152</td></tr>\n"));
	assert_non_null(strstr(s, "<tr><td>102</td><td>Running</td>"));
	assert_non_null(strstr(s, "<a href=\"?html&amp;full\">refresh</a>"));
	free(s);
}

static void
html_pages_parse_without_errors(void **state)
{
	char *s;
	int full;

	(void)state;
	if (!have("xmllint"))	/* scripts/bootstrap installs it */
		fail_msg("xmllint is not installed: run scripts/bootstrap");
	for (full = 0; full <= 1; full++) {
		s = render_www(STATUS_HTML, full);
		passes("xmllint --html --noout -", s);
		free(s);
	}
}

static void
openmetrics_keeps_php_fpm_names_with_total_on_counters(void **state)
{
	char want[4096];
	char *s = render_www(STATUS_OPENMETRICS, 0);

	(void)state;
	snprintf(want, sizeof(want), "%s# EOF\n", om_golden);
	assert_string_equal(s, want);
	is_openmetrics(s);
	free(s);
}

static void
openmetrics_with_full_adds_a_family_per_process_field(void **state)
{
	char *s = render_www(STATUS_OPENMETRICS, 1);

	(void)state;
	assert_true(strncmp(s, om_golden, strlen(om_golden)) == 0);
	assert_non_null(strstr(s, "# TYPE phpfpm_process_state gauge\n"
	    "phpfpm_process_state{pid=\"101\",state=\"Idle\"} 1\n"
	    "phpfpm_process_state{pid=\"102\",state=\"Running\"} 1\n"));
	assert_non_null(strstr(s,
	    "phpfpm_process_start_since{pid=\"101\"} 3500\n"));
	assert_non_null(strstr(s, "# TYPE phpfpm_process_requests counter\n"
	    "phpfpm_process_requests_total{pid=\"101\"} 120\n"
	    "phpfpm_process_requests_total{pid=\"102\"} 80\n"));
	assert_non_null(strstr(s,
	    "phpfpm_process_request_duration{pid=\"102\"} 250000\n"));
	assert_non_null(strstr(s,
	    "phpfpm_process_last_request_cpu{pid=\"101\"} 12.50\n"));
	assert_non_null(strstr(s,
	    "phpfpm_process_last_request_memory{pid=\"101\"} 2097152\n"));
	assert_true(strcmp(s + strlen(s) - 6, "# EOF\n") == 0);
	is_openmetrics(s);
	free(s);
}

/* promtool check metrics reads the Prometheus text format, where a
 * family's HELP names its samples; OpenMetrics names a counter's family
 * without the "_total" its samples carry, so promtool parses the page but
 * reports "<family>_total no help text" (exit 3) for every counter.  That
 * and nothing else is allowed. */
static void
promtool_accepts(const char *page)
{
	char out[4096], type[160], *line, *save;
	int st;

	st = run("promtool check metrics", page, out, sizeof(out));
	if (st != 0 && st != 3)
		print_error("promtool exited %d:\n%s\n", st, out);
	assert_true(st == 0 || st == 3);
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		snprintf(type, sizeof(type), "# TYPE %.*s counter\n",
		    (int)strcspn(line, " ") - 6, line);
		if (strstr(line, "_total no help text") == NULL ||
		    strstr(page, type) == NULL)
			print_error("promtool: %s\n", line);
		assert_non_null(strstr(line, "_total no help text"));
		assert_non_null(strstr(page, type));
	}
}

static void
openmetrics_pages_pass_promtool(void **state)
{
	char *s;
	int full;

	(void)state;
	if (!have("promtool"))	/* scripts/bootstrap installs it */
		fail_msg("promtool is not installed: run scripts/bootstrap");
	for (full = 0; full <= 1; full++) {
		s = render_www(STATUS_OPENMETRICS, full);
		promtool_accepts(s);
		free(s);
	}
}

static void
text_shows_a_nasty_uri_on_one_line(void **state)
{
	struct status_proc proc;
	struct status_pool p = www_nasty(&proc);
	char *s = render(&p, 1, STATUS_TEXT, 1);

	(void)state;
	assert_non_null(strstr(s, "\nrequest URI:          "
	    "/x\"y<z&w\\x0Av\\x5Cu?k=\"<&'\ncontent length:"));
	free(s);
}

static void
json_escapes_a_nasty_uri(void **state)
{
	struct status_proc proc;
	struct status_pool p = www_nasty(&proc);
	char out[256];
	char *s = render(&p, 1, STATUS_JSON, 1);

	(void)state;
	assert_non_null(strstr(s, "\"request uri\":"
	    "\"/x\\\"y<z&w\\nv\\\\u?k=\\\"<&'\","));
	if (have("jq")) {
		assert_int_equal(run("jq -j '.processes[0][\"request uri\"]'",
		    s, out, sizeof(out)), 0);
		assert_string_equal(out, NASTY_URI "?" NASTY_QUERY);
	}
	free(s);
}

static void
xml_escapes_a_nasty_uri(void **state)
{
	struct status_proc proc;
	struct status_pool p = www_nasty(&proc);
	char out[256];
	char *s = render(&p, 1, STATUS_XML, 1);

	(void)state;
	assert_non_null(strstr(s, "<request-uri>/x&quot;y&lt;z&amp;w&#10;v\\u"
	    "?k=&quot;&lt;&amp;&#39;</request-uri>"));
	if (have("xmllint")) {
		assert_int_equal(run("xmllint --xpath "
		    "'string(//process[1]/request-uri)' -", s, out,
		    sizeof(out)), 0);
		/* xmllint ends what it prints with a newline of its own */
		assert_int_equal(out[strlen(out) - 1], '\n');
		out[strlen(out) - 1] = '\0';
		assert_string_equal(out, NASTY_URI "?" NASTY_QUERY);
	}
	free(s);
}

static void
html_escapes_a_nasty_uri(void **state)
{
	struct status_proc proc;
	struct status_pool p = www_nasty(&proc);
	char *s = render(&p, 1, STATUS_HTML, 1);

	(void)state;
	assert_non_null(strstr(s, "<td>/x&quot;y&lt;z&amp;w&#10;v\\u"
	    "?k=&quot;&lt;&amp;&#39;</td>"));
	assert_null(strstr(s, "<z"));
	if (have("xmllint"))
		passes("xmllint --html --noout -", s);
	free(s);
}

static void
openmetrics_escapes_a_nasty_pool_name_and_shows_no_uri(void **state)
{
	struct status_proc proc;
	struct status_pool p[2];
	char *s;

	(void)state;
	p[0] = www_nasty(&proc);
	p[1] = www();
	p[1].pool = NASTY_URI;
	s = render(p, 2, STATUS_OPENMETRICS, 1);
	assert_non_null(strstr(s,
	    "phpfpm_up{pool=\"/x\\\"y<z&w\\nv\\\\u\"} 1\n"));
	assert_non_null(strstr(s, "phpfpm_process_requests_total{"
	    "pool=\"/x\\\"y<z&w\\nv\\\\u\",pid=\"101\"} 120\n"));
	assert_null(strstr(s, "k="));
	is_openmetrics(s);
	if (have("promtool"))
		promtool_accepts(s);
	free(s);
}

static void
bytes_that_are_not_utf8_become_u_fffd_except_in_text(void **state)
{
	struct status_proc proc = two_procs[0];
	struct status_pool p = www();
	char *s;

	(void)state;
	proc.request_uri = "/caf\xc3\xa9\xff\x01";
	proc.query_string = NULL;
	p.procs = &proc;
	p.nprocs = 1;
	s = render(&p, 1, STATUS_JSON, 1);
	assert_non_null(strstr(s, "\"/caf\xc3\xa9\xef\xbf\xbd\\u0001\""));
	if (have("jq"))
		passes("jq -e .", s);
	free(s);
	s = render(&p, 1, STATUS_XML, 1);
	assert_non_null(strstr(s, ">/caf\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd<"));
	if (have("xmllint"))
		passes("xmllint --noout -", s);
	free(s);
	s = render(&p, 1, STATUS_TEXT, 1);
	assert_non_null(strstr(s, " /caf\xc3\xa9\xff\\x01\n"));
	free(s);
}

static void
missing_strings_print_as_a_dash(void **state)
{
	struct status_proc proc = { .pid = 7, .query_string = "q" };
	struct status_pool p = www();
	char *s;

	(void)state;
	p.procs = &proc;
	p.nprocs = 1;
	s = render(&p, 1, STATUS_TEXT, 1);
	assert_non_null(strstr(s, "state:                -\n"));
	assert_non_null(strstr(s, "request method:       -\n"
	    "request URI:          -?q\n"));
	assert_non_null(strstr(s, "user:                 -\n"
	    "script:               -\n"));
	free(s);
}

static void
cpu_that_is_not_a_number_prints_as_zero(void **state)
{
	struct status_proc proc = two_procs[0];
	struct status_pool p = www();
	char *s;

	(void)state;
	proc.last_request_cpu = NAN;
	p.procs = &proc;
	p.nprocs = 1;
	s = render(&p, 1, STATUS_JSON, 1);
	assert_non_null(strstr(s, "\"last request cpu\":0.00,"));
	free(s);
}

static void
several_pools_render_one_after_another(void **state)
{
	struct status_pool p[2] = { www(), www() };
	char want[4096];
	char *s;

	(void)state;
	p[1].pool = "api";
	s = render(p, 2, STATUS_TEXT, 0);
	snprintf(want, sizeof(want), "%s\n%s", text_golden, text_golden);
	memcpy(strstr(want + 1, "pool:                 www") + 22, "api", 3);
	assert_string_equal(s, want);
	free(s);
	s = render(p, 2, STATUS_JSON, 1);
	assert_true(s[0] == '[' && s[strlen(s) - 1] == ']');
	assert_non_null(strstr(s, "]},{\"pool\":\"api\""));
	if (have("jq"))
		passes("jq -e 'length == 2 and .[1].pool == \"api\"'", s);
	free(s);
	s = render(p, 2, STATUS_XML, 1);
	assert_non_null(strstr(s, "</status>\n<status>\n<pool>api</pool>"));
	if (have("xmllint"))
		passes("xmllint --noout -", s);
	free(s);
}

static void
several_pools_in_openmetrics_share_each_family(void **state)
{
	struct status_pool p[2] = { www(), www() };
	char *s;

	(void)state;
	p[1].pool = "api";
	s = render(p, 2, STATUS_OPENMETRICS, 1);
	assert_non_null(strstr(s, "phpfpm_up{pool=\"www\"} 1\n"
	    "phpfpm_up{pool=\"api\"} 1\n"));
	assert_non_null(strstr(s, "phpfpm_process_state{pool=\"api\","
	    "pid=\"102\",state=\"Running\"} 1\n# HELP"));
	is_openmetrics(s);
	if (have("promtool"))
		promtool_accepts(s);
	free(s);
}

static void
no_pools_give_an_empty_but_valid_page(void **state)
{
	char *s;

	(void)state;
	s = render(NULL, 0, STATUS_TEXT, 1);
	assert_string_equal(s, "");
	free(s);
	s = render(NULL, 0, STATUS_JSON, 1);
	assert_string_equal(s, "[]");
	free(s);
	s = render(NULL, 0, STATUS_OPENMETRICS, 1);
	is_openmetrics(s);
	free(s);
}

static void
render_rejects_an_unknown_format_or_a_negative_count(void **state)
{
	struct status_pool p = www();

	(void)state;
	errno = 0;
	assert_null(status_render(&p, 1, (enum status_format)42, 0, NULL));
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_null(status_render(&p, -1, STATUS_TEXT, 0, NULL));
	assert_int_equal(errno, EINVAL);
}

/* Parse qs and check the outcome. */
static void
query_is(const char *qs, enum status_format want_fmt, int want_full)
{
	enum status_format fmt = (enum status_format)-1;
	int full = -1;

	status_parse_query(qs, &fmt, &full);
	if (fmt != want_fmt || full != want_full)
		print_error("query \"%s\": format %d full %d\n", qs ? qs :
		    "(null)", fmt, full);
	assert_int_equal(fmt, want_fmt);
	assert_int_equal(full, want_full);
}

static void
no_query_gives_text_without_full(void **state)
{
	(void)state;
	query_is(NULL, STATUS_TEXT, 0);
	query_is("", STATUS_TEXT, 0);
	query_is("foo=bar", STATUS_TEXT, 0);
}

static void
each_word_picks_its_format(void **state)
{
	(void)state;
	query_is("json", STATUS_JSON, 0);
	query_is("xml", STATUS_XML, 0);
	query_is("html", STATUS_HTML, 0);
	query_is("openmetrics", STATUS_OPENMETRICS, 0);
	query_is("full", STATUS_TEXT, 1);
}

static void
full_goes_with_any_format_in_any_order(void **state)
{
	(void)state;
	query_is("json&full", STATUS_JSON, 1);
	query_is("full&json", STATUS_JSON, 1);
	query_is("html&full", STATUS_HTML, 1);
	query_is("openmetrics&full", STATUS_OPENMETRICS, 1);
}

static void
values_are_ignored(void **state)
{
	(void)state;
	query_is("json=0&full=", STATUS_JSON, 1);
	query_is("xml=yes", STATUS_XML, 0);
	query_is("a=json", STATUS_TEXT, 0);
	query_is("=json", STATUS_TEXT, 0);
}

static void
a_prefix_of_a_word_counts_as_php_fpm_compares_it(void **state)
{
	(void)state;
	query_is("j", STATUS_JSON, 0);
	query_is("js&f", STATUS_JSON, 1);
	query_is("h", STATUS_HTML, 0);
	query_is("x", STATUS_XML, 0);
	query_is("open", STATUS_OPENMETRICS, 0);
	query_is("ful", STATUS_TEXT, 1);
}

static void
other_words_do_not_count(void **state)
{
	(void)state;
	query_is("jsonp", STATUS_TEXT, 0);
	query_is("fully", STATUS_TEXT, 0);
	query_is("JSON&FULL", STATUS_TEXT, 0);
	query_is("son", STATUS_TEXT, 0);
	query_is("json_", STATUS_TEXT, 0);
	query_is("json;full", STATUS_TEXT, 0);
}

static void
html_wins_then_xml_then_json_then_openmetrics(void **state)
{
	(void)state;
	query_is("json&html", STATUS_HTML, 0);
	query_is("openmetrics&xml&json", STATUS_XML, 0);
	query_is("openmetrics&json", STATUS_JSON, 0);
}

static void
names_are_url_decoded(void **state)
{
	(void)state;
	query_is("%6Ason", STATUS_JSON, 0);
	query_is("j%73on&%66ull", STATUS_JSON, 1);
	query_is("+json", STATUS_JSON, 0);
	query_is("%20%20json", STATUS_JSON, 0);
	query_is("json%00junk", STATUS_JSON, 0);
	query_is("js+on", STATUS_TEXT, 0);
	query_is("%zzjson", STATUS_TEXT, 0);
}

static void
array_names_count_by_their_base(void **state)
{
	(void)state;
	query_is("json[]", STATUS_JSON, 0);
	query_is("full[a]=1&xml", STATUS_XML, 1);
	query_is("json%5Bx%5D", STATUS_JSON, 0);
	query_is("json[", STATUS_TEXT, 0);
	query_is("[json]", STATUS_TEXT, 0);
}

static void
empty_pairs_and_a_leading_question_mark_are_skipped(void **state)
{
	(void)state;
	query_is("&&json&", STATUS_JSON, 0);
	query_is("?json&full", STATUS_JSON, 1);
	query_is("??json", STATUS_TEXT, 0);
}

static void
content_types_are_php_fpm_s(void **state)
{
	(void)state;
	assert_string_equal(status_content_type(STATUS_TEXT),
	    "text/plain;charset=UTF-8");
	assert_string_equal(status_content_type(STATUS_JSON),
	    "application/json");
	assert_string_equal(status_content_type(STATUS_XML),
	    "text/xml;charset=UTF-8");
	assert_string_equal(status_content_type(STATUS_HTML),
	    "text/html;charset=UTF-8");
	assert_string_equal(status_content_type(STATUS_OPENMETRICS),
	    "application/openmetrics-text; version=1.0.0; charset=utf-8");
}

static int
utc(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_format_matches_php_fpm_field_for_field),
		cmocka_unit_test(
		    text_format_with_full_lists_each_process_after_a_separator),
		cmocka_unit_test(text_times_are_in_local_time),
		cmocka_unit_test(json_format_matches_php_fpm_byte_for_byte),
		cmocka_unit_test(
		    json_with_full_and_no_processes_has_an_empty_array),
		cmocka_unit_test(json_pages_pass_jq),
		cmocka_unit_test(xml_format_matches_php_fpm_byte_for_byte),
		cmocka_unit_test(xml_pages_pass_xmllint),
		cmocka_unit_test(html_page_has_a_row_per_pool_field),
		cmocka_unit_test(html_page_with_full_has_a_row_per_process),
		cmocka_unit_test(html_pages_parse_without_errors),
		cmocka_unit_test(
		    openmetrics_keeps_php_fpm_names_with_total_on_counters),
		cmocka_unit_test(
		    openmetrics_with_full_adds_a_family_per_process_field),
		cmocka_unit_test(openmetrics_pages_pass_promtool),
		cmocka_unit_test(text_shows_a_nasty_uri_on_one_line),
		cmocka_unit_test(json_escapes_a_nasty_uri),
		cmocka_unit_test(xml_escapes_a_nasty_uri),
		cmocka_unit_test(html_escapes_a_nasty_uri),
		cmocka_unit_test(
		    openmetrics_escapes_a_nasty_pool_name_and_shows_no_uri),
		cmocka_unit_test(
		    bytes_that_are_not_utf8_become_u_fffd_except_in_text),
		cmocka_unit_test(missing_strings_print_as_a_dash),
		cmocka_unit_test(cpu_that_is_not_a_number_prints_as_zero),
		cmocka_unit_test(several_pools_render_one_after_another),
		cmocka_unit_test(
		    several_pools_in_openmetrics_share_each_family),
		cmocka_unit_test(no_pools_give_an_empty_but_valid_page),
		cmocka_unit_test(
		    render_rejects_an_unknown_format_or_a_negative_count),
		cmocka_unit_test(no_query_gives_text_without_full),
		cmocka_unit_test(each_word_picks_its_format),
		cmocka_unit_test(full_goes_with_any_format_in_any_order),
		cmocka_unit_test(values_are_ignored),
		cmocka_unit_test(
		    a_prefix_of_a_word_counts_as_php_fpm_compares_it),
		cmocka_unit_test(other_words_do_not_count),
		cmocka_unit_test(
		    html_wins_then_xml_then_json_then_openmetrics),
		cmocka_unit_test(names_are_url_decoded),
		cmocka_unit_test(array_names_count_by_their_base),
		cmocka_unit_test(
		    empty_pairs_and_a_leading_question_mark_are_skipped),
		cmocka_unit_test(content_types_are_php_fpm_s),
	};

	return cmocka_run_group_tests(tests, utc, NULL);
}
