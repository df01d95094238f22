/* test_datagen.c: datagen's pure parts: SHA-256/PBKDF2 against published vectors, the Django hash, the
 * permutation, Zipf, per-row determinism across --jobs, the shapes of the distributions, option parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/sha256.h"
#include "datagen/finish.h"
#include "datagen/opts.h"
#include "datagen/pbkdf2.h"
#include "datagen/random.h"
#include "datagen/rows.h"

static void hex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void sha256_vectors(void **state)
{
	(void)state;
	unsigned char d[32];
	char h[65];
	sha256("abc", 3, d);
	hex(d, 32, h);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256("", 0, d);
	hex(d, 32, h);
	assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"; /* 56 bytes: padding edge */
	sha256(m, strlen(m), d);
	hex(d, 32, h);
	assert_string_equal(h, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

/* RFC 7914 section 11 (PBKDF2-HMAC-SHA256), and the common "password"/"salt" vector */
static void pbkdf2_vectors(void **state)
{
	(void)state;
	unsigned char dk[64];
	char h[129];
	datagen_pbkdf2_sha256("passwd", 6, "salt", 4, 1, dk, 64);
	hex(dk, 64, h);
	assert_string_equal(h, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
	                       "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
	datagen_pbkdf2_sha256("Password", 8, "NaCl", 4, 80000, dk, 64);
	hex(dk, 64, h);
	assert_string_equal(h, "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56"
	                       "a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d");
	datagen_pbkdf2_sha256("password", 8, "salt", 4, 4096, dk, 32);
	hex(dk, 32, h);
	assert_string_equal(h, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
}

/* the expected value was computed with Python's hashlib.pbkdf2_hmac, as Django does */
static void django_hash(void **state)
{
	(void)state;
	char out[160];
	datagen_django_hash("pgpagebench", "F9PQ6RSZexwiX051qEfxEi", 260000, out, sizeof out);
	assert_string_equal(out, "pbkdf2_sha256$260000$F9PQ6RSZexwiX051qEfxEi$mXVB4ULlygAKJ1tYiWRkAaz3sa2+UF6CQNdPFmQ7QPY=");
}

static void permutation_is_bijective(void **state)
{
	(void)state;
	const uint64_t sizes[] = { 1, 2, 3, 17, 1000, 4096, 4097, 100003 };
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		uint64_t n = sizes[k];
		struct datagen_perm p;
		datagen_perm_init(&p, n, 0x1234 + k);
		unsigned char *seen = calloc(n, 1);
		assert_non_null(seen);
		uint64_t fixed = 0;
		for (uint64_t x = 0; x < n; x++) {
			uint64_t y = datagen_perm_apply(&p, x);
			assert_true(y < n);
			assert_int_equal(seen[y], 0);
			seen[y] = 1;
			fixed += y == x;
		}
		if (n >= 1000)
			assert_true(fixed < n / 100); /* it actually shuffles */
		free(seen);
	}
}

static void zipf_draws(void **state)
{
	(void)state;
	struct datagen_zipf z;
	datagen_zipf_init(&z, 1000, 1.07);
	assert_int_equal(datagen_zipf_draw(&z, 0.0), 0);
	assert_int_equal(datagen_zipf_draw(&z, 0.9999999999), 999);
	size_t last = 0;
	for (double u = 0; u < 1; u += 0.001) {
		size_t r = datagen_zipf_draw(&z, u);
		assert_true(r >= last);
		last = r;
	}
	/* rank 0 takes about 1/H(1000, 1.07) of the draws, far more than 1/1000 */
	assert_true(z.cdf[0] > 0.10 && z.cdf[0] < 0.20);
	datagen_zipf_free(&z);
	datagen_zipf_init(&z, 1, 1.07);
	assert_int_equal(datagen_zipf_draw(&z, 0.5), 0);
	datagen_zipf_free(&z);
}

static void streams_are_per_row(void **state)
{
	(void)state;
	struct datagen_rng a, b, c;
	datagen_rng_init(&a, 42, 2, 1000);
	datagen_rng_init(&b, 42, 2, 1000);
	datagen_rng_init(&c, 42, 2, 1001);
	uint64_t x = datagen_rng_next(&a);
	assert_true(x == datagen_rng_next(&b));
	assert_true(x != datagen_rng_next(&c));
	datagen_rng_init(&c, 43, 2, 1000);
	assert_true(x != datagen_rng_next(&c));
	for (int i = 0; i < 1000; i++) {
		double u = datagen_rng_u01(&a);
		assert_true(u >= 0 && u < 1);
		assert_true(datagen_rng_below(&a, 7) < 7);
	}
}

/* the largest 53-bit draw stays below 1, and the step is the one the fingerprints were made with */
static void u01_step(void **state)
{
	(void)state;
	assert_true(DATAGEN_U01_STEP == 1.0 / 9007199254740992.0);
	assert_true((double)(UINT64_MAX >> 11) * DATAGEN_U01_STEP < 1.0);
	int jobs = datagen_default_jobs();
	assert_true(jobs >= 1 && jobs <= 64);
}

static struct datagen_plan *plan_for(double scale, int jobs, uint64_t seed)
{
	struct datagen_opts o;
	datagen_opts_default(&o);
	o.scale = scale;
	o.jobs = jobs;
	o.seed = seed;
	struct datagen_plan *p = malloc(sizeof *p);
	assert_non_null(p);
	datagen_plan_init(p, &o);
	snprintf(p->password, sizeof p->password, "pbkdf2_sha256$1$x$y"); /* skip the slow hash here */
	return p;
}

static void counts_follow_the_formulas(void **state)
{
	(void)state;
	struct datagen_plan *p = plan_for(0.01, 2, 1);
	assert_int_equal(p->users, 10);
	assert_int_equal(p->records, 1000);
	int64_t sum = 0;
	for (int64_t i = 0; i < p->records; i++) {
		int n = datagen_record_ntags(p, i);
		assert_true(n >= 0 && n <= 5);
		sum += n;
	}
	assert_int_equal(p->rec_tags, sum);
	assert_int_equal(p->rec_tag_off[p->nchunks], sum);
	datagen_plan_free(p);
	free(p);
	p = plan_for(2.5, 2, 1);
	assert_int_equal(p->users, 2500);
	assert_int_equal(p->records, 250000);
	/* about 2.57 record tags a record, about 25 user tags a user */
	assert_true(p->rec_tags > 2.45 * 250000 && p->rec_tags < 2.70 * 250000);
	assert_true(p->user_tags > 23 * 2500 && p->user_tags < 27 * 2500);
	datagen_plan_free(p);
	free(p);
}

/* the bytes of any row do not depend on --jobs (which changes the chunking) */
static void rows_do_not_depend_on_jobs(void **state)
{
	(void)state;
	struct datagen_plan *p1 = plan_for(0.05, 1, 7), *p4 = plan_for(0.05, 4, 7);
	assert_true(p1->chunk != p4->chunk || p1->nchunks == p4->nchunks);
	assert_int_equal(p1->rec_tags, p4->rec_tags);
	assert_int_equal(p1->user_tags, p4->user_tags);
	struct datagen_buf a = { 0 }, b = { 0 };
	for (int64_t i = 0; i < p1->records; i += 37) {
		a.len = b.len = 0;
		datagen_row_record(p1, i, &a);
		datagen_row_record(p4, i, &b);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.data, b.data, a.len);
		a.len = b.len = 0;
		datagen_record_tags(p1, i, 100, &a);
		datagen_record_tags(p4, i, 100, &b);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.data, b.data, a.len);
	}
	for (int64_t u = 0; u < p1->users; u++) {
		a.len = b.len = 0;
		datagen_row_user(p1, u, &a);
		datagen_row_user(p4, u, &b);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.data, b.data, a.len);
	}
	/* another seed gives other rows */
	struct datagen_plan *p8 = plan_for(0.05, 1, 8);
	a.len = b.len = 0;
	datagen_row_record(p1, 5, &a);
	datagen_row_record(p8, 5, &b);
	assert_true(a.len != b.len || memcmp(a.data, b.data, a.len) != 0);
	datagen_buf_free(&a);
	datagen_buf_free(&b);
	datagen_plan_free(p1);
	datagen_plan_free(p4);
	datagen_plan_free(p8);
	free(p1);
	free(p4);
	free(p8);
}

