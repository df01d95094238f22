/*
 * opts.h: the options that shape a dataset (scale, seed, distributions) and how they are defaulted,
 * parsed and written down. A floor of datagen: the row generator reads them, datagen_exec takes them,
 * and commands fill them; none of that is needed to read them.
 */
#ifndef PGPB_DATAGEN_OPTS_H
#define PGPB_DATAGEN_OPTS_H

#include <stddef.h>
#include <stdint.h>

enum { DATAGEN_MAX_STATUS = 8 };

/* Every generated user's password (stored as a Django pbkdf2_sha256 hash). */
#define DATAGEN_PASSWORD "pgpagebench"

struct datagen_opts {
	double scale; /* users = 1000 x scale, records = 100000 x scale (rounded; at least 1 each) */
	uint64_t seed; /* default 1 */
	int jobs; /* parallel connections; 0 = datagen_default_jobs() */
	int drop; /* replace a complete dataset loaded with other arguments, or foreign rows */
	int with_indexes; /* build indexes.sql after the data (default 1) */
	int progress; /* -1 = when stderr is a TTY (default), 0 = never, 1 = always */
	double user_zipf; /* records per user: Zipf exponent (default 1.07) */
	double children; /* share of records that are children (default 0.25) */
	size_t nstatus; /* status mix (default new=70,done=20,archived=10) */
	char status[DATAGEN_MAX_STATUS][32];
	double status_weight[DATAGEN_MAX_STATUS];
};

/* Fills the defaults (scale 1). */
void datagen_opts_default(struct datagen_opts *o);
/* Parses a --status-mix value "name=weight,..." into o; logs and returns -1 on a bad value. */
int datagen_parse_status_mix(struct datagen_opts *o, const char *s);
/* The canonical text of the options that shape the data (not --jobs): stored in pgpagebench_dataset.args,
 * and compared with it to tell "the same dataset" from "another one". */
void datagen_args_text(const struct datagen_opts *o, char *buf, size_t len);
/* The connections used when jobs is 0: the online CPUs, 1 to 64. */
int datagen_default_jobs(void);

#endif
