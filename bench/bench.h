/* bench.h: the load driver behind `pgpagebench run` (issue 4). */
#ifndef PGPB_BENCH_H
#define PGPB_BENCH_H

int run_main(int argc, char **argv);
int http_compare_main(int argc, char **argv);

#endif
