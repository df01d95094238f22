/*
 * script.c: loading and running pgbench-style scripts (bench/script.h). Loading splits a file into
 * commands the way pgbench (psql's lexer) does: an SQL statement runs to its semicolon outside quotes,
 * dollar quotes and comments, over any number of lines; a backslash outside them starts a meta-command,
 * which runs to the end of its line (a backslash at the end of a line continues it). :name outside quotes
 * and comments reads a variable (`::type` is a cast). Running keeps each connection's variables with their
 * text, so a statement's parameters are pointers and the simple protocol's text is one copy. The
 * expressions of \set and \sleep are bench/script_expr.c's, one level below: this file hands it a callback
 * that interns a :name into the set's table when parsing, and the values and names when evaluating.
 */
#include "bench/script.h"
#include "bench/offsets.h"
#include "common/alloc.h"
#include "common/sha256.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the set's variables ---- */

static const char *const builtin_names[SV_NBUILTIN] = { "offset", "page", "page_size", "client_id", "scale" };

void script_set_init(struct script_set *ss)
{
	memset(ss, 0, sizeof *ss);
	for (int i = 0; i < SV_NBUILTIN; i++)
		script_var_intern(ss, builtin_names[i], strlen(builtin_names[i]));
	for (int i = 0; i < SV_NBUILTIN; i++)
		ss->assigned[i] = 1;
}

const struct script_cmd *script_stmt(const struct script_set *ss, int i)
{
	for (int k = 0; k < ss->n; k++) {
		const struct script *s = ss->s[k];
		if (i < s->first_stmt || i >= s->first_stmt + s->nstmts)
			continue;
		for (int j = 0; j < s->ncmds; j++)
			if (s->cmds[j].kind == SC_SQL && s->cmds[j].stmt == i)
				return &s->cmds[j];
	}
	return NULL;
}

int script_max_params(const struct script_set *ss)
{
	int m = 0;
	for (int i = 0; i < ss->nstmts; i++) {
		const struct script_cmd *c = script_stmt(ss, i);
		if (c && c->nparams > m)
			m = c->nparams;
	}
	return m;
}

struct uses {
	int var, found;
};

static void note_use(void *arg, int var)
{
	struct uses *u = arg;
	u->found |= var == u->var;
}

int script_set_uses(const struct script_set *ss, int var)
{
	struct uses u = { var, 0 };
	for (int k = 0; k < ss->n; k++)
		for (int i = 0; i < ss->s[k]->ncmds; i++) {
			const struct script_cmd *c = &ss->s[k]->cmds[i];
			if (c->expr)
				sexpr_vars(c->expr, note_use, &u);
			for (int j = 0; c->kind == SC_SQL && j < c->nparams; j++)
				u.found |= c->param_vars[j] == var;
		}
	return u.found;
}

int script_var_find(const struct script_set *ss, const char *name, size_t len)
{
	for (int i = 0; i < ss->nvars; i++)
		if (strlen(ss->vars[i]) == len && memcmp(ss->vars[i], name, len) == 0)
			return i;
	return -1;
}

int script_var_intern(struct script_set *ss, const char *name, size_t len)
{
	int k = script_var_find(ss, name, len);
	if (k >= 0)
		return k;
	if (ss->nvars == ss->capvars) {
		ss->capvars = ss->capvars ? ss->capvars * 2 : 16;
		ss->vars = pgpb_realloc(ss->vars, (size_t)ss->capvars * sizeof *ss->vars);
		ss->assigned = pgpb_realloc(ss->assigned, (size_t)ss->capvars * sizeof *ss->assigned);
		ss->defines = pgpb_realloc(ss->defines, (size_t)ss->capvars * sizeof *ss->defines);
	}
	char *s = pgpb_malloc(len + 1);
	memcpy(s, name, len);
	s[len] = '\0';
	ss->vars[ss->nvars] = s;
	ss->assigned[ss->nvars] = 0;
	ss->defines[ss->nvars] = NULL;
	return ss->nvars++;
}

/* sexpr_parse's way to a slot: arg is the set. */
static int intern_name(void *arg, const char *name, size_t len)
{
	return script_var_intern(arg, name, len);
}

static void cmd_free(struct script_cmd *c)
{
	free(c->sql);
	free(c->param_sql);
	free(c->param_vars);
	for (int i = 0; c->pieces && i <= c->nparams; i++)
		free(c->pieces[i]);
	free(c->pieces);
	free(c->prefix);
	sexpr_free(c->expr);
}

void script_set_free(struct script_set *ss)
{
	for (int k = 0; k < ss->n; k++) {
		struct script *s = ss->s[k];
		for (int i = 0; i < s->ncmds; i++)
			cmd_free(&s->cmds[i]);
		free(s->cmds);
		free(s->file);
		free(s);
	}
	for (int i = 0; i < ss->nvars; i++) {
		free(ss->vars[i]);
		free(ss->defines[i]);
	}
	free(ss->vars);
	free(ss->assigned);
	free(ss->defines);
	memset(ss, 0, sizeof *ss);
}

