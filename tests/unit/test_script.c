/*
 * test_script.c: the script language of run --script (bench/script.h) against values worked out by hand:
 * how a file splits into commands and parameters, \set's arithmetic and pgbench's coercions, the random
 * functions' ranges and argument checks (pgbench 15's messages), weights, \gset/\glist values, and every
 * load error with its file and line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/script.h"

/* Loads text as one script "t.sql" and finishes the set; returns the load's result, err filled. */
static int load(struct script_set *ss, const char *text, char *err, size_t len)
{
	script_set_init(ss);
	err[0] = '\0';
	if (script_set_add(ss, "t.sql", text, strlen(text), 1, err, len) < 0)
		return -1;
	return script_set_finish(ss, 10, 1, err, len);
}

static void load_fails(const char *text, const char *want)
{
	struct script_set ss;
	char err[512];
	assert_int_equal(load(&ss, text, err, sizeof err), -1);
	assert_string_equal(err, want);
	script_set_free(&ss);
}

/* Evaluates "\set x EXPR" and returns x's text (static buffer), or "ERR: message". */
static const char *eval(const char *expr)
{
	static char out[256];
	char text[512], err[512];
	snprintf(text, sizeof text, "\\set x %s\nSELECT :x;\n", expr);
	struct script_set ss;
	script_set_init(&ss);
	if (script_set_add(&ss, "e.sql", text, strlen(text), 1, err, sizeof err) < 0) {
		snprintf(out, sizeof out, "LOAD: %s", err);
		script_set_free(&ss);
		return out;
	}
	struct script_state st;
	script_state_init(&st, &ss, 0, 10, 1, 42);
	struct script_err e;
	if (script_exec_set(&ss, &st, &ss.s[0]->cmds[0], &e) < 0)
		snprintf(out, sizeof out, "ERR %s: %s", e.sqlstate, e.msg);
	else
		snprintf(out, sizeof out, "%s", st.v[ss.s[0]->cmds[0].var].text);
	script_state_free(&st);
	script_set_free(&ss);
	return out;
}

static void pgbench_select_only(void **state)
{
	(void)state;
	/* pgbench's built-in select-only script, as its documentation prints it */
	const char *text = "\\set aid random(1, 100000 * :scale)\nSELECT abalance FROM pgbench_accounts WHERE aid = :aid;\n";
	struct script_set ss;
	char err[512];
	assert_int_equal(load(&ss, text, err, sizeof err), 0);
	const struct script *s = ss.s[0];
	assert_int_equal(s->ncmds, 2);
	assert_int_equal(s->cmds[0].kind, SC_SET);
	assert_int_equal(s->cmds[1].kind, SC_SQL);
	assert_int_equal(s->cmds[1].line, 2);
	assert_string_equal(s->cmds[1].param_sql, "SELECT abalance FROM pgbench_accounts WHERE aid = $1");
	assert_int_equal(s->cmds[1].nparams, 1);
	assert_int_equal(script_set_uses(&ss, SV_SCALE), 1);
	assert_int_equal(script_set_uses(&ss, SV_OFFSET), 0);
	assert_int_equal(s->writes, 0);
	assert_int_equal(ss.nstmts, 1);
	struct script_state st;
	script_state_init(&st, &ss, 3, 10, 1, 7);
	struct script_err e;
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(script_exec_set(&ss, &st, &s->cmds[0], &e), 0);
		const char *vals[1];
		assert_int_equal(script_params(&ss, &st, &s->cmds[1], vals, &e), 0);
		long long aid = atoll(vals[0]);
		assert_true(aid >= 1 && aid <= 100000);
	}
	script_state_free(&st);
	script_set_free(&ss);
}

