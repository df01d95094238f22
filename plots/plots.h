/* plots.h: charts and the HTML report from a results directory (issue 6). */
#ifndef PGPB_PLOTS_H
#define PGPB_PLOTS_H

int plot_main(int argc, char **argv);
int compare_main(int argc, char **argv);

#endif
