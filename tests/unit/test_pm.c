/*
 * test_pm.c - the process manager's decisions: respawn back-off, how many
 * workers a static, dynamic or ondemand pool forks, which idle worker
 * retires, and when a worker's exit counts as a death at start-up.
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

/* ---- pm_dynamic_decide ---------------------------------------------------- */

/* A dynamic pool with room to grow: spares 5..10, at most 20 workers,
 * up to 32 forks a round. */
static struct pm_dynamic_in
dynamic_pool(int total, int idle)
{
	struct pm_dynamic_in in = {
		.total = total, .idle = idle, .min_spare = 5, .max_spare = 10,
		.max_children = 20, .max_spawn_rate = 32,
	};

	return in;
}

static void
dynamic_pool_short_of_idle_workers_forks_as_many_as_the_rate_allows(
    void **state)
{
	struct pm_dynamic_in in = dynamic_pool(2, 0);
	int rate;

	(void)state;
	rate = 1;
	assert_int_equal(pm_dynamic_decide(&in, &rate), 1);
	rate = 2;
	assert_int_equal(pm_dynamic_decide(&in, &rate), 2);
	rate = 4;
	assert_int_equal(pm_dynamic_decide(&in, &rate), 4);
}

static void
dynamic_pool_forks_no_more_than_the_missing_spares(void **state)
{
	struct pm_dynamic_in in = dynamic_pool(4, 3);
	int rate = 16;

	(void)state;
	assert_int_equal(pm_dynamic_decide(&in, &rate), 2);
	in = dynamic_pool(2, 0);
	rate = 8;
	assert_int_equal(pm_dynamic_decide(&in, &rate), 5);
}

static void
dynamic_pool_forks_no_more_than_max_children_leaves_room_for(void **state)
{
	struct pm_dynamic_in in = dynamic_pool(18, 0);
	int rate = 8;

	(void)state;
	assert_int_equal(pm_dynamic_decide(&in, &rate), 2);
	in = dynamic_pool(19, 1);
	rate = 32;
	assert_int_equal(pm_dynamic_decide(&in, &rate), 1);
}

static void
spawn_rate_doubles_each_round_idle_workers_stay_short(void **state)
{
	static const int want[] = { 2, 4, 8, 16, 32, 32, 32 };
	struct pm_dynamic_in in = dynamic_pool(0, 0);
	int rate = 1;

	(void)state;
	in.min_spare = 1000;
	in.max_spare = 1000;
	in.max_children = 100000;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_true(pm_dynamic_decide(&in, &rate) > 0);
		assert_int_equal(rate, want[i]);
	}
}

static void
spawn_rate_stops_at_max_spawn_rate_that_is_not_a_power_of_two(
    void **state)
{
	static const int want[] = { 2, 4, 5, 5 };
	struct pm_dynamic_in in = dynamic_pool(0, 0);
	int rate = 1;

	(void)state;
	in.min_spare = 1000;
	in.max_spare = 1000;
	in.max_children = 100000;
	in.max_spawn_rate = 5;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		pm_dynamic_decide(&in, &rate);
		assert_int_equal(rate, want[i]);
	}
}

static void
spawn_rate_of_one_never_grows(void **state)
{
	struct pm_dynamic_in in = dynamic_pool(0, 0);
	int rate = 1;

	(void)state;
	in.max_spawn_rate = 1;
	for (int i = 0; i < 5; i++) {
		assert_int_equal(pm_dynamic_decide(&in, &rate), 1);
		assert_int_equal(rate, 1);
	}
}

static void
spawn_rate_falls_back_to_1_once_idle_workers_suffice(void **state)
{
	struct pm_dynamic_in in = dynamic_pool(8, 5);
	int rate = 16;

	(void)state;
	assert_int_equal(pm_dynamic_decide(&in, &rate), 0);
	assert_int_equal(rate, 1);
}

static void
spawn_rate_falls_back_to_1_when_a_worker_retires(void **state)
{
	struct pm_dynamic_in in = dynamic_pool(15, 11);
	int rate = 16;

	(void)state;
	assert_int_equal(pm_dynamic_decide(&in, &rate), -1);
	assert_int_equal(rate, 1);
}

static void
dynamic_pool_with_too_many_idle_workers_retires_exactly_one(void **state)
{
	struct pm_dynamic_in in = dynamic_pool(11, 11);
	int rate = 1;

	(void)state;
	assert_int_equal(pm_dynamic_decide(&in, &rate), -1);
	/* However many too many, one a round (no thrashing), at
	 * pm.max_children too. */
	in = dynamic_pool(20, 20);
	assert_int_equal(pm_dynamic_decide(&in, &rate), -1);
}