static void pgbench_tpcb_like(void **state)
{
	(void)state;
	const char *text = "\\set aid random(1, 100000 * :scale)\n"
	                   "\\set bid random(1, 1 * :scale)\n"
	                   "\\set tid random(1, 10 * :scale)\n"
	                   "\\set delta random(-5000, 5000)\n"
	                   "BEGIN;\n"
	                   "UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;\n"
	                   "SELECT abalance FROM pgbench_accounts WHERE aid = :aid;\n"
	                   "UPDATE pgbench_tellers SET tbalance = tbalance + :delta WHERE tid = :tid;\n"
	                   "UPDATE pgbench_branches SET bbalance = bbalance + :delta WHERE bid = :bid;\n"
	                   "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (:tid, :bid, :aid, :delta, "
	                   "CURRENT_TIMESTAMP);\n"
	                   "END;\n";
	struct script_set ss;
	char err[512];
	assert_int_equal(load(&ss, text, err, sizeof err), 0);
	const struct script *s = ss.s[0];
	assert_int_equal(s->ncmds, 11);
	assert_int_equal(s->nstmts, 7);
	assert_int_equal(s->writes, 1);
	assert_int_equal(s->line_writes, 6);
	assert_string_equal(s->write_keyword, "UPDATE");
	assert_string_equal(s->cmds[9].param_sql,
	                    "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)");
	assert_int_equal(s->cmds[9].stmt, 5);
	assert_string_equal(s->cmds[9].stmt_name, "pgpagebench_s5");
	script_set_free(&ss);
}

static void splitting(void **state)
{
	(void)state;
	/* quotes, casts, comments and dollar quotes do not end a statement or read a variable */
	const char *text = "-- a comment; :not_a_var\n"
	                   "SELECT ':x;', $$ :y; $$, 1::int, \"a;b\" FROM t\n"
	                   "  WHERE id = :id /* :z; */\n"
	                   "  OFFSET :offset;  SELECT :page, :page_size\n";
	struct script_set ss;
	char err[512];
	script_set_init(&ss);
	assert_int_equal(script_set_add(&ss, "t.sql", text, strlen(text), 1, err, sizeof err), 0);
	script_set_define(&ss, "id=5", err, sizeof err);
	assert_int_equal(script_set_finish(&ss, 10, 1, err, sizeof err), 0);
	const struct script *s = ss.s[0];
	assert_int_equal(s->ncmds, 2);
	assert_int_equal(s->cmds[0].line, 2);
	assert_string_equal(s->cmds[0].param_sql,
	                    "SELECT ':x;', $$ :y; $$, 1::int, \"a;b\" FROM t\n  WHERE id = $1 /* :z; */\n  OFFSET $2");
	assert_int_equal(s->cmds[1].line, 4);
	assert_string_equal(s->cmds[1].param_sql, "SELECT $1, $2");
	assert_int_equal(script_set_uses(&ss, SV_OFFSET), 1);
	assert_int_equal(script_set_uses(&ss, SV_PAGE), 1);
	struct script_state st;
	script_state_init(&st, &ss, 0, 10, 1, 1);
	script_begin(&st, 1000, 10);
	struct script_err e;
	assert_string_equal(script_inline(&ss, &st, &s->cmds[1], &e), "SELECT 101, 10");
	const char *vals[2];
	assert_int_equal(script_params(&ss, &st, &s->cmds[0], vals, &e), 0);
	assert_string_equal(vals[0], "5");
	assert_string_equal(vals[1], "1000");
	script_state_free(&st);
	script_set_free(&ss);
}

