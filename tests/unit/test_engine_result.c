/*
 * test_engine_result.c: how an engine thread takes a query's results (bench/engine_thread.h,
 * engine_result), against a real PostgreSQL that this test starts (`pgpagebench server`, as tests/lib.sh
 * does). A COPY ends the query as an error at its first result instead of returning forever; an error
 * raised at commit after the statement's own result makes the query an error; an empty statement gets a
 * message and a SQLSTATE; the driver's prepared statement missing on the server is counted; the run's
 * first failure is kept, once.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/engine_thread.h"

extern char **environ;

struct fixture {
	pid_t server;
	FILE *server_out;
};

static const char *pgpb_bin(void)
{
	const char *b = getenv("PGPB_BIN");
	return b && *b ? b : "build/pgpagebench";
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

static int setup(void **state)
{
	static struct fixture f;
	memset(&f, 0, sizeof f);
	if (server_start(&f) < 0) {
		fprintf(stderr, "could not start \"%s server\"\n", pgpb_bin());
		return -1;
	}
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	if (f->server > 0) {
		kill(f->server, SIGTERM);
		waitpid(f->server, NULL, 0);
	}
	if (f->server_out)
		fclose(f->server_out);
	return 0;
}

/* One engine thread's view of one connection: the step's environment, the run's fault record. */
struct probe {
	struct conn_params cp;
	struct engine_env env;
	struct engine_fault fault;
	struct bconn c;
};

static void probe_open(struct probe *p, enum run_protocol protocol)
{
	memset(p, 0, sizeof *p);
	p->cp.protocol = protocol;
	p->cp.stmt_name = "pgpagebench";
	p->env.cp = &p->cp;
	p->env.step_id = "test";
	p->env.fault = &p->fault;
	p->c.pg = PQconnectdb("");
	assert_int_equal(PQstatus(p->c.pg), CONNECTION_OK);
	p->c.outcome = QUERY_PENDING;
}

