/*
 * log.c: every message the tool prints to stderr goes through here, so the whole tool speaks in one
 * voice: PostgreSQL's message style ("pgpagebench: error: ..."), one line each, no trailing period.
 */
#include "common/log.h"
#include "common/alloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void vlog(const char *level, const char *fmt, va_list ap)
{
	char small[2048], *buf = small;
	va_list again;
	va_copy(again, ap);
	int len = vsnprintf(small, sizeof small, fmt, ap);
	if (len >= (int)sizeof small) { /* a long value quoted in full: the reason after it is kept */
		buf = pgpb_malloc((size_t)len + 1);
		vsnprintf(buf, (size_t)len + 1, fmt, again);
	}
	va_end(again);
	/* keep one line: libpq's messages carry their own newlines; hints and details are sentences and keep
	 * their period */
	size_t n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' ||
	                 (buf[n - 1] == '.' && (!level || (strcmp(level, "hint") != 0 && strcmp(level, "detail") != 0)))))
		buf[--n] = '\0';
	for (char *p = buf; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	if (level)
		fprintf(stderr, "%s: %s: %s\n", PGPB_PROGNAME, level, buf);
	else
		fprintf(stderr, "%s: %s\n", PGPB_PROGNAME, buf);
	if (buf != small)
		free(buf);
}

#define LOGFN(name, level) \
	void name(const char *fmt, ...) { va_list ap; va_start(ap, fmt); vlog(level, fmt, ap); va_end(ap); }
LOGFN(log_error, "error")
LOGFN(log_warning, "warning")
LOGFN(log_hint, "hint")
LOGFN(log_detail, "detail")
LOGFN(log_info, NULL)

const char *log_firstline(const char *msg, char *buf, unsigned len)
{
	if (!msg || len == 0)
		return "";
	size_t n = strcspn(msg, "\n");
	if (n >= len)
		n = len - 1;
	memcpy(buf, msg, n);
	buf[n] = '\0';
	return buf;
}