static void expressions(void **state)
{
	(void)state;
	assert_string_equal(eval("1 + 2 * 3"), "7");
	assert_string_equal(eval("(1 + 2) * 3"), "9");
	assert_string_equal(eval("7 / 2"), "3");
	assert_string_equal(eval("-7 / 2"), "-3");
	assert_string_equal(eval("7 % 3"), "1");
	assert_string_equal(eval("-7 % 3"), "-1");
	assert_string_equal(eval("7.0 / 2"), "3.5");
	assert_string_equal(eval("-(2 + 3)"), "-5");
	assert_string_equal(eval("1 < 2"), "true");
	assert_string_equal(eval("1 = 1.0 AND NOT 2 <> 2"), "true");
	assert_string_equal(eval("1 > 2 OR 3 >= 4"), "false");
	assert_string_equal(eval("abs(-4)"), "4");
	assert_string_equal(eval("least(5, 2, 9)"), "2");
	assert_string_equal(eval("greatest(5, 2.5, 9)"), "9");
	assert_string_equal(eval("int(3.99)"), "3");
	assert_string_equal(eval("double(3)"), "3");
	assert_string_equal(eval("sqrt(16)"), "4");
	assert_string_equal(eval("pi()"), "3.14159265358979");
	assert_string_equal(eval("mod(10, 4)"), "2");
	assert_string_equal(eval("9223372036854775807 + 1"), "ERR 22003: bigint out of range");
	assert_string_equal(eval("int(1e30)"), "ERR 22003: double to int overflow for 1000000000000000019884624838656.000000");
	assert_string_equal(eval("5 / 0"), "ERR 22012: division by zero");
	assert_string_equal(eval("5.0 / 0"), "ERR 22012: division by zero");
	assert_string_equal(eval("5 % 0"), "ERR 22012: division by zero");
	assert_string_equal(eval("random(5, 5)"), "5");
	assert_string_equal(eval("random(6, 5)"), "ERR 22023: empty range given to random");
	assert_string_equal(eval("random(-9223372036854775807 - 1, 9223372036854775807)"),
	                    "ERR 22023: random range is too large");
	assert_string_equal(eval("random_gaussian(1, 10, 1.5)"),
	                    "ERR 22023: gaussian parameter must be at least 2.000000 (not 1.500000)");
	assert_string_equal(eval("random_exponential(1, 10, 0)"),
	                    "ERR 22023: exponential parameter must be greater than zero (not 0.000000)");
	assert_string_equal(eval("random_zipfian(1, 10, 1)"),
	                    "ERR 22023: zipfian parameter must be in range [1.001, 1000] (not 1.000000)");
	assert_string_equal(eval("random_zipfian(1, 10, 1001)"),
	                    "ERR 22023: zipfian parameter must be in range [1.001, 1000] (not 1001.000000)");
	assert_string_equal(eval("1 +"), "LOAD: script e.sql line 1: syntax error in expression: unexpected end of the expression");
	assert_string_equal(eval("nosuch(1)"), "LOAD: script e.sql line 1: unknown function \"nosuch\"");
	assert_string_equal(eval("random(1)"), "LOAD: script e.sql line 1: wrong number of arguments for function \"random\"");
}

/* Every draw of each distribution lies in [lb, ub]; the skewed ones favour their low end. */
static void random_ranges(void **state)
{
	(void)state;
	uint64_t rng = 12345;
	struct script_err e;
	int64_t v;
	int low_zipf = 0, low_exp = 0, mid_gauss = 0, hit_lb = 0, hit_ub = 0;
	for (int i = 0; i < 20000; i++) {
		assert_int_equal(script_random(&rng, -3, 3, &v, &e), 0);
		assert_true(v >= -3 && v <= 3);
		hit_lb |= v == -3;
		hit_ub |= v == 3;
		assert_int_equal(script_random_zipfian(&rng, 1, 1000, 1.5, &v, &e), 0);
		assert_true(v >= 1 && v <= 1000);
		low_zipf += v <= 10;
		assert_int_equal(script_random_exponential(&rng, 1, 1000, 5.0, &v, &e), 0);
		assert_true(v >= 1 && v <= 1000);
		low_exp += v <= 200;
		assert_int_equal(script_random_gaussian(&rng, 1, 1000, 2.5, &v, &e), 0);
		assert_true(v >= 1 && v <= 1000);
		mid_gauss += v > 250 && v <= 750;
	}
	assert_true(hit_lb && hit_ub);
	/* zipf s=1.5 over 1000: P(<= 10) = H(10,1.5)/H(1000,1.5), about 0.79; exponential 5: 1-e^-1 over
	 * 1-e^-5, about 0.64; gaussian 2.5: P(|z| < 1.25)/P(|z| < 2.5), about 0.80 */
	assert_true(low_zipf > 14000 && low_zipf < 17500);
	assert_true(low_exp > 12000 && low_exp < 13500);
	assert_true(mid_gauss > 15000 && mid_gauss < 17000);
}

