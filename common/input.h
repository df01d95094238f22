/*
 * input.h: every file the tool reads comes in through here, whole or a line at a time: bounded (each kind
 * of file has a size limit, and passing it is an error naming the file and the limit) and interruptible
 * (SIGINT or SIGTERM ends a read, even of a FIFO without a writer or an endless stream, within a quarter
 * of a second). A UTF-8 byte order mark at the start of a file is skipped.
 */
#ifndef PGPB_INPUT_H
#define PGPB_INPUT_H

#include <stddef.h>

#define INPUT_MB ((size_t)1 << 20)

/* An open file read a line at a time. */
struct input {
	const char *path;
	int fd;
	size_t limit, total; /* total: bytes read so far */
	char *buf;
	size_t cap, start, end; /* buf[start..end) not yet returned */
	long lineno; /* of the line input_line returned last */
	int eof;
};

/*
 * Each call returns 0 (or a count), or -1 with one line in err (lower case, no period) and *why set:
 * an errno value (ENOENT: no such file), EFBIG (past the limit) or EINTR (a signal: sig_caught() says
 * which). A caller that lets a missing file pass tests *why == ENOENT.
 */
int input_open(struct input *in, const char *path, size_t limit, int *why, char *err, size_t err_len);
/* The next line, without its "\n" or "\r\n", NUL-terminated in *line (valid until the next call):
 * 1, 0 at the end of the file, -1 (err, *why). A NUL byte in a line ends the line as C sees it. */
int input_line(struct input *in, char **line, int *why, char *err, size_t err_len);
void input_close(struct input *in);

/* The whole file, NUL-terminated (with *len its length, NUL bytes included), to free(); NULL (err, *why). */
char *input_slurp(const char *path, size_t limit, size_t *len, int *why, char *err, size_t err_len);

/* limit as text: "16 MB", "512 kB", "100 bytes". */
const char *input_limit_text(size_t limit, char *buf, size_t len);

#endif
