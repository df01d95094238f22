/*
 * hgrm.c: writes and reads the .hgrm percentile tables. The reader takes every line holding a value
 * (finite, not negative), a percentile in 0..1 and a count, so a table from HdrHistogram itself reads
 * the same, and keeps the Max of the footer (the exact maximum, which the last row rounds). It reads at
 * most HGRM_MAX bytes, and a signal ends the read (common/input.h).
 */
#include "resdir/hgrm.h"
#include "common/alloc.h"
#include "common/input.h"
#include "common/log.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hgrm_path(char *buf, size_t len, const char *dir, const char *id, const char *suffix)
{
	snprintf(buf, len, "%s/%s%s.hgrm", dir, id, suffix);
}

int hgrm_write(const char *path, const struct hist *h)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int rc = hist_write_hgrm(h, f, 1000.0) < 0 || ferror(f) ? -1 : 0;
	int err = rc < 0 ? (errno ? errno : EIO) : 0;
	if (fclose(f) != 0 && rc == 0) {
		rc = -1;
		err = errno;
	}
	errno = err;
	return rc;
}

int hgrm_read(const char *path, struct hgrm *out, int *why, char *err, size_t err_len)
{
	memset(out, 0, sizeof *out);
	out->max_us = -1;
	struct input in;
	if (input_open(&in, path, HGRM_MAX, why, err, err_len) < 0)
		return -1;
	char *line;
	size_t cap = 0;
	int got;
	while ((got = input_line(&in, &line, why, err, err_len)) > 0) {
		double value, p, count;
		if (sscanf(line, "#[Max = %lf", &value) == 1) {
			if (isfinite(value) && value >= 0)
				out->max_us = value * 1000.0;
			continue;
		}
		if (line[0] == '#' || sscanf(line, " %lf %lf %lf", &value, &p, &count) != 3 || !isfinite(value) ||
		    value < 0 || !(p >= 0 && p <= 1) || !(count >= 0) || !isfinite(count))
			continue;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			out->rows = pgpb_reallocarray(out->rows, cap, sizeof *out->rows);
		}
		out->rows[out->n++] = (struct res_pctl){ value * 1000.0, p, count };
	}
	input_close(&in);
	if (got < 0) {
		free(out->rows);
		memset(out, 0, sizeof *out);
		out->max_us = -1;
		return -1;
	}
	return 0;
}
