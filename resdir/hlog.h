/*
 * hlog.h: the <step>.hlog files of a results directory, HdrHistogram's own interval log, so that
 * HistogramLogAnalyzer, HistogramLogProcessor and the HdrHistogram libraries (Java, C, JavaScript, ...)
 * read a run's histograms without going through this tool. One writer and one reader side by side, as
 * HdrHistogram_c has them: a histogram is stored in HdrHistogram's compressed V2 encoding, in base64.
 *
 * common/hist.h lays its buckets out exactly as HdrHistogram does (the same unit magnitude, sub-bucket
 * count and bucket count for the same lowest, highest and significant digits), so a counts array index
 * means the same value on both sides and the encoding carries the buckets unchanged: no re-bucketing.
 * What the encoding does not carry is the exact minimum, maximum and sum that struct hist keeps beside
 * its buckets; see hlog_decode.
 */
#ifndef PGPB_RESDIR_HLOG_H
#define PGPB_RESDIR_HLOG_H

#include "common/hist.h"

#include <stddef.h>
#include <stdint.h>

/* <dir>/<id>.hlog */
void hlog_path(char *buf, size_t len, const char *dir, const char *id);

/* ---- one histogram ---- */

/* HdrHistogram's V2 cookies; the 0x10 in a cookie's second nibble marks the ZigZag LEB128 counts. */
#define HLOG_V2_ENCODING_COOKIE 0x1c849303u
#define HLOG_V2_COMPRESSED_COOKIE 0x1c849304u
#define HLOG_COOKIE_LEB128 0x10u

/* h in the compressed V2 encoding, base64, NUL-terminated, to free(); NULL only if zlib itself fails
 * (its memory comes from common/alloc.h). */
char *hlog_encode(const struct hist *h);
/*
 * Decodes a compressed V2 histogram (len characters of base64) into *h, initialised with the encoded
 * lowest, highest and significant digits (hist_free it). 0, or -1 with why in err and *h left empty.
 * From the buckets alone: min is the lowest value of the first bucket counted, max the highest value of
 * the last, and the sum (for hist_mean) counts each value at its bucket's middle, as HdrHistogram's mean.
 */
int hlog_decode(const char *b64, size_t len, struct hist *h, char *err, size_t err_len);

/* ---- the writer ---- */

/* The per-second histograms of the step being run, encoded as they arrive, kept until it is written. */
struct hlog_second {
	long second; /* 1-based */
	int64_t max_us;
	char *b64; /* owned */
};
struct hlog_seconds {
	struct hlog_second *v;
	size_t n, cap;
};
/* Encodes one second's histogram; -1 when zlib fails (the second is then missing from the log). */
int hlog_seconds_add(struct hlog_seconds *s, long second, const struct hist *h);
void hlog_seconds_clear(struct hlog_seconds *s);

/* A histogram of the whole measured window, written as a line of its own with a tag. */
struct hlog_whole {
	const char *tag;
	const struct hist *h;
};
#define HLOG_TAG_STEP "step" /* the step's latency histogram, the one steps.csv's figures come from */
#define HLOG_TAG_UNCORRECTED "uncorrected" /* open loop: latency from the actual send (.uncorrected.hgrm) */
#define HLOG_TAG_WAIT "wait" /* shared pool: waiting for a connection (.wait.hgrm) */

/*
 * Writes path: the header (a comment naming the tool and the step, the format version, StartTime and
 * BaseTime = the measured window's start in seconds since the epoch, the legend), one untagged line a
 * second (start relative to BaseTime, length 1 s, the last one cut to the window's end), then one tagged
 * line a whole-window histogram. Values are microseconds; Interval_Max is in milliseconds (3 decimals,
 * so the exact maximum in microseconds). 0, or -1 with errno set (nothing logged).
 */
int hlog_write(const char *path, const char *step, double start_epoch_s, double duration_s,
               const struct hlog_seconds *secs, const struct hlog_whole *whole, int nwhole);

/* ---- the reader ---- */

/* One interval line as read. */
struct hlog_entry {
	const char *tag; /* "" when untagged */
	double start_s; /* the interval's start in seconds since the epoch (relative times made absolute with
	                 * BaseTime, or with StartTime as HdrHistogram's reader does); as written without either */
	double length_s;
	double max; /* Interval_Max as written (milliseconds in this tool's logs) */
	double log_start_s; /* the log's StartTime, 0 when it has none */
	long lineno;
	const struct hist *h; /* decoded; valid during the callback only (hist_merge it to keep it) */
};
/* Returns 0 to go on; anything else stops the read and becomes hlog_read's result. */
typedef int (*hlog_fn)(const struct hlog_entry *e, void *arg);

/* A log of a long step is a few MB: a larger file is refused. */
#define HLOG_MAX ((size_t)256 << 20)

/*
 * Reads the interval log at path, calling fn for each interval line in file order. When the line's
 * Interval_Max, read as milliseconds, names a value inside the decoded histogram's last bucket (always so
 * in this tool's logs), that value is the exact maximum kept in the entry's histogram. 0 at the end; -1
 * with why in err (the file and line named) and *why an errno value (ENOENT: no such file, EFBIG past
 * HLOG_MAX, EINTR: a signal, EINVAL: not an interval log); or fn's non-zero result.
 */
int hlog_read(const char *path, hlog_fn fn, void *arg, int *why, char *err, size_t err_len);

#endif