static int errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static int is_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

int script_parse_spec(const char *arg, char **path, int *weight, char *err, size_t errlen)
{
	const char *at = strrchr(arg, '@');
	*weight = 1;
	size_t n = strlen(arg);
	if (at && at[1] && strspn(at + 1, "0123456789-+") == strlen(at + 1)) {
		char *end;
		errno = 0;
		long w = strtol(at + 1, &end, 10);
		if (*end || errno || w < 1 || w > SCRIPT_WEIGHT_MAX)
			return errf(err, errlen, "invalid value \"%s\" for option --script: the weight must be 1 to %d", arg,
			            SCRIPT_WEIGHT_MAX);
		*weight = (int)w;
		n = (size_t)(at - arg);
	}
	if (n == 0)
		return errf(err, errlen, "invalid value \"%s\" for option --script: a file name is required", arg);
	*path = pgpb_malloc(n + 1);
	memcpy(*path, arg, n);
	(*path)[n] = '\0';
	return 0;
}

int script_set_define(struct script_set *ss, const char *spec, char *err, size_t errlen)
{
	const char *eq = strchr(spec, '=');
	size_t n = eq ? (size_t)(eq - spec) : 0;
	for (size_t i = 0; i < n; i++)
		if (!is_name_char(spec[i]))
			n = 0;
	if (!eq || n == 0)
		return errf(err, errlen, "invalid value \"%s\" for option --define: NAME=VALUE is required (a name of "
		                         "letters, digits and underscores)", spec);
	int v = script_var_intern(ss, spec, n);
	if (v < SV_NBUILTIN && v != SV_SCALE)
		return errf(err, errlen, "invalid value \"%s\" for option --define: \"%s\" is a built-in variable", spec,
		            ss->vars[v]);
	free(ss->defines[v]);
	ss->defines[v] = pgpb_strdup(eq + 1);
	ss->assigned[v] = 1;
	return 0;
}

/* ---- what a statement is ---- */

/* Statements that do not change the database (transaction control and reading). */
static const char *const harmless[] = { "SELECT", "WITH", "VALUES", "TABLE", "BEGIN", "START", "COMMIT", "END",
	                                    "ROLLBACK", "ABORT", "SAVEPOINT", "RELEASE", "SHOW", "EXPLAIN", "FETCH",
	                                    "DECLARE", "CLOSE", "MOVE", "PREPARE", "EXECUTE", "DEALLOCATE", NULL };

/*
 * The statement's first keyword, upper-cased into kw (letters only, cut at len - 1), after white space,
 * comments (-- to the end of the line, and nested slash-star ones) and opening parentheses. Enough to
 * name what a statement is: every SQL statement starts with its keyword. Returns 0 when only those
 * remain, else 1 (kw is "" when what follows is no keyword: the server's parser says what is wrong).
 */
int script_first_keyword(const char *sql, char *kw, size_t len)
{
	const char *p = sql;
	for (;;) {
		while (*p && (isspace((unsigned char)*p) || *p == '('))
			p++;
		if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
			continue;
		}
		if (p[0] == '/' && p[1] == '*') {
			int depth = 0;
			do {
				if (p[0] == '/' && p[1] == '*') {
					depth++;
					p += 2;
				} else if (p[0] == '*' && p[1] == '/') {
					depth--;
					p += 2;
				} else {
					p++;
				}
			} while (*p && depth > 0);
			continue;
		}
		break;
	}
	size_t n = 0;
	int any = *p != '\0';
	while (n + 1 < len && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_'))
		kw[n++] = (char)toupper((unsigned char)*p++);
	kw[n] = '\0';
	return any;
}

int script_sql_writes(const char *sql, char *kw, size_t kwlen)
{
	if (!script_first_keyword(sql, kw, kwlen) || !kw[0])
		return 0; /* nothing, or no keyword: the server's syntax error says what is wrong */
	for (int i = 0; harmless[i]; i++)
		if (strcmp(kw, harmless[i]) == 0)
			return 0;
	return 1;
}

/* ---- loading ---- */

struct loader {
	struct script_set *ss;
	struct script *s;
	const char *text, *end, *p;
	int line;
	char *err;
	size_t errlen;
	/* the SQL statement being read */
	char *buf;
	size_t len, cap;
	int sql_line; /* where it started (0: nothing read yet) */
	int nrefs, caprefs;
	int *ref_vars; /* each :name, in order */
	size_t *ref_at, *ref_len; /* where in buf, and the length of ":name" */
};

