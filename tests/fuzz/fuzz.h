/*
 * fuzz.h: what the libFuzzer targets of tests/fuzz share (`make fuzz`, docs/testing.md): each target
 * hands the fuzzer's bytes to one of the tool's file readers, through a real file in a private temporary
 * directory, as the tool would read it. A reader may reject the input (it logs why, to a closed stderr);
 * the only failures are a crash, a sanitizer report, a leak or a hang.
 */
#ifndef PGPB_FUZZ_H
#define PGPB_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/* The target's own temporary directory (made on first use, removed at exit). */
const char *fuzz_dir(void);
/* Writes data to <fuzz_dir>/<name> (replacing it) and returns its path (a static buffer, valid until the next call). */
const char *fuzz_write(const char *name, const uint8_t *data, size_t size);
/* Writes a NUL-terminated string as <fuzz_dir>/<name>. */
const char *fuzz_write_text(const char *name, const char *text);
/* The bytes as a malloc'd NUL-terminated string (a NUL inside ends it early, as C readers see it). */
char *fuzz_string(const uint8_t *data, size_t size);
/* Removes <fuzz_dir>/<name>, if there. */
void fuzz_remove(const char *name);

/* The results-directory targets: res_load of fuzz_dir() (which holds what the target wrote), then every
 * reader accessor plot and compare call on each step, and summary.json's histogram of each step. */
void fuzz_res_walk(void);
/* A small valid steps.csv (the four steps of tests/fixtures/results-small), for the targets that fuzz another file of the directory. */
void fuzz_write_steps(void);

#endif