static void exec_ok(PGconn *conn, const char *sql)
{
	PGresult *r = PQexec(conn, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fprintf(stderr, "%s: %s", sql, PQresultErrorMessage(r));
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
}

/* Reads the query's results as the engines do, at most `bound` of them (a COPY would return its result
 * forever): the number read; *last = engine_result's last answer. */
static int take_results(struct probe *p, int bound, int *last)
{
	int n = 0;
	*last = 0;
	PGresult *r;
	while (n < bound && (r = PQgetResult(p->c.pg))) {
		n++;
		*last = engine_result(&p->env, &p->c, r);
		PQclear(r);
		if (*last < 0)
			break;
	}
	return n;
}

static void copy_out_ends_the_query(void **state)
{
	(void)state;
	struct probe p;
	probe_open(&p, RUN_PROTO_SIMPLE);
	assert_true(PQsendQuery(p.c.pg, "COPY (SELECT g FROM generate_series(1, 3) g) TO STDOUT"));
	int last, n = take_results(&p, 100, &last);
	assert_int_equal(n, 1); /* the first result ends it */
	assert_int_equal(last, -1);
	assert_int_equal(p.c.outcome, QUERY_ERROR);
	assert_string_equal(p.c.sqlstate, SQLSTATE_PROTOCOL_VIOLATION);
	assert_true(p.c.unusable);
	assert_non_null(strstr(p.fault.first_message, "COPY"));
	PQfinish(p.c.pg);
}

static void copy_in_ends_the_query(void **state)
{
	(void)state;
	struct probe p;
	probe_open(&p, RUN_PROTO_EXTENDED);
	exec_ok(p.c.pg, "CREATE TEMP TABLE copied (x int)");
	assert_true(PQsendQueryParams(p.c.pg, "COPY copied FROM STDIN", 0, NULL, NULL, NULL, NULL, 0));
	int last, n = take_results(&p, 100, &last);
	assert_int_equal(n, 1);
	assert_int_equal(last, -1);
	assert_int_equal(p.c.outcome, QUERY_ERROR);
	assert_string_equal(p.c.sqlstate, SQLSTATE_PROTOCOL_VIOLATION);
	PQfinish(p.c.pg);
}

/* A deferred foreign key fails at commit: under the extended protocol the INSERT's own result (ok) comes
 * first, the commit's error after it. */
static void error_at_commit(void **state)
{
	(void)state;
	for (int proto = RUN_PROTO_SIMPLE; proto <= RUN_PROTO_PREPARED; proto++) {
		struct probe p;
		probe_open(&p, (enum run_protocol)proto);
		exec_ok(p.c.pg, "CREATE TEMP TABLE parent (id int PRIMARY KEY)");
		exec_ok(p.c.pg, "CREATE TEMP TABLE child (parent_id int REFERENCES parent DEFERRABLE INITIALLY DEFERRED)");
		const char *sql = "INSERT INTO child VALUES ($1::int)";
		const char *vals[1] = { "7" };
		if (proto == RUN_PROTO_SIMPLE) {
			assert_true(PQsendQuery(p.c.pg, "INSERT INTO child VALUES (7)"));
		} else if (proto == RUN_PROTO_EXTENDED) {
			assert_true(PQsendQueryParams(p.c.pg, sql, 1, NULL, vals, NULL, NULL, 0));
		} else {
			PGresult *r = PQprepare(p.c.pg, "pgpagebench", sql, 1, NULL);
			assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
			PQclear(r);
			assert_true(PQsendQueryPrepared(p.c.pg, "pgpagebench", 1, vals, NULL, NULL, 0));
		}
		int last;
		take_results(&p, 100, &last);
		assert_int_equal(last, 0);
		assert_int_equal(p.c.outcome, QUERY_ERROR);
		assert_string_equal(p.c.sqlstate, "23503");
		assert_string_equal(p.fault.first_sqlstate, "23503");
		assert_false(p.c.unusable);
		PQfinish(p.c.pg);
	}
}

static void empty_statement(void **state)
{
	(void)state;
	struct probe p;
	probe_open(&p, RUN_PROTO_SIMPLE);
	assert_true(PQsendQuery(p.c.pg, "-- nothing but a comment"));
	int last;
	take_results(&p, 100, &last);
	assert_int_equal(p.c.outcome, QUERY_ERROR);
	assert_string_equal(p.c.sqlstate, SQLSTATE_PROTOCOL_VIOLATION);
	assert_string_equal(p.fault.first_message, "query error: the statement is empty");
	PQfinish(p.c.pg);
}

/* The driver's statement missing on the server (a transaction pooler sent the query to another server
 * connection) is counted apart; the first failure stays the first. */
static void missing_statement(void **state)
{
	(void)state;
	struct probe p;
	probe_open(&p, RUN_PROTO_PREPARED);
	for (int i = 0; i < 2; i++) {
		p.c.outcome = QUERY_PENDING;
		assert_true(PQsendQueryPrepared(p.c.pg, "pgpagebench", 0, NULL, NULL, NULL, 0));
		int last;
		take_results(&p, 100, &last);
		assert_int_equal(p.c.outcome, QUERY_ERROR);
		assert_string_equal(p.c.sqlstate, SQLSTATE_NO_STATEMENT);
	}
	assert_int_equal(atomic_load(&p.fault.missing_statement), 2);
	p.c.outcome = QUERY_PENDING;
	assert_true(PQsendQuery(p.c.pg, "SELECT 1 / 0"));
	int last;
	take_results(&p, 100, &last);
	assert_string_equal(p.c.sqlstate, "22012");
	assert_string_equal(p.fault.first_sqlstate, SQLSTATE_NO_STATEMENT);
	assert_non_null(strstr(p.fault.first_message, "pgpagebench"));
	PQfinish(p.c.pg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(copy_out_ends_the_query),
		cmocka_unit_test(copy_in_ends_the_query),
		cmocka_unit_test(error_at_commit),
		cmocka_unit_test(empty_statement),
		cmocka_unit_test(missing_statement),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