static void weights(void **state)
{
	(void)state;
	char *path = NULL, err[512];
	int w;
	assert_int_equal(script_parse_spec("a.sql@30", &path, &w, err, sizeof err), 0);
	assert_string_equal(path, "a.sql");
	assert_int_equal(w, 30);
	free(path);
	assert_int_equal(script_parse_spec("dir@x/a.sql", &path, &w, err, sizeof err), 0);
	assert_string_equal(path, "dir@x/a.sql");
	assert_int_equal(w, 1);
	free(path);
	assert_int_equal(script_parse_spec("a.sql@100", &path, &w, err, sizeof err), 0);
	free(path);
	assert_int_equal(script_parse_spec("a.sql@0", &path, &w, err, sizeof err), -1);
	assert_string_equal(err, "invalid value \"a.sql@0\" for option --script: the weight must be 1 to 100");
	assert_int_equal(script_parse_spec("a.sql@101", &path, &w, err, sizeof err), -1);
	assert_int_equal(script_parse_spec("a.sql@-1", &path, &w, err, sizeof err), -1);
	/* a 3:1 mix picks the first about three times in four */
	struct script_set ss;
	script_set_init(&ss);
	assert_int_equal(script_set_add(&ss, "a.sql", "SELECT 1;", 9, 3, err, sizeof err), 0);
	assert_int_equal(script_set_add(&ss, "b.sql", "SELECT 2;", 9, 1, err, sizeof err), 0);
	assert_int_equal(ss.total_weight, 4);
	assert_int_equal(ss.s[1]->first_stmt, 1);
	uint64_t rng = 9;
	int first = 0;
	for (int i = 0; i < 40000; i++)
		first += script_choose(&ss, &rng) == 0;
	assert_true(first > 29400 && first < 30600);
	script_set_free(&ss);
}

static void stores(void **state)
{
	(void)state;
	const char *text = "SELECT count(*) AS n FROM t \\gset c_\n"
	                   "SELECT id FROM t LIMIT 10 OFFSET :offset\n\\glist p_\n"
	                   "SELECT * FROM tags WHERE record_id = ANY(:p_id) AND :c_n > 0;\n";
	struct script_set ss;
	char err[512];
	assert_int_equal(load(&ss, text, err, sizeof err), 0);
	const struct script *s = ss.s[0];
	assert_int_equal(s->ncmds, 3);
	assert_int_equal(s->cmds[0].store, STORE_GSET);
	assert_string_equal(s->cmds[0].sql, "SELECT count(*) AS n FROM t");
	assert_int_equal(s->cmds[1].store, STORE_GLIST);
	assert_string_equal(s->cmds[1].prefix, "p_");
	struct script_state st;
	script_state_init(&st, &ss, 0, 10, 1, 1);
	int n = script_store_var(&ss, &s->cmds[0], "n"), id = script_store_var(&ss, &s->cmds[1], "id");
	assert_true(n >= 0 && id >= 0);
	assert_int_equal(script_store_var(&ss, &s->cmds[1], "other"), -1);
	script_var_set_text(&st, n, "42");
	script_list_begin(&st, id);
	script_list_add(&st, id, "1");
	script_list_add(&st, id, "it's");
	script_list_add(&st, id, NULL);
	script_list_end(&st, id);
	assert_string_equal(st.v[id].text, "{1,\"it's\",NULL}");
	struct script_err e;
	assert_string_equal(script_inline(&ss, &st, &s->cmds[2], &e),
	                    "SELECT * FROM tags WHERE record_id = ANY('{1,\"it''s\",NULL}') AND 42 > 0");
	script_list_begin(&st, id);
	script_list_end(&st, id);
	assert_string_equal(st.v[id].text, "{}");
	script_state_free(&st);
	script_set_free(&ss);
}

