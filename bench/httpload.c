/*
 * httpload.c: the HTTP side of `pgpagebench http-compare --url` (bench/httpload.h): the URL taken apart,
 * the load tool found on PATH and run with an argv (posix_spawn, no shell: the URL is user text), its
 * output sent to files, and one plain HTTP/1.0 GET per page before any load, which says whether the app
 * answers and how many records the page holds.
 */
#include "bench/httpload.h"
#include "common/alloc.h"
#include "common/log.h"
#include "common/sig.h"
#include "common/sqlfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define PROBE_BODY_MAX ((size_t)16 << 20)
#define AB_DURATION_REQUESTS "1000000" /* ab -t caps the requests at 50,000 unless -n follows */

const char *const http_tool_names[] = { "ab", "wrk", NULL };
static const char *const tool_packages[] = { "apache2-utils", "wrk" };

/* ---- the URL ---------------------------------------------------------------------------------------- */

int http_url_parse(const char *url, struct http_url *u, char *err, size_t err_len)
{
	memset(u, 0, sizeof *u);
	if (strncmp(url, "http://", 7) != 0) {
		snprintf(err, err_len, "invalid URL \"%.200s\": only http:// URLs are supported", url);
		return -1;
	}
	const char *h = url + 7, *end = h + strcspn(h, "/?#");
	const char *colon = NULL;
	if (*h == '[') { /* [IPv6]:port */
		const char *rb = memchr(h, ']', (size_t)(end - h));
		if (!rb) {
			snprintf(err, err_len, "invalid URL \"%.200s\": unterminated [address]", url);
			return -1;
		}
		if ((size_t)(rb - h - 1) >= sizeof u->host)
			goto too_long;
		memcpy(u->host, h + 1, (size_t)(rb - h - 1));
		colon = rb[1] == ':' ? rb + 1 : NULL;
		if (!colon && rb + 1 != end) {
			snprintf(err, err_len, "invalid URL \"%.200s\": junk after the address", url);
			return -1;
		}
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
		size_t hl = (size_t)((colon ? colon : end) - h);
		if (hl >= sizeof u->host)
			goto too_long;
		memcpy(u->host, h, hl);
	}
	if (!u->host[0]) {
		snprintf(err, err_len, "invalid URL \"%.200s\": no host", url);
		return -1;
	}
	u->port = 80;
	if (colon) {
		char *e;
		errno = 0;
		long p = strtol(colon + 1, &e, 10);
		if (e != end || colon + 1 == end || errno || p < 1 || p > 65535) {
			snprintf(err, err_len, "invalid port \"%.*s\" in the URL", (int)(end - colon - 1 < 20 ? end - colon - 1 : 20),
			         colon + 1);
			return -1;
		}
		u->port = p;
	}
	if (*end == '/')
		snprintf(u->path, sizeof u->path, "%s", end);
	else
		snprintf(u->path, sizeof u->path, "/%s", end);
	if (strlen(end) + 1 >= sizeof u->path)
		goto too_long;
	return 0;
too_long:
	snprintf(err, err_len, "invalid URL \"%.80s...\": too long", url);
	return -1;
}

int http_url_has_placeholder(const struct http_url *u)
{
	return strstr(u->path, "{page}") || strstr(u->path, "{offset}");
}

int http_url_expand(const struct http_url *u, long page, long offset, int path_only, char *out, size_t len)
{
	size_t o = 0;
	int n;
	if (!path_only) {
		n = strchr(u->host, ':') ? snprintf(out, len, "http://[%s]:%ld", u->host, u->port)
		                         : snprintf(out, len, "http://%s:%ld", u->host, u->port);
		if (n < 0 || (size_t)n >= len)
			return -1;
		o = (size_t)n;
	}
	for (const char *p = u->path; *p;) {
		if (strncmp(p, "{page}", 6) == 0) {
			n = snprintf(out + o, len - o, "%ld", page);
			p += 6;
		} else if (strncmp(p, "{offset}", 8) == 0) {
			n = snprintf(out + o, len - o, "%ld", offset);
			p += 8;
		} else {
			n = snprintf(out + o, len - o, "%c", *p);
			p++;
		}
		if (n < 0 || (size_t)n >= len - o)
			return -1;
		o += (size_t)n;
	}
	return 0;
}

