/* log.h: messages in PostgreSQL's style ("pgpagebench: error: could not ...", lower case, no period). */
#ifndef PGPB_LOG_H
#define PGPB_LOG_H

#define PGPB_PROGNAME "pgpagebench"

void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A server error's DETAIL, one line a call ("pgpagebench: detail: ..."), between the error and the hint. */
void log_detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* libpq messages end in "\n" and may span lines: this returns the first line, without the newline. */
const char *log_firstline(const char *msg, char *buf, unsigned len);
/* "s" unless n is 1: "1 step", "2 steps" in every count the tool prints. */
static inline const char *plural_s(long long n) { return n == 1 ? "" : "s"; }

#endif