static int lerr(struct loader *ld, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int lerr(struct loader *ld, int line, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(ld->err, ld->errlen, "script %s line %d: %s", ld->s->file, line, msg);
	return -1;
}

static void put(struct loader *ld, const char *s, size_t n)
{
	if (ld->len + n + 1 > ld->cap) {
		ld->cap = (ld->len + n + 1) * 2;
		ld->buf = pgpb_realloc(ld->buf, ld->cap);
	}
	memcpy(ld->buf + ld->len, s, n);
	ld->len += n;
	ld->buf[ld->len] = '\0';
}

static struct script_cmd *new_cmd(struct loader *ld, enum script_cmd_kind kind, int line)
{
	struct script *s = ld->s;
	s->cmds = pgpb_realloc(s->cmds, (size_t)(s->ncmds + 1) * sizeof *s->cmds);
	struct script_cmd *c = &s->cmds[s->ncmds++];
	memset(c, 0, sizeof *c);
	c->kind = kind;
	c->line = line;
	c->var = -1;
	return c;
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isspace((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The statement read so far becomes a command (nothing when it is only white space). */
static int end_sql(struct loader *ld)
{
	size_t n = ld->len;
	while (n && isspace((unsigned char)ld->buf[n - 1]))
		n--;
	size_t start = 0;
	while (start < n && isspace((unsigned char)ld->buf[start]))
		start++;
	if (start == n) {
		ld->len = 0;
		ld->nrefs = 0;
		ld->sql_line = 0;
		return 0;
	}
	struct script_cmd *c = new_cmd(ld, SC_SQL, ld->sql_line);
	c->sql = pgpb_malloc(n - start + 1);
	memcpy(c->sql, ld->buf + start, n - start);
	c->sql[n - start] = '\0';
	c->nparams = ld->nrefs;
	c->param_vars = pgpb_calloc((size_t)ld->nrefs + 1, sizeof *c->param_vars);
	c->pieces = pgpb_calloc((size_t)ld->nrefs + 1, sizeof *c->pieces);
	size_t pcap = n - start + (size_t)ld->nrefs * 8 + 1, o = 0, from = start;
	c->param_sql = pgpb_malloc(pcap);
	for (int k = 0; k <= ld->nrefs; k++) {
		size_t to = k < ld->nrefs ? ld->ref_at[k] : n;
		size_t m = to - from;
		c->pieces[k] = pgpb_malloc(m + 1);
		memcpy(c->pieces[k], ld->buf + from, m);
		c->pieces[k][m] = '\0';
		memcpy(c->param_sql + o, ld->buf + from, m);
		o += m;
		if (k < ld->nrefs) {
			c->param_vars[k] = ld->ref_vars[k];
			o += (size_t)snprintf(c->param_sql + o, pcap - o, "$%d", k + 1);
			from = to + ld->ref_len[k];
		}
	}
	c->param_sql[o] = '\0';
	c->stmt = ld->ss->nstmts++;
	snprintf(c->stmt_name, sizeof c->stmt_name, "pgpagebench_s%d", c->stmt);
	c->writes = script_sql_writes(c->sql, c->keyword, sizeof c->keyword);
	if (c->writes && !ld->s->writes) {
		ld->s->writes = 1;
		ld->s->line_writes = c->line;
		snprintf(ld->s->write_keyword, sizeof ld->s->write_keyword, "%s", c->keyword);
	}
	ld->s->nstmts++;
	ld->len = 0;
	ld->nrefs = 0;
	ld->sql_line = 0;
	return 0;
}

static void add_ref(struct loader *ld, int var, size_t at, size_t len)
{
	if (ld->nrefs == ld->caprefs) {
		ld->caprefs = ld->caprefs ? ld->caprefs * 2 : 8;
		ld->ref_vars = pgpb_realloc(ld->ref_vars, (size_t)ld->caprefs * sizeof *ld->ref_vars);
		ld->ref_at = pgpb_realloc(ld->ref_at, (size_t)ld->caprefs * sizeof *ld->ref_at);
		ld->ref_len = pgpb_realloc(ld->ref_len, (size_t)ld->caprefs * sizeof *ld->ref_len);
	}
	ld->ref_vars[ld->nrefs] = var;
	ld->ref_at[ld->nrefs] = at;
	ld->ref_len[ld->nrefs] = len;
	ld->nrefs++;
}

static const char *const unsupported[] = { "if", "elif", "else", "endif", "shell", "setshell", "startpipeline",
	                                       "endpipeline", "syncpipeline", "aset", "cset", NULL };

/* Reads a meta-command's arguments: to the end of the line, a backslash at a line's end continuing it. */
static char *meta_args(struct loader *ld)
{
	char *a = NULL;
	size_t n = 0, cap = 0;
	while (ld->p < ld->end && *ld->p != '\n') {
		if (*ld->p == '\\' && ld->p + 1 == ld->end) { /* a backslash ending the file: nothing follows */
			ld->p++;
			continue;
		}
		if (*ld->p == '\\' && (ld->p[1] == '\n' || (ld->p[1] == '\r' && ld->p + 2 < ld->end && ld->p[2] == '\n'))) {
			ld->p += ld->p[1] == '\r' ? 3 : 2;
			ld->line++;
			continue;
		}
		if (n + 2 > cap) {
			cap = cap ? cap * 2 : 64;
			a = pgpb_realloc(a, cap);
		}
		a[n++] = *ld->p == '\r' ? ' ' : *ld->p;
		ld->p++;
	}
	if (!a)
		a = pgpb_malloc(1);
	a[n] = '\0';
	return a;
}

/* One word of s (after white space) into w; returns what follows it. */
static const char *word(const char *s, char *w, size_t wlen)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = 0;
	while (*s && !isspace((unsigned char)*s)) {
		if (n + 1 < wlen)
			w[n++] = *s;
		s++;
	}
	w[n] = '\0';
	return s;
}

/* A meta-command; ld->p is past its backslash. */
static int meta(struct loader *ld)
{
	int line = ld->line;
	const char *s = ld->p;
	while (ld->p < ld->end && isalpha((unsigned char)*ld->p))
		ld->p++;
	char name[32];
	snprintf(name, sizeof name, "%.*s", (int)(ld->p - s < 31 ? ld->p - s : 31), s);
	int pending = !blank(ld->buf ? ld->buf : "", ld->len);
	int store = strcmp(name, "gset") == 0 ? STORE_GSET : strcmp(name, "glist") == 0 ? STORE_GLIST : STORE_NONE;
	if (!store && strcmp(name, "set") != 0 && strcmp(name, "sleep") != 0) {
		int known = 0;
		for (int i = 0; unsupported[i]; i++)
			known |= strcmp(name, unsupported[i]) == 0;
		(void)known; /* pgbench's own and unknown ones alike: this tool runs only the four it names */
		return lerr(ld, line, "unsupported meta-command \"\\%s\"", name);
	}
	if (ld->p < ld->end && !isspace((unsigned char)*ld->p))
		return lerr(ld, line, "unsupported meta-command \"\\%s%c\"", name, *ld->p);
	char *args = meta_args(ld);
	int rc = 0;
	char w[256];
	if (store) {
		struct script_cmd *c = NULL;
		if (pending) {
			if (end_sql(ld) < 0) {
				free(args);
				return -1;
			}
			c = &ld->s->cmds[ld->s->ncmds - 1];
		} else if (ld->s->ncmds && ld->s->cmds[ld->s->ncmds - 1].kind == SC_SQL &&
		           ld->s->cmds[ld->s->ncmds - 1].store == STORE_NONE) {
			c = &ld->s->cmds[ld->s->ncmds - 1];
		}
		const char *rest = word(args, w, sizeof w);
		if (!c)
			rc = lerr(ld, line, "\\%s must follow an SQL statement", name);
		else if (*word(rest, (char[8]){ 0 }, 8))
			rc = lerr(ld, line, "too many arguments for \\%s (one prefix at most)", name);
		else {
			for (const char *q = w; *q && rc == 0; q++)
				if (!is_name_char(*q))
					rc = lerr(ld, line, "invalid prefix \"%s\" for \\%s: letters, digits and underscores", w, name);
			if (rc == 0) {
				c->store = store;
				c->prefix = pgpb_strdup(w);
				if (!*w)
					ld->ss->any_store_all = 1;
			}
		}
		free(args);
		return rc;
	}
	if (pending) {
		free(args);
		return lerr(ld, ld->sql_line, "the SQL statement before \"\\%s\" has no semicolon", name);
	}
	if (strcmp(name, "set") == 0) {
		const char *rest = word(args, w, sizeof w);
		if (!*w) {
			rc = lerr(ld, line, "missing argument in \\set: a variable name and an expression are required");
		} else {
			const char *q = w[0] == ':' ? w + 1 : w;
			for (const char *t = q; *t && rc == 0; t++)
				if (!is_name_char(*t))
					rc = lerr(ld, line, "invalid variable name \"%s\"", w);
			int v = rc == 0 ? script_var_intern(ld->ss, q, strlen(q)) : -1;
			if (rc == 0 && v < SV_NBUILTIN)
				rc = lerr(ld, line, "\\set cannot change the built-in variable \"%s\"", q);
			if (rc == 0) {
				char msg[256];
				struct script_expr *e = sexpr_parse(rest, intern_name, ld->ss, msg, sizeof msg);
				if (!e) {
					rc = lerr(ld, line, "%s", msg);
				} else {
					struct script_cmd *c = new_cmd(ld, SC_SET, line);
					c->var = v;
					c->expr = e;
					ld->ss->assigned[v] = 1;
				}
			}
		}
	} else { /* \sleep N [us|ms|s] */
		char num[128], unit[32], more[8];
		const char *rest = word(args, num, sizeof num);
		rest = word(rest, unit, sizeof unit);
		word(rest, more, sizeof more);
		int64_t u = 1000000;
		if (!num[0])
			rc = lerr(ld, line, "missing argument in \\sleep");
		else if (more[0])
			rc = lerr(ld, line, "too many arguments in \\sleep");
		else if (unit[0] && strcmp(unit, "us") == 0)
			u = 1;
		else if (unit[0] && strcmp(unit, "ms") == 0)
			u = 1000;
		else if (unit[0] && strcmp(unit, "s") != 0)
			rc = lerr(ld, line, "unrecognized time unit \"%s\" in \\sleep: use us, ms or s", unit);
		if (rc == 0) {
			int ok = num[0] == ':' ? num[1] != '\0' : strspn(num, "0123456789") == strlen(num);
			for (const char *t = num + 1; ok && num[0] == ':' && *t; t++)
				ok = is_name_char(*t);
			if (!ok) {
				rc = lerr(ld, line, "invalid \\sleep length \"%s\": an integer or a :variable", num);
			} else {
				char msg[256];
				struct script_expr *e = sexpr_parse(num, intern_name, ld->ss, msg, sizeof msg);
				if (!e) {
					rc = lerr(ld, line, "%s", msg);
				} else {
					struct script_cmd *c = new_cmd(ld, SC_SLEEP, line);
					c->expr = e;
					c->unit_us = u;
				}
			}
		}
	}
	free(args);
	return rc;
}

/* Copies a quoted span starting at ld->p (a ' or " or $tag$) into the statement; -1 when unterminated. */
static int quoted(struct loader *ld)
{
	int line = ld->line;
	const char *s = ld->p;
	if (*s == '$') {
		const char *t = s + 1;
		while (t < ld->end && (isalnum((unsigned char)*t) || *t == '_'))
			t++;
		size_t tl = (size_t)(t - s) + 1; /* $tag$ */
		const char *q = t + 1;
		for (; q + tl <= ld->end; q++) {
			if (*q == '\n')
				ld->line++;
			if (memcmp(q, s, tl) == 0)
				break;
		}
		if (q + tl > ld->end)
			return lerr(ld, line, "unterminated dollar-quoted string");
		put(ld, s, (size_t)(q + tl - s));
		ld->p = q + tl;
		return 0;
	}
	char qc = *s;
	int esc = qc == '\'' && s > ld->text && (s[-1] == 'E' || s[-1] == 'e') &&
	          (s - 1 == ld->text || !is_name_char(s[-2]));
	const char *q = s + 1;
	for (; q < ld->end; q++) {
		if (*q == '\n')
			ld->line++;
		if (esc && *q == '\\' && q + 1 < ld->end) {
			q++;
			continue;
		}
		if (*q == qc) {
			if (q + 1 < ld->end && q[1] == qc) {
				q++;
				continue;
			}
			break;
		}
	}
	if (q >= ld->end)
		return lerr(ld, line, "unterminated quoted %s", qc == '"' ? "identifier" : "string");
	put(ld, s, (size_t)(q + 1 - s));
	ld->p = q + 1;
	return 0;
}

/* Whether a dollar quote ($$ or $tag$) starts at ld->p (not a parameter like $1). */
static int dollar_tag(const struct loader *ld)
{
	const char *p = ld->p;
	if (*p != '$' || (p > ld->text && is_name_char(p[-1])) || p + 1 >= ld->end ||
	    !(p[1] == '$' || isalpha((unsigned char)p[1]) || p[1] == '_'))
		return 0;
	const char *t = p + 1;
	while (t < ld->end && (isalnum((unsigned char)*t) || *t == '_'))
		t++;
	return t < ld->end && *t == '$';
}

static int load(struct loader *ld)
{
	while (ld->p < ld->end) {
		char ch = *ld->p;
		if (ld->len == 0 || blank(ld->buf, ld->len)) {
			if (!isspace((unsigned char)ch) && ch != '\\' && !(ch == '-' && ld->p + 1 < ld->end && ld->p[1] == '-'))
				ld->sql_line = ld->line; /* the statement starts here */
		}
		if (ch == '\n') {
			ld->line++;
			put(ld, "\n", 1);
			ld->p++;
		} else if (ch == '-' && ld->p + 1 < ld->end && ld->p[1] == '-') { /* a comment: dropped */
			while (ld->p < ld->end && *ld->p != '\n')
				ld->p++;
		} else if (ch == '/' && ld->p + 1 < ld->end && ld->p[1] == '*') {
			int depth = 0, line = ld->line;
			const char *s = ld->p;
			do {
				if (ld->p + 1 < ld->end && ld->p[0] == '/' && ld->p[1] == '*')
					depth++, ld->p += 2;
				else if (ld->p + 1 < ld->end && ld->p[0] == '*' && ld->p[1] == '/')
					depth--, ld->p += 2;
				else
					ld->line += *ld->p++ == '\n';
			} while (ld->p < ld->end && depth > 0);
			if (depth > 0)
				return lerr(ld, line, "unterminated /* comment");
			if (ld->sql_line)
				put(ld, s, (size_t)(ld->p - s));
		} else if (ch == '\'' || ch == '"' || dollar_tag(ld)) {
			if (quoted(ld) < 0)
				return -1;
		} else if (ch == ';') {
			ld->p++;
			if (end_sql(ld) < 0)
				return -1;
		} else if (ch == '\\') {
			ld->p++;
			if (meta(ld) < 0)
				return -1;
		} else if (ch == ':' && ld->p + 1 < ld->end && ld->p[1] == ':') {
			put(ld, "::", 2);
			ld->p += 2;
		} else if (ch == ':' && ld->p + 1 < ld->end && (isalpha((unsigned char)ld->p[1]) || ld->p[1] == '_' ||
		                                                 (unsigned char)ld->p[1] >= 0x80)) {
			const char *s = ld->p + 1, *t = s;
			while (t < ld->end && is_name_char(*t))
				t++;
			add_ref(ld, script_var_intern(ld->ss, s, (size_t)(t - s)), ld->len, (size_t)(t - ld->p));
			put(ld, ld->p, (size_t)(t - ld->p));
			ld->p = t;
		} else {
			put(ld, ld->p, 1);
			ld->p++;
		}
	}
	return end_sql(ld); /* the last statement may go without its semicolon */
}

int script_set_add(struct script_set *ss, const char *file, const char *text, size_t len, int weight, char *err,
                   size_t errlen)
{
	if (ss->n == SCRIPT_MAX)
		return errf(err, errlen, "too many scripts (at most %d)", SCRIPT_MAX);
	struct script *s = pgpb_calloc(1, sizeof *s);
	s->file = pgpb_strdup(file);
	const char *slash = strrchr(s->file, '/');
	s->name = slash ? slash + 1 : s->file;
	s->weight = weight;
	s->first_stmt = ss->nstmts;
	sha256_hex(text, len, s->sha256);
	ss->s[ss->n++] = s;
	struct loader ld = { .ss = ss, .s = s, .text = text, .end = text + len, .p = text, .line = 1, .err = err,
		                 .errlen = errlen };
	int rc = load(&ld);
	free(ld.buf);
	free(ld.ref_vars);
	free(ld.ref_at);
	free(ld.ref_len);
	if (rc == 0 && s->nstmts == 0)
		rc = errf(err, errlen, "script %s holds no SQL statement", s->file);
	if (rc == 0)
		ss->total_weight += weight;
	return rc;
}

/* ---- checks after the last script ---- */

struct unknown_check {
	const struct script_set *ss;
	int bad; /* the first unknown variable, or -1 */
};

/* Whether name can come from a \gset or \glist (its prefix). */
static int stored_name(const struct script_set *ss, const char *name)
{
	if (ss->any_store_all)
		return 1;
	for (int k = 0; k < ss->n; k++)
		for (int i = 0; i < ss->s[k]->ncmds; i++) {
			const struct script_cmd *c = &ss->s[k]->cmds[i];
			if (c->store && strncmp(name, c->prefix, strlen(c->prefix)) == 0 && strlen(name) > strlen(c->prefix))
				return 1;
		}
	return 0;
}

static void note_var(void *arg, int var)
{
	struct unknown_check *u = arg;
	if (u->bad < 0 && !u->ss->assigned[var] && !stored_name(u->ss, u->ss->vars[var]))
		u->bad = var;
}

int script_set_finish(struct script_set *ss, long page_size, double scale, char *err, size_t errlen)
{
	/* every :name used must be set somewhere */
	for (int k = 0; k < ss->n; k++) {
		const struct script *s = ss->s[k];
		for (int i = 0; i < s->ncmds; i++) {
			const struct script_cmd *c = &s->cmds[i];
			struct unknown_check u = { ss, -1 };
			if (c->expr)
				sexpr_vars(c->expr, note_var, &u);
			for (int j = 0; c->kind == SC_SQL && j < c->nparams; j++)
				note_var(&u, c->param_vars[j]);
			if (u.bad >= 0)
				return errf(err, errlen, "script %s line %d: unknown variable \":%s\" (never set: \\set it, --define "
				                         "it, or use a built-in: offset, page, page_size, client_id, scale)",
				            s->file, c->line, ss->vars[u.bad]);
		}
	}
	/* each \set and \sleep that depends only on what is known before the run is evaluated once */
	int *skip = pgpb_calloc((size_t)ss->nvars, sizeof *skip);
	for (int v = 0; v < ss->nvars; v++)
		skip[v] = v == SV_OFFSET || v == SV_PAGE || (v >= SV_NBUILTIN && !ss->defines[v]);
	int rc = 0;
	for (int k = 0; k < ss->n && rc == 0; k++) {
		const struct script *s = ss->s[k];
		struct script_state st;
		script_state_init(&st, ss, 0, page_size, scale, 0x5C21);
		int *known = pgpb_calloc((size_t)ss->nvars, sizeof *known);
		memcpy(known, skip, (size_t)ss->nvars * sizeof *known);
		for (int i = 0; i < s->ncmds && rc == 0; i++) {
			const struct script_cmd *c = &s->cmds[i];
			if (c->kind == SC_SQL || sexpr_uses(c->expr, known))
				continue;
			struct script_err e;
			int64_t us;
			int r = c->kind == SC_SET ? script_exec_set(ss, &st, c, &e) : script_sleep_us(ss, &st, c, &us, &e);
			if (r < 0)
				rc = errf(err, errlen, "script %s line %d: %s", s->file, c->line, e.msg);
			else if (c->kind == SC_SET)
				known[c->var] = 0; /* a later \set may use it */
		}
		free(known);
		script_state_free(&st);
	}
	free(skip);
	return rc;
}

/* ---- running ---- */

static void var_text(struct script_var *x, const char *s, size_t n)
{
	if (n + 1 > x->cap) {
		x->cap = n + 1 > 32 ? (n + 1) * 2 : 32;
		x->text = pgpb_realloc(x->text, x->cap);
	}
	memcpy(x->text, s, n);
	x->text[n] = '\0';
	x->len = n;
}

static void var_set(struct script_var *x, const struct sval *v)
{
	char b[64];
	int n;
	x->t = v->t;
	if (v->t == SV_DOUBLE) {
		x->d = v->d;
		n = snprintf(b, sizeof b, "%.*g", DBL_DIG, v->d);
	} else if (v->t == SV_BOOL) {
		x->i = v->i;
		n = snprintf(b, sizeof b, "%s", v->i ? "true" : "false");
	} else {
		x->i = v->i;
		n = snprintf(b, sizeof b, "%lld", (long long)v->i);
	}
	var_text(x, b, (size_t)n);
}

static void state_fill(struct script_state *st, const struct script_set *ss, long client_id, long page_size,
                       double scale)
{
	var_set(&st->v[SV_PAGE_SIZE], &(struct sval){ .t = SV_INT, .i = page_size });
	var_set(&st->v[SV_CLIENT_ID], &(struct sval){ .t = SV_INT, .i = client_id });
	if (scale == (double)(int64_t)scale)
		var_set(&st->v[SV_SCALE], &(struct sval){ .t = SV_INT, .i = (int64_t)scale });
	else
		var_set(&st->v[SV_SCALE], &(struct sval){ .t = SV_DOUBLE, .d = scale });
	for (int v = 0; v < ss->nvars; v++)
		if (ss->defines[v])
			script_var_set_text(st, v, ss->defines[v]);
}

void script_state_init(struct script_state *st, const struct script_set *ss, long client_id, long page_size,
                       double scale, uint64_t seed)
{
	memset(st, 0, sizeof *st);
	st->n = ss->nvars;
	st->v = pgpb_calloc((size_t)st->n, sizeof *st->v);
	st->rng = seed;
	state_fill(st, ss, client_id, page_size, scale);
}

void script_state_free(struct script_state *st)
{
	for (int i = 0; i < st->n; i++)
		free(st->v[i].text);
	free(st->v);
	free(st->sqlbuf);
	memset(st, 0, sizeof *st);
}

int script_choose(const struct script_set *ss, uint64_t *rng)
{
	if (ss->n == 1)
		return 0;
	int64_t pick;
	struct script_err e;
	script_random(rng, 0, ss->total_weight - 1, &pick, &e);
	uint64_t w = (uint64_t)pick;
	for (int k = 0; k < ss->n; k++) {
		if (w < (uint64_t)ss->s[k]->weight)
			return k;
		w -= (uint64_t)ss->s[k]->weight;
	}
	return ss->n - 1;
}

void script_begin(struct script_state *st, long offset, long page_size)
{
	var_set(&st->v[SV_OFFSET], &(struct sval){ .t = SV_INT, .i = offset });
	var_set(&st->v[SV_PAGE], &(struct sval){ .t = SV_INT, .i = page_size > 0 ? offset / page_size + 1 : 1 });
}

int script_exec_set(const struct script_set *ss, struct script_state *st, const struct script_cmd *c,
                    struct script_err *e)
{
	struct sval v;
	if (sexpr_eval(c->expr, &(struct sexpr_env){ .vars = st->v, .names = ss->vars }, &st->rng, &v, e) < 0)
		return -1;
	var_set(&st->v[c->var], &v);
	return 0;
}

int script_sleep_us(const struct script_set *ss, struct script_state *st, const struct script_cmd *c, int64_t *us,
                    struct script_err *e)
{
	struct sval v;
	if (sexpr_eval(c->expr, &(struct sexpr_env){ .vars = st->v, .names = ss->vars }, &st->rng, &v, e) < 0)
		return -1;
	if (v.t != SV_INT) {
		snprintf(e->sqlstate, sizeof e->sqlstate, "22023");
		snprintf(e->msg, sizeof e->msg, "\\sleep needs an integer");
		return -1;
	}
	if (v.i < 0 || v.i > INT64_MAX / c->unit_us) {
		snprintf(e->sqlstate, sizeof e->sqlstate, "22023");
		snprintf(e->msg, sizeof e->msg, "invalid \\sleep length %lld", (long long)v.i);
		return -1;
	}
	*us = v.i * c->unit_us;
	return 0;
}

static int unset(const struct script_set *ss, int var, struct script_err *e)
{
	snprintf(e->sqlstate, sizeof e->sqlstate, "42704");
	snprintf(e->msg, sizeof e->msg, "undefined variable \"%s\"", ss->vars[var]);
	return -1;
}

int script_params(const struct script_set *ss, struct script_state *st, const struct script_cmd *c,
                  const char **vals, struct script_err *e)
{
	for (int k = 0; k < c->nparams; k++) {
		const struct script_var *x = &st->v[c->param_vars[k]];
		if (x->t == SV_UNSET)
			return unset(ss, c->param_vars[k], e);
		vals[k] = x->t == SV_NULL ? NULL : x->text;
	}
	return 0;
}

const char *script_inline(const struct script_set *ss, struct script_state *st, const struct script_cmd *c,
                          struct script_err *e)
{
	size_t need = 1;
	for (int k = 0; k <= c->nparams; k++) {
		need += strlen(c->pieces[k]);
		if (k < c->nparams) {
			const struct script_var *x = &st->v[c->param_vars[k]];
			if (x->t == SV_UNSET) {
				unset(ss, c->param_vars[k], e);
				return NULL;
			}
			need += x->t == SV_LIST ? 2 * x->len + 2 : x->len;
		}
	}
	if (need > st->sqlcap) {
		st->sqlcap = need * 2;
		st->sqlbuf = pgpb_realloc(st->sqlbuf, st->sqlcap);
	}
	char *o = st->sqlbuf;
	for (int k = 0; k <= c->nparams; k++) {
		size_t n = strlen(c->pieces[k]);
		memcpy(o, c->pieces[k], n);
		o += n;
		if (k == c->nparams)
			break;
		const struct script_var *x = &st->v[c->param_vars[k]];
		if (x->t == SV_LIST) { /* a quoted literal: '{1,2}', quotes doubled */
			*o++ = '\'';
			for (size_t i = 0; i < x->len; i++) {
				if (x->text[i] == '\'')
					*o++ = '\'';
				*o++ = x->text[i];
			}
			*o++ = '\'';
		} else {
			memcpy(o, x->text, x->len);
			o += x->len;
		}
	}
	*o = '\0';
	return st->sqlbuf;
}

int script_store_var(const struct script_set *ss, const struct script_cmd *c, const char *column)
{
	if (!c->store || !c->prefix)
		return -1;
	size_t pl = strlen(c->prefix), cl = strlen(column);
	char name[256];
	if (pl + cl >= sizeof name)
		return -1;
	memcpy(name, c->prefix, pl);
	memcpy(name + pl, column, cl);
	return script_var_find(ss, name, pl + cl);
}

void script_var_set_text(struct script_state *st, int var, const char *text)
{
	struct script_var *x = &st->v[var];
	x->t = text ? SV_STR : SV_NULL;
	if (!text)
		text = "NULL"; /* what the simple protocol sends; the others send a NULL parameter */
	var_text(x, text, strlen(text));
}

void script_list_begin(struct script_state *st, int var)
{
	struct script_var *x = &st->v[var];
	x->t = SV_LIST;
	var_text(x, "{", 1);
}

static void list_put(struct script_var *x, const char *s, size_t n)
{
	if (x->len + n + 2 > x->cap) {
		x->cap = (x->len + n + 2) * 2;
		x->text = pgpb_realloc(x->text, x->cap);
	}
	memcpy(x->text + x->len, s, n);
	x->len += n;
	x->text[x->len] = '\0';
}

void script_list_add(struct script_state *st, int var, const char *value)
{
	struct script_var *x = &st->v[var];
	if (x->len > 1)
		list_put(x, ",", 1);
	if (!value) {
		list_put(x, "NULL", 4);
		return;
	}
	/* an element is quoted unless it is plain (digits, letters, . - + _ only and not "null") */
	int plain = *value != '\0' && strcasecmp(value, "null") != 0;
	for (const char *p = value; plain && *p; p++)
		plain = isalnum((unsigned char)*p) || *p == '.' || *p == '-' || *p == '+' || *p == '_';
	if (plain) {
		list_put(x, value, strlen(value));
		return;
	}
	list_put(x, "\"", 1);
	for (const char *p = value; *p; p++) {
		if (*p == '"' || *p == '\\')
			list_put(x, "\\", 1);
		list_put(x, p, 1);
	}
	list_put(x, "\"", 1);
}

void script_list_end(struct script_state *st, int var)
{
	list_put(&st->v[var], "}", 1);
}
