#!/usr/bin/env python3
"""records_app.py: the smallest web app that serves the seed query's page as JSON, for the tests of
`pgpagebench http-compare --url` (tests/integration/http_compare_url.sh). Flask over psycopg2, a pool of
database connections (libpq's PG* variables say where), on 127.0.0.1 and a free port that it
prints as "port: N" once it listens (the test waits for that line, not for a clock).

  GET /records/?page=N   {"count": total, "results": [ten records]}, page N from 1 (OFFSET (N-1) x 10)
  GET /records/?offset=N the same by OFFSET
  GET /short/?page=N     the page less its last record (a page that returns fewer records than the query)
  GET /error/?page=N     status 500 (an app that fails)
  GET /slow/?page=N      the page after a pause of --slow-ms (an app much slower than its database)
  GET /modes/?page=N     page 1 as /error/, 2 as /short/, 3 as /slow/, the others as /records/

Usage: records_app.py QUERY_SQL_FILE [--slow-ms MS]
"""
import sys
import time

import psycopg2.pool
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

PAGE_SIZE = 10


def load_query(path):
    lines = [l for l in open(path, encoding="utf-8") if not l.lstrip().startswith("--")]
    sql = "".join(lines).strip().rstrip(";")
    return sql.replace("%", "%%").replace("$1", "%s")


def main():
    sql = load_query(sys.argv[1])
    slow_ms = int(sys.argv[sys.argv.index("--slow-ms") + 1]) if "--slow-ms" in sys.argv else 200
    # the server starts a thread a request: the connections are kept in a pool, not a thread's
    pool = psycopg2.pool.ThreadedConnectionPool(1, 64, "")
    app = Flask(__name__)

    def page():
        offset = request.args.get("offset")
        offset = int(offset) if offset is not None else (int(request.args.get("page", "1")) - 1) * PAGE_SIZE
        conn = pool.getconn()
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql, (offset,))
                rows = cur.fetchall()
        finally:
            pool.putconn(conn)
        records = [{"id": r[0], "auth_user_id": r[1], "status": r[2], "updated": r[3].isoformat(), "label": r[4],
                    "content": r[5], "username": r[6], "tag": r[7], "parts": r[9]} for r in rows]
        return rows[0][8] if rows else 0, records

    @app.route("/records/")
    def records():
        count, recs = page()
        return jsonify(count=count, results=recs)

    @app.route("/short/")
    def short():
        count, recs = page()
        return jsonify(count=count, results=recs[:-1])

    @app.route("/error/")
    def error():
        return jsonify(error="failing on purpose"), 500

    @app.route("/slow/")
    def slow():
        count, recs = page()
        time.sleep(slow_ms / 1000.0)
        return jsonify(count=count, results=recs)

    @app.route("/modes/")
    def modes():
        # one URL, a failure mode a page: 1 fails, 2 is short, 3 is slow, the others are right
        p = int(request.args.get("page", "1"))
        if p == 1:
            return error()
        if p == 2:
            return short()
        if p == 3:
            return slow()
        return records()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    print("port: %d" % server.server_port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
