/* sqlfiles.h: the project's .sql files, embedded at build time (tools/embed-sql.awk). */
#ifndef PGPB_SQLFILES_H
#define PGPB_SQLFILES_H

struct sqlfile {
	const char *name; /* path without ".sql", e.g. "schema/tables" */
	const char *text;
};
extern const struct sqlfile sqlfiles[];

/* The text of an embedded file by name, or NULL. */
const char *sql_get(const char *name);

#endif
