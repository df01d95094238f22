/*
 * hlog.c: HdrHistogram's interval log, written and read. The layout follows HdrHistogram's
 * HistogramLogWriter (format 1.3: comments, StartTime, BaseTime, the legend, "[Tag=NAME,]start,length,
 * max,histogram" lines) and its V2 encoding: a 40-byte big-endian header (cookie, payload length,
 * normalizing index offset (0 here, and not read), significant digits, lowest and highest values, a
 * conversion ratio (1.0: integer values)), then the counts array up to the maximum's bucket as ZigZag
 * LEB128 numbers (at most 9 bytes, the 9th holding 8 bits), a run of empty buckets written as the
 * negative run length; zlib-deflated behind an 8-byte header (cookie, compressed length), then base64.
 * The reader is bounded and interruptible (common/input.h) and checks every length before it trusts it:
 * a log from anywhere may be read.
 */
#include "resdir/hlog.h"
#include "common/alloc.h"
#include "common/input.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#define V2_HEADER 40 /* the encoding's header before the counts */
#define COMPRESSED_HEADER 8 /* cookie, length */
#define LEB128_MAX 9
#define HLOG_MAX_COUNTS ((int64_t)1 << 24) /* a decoded histogram's counts array: 128 MB at most */

void hlog_path(char *buf, size_t len, const char *dir, const char *id)
{
	snprintf(buf, len, "%s/%s.hlog", dir, id);
}

/* ---- bytes ---- */

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* ZigZag, then LEB128 with at most 9 bytes: the 9th carries the last 8 bits whole. */
static size_t zz_put(uint8_t *p, int64_t x)
{
	uint64_t z = ((uint64_t)x << 1) ^ (uint64_t)(x >> 63);
	size_t n = 0;
	for (; n < 8; n++) {
		if (z < 0x80) {
			p[n++] = (uint8_t)z;
			return n;
		}
		p[n] = (uint8_t)(z & 0x7f) | 0x80;
		z >>= 7;
	}
	p[n++] = (uint8_t)z;
	return n;
}

/* Reads one number from p[0..len); the bytes taken, or 0 when it runs past len. */
static size_t zz_get(const uint8_t *p, size_t len, int64_t *x)
{
	uint64_t z = 0;
	size_t n = 0;
	for (;;) {
		if (n >= len)
			return 0;
		uint8_t b = p[n];
		if (n == 8) {
			z |= (uint64_t)b << 56;
			n++;
			break;
		}
		z |= (uint64_t)(b & 0x7f) << (7 * n);
		n++;
		if (!(b & 0x80))
			break;
	}
	*x = (int64_t)(z >> 1) ^ -(int64_t)(z & 1);
	return n;
}

static const char b64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(const uint8_t *p, size_t n)
{
	char *out = pgpb_malloc((n + 2) / 3 * 4 + 1), *o = out;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
		*o++ = b64_chars[v >> 18];
		*o++ = b64_chars[(v >> 12) & 63];
		*o++ = i + 1 < n ? b64_chars[(v >> 6) & 63] : '=';
		*o++ = i + 2 < n ? b64_chars[v & 63] : '=';
	}
	*o = '\0';
	return out;
}

/* The bytes of s[0..len) (padding optional), to free(); NULL when s is not base64. */
static uint8_t *b64_decode(const char *s, size_t len, size_t *n)
{
	while (len && s[len - 1] == '=')
		len--;
	if (len % 4 == 1)
		return NULL;
	uint8_t *out = pgpb_malloc(len / 4 * 3 + 3);
	uint32_t acc = 0;
	size_t bits = 0, k = 0;
	for (size_t i = 0; i < len; i++) {
		const char *c = s[i] ? strchr(b64_chars, s[i]) : NULL;
		if (!c) {
			free(out);
			return NULL;
		}
		acc = acc << 6 | (uint32_t)(c - b64_chars);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[k++] = (uint8_t)(acc >> bits);
		}
	}
	*n = k;
	return out;
}

/* ---- one histogram ---- */

/* zlib's memory comes from common/alloc.h, so running out of it ends the process as everywhere else */
static voidpf zs_alloc(voidpf opaque, uInt items, uInt size)
{
	(void)opaque;
	return pgpb_calloc(items, size);
}

