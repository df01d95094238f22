/*
 * opts.c: the dataset options: their defaults, the --status-mix parser, and the canonical text stored
 * with a dataset so a later run can tell whether it asks for the same data.
 */
#include "datagen/opts.h"
#include "common/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void datagen_opts_default(struct datagen_opts *o)
{
	memset(o, 0, sizeof *o);
	o->scale = 1;
	o->seed = 1;
	o->with_indexes = 1;
	o->progress = -1;
	o->user_zipf = 1.07;
	o->children = 0.25;
	o->nstatus = 3;
	snprintf(o->status[0], sizeof o->status[0], "new");
	snprintf(o->status[1], sizeof o->status[1], "done");
	snprintf(o->status[2], sizeof o->status[2], "archived");
	o->status_weight[0] = 70, o->status_weight[1] = 20, o->status_weight[2] = 10;
}

int datagen_parse_status_mix(struct datagen_opts *o, const char *s)
{
	struct datagen_opts t = *o;
	t.nstatus = 0;
	double total = 0;
	const char *p = s;
	while (*p) {
		size_t n = strcspn(p, "=,");
		if (p[n] != '=' || n == 0 || n >= sizeof t.status[0]) {
			log_error("invalid value \"%s\" for option --status-mix: expected name=weight,... (names of 1 to 31 characters)", s);
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '_')) {
				log_error("invalid value \"%s\" for option --status-mix: a status name may hold only a-z, 0-9 and _", s);
				return -1;
			}
		if (t.nstatus == DATAGEN_MAX_STATUS) {
			log_error("invalid value \"%s\" for option --status-mix: at most %d statuses", s, DATAGEN_MAX_STATUS);
			return -1;
		}
		for (size_t k = 0; k < t.nstatus; k++)
			if (strlen(t.status[k]) == n && strncmp(t.status[k], p, n) == 0) {
				log_error("invalid value \"%s\" for option --status-mix: status \"%.*s\" given twice", s, (int)n, p);
				return -1;
			}
		memcpy(t.status[t.nstatus], p, n);
		t.status[t.nstatus][n] = '\0';
		p += n + 1;
		char *end;
		double w = strtod(p, &end);
		if (end == p || (*end && *end != ',') || !(w >= 0) || w > 1e9) {
			log_error("invalid value \"%s\" for option --status-mix: the weight of \"%s\" is not a number from 0 to 1e9", s,
			          t.status[t.nstatus]);
			return -1;
		}
		t.status_weight[t.nstatus++] = w;
		total += w;
		p = *end ? end + 1 : end;
		if (*end == ',' && !*p) {
			log_error("invalid value \"%s\" for option --status-mix: trailing comma", s);
			return -1;
		}
	}
	if (t.nstatus == 0 || !(total > 0)) {
		log_error("invalid value \"%s\" for option --status-mix: the weights must add up to more than 0", s);
		return -1;
	}
	*o = t;
	return 0;
}

void datagen_args_text(const struct datagen_opts *o, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "v1 scale=%.15g seed=%llu user-zipf=%.15g children=%.15g status-mix=", o->scale,
	                            (unsigned long long)o->seed, o->user_zipf, o->children);
	for (size_t i = 0; i < o->nstatus && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%s=%.15g", i ? "," : "", o->status[i], o->status_weight[i]);
	if (n < len)
		snprintf(buf + n, len - n, " indexes=%s", o->with_indexes ? "yes" : "no");
}

int datagen_default_jobs(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}