static void
dynamic_pool_at_max_children_forks_nothing_and_resets_the_rate(
    void **state)
{
	struct pm_dynamic_in in = dynamic_pool(20, 0);
	int rate = 8;

	(void)state;
	assert_int_equal(pm_dynamic_decide(&in, &rate), 0);
	assert_int_equal(rate, 1);
	/* After a reload that lowered pm.max_children. */
	in = dynamic_pool(25, 2);
	rate = 8;
	assert_int_equal(pm_dynamic_decide(&in, &rate), 0);
	assert_int_equal(rate, 1);
}

static void
dynamic_pool_with_idle_workers_between_the_spares_does_nothing(
    void **state)
{
	int rate;

	(void)state;
	for (int idle = 5; idle <= 10; idle++) {
		struct pm_dynamic_in in = dynamic_pool(12, idle);

		rate = 4;
		assert_int_equal(pm_dynamic_decide(&in, &rate), 0);
		assert_int_equal(rate, 1);
	}
}

/* ---- pm_ondemand_spawn_count ----------------------------------------------- */

static void
ondemand_forks_one_worker_per_connection_no_idle_or_starting_one_takes(
    void **state)
{
	(void)state;
	assert_int_equal(pm_ondemand_spawn_count(1, 0, 0, 0, 10), 1);
	assert_int_equal(pm_ondemand_spawn_count(5, 0, 0, 0, 10), 5);
	assert_int_equal(pm_ondemand_spawn_count(5, 1, 0, 3, 10), 4);
	assert_int_equal(pm_ondemand_spawn_count(5, 1, 1, 3, 10), 3);
	assert_int_equal(pm_ondemand_spawn_count(5, 0, 2, 2, 10), 3);
}

static void
ondemand_forks_nothing_while_idle_and_starting_workers_cover_the_queue(
    void **state)
{
	(void)state;
	assert_int_equal(pm_ondemand_spawn_count(0, 0, 0, 0, 10), 0);
	assert_int_equal(pm_ondemand_spawn_count(2, 1, 1, 2, 10), 0);
	assert_int_equal(pm_ondemand_spawn_count(1, 3, 0, 3, 10), 0);
	assert_int_equal(pm_ondemand_spawn_count(1, 0, 4, 4, 10), 0);
}

static void
ondemand_forks_no_more_than_max_children_leaves_room_for(void **state)
{
	(void)state;
	assert_int_equal(pm_ondemand_spawn_count(10, 0, 0, 8, 10), 2);
	assert_int_equal(pm_ondemand_spawn_count(10, 0, 0, 10, 10), 0);
	/* After a reload that lowered pm.max_children: never negative. */
	assert_int_equal(pm_ondemand_spawn_count(10, 0, 0, 12, 10), 0);
	assert_int_equal(pm_ondemand_spawn_count(0, 0, 0, 12, 10), 0);
}

/* ---- pm_longest_idle ------------------------------------------------------- */

static void
longest_idle_worker_is_the_one_idle_since_the_earliest(void **state)
{
	const struct pm_worker w[] = {
		{ .idle = 1, .idle_since = 5000 },
		{ .idle = 1, .idle_since = 3000 },
		{ .idle = 1, .idle_since = 4000 },
	};

	(void)state;
	assert_int_equal(pm_longest_idle(w, 3), 1);
	assert_int_equal(pm_longest_idle(w, 1), 0);
}

static void
busy_and_starting_workers_are_never_the_longest_idle(void **state)
{
	const struct pm_worker w[] = {
		{ .idle = 0, .idle_since = 0 },			/* busy */
		{ .idle = 0, .starting = 1, .idle_since = 0 },	/* starting */
		{ .idle = 1, .idle_since = 9000 },
		{ .idle = 0, .idle_since = 100 },
	};

	(void)state;
	assert_int_equal(pm_longest_idle(w, 4), 2);
}

static void
pool_without_an_idle_worker_has_no_longest_idle(void **state)
{
	const struct pm_worker w[] = {
		{ .idle = 0, .idle_since = 0 },
		{ .idle = 0, .starting = 1 },
	};

	(void)state;
	assert_int_equal(pm_longest_idle(w, 2), -1);
	assert_int_equal(pm_longest_idle(w, 0), -1);
}

/* ---- pm_note_exit ---------------------------------------------------------- */

