/*
 * commands.h: the commands of pgpagebench, one file each in cmd/. A command reads its options (with
 * common/cli.h's shared loop), prints its --help, and calls the libraries below in order; main.c picks
 * one by name. Nothing below cmd/ includes this header.
 */
#ifndef PGPB_COMMANDS_H
#define PGPB_COMMANDS_H

int demo_main(int argc, char **argv);
int schema_main(int argc, char **argv);
int datagen_main(int argc, char **argv);
int run_main(int argc, char **argv);
int plot_main(int argc, char **argv);
int compare_main(int argc, char **argv);
int http_compare_main(int argc, char **argv);
int server_main(int argc, char **argv);
int merge_main(int argc, char **argv);

#endif
