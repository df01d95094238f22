/* cli.h: parsing of option values (numbers, durations, lists and ranges) with PostgreSQL-style errors. */
#ifndef PGPB_CLI_H
#define PGPB_CLI_H

#include <stddef.h>

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2, EXIT_GATE = 3, EXIT_INTERRUPTED = 130 }; /* EXIT_GATE: a CI gate failed */

/* Each parser logs "invalid value "X" for option --opt: ..." and returns -1 on bad input, 0 on success. */
int cli_parse_long(const char *opt, const char *s, long min, long max, long *out);
int cli_parse_double(const char *opt, const char *s, double min, double max, double *out);
/* "10s", "500ms", "2m", "1h", "1.5" (seconds). */
int cli_parse_duration(const char *opt, const char *s, double *seconds);
/*
 * An instant on the wall clock (CLOCK_REALTIME), as seconds since the epoch: RFC 3339 in UTC
 * ("2026-12-02T00:10:00Z", fractions of a second allowed, "+01:00"-style offsets too) or "+DURATION" from
 * now ("+30s"). A time already past, or more than a week ahead, is refused.
 */
int cli_parse_instant(const char *opt, const char *s, double *epoch_s);
/* The same against a given now (epoch seconds), for the tests. */
int cli_parse_instant_at(const char *opt, const char *s, double now, double *epoch_s);
/* The instant as RFC 3339 UTC, to the millisecond when it has a fraction ("2026-12-02T00:10:00.250Z"). */
void cli_format_instant(double epoch_s, char *buf, size_t len);
/*
 * A list of integers: "1,2,4", ranges "0..10000:5" (five evenly spaced values), "1..64*2" (doubling),
 * "0..100+25" (step 25), mixed with commas. Values are kept in the given order, duplicates removed,
 * at most 10000 of them.
 * *out is malloc'd; the caller frees it.
 */
int cli_parse_list(const char *opt, const char *s, long min, long max, long **out, size_t *n);
/* A comma-separated list of words, each one of `allowed` (NULL-terminated) unless allowed is NULL. */
int cli_parse_words(const char *opt, const char *s, const char *const *allowed, char ***out, size_t *n);
void cli_free_words(char **words, size_t n);

/* A choice among words: s must be one of words (NULL-terminated); *out = its index. Otherwise logs
 * "invalid value "X" for option --opt: expected a, b or c" and returns -1. */
int cli_parse_choice(const char *opt, const char *s, const char *const *words, int *out);

/* For getopt_long with opterr = 0 and an optstring starting with ':': reports '?' (unknown option) or
 * ':' (missing value) for argv[optind - 1] and returns EXIT_USAGE. */
int cli_getopt_fail(const char *command, int c, char **argv, int optind_now, int optopt_now);
/* Standard reaction to a bad command line: the error, then a hint naming --help. Returns EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
