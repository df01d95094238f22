/* datagen.h: fills the tables with realistic, reproducible data (issue 3). */
#ifndef PGPB_DATAGEN_H
#define PGPB_DATAGEN_H

int datagen_main(int argc, char **argv);

#endif
