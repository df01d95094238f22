/*
 * hgrm.h: the <step>.hgrm files of a results directory, HdrHistogram's percentile table (values in
 * milliseconds) that its own plotters read. Written from a step's histogram (common/hist.h does the
 * layout) and read back as rows for the charts, the report and http-compare.
 */
#ifndef PGPB_RESDIR_HGRM_H
#define PGPB_RESDIR_HGRM_H

#include "common/hist.h"

#include <stddef.h>

/* One line of a .hgrm percentile table. */
struct res_pctl {
	double value_us, percentile, count;
};

/* <dir>/<id><suffix>.hgrm ("" or ".uncorrected" or ".wait" for suffix). */
void hgrm_path(char *buf, size_t len, const char *dir, const char *id, const char *suffix);
/* Writes h to path (from hgrm_path); 0, or -1 with errno set (nothing logged: the caller names the fault
 * once and removes what was written). */
int hgrm_write(const char *path, const struct hist *h);

/* A table as read: its rows in file order ("Value Percentile TotalCount 1/(1-Percentile)", header and
 * footer skipped) and the "#[Max = ...]" line. */
struct hgrm {
	struct res_pctl *rows; /* NULL when none */
	size_t n;
	double max_us; /* -1 when the file has no Max line */
};
/* A table is a few kB: a larger file is refused. */
#define HGRM_MAX ((size_t)16 << 20)
/* 0, or -1 with why in err (nothing logged) and *why an errno value: ENOENT when there is no such file,
 * EFBIG past HGRM_MAX, EINTR when a signal ended the read (common/input.h). Rows that are not a value,
 * a percentile in 0..1 and a count are skipped. */
int hgrm_read(const char *path, struct hgrm *out, int *why, char *err, size_t err_len);

#endif
