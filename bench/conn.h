/*
 * conn.h: benchmark connections as small non-blocking state machines (connect, make the session read-only,
 * set search_path, prepare), so hundreds open at once without serialising and a lost one is re-established
 * inside the event loop.
 */
#ifndef PGPB_CONN_H
#define PGPB_CONN_H

#include "bench/bench.h"
#include "bench/script.h"
#include "common/ctx.h"

#include <libpq-fe.h>
#include <stdint.h>

/* What every connection of a run needs; built once from the ctx (read-only afterwards, shared). */
struct conn_params {
	struct ctx_conninfo ci; /* libpq keywords, as ctx_connect uses them */
	char *search_path_sql; /* "SET search_path = ..." or NULL (owned) */
	const char *sql; /* the statement, $1 = OFFSET */
	int nparams; /* 0 or 1 */
	enum run_protocol protocol;
	const char *stmt_name; /* prepared statement name */
	int binary; /* results in binary format: only when validation decodes columns (else text, as pgbench) */
	int init_types; /* PQinitTypes on each connection: validation decodes columns through libpqtypes */
	int read_only; /* SET default_transaction_read_only = on first (unless --allow-writes) */
	char appname[64]; /* application_name: conn_worker_appname */
	const struct script_set *scripts; /* run --script: prepared protocol prepares each statement; else NULL */
};

enum bconn_state { BC_NONE, BC_CONNECTING, BC_SETUP, BC_READY, BC_BUSY, BC_BACKOFF, BC_FAILED,
	               BC_SLEEP /* run --script: in a \sleep until backoff_until */ };

/* How far a connection's setup went: a failure is reported as connecting, making the session read-only,
 * setting search_path or preparing the statement after the last step it began. */
enum bconn_phase { BC_PHASE_CONNECT, BC_PHASE_READ_ONLY, BC_PHASE_SEARCH_PATH, BC_PHASE_PREPARE };

/* How the query in flight ended, from its results (the engines classify each: the first decides, a
 * later error overrides it, as an error at commit after the statement's own result). */
enum query_outcome {
	QUERY_PENDING, /* no result yet */
	QUERY_OK,
	QUERY_ERROR, /* the server answered with an error: counted by its SQLSTATE */
	QUERY_INVALID /* the page came back but failed validation */
};

struct bconn {
	PGconn *pg;
	enum bconn_state state;
	enum bconn_phase phase;
	int events; /* POLLIN / POLLOUT wanted while connecting or in setup */
	int fd, registered_fd; /* registered_fd: the engine's epoll bookkeeping (-1 = none) */
	unsigned registered_events;
	int64_t t_start; /* monotonic ns: the query in flight was sent */
	int64_t t_intended; /* open loop: when its schedule wanted it sent (= t_start in a closed loop) */
	int64_t backoff_until; /* BC_BACKOFF: when to reconnect */
	int backoff_ms;
	long offset; /* of the query in flight */
	enum query_outcome outcome; /* of the query in flight */
	char sqlstate[6];
	int unusable; /* the query left the connection in a state the driver cannot go on from (a COPY): close it */
	char err[256]; /* last connect or setup error */
	char err_sqlstate[6]; /* the server's SQLSTATE for a setup error ("" when it sent none) */
	/* the request in flight (monotonic ns): when it began, which with --connect-per-request is when its
	 * connection began to open (else when the query was sent), and when that connection was ready (0: a kept
	 * connection) */
	int64_t t_req, t_ready;
	int prep_next; /* run --script, prepared: the next statement to prepare in setup */
	struct script_conn *sc; /* run --script: the request in progress and the variables (engine_thread.h) */
};

/* Fills cp from the ctx (same rules as ctx_connect); 0 or -1 (logged). */
int conn_params_init(struct conn_params *cp, const struct pgpb_ctx *ctx, const char *sql, int nparams,
                     enum run_protocol protocol);
void conn_params_free(struct conn_params *cp);
/* The application_name of the run's connections: "pgpagebench run worker PID", the process's own, so two
 * runs on one server are told apart (the wait sampler's filter). */
void conn_worker_appname(char *buf, size_t len);

/* Starts connecting (state BC_CONNECTING, events = POLLOUT). -1 when libpq could not even start. */
int bconn_start(struct bconn *c, const struct conn_params *cp);
/* Drives connect and setup after the socket reported ready; returns the new state (BC_READY, BC_FAILED,
 * or still BC_CONNECTING/BC_SETUP with c->events and c->fd updated). */
enum bconn_state bconn_advance(struct bconn *c, const struct conn_params *cp);
void bconn_close(struct bconn *c);
/* The SQLSTATE a failed connect or setup counts under: the server's for a setup statement; for the connect
 * itself (libpq keeps no SQLSTATE for it) 53300 when the server or a pooler had no connection slot left,
 * else 08001 (sqlclient_unable_to_establish_sqlconnection). */
const char *bconn_failure_sqlstate(const struct bconn *c);

/*
 * Opens n connections at once (all connects in flight together, driven by poll) and sets each up.
 * Stops early on a signal. Returns the number ready; on any failure logs the first error (one line) and a
 * hint when its cause is known (max_connections for a server out of connection slots, the protocol for a
 * transaction pooler's duplicate statement), closes every connection and returns -1.
 */
int conn_open_all(struct bconn *conns, int n, const struct conn_params *cp);

int64_t mono_ns(void);

#endif