/* ---- the tool ---------------------------------------------------------------------------------------- */

int http_tool_find(enum http_tool tool, char *exe, size_t len)
{
	const char *name = http_tool_names[tool];
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		snprintf(exe, len, "%.*s/%s", (int)(n ? n : 1), n ? p : ".", name);
		struct stat st;
		if (stat(exe, &st) == 0 && S_ISREG(st.st_mode) && access(exe, X_OK) == 0)
			return 0;
		p += n;
		if (*p == ':')
			p++;
	}
	log_error("could not find \"%s\" on PATH: http-compare runs the HTTP load with it", name);
	log_hint("Install it with: apt-get install %s%s", tool_packages[tool],
	         tool == HTTP_TOOL_WRK ? " (or use --http-tool ab)" : "");
	exe[0] = '\0';
	return -1;
}

void http_load_file(const struct http_load *l, const char *kind, char *out, size_t len)
{
	snprintf(out, len, "%s.%s.%s", l->out_prefix, http_tool_names[l->tool], kind);
}

/* The last non-empty line of a file (the tool's stderr), into buf; "" when none. */
static void last_line(const char *path, char *buf, size_t len)
{
	buf[0] = '\0';
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char line[512];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0])
			snprintf(buf, len, "%s", line);
	}
	fclose(f);
}

int http_load_run(const struct http_load *l)
{
	char txt[4200], csv[4200], tsv[4200], errpath[4200];
	char conc[24], num[24], secs[24], threads[24], dur[32];
	const char *argv[32];
	int a = 0;
	snprintf(conc, sizeof conc, "%ld", l->concurrency);
	snprintf(num, sizeof num, "%ld", l->requests);
	snprintf(secs, sizeof secs, "%.0f", l->duration_s);
	snprintf(threads, sizeof threads, "%d", l->threads > 0 ? l->threads : 1);
	if (l->out_prefix) {
		http_load_file(l, "txt", txt, sizeof txt);
		http_load_file(l, "csv", csv, sizeof csv);
		http_load_file(l, "tsv", tsv, sizeof tsv);
		snprintf(errpath, sizeof errpath, "%s.%s.stderr", l->out_prefix, http_tool_names[l->tool]);
	} else {
		snprintf(txt, sizeof txt, "/dev/null");
		snprintf(errpath, sizeof errpath, "/dev/null");
	}
	argv[a++] = http_tool_names[l->tool];
	if (l->tool == HTTP_TOOL_AB) {
		/* -r: a failed receive is counted, not the end of the run; -q: no progress lines */
		argv[a++] = "-q";
		argv[a++] = "-r";
		argv[a++] = "-c";
		argv[a++] = conc;
		if (l->requests > 0) {
			argv[a++] = "-n";
			argv[a++] = num;
		} else { /* -t sets -n to 50,000: the -n after it lifts the cap */
			argv[a++] = "-t";
			argv[a++] = secs;
			argv[a++] = "-n";
			argv[a++] = AB_DURATION_REQUESTS;
		}
		if (l->out_prefix) {
			argv[a++] = "-e";
			argv[a++] = csv;
			argv[a++] = "-g";
			argv[a++] = tsv;
		}
	} else {
		snprintf(dur, sizeof dur, "%ss", secs);
		argv[a++] = "-t";
		argv[a++] = threads;
		argv[a++] = "-c";
		argv[a++] = conc;
		argv[a++] = "-d";
		argv[a++] = dur;
		argv[a++] = "--latency";
		argv[a++] = "--timeout"; /* wrk's 2 s would drop the slowest requests from its latency: ab's 30 s */
		argv[a++] = "30s";
		if (l->lua) {
			argv[a++] = "-s";
			argv[a++] = l->lua;
		}
	}
	argv[a++] = l->url;
	argv[a] = NULL;

	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, txt, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, errpath, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	pid_t pid;
	int rc = posix_spawn(&pid, l->exe, &fa, NULL, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		log_error("could not run \"%s\": %s", l->exe, strerror(rc));
		return -1;
	}
	int status = 0, killed = 0;
	for (;;) {
		pid_t w = waitpid(pid, &status, 0);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			log_error("could not wait for \"%s\": %s", l->exe, strerror(errno));
			return -1;
		}
		if (sig_caught() && !killed) { /* the tool may not have seen the signal (not from a terminal) */
			kill(pid, SIGTERM);
			killed = 1;
		}
	}
	if (sig_caught())
		return -1;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	char why[512];
	last_line(errpath, why, sizeof why);
	if (WIFEXITED(status))
		log_error("%s exited with status %d against \"%s\"%s%s", argv[0], WEXITSTATUS(status), l->url,
		          why[0] ? ": " : "", why);
	else
		log_error("%s was terminated by signal %d against \"%s\"", argv[0], WIFSIGNALED(status) ? WTERMSIG(status) : 0,
		          l->url);
	return -1;
}

