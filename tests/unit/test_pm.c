/*
 * test_pm.c - the process manager's decisions: respawn back-off and how
 * many workers a static pool forks.
 */
#include "config.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include "log.h"
#include "pm.h"

/* ---- pm_respawn_delay ------------------------------------------------------ */

static void
no_quick_death_means_no_respawn_delay(void **state)
{
	(void)state;
	assert_int_equal(pm_respawn_delay(0), 0);
	assert_int_equal(pm_respawn_delay(-1), 0);
	assert_int_equal(pm_respawn_delay(INT_MIN), 0);
}

static void
first_quick_death_delays_respawn_by_100_ms(void **state)
{
	(void)state;
	assert_int_equal(pm_respawn_delay(1), 100);
}

static void
each_further_quick_death_doubles_the_delay(void **state)
{
	long long want = 100;

	(void)state;
	for (int n = 1; n <= 9; n++) {
		assert_int_equal(pm_respawn_delay(n), want);
		want *= 2;
	}
	assert_int_equal(pm_respawn_delay(9), 25600);
}

static void
respawn_delay_is_capped_at_30_seconds(void **state)
{
	(void)state;
	assert_int_equal(pm_respawn_delay(10), 30000);
	assert_int_equal(pm_respawn_delay(11), 30000);
	assert_int_equal(pm_respawn_delay(64), 30000);
	assert_int_equal(pm_respawn_delay(INT_MAX), 30000);
}

static void
respawn_delay_never_decreases(void **state)
{
	(void)state;
	for (int n = 0; n < 100; n++)
		assert_true(pm_respawn_delay(n) <= pm_respawn_delay(n + 1));
}

/* ---- pm_static_spawn_count ------------------------------------------------- */

static void
full_static_pool_spawns_nothing(void **state)
{
	(void)state;
	assert_int_equal(pm_static_spawn_count(5, 5, 1000, 0), 0);
	assert_int_equal(pm_static_spawn_count(1, 1, 1000, 0), 0);
}

static void
static_pool_above_max_children_spawns_nothing(void **state)
{
	(void)state;
	/* After a reload that lowered pm.max_children. */
	assert_int_equal(pm_static_spawn_count(2, 5, 1000, 0), 0);
}

static void
static_pool_spawns_the_missing_workers(void **state)
{
	(void)state;
	assert_int_equal(pm_static_spawn_count(5, 0, 1000, 0), 5);
	assert_int_equal(pm_static_spawn_count(5, 3, 1000, 0), 2);
	assert_int_equal(pm_static_spawn_count(5, 4, 1000, 999), 1);
	assert_int_equal(pm_static_spawn_count(100000, 1, 1000, 0), 99999);
}

static void
static_pool_spawns_nothing_before_respawn_at(void **state)
{
	(void)state;
	assert_int_equal(pm_static_spawn_count(5, 0, 1000, 1001), 0);
	assert_int_equal(pm_static_spawn_count(5, 3, 0, 30000), 0);
}

static void
static_pool_spawns_again_once_respawn_at_is_reached(void **state)
{
	(void)state;
	assert_int_equal(pm_static_spawn_count(5, 3, 1001, 1001), 2);
	assert_int_equal(pm_static_spawn_count(5, 3, 1002, 1001), 2);
}

/* ---- pm_note_exit ---------------------------------------------------------- */

struct fixture {
	struct pool_conf conf;
	struct pool pool;
	struct child child;
};

static int
setup(void **state)
{
	static struct fixture f;

	memset(&f, 0, sizeof(f));
	f.conf.name = "www";
	f.conf.max_children = 5;
	f.pool.conf = &f.conf;
	f.pool.pm = &pm_static;
	f.child.pool = &f.pool;
	f.child.pid = 4242;
	/* Keep the "keep dying" warning out of the test output. */
	log_set_level(LOG_LEVEL_ERROR);
	*state = &f;
	return 0;
}

