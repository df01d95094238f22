/*
 * rows.h: the row generator. A plan (counts, distributions, the text pool, tag id offsets) is built once
 * from the options; every row is then a pure function of (plan, row index), written in COPY binary
 * format. Above the random sources, below the loader; public so the unit tests can check the rows.
 */
#ifndef PGPB_DATAGEN_ROWS_H
#define PGPB_DATAGEN_ROWS_H

#include "datagen/opts.h"
#include "datagen/random.h"

#include <stddef.h>
#include <stdint.h>

enum datagen_table { DATAGEN_USERS, DATAGEN_RECORDS, DATAGEN_TAGS, DATAGEN_NTABLES };
extern const char *const datagen_table_names[DATAGEN_NTABLES];

/* Everything a worker needs to generate any row range; built once, read-only afterwards. */
struct datagen_plan {
	struct datagen_opts opts;
	int64_t users, records, rec_tags, user_tags; /* tags = rec_tags + user_tags */
	double status_cdf[DATAGEN_MAX_STATUS];
	struct datagen_perm user_perm, updated_perm;
	struct datagen_zipf user_zipf, tag_zipf;
	char password[160]; /* Django's pbkdf2_sha256$... of DATAGEN_PASSWORD, from datagen_plan_password */
	/* record chunks: tags of records [i*chunk, (i+1)*chunk) start at tag offset rec_tag_off[i];
	 * user tags of users [i*uchunk, ...) at user_tag_off[i] (after all record tags) */
	int64_t chunk, nchunks, uchunk, nuchunks;
	int64_t *rec_tag_off, *user_tag_off; /* owned */
	char *pool; /* owned: DATAGEN_POOL_BYTES of words (plus 4 KiB), contents are cut from it */
	uint32_t *pool_words; /* owned: offsets of the words that start in the first DATAGEN_POOL_BYTES */
	size_t npool_words;
};
#define DATAGEN_POOL_BYTES (1 << 20)

#define DATAGEN_PBKDF2_ITERATIONS 260000
/* Every timestamp is before this fixed instant (2026-01-01 00:00:00 UTC), never now(), so a dataset is
 * the same on every day. In microseconds since 2000-01-01 UTC, PostgreSQL's epoch. */
#define DATAGEN_REF_US INT64_C(820540800000000)

/* Builds the plan (counts, distributions, tag offsets) for options o. */
void datagen_plan_init(struct datagen_plan *p, const struct datagen_opts *o);
/* Computes the password hash (PBKDF2, 260000 rounds: a few tenths of a second, so the loader does it
 * while the first COPYs run, and holds back the auth_user rows until it is there). */
void datagen_plan_password(struct datagen_plan *p);
void datagen_plan_free(struct datagen_plan *p);

/* Binary COPY output buffer. */
struct datagen_buf {
	unsigned char *data;
	size_t len, cap;
};
void datagen_buf_reserve(struct datagen_buf *b, size_t extra);
void datagen_buf_free(struct datagen_buf *b);
/* COPY header (signature, flags, extension) and trailer (-1). */
void datagen_copy_header(struct datagen_buf *b);
void datagen_copy_trailer(struct datagen_buf *b);
/* The COPY column list of a table: "auth_user (id, password, ...)" */
const char *datagen_copy_columns(enum datagen_table t);

/* Appends one row in COPY binary format. Users and records by 0-based index; tags by the 0-based index
 * of the record (or, for user tags, the user) they belong to: all of its tags, the first with id first_id. */
void datagen_row_user(const struct datagen_plan *p, int64_t i, struct datagen_buf *b);
void datagen_row_record(const struct datagen_plan *p, int64_t i, struct datagen_buf *b);
int datagen_record_tags(const struct datagen_plan *p, int64_t i, int64_t first_id, struct datagen_buf *b);
int datagen_user_tags(const struct datagen_plan *p, int64_t u, int64_t first_id, struct datagen_buf *b);
/* Pieces of the above, for the tests: tag count of record i (0..5), whether it is a child, its parent
 * (0-based index of an earlier top-level record; -1 for a top-level one), its user (0-based). */
int datagen_record_ntags(const struct datagen_plan *p, int64_t i);
int datagen_user_ntags(const struct datagen_plan *p, int64_t u);
int64_t datagen_record_parent(const struct datagen_plan *p, int64_t i);
int64_t datagen_record_user(const struct datagen_plan *p, int64_t i);

#endif
