/*
 * clock.h - timespec arithmetic shared by the master and the workers.
 * The monotonic clock is system-wide, so a value one process reads means
 * the same in another (the scoreboard relies on it).
 */
#ifndef FPM_CLOCK_H
#define FPM_CLOCK_H

#include <time.h>

static inline long long
ts_us(const struct timespec *ts)
{
	return (long long)ts->tv_sec * 1000000 + ts->tv_nsec / 1000;
}

/* Now on clock id, in microseconds. */
static inline long long
clock_us(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts_us(&ts);
}

/* Seconds from a to b. */
static inline double
ts_seconds(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

#endif