static void zs_free(voidpf opaque, voidpf p)
{
	(void)opaque;
	free(p);
}

static void zs_init(z_stream *zs)
{
	memset(zs, 0, sizeof *zs);
	zs->zalloc = zs_alloc;
	zs->zfree = zs_free;
}

char *hlog_encode(const struct hist *h)
{
	int32_t limit = h->total ? hist__counts_index(h, hist_max(h)) + 1 : 1;
	if (limit > h->counts_len)
		limit = h->counts_len;
	size_t cap = V2_HEADER + (size_t)limit * LEB128_MAX, n = V2_HEADER;
	uint8_t *raw = pgpb_malloc(cap);
	for (int32_t i = 0; i < limit;) {
		if (h->counts[i]) {
			uint64_t c = h->counts[i++];
			n += zz_put(raw + n, c > INT64_MAX ? INT64_MAX : (int64_t)c);
			continue;
		}
		int32_t zeros = 0;
		while (i < limit && !h->counts[i]) {
			zeros++;
			i++;
		}
		n += zz_put(raw + n, -(int64_t)zeros);
	}
	double ratio = 1.0;
	uint64_t ratio_bits;
	memcpy(&ratio_bits, &ratio, sizeof ratio_bits);
	put32(raw, HLOG_V2_ENCODING_COOKIE | HLOG_COOKIE_LEB128);
	put32(raw + 4, (uint32_t)(n - V2_HEADER));
	put32(raw + 8, 0); /* normalizing index offset: never shifted here */
	put32(raw + 12, (uint32_t)h->sig_digits);
	put64(raw + 16, (uint64_t)h->lowest);
	put64(raw + 24, (uint64_t)h->highest);
	put64(raw + 32, ratio_bits);

	z_stream zs;
	zs_init(&zs);
	uLong bound = compressBound((uLong)n);
	uint8_t *z = pgpb_malloc(COMPRESSED_HEADER + bound);
	char *out = NULL;
	zs.next_in = raw;
	zs.avail_in = (uInt)n;
	zs.next_out = z + COMPRESSED_HEADER;
	zs.avail_out = (uInt)bound;
	if (deflateInit(&zs, Z_BEST_COMPRESSION) == Z_OK && deflate(&zs, Z_FINISH) == Z_STREAM_END) {
		put32(z, HLOG_V2_COMPRESSED_COOKIE | HLOG_COOKIE_LEB128);
		put32(z + 4, (uint32_t)zs.total_out);
		out = b64_encode(z, COMPRESSED_HEADER + zs.total_out);
	}
	deflateEnd(&zs);
	free(raw);
	free(z);
	return out;
}

/* The counts array length hist_init would allocate, without allocating (-1 for bad arguments). highest is
 * held to 2^61, so every bucket's values fit in 63 bits (HdrHistogram allows 2^62; no latency needs it). */
static int64_t counts_len_of(int64_t lowest, int64_t highest, int digits)
{
	if (lowest < 1 || digits < 1 || digits > 5 || highest > INT64_MAX / 4 || highest / 2 < lowest)
		return -1;
	int sub_magnitude = (int)ceil(log2(2 * pow(10, digits)));
	int half_magnitude = (sub_magnitude > 1 ? sub_magnitude : 1) - 1;
	int unit_magnitude = (int)floor(log2((double)lowest));
	if (unit_magnitude + half_magnitude + 1 > 62)
		return -1;
	int64_t untrackable = (int64_t)1 << (unit_magnitude + half_magnitude + 1);
	int64_t buckets = 1;
	while (untrackable <= highest) {
		if (untrackable > INT64_MAX / 2) {
			buckets++;
			break;
		}
		untrackable <<= 1;
		buckets++;
	}
	return (buckets + 1) * ((int64_t)1 << half_magnitude);
}

