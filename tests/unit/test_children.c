/*
 * test_children.c - the master's book of its children: the exit of a
 * slow log's tracer (a child of the master's, but no worker) is the
 * tracer's, never taken for a worker's.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

#include "children.h"
#include "log.h"
#include "scoreboard.h"
#include "supervise.h"

#define NCHILDREN 100

struct fixture {
	struct conf conf;
	struct pool_conf pc;
	struct pool pool;
	struct master m;
};

/* A stopping master with one pool of NCHILDREN workers, pids 1000 on:
 * stopping, so that no pm is told of the exits. */
static struct fixture *
fixture_new(void)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->pc.name = "www";
	f->pool.conf = &f->pc;
	f->pool.sb = scoreboard_create(NCHILDREN, f->pool.sb_fd);
	assert_non_null(f->pool.sb);
	f->pool.slot_used = calloc(NCHILDREN, 1);
	f->m.conf = &f->conf;
	f->m.pools = &f->pool;
	f->m.stopping = STOP_GRACEFUL;
	for (int i = 0; i < NCHILDREN; i++) {
		struct child *c = calloc(1, sizeof(*c));

		assert_non_null(c);
		c->pid = 1000 + i;
		c->pool = &f->pool;
		c->slot = i;
		c->out[0].fd = c->out[1].fd = -1;
		c->next = f->pool.children;
		f->pool.children = c;
		f->pool.slot_used[i] = 1;
		f->pool.nchildren++;
	}
	return f;
}

static void
fixture_free(struct fixture *f)
{
	while (f->pool.children) {
		struct child *c = f->pool.children;

		f->pool.children = c->next;
		free(c);
	}
	scoreboard_free(f->pool.sb);
	close(f->pool.sb_fd[0]);
	close(f->pool.sb_fd[1]);
	free(f->pool.slot_used);
	free(f);
}

/* A real child of ours that exits with code at once: a tracer's stand-in. */
static pid_t
exiting_child(int code)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(code);
	return pid;
}

static void
a_tracers_exit_leaves_its_worker_tracked(void **state)
{
	struct fixture *f = fixture_new();
	struct child *c = children_find(&f->m, 1042);
	siginfo_t si;

	(void)state;
	assert_non_null(c);
	c->tracer = exiting_child(0);
	c->tracing = TRACE_DUMPING;
	/* the tracer is a zombie when children_reap looks */
	assert_int_equal(waitid(P_PID, (id_t)c->tracer, &si,
	    WEXITED | WNOWAIT), 0);
	children_reap(&f->m);
	assert_ptr_equal(children_find(&f->m, 1042), c);
	assert_int_equal(f->pool.nchildren, NCHILDREN);
	assert_int_equal(c->tracer, 0);
	assert_int_equal(c->tracing, 0);
	fixture_free(f);
}

static void
a_pid_that_traces_nothing_is_no_tracer(void **state)
{
	struct fixture *f = fixture_new();

	(void)state;
	children_find(&f->m, 1007)->tracer = 4242;
	assert_int_equal(supervise_tracer_exited(&f->m, 4343, 0), 0);
	assert_int_equal(supervise_tracer_exited(&f->m, 4242, 0), 1);
	assert_int_equal(children_find(&f->m, 1007)->tracer, 0);
	/* once reaped, the same pid is nobody's tracer any more */
	assert_int_equal(supervise_tracer_exited(&f->m, 4242, 0), 0);
	fixture_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_tracers_exit_leaves_its_worker_tracked),
		cmocka_unit_test(a_pid_that_traces_nothing_is_no_tracer),
	};

	log_set_level(LOG_LEVEL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
