/*
 * validate.h: checks every page the driver receives, so a fast wrong answer never counts as a result:
 * at most a page of rows (exactly the rows that should exist when the total is known), `updated`
 * non-increasing, `cnt` equal on every row and to the qualifying count, `tag` decoded as an array.
 * Results are read through libpqtypes (binary results; text for the simple protocol).
 */
#ifndef PGPB_VALIDATE_H
#define PGPB_VALIDATE_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stddef.h>

#define VALIDATE_COUNT_CAP 1001 /* the cappedcount variant's cap */

/* What a page's cnt column holds (each query variant says which, bench/variants.h). */
enum validate_count {
	VALIDATE_COUNT_NULL = 0, /* NULL on every row (no count) */
	VALIDATE_COUNT_EXACT = 1, /* the exact total of qualifying rows (the seed's COUNT(*) OVER ()) */
	VALIDATE_COUNT_CAPPED = 2 /* the total capped at count_cap */
};

struct validator {
	int col_updated, col_cnt, col_tag; /* -1 when the query has no such column */
	Oid type_updated, type_cnt, type_tag;
	int text_results; /* simple protocol: results arrive as text */
	long page_size;
	long long expected_count; /* qualifying rows, counted once per step; -1 unknown */
	enum validate_count count_mode; /* what cnt holds; EXACT unless the query is a variant */
	long long count_cap;
	/* libpqtypes' PQgetf writes a process-wide error buffer on every call (Debian's 1.5.1): pages that
	 * decode columns are checked under this lock so threads never write it at once (owned by the caller;
	 * NULL only when a single thread validates) */
	pthread_mutex_t *decode_lock;
};

/* From the statement's description (PQdescribePrepared): which columns can be checked. 0, or -1 with a
 * message in why when a known column has a type the checks cannot read. */
int validate_init(struct validator *v, const PGresult *desc, int text_results, long page_size, char *why,
                  size_t len);
/* 1 when the checks decode columns (binary results and libpqtypes needed), 0 when they only count rows. */
int validate_decodes(const struct validator *v);
/* 0 when the page passes; -1 with the reason in why. Safe in any thread when decode_lock is set: the
 * columns are decoded under it, and the reason is built from our own messages, never PQgeterror. */
int validate_page(const struct validator *v, const PGresult *res, long offset, char *why, size_t len);

#endif