static void
worker_dying_young_backs_off_and_counts(void **state)
{
	struct fixture *f = *state;

	f->child.started = 10000;
	pm_note_exit(&f->pool, &f->child, 10000 + PM_YOUNG_MS - 1);
	assert_int_equal(f->pool.quick_deaths, 1);
	assert_int_equal(f->pool.respawn_at, 10000 + PM_YOUNG_MS - 1 + 100);

	f->child.started = 20000;
	pm_note_exit(&f->pool, &f->child, 20050);
	assert_int_equal(f->pool.quick_deaths, 2);
	assert_int_equal(f->pool.respawn_at, 20050 + 200);

	f->child.started = 30000;
	pm_note_exit(&f->pool, &f->child, 30000);
	assert_int_equal(f->pool.quick_deaths, 3);
	assert_int_equal(f->pool.respawn_at, 30000 + 400);
}

static void
pool_is_forgiven_once_its_newest_worker_outlives_the_young_limit(
    void **state)
{
	struct fixture *f = *state;

	f->pool.quick_deaths = 4;
	f->child.started = 50000;
	f->pool.children = &f->child;
	pm_forgive(&f->pool, 50000 + PM_YOUNG_MS - 1);
	assert_int_equal(f->pool.quick_deaths, 4);
	pm_forgive(&f->pool, 50000 + PM_YOUNG_MS);
	assert_int_equal(f->pool.quick_deaths, 0);
}

static void
pool_without_workers_is_not_forgiven(void **state)
{
	struct fixture *f = *state;

	f->pool.quick_deaths = 2;
	f->pool.children = NULL;
	pm_forgive(&f->pool, 1000000);
	assert_int_equal(f->pool.quick_deaths, 2);
}

static void
worker_that_lived_long_enough_resets_the_count(void **state)
{
	struct fixture *f = *state;

	f->pool.quick_deaths = 7;
	f->pool.respawn_at = 12345;
	f->child.started = 10000;
	pm_note_exit(&f->pool, &f->child, 10000 + PM_YOUNG_MS);
	assert_int_equal(f->pool.quick_deaths, 0);
	/* The pending back-off is not cut short either way. */
	assert_int_equal(f->pool.respawn_at, 12345);
}

static void
static_ops_are_used_for_every_pm_mode(void **state)
{
	(void)state;
	assert_ptr_equal(pm_for(PM_STATIC), &pm_static);
	assert_ptr_equal(pm_for(PM_DYNAMIC), &pm_static);
	assert_ptr_equal(pm_for(PM_ONDEMAND), &pm_static);
	assert_string_equal(pm_static.name, "static");
	assert_non_null(pm_static.tick);
	assert_non_null(pm_static.on_exit);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_quick_death_means_no_respawn_delay),
		cmocka_unit_test(first_quick_death_delays_respawn_by_100_ms),
		cmocka_unit_test(each_further_quick_death_doubles_the_delay),
		cmocka_unit_test(respawn_delay_is_capped_at_30_seconds),
		cmocka_unit_test(respawn_delay_never_decreases),
		cmocka_unit_test(full_static_pool_spawns_nothing),
		cmocka_unit_test(static_pool_above_max_children_spawns_nothing),
		cmocka_unit_test(static_pool_spawns_the_missing_workers),
		cmocka_unit_test(static_pool_spawns_nothing_before_respawn_at),
		cmocka_unit_test(
		    static_pool_spawns_again_once_respawn_at_is_reached),
		cmocka_unit_test_setup(worker_dying_young_backs_off_and_counts,
		    setup),
		cmocka_unit_test_setup(
		    worker_that_lived_long_enough_resets_the_count, setup),
		cmocka_unit_test_setup(
		    pool_is_forgiven_once_its_newest_worker_outlives_the_young_limit,
		    setup),
		cmocka_unit_test_setup(pool_without_workers_is_not_forgiven,
		    setup),
		cmocka_unit_test(static_ops_are_used_for_every_pm_mode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
