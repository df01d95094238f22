"""common.py: what the three web stacks of the seed article share: the page query (the tool's own
schema/query.sql, so the HTTP side and the database side run the same text), the page arithmetic and the
JSON shape of a page. Each app turns the query's $1 into its driver's placeholder."""
import datetime
import os

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE_SIZE = 10


def seed_sql():
    """The seed query, without its comment lines and trailing semicolon; $1 is the OFFSET."""
    path = os.environ.get("SEED_SQL", os.path.join(HERE, "..", "..", "schema", "query.sql"))
    with open(path, encoding="utf-8") as f:
        lines = [l for l in f.read().splitlines() if not l.lstrip().startswith("--")]
    return "\n".join(lines).strip().rstrip(";")


def page_offset(page_text):
    """The OFFSET of ?page=N (1-based, as Django's paginator), or None for a bad page number."""
    try:
        page = int(page_text or "1")
    except ValueError:
        return None
    return (page - 1) * PAGE_SIZE if page >= 1 else None


def _plain(v):
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    return v


def page_json(rows, names):
    """{"count": total, "records": [...]}: the page's rows as objects, the total from COUNT(*) OVER()."""
    records = [{n: _plain(v) for n, v in zip(names, row)} for row in rows]
    total = records[0]["cnt"] if records else 0
    return {"count": total, "records": records}