int http_write_wrk_script(const char *path)
{
	const char *text = sql_get("bench/wrk_percentiles.lua");
	FILE *f = text ? fopen(path, "w") : NULL;
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		log_error("could not write \"%s\": %s", path, text ? strerror(errno) : "the script is not in the binary");
		return -1;
	}
	return 0;
}

/* ---- one GET ---------------------------------------------------------------------------------------- */

long http_count_records(const char *body, size_t len, const char *json_list, char *how, size_t how_len)
{
	json_error_t je;
	json_t *doc = json_loadb(body, len, 0, &je);
	if (!doc) {
		snprintf(how, how_len, "the body is not JSON (%s)", je.text);
		return -1;
	}
	long n = -1;
	if (json_list) {
		json_t *a = json_is_object(doc) ? json_object_get(doc, json_list) : NULL;
		if (json_is_array(a)) {
			n = (long)json_array_size(a);
			snprintf(how, how_len, "the length of the JSON list \"%s\"", json_list);
		} else
			snprintf(how, how_len, "the body has no JSON list \"%s\"", json_list);
	} else if (json_is_array(doc)) {
		n = (long)json_array_size(doc);
		snprintf(how, how_len, "the length of the JSON list");
	} else if (json_is_object(doc)) {
		static const char *const keys[] = { "results", "records", "items", "data" };
		for (size_t k = 0; k < sizeof keys / sizeof keys[0] && n < 0; k++) {
			json_t *a = json_object_get(doc, keys[k]);
			if (json_is_array(a)) {
				n = (long)json_array_size(a);
				snprintf(how, how_len, "the length of the JSON list \"%s\"", keys[k]);
			}
		}
		if (n < 0)
			snprintf(how, how_len, "the JSON object has no list \"results\", \"records\", \"items\" or \"data\" "
			         "(name it with --json-list)");
	} else
		snprintf(how, how_len, "the JSON body is neither a list nor an object");
	json_decref(doc);
	return n;
}

/* Waits for fd to be ready for events, at most timeout_s (interrupted by a caught signal). 1 ready, 0 timeout,
 * -1 error or signal. */
static int wait_fd(int fd, short events, double timeout_s)
{
	struct pollfd p = { .fd = fd, .events = events };
	int ms = (int)(timeout_s * 1000);
	for (;;) {
		int r = poll(&p, 1, ms);
		if (r >= 0)
			return r;
		if (errno != EINTR || sig_caught())
			return -1;
	}
}

