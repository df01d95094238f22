/*
 * gates.h: `run --threshold` judged on the run's results directory once the sweep is written (gates.c),
 * for the run command. The figures and the grammar are resdir/gates.h's.
 */
#ifndef PGPB_PLOTS_GATES_H
#define PGPB_PLOTS_GATES_H

#include "resdir/gates.h"

#include <jansson.h>

/*
 * Reads the steps of the run in dir (steps.csv, as the report does) and checks every threshold on every
 * step. Prints a line when all are met, else one block listing each violation (step, figure, measured,
 * limit) and each figure that could not be checked (a percentile from too few queries, a step without a
 * measured query: it fails the gate too), under one error line. *verdict gets summary.json's "thresholds"
 * object (NULL when the results could not be read). Returns EXIT_OK, EXIT_GATE or EXIT_RUNTIME (logged).
 */
int plots_check_thresholds(const char *dir, const struct gate_threshold *t, int n, int quiet, json_t **verdict);

#endif
