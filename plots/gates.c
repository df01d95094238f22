/*
 * gates.c: `run --threshold` after the sweep (plots/gates.h). The run's steps are read back from its
 * results directory, so every verdict rests on the figure the files, the table and the report show.
 */
#include "plots/gates.h"
#include "common/cli.h"
#include "common/log.h"
#include "resdir/read.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* "< 50.000 ms": the limit as the measured figure is shown. */
static void limit_text(const struct gate_threshold *t, char *buf, size_t len)
{
	char v[64];
	gate_format(t->fig, t->limit, v, sizeof v);
	snprintf(buf, len, "%s %s", gate_op_text(t->op), v);
}

int plots_check_thresholds(const char *dir, const struct gate_threshold *t, int n, int quiet, json_t **verdict)
{
	*verdict = NULL;
	struct res_run run;
	memset(&run, 0, sizeof run);
	if (res_load_parts(dir, &run, 0) < 0)
		return EXIT_RUNTIME;
	json_t *limits = json_array(), *bad = json_array(), *unchecked = json_array();
	for (int k = 0; k < n; k++)
		json_array_append_new(limits, json_string(t[k].text));
	int nbad = 0, nun = 0;
	for (int pass = 0; pass < 2; pass++) { /* violations first, then what could not be checked */
		int header = 0;
		for (size_t i = 0; i < run.nsteps; i++) {
			const struct res_step *s = &run.steps[i];
			for (int k = 0; k < n; k++) {
				double m;
				char why[256], mt[64], lt[80];
				enum gate_verdict v = gate_check(&t[k], s, &m, why, sizeof why);
				if (v != (pass ? GATE_UNCHECKABLE : GATE_FAIL))
					continue;
				gate_format(t[k].fig, m, mt, sizeof mt);
				limit_text(&t[k], lt, sizeof lt);
				if (!header) {
					printf(pass ? "thresholds not checkable (they fail the gate too):\n  %-32s %-18s %s\n"
					            : "thresholds violated:\n  %-32s %-18s %-16s %s\n",
					       "step", "figure", pass ? "why" : "measured", "limit");
					header = 1;
				}
				if (pass) {
					printf("  %-32s %-18s %s\n", s->id, t[k].fig->name, why);
					json_array_append_new(unchecked, json_pack("{s:s,s:s,s:s,s:s}", "step", s->id, "threshold",
					                                           t[k].text, "figure", t[k].fig->name, "why", why));
					nun++;
				} else {
					printf("  %-32s %-18s %-16s %s\n", s->id, t[k].fig->name, mt, lt);
					json_array_append_new(bad, json_pack("{s:s,s:s,s:s,s:f,s:s,s:f}", "step", s->id, "threshold",
					                                     t[k].text, "figure", t[k].fig->name, "measured", m, "op",
					                                     gate_op_text(t[k].op), "limit", t[k].limit));
					nbad++;
				}
			}
		}
	}
	int rc = nbad || nun ? EXIT_GATE : EXIT_OK;
	if (nbad)
		log_error("%d threshold check%s failed (listed above)%s", nbad, nbad == 1 ? "" : "s",
		          nun ? ", and some could not be checked" : "");
	else if (nun)
		log_error("%d threshold check%s could not be made (listed above): a gate that cannot tell fails", nun,
		          nun == 1 ? "" : "s");
	else if (!quiet)
		printf("thresholds met: %d on each of %zu step%s\n", n, run.nsteps, run.nsteps == 1 ? "" : "s");
	if (nun && !nbad)
		log_hint("Lengthen --duration so the steps measure enough queries, or gate on a lower percentile.");
	fflush(stdout);
	*verdict = json_pack("{s:b,s:o,s:o,s:o}", "passed", rc == EXIT_OK, "limits", limits, "violations", bad,
	                     "not_checkable", unchecked);
	res_free(&run);
	return rc;
}
