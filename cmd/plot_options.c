/*
 * plot_options.c: the --format, --out and --size options of plot and compare, read one way for both.
 */
#include "cmd/plot_options.h"
#include "common/cli.h"

int plot_option(const char *command, int opt, const char *arg, struct plots_options *o, const char **out)
{
	switch (opt) {
	case PLOT_OPT_FORMAT:
		return plots_parse_formats("--format", arg, &o->formats);
	case PLOT_OPT_OUT:
		if (!*arg) {
			cli_usage_error(command, "invalid value \"\" for option --out: a directory is required");
			return -1;
		}
		*out = arg;
		return 0;
	default: /* PLOT_OPT_SIZE */
		return plots_parse_size(arg, o);
	}
}
