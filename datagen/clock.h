/*
 * clock.h: the monotonic clock datagen times its COPYs, jobs and whole load with, in seconds. Here, at
 * the floor, because the job pool, the loader and datagen_exec all read it.
 */
#ifndef PGPB_DATAGEN_CLOCK_H
#define PGPB_DATAGEN_CLOCK_H

#include <time.h>

static inline double datagen_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#endif
