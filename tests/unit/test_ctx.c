/* test_ctx.c: password masking edge cases (conn_mask, conn_scrub, conn_mask_argv) and the shared
 * options' value checks (ctx_option), the places where a wrong answer would print a password or let a
 * bad value through to the server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ctx.h"

static void mask_uri_odd_passwords(void **state)
{
	(void)state;
	char buf[512];
	/* an unencoded '@' in the password: the last '@' before the query ends it */
	conn_mask("postgresql://u:p@ss@db.example/app", buf, sizeof buf);
	assert_null(strstr(buf, "p@ss"));
	assert_non_null(strstr(buf, "@db.example/app"));
	/* an unencoded '/' in the password (libpq rejects it, but it must not be shown either) */
	conn_mask("postgresql://u:pa/ss@db.example/app", buf, sizeof buf);
	assert_null(strstr(buf, "pa/ss"));
	/* percent-encoded, and a URI with no user part */
	conn_mask("postgres://u:s%40cret@h/db", buf, sizeof buf);
	assert_null(strstr(buf, "s%40cret"));
	conn_mask("postgresql://h:5433/db", buf, sizeof buf);
	assert_string_equal(buf, "postgresql://h:5433/db");
	/* sslpassword in the query string, and password as a later parameter */
	conn_mask("postgresql://h/db?sslmode=require&sslpassword=k3y&password=pw", buf, sizeof buf);
	assert_null(strstr(buf, "k3y"));
	assert_null(strstr(buf, "=pw"));
	assert_non_null(strstr(buf, "sslmode=require"));
}

static void mask_keywords(void **state)
{
	(void)state;
	char buf[512];
	conn_mask("host=h sslpassword=k3y dbname=d", buf, sizeof buf);
	assert_null(strstr(buf, "k3y"));
	assert_non_null(strstr(buf, "dbname=d"));
	conn_mask("PASSWORD=Upper host=h", buf, sizeof buf);
	assert_null(strstr(buf, "Upper"));
	conn_mask("password='unterminated secret", buf, sizeof buf);
	assert_null(strstr(buf, "secret"));
	conn_mask("password=", buf, sizeof buf);
	assert_string_equal(buf, "password=");
	/* a URI or a pair glued to short options, as getopt allows: -dURI, -vdpassword=... */
	conn_mask("-dpostgres://a:pw1@h/db", buf, sizeof buf);
	assert_null(strstr(buf, "pw1"));
	conn_mask("-vdpassword=pw2", buf, sizeof buf);
	assert_null(strstr(buf, "pw2"));
	/* a URI after keyword pairs, and keyword pairs after a URI */
	conn_mask("x=1 postgresql://a:pw3@h/db password=pw4", buf, sizeof buf);
	assert_null(strstr(buf, "pw3"));
	assert_null(strstr(buf, "pw4"));
}

static void mask_small_buffers(void **state)
{
	(void)state;
	char buf[16];
	for (size_t len = 0; len <= sizeof buf; len++) {
		memset(buf, 'X', sizeof buf);
		conn_mask("password=secretpw host=h", buf, len);
		if (len > 0) {
			assert_true(memchr(buf, '\0', len) != NULL);
			assert_null(strstr(buf, "secret"));
			assert_null(strstr(buf, "se"));
		}
	}
	conn_mask(NULL, buf, sizeof buf);
	assert_string_equal(buf, "");
}

static void mask_many_secrets(void **state)
{
	(void)state;
	/* more secrets than the masker tracks: nothing of the string may survive */
	char in[1024] = "", buf[1024];
	for (int i = 0; i < 20; i++) {
		char pair[40];
		snprintf(pair, sizeof pair, "password=pw%02d ", i);
		strcat(in, pair);
	}
	conn_mask(in, buf, sizeof buf);
	assert_null(strstr(buf, "pw"));
}

