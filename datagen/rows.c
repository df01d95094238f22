/*
 * rows.c: what a generated row looks like. The plan holds the counts and the few tables the draws need;
 * each row is then a pure function of (plan, row index), written straight into a COPY binary buffer.
 * The shapes (documented in docs/datagen.md): Zipf records per user over a permuted user order, a quarter
 * of the records children of an earlier top-level record (preferential, so children per parent are
 * skewed), a status mix, unique `updated` over two years, 0..5 tags a record from a power-law vocabulary,
 * tags of kind 'user', and Django-valid users.
 */
#include "datagen/rows.h"
#include "common/alloc.h"
#include "datagen/pbkdf2.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const datagen_table_names[DATAGEN_NTABLES] = { "auth_user", "record", "tag" };

/* stream ids: one per kind of draw, so adding a draw to one never shifts another */
enum { S_USER = 1, S_RECORD, S_RECORD_USER, S_RECORD_PARENT, S_RECORD_NTAGS, S_RECORD_TAGS, S_USER_TAGS,
       S_KEYS, S_SALT, S_POOL };

#define SPAN_US (INT64_C(2) * 365 * 86400 * 1000000) /* `updated`: two years before the reference */
#define JOIN_SPAN_US (INT64_C(3) * 365 * 86400 * 1000000) /* date_joined: up to three years before */
#define TAG_VOCABULARY 5000
#define TAG_ZIPF 1.0
#define USER_TAGS_MAX 50 /* kind 'user': 0..50 a user, uniform (about 25) */

/* tags a record: 0..5 with 3 > 2 > 4 > 1 > 5 > 0 (Stack Overflow's shape, a few with none), mean 2.57 */
static const unsigned tag_count_weight[6] = { 5, 14, 29, 30, 15, 7 };

static const char *const first_names[] = {
	"James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
	"William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen",
	"Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty", "Mark", "Sandra", "Paul", "Ashley", "Steven",
	"Emily", "Andrew", "Donna", "Kenneth", "Michelle", "Joshua", "Carol", "Kevin", "Amanda", "Brian",
	"Melissa", "George", "Deborah", "Timothy", "Stephanie", "Ronald", "Rebecca", "Jason", "Sharon", "Ana",
	"Luis", "Ines", "Jorge", "Yuki", "Hiroshi", "Wei", "Mei", "Olga", "Ivan", "Fatima", "Omar", "Priya",
	"Arjun",
};
static const char *const last_names[] = {
	"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
	"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
	"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
	"Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green",
	"Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Tanaka",
	"Suzuki", "Wang", "Li", "Zhang", "Ivanov", "Petrov", "Kowalski", "Nowak", "Muller", "Schmidt", "Rossi",
	"Silva", "Santos",
};
static const char *const domains[] = { "example.com", "example.org", "example.net" };

struct word {
	const char *s;
	unsigned char n;
};
#define W(s) { s, sizeof s - 1 }
static const struct word words[] = {
	W("lorem"), W("ipsum"), W("dolor"), W("sit"), W("amet"), W("consectetur"), W("adipiscing"), W("elit"),
	W("sed"), W("do"), W("eiusmod"), W("tempor"), W("incididunt"), W("ut"), W("labore"), W("et"), W("dolore"),
	W("magna"), W("aliqua"), W("enim"), W("ad"), W("minim"), W("veniam"), W("quis"), W("nostrud"),
	W("exercitation"), W("ullamco"), W("laboris"), W("nisi"), W("aliquip"), W("ex"), W("ea"), W("commodo"),
	W("consequat"), W("duis"), W("aute"), W("irure"), W("in"), W("reprehenderit"), W("voluptate"), W("velit"),
	W("esse"), W("cillum"), W("eu"), W("fugiat"), W("nulla"), W("pariatur"), W("excepteur"), W("sint"),
	W("occaecat"), W("cupidatat"), W("non"), W("proident"), W("sunt"), W("culpa"), W("qui"), W("officia"),
	W("deserunt"), W("mollit"), W("anim"), W("id"), W("est"), W("laborum"), W("page"), W("query"), W("index"),
	W("order"), W("limit"), W("offset"), W("count"), W("record"), W("user"), W("tag"), W("status"), W("update"),
	W("server"), W("client"), W("pool"), W("latency"), W("cache"), W("table"), W("row"), W("join"), W("plan"),
	W("scan"),
};
#define NWORDS (sizeof words / sizeof words[0])