/* A connected socket to host:port within timeout_s, or -1 with err. */
static int connect_to(const struct http_url *u, double timeout_s, char *err, size_t err_len)
{
	char port[16];
	snprintf(port, sizeof port, "%ld", u->port);
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	int g = getaddrinfo(u->host, port, &hints, &res);
	if (g != 0) {
		snprintf(err, err_len, "could not resolve host \"%s\": %s", u->host, gai_strerror(g));
		return -1;
	}
	int fd = -1, saved = 0;
	for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
		if (fd < 0) {
			saved = errno;
			continue;
		}
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		saved = errno;
		if (errno == EINPROGRESS) {
			int r = wait_fd(fd, POLLOUT, timeout_s);
			socklen_t sl = sizeof saved;
			if (r == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &saved, &sl) == 0 && saved == 0)
				break;
			if (r == 0)
				saved = ETIMEDOUT;
			else if (r < 0)
				saved = EINTR;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(err, err_len, "could not connect to %s port %ld: %s", u->host, u->port, strerror(saved));
	return fd;
}

int http_probe(const struct http_url *u, const char *path, const char *json_list, double timeout_s,
               struct http_probe *out, char *err, size_t err_len)
{
	memset(out, 0, sizeof *out);
	out->records = -1;
	int fd = connect_to(u, timeout_s, err, err_len);
	if (fd < 0)
		return -1;
	char req[4096];
	int n = snprintf(req, sizeof req,
	                 "GET %s HTTP/1.0\r\nHost: %s:%ld\r\nUser-Agent: pgpagebench\r\nAccept: application/json\r\n"
	                 "Connection: close\r\n\r\n",
	                 path, u->host, u->port);
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc = -1;
	if (n < 0 || (size_t)n >= sizeof req) {
		snprintf(err, err_len, "the request for \"%.200s\" is too long", path);
		goto out;
	}
	for (size_t sent = 0; sent < (size_t)n;) {
		ssize_t w = send(fd, req + sent, (size_t)n - sent, MSG_NOSIGNAL);
		if (w < 0 && (errno == EAGAIN || errno == EINTR) && !sig_caught() && wait_fd(fd, POLLOUT, timeout_s) == 1)
			continue;
		if (w <= 0) {
			snprintf(err, err_len, "could not send the request to %s port %ld: %s", u->host, u->port,
			         w < 0 ? strerror(errno) : "connection closed");
			goto out;
		}
		sent += (size_t)w;
	}
	for (;;) {
		int r = wait_fd(fd, POLLIN, timeout_s);
		if (r <= 0) {
			snprintf(err, err_len, "no answer from %s port %ld within %g s%s", u->host, u->port, timeout_s,
			         r < 0 ? " (interrupted)" : "");
			goto out;
		}
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 131072;
			buf = pgpb_realloc(buf, cap + 1);
		}
		ssize_t got = recv(fd, buf + len, cap - len, 0);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (got < 0) {
			snprintf(err, err_len, "could not read the answer of %s port %ld: %s", u->host, u->port, strerror(errno));
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
		if (len > PROBE_BODY_MAX) {
			snprintf(err, err_len, "the answer of \"%.200s\" is larger than 16 MB", path);
			goto out;
		}
	}
	if (!buf || len < 12 || strncmp(buf, "HTTP/", 5) != 0) {
		snprintf(err, err_len, "%s port %ld did not answer in HTTP", u->host, u->port);
		goto out;
	}
	buf[len] = '\0';
	size_t sl = strcspn(buf, "\r\n");
	snprintf(out->status_line, sizeof out->status_line, "%.*s", (int)(sl < 159 ? sl : 159), buf);
	const char *sp = strchr(out->status_line, ' ');
	if (!sp || sscanf(sp, " %3d", &out->status) != 1) {
		snprintf(err, err_len, "%s port %ld answered a bad status line \"%.100s\"", u->host, u->port, out->status_line);
		goto out;
	}
	const char *body = strstr(buf, "\r\n\r\n");
	body = body ? body + 4 : buf + len;
	out->body_len = len - (size_t)(body - buf);
	if (out->status >= 200 && out->status < 300)
		out->records = http_count_records(body, out->body_len, json_list, out->records_how, sizeof out->records_how);
	else
		snprintf(out->records_how, sizeof out->records_how, "not counted: status %d", out->status);
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}
