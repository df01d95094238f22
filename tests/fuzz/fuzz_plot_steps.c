/*
 * fuzz_plot_steps.c: libFuzzer target for what `plot` does with a steps.csv: res_load, then every chart
 * and the report drawn as SVG (plots/plots.h plots_render), so the numbers a hostile steps.csv holds
 * (huge, negative, zero, repeated, missing) reach the axes, the scales and the HTML. Slow (libplot draws
 * each chart), so fewer runs in its minute than the plain readers.
 */
#include "fuzz.h"
#include "plots/plots.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_write("steps.csv", data, size);
	char out[512];
	snprintf(out, sizeof out, "%s/out", fuzz_dir());
	plots_render(fuzz_dir(), out, PLOTS_SVG, NULL, 0);
	return 0;
}
