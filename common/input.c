/*
 * input.c: the one way the tool reads a file (common/input.h). The descriptor is opened without blocking
 * and every read waits in poll() for at most 250 ms before looking at the signal flag again, so neither
 * a FIFO nobody writes to nor a stream that never ends can hold the process; a file larger than its
 * limit stops the read at limit + 1 bytes, so memory stays bounded whatever the file is.
 */
#include "common/input.h"
#include "common/alloc.h"
#include "common/sig.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define POLL_MS 250
#define CHUNK 65536

const char *input_limit_text(size_t limit, char *buf, size_t len)
{
	if (limit >= INPUT_MB && limit % INPUT_MB == 0)
		snprintf(buf, len, "%zu MB", limit / INPUT_MB);
	else if (limit >= 1024 && limit % 1024 == 0)
		snprintf(buf, len, "%zu kB", limit / 1024);
	else
		snprintf(buf, len, "%zu bytes", limit);
	return buf;
}

static int fail(int *why, int e, char *err, size_t err_len, const char *what, const char *path)
{
	*why = e;
	if (e == EINTR)
		snprintf(err, err_len, "could not read file \"%s\": interrupted", path);
	else
		snprintf(err, err_len, "could not %s file \"%s\": %s", what, path, strerror(e));
	return -1;
}

static int too_big(struct input *in, int *why, char *err, size_t err_len)
{
	char lim[32];
	*why = EFBIG;
	snprintf(err, err_len, "file \"%s\" is larger than the limit of %s", in->path,
	         input_limit_text(in->limit, lim, sizeof lim));
	return -1;
}

int input_open(struct input *in, const char *path, size_t limit, int *why, char *err, size_t err_len)
{
	memset(in, 0, sizeof *in);
	in->fd = -1;
	in->path = path;
	in->limit = limit;
	if (sig_caught())
		return fail(why, EINTR, err, err_len, "open", path);
	/* O_NONBLOCK: opening a FIFO must not wait for its writer (poll does, below, a signal at a time) */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return fail(why, errno, err, err_len, "open", path);
	struct stat st;
	if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
		int e = S_ISDIR(st.st_mode) ? EISDIR : errno;
		close(fd);
		return fail(why, e, err, err_len, "read", path);
	}
	in->fd = fd;
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > (unsigned long long)limit) {
		too_big(in, why, err, err_len);
		input_close(in);
		return -1;
	}
	/* a regular file fits its buffer at once (one byte more shows its end); a stream starts at CHUNK */
	in->cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : CHUNK;
	if (in->cap > limit + 1)
		in->cap = limit + 1;
	in->buf = pgpb_malloc(in->cap + 1);
	return 0;
}

/* Reads what is there into buf[end..cap) (at least one byte, or the end of the file): 0 or -1. */
static int fill(struct input *in, int *why, char *err, size_t err_len)
{
	for (;;) {
		if (sig_caught())
			return fail(why, EINTR, err, err_len, "read", in->path);
		struct pollfd p = { in->fd, POLLIN, 0 };
		int r = poll(&p, 1, POLL_MS);
		if (r < 0 && errno != EINTR)
			return fail(why, errno, err, err_len, "read", in->path);
		if (r <= 0)
			continue;
		/* one byte past the limit is enough to know it is passed */
		size_t want = in->cap - in->end, left = in->limit + 1 - in->total;
		ssize_t n = read(in->fd, in->buf + in->end, want < left ? want : left);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return fail(why, errno, err, err_len, "read", in->path);
		}
		if (n == 0) {
			in->eof = 1;
			return 0;
		}
		in->end += (size_t)n;
		in->total += (size_t)n;
		if (in->total > in->limit)
			return too_big(in, why, err, err_len);
		return 0;
	}
}

/* Room after end: moves the unread part to the front, or doubles the buffer (never past limit + 1). */
static void make_room(struct input *in)
{
	if (in->start > 0) {
		memmove(in->buf, in->buf + in->start, in->end - in->start);
		in->end -= in->start;
		in->start = 0;
	}
	if (in->end == in->cap) {
		/* past limit + 1 bytes the read has failed already */
		in->cap = in->cap < (in->limit + 1) / 2 ? in->cap * 2 : in->limit + 1;
		in->buf = pgpb_realloc(in->buf, in->cap + 1);
	}
}

static int is_bom(const char *p, size_t n)
{
	return n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0;
}

int input_line(struct input *in, char **line, int *why, char *err, size_t err_len)
{
	if (in->lineno == 0 && in->total == 0 && !in->eof) {
		/* the byte order mark, if any, before the first line: wait for three bytes or the end */
		while (!in->eof && in->end < 3)
			if (fill(in, why, err, err_len) < 0)
				return -1;
		if (is_bom(in->buf, in->end))
			in->start = 3;
	}
	size_t scanned = in->start;
	for (;;) {
		char *nl = memchr(in->buf + scanned, '\n', in->end - scanned);
		if (nl || (in->eof && in->start < in->end)) {
			char *s = in->buf + in->start;
			char *stop = nl ? nl : in->buf + in->end;
			in->start = nl ? (size_t)(nl - in->buf) + 1 : in->end;
			if (stop > s && stop[-1] == '\r')
				stop--;
			*stop = '\0'; /* buf has one byte past cap for the last line's NUL */
			in->lineno++;
			*line = s;
			return 1;
		}
		if (in->eof)
			return 0;
		scanned = in->end - in->start; /* offsets move with make_room */
		make_room(in);
		if (fill(in, why, err, err_len) < 0)
			return -1;
		scanned += in->start;
	}
}

void input_close(struct input *in)
{
	if (in->fd >= 0)
		close(in->fd);
	free(in->buf);
	in->fd = -1;
	in->buf = NULL;
}

char *input_slurp(const char *path, size_t limit, size_t *len, int *why, char *err, size_t err_len)
{
	struct input in;
	if (input_open(&in, path, limit, why, err, err_len) < 0)
		return NULL;
	while (!in.eof) {
		if (in.end == in.cap)
			make_room(&in);
		if (fill(&in, why, err, err_len) < 0) {
			input_close(&in);
			return NULL;
		}
	}
	char *buf = in.buf;
	size_t n = in.end;
	if (is_bom(buf, n)) {
		memmove(buf, buf + 3, n - 3);
		n -= 3;
	}
	buf[n] = '\0';
	in.buf = NULL;
	input_close(&in);
	*len = n;
	return buf;
}
