"""flask_app.py: the seed article's Flask stack: SQLAlchemy over psycopg2, /records/?page=N as JSON, under
gunicorn (`gunicorn --threads 2xCPU flask_app:app`). SQLAlchemy's connection pool keeps one connection a
thread (pool_size = the gunicorn threads, from SEED_THREADS), as a Flask-SQLAlchemy project does."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from flask import Flask, jsonify, request  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import URL  # noqa: E402

import common  # noqa: E402

SQL = text(common.seed_sql().replace("$1", ":offset"))

url = URL.create(
    "postgresql+psycopg2",
    username=os.environ.get("PGUSER") or None,
    database=os.environ.get("PGDATABASE", "postgres"),
    query={k: v for k, v in (("host", os.environ.get("PGHOST")), ("port", os.environ.get("PGPORT"))) if v},
)
engine = create_engine(url, pool_size=int(os.environ.get("SEED_THREADS", "4")), max_overflow=0)
app = Flask(__name__)


@app.route("/records/")
def records():
    offset = common.page_offset(request.args.get("page"))
    if offset is None:
        return "bad page number\n", 400
    with engine.connect() as conn:
        result = conn.execute(SQL, {"offset": offset})
        names = list(result.keys())
        rows = result.fetchall()
    return jsonify(common.page_json(rows, names))
