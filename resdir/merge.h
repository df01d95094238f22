/*
 * merge.h: several runs of one plan, each measured by its own driver host (run --start-at, the same
 * schedule everywhere), added up into one ordinary results directory (docs/distributed.md). The runs
 * are read through resdir/read.h and the merge is written through resdir/write.h, so plot, compare and
 * the report read it like any run.
 *
 * Merging is exact where the files allow it: the latency histograms are added bucket by bucket from
 * summary.json (the same buckets every host recorded; from the step's .hlog, HdrHistogram's interval
 * log, when summary.json lacks them, and checked equal to the .hlog's when both hold them), so every
 * percentile of the merge is the one a single histogram fed with all the hosts' queries gives; counts,
 * errors by SQLSTATE, throughput and the per-second counts are sums. Each host's own figures stay beside the total (hosts.csv,
 * host-intervals.csv).
 */
#ifndef PGPB_RESDIR_MERGE_H
#define PGPB_RESDIR_MERGE_H

#include <stddef.h>

struct merge_opts {
	const char *const *dirs; /* the runs, one a host, at least two */
	size_t ndirs;
	const char *out; /* the merged results directory (created when missing) */
	int force; /* replace the results of an earlier run in out (resdir/write.h: results_claim) */
	const char *command_line; /* for the merged meta.json (a password already masked) */
	int quiet; /* no table of the merged steps */
};

/*
 * Checks that the runs share the plan (the same steps, query, dataset, options and schedule) and that
 * each host is named once, then writes the merge into o->out. Refuses the first difference in one line
 * naming it and both runs. Returns an exit status: 0, 1 (runs that do not share the plan, an unreadable
 * run or a write that failed, all logged), or 128+signal when interrupted. *lock_fd holds out's lock
 * (for the charts; resdir/write.h results_unlock), -1 when none was taken.
 */
int merge_runs(const struct merge_opts *o, int *lock_fd);
/* Releases the merged directory's lock once its charts are drawn. */
void merge_release(int lock_fd);

#endif