static void scrub_messages(void **state)
{
	(void)state;
	char buf[512];
	/* libpq echoes a malformed URI whole */
	conn_scrub("postgresql://u:s3cret@[::1", "unexpected end in URI: \"postgresql://u:s3cret@[::1\"", buf,
	           sizeof buf);
	assert_null(strstr(buf, "s3cret"));
	assert_non_null(strstr(buf, "postgresql://u:********@[::1"));
	/* ... or the decoded form, or the unquoted keyword value */
	conn_scrub("postgresql://u:s%41cret@h/db", "token sAcret here", buf, sizeof buf);
	assert_null(strstr(buf, "sAcret"));
	conn_scrub("password='a b\\'c' host=h", "echo a b'c end", buf, sizeof buf);
	assert_null(strstr(buf, "a b'c"));
	assert_non_null(strstr(buf, "end"));
	/* without a secret the message is unchanged */
	conn_scrub("mydb", "database \"mydb\" does not exist", buf, sizeof buf);
	assert_string_equal(buf, "database \"mydb\" does not exist");
	conn_scrub(NULL, "plain", buf, sizeof buf);
	assert_string_equal(buf, "plain");
}

static void mask_argv(void **state)
{
	(void)state;
	char buf[512];
	char *argv[] = { "pgpagebench", "schema", "check", "--dbname", "postgresql://a:pw1@h/db", "-vdpassword=pw2",
	                 "--pg-setting=work_mem=4MB", "it's" };
	conn_mask_argv(8, argv, buf, sizeof buf);
	assert_null(strstr(buf, "pw1"));
	assert_null(strstr(buf, "pw2"));
	assert_non_null(strstr(buf, "--pg-setting=work_mem=4MB"));
	assert_non_null(strstr(buf, "'it'\\''s'"));
}

static void options(void **state)
{
	(void)state;
	struct pgpb_ctx ctx;
	char *argv[] = { "x" };
	ctx_init(&ctx, "test", 1, argv);
	assert_int_equal(ctx_option(&ctx, CTX_OPT_SETTING, "shared_buffers=16MB"), 1);
	assert_int_equal(ctx_option(&ctx, CTX_OPT_SETTING, "pg_stat_statements.max=100"), 1);
	assert_int_equal(ctx.nsettings, 2);
	const char *bad_settings[] = { "port=5433", "PORT=1", "unix_socket_directories=/tmp", "listen_addresses=*",
	                               "=1", "novalue", "bad name=1", "a;b=1" };
	for (size_t i = 0; i < sizeof bad_settings / sizeof bad_settings[0]; i++)
		assert_int_equal(ctx_option(&ctx, CTX_OPT_SETTING, bad_settings[i]), -1);
	assert_int_equal(ctx.nsettings, 2);
	while (ctx.nsettings < 64)
		assert_int_equal(ctx_option(&ctx, CTX_OPT_SETTING, "work_mem=1MB"), 1);
	assert_int_equal(ctx_option(&ctx, CTX_OPT_SETTING, "work_mem=1MB"), -1);

	assert_int_equal(ctx_option(&ctx, 'p', "5432"), 1);
	assert_int_equal(ctx_option(&ctx, 'p', "0"), -1);
	assert_int_equal(ctx_option(&ctx, 'p', "65536"), -1);
	assert_int_equal(ctx_option(&ctx, 'p', "54x"), -1);
	assert_int_equal(ctx_option(&ctx, 'p', ""), -1);
	assert_int_equal(ctx_option(&ctx, CTX_OPT_SCHEMA, ""), -1);
	char longname[80];
	memset(longname, 'a', 64);
	longname[64] = '\0';
	assert_int_equal(ctx_option(&ctx, CTX_OPT_SCHEMA, longname), -1);
	longname[63] = '\0';
	assert_int_equal(ctx_option(&ctx, CTX_OPT_SCHEMA, longname), 1);
	assert_int_equal(ctx_option(&ctx, 'z', NULL), 0);
}

static void schema_ident(void **state)
{
	(void)state;
	struct pgpb_ctx ctx;
	char *argv[] = { "x" };
	ctx_init(&ctx, "test", 1, argv);
	char *id = ctx_schema_ident(&ctx);
	assert_string_equal(id, "\"public\"");
	free(id);
	ctx.schema = "my \"odd\" schema";
	id = ctx_schema_ident(&ctx);
	assert_string_equal(id, "\"my \"\"odd\"\" schema\"");
	free(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(mask_uri_odd_passwords),
		cmocka_unit_test(mask_keywords),
		cmocka_unit_test(mask_small_buffers),
		cmocka_unit_test(mask_many_secrets),
		cmocka_unit_test(scrub_messages),
		cmocka_unit_test(mask_argv),
		cmocka_unit_test(options),
		cmocka_unit_test(schema_ident),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
