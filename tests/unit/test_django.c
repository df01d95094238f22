/*
 * test_django.c: the Django paginator variant (schema/query_django.sql: the count, the page with its
 * author, the tag prefetch) against the seed query on a real PostgreSQL that this test starts
 * (`pgpagebench server`) and fills with `pgpagebench datagen --scale 1`. At offsets 0, 1,000 and 10,000 the
 * three statements, run with libpq as the script engine runs them (the page's ids passed to the prefetch
 * as one array parameter), must return the seed's records in the seed's order, their authors, their tags
 * and the seed's total count.
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

#include "common/sqlfiles.h"

extern char **environ;

#define NSTMT 3 /* count, page, prefetch */
#define PAGE 10

struct fixture {
	pid_t server;
	FILE *server_out;
	PGconn *conn;
	char *stmt[NSTMT]; /* the script's statements, :offset and :page_id as $1 */
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

static int datagen(void)
{
	char *argv[] = { (char *)pgpb_bin(), "datagen", "--scale", "1", "--quiet", NULL };
	pid_t pid;
	if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
		return -1;
	int st;
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

/* Replaces every occurrence of from in *s by to (a new string; the old one freed). */
static void replace(char **s, const char *from, const char *to)
{
	size_t n = 0, fl = strlen(from), tl = strlen(to);
	for (const char *p = *s; (p = strstr(p, from)); p += fl)
		n++;
	char *out = malloc(strlen(*s) + n * (tl > fl ? tl - fl : 0) + 1), *o = out;
	const char *p = *s, *q;
	while ((q = strstr(p, from))) {
		memcpy(o, p, (size_t)(q - p));
		o += q - p;
		memcpy(o, to, tl);
		o += tl;
		p = q + fl;
	}
	strcpy(o, p);
	free(*s);
	*s = out;
}

/* The script's statements as the script engine sends them under the extended protocol: comment lines and
 * the meta-command line left out, each statement up to its semicolon, :offset and :page_id as $1. */
static int split_script(struct fixture *f)
{
	const char *text = sql_get("schema/query_django");
	if (!text)
		return -1;
	char *sql = calloc(1, strlen(text) + 1);
	size_t o = 0;
	for (const char *p = text; *p;) {
		size_t n = strcspn(p, "\n");
		const char *l = p;
		while (l < p + n && (*l == ' ' || *l == '\t'))
			l++;
		if (!(l[0] == '-' && l[1] == '-') && l[0] != '\\') {
			memcpy(sql + o, p, n);
			o += n;
			sql[o++] = '\n';
		}
		p += n + (p[n] == '\n');
	}
	int k = 0;
	for (char *s = sql, *semi; (semi = strchr(s, ';')); s = semi + 1) {
		if (k == NSTMT)
			return -1;
		*semi = '\0';
		f->stmt[k] = strdup(s);
		replace(&f->stmt[k], ":offset", "$1");
		replace(&f->stmt[k], ":page_id", "$1");
		k++;
	}
	free(sql);
	return k == NSTMT ? 0 : -1;
}

static int setup(void **state)
{
	static struct fixture f;
	memset(&f, 0, sizeof f);
	if (split_script(&f) < 0) {
		fprintf(stderr, "schema/query_django does not hold three statements\n");
		return -1;
	}
	if (server_start(&f) < 0) {
		fprintf(stderr, "could not start \"%s server\"\n", pgpb_bin());
		return -1;
	}
	if (datagen() < 0) {
		fprintf(stderr, "datagen --scale 1 failed\n");
		server_stop(&f);
		return -1;
	}
	f.conn = PQconnectdb("");
	if (PQstatus(f.conn) != CONNECTION_OK) {
		fprintf(stderr, "could not connect: %s", PQerrorMessage(f.conn));
		server_stop(&f);
		return -1;
	}
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	PQfinish(f->conn);
	server_stop(f);
	for (int k = 0; k < NSTMT; k++)
		free(f->stmt[k]);
	return 0;
}

/* One record of a page, as the comparison reads it. */
struct rec {
	char id[16], author_id[16], username[160], updated[64], label[300], tags[4096];
	unsigned long content_hash;
	int ntags;
};

static unsigned long hash(const char *s)
{
	unsigned long h = 5381;
	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

static PGresult *exec1(PGconn *conn, const char *sql, const char *param)
{
	const char *vals[1] = { param };
	PGresult *res = PQexecParams(conn, sql, param ? 1 : 0, NULL, vals, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s\n%s", PQresultErrorMessage(res), sql);
	return res;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The seed's page at offset: its records (tags sorted, "|"-joined, the {NULL} of a record without tags
 * as none) and its cnt. */
static int seed_page(PGconn *conn, long offset, struct rec *out, long long *cnt)
{
	char sql[8192], num[24];
	snprintf(sql, sizeof sql,
	         "SELECT s.id, s.auth_user_id, s.username, s.updated, s.label, s.content, s.cnt, "
	         "(SELECT string_agg(x, '|' ORDER BY x) FROM unnest(s.tag) x), "
	         "(SELECT count(x) FROM unnest(s.tag) x) FROM (%s) s ORDER BY s.updated DESC",
	         sql_get("schema/query"));
	snprintf(num, sizeof num, "%ld", offset);
	PGresult *res = exec1(conn, sql, num);
	int n = PQntuples(res);
	*cnt = n ? atoll(PQgetvalue(res, 0, 6)) : -1;
	for (int i = 0; i < n && i < PAGE; i++) {
		struct rec *r = &out[i];
		memset(r, 0, sizeof *r);
		snprintf(r->id, sizeof r->id, "%s", PQgetvalue(res, i, 0));
		snprintf(r->author_id, sizeof r->author_id, "%s", PQgetvalue(res, i, 1));
		snprintf(r->username, sizeof r->username, "%s", PQgetvalue(res, i, 2));
		snprintf(r->updated, sizeof r->updated, "%s", PQgetvalue(res, i, 3));
		snprintf(r->label, sizeof r->label, "%s", PQgetvalue(res, i, 4));
		r->content_hash = hash(PQgetvalue(res, i, 5));
		snprintf(r->tags, sizeof r->tags, "%s", PQgetvalue(res, i, 7));
		r->ntags = atoi(PQgetvalue(res, i, 8));
		assert_string_equal(PQgetvalue(res, i, 6), PQgetvalue(res, 0, 6)); /* cnt on every row */
	}
	PQclear(res);
	return n;
}

/* The three statements of the script at offset, as one request of the script engine. */
static int django_page(const struct fixture *f, long offset, struct rec *out, long long *count)
{
	PGresult *res = exec1(f->conn, f->stmt[0], NULL);
	assert_int_equal(PQntuples(res), 1);
	assert_string_equal(PQfname(res, 0), "__count");
	*count = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);

	char num[24];
	snprintf(num, sizeof num, "%ld", offset);
	res = exec1(f->conn, f->stmt[1], num);
	int n = PQntuples(res);
	int c_id = PQfnumber(res, "id"), c_author = PQfnumber(res, "auth_user_id"), c_uid = PQfnumber(res, "auth_user_id_"),
	    c_user = PQfnumber(res, "username"), c_upd = PQfnumber(res, "updated"), c_label = PQfnumber(res, "label"),
	    c_content = PQfnumber(res, "content");
	assert_true(c_id == 0 && c_author >= 0 && c_uid >= 0 && c_user >= 0 && c_upd >= 0 && c_label >= 0 && c_content >= 0);
	/* \glist page_: page_id is the array literal of the page's ids */
	char ids[PAGE * 16 + 4] = "{";
	for (int i = 0; i < n && i < PAGE; i++) {
		struct rec *r = &out[i];
		memset(r, 0, sizeof *r);
		snprintf(r->id, sizeof r->id, "%s", PQgetvalue(res, i, c_id));
		snprintf(r->author_id, sizeof r->author_id, "%s", PQgetvalue(res, i, c_author));
		assert_string_equal(PQgetvalue(res, i, c_uid), r->author_id); /* the joined author is the record's */
		snprintf(r->username, sizeof r->username, "%s", PQgetvalue(res, i, c_user));
		snprintf(r->updated, sizeof r->updated, "%s", PQgetvalue(res, i, c_upd));
		snprintf(r->label, sizeof r->label, "%s", PQgetvalue(res, i, c_label));
		r->content_hash = hash(PQgetvalue(res, i, c_content));
		snprintf(ids + strlen(ids), sizeof ids - strlen(ids), "%s%s", i ? "," : "", r->id);
	}
	strcat(ids, "}");
	PQclear(res);

	res = exec1(f->conn, f->stmt[2], ids);
	int nt = PQntuples(res), c_kind_id = PQfnumber(res, "kind_id"), c_tag = PQfnumber(res, "tag");
	assert_true(c_kind_id >= 0 && c_tag >= 0);
	for (int i = 0; i < n && i < PAGE; i++) { /* each record's tags, sorted as the seed's are */
		struct rec *r = &out[i];
		char **t = calloc((size_t)nt + 1, sizeof *t);
		int k = 0;
		for (int j = 0; j < nt; j++)
			if (strcmp(PQgetvalue(res, j, c_kind_id), r->id) == 0)
				t[k++] = PQgetvalue(res, j, c_tag);
		qsort(t, (size_t)k, sizeof *t, cmp_str);
		for (int j = 0; j < k; j++)
			snprintf(r->tags + strlen(r->tags), sizeof r->tags - strlen(r->tags), "%s%s", j ? "|" : "", t[j]);
		r->ntags = k;
		free(t);
	}
	PQclear(res);
	return n;
}

static void same_as_seed(void **state)
{
	struct fixture *f = *state;
	static const long offsets[] = { 0, 1000, 10000 };
	for (size_t k = 0; k < sizeof offsets / sizeof offsets[0]; k++) {
		struct rec seed[PAGE], dj[PAGE];
		long long cnt, count;
		int ns = seed_page(f->conn, offsets[k], seed, &cnt);
		int nd = django_page(f, offsets[k], dj, &count);
		assert_int_equal(ns, PAGE); /* scale 1 has tens of thousands of qualifying records */
		assert_int_equal(nd, ns);
		assert_int_equal(count, cnt);
		int tags = 0;
		for (int i = 0; i < ns; i++) {
			assert_string_equal(dj[i].id, seed[i].id);
			assert_string_equal(dj[i].author_id, seed[i].author_id);
			assert_string_equal(dj[i].username, seed[i].username);
			assert_string_equal(dj[i].updated, seed[i].updated);
			assert_string_equal(dj[i].label, seed[i].label);
			assert_true(dj[i].content_hash == seed[i].content_hash);
			assert_string_equal(dj[i].tags, seed[i].tags);
			assert_int_equal(dj[i].ntags, seed[i].ntags);
			tags += dj[i].ntags;
		}
		printf("offset %ld: the django statements return the seed's %d records (ids %s..%s), their authors, "
		       "their %d tags and the count %lld\n",
		       offsets[k], ns, seed[0].id, seed[ns - 1].id, tags, count);
	}
}

/* Past the last page both return nothing; the count stays the seed's total. */
static void past_the_end(void **state)
{
	struct fixture *f = *state;
	struct rec seed[PAGE], dj[PAGE];
	long long cnt, count;
	assert_int_equal(seed_page(f->conn, 10000000, seed, &cnt), 0);
	assert_int_equal(django_page(f, 10000000, dj, &count), 0);
	long long dummy;
	seed_page(f->conn, 0, seed, &dummy);
	assert_int_equal(count, dummy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_as_seed),
		cmocka_unit_test(past_the_end),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
