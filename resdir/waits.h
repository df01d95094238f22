/*
 * waits.h: where the server time goes, as the results directory holds it (waits.csv and the "waits"
 * object of a step in summary.json, docs/results.md). The driver's sampler (bench/waits.c) counts what
 * pg_stat_activity says the run's backends are doing into a struct wait_profile; this file classifies a
 * backend's state and wait event, and writes and parses the rows, so the writer (resdir/write.c) and the
 * reader (resdir/read.c) share one vocabulary and one set of names.
 */
#ifndef PGPB_RESDIR_WAITS_H
#define PGPB_RESDIR_WAITS_H

#include "resdir/steps.h"

#include <jansson.h>
#include <stdint.h>

/* What a backend was doing when sampled. The first ten are PostgreSQL's own classes of an active backend
 * (CPU: active with no wait event); IDLE and IDLE_XACT are the time between the driver's queries (the
 * client side: the backend waits for the next query); HIDDEN is a backend whose state the role may not see
 * (another role's, without pg_read_all_stats). */
enum wait_class {
	WAIT_CPU, WAIT_IO, WAIT_LWLOCK, WAIT_LOCK, WAIT_CLIENT, WAIT_IPC, WAIT_TIMEOUT, WAIT_BUFFERPIN,
	WAIT_ACTIVITY, WAIT_EXTENSION, WAIT_OTHER, WAIT_IDLE, WAIT_IDLE_XACT, WAIT_HIDDEN, WAIT_NCLASSES
};
/* The names in waits.csv and summary.json ("CPU", "IO", ..., "Idle", "IdleInTransaction", "Hidden"). */
extern const char *const wait_class_names[WAIT_NCLASSES];
/* What the pages and the terminal call them ("on CPU", "idle: between the driver's queries", ...). */
extern const char *const wait_class_labels[WAIT_NCLASSES];

/* The class of a backend from pg_stat_activity's state and wait_event_type (either may be NULL). */
enum wait_class wait_classify(const char *state, const char *wait_type);

/* A step whose profile rests on fewer samples than this is marked as not to be trusted. */
#define WAIT_MIN_SAMPLES 50
/* Distinct wait events a step keeps (the rest are counted under their class only), and how many of the
 * most frequent ones waits.csv lists. */
#define WAIT_EVENTS_MAX 48
#define WAIT_TOP_EVENTS 5

struct wait_event_count {
	char name[128]; /* "IO:DataFileRead" */
	uint64_t n;
};

/* One step's samples over its measured window. */
struct wait_profile {
	double interval_ms; /* the sampler's period */
	uint64_t reads; /* pg_stat_activity reads in the window */
	uint64_t failed; /* reads that failed (the connection lost, ...) */
	uint64_t samples; /* backends seen over those reads: the shares' denominator */
	uint64_t cls[WAIT_NCLASSES];
	struct wait_event_count ev[WAIT_EVENTS_MAX]; /* waits of active backends, by event */
	int nev;
};

/* Counts n backends seen in this state and wait. */
void wait_profile_add(struct wait_profile *p, const char *state, const char *wait_type, const char *wait_event,
                      uint64_t n);
/* The indexes of the most frequent events, most first (ties by name): at most max, the count returned. */
int wait_profile_top(const struct wait_profile *p, int *idx, int max);

/* The header of waits.csv, newline included. */
extern const char wait_csv_header[];
/* The step's rows of waits.csv: one a class (all of them, so they sum to the step's samples), then the
 * top events. */
void wait_csv_rows(struct steps_buf *b, const char *step, const struct wait_profile *p);
/* A whole file in waits.csv's format: the header, then each step's rows (a NULL profile has none). It is
 * written under a temporary name and renamed, so it is whole or absent. 0, or -1 (logged). */
int wait_csv_write(const char *path, const char *const *steps, const struct wait_profile *const *profiles, int n);
/* The step's "waits" object of summary.json. */
json_t *wait_json(const struct wait_profile *p);

/* A step's profile as the reading side gets it back from waits.csv. */
struct res_waits {
	int have; /* the step has rows in waits.csv */
	double samples; /* the step's samples */
	double cls[WAIT_NCLASSES];
	struct wait_event_count top[WAIT_TOP_EVENTS];
	int ntop;
};
/* The share (0..1) of a class in a step, 0 when it has no samples. */
double res_waits_share(const struct res_waits *w, enum wait_class c);
/* The class named name in waits.csv, or -1. */
int wait_class_find(const char *name);

#endif
