/*
 * datagen.h: fills the tables with realistic, reproducible data (issue 3). The command is datagen_main;
 * other commands (demo) call datagen_exec with options they fill themselves. The rest of this header is
 * the module's inner parts, public so the unit tests can check them: the per-row random streams, the
 * distributions, the row generator, and PBKDF2-HMAC-SHA256 for Django's password hash.
 */
#ifndef PGPB_DATAGEN_H
#define PGPB_DATAGEN_H

#include "common/ctx.h"

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

int datagen_main(int argc, char **argv);

/* ---- the API for other commands ---------------------------------------------------------------- */

enum { DATAGEN_MAX_STATUS = 8 };

struct datagen_opts {
	double scale; /* users = 1000 x scale, records = 100000 x scale (rounded; at least 1 each) */
	uint64_t seed; /* default 1 */
	int jobs; /* parallel connections; 0 = number of online CPUs */
	int drop; /* replace a complete dataset loaded with other arguments, or foreign rows */
	int with_indexes; /* build indexes.sql after the data (default 1) */
	int progress; /* -1 = when stderr is a TTY (default), 0 = never, 1 = always */
	double user_zipf; /* records per user: Zipf exponent (default 1.07) */
	double children; /* share of records that are children (default 0.25) */
	size_t nstatus; /* status mix (default new=70,done=20,archived=10) */
	char status[DATAGEN_MAX_STATUS][32];
	double status_weight[DATAGEN_MAX_STATUS];
};

/* Fills the defaults (scale 1). */
void datagen_opts_default(struct datagen_opts *o);
/* Parses a --status-mix value "name=weight,..." into o; logs and returns -1 on a bad value. */
int datagen_parse_status_mix(struct datagen_opts *o, const char *s);
/* The canonical text of the options that shape the data (not --jobs): stored in pgpagebench_dataset.args,
 * and compared with it to tell "the same dataset" from "another one". */
void datagen_args_text(const struct datagen_opts *o, char *buf, size_t len);
/*
 * Loads a dataset into the database ctx points at (ctx_open already called by the caller): creates the
 * tables if needed, loads, builds keys and indexes, VACUUM (ANALYZE), stores and prints the fingerprint.
 * Returns an exit status: 0, 1 (runtime failure), or 128 + signal when interrupted.
 */
int datagen_exec(struct pgpb_ctx *ctx, const struct datagen_opts *o);

/* ---- random streams ---------------------------------------------------------------------------- */

/* splitmix64: one stream per (seed, stream id, row index), so a row's values never depend on --jobs. */
struct datagen_rng {
	uint64_t s;
};
uint64_t datagen_mix(uint64_t z);
void datagen_rng_init(struct datagen_rng *r, uint64_t seed, uint32_t stream, uint64_t index);
static inline uint64_t datagen_rng_next(struct datagen_rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
/* Uniform in [0, 1). */
static inline double datagen_rng_u01(struct datagen_rng *r)
{
	return (double)(datagen_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}
/* Uniform integer in [0, n) (n > 0). */
static inline uint64_t datagen_rng_below(struct datagen_rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)datagen_rng_next(r) * n) >> 64);
}
/* Standard normal (Box-Muller, one value a call). */
double datagen_rng_normal(struct datagen_rng *r);

/* A keyed bijection of [0, n): a Feistel network with cycle walking. */
struct datagen_perm {
	uint64_t n, key;
	int half_bits;
	uint64_t half_mask;
};
void datagen_perm_init(struct datagen_perm *p, uint64_t n, uint64_t key);
uint64_t datagen_perm_apply(const struct datagen_perm *p, uint64_t x);

/* Zipf over ranks 0..n-1 with exponent s, sampled by inverse CDF (binary search in a table). */
struct datagen_zipf {
	size_t n;
	double *cdf; /* owned */
};
int datagen_zipf_init(struct datagen_zipf *z, size_t n, double s);
size_t datagen_zipf_draw(const struct datagen_zipf *z, double u);
void datagen_zipf_free(struct datagen_zipf *z);

/* ---- the dataset plan and the row generator ---------------------------------------------------- */

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

#define DATAGEN_PASSWORD "pgpagebench"
#define DATAGEN_PBKDF2_ITERATIONS 260000
/* Every timestamp is before this fixed instant (2026-01-01 00:00:00 UTC), never now(), so a dataset is
 * the same on every day. In microseconds since 2000-01-01 UTC, PostgreSQL's epoch. */
#define DATAGEN_REF_US INT64_C(820540800000000)

/* Builds the plan (counts, distributions, tag offsets); -1 (logged) on failure. */
int datagen_plan_init(struct datagen_plan *p, const struct datagen_opts *o);
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

/* ---- the load: COPY (copy.c) then the jobs after it (finish.c), one thread per connection ------- */
struct datagen_copy_result {
	int64_t rows[DATAGEN_NTABLES];
	double seconds[DATAGEN_NTABLES]; /* first COPY start to last COPY end of that table */
	double total_seconds; /* start to the last COPY's end */
};
struct datagen_finish_result {
	int64_t count[DATAGEN_NTABLES]; /* from the checksum queries */
	int64_t sum[DATAGEN_NTABLES];
	double total_seconds; /* first job start to last job end */
};

/* COPYs every row over conns[0..nconns) in parallel, each connection turning to the jobs (keys,
 * indexes, checksums, VACUUM) once its COPYs are done; progress on stderr when progress is set, each
 * job's timing with verbose. 0 on success; -1 on failure (logged) or signal (sig_caught() tells). */
int datagen_load(struct datagen_plan *plan, PGconn **conns, int nconns, int with_indexes, int progress, int verbose,
                 struct datagen_copy_result *copy, struct datagen_finish_result *finish);

/* The job pool (finish.c) the loader uses. Thread-safe. */
struct datagen_jobs;
struct datagen_jobs *datagen_jobs_new(int with_indexes); /* NULL (logged) on failure */
void datagen_jobs_free(struct datagen_jobs *js);
void datagen_jobs_loaded(struct datagen_jobs *js, int table); /* the table's rows are committed */
void datagen_jobs_stop(struct datagen_jobs *js);
/* Runs jobs on conn until all are done (0) or the pool is stopped (-1). */
int datagen_jobs_work(struct datagen_jobs *js, PGconn *conn);
void datagen_jobs_status(struct datagen_jobs *js, char *buf, size_t len);
/* After the workers ended: checksums and timings into out, 0; -1 when a job failed (logged) or was not run. */
int datagen_jobs_result(struct datagen_jobs *js, double t0, int verbose, struct datagen_finish_result *out);

double datagen_now(void);

/* ---- SHA-256, HMAC, PBKDF2 (for the password hash) ---------------------------------------------- */

void datagen_pbkdf2_sha256(const void *pass, size_t passlen, const void *salt, size_t saltlen, uint32_t iterations,
                           unsigned char *out, size_t outlen);
/* Django's "pbkdf2_sha256$<iterations>$<salt>$<base64 of 32 bytes>" (salt: [A-Za-z0-9]). */
void datagen_django_hash(const char *password, const char *salt, uint32_t iterations, char *out, size_t len);

#endif
