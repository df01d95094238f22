/*
 * fuzz.c: the temporary directory and file helpers of the libFuzzer targets (tests/fuzz/fuzz.h). The
 * directory is the harness's only state; it is made once per process and removed at exit.
 */
#include "fuzz.h"
#include "common/hist.h"
#include "resdir/read.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[256];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* The directory and what the targets wrote in it (plot_steps writes charts/ and index.html). */
static void remove_dir(void)
{
	nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

const char *fuzz_dir(void)
{
	if (!dir[0]) {
		const char *tmp = getenv("TMPDIR");
		snprintf(dir, sizeof dir, "%s/pgpb-fuzz.XXXXXX", tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(dir)) {
			perror("fuzz: mkdtemp");
			abort();
		}
		atexit(remove_dir);
	}
	return dir;
}

const char *fuzz_write(const char *name, const uint8_t *data, size_t size)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
	FILE *f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
		perror("fuzz: write");
		abort();
	}
	return path;
}

const char *fuzz_write_text(const char *name, const char *text)
{
	return fuzz_write(name, (const uint8_t *)text, strlen(text));
}

char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

void fuzz_remove(const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
	unlink(path);
}

void fuzz_res_walk(void)
{
	struct res_run run;
	if (res_load(fuzz_dir(), &run) < 0)
		return;
	char key[1024];
	for (size_t i = 0; i < run.nsteps; i++) {
		const struct res_step *s = &run.steps[i];
		res_step_key(s, key, sizeof key);
		res_split_reliable(s);
		res_is_open_loop(s);
		res_rate_unmet(s);
		res_pct_reliable(s, 99);
		struct hist h;
		char err[512];
		if (res_summary_hist(fuzz_dir(), s->id, &h, err, sizeof err) == 0) {
			hist_percentile(&h, 50);
			hist_percentile(&h, 99.9);
			hist_free(&h);
		}
	}
	res_free(&run);
}

void fuzz_write_steps(void)
{
	/* the ids of tests/fixtures/results-small, whose files seed the corpora */
	fuzz_write_text("steps.csv", "step,model,query,connections,workers,offset,rate_qps,ok,errors,qps,p50_us,p99_us\n"
	                             "s001-threads-c1-o0,threads,seed,1,1,0,,1800,0,900.0,1280,2761\n"
	                             "s002-threads-c4-o0,threads,seed,4,4,0,,4800,0,2400.0,1760,3681\n"
	                             "s003-threads-c1-o10,threads,seed,1,1,10,,1700,2,850.0,1300,2900\n"
	                             "s004-threads-c4-o10,threads,seed,4,4,10,,4600,0,2300.0,1800,3700\n");
}
