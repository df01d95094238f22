/* test_hlog.c: HdrHistogram's interval log (resdir/hlog.c). Histograms encoded by another implementation
 * (npm's hdr-histogram-js 3.0.1, encodeIntoCompressedBase64) decode to the exact buckets recorded there;
 * our encoding is HdrHistogram_c's, byte for byte;
 * ours round-trip bucket for bucket (counts up to 2^62, 2 and 3 digits, empty); a written log reads back
 * line by line with its tags, times and exact maxima, and the step's percentiles equal the original's; a
 * real run's log gives back every figure of its steps.csv and intervals.csv;
 * damaged encodings and lines are refused with a reason, never a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "common/hist.h"
#include "resdir/hlog.h"

/* a list of (value, count) pairs ends with count 0; checks h holds exactly these buckets */
struct bucket {
	int64_t value;
	uint64_t count;
};
static void assert_buckets(const struct hist *h, const struct bucket *want)
{
	int32_t it = 0;
	int64_t v;
	uint64_t c;
	size_t k = 0;
	while (hist_next_bucket(h, &it, &v, &c)) {
		assert_int_not_equal(want[k].count, 0);
		assert_int_equal(v, hist_lowest_equivalent(h, want[k].value));
		assert_int_equal(c, want[k].count);
		k++;
	}
	assert_int_equal(want[k].count, 0);
}

static void test_known_vectors(void **state)
{
	(void)state;
	char err[256];
	struct hist h;
	/* hdr-histogram-js: build({1, 3600000000, 3}); 0, 1, 42 x3, 2047, 2048, 2049, 123456 x1000, 3600000000 */
	const char *a = "HISTFAAAADR4nJNpmSzMwMAgwMDAwMjAwMDMAAEgNsO1yUsYYHwmJn+25fJMLP1xF/gvv2FkAgChqAgd";
	if (hlog_decode(a, strlen(a), &h, err, sizeof err) != 0)
		fail_msg("%s", err);
	assert_int_equal(h.lowest, 1);
	assert_int_equal(h.highest, 3600000000LL);
	assert_int_equal(h.sig_digits, 3);
	assert_int_equal(h.total, 1009);
	static const struct bucket wa[] = { { 0, 1 },    { 1, 1 },         { 42, 3 },         { 2047, 1 },
		                            { 2048, 2 }, { 123456, 1000 }, { 3600000000LL, 1 }, { 0, 0 } };
	assert_buckets(&h, wa);
	assert_int_equal(hist_min(&h), 0);
	assert_int_equal(hist_max(&h), hist_highest_equivalent(&h, 3600000000LL));
	assert_int_equal(hist_percentile(&h, 99), 123519); /* as hdr-histogram-js's getValueAtPercentile(99) */
	hist_free(&h);
	/* build({1000, 60000000000, 2}); 1000, 5000000 x7, 59999999999: another unit and precision */
	const char *b = "HISTFAAAAC94nJNpmSzMwMDAwcDAwMjAwMDEAAbMLxgYGHh/uEcwQAEjA9NqPr5uaSYAemgFUw==";
	assert_int_equal(hlog_decode(b, strlen(b), &h, err, sizeof err), 0);
	assert_int_equal(h.lowest, 1000);
	assert_int_equal(h.sig_digits, 2);
	assert_int_equal(h.total, 9);
	static const struct bucket wb[] = { { 1000, 1 }, { 5000000, 7 }, { 59999999999LL, 1 }, { 0, 0 } };
	assert_buckets(&h, wb);
	assert_int_equal(hist_lowest_equivalent(&h, 5000000), 4980736); /* hdr-histogram-js's figures */
	assert_int_equal(hist_highest_equivalent(&h, 5000000), 5013503);
	hist_free(&h);
}

/* The V2 encoding inside a compressed base64 histogram: base64 decoded, the 8-byte header dropped, inflated. */
static size_t inflated(const char *text, uint8_t *out, size_t cap)
{
	static const char c[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint8_t bytes[1024];
	size_t n = 0, bits = 0;
	uint32_t acc = 0;
	for (const char *p = text; *p && *p != '='; p++) {
		acc = acc << 6 | (uint32_t)(strchr(c, *p) - c);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			assert_true(n < sizeof bytes);
			bytes[n++] = (uint8_t)(acc >> bits);
		}
	}
	uLongf len = cap;
	assert_int_equal(uncompress(out, &len, bytes + 8, n - 8), Z_OK);
	return len;
}