/* After the counts are in: total, min, max and a sum from the buckets. */
static int settle(struct hist *h)
{
	h->total = h->sum = 0;
	h->min = INT64_MAX;
	h->max = 0;
	int32_t it = 0;
	int64_t v;
	uint64_t c;
	while (hist_next_bucket(h, &it, &v, &c)) {
		if (h->total + c < h->total || h->total + c > INT64_MAX)
			return -1;
		int64_t hi = hist_highest_equivalent(h, v);
		uint64_t mid = (uint64_t)v + ((uint64_t)(hi - v + 1) >> 1);
		if (v < h->min)
			h->min = v;
		h->max = hi;
		h->total += c;
		h->sum += mid * c; /* wraps only beyond 2^64 microseconds of latency in one histogram */
	}
	return 0;
}

static int decode_fail(struct hist *h, char *err, size_t err_len, const char *what)
{
	hist_free(h);
	memset(h, 0, sizeof *h);
	snprintf(err, err_len, "%s", what);
	return -1;
}

int hlog_decode(const char *b64, size_t len, struct hist *h, char *err, size_t err_len)
{
	memset(h, 0, sizeof *h);
	size_t n = 0;
	uint8_t *bytes = b64_decode(b64, len, &n);
	if (!bytes)
		return decode_fail(h, err, err_len, "the histogram is not base64");
	uint8_t head[V2_HEADER], *payload = NULL;
	const char *bad = NULL;
	z_stream zs;
	zs_init(&zs);
	int zinit = 0;
	uint32_t zlen = n >= COMPRESSED_HEADER ? get32(bytes + 4) : 0;
	if (n < COMPRESSED_HEADER)
		bad = "the histogram is too short for HdrHistogram's compressed encoding";
	else if ((get32(bytes) & ~0xf0u) != HLOG_V2_COMPRESSED_COOKIE)
		bad = "the histogram is not in HdrHistogram's compressed V2 encoding (wrong cookie)";
	else if (zlen > n - COMPRESSED_HEADER)
		bad = "the compressed histogram is shorter than its header says";
	else if (inflateInit(&zs) != Z_OK)
		bad = "zlib could not start";
	if (!bad) {
		zinit = 1;
		zs.next_in = bytes + COMPRESSED_HEADER;
		zs.avail_in = zlen;
		zs.next_out = head;
		zs.avail_out = sizeof head;
		int rc = inflate(&zs, Z_SYNC_FLUSH);
		if ((rc != Z_OK && rc != Z_STREAM_END) || zs.avail_out != 0)
			bad = "the compressed histogram does not inflate to an encoding header";
	}
	uint32_t cookie = bad ? 0 : get32(head), payload_len = bad ? 0 : get32(head + 4);
	/* head + 8, the normalizing index offset, is not read: Java and JavaScript write the counts in value
	 * order whatever their internal shift (hdr-histogram-js writes 1 there, Java's unshifted histograms 0) */
	int32_t digits = bad ? 0 : (int32_t)get32(head + 12);
	int64_t lowest = bad ? 0 : (int64_t)get64(head + 16), highest = bad ? 0 : (int64_t)get64(head + 24);
	int64_t counts_len = bad ? 0 : counts_len_of(lowest, highest, digits);
	if (bad) {
	} else if ((cookie & ~0xf0u) != HLOG_V2_ENCODING_COOKIE || (cookie & 0xf0u) != HLOG_COOKIE_LEB128)
		bad = "the histogram is not in HdrHistogram's V2 encoding (wrong encoding cookie)";
	else if (counts_len < 0)
		bad = "the histogram's lowest and highest values or significant digits are out of range "
		      "(lowest at least 1, highest at least twice lowest and at most 2^61, 1 to 5 digits)";
	else if (counts_len > HLOG_MAX_COUNTS)
		bad = "the histogram's range is too wide to hold";
	else if ((uint64_t)payload_len > (uint64_t)counts_len * LEB128_MAX || payload_len == 0)
		bad = "the histogram's payload length is impossible for its range";
	if (!bad) {
		payload = pgpb_malloc(payload_len);
		zs.next_out = payload;
		zs.avail_out = payload_len;
		int rc = inflate(&zs, Z_FINISH);
		if (rc != Z_STREAM_END || zs.avail_out != 0)
			bad = "the compressed histogram is truncated or longer than its payload length";
	}
	if (zinit)
		inflateEnd(&zs);
	free(bytes);
	if (!bad && hist_init(h, lowest, highest, digits) < 0)
		bad = "the histogram's range is out of range";
	for (size_t at = 0, idx = 0; !bad && at < payload_len;) {
		int64_t x;
		size_t got = zz_get(payload + at, payload_len - at, &x);
		if (!got) {
			bad = "the histogram's last count is truncated";
			break;
		}
		at += got;
		if (x < 0) {
			if (x == INT64_MIN || (uint64_t)-x > (uint64_t)h->counts_len - idx)
				bad = "a run of empty buckets goes past the histogram's last bucket";
			else
				idx += (size_t)-x;
		} else if (idx >= (size_t)h->counts_len) {
			bad = "the histogram has more counts than buckets";
		} else {
			h->counts[idx++] = (uint64_t)x;
		}
	}
	free(payload);
	if (!bad && settle(h) < 0)
		bad = "the histogram's total count overflows";
	if (bad)
		return decode_fail(h, err, err_len, bad);
	return 0;
}

