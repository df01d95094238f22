/*
 * waits.h: the wait sampler, which says where the server time goes. A thread of its own, on a connection
 * of its own, reads pg_stat_activity every interval while a step's window is measured and counts what the
 * run's backends were doing: on CPU, waiting (by wait event class and event), or idle between the
 * driver's queries. It shares nothing with the engines: only the main thread opens and closes a window.
 */
#ifndef PGPB_WAITS_H
#define PGPB_WAITS_H

#include "common/ctx.h"
#include "resdir/waits.h"

/* Which backends are sampled: each member NULL when it does not filter. A run's own backends are found by
 * their application_name (conn_worker_appname); an HTTP app's by its database and user. */
struct wait_filter {
	const char *appname, *datname, *usename;
	/* 1: a window counts only the backends started since the last read of the window before it. A run's
	 * steps each open connections of their own, and a step's query still running when the step closed its
	 * connections goes on in its backend (the server notices the client gone only when it answers): those
	 * backends carry the run's application_name but are not the next step's. 0 for an app's long-lived
	 * pool. */
	int new_backends;
	/* 1: leave out this tool's own backends (application_name "pgpagebench..."): a web app sampled by its
	 * database and user may share both with the run's connections. */
	int skip_own;
};

/* The default period: measured to cost under 2% of a scale-1 sweep's throughput (docs/run.md). */
#define WAITS_DEFAULT_INTERVAL_MS 20.0

struct waits_sampler;

/* Connects (application_name "pgpagebench wait sampler"), prepares the read and starts the thread, idle
 * until a window opens. NULL when it could not (logged as a warning: the run goes on without sampling). */
struct waits_sampler *waits_start(const struct pgpb_ctx *ctx, const struct wait_filter *f, double interval_ms);
/* A measured window opens: the counts start from zero with a read at once. */
void waits_begin(struct waits_sampler *w);
/* The window closes: its counts into *out (a read under way when it closes is not counted). */
void waits_end(struct waits_sampler *w, struct wait_profile *out);
/* Stops the thread and closes the connection; reports reads that failed. NULL is fine. */
void waits_stop(struct waits_sampler *w);

/* The terminal's lines: one a step, its CPU share and its top waits (the same counts as waits.csv). */
void waits_print(const char *const *steps, const struct wait_profile *const *profiles, int n);
/* The same under another heading: a printf format with one %g, the period in ms (no colon, no newline). */
void waits_print_as(const char *heading, const char *const *steps, const struct wait_profile *const *profiles, int n);

#endif
