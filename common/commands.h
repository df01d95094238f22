/* commands.h: the commands that belong to no single module (demo ties them all together; server). */
#ifndef PGPB_COMMANDS_H
#define PGPB_COMMANDS_H

int demo_main(int argc, char **argv);
int server_main(int argc, char **argv);

#endif
