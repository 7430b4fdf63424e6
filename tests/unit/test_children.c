/*
 * test_children.c - the master's book of its children: exits that a wait
 * outside children_reap consumed (the slow-log tracer's) are all handled,
 * however many there are.
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

static void
every_exit_consumed_elsewhere_is_handled_by_the_next_reap(void **state)
{
	struct fixture *f = fixture_new();

	(void)state;
	for (int i = 0; i < NCHILDREN; i++)
		children_exited_elsewhere(&f->m, 1000 + i, 0);
	children_reap(&f->m);
	assert_int_equal(f->pool.nchildren, 0);
	assert_null(f->pool.children);
	for (int i = 0; i < NCHILDREN; i++)
		assert_int_equal(f->pool.slot_used[i], 0);
	fixture_free(f);
}

static void
an_exit_consumed_elsewhere_is_handled_once(void **state)
{
	struct fixture *f = fixture_new();

	(void)state;
	children_exited_elsewhere(&f->m, 1005, 0);
	children_exited_elsewhere(&f->m, 1005, 0);
	children_reap(&f->m);
	assert_int_equal(f->pool.nchildren, NCHILDREN - 1);
	assert_null(children_find(&f->m, 1005));
	children_reap(&f->m);
	assert_int_equal(f->pool.nchildren, NCHILDREN - 1);
	fixture_free(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    every_exit_consumed_elsewhere_is_handled_by_the_next_reap),
		cmocka_unit_test(an_exit_consumed_elsewhere_is_handled_once),
	};

	log_set_level(LOG_LEVEL_ERROR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