static void shapes(void **state)
{
	(void)state;
	struct datagen_plan *p = plan_for(0.5, 2, 3);
	int64_t children = 0, per_count[6] = { 0 };
	int64_t *owned = calloc((size_t)p->users, sizeof *owned);
	int64_t *kids = calloc((size_t)p->records, sizeof *kids);
	assert_non_null(owned);
	assert_non_null(kids);
	for (int64_t i = 0; i < p->records; i++) {
		int64_t par = datagen_record_parent(p, i);
		if (par >= 0) {
			children++;
			assert_true(par < i); /* earlier */
			assert_int_equal(datagen_record_parent(p, par), -1); /* top-level */
			kids[par]++;
		}
		int64_t u = datagen_record_user(p, i);
		assert_true(u >= 0 && u < p->users);
		owned[u]++;
		per_count[datagen_record_ntags(p, i)]++;
	}
	double share = (double)children / (double)p->records;
	assert_true(share > 0.24 && share < 0.26);
	/* 3 > 2 > 4 > 1 > 5, and a few with none */
	assert_true(per_count[3] > per_count[2] && per_count[2] > per_count[4] && per_count[4] > per_count[1] &&
	            per_count[1] > per_count[5] && per_count[0] > 0 && per_count[0] < per_count[5]);
	/* the heaviest user holds far more than 1/users of the records, and is not user 1 every time */
	int64_t best = 0;
	for (int64_t u = 1; u < p->users; u++)
		if (owned[u] > owned[best])
			best = u;
	assert_true(owned[best] > 20 * p->records / p->users);
	assert_true(best != 0);
	/* children per parent are skewed: the busiest parent has many more than the mean */
	int64_t maxkids = 0, parents = 0;
	for (int64_t i = 0; i < p->records; i++) {
		maxkids = kids[i] > maxkids ? kids[i] : maxkids;
		parents += kids[i] > 0;
	}
	print_message("children %lld, parents %lld, most children of one parent %lld\n", (long long)children,
	              (long long)parents, (long long)maxkids);
	assert_true((double)maxkids > 20.0 * (double)children / (double)parents);
	free(owned);
	free(kids);
	datagen_plan_free(p);
	free(p);
}

