/*
 * test_dbcost.c: the query variants and EXPLAIN against a real PostgreSQL that this test starts
 * (`pgpagebench server`, as tests/lib.sh does) and fills with a small dataset. Every variant must return
 * the seed's record ids in the seed's order at offsets 0, 10 and 1,000, with only its documented
 * differences; EXPLAIN files must exist and parse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <libpq-fe.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/explain.h"
#include "resdir/explain.h"
#include "bench/variants.h"
#include "common/sqlfiles.h"

extern char **environ;

struct fixture {
	pid_t server;
	FILE *server_out;
	PGconn *conn;
	long total; /* qualifying records: top-level, status 'new' */
	char dir[256]; /* a results directory for explain files */
};

static const char *pgpb_bin(void)
{
	const char *b = getenv("PGPB_BIN");
	return b && *b ? b : "build/pgpagebench";
}

/* Runs `pgpagebench ARGS...` and waits; returns its exit status (-1 if it could not run). */
static int run_pgpb(const char *a1, const char *a2, const char *a3, const char *a4)
{
	char *argv[] = { (char *)pgpb_bin(), (char *)a1, (char *)a2, (char *)a3, (char *)a4, NULL };
	pid_t pid;
	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
		return -1;
	int st;
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The server prints "conninfo: host=... port=..." once it accepts connections: its output, not a clock,
 * tells when to go on. */
static int server_start(struct fixture *f)
{
	int fd[2];
	if (pipe(fd) < 0)
		return -1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
	posix_spawn_file_actions_addclose(&fa, fd[0]);
	char *argv[] = { (char *)pgpb_bin(), "server", NULL };
	int rc = posix_spawn(&f->server, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	if (rc != 0) {
		close(fd[0]);
		return -1;
	}
	f->server_out = fdopen(fd[0], "r");
	char line[1024];
	while (f->server_out && fgets(line, sizeof line, f->server_out)) {
		if (strncmp(line, "conninfo: ", 10) != 0)
			continue;
		char host[512] = "", port[32] = "";
		const char *h = strstr(line, "host="), *p = strstr(line, "port=");
		if (h)
			sscanf(h + 5, "%511s", host);
		if (p)
			sscanf(p + 5, "%31s", port);
		setenv("PGHOST", host, 1);
		setenv("PGPORT", port, 1);
		setenv("PGUSER", "postgres", 1);
		setenv("PGDATABASE", "postgres", 1);
		return 0;
	}
	return -1;
}

static void server_stop(struct fixture *f)
{
	if (f->server > 0) {
		kill(f->server, SIGTERM);
		waitpid(f->server, NULL, 0);
		f->server = 0;
	}
	if (f->server_out)
		fclose(f->server_out);
	f->server_out = NULL;
}

/* The data step, in one place: tables from `pgpagebench schema create`, rows from
 * tests/fixtures/dbcost/fill.sql. Switch to `pgpagebench datagen --scale 0.02` once datagen lands. */
static int fill_dataset(PGconn *conn)
{
	if (run_pgpb("schema", "create", "--quiet", NULL) != 0)
		return -1;
	FILE *in = fopen("tests/fixtures/dbcost/fill.sql", "r");
	if (!in)
		return -1;
	static char sql[65536];
	size_t n = fread(sql, 1, sizeof sql - 1, in);
	fclose(in);
	if (n == 0 || n == sizeof sql - 1)
		return -1; /* unreadable, or larger than this buffer */
	sql[n] = '\0';
	PGresult *res = PQexec(conn, sql);
	int ok = PQresultStatus(res) == PGRES_TUPLES_OK || PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "fill: %s", PQresultErrorMessage(res));
	PQclear(res);
	return ok ? 0 : -1;
}

static int setup(void **state)
{
	static struct fixture f;
	memset(&f, 0, sizeof f);
	if (server_start(&f) < 0) {
		fprintf(stderr, "could not start \"%s server\"\n", pgpb_bin());
		return -1;
	}
	f.conn = PQconnectdb("");
	if (PQstatus(f.conn) != CONNECTION_OK || fill_dataset(f.conn) < 0) {
		fprintf(stderr, "could not set up the dataset: %s", PQerrorMessage(f.conn));
		PQfinish(f.conn);
		server_stop(&f);
		return -1;
	}
	PGresult *res = PQexec(f.conn, "SELECT count(*) FROM record WHERE parent_id IS NULL AND status = 'new'");
	f.total = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	snprintf(f.dir, sizeof f.dir, "%s/pgpb-dbcost-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(f.dir))
		return -1;
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	PQfinish(f->conn);
	server_stop(f);
	char path[512];
	static const long written[] = { 0, 1000 }; /* the offsets explain_files wrote */
	for (size_t k = 0; k < sizeof written / sizeof written[0]; k++) {
		for (size_t i = 0; i < variant_count(); i++) {
			snprintf(path, sizeof path, "%s/explain/%s-offset-%ld.json", f->dir, variant_at(i)->name, written[k]);
			unlink(path);
		}
		snprintf(path, sizeof path, "%s/explain/offset-%ld.json", f->dir, written[k]);
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/explain", f->dir);
	rmdir(path);
	rmdir(f->dir);
	return 0;
}

/* ---- the variant table ------------------------------------------------------------------------ */

static void variant_table(void **state)
{
	(void)state;
	size_t n = 0;
	for (const char *const *name = variant_names; *name; name++, n++) {
		const struct variant *v = variant_find(*name);
		assert_non_null(v);
		assert_string_equal(v->name, *name);
		assert_ptr_equal(variant_at(n), v);
		assert_non_null(variant_sql(v));
		assert_int_equal(v->nparams, v->script ? 0 : v->keyset ? 2 : 1); /* a script names :offset itself */
	}
	assert_int_equal(n, variant_count());
	assert_null(variant_find("nosuch"));
	assert_null(variant_find(NULL));
	assert_null(variant_at(n));
	/* seed is the seed query, verbatim */
	assert_string_equal(variant_sql(variant_find("seed")), sql_get("schema/query"));
	assert_non_null(variant_keyset_key_sql());
	struct variant_params p;
	assert_int_equal(variant_params(variant_find("pagefirst"), NULL, 1000, &p), 0);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.values[0], "1000");
}

/* ---- equivalence ------------------------------------------------------------------------------ */

static PGresult *page(PGconn *conn, const struct variant *v, long offset)
{
	struct variant_params p;
	if (variant_params(v, conn, offset, &p) < 0)
		return NULL;
	PGresult *res = PQexecParams(conn, variant_sql(v), p.n, NULL, p.values, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "%s at %ld: %s", v->name, offset, PQresultErrorMessage(res));
		PQclear(res);
		return NULL;
	}
	return res;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "{b,a}" -> "a,b" (elements sorted: the order inside ARRAY_AGG is unspecified). */
static void sorted_array(const char *text, char *out, size_t len)
{
	char buf[1024], *elems[64];
	size_t n = 0;
	snprintf(buf, sizeof buf, "%s", text);
	size_t l = strlen(buf);
	assert_true(l >= 2 && buf[0] == '{' && buf[l - 1] == '}');
	buf[l - 1] = '\0';
	for (char *save = NULL, *t = strtok_r(buf + 1, ",", &save); t && n < 64; t = strtok_r(NULL, ",", &save))
		elems[n++] = t;
	qsort(elems, n, sizeof elems[0], cmp_str);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		strncat(out, elems[i], len - strlen(out) - 1);
		if (i + 1 < n)
			strncat(out, ",", len - strlen(out) - 1);
	}
}

static void variants_match_seed(void **state)
{
	struct fixture *f = *state;
	const struct variant *seed = variant_find("seed");
	const long offsets[] = { 0, 10, 1000 };
	int untagged_seen = 0;
	assert_true(f->total > 1010);
	for (size_t oi = 0; oi < sizeof offsets / sizeof offsets[0]; oi++) {
		long off = offsets[oi];
		PGresult *want = page(f->conn, seed, off);
		assert_non_null(want);
		assert_int_equal(PQntuples(want), 10);
		assert_int_equal(PQnfields(want), 10);
		for (size_t vi = 0; vi < variant_count(); vi++) {
			const struct variant *v = variant_at(vi);
			if (v->script)
				continue; /* several statements a request: test_django.c checks its pages */
			PGresult *got = page(f->conn, v, off);
			assert_non_null(got);
			assert_int_equal(PQntuples(got), PQntuples(want));
			assert_int_equal(PQnfields(got), PQnfields(want));
			for (int c = 0; c < PQnfields(want); c++) {
				assert_string_equal(PQfname(got, c), PQfname(want, c));
				assert_int_equal(PQftype(got, c), PQftype(want, c));
			}
			for (int r = 0; r < PQntuples(want); r++) {
				/* id, auth_user_id, status, updated, label, content, username: identical */
				for (int c = 0; c <= 6; c++)
					assert_string_equal(PQgetvalue(got, r, c), PQgetvalue(want, r, c));
				/* tag: same elements; a record without tags is {NULL} in the seed, {} in the rewrites
				 * that build the array from a subquery */
				const char *wt = PQgetvalue(want, r, 7), *gt = PQgetvalue(got, r, 7);
				if (strcmp(wt, "{NULL}") == 0) {
					untagged_seen++;
					const char *expect = (strcmp(v->name, "seed") == 0 || strcmp(v->name, "nocount") == 0) ? "{NULL}" : "{}";
					assert_string_equal(gt, expect);
				} else {
					char a[1024], b[1024];
					sorted_array(wt, a, sizeof a);
					sorted_array(gt, b, sizeof b);
					assert_string_equal(b, a);
				}
				/* cnt: exact total, NULL or capped, as documented */
				long total = atol(PQgetvalue(want, r, 8));
				assert_int_equal(total, f->total);
				if (v->has_count == 0)
					assert_true(PQgetisnull(got, r, 8));
				else if (v->has_count == 1)
					assert_int_equal(atol(PQgetvalue(got, r, 8)), total);
				else
					assert_int_equal(atol(PQgetvalue(got, r, 8)), total < 1001 ? total : 1001);
				/* parts: identical */
				assert_string_equal(PQgetvalue(got, r, 9), PQgetvalue(want, r, 9));
			}
			PQclear(got);
		}
		PQclear(want);
	}
	/* the {NULL} vs {} difference was really exercised */
	assert_true(untagged_seen > 0);
}

static void variants_past_the_end(void **state)
{
	struct fixture *f = *state;
	for (size_t vi = 0; vi < variant_count(); vi++) {
		if (variant_at(vi)->script)
			continue;
		PGresult *got = page(f->conn, variant_at(vi), f->total + 5);
		assert_non_null(got);
		assert_int_equal(PQntuples(got), 0);
		PQclear(got);
	}
	/* the last partial page: the same ids everywhere */
	PGresult *want = page(f->conn, variant_find("seed"), f->total - 3);
	assert_int_equal(PQntuples(want), 3);
	for (size_t vi = 0; vi < variant_count(); vi++) {
		if (variant_at(vi)->script)
			continue;
		PGresult *got = page(f->conn, variant_at(vi), f->total - 3);
		assert_int_equal(PQntuples(got), 3);
		for (int r = 0; r < 3; r++)
			assert_string_equal(PQgetvalue(got, r, 0), PQgetvalue(want, r, 0));
		PQclear(got);
	}
	PQclear(want);
}

static void keyset_key(void **state)
{
	struct fixture *f = *state;
	char upd[VARIANT_PARAM_LEN], id[VARIANT_PARAM_LEN];
	assert_int_equal(variant_keyset_params(f->conn, 0, upd, id), 0);
	assert_string_equal(upd, "infinity");
	assert_string_equal(id, "2147483647");
	assert_int_equal(variant_keyset_params(f->conn, f->total + 1, upd, id), 0);
	assert_string_equal(upd, "-infinity");
	assert_int_equal(variant_keyset_params(f->conn, -1, upd, id), -1);
	/* the key at offset 10 is the last row of the first page */
	PGresult *first = page(f->conn, variant_find("seed"), 0);
	assert_int_equal(variant_keyset_params(f->conn, 10, upd, id), 0);
	assert_string_equal(id, PQgetvalue(first, 9, 0));
	PQclear(first);
	/* the key reads back the same under another DateStyle and TimeZone */
	PGresult *res = PQexec(f->conn, "SET DateStyle = 'SQL, DMY'; SET TimeZone = 'America/New_York'");
	PQclear(res);
	PGresult *a = page(f->conn, variant_find("keyset"), 1000);
	PQclear(PQexec(f->conn, "RESET DateStyle; RESET TimeZone"));
	PGresult *b = page(f->conn, variant_find("seed"), 1000);
	assert_non_null(a);
	assert_int_equal(PQntuples(a), 10);
	for (int r = 0; r < 10; r++)
		assert_string_equal(PQgetvalue(a, r, 0), PQgetvalue(b, r, 0));
	PQclear(a);
	PQclear(b);
}

/* ---- EXPLAIN ---------------------------------------------------------------------------------- */

static void explain_files(void **state)
{
	struct fixture *f = *state;
	const long offsets[] = { 0, 1000 };
	double seed_processed = 0, keyset_processed = 0;
	for (size_t oi = 0; oi < 2; oi++)
		for (size_t vi = 0; vi < variant_count(); vi++) {
			const struct variant *v = variant_at(vi);
			if (v->script)
				continue; /* no one plan: run --explain skips it too */
			struct variant_params p;
			assert_int_equal(variant_params(v, f->conn, offsets[oi], &p), 0);
			char label[64], path[512];
			int single = strcmp(v->name, "seed") == 0;
			snprintf(label, sizeof label, "%s-", v->name);
			struct explain_summary s;
			assert_int_equal(explain_run(f->conn, variant_sql(v), p.n, p.values, f->dir, single ? NULL : label,
			                             offsets[oi], &s, path, sizeof path), 0);
			char want[512];
			snprintf(want, sizeof want, "%s/explain/%soffset-%ld.json", f->dir, single ? "" : label, offsets[oi]);
			assert_string_equal(path, want);
			/* the file exists and is the plan as JSON */
			json_error_t jerr;
			json_t *j = json_load_file(path, 0, &jerr);
			assert_non_null(j);
			assert_true(json_is_array(j));
			assert_non_null(json_object_get(json_array_get(j, 0), "Plan"));
			json_decref(j);
			assert_true(s.planning_ms > 0);
			assert_true(s.execution_ms > 0);
			assert_true(s.rows_returned == 10);
			assert_true(s.rows_processed >= s.rows_returned);
			assert_true(s.nodes > 1);
			assert_true(s.processed_node[0] != '\0');
			if (single && offsets[oi] == 1000)
				seed_processed = s.rows_processed;
			if (strcmp(v->name, "keyset") == 0 && offsets[oi] == 1000)
				keyset_processed = s.rows_processed;
			/* seed, nocount, pagefirst: something in the plan went through every qualifying record */
			if (single || strcmp(v->name, "nocount") == 0 || strcmp(v->name, "pagefirst") == 0)
				assert_true(s.rows_processed >= f->total);
			char line[256];
			explain_describe(&s, line, sizeof line);
			assert_non_null(strstr(line, "to return 10"));
		}
	/* the point of the variants, in rows rather than time: keyset touches a few rows, the seed all */
	assert_true(keyset_processed > 0 && keyset_processed * 10 < seed_processed);
}

static void explain_bad_input(void **state)
{
	(void)state;
	struct explain_summary s;
	char err[256];
	assert_int_equal(explain_parse("not json", &s, err, sizeof err), -1);
	assert_non_null(strstr(err, "invalid JSON"));
	assert_int_equal(explain_parse("[{\"Plan\": {\"Node Type\": \"Limit\"}}]", &s, err, sizeof err), -1);
	assert_int_equal(explain_parse("[]", &s, err, sizeof err), -1);
	assert_int_equal(explain_parse("{\"Plan\": {\"Node Type\": \"Limit\", \"Actual Rows\": 10, \"Actual Loops\": 1,"
	                               " \"Plans\": [{\"Node Type\": \"Seq Scan\", \"Relation Name\": \"tag\","
	                               " \"Actual Rows\": 300, \"Actual Loops\": 2}]}, \"Planning Time\": 0.5,"
	                               " \"Execution Time\": 12.25}",
	                               &s, err, sizeof err),
	                 0);
	assert_true(s.rows_processed == 600);
	assert_string_equal(s.processed_node, "Seq Scan on tag");
	assert_true(s.execution_ms == 12.25);
	char line[256];
	explain_describe(&s, line, sizeof line);
	assert_string_equal(line, "processed 600 rows (Seq Scan on tag) to return 10; planning 0.500 ms, execution 12.250 ms");
}

/* An EXPLAIN into a directory that cannot be made fails with an error, not a crash. */
static void explain_bad_dir(void **state)
{
	struct fixture *f = *state;
	struct explain_summary s;
	const char *vals[1] = { "0" };
	assert_int_equal(explain_run(f->conn, variant_sql(variant_find("seed")), 1, vals, "/nonexistent/dir", NULL, 0, &s,
	                             NULL, 0),
	                 -1);
	assert_int_equal(explain_run(f->conn, "SELECT nosuchcolumn FROM record", 0, NULL, f->dir, NULL, 0, &s, NULL, 0), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(variant_table),
		cmocka_unit_test(variants_match_seed),
		cmocka_unit_test(variants_past_the_end),
		cmocka_unit_test(keyset_key),
		cmocka_unit_test(explain_files),
		cmocka_unit_test(explain_bad_input),
		cmocka_unit_test(explain_bad_dir),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