/* ---- the writer ---- */

int hlog_seconds_add(struct hlog_seconds *s, long second, const struct hist *h)
{
	char *b64 = hlog_encode(h);
	if (!b64)
		return -1;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->v = pgpb_reallocarray(s->v, s->cap, sizeof *s->v);
	}
	s->v[s->n++] = (struct hlog_second){ second, hist_max(h), b64 };
	return 0;
}

void hlog_seconds_clear(struct hlog_seconds *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].b64);
	s->n = 0;
}

int hlog_write(const char *path, const char *step, double start_epoch_s, double duration_s,
               const struct hlog_seconds *secs, const struct hlog_whole *whole, int nwhole)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	/* a time written with 3 decimals: the lines' times are relative to exactly that */
	double base = floor(start_epoch_s * 1000.0 + 0.5) / 1000.0;
	time_t t = (time_t)base;
	struct tm tm;
	char date[64];
	gmtime_r(&t, &tm);
	strftime(date, sizeof date, "%a %b %d %H:%M:%S UTC %Y", &tm);
	/* comments of a few words each: HdrHistogram_c reads header lines of up to 127 bytes */
	fprintf(f, "#[pgpagebench %s, step %.64s]\n", PGPB_VERSION, step);
	fprintf(f, "#[values: latency of successful queries in microseconds; Interval_Max: milliseconds]\n");
	fprintf(f, "#[untagged lines: one a second of the measured window]\n");
	for (int k = 0; k < nwhole; k++)
		fprintf(f, "#[Tag=%.16s: %s]\n", whole[k].tag,
		        strcmp(whole[k].tag, HLOG_TAG_UNCORRECTED) == 0 ? "the window's latencies from the actual send"
		        : strcmp(whole[k].tag, HLOG_TAG_WAIT) == 0      ? "the window's waits for a pooled connection"
		                                                        : "the whole measured window");
	fprintf(f, "#[Histogram log format version 1.3]\n");
	fprintf(f, "#[StartTime: %.3f (seconds since epoch), %s]\n", base, date);
	fprintf(f, "#[BaseTime: %.3f (seconds since epoch)]\n", base);
	fprintf(f, "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n");
	for (size_t i = 0; secs && i < secs->n; i++) {
		const struct hlog_second *s = &secs->v[i];
		double start = (double)(s->second - 1), len = duration_s - start;
		if (len > 1 || !(len > 0))
			len = 1;
		fprintf(f, "%.3f,%.3f,%.3f,%s\n", start, len, (double)s->max_us / 1000.0, s->b64);
	}
	int rc = 0;
	for (int k = 0; k < nwhole && rc == 0; k++) {
		char *b64 = hlog_encode(whole[k].h);
		if (!b64) {
			errno = ENOMEM;
			rc = -1;
			break;
		}
		fprintf(f, "Tag=%s,%.3f,%.3f,%.3f,%s\n", whole[k].tag, 0.0, duration_s, (double)hist_max(whole[k].h) / 1000.0,
		        b64);
		free(b64);
	}
	int err = rc < 0 ? errno : 0;
	if (rc == 0 && ferror(f)) {
		rc = -1;
		err = errno ? errno : EIO;
	}
	if (fclose(f) != 0 && rc == 0) {
		rc = -1;
		err = errno;
	}
	errno = err;
	return rc;
}

