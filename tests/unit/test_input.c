/* test_input.c: the one file reader (common/input.h): lines across buffer refills, CRLF, a last line
 * without a newline, the byte order mark, the size limit on regular files and on a FIFO fed without end,
 * errors by errno, and a signal ending a read of a FIFO whose writer never writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/input.h"
#include "common/sig.h"

static char dir[] = "/tmp/pgpb-test-input-XXXXXX";

static const char *file_with(const char *name, const char *text, size_t len)
{
	static char path[256];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void lines(void **state)
{
	(void)state;
	/* a line longer than the first buffer, CRLF, a blank line, no newline at the end */
	size_t big = 200000;
	char *text = malloc(big + 64);
	memcpy(text, "\xEF\xBB\xBF" "one\r\n\n", 9);
	memset(text + 9, 'x', big);
	memcpy(text + 9 + big, "\nlast", 5);
	const char *p = file_with("lines", text, 9 + big + 5);
	struct input in;
	int why;
	char err[256], *line;
	assert_int_equal(input_open(&in, p, INPUT_MB, &why, err, sizeof err), 0);
	assert_int_equal(input_line(&in, &line, &why, err, sizeof err), 1);
	assert_string_equal(line, "one");
	assert_int_equal(input_line(&in, &line, &why, err, sizeof err), 1);
	assert_string_equal(line, "");
	assert_int_equal(input_line(&in, &line, &why, err, sizeof err), 1);
	assert_int_equal(strlen(line), big);
	assert_int_equal(in.lineno, 3);
	assert_int_equal(input_line(&in, &line, &why, err, sizeof err), 1);
	assert_string_equal(line, "last");
	assert_int_equal(input_line(&in, &line, &why, err, sizeof err), 0);
	input_close(&in);
	/* the same file whole: the mark is gone, the rest is byte for byte */
	size_t len;
	char *all = input_slurp(p, INPUT_MB, &len, &why, err, sizeof err);
	assert_non_null(all);
	assert_int_equal(len, 6 + big + 5);
	assert_memory_equal(all, text + 3, len);
	free(all);
	free(text);
	/* empty, and a mark alone */
	p = file_with("empty", "", 0);
	assert_int_equal(input_open(&in, p, 10, &why, err, sizeof err), 0);
	assert_int_equal(input_line(&in, &line, &why, err, sizeof err), 0);
	input_close(&in);
	p = file_with("bom", "\xEF\xBB\xBF", 3);
	assert_int_equal(input_open(&in, p, 10, &why, err, sizeof err), 0);
	assert_int_equal(input_line(&in, &line, &why, err, sizeof err), 0);
	input_close(&in);
}

static void limits(void **state)
{
	(void)state;
	char err[256];
	int why;
	size_t len;
	const char *p = file_with("ten", "0123456789", 10);
	char *all = input_slurp(p, 10, &len, &why, err, sizeof err);
	assert_non_null(all);
	free(all);
	assert_null(input_slurp(p, 9, &len, &why, err, sizeof err));
	assert_int_equal(why, EFBIG);
	assert_non_null(strstr(err, "is larger than the limit of 9 bytes"));
	assert_non_null(strstr(err, "/ten\""));
	char lim[32];
	assert_string_equal(input_limit_text((size_t)16 << 20, lim, sizeof lim), "16 MB");
	assert_string_equal(input_limit_text(2048, lim, sizeof lim), "2 kB");
	/* missing, a directory */
	snprintf(lim, sizeof lim, "%s/nope", dir);
	assert_null(input_slurp(lim, 9, &len, &why, err, sizeof err));
	assert_int_equal(why, ENOENT);
	assert_non_null(strstr(err, "could not open file"));
	assert_null(input_slurp(dir, 9, &len, &why, err, sizeof err));
	assert_int_equal(why, EISDIR);
}

/* A writer that never stops: the reader gives up one byte past its limit, whatever the writer does. */
static void *endless_writer(void *path)
{
	int fd = open(path, O_WRONLY);
	char chunk[4096];
	memset(chunk, 'y', sizeof chunk);
	while (fd >= 0 && write(fd, chunk, sizeof chunk) > 0)
		;
	if (fd >= 0)
		close(fd);
	return NULL;
}

static void endless_fifo(void **state)
{
	(void)state;
	char path[256], err[256], *line;
	int why;
	snprintf(path, sizeof path, "%s/endless", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, endless_writer, path), 0);
	struct input in;
	assert_int_equal(input_open(&in, path, INPUT_MB, &why, err, sizeof err), 0);
	int got;
	while ((got = input_line(&in, &line, &why, err, sizeof err)) > 0)
		;
	assert_int_equal(got, -1);
	assert_int_equal(why, EFBIG);
	assert_true(in.total == INPUT_MB + 1);
	input_close(&in); /* the writer gets EPIPE and ends */
	assert_int_equal(pthread_join(t, NULL), 0);
}

/* A writer that opens the FIFO, then sends SIGINT and never writes: the read ends with EINTR. */
static void *silent_writer(void *path)
{
	int fd = open(path, O_WRONLY);
	kill(getpid(), SIGINT);
	return (void *)(intptr_t)fd;
}

static void interrupted(void **state)
{
	(void)state;
	char path[256], err[256];
	int why;
	size_t len;
	snprintf(path, sizeof path, "%s/silent", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	sig_install();
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, silent_writer, path), 0);
	assert_null(input_slurp(path, INPUT_MB, &len, &why, err, sizeof err));
	assert_int_equal(why, EINTR);
	assert_non_null(strstr(err, "interrupted"));
	assert_int_equal(sig_caught(), SIGINT);
	void *fd;
	assert_int_equal(pthread_join(t, &fd), 0);
	close((int)(intptr_t)fd);
}

static int setup(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN);
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	const char *names[] = { "lines", "empty", "bom", "ten", "endless", "silent" };
	char path[256];
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		unlink(path);
	}
	return rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines),
		cmocka_unit_test(limits),
		cmocka_unit_test(endless_fifo),
		cmocka_unit_test(interrupted), /* last: the signal flag stays set */
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