/* the most popular tags get real-looking names; the long tail is syllables and a hyphen */
static const char *const top_tags[] = {
	"javascript", "python", "java", "csharp", "php", "android", "html", "jquery", "cpp", "css", "ios", "sql",
	"mysql", "r", "reactjs", "nodejs", "arrays", "c", "asp-net", "json", "ruby-on-rails", "dot-net",
	"sql-server", "swift", "python-3", "objective-c", "django", "angular", "excel", "regex", "pandas",
	"ruby", "linux", "ajax", "iphone", "vba", "xml", "laravel", "spring", "asp-net-mvc", "database",
	"wordpress", "string", "flutter", "postgresql", "mongodb", "windows", "typescript", "git", "bash",
};
#define NTOP (sizeof top_tags / sizeof top_tags[0])
static const char *const syllables[32] = { "ba", "ko", "ri", "ne", "su", "ta", "mo", "li", "da", "ve", "xo", "pu",
	                                   "ze", "ga", "fi", "lo", "qua", "se", "nu", "ho", "ki", "ra", "po", "me",
	                                   "ju", "wa", "te", "bi", "yo", "cu", "de", "ma" };

static size_t tag_name(size_t rank, char *out)
{
	if (rank < NTOP) {
		size_t n = strlen(top_tags[rank]);
		memcpy(out, top_tags[rank], n);
		return n;
	}
	size_t r = rank - NTOP, n = 0;
	const char *parts[3] = { syllables[r % 32], syllables[(r / 32) % 32], syllables[(r / 1024) % 32] };
	for (int i = 0; i < 3; i++) {
		if (i == 2)
			out[n++] = '-';
		size_t l = strlen(parts[i]);
		memcpy(out + n, parts[i], l);
		n += l;
	}
	return n;
}

/* ---- the plan ---------------------------------------------------------------------------------- */

int datagen_record_ntags(const struct datagen_plan *p, int64_t i)
{
	struct datagen_rng r;
	datagen_rng_init(&r, p->opts.seed, S_RECORD_NTAGS, (uint64_t)i);
	unsigned x = (unsigned)datagen_rng_below(&r, 100);
	int k = 0;
	while (k < 5 && x >= tag_count_weight[k])
		x -= tag_count_weight[k++];
	return k;
}

int datagen_user_ntags(const struct datagen_plan *p, int64_t u)
{
	struct datagen_rng r;
	datagen_rng_init(&r, p->opts.seed, S_USER_TAGS, (uint64_t)u);
	return (int)datagen_rng_below(&r, USER_TAGS_MAX + 1);
}

