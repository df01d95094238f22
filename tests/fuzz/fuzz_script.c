/*
 * fuzz_script.c: libFuzzer target for a `run --script FILE` (bench/script.h), loaded and checked as run
 * loads it, then, when it loads, run once without a server: every \set and \sleep evaluated and every
 * statement's parameters and simple-protocol text built, with a \gset and a \glist value stored.
 */
#include "bench/script.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct script_set ss;
	char err[1024];
	script_set_init(&ss);
	script_set_define(&ss, "n=7", err, sizeof err);
	if (script_set_add(&ss, "fuzz.sql", (const char *)data, size, 1, err, sizeof err) == 0 &&
	    script_set_finish(&ss, 10, 1, err, sizeof err) == 0) {
		struct script_state st;
		script_state_init(&st, &ss, 0, 10, 1, 1);
		script_begin(&st, 100, 10);
		const char **vals = calloc((size_t)script_max_params(&ss) + 1, sizeof *vals);
		const struct script *s = ss.s[0];
		for (int i = 0; i < s->ncmds; i++) {
			const struct script_cmd *c = &s->cmds[i];
			struct script_err e;
			int64_t us;
			if (c->kind == SC_SET)
				script_exec_set(&ss, &st, c, &e);
			else if (c->kind == SC_SLEEP)
				script_sleep_us(&ss, &st, c, &us, &e);
			else {
				script_params(&ss, &st, c, vals, &e);
				script_inline(&ss, &st, c, &e);
				int v = c->store ? script_store_var(&ss, c, "id") : -1;
				if (v >= 0 && c->store == STORE_GLIST) {
					script_list_begin(&st, v);
					script_list_add(&st, v, "a\"b'c");
					script_list_add(&st, v, NULL);
					script_list_end(&st, v);
				} else if (v >= 0) {
					script_var_set_text(&st, v, "42");
				}
			}
		}
		free(vals);
		script_state_free(&st);
	}
	script_set_free(&ss);
	return 0;
}