static void load_errors(void **state)
{
	(void)state;
	load_fails("SELECT 1;\n\\shell ls\n", "script t.sql line 2: unsupported meta-command \"\\shell\"");
	load_fails("\\if true\nSELECT 1;\n\\endif\n", "script t.sql line 1: unsupported meta-command \"\\if\"");
	load_fails("SELECT 1;\nSELECT :nope;\n",
	           "script t.sql line 2: unknown variable \":nope\" (never set: \\set it, --define it, or use a built-in: "
	           "offset, page, page_size, client_id, scale)");
	load_fails("\n\\set x 10 / (2 - 2)\nSELECT :x;\n", "script t.sql line 2: division by zero");
	load_fails("\\set n 5\n\\set x random(:n, 1)\nSELECT :x;\n", "script t.sql line 2: empty range given to random");
	load_fails("\\set x random_zipfian(1, 10, 0.5)\nSELECT :x;\n",
	           "script t.sql line 1: zipfian parameter must be in range [1.001, 1000] (not 0.500000)");
	load_fails("SELECT 'open;\n", "script t.sql line 1: unterminated quoted string");
	load_fails("\\set x (1 + \nSELECT 1;\n", "script t.sql line 1: syntax error in expression: unexpected end of the expression");
	load_fails("\\gset\nSELECT 1;\n", "script t.sql line 1: \\gset must follow an SQL statement");
	load_fails("\\sleep 10 hours\nSELECT 1;\n", "script t.sql line 1: unrecognized time unit \"hours\" in \\sleep: use us, ms or s");
	load_fails("\\set offset 3\nSELECT 1;\n", "script t.sql line 1: \\set cannot change the built-in variable \"offset\"");
	load_fails("-- nothing\n", "script t.sql holds no SQL statement");
	/* a backslash ending the file, right after a meta-command (found by the fuzzer) */
	load_fails("\\set b \\", "script t.sql line 1: syntax error in expression: unexpected end of the expression");
	/* what depends on the sweep (:offset) is checked when it runs, not at load */
	struct script_set ss;
	char err[512];
	assert_int_equal(load(&ss, "\\set x 10 / (:offset - :offset)\nSELECT :x;\n", err, sizeof err), 0);
	struct script_state st;
	script_state_init(&st, &ss, 0, 10, 1, 1);
	script_begin(&st, 0, 10);
	struct script_err e;
	assert_int_equal(script_exec_set(&ss, &st, &ss.s[0]->cmds[0], &e), -1);
	assert_string_equal(e.sqlstate, "22012");
	script_state_free(&st);
	script_set_free(&ss);
}

static void sleeps(void **state)
{
	(void)state;
	struct script_set ss;
	char err[512];
	assert_int_equal(load(&ss, "\\set d 3\n\\sleep :d ms\n\\sleep 250 us\n\\sleep 2\nSELECT 1;\n", err, sizeof err), 0);
	struct script_state st;
	script_state_init(&st, &ss, 0, 10, 1, 1);
	struct script_err e;
	int64_t us;
	assert_int_equal(script_exec_set(&ss, &st, &ss.s[0]->cmds[0], &e), 0);
	assert_int_equal(script_sleep_us(&ss, &st, &ss.s[0]->cmds[1], &us, &e), 0);
	assert_int_equal(us, 3000);
	assert_int_equal(script_sleep_us(&ss, &st, &ss.s[0]->cmds[2], &us, &e), 0);
	assert_int_equal(us, 250);
	assert_int_equal(script_sleep_us(&ss, &st, &ss.s[0]->cmds[3], &us, &e), 0);
	assert_int_equal(us, 2000000);
	script_state_free(&st);
	script_set_free(&ss);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(pgbench_select_only), cmocka_unit_test(pgbench_tpcb_like), cmocka_unit_test(splitting),
		cmocka_unit_test(expressions),         cmocka_unit_test(random_ranges),     cmocka_unit_test(weights),
		cmocka_unit_test(stores),              cmocka_unit_test(load_errors),       cmocka_unit_test(sleeps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