void datagen_plan_init(struct datagen_plan *p, const struct datagen_opts *o)
{
	memset(p, 0, sizeof *p);
	p->opts = *o;
	p->users = llround(1000.0 * o->scale);
	p->records = llround(100000.0 * o->scale);
	if (p->users < 1)
		p->users = 1;
	if (p->records < 1)
		p->records = 1;
	double total = 0, acc = 0;
	for (size_t i = 0; i < o->nstatus; i++)
		total += o->status_weight[i];
	for (size_t i = 0; i < o->nstatus; i++) {
		acc += o->status_weight[i];
		p->status_cdf[i] = acc / total;
	}
	p->status_cdf[o->nstatus - 1] = 1.0;

	struct datagen_rng r;
	datagen_rng_init(&r, o->seed, S_KEYS, 0);
	datagen_perm_init(&p->user_perm, (uint64_t)p->users, datagen_rng_next(&r));
	datagen_perm_init(&p->updated_perm, (uint64_t)p->records, datagen_rng_next(&r));
	datagen_zipf_init(&p->user_zipf, (size_t)p->users, o->user_zipf);
	datagen_zipf_init(&p->tag_zipf, TAG_VOCABULARY, TAG_ZIPF);

	/* the text pool the contents are cut from: random words, built once (one memcpy a row instead of
	 * forty word draws); starts of words are recorded so every content starts at one */
	p->pool = pgpb_malloc(DATAGEN_POOL_BYTES + 4096 + 16);
	p->pool_words = pgpb_reallocarray(NULL, DATAGEN_POOL_BYTES / 2, sizeof *p->pool_words);
	datagen_rng_init(&r, o->seed, S_POOL, 0);
	size_t at = 0;
	p->npool_words = 0;
	while (at < DATAGEN_POOL_BYTES + 4096) {
		size_t w = datagen_rng_below(&r, NWORDS);
		if (at < DATAGEN_POOL_BYTES)
			p->pool_words[p->npool_words++] = (uint32_t)at;
		memcpy(p->pool + at, words[w].s, words[w].n);
		at += words[w].n;
		p->pool[at++] = ' ';
	}

	/* chunks: small enough for progress and balance, large enough that each COPY is worth its round trip */
	int jobs = o->jobs > 0 ? o->jobs : 1;
	p->chunk = p->records / (jobs * 16);
	p->chunk = p->chunk < 512 ? 512 : p->chunk > 65536 ? 65536 : p->chunk;
	p->nchunks = (p->records + p->chunk - 1) / p->chunk;
	p->uchunk = p->users / (jobs * 4);
	p->uchunk = p->uchunk < 256 ? 256 : p->uchunk > 65536 ? 65536 : p->uchunk;
	p->nuchunks = (p->users + p->uchunk - 1) / p->uchunk;
	p->rec_tag_off = pgpb_reallocarray(NULL, (size_t)(p->nchunks + 1), sizeof *p->rec_tag_off);
	p->user_tag_off = pgpb_reallocarray(NULL, (size_t)(p->nuchunks + 1), sizeof *p->user_tag_off);
	int64_t sum = 0;
	for (int64_t c = 0; c < p->nchunks; c++) {
		p->rec_tag_off[c] = sum;
		int64_t end = (c + 1) * p->chunk < p->records ? (c + 1) * p->chunk : p->records;
		for (int64_t i = c * p->chunk; i < end; i++)
			sum += datagen_record_ntags(p, i);
	}
	p->rec_tag_off[p->nchunks] = sum;
	p->rec_tags = sum;
	for (int64_t c = 0; c < p->nuchunks; c++) {
		p->user_tag_off[c] = sum;
		int64_t end = (c + 1) * p->uchunk < p->users ? (c + 1) * p->uchunk : p->users;
		for (int64_t u = c * p->uchunk; u < end; u++)
			sum += datagen_user_ntags(p, u);
	}
	p->user_tag_off[p->nuchunks] = sum;
	p->user_tags = sum - p->rec_tags;
}

void datagen_plan_password(struct datagen_plan *p)
{
	/* one Django hash for every user: a salt from the seed, PBKDF2 computed once */
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	char salt[23];
	struct datagen_rng r;
	datagen_rng_init(&r, p->opts.seed, S_SALT, 0);
	for (int i = 0; i < 22; i++)
		salt[i] = alnum[datagen_rng_below(&r, 62)];
	salt[22] = '\0';
	datagen_django_hash(DATAGEN_PASSWORD, salt, DATAGEN_PBKDF2_ITERATIONS, p->password, sizeof p->password);
}

void datagen_plan_free(struct datagen_plan *p)
{
	datagen_zipf_free(&p->user_zipf);
	datagen_zipf_free(&p->tag_zipf);
	free(p->rec_tag_off);
	free(p->user_tag_off);
	free(p->pool);
	free(p->pool_words);
	p->rec_tag_off = p->user_tag_off = NULL;
	p->pool = NULL;
	p->pool_words = NULL;
}

/* ---- COPY binary encoding ---------------------------------------------------------------------- */

