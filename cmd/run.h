/*
 * run.h: what a command that runs a sweep (run, demo) does once run_exec has returned: the charts and
 * the report when the run succeeded with plotting on, then -v's count of open file descriptors. Kept in
 * cmd/ because the driver (bench/) never draws: it only writes the results directory.
 */
#ifndef PGPB_CMD_RUN_H
#define PGPB_CMD_RUN_H

#include "bench/bench.h"

/* Draws out->dir's charts and prints "report: INDEX" (unless quiet) when rc is 0 and o->plot is set, as
 * `pgpagebench plot` would; then run_report_fds. Returns rc: a chart failure is reported, not fatal. */
int run_finish(const struct pgpb_ctx *ctx, const struct run_opts *o, int rc, const struct run_outcome *out);

#endif