static void status_mix_parsing(void **state)
{
	(void)state;
	struct datagen_opts o;
	datagen_opts_default(&o);
	assert_int_equal(datagen_parse_status_mix(&o, "new=50,done=30.5,old_one=19.5"), 0);
	assert_int_equal(o.nstatus, 3);
	assert_string_equal(o.status[2], "old_one");
	assert_true(o.status_weight[1] == 30.5);
	const char *bad[] = { "", "new", "new=", "=5", "new=x", "new=-1", "new=0", "New=1", "a=1,a=2", "a=1,",
		              "a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9", "averyveryveryveryveryverylongstatusname=1" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct datagen_opts t;
		datagen_opts_default(&t);
		assert_int_equal(datagen_parse_status_mix(&t, bad[i]), -1);
		assert_int_equal(t.nstatus, 3); /* unchanged */
	}
}

static void args_text(void **state)
{
	(void)state;
	struct datagen_opts a, b;
	char ta[512], tb[512];
	datagen_opts_default(&a);
	datagen_opts_default(&b);
	b.jobs = 7;
	b.progress = 1;
	datagen_args_text(&a, ta, sizeof ta);
	datagen_args_text(&b, tb, sizeof tb);
	assert_string_equal(ta, tb); /* --jobs does not change the data */
	b.seed = 2;
	datagen_args_text(&b, tb, sizeof tb);
	assert_string_not_equal(ta, tb);
	assert_non_null(strstr(ta, "status-mix=new=70,done=20,archived=10"));
}

/* every statement of schema/keys.sql and schema/indexes.sql is understood by the job pool */
static void job_pool_parses_the_schema_files(void **state)
{
	(void)state;
	char line[512];
	struct datagen_jobs *js = datagen_jobs_new(1);
	assert_non_null(js);
	datagen_jobs_status(js, line, sizeof line);
	assert_string_equal(line, "keys, indexes, checksums, vacuum: 0 of 19 done");
	datagen_jobs_free(js);
	js = datagen_jobs_new(0);
	assert_non_null(js);
	datagen_jobs_status(js, line, sizeof line);
	assert_string_equal(line, "keys, indexes, checksums, vacuum: 0 of 15 done");
	datagen_jobs_free(js);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha256_vectors),       cmocka_unit_test(pbkdf2_vectors),
		cmocka_unit_test(django_hash),          cmocka_unit_test(permutation_is_bijective),
		cmocka_unit_test(zipf_draws),           cmocka_unit_test(streams_are_per_row),
		cmocka_unit_test(counts_follow_the_formulas), cmocka_unit_test(rows_do_not_depend_on_jobs),
		cmocka_unit_test(shapes),               cmocka_unit_test(status_mix_parsing),
		cmocka_unit_test(args_text),            cmocka_unit_test(job_pool_parses_the_schema_files),
		cmocka_unit_test(u01_step),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
