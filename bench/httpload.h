/*
 * httpload.h: the HTTP side of `pgpagebench http-compare --url`: an existing load tool (Apache Bench, or
 * wrk when asked) run against a web app's list endpoint, never through a shell (posix_spawn with an argv),
 * its output kept in files for plots/ab.h and plots/wrk.h to read; and one plain GET of a page before any
 * load, to see that the URL answers and how many records the page holds. It lives in bench/ beside the
 * database driver because it loads (it draws nothing); cmd/http_compare.c runs it step by step between
 * the database steps (bench/bench.h: run_opts.before_step).
 */
#ifndef PGPB_HTTPLOAD_H
#define PGPB_HTTPLOAD_H

#include <stddef.h>

enum http_tool { HTTP_TOOL_AB, HTTP_TOOL_WRK };
extern const char *const http_tool_names[]; /* "ab", "wrk", NULL: for cli_parse_choice */

/* An http:// URL taken apart; path keeps its {page} and {offset} placeholders. */
struct http_url {
	char host[256];
	long port; /* 80 when absent */
	char path[2048]; /* from the first '/', "/" when absent */
};
/* 0, or -1 with a reason in err (one line, lower case, no period). Only http:// is accepted (the GET before
 * the load speaks plain HTTP). */
int http_url_parse(const char *url, struct http_url *u, char *err, size_t err_len);
/* Whether the path asks for a page: 1 when it holds {page} or {offset}, else 0. */
int http_url_has_placeholder(const struct http_url *u);
/* The URL of one page: {page} replaced by page, {offset} by offset; into out as "http://host:port/path".
 * path_only: the path alone. 0, or -1 when it does not fit. */
int http_url_expand(const struct http_url *u, long page, long offset, int path_only, char *out, size_t len);

/* The tool's executable on PATH into exe; -1 when missing (logged, with the apt-get line that installs it). */
int http_tool_find(enum http_tool tool, char *exe, size_t len);

/* What one GET of a page answered. */
struct http_probe {
	int status; /* the HTTP status code */
	char status_line[160]; /* "HTTP/1.0 200 OK" */
	size_t body_len;
	long records; /* records in the JSON body (http_count_records), -1 when they could not be counted */
	char records_how[160]; /* how they were counted, or why not */
};
/* GETs host:port path over HTTP/1.0 (the connection closed after), at most timeout_s to connect and as
 * long again for each read, the body at most 16 MB. json_list: the member of a JSON object holding the
 * records (NULL: the body itself when it is a JSON array, else the first of "results", "records",
 * "items", "data" that is an array). 0, or -1 with err ("connection refused", ...). */
int http_probe(const struct http_url *u, const char *path, const char *json_list, double timeout_s,
               struct http_probe *out, char *err, size_t err_len);
/* The records of a JSON body, counted as http_probe says: the count, or -1 with why in how. */
long http_count_records(const char *body, size_t len, const char *json_list, char *how, size_t how_len);

/* One load of the tool against one URL. */
struct http_load {
	enum http_tool tool;
	const char *exe; /* from http_tool_find */
	const char *url; /* the page's full URL */
	long concurrency;
	long requests; /* ab -n; 0 = by duration */
	double duration_s; /* whole seconds (ab -t, wrk -d); used when requests is 0 */
	int threads; /* wrk -t (at most concurrency) */
	const char *lua; /* wrk -s: the script printing the percentiles (bench/wrk_percentiles.lua) */
	const char *out_prefix; /* the files: PREFIX.ab.txt, .ab.csv, .ab.tsv; or PREFIX.wrk.txt; NULL = none kept */
};
/* Runs the load and waits for it. SIGINT or SIGTERM stops the tool (the status then is sig_exit_status's).
 * 0, or -1 (logged: the tool's exit status and the last line it wrote on stderr). */
int http_load_run(const struct http_load *l);
/* The file names the load writes, for the readers: kind "txt", "csv" or "tsv" (ab), "txt" (wrk). */
void http_load_file(const struct http_load *l, const char *kind, char *out, size_t len);

/* wrk's script (bench/wrk_percentiles.lua, embedded) written to path, for wrk -s. 0, or -1 (logged). */
int http_write_wrk_script(const char *path);

#endif