struct fixture {
	struct pool_conf conf;
	struct pool pool;
	struct child child;
	struct child newer;
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
	f.child.ready = 1;		/* loaded its app, unless a test says */
	f.newer.pool = &f.pool;
	f.newer.pid = 4243;
	/* Keep "the pool is failing" and "keep dying" out of the output. */
	log_set_level(LOG_LEVEL_ALERT);
	*state = &f;
	return 0;
}

static void
ready_worker_crashing_young_in_a_healthy_pool_is_replaced_at_once(
    void **state)
{
	struct fixture *f = *state;

	/* A crash on a request: one bad request must not pause the pool. */
	f->pool.respawn_at = 0;
	f->child.started = 10000;
	pm_note_exit(&f->pool, &f->child, 10050);
	assert_int_equal(f->pool.quick_deaths, 0);
	assert_int_equal(f->pool.respawn_at, 0);
}

static void
worker_dying_young_in_a_failing_pool_backs_off_and_counts(void **state)
{
	struct fixture *f = *state;

	f->child.ready = 0;
	f->child.started = 10000;
	pm_note_exit(&f->pool, &f->child, 10000 + PM_YOUNG_MS - 1);
	assert_int_equal(f->pool.quick_deaths, 1);
	assert_int_equal(f->pool.respawn_at, 10000 + PM_YOUNG_MS - 1 + 100);

	/* failing now: even a worker that loaded its app counts, young */
	f->child.ready = 1;

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
pool_is_forgiven_once_its_newest_worker_is_ready_past_the_young_limit(
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
pool_is_not_forgiven_while_its_newest_worker_has_not_said_ready(
    void **state)
{
	struct fixture *f = *state;

	f->pool.quick_deaths = 4;
	f->child.started = 50000;
	f->child.ready = 0;
	f->pool.children = &f->child;
	pm_forgive(&f->pool, 50000 + 60 * PM_YOUNG_MS);
	assert_int_equal(f->pool.quick_deaths, 4);
	f->child.ready = 1;
	pm_forgive(&f->pool, 50000 + 60 * PM_YOUNG_MS);
	assert_int_equal(f->pool.quick_deaths, 0);
}

static void
pool_is_not_forgiven_for_an_older_worker_while_the_newest_is_starting(
    void **state)
{
	struct fixture *f = *state;

	/* children are listed newest first */
	f->pool.quick_deaths = 3;
	f->child.started = 10000;
	f->newer.started = 70000;
	f->newer.ready = 0;
	f->newer.next = &f->child;
	f->pool.children = &f->newer;
	pm_forgive(&f->pool, 70000 + PM_YOUNG_MS);
	assert_int_equal(f->pool.quick_deaths, 3);
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
ready_worker_that_lived_long_enough_resets_the_count(void **state)
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
worker_that_never_said_ready_dies_at_start_up_whatever_its_age(
    void **state)
{
	struct fixture *f = *state;

	f->child.ready = 0;
	f->child.started = 10000;
	pm_note_exit(&f->pool, &f->child, 10000 + 3600 * 1000);
	assert_int_equal(f->pool.quick_deaths, 1);
	assert_int_equal(f->pool.respawn_at, 10000 + 3600 * 1000 + 100);
	pm_note_exit(&f->pool, &f->child, 10000 + 3601 * 1000);
	assert_int_equal(f->pool.quick_deaths, 2);
	assert_int_equal(f->pool.respawn_at, 10000 + 3601 * 1000 + 200);
}

static void
young_worker_told_to_go_is_not_a_death_at_start_up(void **state)
{
	struct fixture *f = *state;

	/* Retired (idle, recycled, logs reopened) before it was READY and
	 * before PM_YOUNG_MS: it did not fail. */
	f->pool.quick_deaths = 0;
	f->pool.respawn_at = 12345;
	f->child.ready = 0;
	f->child.ending = 1;
	f->child.started = 10000;
	pm_note_exit(&f->pool, &f->child, 10001);
	assert_int_equal(f->pool.quick_deaths, 0);
	assert_int_equal(f->pool.respawn_at, 12345);

	f->child.ready = 1;
	pm_note_exit(&f->pool, &f->child, 10001);
	assert_int_equal(f->pool.quick_deaths, 0);
	assert_int_equal(f->pool.respawn_at, 12345);
}

static void
worker_told_to_go_leaves_a_run_of_deaths_at_start_up_as_it_was(void **state)
{
	struct fixture *f = *state;

	f->pool.quick_deaths = 5;
	f->pool.respawn_at = 12345;
	f->child.ending = 1;
	f->child.started = 10000;
	pm_note_exit(&f->pool, &f->child, 10001);
	assert_int_equal(f->pool.quick_deaths, 5);
	assert_int_equal(f->pool.respawn_at, 12345);
}

/* ---- pm_for ---------------------------------------------------------------- */

static void
each_pm_mode_has_its_own_ops(void **state)
{
	(void)state;
	assert_ptr_equal(pm_for(PM_STATIC), &pm_static);
	assert_ptr_equal(pm_for(PM_DYNAMIC), &pm_dynamic);
	assert_ptr_equal(pm_for(PM_ONDEMAND), &pm_ondemand);
	assert_string_equal(pm_static.name, "static");
	assert_string_equal(pm_dynamic.name, "dynamic");
	assert_string_equal(pm_ondemand.name, "ondemand");
}

static void
every_pm_starts_ticks_and_hears_of_exits(void **state)
{
	const struct pm_ops *const all[] = { &pm_static, &pm_dynamic,
	    &pm_ondemand };

	(void)state;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		assert_non_null(all[i]->start);
		assert_non_null(all[i]->tick);
		assert_non_null(all[i]->on_exit);
	}
}

static void
only_ondemand_watches_for_connections(void **state)
{
	(void)state;
	/* children.c tells ondemand pools apart by on_connection. */
	assert_null(pm_static.on_connection);
	assert_null(pm_dynamic.on_connection);
	assert_non_null(pm_ondemand.on_connection);
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
		cmocka_unit_test(
		    dynamic_pool_short_of_idle_workers_forks_as_many_as_the_rate_allows),
		cmocka_unit_test(
		    dynamic_pool_forks_no_more_than_the_missing_spares),
		cmocka_unit_test(
		    dynamic_pool_forks_no_more_than_max_children_leaves_room_for),
		cmocka_unit_test(
		    spawn_rate_doubles_each_round_idle_workers_stay_short),
		cmocka_unit_test(
		    spawn_rate_stops_at_max_spawn_rate_that_is_not_a_power_of_two),
		cmocka_unit_test(spawn_rate_of_one_never_grows),
		cmocka_unit_test(
		    spawn_rate_falls_back_to_1_once_idle_workers_suffice),
		cmocka_unit_test(spawn_rate_falls_back_to_1_when_a_worker_retires),
		cmocka_unit_test(
		    dynamic_pool_with_too_many_idle_workers_retires_exactly_one),
		cmocka_unit_test(
		    dynamic_pool_at_max_children_forks_nothing_and_resets_the_rate),
		cmocka_unit_test(
		    dynamic_pool_with_idle_workers_between_the_spares_does_nothing),
		cmocka_unit_test(
		    ondemand_forks_one_worker_per_connection_no_idle_or_starting_one_takes),
		cmocka_unit_test(
		    ondemand_forks_nothing_while_idle_and_starting_workers_cover_the_queue),
		cmocka_unit_test(
		    ondemand_forks_no_more_than_max_children_leaves_room_for),
		cmocka_unit_test(
		    longest_idle_worker_is_the_one_idle_since_the_earliest),
		cmocka_unit_test(
		    busy_and_starting_workers_are_never_the_longest_idle),
		cmocka_unit_test(pool_without_an_idle_worker_has_no_longest_idle),
		cmocka_unit_test_setup(
		    ready_worker_crashing_young_in_a_healthy_pool_is_replaced_at_once,
		    setup),
		cmocka_unit_test_setup(
		    worker_dying_young_in_a_failing_pool_backs_off_and_counts, setup),
		cmocka_unit_test_setup(
		    ready_worker_that_lived_long_enough_resets_the_count, setup),
		cmocka_unit_test_setup(
		    worker_that_never_said_ready_dies_at_start_up_whatever_its_age,
		    setup),
		cmocka_unit_test_setup(
		    young_worker_told_to_go_is_not_a_death_at_start_up, setup),
		cmocka_unit_test_setup(
		    worker_told_to_go_leaves_a_run_of_deaths_at_start_up_as_it_was, setup),
		cmocka_unit_test_setup(
		    pool_is_forgiven_once_its_newest_worker_is_ready_past_the_young_limit,
		    setup),
		cmocka_unit_test_setup(
		    pool_is_not_forgiven_while_its_newest_worker_has_not_said_ready,
		    setup),
		cmocka_unit_test_setup(
		    pool_is_not_forgiven_for_an_older_worker_while_the_newest_is_starting,
		    setup),
		cmocka_unit_test_setup(pool_without_workers_is_not_forgiven,
		    setup),
		cmocka_unit_test(each_pm_mode_has_its_own_ops),
		cmocka_unit_test(every_pm_starts_ticks_and_hears_of_exits),
		cmocka_unit_test(only_ondemand_watches_for_connections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
