/*
 * wrk.h: wrk's output read for `pgpagebench http-compare --url ... --http-tool wrk`: wrk's own text
 * (the URL, threads and connections, Requests/sec, "Non-2xx or 3xx responses") and the block that
 * bench/wrk_percentiles.lua prints from wrk's latency histogram (every percentile, the counts, the
 * errors). It fills the same structures as ab's readers (plots/ab.h), so the comparison does not care
 * which tool measured.
 */
#ifndef PGPB_WRK_H
#define PGPB_WRK_H

#include "plots/ab.h"

#define WRK_TEXT_MAX ((size_t)1 << 20)

/* Reads wrk's standard output: the summary into t (host, port, path, concurrency, complete, failed =
 * socket errors, non2xx, time taken, requests/s, mean, the table at ab_percentiles) and every percentile
 * 0..100 into pct (0 = the minimum, 100 = the maximum, in ms to the microsecond). 0, or -1 with err (one
 * line: the file, the line, the value; that the script's block is missing; or that no request was answered,
 * so there is no latency to read). */
int wrk_parse(const char *file, struct ab_text *t, struct ab_csv *pct, char *err, size_t err_len);

#endif