void datagen_buf_reserve(struct datagen_buf *b, size_t extra)
{
	if (b->len + extra <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 65536;
	while (cap < b->len + extra)
		cap *= 2;
	b->data = pgpb_realloc(b->data, cap);
	b->cap = cap;
}

void datagen_buf_free(struct datagen_buf *b)
{
	free(b->data);
	memset(b, 0, sizeof *b);
}

static inline void put16(struct datagen_buf *b, int v)
{
	b->data[b->len++] = (unsigned char)(v >> 8);
	b->data[b->len++] = (unsigned char)v;
}
static inline void put32(struct datagen_buf *b, int64_t v)
{
	for (int s = 24; s >= 0; s -= 8)
		b->data[b->len++] = (unsigned char)(v >> s);
}
static inline void field_int4(struct datagen_buf *b, int64_t v)
{
	put32(b, 4);
	put32(b, v);
}
static inline void field_int8(struct datagen_buf *b, int64_t v)
{
	put32(b, 8);
	for (int s = 56; s >= 0; s -= 8)
		b->data[b->len++] = (unsigned char)((uint64_t)v >> s);
}
static inline void field_bool(struct datagen_buf *b, int v)
{
	put32(b, 1);
	b->data[b->len++] = v ? 1 : 0;
}
static inline void field_null(struct datagen_buf *b)
{
	put32(b, -1);
}
static inline void field_text(struct datagen_buf *b, const char *s, size_t n)
{
	put32(b, (int64_t)n);
	memcpy(b->data + b->len, s, n);
	b->len += n;
}
/* starts a text field whose length is patched in afterwards */
static inline size_t field_open(struct datagen_buf *b)
{
	size_t at = b->len;
	b->len += 4;
	return at;
}
static inline void field_close(struct datagen_buf *b, size_t at)
{
	uint32_t n = (uint32_t)(b->len - at - 4);
	b->data[at] = (unsigned char)(n >> 24), b->data[at + 1] = (unsigned char)(n >> 16);
	b->data[at + 2] = (unsigned char)(n >> 8), b->data[at + 3] = (unsigned char)n;
}

void datagen_copy_header(struct datagen_buf *b)
{
	static const unsigned char sig[11] = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n', 0 };
	datagen_buf_reserve(b, 19);
	memcpy(b->data + b->len, sig, 11);
	b->len += 11;
	put32(b, 0); /* flags */
	put32(b, 0); /* header extension length */
}

void datagen_copy_trailer(struct datagen_buf *b)
{
	datagen_buf_reserve(b, 2);
	put16(b, -1);
}

const char *datagen_copy_columns(enum datagen_table t)
{
	switch (t) {
	case DATAGEN_USERS:
		return "auth_user (id, password, last_login, is_superuser, username, first_name, last_name, email, is_staff, "
		       "is_active, date_joined)";
	case DATAGEN_RECORDS:
		return "record (id, auth_user_id, parent_id, status, updated, label, content)";
	default:
		return "tag (id, kind, kind_id, tag)";
	}
}

/* ---- rows -------------------------------------------------------------------------------------- */

static size_t lower_copy(char *out, const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		out[n++] = (*s >= 'A' && *s <= 'Z') ? (char)(*s + 32) : *s;
	return n;
}

void datagen_row_user(const struct datagen_plan *p, int64_t i, struct datagen_buf *b)
{
	struct datagen_rng r;
	datagen_rng_init(&r, p->opts.seed, S_USER, (uint64_t)i);
	const char *first = first_names[datagen_rng_below(&r, sizeof first_names / sizeof first_names[0])];
	const char *last = last_names[datagen_rng_below(&r, sizeof last_names / sizeof last_names[0])];
	if (datagen_rng_below(&r, 100) == 0)
		first = "";
	if (datagen_rng_below(&r, 100) == 0)
		last = "";
	const char *domain = domains[datagen_rng_below(&r, 3)];
	int64_t joined = DATAGEN_REF_US - 86400 * INT64_C(1000000) -
	                 (int64_t)datagen_rng_below(&r, (uint64_t)(JOIN_SPAN_US - 86400 * INT64_C(1000000)));
	int never = datagen_rng_below(&r, 10) == 0;
	int64_t login = joined + (int64_t)datagen_rng_below(&r, (uint64_t)(DATAGEN_REF_US - joined));
	int staff = datagen_rng_below(&r, 100) == 0, active = datagen_rng_below(&r, 100) >= 3;
	int admin = i == 0; /* user 1 is "admin", a superuser, so the Django admin site has a way in */

	char user[200];
	size_t un = 0;
	if (admin) {
		un = (size_t)snprintf(user, sizeof user, "admin");
	} else {
		un = lower_copy(user, first);
		if (*first && *last)
			user[un++] = '.';
		un += lower_copy(user + un, last);
		un += (size_t)snprintf(user + un, sizeof user - un, "%lld", (long long)(i + 1));
	}
	size_t pwlen = strlen(p->password);
	datagen_buf_reserve(b, 2 + 11 * 4 + pwlen + 3 * un + 200);
	put16(b, 11);
	field_int4(b, i + 1);
	field_text(b, p->password, pwlen);
	if (never && !admin)
		field_null(b);
	else
		field_int8(b, login);
	field_bool(b, admin);
	field_text(b, user, un);
	field_text(b, first, strlen(first));
	field_text(b, last, strlen(last));
	size_t at = field_open(b);
	memcpy(b->data + b->len, user, un);
	b->len += un;
	b->data[b->len++] = '@';
	size_t dl = strlen(domain);
	memcpy(b->data + b->len, domain, dl);
	b->len += dl;
	field_close(b, at);
	field_bool(b, admin || staff);
	field_bool(b, admin || active);
	field_int8(b, joined);
}

int64_t datagen_record_user(const struct datagen_plan *p, int64_t i)
{
	struct datagen_rng r;
	datagen_rng_init(&r, p->opts.seed, S_RECORD_USER, (uint64_t)i);
	size_t rank = datagen_zipf_draw(&p->user_zipf, datagen_rng_u01(&r));
	return (int64_t)datagen_perm_apply(&p->user_perm, rank);
}

static int is_child(const struct datagen_plan *p, int64_t i)
{
	if (i == 0)
		return 0;
	struct datagen_rng r;
	datagen_rng_init(&r, p->opts.seed, S_RECORD_PARENT, (uint64_t)i);
	return datagen_rng_u01(&r) < p->opts.children;
}

/*
 * A child looks at up to three candidates, earlier records with close ones likelier (distance i * u^3).
 * The first candidate that is itself a child passes on its own parent (preferential attachment: a parent
 * with many parts is likelier to get more); when all three are top-level, the last is the parent. So
 * children per parent follow a power law, and the parent is always an earlier top-level record.
 */
int64_t datagen_record_parent(const struct datagen_plan *p, int64_t i)
{
	if (!is_child(p, i))
		return -1;
	int64_t c = i;
	for (;;) {
		struct datagen_rng r;
		datagen_rng_init(&r, p->opts.seed, S_RECORD_PARENT, (uint64_t)c);
		datagen_rng_next(&r); /* the is_child draw */
		int64_t cand = 0;
		for (int t = 0; t < 3; t++) {
			double u = datagen_rng_u01(&r);
			int64_t d = (int64_t)((double)c * u * u * u);
			cand = c - 1 - (d < c ? d : c - 1);
			if (is_child(p, cand))
				break;
		}
		if (!is_child(p, cand))
			return cand;
		c = cand; /* a child: its parent is ours */
	}
}

/* content: a run of the text pool starting at a word, cut to length, capitalised, never ending in a space */
static inline void put_content(const struct datagen_plan *p, struct datagen_rng *r, struct datagen_buf *b, size_t len)
{
	uint32_t from = p->pool_words[datagen_rng_below(r, (uint64_t)p->npool_words)];
	unsigned char *out = b->data + b->len;
	memcpy(out, p->pool + from, len);
	out[0] = (unsigned char)(out[0] - 32);
	if (out[len - 1] == ' ')
		out[len - 1] = '.';
	b->len += len;
}

void datagen_row_record(const struct datagen_plan *p, int64_t i, struct datagen_buf *b)
{
	struct datagen_rng r;
	datagen_rng_init(&r, p->opts.seed, S_RECORD, (uint64_t)i);
	double su = datagen_rng_u01(&r);
	size_t st = 0;
	while (st + 1 < p->opts.nstatus && su >= p->status_cdf[st])
		st++;
	/* unique: a permuted slot of width SPAN/records each, plus jitter inside the slot */
	int64_t width = SPAN_US / p->records;
	int64_t slot = (int64_t)datagen_perm_apply(&p->updated_perm, (uint64_t)i);
	int64_t updated = DATAGEN_REF_US - 1 - slot * width - (int64_t)datagen_rng_below(&r, (uint64_t)width);
	int nlabel = 3 + (int)datagen_rng_below(&r, 10);
	double len = exp(log(200.0) + 0.7 * datagen_rng_normal(&r));
	size_t clen = len < 16 ? 16 : len > 4096 ? 4096 : (size_t)len;
	int64_t parent = datagen_record_parent(p, i);
	int64_t user = datagen_record_user(p, i);

	datagen_buf_reserve(b, 2 + 7 * 4 + 8 * 3 + 32 + 12 * 14 + clen + 16);
	put16(b, 7);
	field_int4(b, i + 1);
	field_int4(b, user + 1);
	if (parent < 0)
		field_null(b);
	else
		field_int4(b, parent + 1);
	field_text(b, p->opts.status[st], strlen(p->opts.status[st]));
	field_int8(b, updated);
	size_t at = field_open(b);
	size_t start = b->len;
	for (int w = 0; w < nlabel; w++) {
		size_t k = datagen_rng_below(&r, NWORDS);
		if (w)
			b->data[b->len++] = ' ';
		memcpy(b->data + b->len, words[k].s, words[k].n);
		if (w == 0)
			b->data[start] = (unsigned char)(b->data[start] - 32);
		b->len += words[k].n;
	}
	field_close(b, at);
	at = field_open(b);
	put_content(p, &r, b, clen);
	field_close(b, at);
}

static void tag_row(struct datagen_buf *b, int64_t id, const char *kind, size_t kindlen, int64_t kind_id,
                    size_t rank)
{
	put16(b, 4);
	field_int4(b, id);
	field_text(b, kind, kindlen);
	field_int4(b, kind_id);
	size_t at = field_open(b);
	b->len += tag_name(rank, (char *)b->data + b->len);
	field_close(b, at);
}

int datagen_record_tags(const struct datagen_plan *p, int64_t i, int64_t first_id, struct datagen_buf *b)
{
	int n = datagen_record_ntags(p, i);
	if (!n)
		return 0;
	struct datagen_rng r;
	datagen_rng_init(&r, p->opts.seed, S_RECORD_TAGS, (uint64_t)i);
	size_t chosen[5];
	datagen_buf_reserve(b, (size_t)n * 64);
	for (int k = 0; k < n; k++) {
		size_t rank = datagen_zipf_draw(&p->tag_zipf, datagen_rng_u01(&r));
		/* distinct tags a record: redraw a few times, then take the next free rank */
		for (int tries = 0;; tries++) {
			int dup = 0;
			for (int j = 0; j < k; j++)
				dup |= chosen[j] == rank;
			if (!dup)
				break;
			rank = tries < 8 ? datagen_zipf_draw(&p->tag_zipf, datagen_rng_u01(&r)) : (rank + 1) % TAG_VOCABULARY;
		}
		chosen[k] = rank;
		tag_row(b, first_id + k + 1, "rec", 3, i + 1, rank);
	}
	return n;
}

int datagen_user_tags(const struct datagen_plan *p, int64_t u, int64_t first_id, struct datagen_buf *b)
{
	int n = datagen_user_ntags(p, u);
	struct datagen_rng r;
	datagen_rng_init(&r, p->opts.seed, S_USER_TAGS, (uint64_t)u);
	datagen_rng_next(&r); /* the count's draw */
	datagen_buf_reserve(b, (size_t)n * 64);
	for (int k = 0; k < n; k++)
		tag_row(b, first_id + k + 1, "user", 4, u + 1, datagen_zipf_draw(&p->tag_zipf, datagen_rng_u01(&r)));
	return n;
}
