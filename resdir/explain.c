/*
 * explain.c: the explain/ plan files: where they go and what they are called, and the reduction of a plan
 * to the few numbers a reader needs to see why a page costs what it costs: planning and execution time,
 * and how many rows the widest plan node handled to return ten.
 */
#include "resdir/explain.h"
#include "common/alloc.h"
#include "common/input.h"
#include "common/log.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_number(v) ? json_number_value(v) : 0.0;
}

static void walk(json_t *node, struct explain_summary *s)
{
	if (!json_is_object(node))
		return;
	s->nodes++;
	double loops = num(node, "Actual Loops");
	double rows = num(node, "Actual Rows") * (loops > 0 ? loops : 1);
	if (rows > s->rows_processed || s->nodes == 1) {
		s->rows_processed = rows;
		const char *type = json_string_value(json_object_get(node, "Node Type"));
		const char *rel = json_string_value(json_object_get(node, "Relation Name"));
		const char *cte = json_string_value(json_object_get(node, "CTE Name"));
		if (rel)
			snprintf(s->processed_node, sizeof s->processed_node, "%s on %s", type ? type : "?", rel);
		else if (cte)
			snprintf(s->processed_node, sizeof s->processed_node, "%s on %s", type ? type : "?", cte);
		else
			snprintf(s->processed_node, sizeof s->processed_node, "%s", type ? type : "?");
	}
	json_t *plans = json_object_get(node, "Plans");
	size_t i;
	json_t *child;
	json_array_foreach(plans, i, child) walk(child, s);
}

int explain_parse(const char *json, struct explain_summary *out, char *err, size_t err_len)
{
	memset(out, 0, sizeof *out);
	json_error_t jerr;
	json_t *root = json_loads(json, 0, &jerr);
	if (!root) {
		if (err)
			snprintf(err, err_len, "invalid JSON at line %d: %s", jerr.line, jerr.text);
		return -1;
	}
	json_t *top = json_is_array(root) ? json_array_get(root, 0) : root;
	json_t *plan = json_object_get(top, "Plan");
	if (!json_is_object(plan) || !json_is_number(json_object_get(plan, "Actual Rows"))) {
		if (err)
			snprintf(err, err_len, "not the output of EXPLAIN (ANALYZE, FORMAT JSON): no \"Plan\" with \"Actual Rows\"");
		json_decref(root);
		return -1;
	}
	out->planning_ms = num(top, "Planning Time");
	out->execution_ms = num(top, "Execution Time");
	double loops = num(plan, "Actual Loops");
	out->rows_returned = num(plan, "Actual Rows") * (loops > 0 ? loops : 1);
	out->shared_hit = (long long)num(plan, "Shared Hit Blocks");
	out->shared_read = (long long)num(plan, "Shared Read Blocks");
	walk(plan, out);
	json_decref(root);
	return 0;
}

/* 1234567.8 -> "1,234,568" (decimals 0) or "1,234,567.8" (decimals 1). */
static void group(double v, int decimals, char *buf, size_t len)
{
	char raw[64];
	snprintf(raw, sizeof raw, "%.*f", decimals, v < 0 ? -v : v);
	char *dot = strchr(raw, '.');
	size_t intlen = dot ? (size_t)(dot - raw) : strlen(raw);
	size_t o = 0;
	if (v < 0 && o + 1 < len)
		buf[o++] = '-';
	for (size_t i = 0; i < intlen && o + 1 < len; i++) {
		if (i > 0 && (intlen - i) % 3 == 0 && o + 1 < len)
			buf[o++] = ',';
		buf[o++] = raw[i];
	}
	for (const char *p = dot; p && *p && o + 1 < len; p++)
		buf[o++] = *p;
	buf[o] = '\0';
}

void explain_describe(const struct explain_summary *s, char *buf, size_t len)
{
	char proc[48], ret[48], plan[48], exec[48];
	group(s->rows_processed, 0, proc, sizeof proc);
	group(s->rows_returned, 0, ret, sizeof ret);
	group(s->planning_ms, 3, plan, sizeof plan);
	group(s->execution_ms, 3, exec, sizeof exec);
	snprintf(buf, len, "processed %s rows (%s) to return %s; planning %s ms, execution %s ms", proc,
	         s->processed_node, ret, plan, exec);
}

int explain_load(const char *path, struct explain_summary *out, char *err, size_t err_len)
{
	size_t len;
	int why;
	char *json = input_slurp(path, EXPLAIN_MAX, &len, &why, err, err_len);
	if (!json)
		return -1;
	int rc = explain_parse(json, out, err, err_len);
	free(json);
	return rc;
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0777) == 0 || errno == EEXIST)
		return 0;
	log_error("could not create directory \"%s\": %s", path, strerror(errno));
	return -1;
}

int explain_write(const char *results_dir, const char *label, long offset, const char *json, char *path,
                  size_t path_len)
{
	char dir[4096], file[4160];
	snprintf(dir, sizeof dir, "%s/explain", results_dir);
	snprintf(file, sizeof file, "%s/%soffset-%ld.json", dir, label ? label : "", offset);
	if (make_dir(dir) < 0)
		return -1;
	FILE *f = fopen(file, "w");
	int ok = f != NULL;
	if (f) {
		ok = fputs(json, f) >= 0 && fputc('\n', f) != EOF;
		ok = (fclose(f) == 0) && ok;
	}
	if (!ok)
		log_error("could not write \"%s\": %s", file, strerror(errno));
	else if (path)
		snprintf(path, path_len, "%s", file);
	return ok ? 0 : -1;
}

int explain_name_parse(const char *name, char *variant, size_t variant_len, long *offset)
{
	size_t len = strlen(name);
	if (len < 12 || strcmp(name + len - 5, ".json") != 0)
		return 0;
	const char *o = strncmp(name, "offset-", 7) == 0 ? name : NULL;
	for (const char *q = strstr(name, "-offset-"); q; q = strstr(q + 1, "-offset-"))
		o = q + 1;
	if (!o)
		return 0;
	char *end;
	long n = strtol(o + 7, &end, 10);
	if (end == o + 7 || strcmp(end, ".json") != 0 || n < 0)
		return 0;
	size_t vlen = o > name ? (size_t)(o - name - 1) : 0;
	snprintf(variant, variant_len, "%.*s", (int)(vlen < variant_len ? vlen : variant_len - 1), name);
	*offset = n;
	return 1;
}