/* ---- the reader ---- */

struct log_state {
	double start_s, base_s;
	int have_base, base_settled;
};

static int read_fail(const char *path, long lineno, char *err, size_t err_len, int *why, const char *what)
{
	snprintf(err, err_len, "could not read HdrHistogram log \"%s\" line %ld: %s", path, lineno, what);
	*why = EINVAL;
	return -1;
}

/* A number of the line: digits, one point at most; the rest after it in *end. */
static int time_field(const char *s, double *out, const char **end)
{
	char *e;
	if (!(*s >= '0' && *s <= '9'))
		return -1;
	errno = 0;
	*out = strtod(s, &e);
	if (errno || !isfinite(*out) || *e != ',')
		return -1;
	*end = e + 1;
	return 0;
}

int hlog_read(const char *path, hlog_fn fn, void *arg, int *why, char *err, size_t err_len)
{
	struct input in;
	if (input_open(&in, path, HLOG_MAX, why, err, err_len) < 0)
		return -1;
	struct log_state st = { 0 };
	char *line, tag[128];
	int got = 0, rc = 0;
	while (rc == 0 && (got = input_line(&in, &line, why, err, err_len)) > 0) {
		double v;
		if (line[0] == '#') {
			if (sscanf(line, "#[StartTime: %lf", &v) == 1 && isfinite(v))
				st.start_s = v;
			else if (sscanf(line, "#[BaseTime: %lf", &v) == 1 && isfinite(v)) {
				st.base_s = v;
				st.have_base = 1;
			}
			continue;
		}
		if (line[0] == '"' || line[0] == '\0')
			continue;
		const char *p = line;
		tag[0] = '\0';
		if (strncmp(p, "Tag=", 4) == 0) {
			const char *comma = strchr(p + 4, ',');
			if (!comma || (size_t)(comma - p - 4) >= sizeof tag) {
				rc = read_fail(path, in.lineno, err, err_len, why, "a tag without its comma, or longer than 127 bytes");
				break;
			}
			memcpy(tag, p + 4, (size_t)(comma - p - 4));
			tag[comma - p - 4] = '\0';
			p = comma + 1;
		}
		struct hlog_entry e = { .tag = tag, .log_start_s = st.start_s, .lineno = in.lineno };
		double start;
		const char *b64;
		if (time_field(p, &start, &p) < 0 || time_field(p, &e.length_s, &p) < 0 || time_field(p, &e.max, &b64) < 0) {
			rc = read_fail(path, in.lineno, err, err_len, why,
			               "not an interval line (\"[Tag=NAME,]start,length,max,histogram\")");
			break;
		}
		/* HdrHistogram's rule: without a BaseTime, times more than a year before StartTime are relative to it */
		if (!st.base_settled && !st.have_base) {
			st.base_s = start < st.start_s - 365 * 24 * 3600.0 ? st.start_s : 0;
			st.have_base = 1;
		}
		st.base_settled = 1;
		e.start_s = st.base_s + start;
		size_t blen = strlen(b64);
		while (blen && (b64[blen - 1] == ' ' || b64[blen - 1] == '\t'))
			blen--;
		struct hist h;
		char why_text[200];
		if (hlog_decode(b64, blen, &h, why_text, sizeof why_text) < 0) {
			rc = read_fail(path, in.lineno, err, err_len, why, why_text);
			break;
		}
		/* the exact maximum, when the line's Interval_Max (milliseconds) lies in the last bucket */
		double max_us = floor(e.max * 1000.0 + 0.5);
		if (h.total && max_us >= 0 && max_us <= (double)h.max &&
		    (int64_t)max_us >= hist_lowest_equivalent(&h, h.max))
			h.max = (int64_t)max_us;
		e.h = &h;
		rc = fn(&e, arg);
		hist_free(&h);
	}
	input_close(&in);
	if (rc == 0 && got < 0)
		return -1;
	return rc;
}