/* HdrHistogram_c (as npm's native-hdr-histogram 1.0.0 bundles it) encoded 0, 1, 42 x3, 123456 x1000 and
 * 3600000000 into a histogram of 1 .. 3600000000 at 3 digits as below: ours holds the same V2 encoding,
 * byte for byte (only zlib's level differs: Java's best compression here, zlib's default there). */
static void test_same_bytes_as_hdrhistogram_c(void **state)
{
	(void)state;
	const char *c = "HISTFAAAACx4nJNpmSzMwMDAwwABzFCaEURcm7yEwf4DRICJyZ9td+0F/stvGJkAoUYIxQ==";
	struct hist h;
	assert_int_equal(hist_init(&h, 1, 3600000000LL, 3), 0);
	hist_record(&h, 0);
	hist_record(&h, 1);
	hist_record_n(&h, 42, 3);
	hist_record_n(&h, 123456, 1000);
	hist_record(&h, 3600000000LL);
	char *ours = hlog_encode(&h);
	uint8_t a[512], b[512];
	size_t na = inflated(ours, a, sizeof a), nb = inflated(c, b, sizeof b);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na);
	free(ours);
	hist_free(&h);
}

static uint64_t rng = 42;
static uint64_t next_rand(void)
{
	uint64_t z = (rng += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* encode, decode: the same counts array, total and bucket extremes; encoding again gives the same text */
static void round_trip(const struct hist *h)
{
	char err[256], *b64 = hlog_encode(h);
	assert_non_null(b64);
	assert_memory_equal(b64, "HISTFAAA", 8);
	struct hist d;
	assert_int_equal(hlog_decode(b64, strlen(b64), &d, err, sizeof err), 0);
	assert_int_equal(d.counts_len, h->counts_len);
	assert_memory_equal(d.counts, h->counts, (size_t)h->counts_len * sizeof *h->counts);
	assert_int_equal(d.total, h->total);
	if (h->total) {
		assert_int_equal(hist_min(&d), hist_lowest_equivalent(h, hist_min(h)));
		assert_int_equal(hist_max(&d), hist_highest_equivalent(h, hist_max(h)));
	}
	char *again = hlog_encode(&d);
	assert_string_equal(again, b64);
	free(again);
	free(b64);
	hist_free(&d);
}

static void test_round_trip(void **state)
{
	(void)state;
	for (int digits = 2; digits <= 3; digits++) {
		struct hist h;
		assert_int_equal(hist_init(&h, HIST_LOWEST, HIST_HIGHEST, digits), 0);
		round_trip(&h); /* empty */
		for (int i = 0; i < 200000; i++) /* log-uniform over 1 us .. 1 h */
			hist_record(&h, (int64_t)exp((double)(next_rand() >> 11) / 9007199254740992.0 * log(3.6e9)));
		hist_record(&h, 0);
		hist_record(&h, HIST_HIGHEST);
		round_trip(&h);
		hist_record_n(&h, 777, (uint64_t)1 << 40); /* counts of 6 and 9 LEB128 bytes */
		hist_record_n(&h, 1500000, (uint64_t)1 << 62);
		round_trip(&h);
		hist_free(&h);
	}
}

/* A written log read back. */
struct seen {
	int n;
	char tags[8][16];
	double start[8], length[8];
	int64_t max[8];
	uint64_t total[8];
	int64_t pct[8][4];
	double log_start;
};
static int collect(const struct hlog_entry *e, void *arg)
{
	struct seen *s = arg;
	if (s->n == 8)
		return 7;
	snprintf(s->tags[s->n], sizeof s->tags[0], "%s", e->tag);
	s->start[s->n] = e->start_s;
	s->length[s->n] = e->length_s;
	s->max[s->n] = hist_max(e->h);
	s->total[s->n] = e->h->total;
	static const double ps[] = { 50, 90, 99, 99.9 };
	for (int k = 0; k < 4; k++)
		s->pct[s->n][k] = hist_percentile(e->h, ps[k]);
	s->log_start = e->log_start_s;
	s->n++;
	return 0;
}

static void test_file_round_trip(void **state)
{
	(void)state;
	char path[] = "/tmp/test_hlog_XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct hist step, sec;
	assert_int_equal(hist_init(&step, HIST_LOWEST, HIST_HIGHEST, HIST_DIGITS), 0);
	assert_int_equal(hist_init(&sec, HIST_LOWEST, HIST_HIGHEST, 2), 0);
	struct hlog_seconds secs = { 0 };
	int64_t sec_max[3];
	for (int s = 0; s < 3; s++) {
		hist_reset(&sec);
		for (int i = 0; i < 1000 * (s + 1); i++) {
			int64_t v = 5000 + (int64_t)(next_rand() % 200000) + (i == 7 ? 12345677 : 0);
			hist_record(&sec, v);
			hist_record(&step, v);
		}
		sec_max[s] = hist_max(&sec);
		assert_int_equal(hlog_seconds_add(&secs, s + 1, &sec), 0);
	}
	struct hlog_whole whole = { HLOG_TAG_STEP, &step };
	assert_int_equal(hlog_write(path, "s001-threads-c1-o0", 1764627498.1234, 2.5, &secs, &whole, 1), 0);
	hlog_seconds_clear(&secs);
	free(secs.v);

	struct seen seen = { 0 };
	int why = 0;
	char err[512];
	assert_int_equal(hlog_read(path, collect, &seen, &why, err, sizeof err), 0);
	assert_int_equal(seen.n, 4);
	assert_true(fabs(seen.log_start - 1764627498.123) < 1e-6);
	for (int s = 0; s < 3; s++) {
		assert_string_equal(seen.tags[s], "");
		assert_true(fabs(seen.start[s] - (1764627498.123 + s)) < 1e-6);
		assert_true(fabs(seen.length[s] - (s == 2 ? 0.5 : 1.0)) < 1e-9);
		assert_int_equal(seen.total[s], 1000 * (s + 1));
		assert_int_equal(seen.max[s], sec_max[s]); /* the exact maximum, from Interval_Max */
	}
	assert_string_equal(seen.tags[3], HLOG_TAG_STEP);
	assert_true(fabs(seen.length[3] - 2.5) < 1e-9);
	assert_int_equal(seen.total[3], step.total);
	assert_int_equal(seen.max[3], hist_max(&step));
	static const double ps[] = { 50, 90, 99, 99.9 };
	for (int k = 0; k < 4; k++) /* the step's figures read back are the figures steps.csv holds */
		assert_int_equal(seen.pct[3][k], hist_percentile(&step, ps[k]));

	/* a callback's result stops the read */
	struct seen full = { .n = 8 };
	assert_int_equal(hlog_read(path, collect, &full, &why, err, sizeof err), 7);
	hist_free(&step);
	hist_free(&sec);

	/* a line that is not an interval: refused, the line named */
	FILE *f = fopen(path, "a");
	fputs("1.000,1.000,not-a-number,HISTFAAA\n", f);
	fclose(f);
	memset(&seen, 0, sizeof seen);
	assert_int_equal(hlog_read(path, collect, &seen, &why, err, sizeof err), -1);
	assert_int_equal(why, EINVAL);
	assert_non_null(strstr(err, "line 13: not an interval line"));
	unlink(path);
	assert_int_equal(hlog_read(path, collect, &seen, &why, err, sizeof err), -1);
	assert_int_equal(why, ENOENT);
}

/* A real run's log (tests/fixtures/hlog: a shared-pool step, its steps.csv and intervals.csv beside it):
 * read back, every figure of those files comes out exactly. */
struct real {
	int n;
	struct hist h[4];
	char tag[4][16];
};
static int keep(const struct hlog_entry *e, void *arg)
{
	struct real *r = arg;
	if (r->n == 4)
		return 1;
	snprintf(r->tag[r->n], sizeof r->tag[0], "%s", e->tag);
	struct hist *h = &r->h[r->n++];
	assert_int_equal(hist_init(h, e->h->lowest, e->h->highest, e->h->sig_digits), 0);
	assert_int_equal(hist_merge(h, e->h), 0);
	return 0;
}

static void test_real_run(void **state)
{
	(void)state;
	struct real r = { 0 };
	int why;
	char err[512];
	if (hlog_read("tests/fixtures/hlog/s001-pool-w8-c4-o0.hlog", keep, &r, &why, err, sizeof err) != 0)
		fail_msg("%s", err);
	assert_int_equal(r.n, 4);
	/* intervals.csv: second,queries,p50_us,p99_us,max_us */
	static const int64_t sec[2][5] = { { 1, 187, 40191, 108031, 120722 }, { 2, 106, 36095, 63743, 66681 } };
	for (int k = 0; k < 2; k++) {
		assert_string_equal(r.tag[k], "");
		assert_int_equal(r.h[k].sig_digits, 2);
		assert_int_equal(r.h[k].total, sec[k][1]);
		assert_int_equal(hist_percentile(&r.h[k], 50), sec[k][2]);
		assert_int_equal(hist_percentile(&r.h[k], 99), sec[k][3]);
		assert_int_equal(hist_max(&r.h[k]), sec[k][4]);
	}
	/* steps.csv: ok 293, min 5896, mean 41371.7, p50 38847, p90 59199, p95 69695, p99 104063, p999 and max
	 * 120722; wait_p50 19279, wait_p99 56447 */
	const struct hist *h = &r.h[2];
	assert_string_equal(r.tag[2], "step");
	assert_int_equal(h->total, 293);
	assert_int_equal(hist_min(h), hist_lowest_equivalent(h, 5896));
	assert_true(fabs(hist_mean(h) - 41371.7) <= 41371.7 / 2048 + 0.05);
	static const double ps[] = { 50, 90, 95, 99, 99.9, 100 };
	static const int64_t want[] = { 38847, 59199, 69695, 104063, 120722, 120722 };
	for (int k = 0; k < 6; k++)
		assert_int_equal(hist_percentile(h, ps[k]), want[k]);
	assert_string_equal(r.tag[3], "wait");
	assert_int_equal(hist_percentile(&r.h[3], 50), 19279);
	assert_int_equal(hist_percentile(&r.h[3], 99), 56447);
	for (int k = 0; k < 4; k++)
		hist_free(&r.h[k]);
}

/* base64 of raw bytes, for the hand-made encodings below */
static void b64(const uint8_t *p, size_t n, char *out)
{
	static const char c[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
		*out++ = c[v >> 18];
		*out++ = c[(v >> 12) & 63];
		*out++ = i + 1 < n ? c[(v >> 6) & 63] : '=';
		*out++ = i + 2 < n ? c[v & 63] : '=';
	}
	*out = '\0';
}

/* A V2 encoding of lowest, highest, 1 digit with the given counts bytes, compressed. */
static void handmade_range(const uint8_t *counts, size_t n, int64_t lowest, int64_t highest, char *out)
{
	uint8_t raw[128] = { 0x1c, 0x84, 0x93, 0x13, 0, 0, 0, (uint8_t)n }, z[256] = { 0x1c, 0x84, 0x93, 0x14 };
	raw[15] = 1;
	for (int i = 0; i < 8; i++) {
		raw[16 + i] = (uint8_t)((uint64_t)lowest >> (56 - 8 * i));
		raw[24 + i] = (uint8_t)((uint64_t)highest >> (56 - 8 * i));
	}
	raw[32] = 0x3f, raw[33] = 0xf0;
	memcpy(raw + 40, counts, n);
	uLongf zl = sizeof z - 8;
	assert_int_equal(compress(z + 8, &zl, raw, 40 + n), Z_OK);
	z[4] = (uint8_t)(zl >> 24), z[5] = (uint8_t)(zl >> 16), z[6] = (uint8_t)(zl >> 8), z[7] = (uint8_t)zl;
	b64(z, 8 + zl, out);
}

/* A V2 encoding of lowest 1, highest 2, 1 digit (32 buckets) with the given counts bytes, compressed. */
static void handmade(const uint8_t *counts, size_t n, uint32_t payload_len, char *out)
{
	uint8_t raw[128] = { 0x1c, 0x84, 0x93, 0x13 }, z[256] = { 0x1c, 0x84, 0x93, 0x14 };
	raw[4] = (uint8_t)(payload_len >> 24), raw[5] = (uint8_t)(payload_len >> 16);
	raw[6] = (uint8_t)(payload_len >> 8), raw[7] = (uint8_t)payload_len;
	raw[15] = 1; /* digits */
	raw[23] = 1; /* lowest */
	raw[31] = 2; /* highest */
	raw[32] = 0x3f, raw[33] = 0xf0; /* 1.0 */
	memcpy(raw + 40, counts, n);
	uLongf zl = sizeof z - 8;
	assert_int_equal(compress(z + 8, &zl, raw, 40 + n), Z_OK);
	z[4] = (uint8_t)(zl >> 24), z[5] = (uint8_t)(zl >> 16), z[6] = (uint8_t)(zl >> 8), z[7] = (uint8_t)zl;
	b64(z, 8 + zl, out);
}

static void expect_refused(const char *text, const char *why)
{
	struct hist h;
	char err[256];
	assert_int_equal(hlog_decode(text, strlen(text), &h, err, sizeof err), -1);
	if (!strstr(err, why))
		fail_msg("\"%s\": wanted \"%s\", got \"%s\"", text, why, err);
	assert_null(h.counts);
}

static void test_bad_encodings(void **state)
{
	(void)state;
	char text[512];
	static const uint8_t fine[] = { 2, 4 }; /* counts 1, 2 */
	handmade(fine, sizeof fine, 2, text);
	struct hist h;
	char err[256];
	assert_int_equal(hlog_decode(text, strlen(text), &h, err, sizeof err), 0);
	assert_int_equal(h.total, 3);
	assert_int_equal(h.counts[1], 2);
	hist_free(&h);

	expect_refused("HIST*AAA", "not base64");
	expect_refused("HISTFA", "too short");
	expect_refused("HISTEgAAAAQBAgME", "wrong cookie"); /* V1's compressed cookie, 0x1c849312 */
	text[30] = '\0'; /* cut */
	expect_refused(text, "shorter than its header");
	static const uint8_t run[] = { 2, 79 }; /* a count, then 40 empty buckets of 32 */
	handmade(run, sizeof run, 2, text);
	expect_refused(text, "run of empty buckets goes past");
	static const uint8_t cut[] = { 2, 0x80 }; /* the last number's continuation bit, and nothing after */
	handmade(cut, sizeof cut, 2, text);
	expect_refused(text, "last count is truncated");
	handmade(fine, sizeof fine, 3, text); /* the payload length says 3 bytes, the stream holds 2 */
	expect_refused(text, "truncated or longer");
	handmade(fine, sizeof fine, 1000, text);
	expect_refused(text, "payload length is impossible");
	handmade_range(fine, sizeof fine, INT64_MAX, INT64_MAX, text); /* lowest and highest past 2^61 */
	expect_refused(text, "out of range");
	handmade_range(fine, sizeof fine, 0, 2, text);
	expect_refused(text, "out of range");
	/* the widest range taken, a count in its very last bucket: every value still fits in 63 bits */
	struct hist wide;
	assert_int_equal(hist_init(&wide, 1, INT64_MAX / 4, 1), 0);
	uint8_t last[16];
	uint64_t zz = ((uint64_t)(wide.counts_len - 1) << 1) - 1; /* ZigZag of -(counts_len - 1) */
	size_t k = 0;
	for (; zz >= 0x80; zz >>= 7)
		last[k++] = (uint8_t)(zz & 0x7f) | 0x80;
	last[k++] = (uint8_t)zz;
	last[k++] = 6; /* a count of 3 */
	handmade_range(last, k, 1, INT64_MAX / 4, text);
	assert_int_equal(hlog_decode(text, strlen(text), &h, err, sizeof err), 0);
	assert_int_equal(h.total, 3);
	assert_int_equal(hist_max(&h), INT64_MAX / 4); /* the last bucket ends at 2^61 - 1 */
	assert_int_equal(hist_percentile(&h, 50), hist_max(&h));
	hist_free(&h);
	hist_free(&wide);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vectors),
		cmocka_unit_test(test_same_bytes_as_hdrhistogram_c),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_file_round_trip),
		cmocka_unit_test(test_real_run),
		cmocka_unit_test(test_bad_encodings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
