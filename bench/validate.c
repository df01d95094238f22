/*
 * validate.c: the page checks. The driver measures a query only if its answer is a correct page: a
 * broken index, a wrong ORDER BY or a query file that counts the wrong rows shows up as validation
 * errors instead of a flattering latency. Decoding goes through libpqtypes' PQgetf (never PQgeterror,
 * which is not thread-safe in Debian's build: the reason is built from our own messages). PQgetf itself
 * clears that process-wide buffer on every call, so decoding runs under the caller's lock.
 */
#include "bench/validate.h"

#include <libpqtypes.h>
#include <stdio.h>
#include <string.h>

#define OID_INT4 23
#define OID_INT8 20
#define OID_TIMESTAMP 1114
#define OID_TIMESTAMPTZ 1184
#define OID_TEXT_ARRAY 1009
#define OID_VARCHAR_ARRAY 1015

int validate_init(struct validator *v, const PGresult *desc, int text_results, long page_size, char *why,
                  size_t len)
{
	memset(v, 0, sizeof *v);
	v->text_results = text_results;
	v->page_size = page_size;
	v->expected_count = -1;
	v->count_mode = VALIDATE_COUNT_EXACT;
	v->count_cap = VALIDATE_COUNT_CAP;
	v->col_updated = PQfnumber(desc, "updated");
	v->col_cnt = PQfnumber(desc, "cnt");
	v->col_tag = PQfnumber(desc, "tag");
	if (v->col_updated >= 0) {
		v->type_updated = PQftype(desc, v->col_updated);
		if (v->type_updated != OID_TIMESTAMPTZ && v->type_updated != OID_TIMESTAMP) {
			snprintf(why, len, "column \"updated\" has type oid %u, not a timestamp", v->type_updated);
			return -1;
		}
	}
	if (v->col_cnt >= 0) {
		v->type_cnt = PQftype(desc, v->col_cnt);
		if (v->type_cnt != OID_INT8 && v->type_cnt != OID_INT4) {
			snprintf(why, len, "column \"cnt\" has type oid %u, not bigint or integer", v->type_cnt);
			return -1;
		}
	}
	if (v->col_tag >= 0) {
		v->type_tag = PQftype(desc, v->col_tag);
		if (v->type_tag != OID_VARCHAR_ARRAY && v->type_tag != OID_TEXT_ARRAY) {
			snprintf(why, len, "column \"tag\" has type oid %u, not varchar[] or text[]", v->type_tag);
			return -1;
		}
	}
	return 0;
}

int validate_decodes(const struct validator *v)
{
	return v->col_updated >= 0 || v->col_cnt >= 0 || v->col_tag >= 0;
}

static int get_count(const struct validator *v, const PGresult *res, int row, long long *out)
{
	if (v->type_cnt == OID_INT8) {
		PGint8 n = 0;
		if (!PQgetf(res, row, "%int8", v->col_cnt, &n))
			return -1;
		*out = n;
	} else {
		PGint4 n = 0;
		if (!PQgetf(res, row, "%int4", v->col_cnt, &n))
			return -1;
		*out = n;
	}
	return 0;
}

static int check_page(const struct validator *v, const PGresult *res, long offset, char *why, size_t len);

int validate_page(const struct validator *v, const PGresult *res, long offset, char *why, size_t len)
{
	if (!v->decode_lock || !validate_decodes(v) || PQntuples(res) == 0)
		return check_page(v, res, offset, why, len);
	pthread_mutex_lock(v->decode_lock);
	int rc = check_page(v, res, offset, why, len);
	pthread_mutex_unlock(v->decode_lock);
	return rc;
}

static int check_page(const struct validator *v, const PGresult *res, long offset, char *why, size_t len)
{
	int rows = PQntuples(res);
	if (rows > v->page_size) {
		snprintf(why, len, "%d rows, more than a page of %ld", rows, v->page_size);
		return -1;
	}
	if (v->col_cnt >= 0 && v->expected_count >= 0) {
		long long left = v->expected_count - offset;
		long long want = left < 0 ? 0 : left > v->page_size ? v->page_size : left;
		if (rows != want) {
			snprintf(why, len, "%d rows at offset %ld, expected %lld of %lld qualifying", rows, offset, want,
			         v->expected_count);
			return -1;
		}
	}
	long long first_cnt = 0;
	PGint8 prev_epoch = 0;
	int prev_usec = 0;
	for (int r = 0; r < rows; r++) {
		if (v->col_updated >= 0) {
			PGtimestamp ts;
			memset(&ts, 0, sizeof ts);
			const char *fmt = v->type_updated == OID_TIMESTAMPTZ ? "%timestamptz" : "%timestamp";
			if (PQgetisnull(res, r, v->col_updated)) {
				snprintf(why, len, "row %d: updated is NULL", r + 1);
				return -1;
			}
			if (!PQgetf(res, r, fmt, v->col_updated, &ts)) {
				snprintf(why, len, "row %d: could not decode updated", r + 1);
				return -1;
			}
			if (r > 0 && (ts.epoch > prev_epoch || (ts.epoch == prev_epoch && ts.time.usec > prev_usec))) {
				snprintf(why, len, "row %d: updated increases (rows are not newest first)", r + 1);
				return -1;
			}
			prev_epoch = ts.epoch;
			prev_usec = ts.time.usec;
		}
		if (v->col_cnt >= 0 && v->count_mode == VALIDATE_COUNT_NULL) {
			if (!PQgetisnull(res, r, v->col_cnt)) {
				snprintf(why, len, "row %d: cnt should be NULL for this query", r + 1);
				return -1;
			}
		} else if (v->col_cnt >= 0) {
			long long cnt;
			if (PQgetisnull(res, r, v->col_cnt) || get_count(v, res, r, &cnt) < 0) {
				snprintf(why, len, "row %d: could not decode cnt", r + 1);
				return -1;
			}
			if (r == 0)
				first_cnt = cnt;
			else if (cnt != first_cnt) {
				snprintf(why, len, "row %d: cnt %lld differs from row 1 (%lld)", r + 1, cnt, first_cnt);
				return -1;
			}
			long long want = v->expected_count;
			if (v->count_mode == VALIDATE_COUNT_CAPPED && want > v->count_cap)
				want = v->count_cap;
			if (want >= 0 && cnt != want) {
				snprintf(why, len, "cnt %lld, but %lld rows qualify", cnt, want);
				return -1;
			}
		}
		if (v->col_tag >= 0 && !PQgetisnull(res, r, v->col_tag)) {
			if (v->text_results) {
				/* libpqtypes reads arrays only from binary results: check the text form's shape */
				const char *t = PQgetvalue(res, r, v->col_tag);
				size_t n = strlen(t);
				if (n < 2 || t[0] != '{' || t[n - 1] != '}') {
					snprintf(why, len, "row %d: tag is not an array", r + 1);
					return -1;
				}
			} else {
				PGarray a;
				memset(&a, 0, sizeof a);
				const char *fmt = v->type_tag == OID_VARCHAR_ARRAY ? "%varchar[]" : "%text[]";
				if (!PQgetf(res, r, fmt, v->col_tag, &a)) {
					snprintf(why, len, "row %d: could not decode tag as an array", r + 1);
					return -1;
				}
				int ok = a.res == NULL || a.ndims <= 1;
				if (a.res)
					PQclear(a.res);
				if (!ok) {
					snprintf(why, len, "row %d: tag is a %d-dimensional array", r + 1, a.ndims);
					return -1;
				}
			}
		}
	}
	return 0;
}
