/*
 * datagen.h: the public face of datagen, which fills the tables with realistic, reproducible data: the
 * options (opts.h) and datagen_exec, which commands (datagen, demo) call once they have filled them.
 * Inside, datagen is layered: random.h and pbkdf2.h at the floor, rows.h (the row generator) on them,
 * finish.h (the job pool after the COPYs) and copy.h (the parallel load) above, datagen.c on top.
 */
#ifndef PGPB_DATAGEN_H
#define PGPB_DATAGEN_H

#include "common/ctx.h"
#include "datagen/opts.h"

/*
 * Loads a dataset into the database ctx points at (ctx_open already called by the caller): creates the
 * tables if needed, loads, builds keys and indexes, VACUUM (ANALYZE), stores and prints the fingerprint.
 * Returns an exit status: 0, 1 (runtime failure), or 128 + signal when interrupted.
 */
int datagen_exec(struct pgpb_ctx *ctx, const struct datagen_opts *o);

#endif
