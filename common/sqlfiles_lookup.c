/* sqlfiles_lookup.c: finds an embedded .sql file by name (the table itself is generated). */
#include "common/sqlfiles.h"

#include <string.h>

const char *sql_get(const char *name)
{
	for (const struct sqlfile *f = sqlfiles; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f->text;
	return NULL;
}
