/*
 * test_log.c - the error log: line format, levels, log_limit, syslog.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"

/* Each test gets a fresh directory, with the log in error.log there. */
struct fixture {
	char	dir[64];
	char	file[128];
	char	sock[128];	/* where a test binds its "syslogd" */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/test_log.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->file, sizeof(f->file), "%s/error.log", f->dir);
	snprintf(f->sock, sizeof(f->sock), "%s/log", f->dir);
	assert_int_equal(log_open(f->file), 0);
	log_set_level(LOG_LEVEL_NOTICE);
	log_set_limit(0);
	assert_int_equal(log_set_syslog(NULL, LOG_DAEMON, NULL), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	log_open("stderr");
	unlink(f->file);
	unlink(f->sock);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* The whole log file, NUL-terminated; the caller frees it. */
static char *
read_log(const struct fixture *f)
{
	char *buf;
	FILE *fp;
	size_t n;

	buf = calloc(1, 65536);
	assert_non_null(buf);
	fp = fopen(f->file, "r");
	assert_non_null(fp);
	n = fread(buf, 1, 65535, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void
assert_matches(const char *s, const char *pattern)
{
	regex_t re;

	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	if (regexec(&re, s, 0, NULL, 0) != 0)
		fail_msg("'%s' does not match '%s'", s, pattern);
	regfree(&re);
}

/* A stand-in syslogd: a datagram socket bound at path. */
static int
syslogd_start(const char *path)
{
	struct timeval tv = { .tv_sec = 2 };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	strcpy(sun.sun_path, path);
	unlink(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)), 0);
	return fd;
}

/* The next datagram, NUL-terminated, or fail after 2s. */
static size_t
syslogd_recv(int fd, char *buf, size_t len)
{
	ssize_t n;

	n = recv(fd, buf, len - 1, 0);
	if (n < 0)
		fail_msg("no datagram: %s", strerror(errno));
	buf[n] = '\0';
	return (size_t)n;
}

static int
syslogd_pending(int fd)
{
	char c;

	return recv(fd, &c, 1, MSG_DONTWAIT) >= 0;
}

/* Open syslog on a stand-in syslogd as fpmtest, local3. */
static int
open_syslog(const struct fixture *f)
{
	int sfd = syslogd_start(f->sock);

	assert_int_equal(log_set_syslog("fpmtest", LOG_LOCAL3, f->sock), 0);
	assert_int_equal(log_open("syslog"), 0);
	assert_true(log_is_syslog());
	return sfd;
}

/* ---- files ----------------------------------------------------------------- */

static void
line_is_timestamp_level_and_message(void **state)
{
	struct fixture *f = *state;
	char *s;

	log_warning("hello %d", 42);
	s = read_log(f);
	assert_matches(s, "^\\[[0-3][0-9]-[A-Z][a-z]{2}-[0-9]{4} "
	    "[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\\] WARNING: hello 42\n$");
	free(s);
	assert_false(log_is_syslog());
}

static void
lines_below_the_log_level_are_dropped(void **state)
{
	struct fixture *f = *state;
	char *s;

	log_debug("d1");
	log_notice("n1");
	log_set_level(LOG_LEVEL_ERROR);
	log_notice("n2");
	log_warning("w2");
	log_error("e2");
	log_alert("a2");
	log_set_level(LOG_LEVEL_DEBUG);
	log_debug("d3");
	s = read_log(f);
	assert_matches(s, "^[^\n]* NOTICE: n1\n[^\n]* ERROR: e2\n"
	    "[^\n]* ALERT: a2\n[^\n]* DEBUG: d3\n$");
	free(s);
}

static void
message_longer_than_log_limit_is_split_into_whole_lines(void **state)
{
	struct fixture *f = *state;
	char *s;

	log_set_limit(10);
	log_error("0123456789abcdefghijKLMNO");
	log_error("exactly10!");
	log_error("%s", "");
	s = read_log(f);
	assert_matches(s, "^[^\n]* ERROR: 0123456789\n[^\n]* ERROR: abcdefghij\n"
	    "[^\n]* ERROR: KLMNO\n[^\n]* ERROR: exactly10!\n[^\n]* ERROR: \n$");
	free(s);
}

static void
default_log_limit_is_1024_and_no_byte_is_lost(void **state)
{
	struct fixture *f = *state;
	char msg[3001], *s, *line, *save, *p, got[3001];
	size_t n = 0, lines = 0;
	const size_t want[] = { 1024, 1024, 952 };

	for (size_t i = 0; i < 3000; i++)
		msg[i] = (char)('a' + i % 26);
	msg[3000] = '\0';
	log_notice("%s", msg);
	s = read_log(f);
	for (line = strtok_r(s, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		p = strstr(line, "] NOTICE: ");
		assert_non_null(p);
		p += strlen("] NOTICE: ");
		assert_true(lines < 3);
		assert_int_equal(strlen(p), want[lines]);
		memcpy(got + n, p, strlen(p));
		n += strlen(p);
		lines++;
	}
	assert_int_equal(lines, 3);
	assert_int_equal(n, 3000);
	assert_memory_equal(got, msg, 3000);
	free(s);
}

static void
log_line_writes_a_piece_whole_with_or_without_prefix(void **state)
{
	struct fixture *f = *state;
	char *s;

	log_set_limit(4);
	log_line(LOG_LEVEL_WARNING, 1, "bare text", 9);
	log_line(LOG_LEVEL_WARNING, 0, "prefixed", 8);
	log_line(LOG_LEVEL_DEBUG, 1, "dropped", 7);
	s = read_log(f);
	assert_matches(s, "^bare text\n\\[[^\n]*\\] WARNING: prefixed\n$");
	free(s);
}

static void
log_raw_writes_worker_output_bare_at_warning_level(void **state)
{
	struct fixture *f = *state;
	char *s;

	log_raw("raw \"text\"", 10);
	log_set_level(LOG_LEVEL_ERROR);
	log_raw("dropped", 7);
	s = read_log(f);
	assert_string_equal(s, "raw \"text\"\n");
	free(s);
}

static void
log_on_stderr_moved_above_it_survives_stderr_being_replaced(void **state)
{
	struct fixture *f = *state;
	int saved, fd, null;
	char *s;

	saved = dup(STDERR_FILENO);
	fd = open(f->file, O_WRONLY | O_APPEND);
	assert_true(saved >= 0 && fd >= 0);
	assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
	close(fd);
	assert_int_equal(log_open("stderr"), 0);

	/* As a child does before making stderr its output pipe. */
	assert_int_equal(log_move_above(STDERR_FILENO), 0);
	assert_true(log_fd() > STDERR_FILENO);
	assert_true(fcntl(log_fd(), F_GETFD) & FD_CLOEXEC);
	null = open("/dev/null", O_WRONLY);
	assert_int_equal(dup2(null, STDERR_FILENO), STDERR_FILENO);
	close(null);
	log_warning("still logged");

	assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
	close(saved);
	s = read_log(f);
	assert_matches(s, "^[^\n]* WARNING: still logged\n$");
	free(s);
}

static void
log_file_already_above_is_not_moved(void **state)
{
	struct fixture *f = *state;
	int fd = log_fd();
	char *s;

	assert_true(fd > STDERR_FILENO);
	assert_int_equal(log_move_above(STDERR_FILENO), 0);
	assert_int_equal(log_fd(), fd);
	/* Moved above itself, the old descriptor is closed. */
	assert_int_equal(log_move_above(fd), 0);
	assert_true(log_fd() > fd);
	assert_int_equal(fcntl(fd, F_GETFD), -1);
	log_notice("moved");
	s = read_log(f);
	assert_matches(s, "^[^\n]* NOTICE: moved\n$");
	free(s);
}

static void
logging_keeps_errno(void **state)
{
	(void)state;
	errno = EBADF;
	log_warning("errno is %m");
	assert_int_equal(errno, EBADF);
}

static void
stderr_or_null_logs_to_descriptor_2(void **state)
{
	(void)state;
	assert_int_equal(log_open(NULL), 0);
	assert_int_equal(log_fd(), STDERR_FILENO);
	assert_int_equal(log_open("stderr"), 0);
	assert_int_equal(log_fd(), STDERR_FILENO);
	assert_false(log_is_syslog());
}

/* ---- syslog ---------------------------------------------------------------- */

static void
syslog_line_is_one_rfc3164_datagram(void **state)
{
	struct fixture *f = *state;
	char buf[2048], want[256];
	struct stat st;
	int sfd = open_syslog(f);

	assert_int_equal(fstat(log_fd(), &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_true(fcntl(log_fd(), F_GETFD) & FD_CLOEXEC);
	log_warning("hello %s", "syslog");
	syslogd_recv(sfd, buf, sizeof(buf));
	/* local3 (19) * 8 + warning (4) */
	assert_memory_equal(buf, "<156>", 5);
	snprintf(want, sizeof(want), "^<156>[A-Z][a-z]{2} [ 1-3][0-9] "
	    "[0-2][0-9]:[0-5][0-9]:[0-6][0-9] fpmtest\\[%ld\\]: "
	    "WARNING: hello syslog$", (long)getpid());
	assert_matches(buf, want);
	assert_false(syslogd_pending(sfd));
	close(sfd);
}

static void
syslog_severity_follows_the_level(void **state)
{
	static const struct {
		enum log_level level;
		const char *pri, *name;
	} cases[] = {
		{ LOG_LEVEL_DEBUG, "<159>", "DEBUG" },
		{ LOG_LEVEL_NOTICE, "<157>", "NOTICE" },
		{ LOG_LEVEL_WARNING, "<156>", "WARNING" },
		{ LOG_LEVEL_ERROR, "<155>", "ERROR" },
		{ LOG_LEVEL_ALERT, "<153>", "ALERT" },
	};
	struct fixture *f = *state;
	char buf[2048], want[64];
	int sfd = open_syslog(f);

	log_set_level(LOG_LEVEL_DEBUG);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		log_msg(cases[i].level, "m");
		syslogd_recv(sfd, buf, sizeof(buf));
		assert_memory_equal(buf, cases[i].pri, 5);
		snprintf(want, sizeof(want), "]: %s: m", cases[i].name);
		assert_string_equal(buf + strlen(buf) - strlen(want), want);
	}
	close(sfd);
}

static void
syslog_line_carries_the_pid_of_the_process_that_writes_it(void **state)
{
	struct fixture *f = *state;
	char buf[2048], want[64];
	int sfd = open_syslog(f), st;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		log_warning("from the child");
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	syslogd_recv(sfd, buf, sizeof(buf));
	snprintf(want, sizeof(want), " fpmtest[%ld]: WARNING: from the child",
	    (long)pid);
	assert_non_null(strstr(buf, want));
	close(sfd);
}

static void
syslog_message_longer_than_log_limit_is_several_datagrams(void **state)
{
	struct fixture *f = *state;
	char buf[2048];
	int sfd = open_syslog(f);

	log_set_limit(8);
	log_error("abcdefghijklmnopqrst");
	syslogd_recv(sfd, buf, sizeof(buf));
	assert_non_null(strstr(buf, "]: ERROR: abcdefgh"));
	assert_string_equal(buf + strlen(buf) - 8, "abcdefgh");
	syslogd_recv(sfd, buf, sizeof(buf));
	assert_string_equal(buf + strlen(buf) - 8, "ijklmnop");
	syslogd_recv(sfd, buf, sizeof(buf));
	assert_string_equal(buf + strlen(buf) - 11, "ERROR: qrst");
	assert_false(syslogd_pending(sfd));

	log_line(LOG_LEVEL_WARNING, 1, "bare", 4);
	syslogd_recv(sfd, buf, sizeof(buf));
	assert_matches(buf, "^<156>[^]]*\\]: bare$");
	close(sfd);
}

static void
missing_syslog_socket_fails_with_enoent_and_keeps_the_log(void **state)
{
	struct fixture *f = *state;
	char *s;

	assert_int_equal(log_set_syslog("fpmtest", LOG_LOCAL3, f->sock), 0);
	errno = 0;
	assert_int_equal(log_open("syslog"), -1);
	assert_int_equal(errno, ENOENT);
	assert_false(log_is_syslog());
	log_warning("still here");
	s = read_log(f);
	assert_matches(s, "^[^\n]* WARNING: still here\n$");
	free(s);
}

static void
syslog_restarted_is_reconnected_on_the_same_descriptor(void **state)
{
	struct fixture *f = *state;
	char buf[2048];
	int sfd = open_syslog(f), fd = log_fd();

	log_notice("before");
	syslogd_recv(sfd, buf, sizeof(buf));
	/* syslogd restarts: its socket is a new one at the same path. */
	close(sfd);
	sfd = syslogd_start(f->sock);
	log_notice("after");
	syslogd_recv(sfd, buf, sizeof(buf));
	assert_string_equal(buf + strlen(buf) - 5, "after");
	assert_int_equal(log_fd(), fd);
	close(sfd);
}

static void
syslog_gone_loses_lines_but_not_errno(void **state)
{
	struct fixture *f = *state;
	int sfd = open_syslog(f);

	close(sfd);
	unlink(f->sock);
	errno = EBADF;
	log_warning("into the void");
	assert_int_equal(errno, EBADF);
	assert_true(log_is_syslog());
}

static void
reopening_syslog_connects_afresh(void **state)
{
	struct fixture *f = *state;
	char buf[2048];
	int sfd = open_syslog(f);

	close(sfd);
	sfd = syslogd_start(f->sock);
	assert_int_equal(log_open("syslog"), 0);
	log_notice("reopened");
	syslogd_recv(sfd, buf, sizeof(buf));
	assert_string_equal(buf + strlen(buf) - 8, "reopened");

	/* And back to a file. */
	assert_int_equal(log_open(f->file), 0);
	assert_false(log_is_syslog());
	close(sfd);
}

static void
bad_syslog_settings_are_rejected(void **state)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];

	(void)state;
	errno = 0;
	assert_int_equal(log_set_syslog("x", 3, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(log_set_syslog("x", -8, NULL), -1);
	assert_int_equal(log_set_syslog("x", LOG_LOCAL7 + 8, NULL), -1);
	assert_int_equal(log_set_syslog(
	    "0123456789012345678901234567890123456789012345678901234567890123",
	    LOG_USER, NULL), -1);
	assert_int_equal(errno, EINVAL);
	memset(path, 'p', sizeof(path) - 1);
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(log_set_syslog("x", LOG_USER, path), -1);
	assert_int_equal(errno, ENAMETOOLONG);
	assert_int_equal(log_set_syslog("x", LOG_KERN, "/dev/log"), 0);
}

static void
every_syslog_facility_name_is_parsed(void **state)
{
	static const struct {
		const char *name;
		int facility;
	} cases[] = {
		{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
		{ "cron", LOG_CRON }, { "daemon", LOG_DAEMON },
		{ "ftp", LOG_FTP }, { "kern", LOG_KERN }, { "lpr", LOG_LPR },
		{ "mail", LOG_MAIL }, { "news", LOG_NEWS },
		{ "syslog", LOG_SYSLOG }, { "user", LOG_USER },
		{ "uucp", LOG_UUCP }, { "local0", LOG_LOCAL0 },
		{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
		{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
		{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
		{ "local7", LOG_LOCAL7 }, { "DAEMON", LOG_DAEMON },
		{ "Local3", LOG_LOCAL3 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(log_facility_parse(cases[i].name),
		    cases[i].facility);
	assert_int_equal(log_facility_parse("local8"), -1);
	assert_int_equal(log_facility_parse("security"), -1);
	assert_int_equal(log_facility_parse("daemon "), -1);
	assert_int_equal(log_facility_parse(""), -1);
}

static void
control_characters_and_del_are_escaped_as_hex_the_rest_is_kept(void **state)
{
	static const char in[] = "a\nb\rc\td\0e\x1b[2J\x7f\\x0a\xc3\xa9\"";
	char out[128];
	size_t n;

	(void)state;
	n = log_escape(out, sizeof(out), in, sizeof(in) - 1);
	assert_string_equal(out,
	    "a\\x0ab\\x0dc\\x09d\\x00e\\x1b[2J\\x7f\\x0a\xc3\xa9\"");
	assert_int_equal(n, strlen(out));
}

static void
escaping_twice_changes_nothing_more(void **state)
{
	static const char in[] = "x\n\\x41\x01";
	char once[64], twice[64];

	(void)state;
	log_escape(once, sizeof(once), in, sizeof(in) - 1);
	log_escape(twice, sizeof(twice), once, strlen(once));
	assert_string_equal(once, twice);
}

static void
escaping_never_overflows_and_cuts_between_escapes(void **state)
{
	static const char in[] = "ab\x01" "c";
	const char *whole = "ab\\x01c";
	char out[32];
	size_t n;

	(void)state;
	for (size_t len = 0; len <= strlen(whole) + 1; len++) {
		memset(out, '#', sizeof(out));
		n = log_escape(out, len, in, sizeof(in) - 1);
		assert_int_equal(out[len], '#');
		if (len == 0) {
			assert_int_equal(n, 0);
			continue;
		}
		assert_true(n < len);
		assert_int_equal(out[n], '\0');
		assert_memory_equal(out, whole, n);
		assert_false(n > 2 && n < 6);	/* never inside "\x01" */
	}
	assert_true(LOG_ESCAPED_MAX(sizeof(in) - 1) >= strlen(whole) + 1);
}

/* A client's script name with a newline in a message stays on its line:
 * no line of the log starts with the forged prefix. */
static void
a_newline_in_a_message_cannot_forge_a_line(void **state)
{
	struct fixture *f = *state;
	char *log;

	log_warning("[pool www] not found: %s",
	    "/x\n[04-Dec-2026 10:00:00] ALERT: forged");
	log = read_log(f);
	assert_int_equal(strchr(log, '\n') - log, (long)strlen(log) - 1);
	assert_non_null(strstr(log, "not found: /x\\x0a[04-Dec-2026 10:00:00] "
	    "ALERT: forged\n"));
	free(log);
}

/* In a worker, lines go to stderr marked, without time or level, the
 * log file closed: the master decorates them. */
static void
in_a_worker_lines_go_to_stderr_marked_and_the_log_is_closed(void **state)
{
	struct fixture *f = *state;
	char buf[256];
	int p[2], st;
	ssize_t n;
	pid_t pid;

	(void)f;
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = log_fd();

		dup2(p[1], STDERR_FILENO);
		log_to_master();
		log_error("refused: %s", "a\nb");
		_exit(fcntl(fd, F_GETFD) == -1 && errno == EBADF ? 0 : 1);
	}
	close(p[1]);
	n = read(p[0], buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "\x1e" "refused: a\\x0ab\n");
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	close(p[0]);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(line_is_timestamp_level_and_message),
		T(lines_below_the_log_level_are_dropped),
		T(message_longer_than_log_limit_is_split_into_whole_lines),
		T(default_log_limit_is_1024_and_no_byte_is_lost),
		T(log_line_writes_a_piece_whole_with_or_without_prefix),
		T(log_raw_writes_worker_output_bare_at_warning_level),
		T(log_on_stderr_moved_above_it_survives_stderr_being_replaced),
		T(log_file_already_above_is_not_moved),
		T(logging_keeps_errno),
		T(stderr_or_null_logs_to_descriptor_2),
		T(syslog_line_is_one_rfc3164_datagram),
		T(syslog_severity_follows_the_level),
		T(syslog_line_carries_the_pid_of_the_process_that_writes_it),
		T(syslog_message_longer_than_log_limit_is_several_datagrams),
		T(missing_syslog_socket_fails_with_enoent_and_keeps_the_log),
		T(syslog_restarted_is_reconnected_on_the_same_descriptor),
		T(syslog_gone_loses_lines_but_not_errno),
		T(reopening_syslog_connects_afresh),
		T(bad_syslog_settings_are_rejected),
		T(every_syslog_facility_name_is_parsed),
		T(control_characters_and_del_are_escaped_as_hex_the_rest_is_kept),
		T(escaping_twice_changes_nothing_more),
		T(escaping_never_overflows_and_cuts_between_escapes),
		T(a_newline_in_a_message_cannot_forge_a_line),
		T(in_a_worker_lines_go_to_stderr_marked_and_the_log_is_closed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
