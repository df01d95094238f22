"""aiohttp_app.py: the seed article's aiohttp stack: one process, one event loop, asyncpg's pool,
/records/?page=N as JSON. Run as `python3 aiohttp_app.py PORT`. The pool holds SEED_POOL connections
(default 10, asyncpg's default max_size), so the database sees at most that many queries at once however
many HTTP clients wait."""
import asyncio
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import asyncpg  # noqa: E402
from aiohttp import web  # noqa: E402

import common  # noqa: E402

SQL = common.seed_sql()


async def records(request):
    offset = common.page_offset(request.query.get("page"))
    if offset is None:
        return web.Response(status=400, text="bad page number\n")
    async with request.app["pool"].acquire() as conn:
        rows = await conn.fetch(SQL, offset)
    names = list(rows[0].keys()) if rows else []
    body = common.page_json([tuple(r.values()) for r in rows], names)
    return web.Response(text=json.dumps(body), content_type="application/json")


async def open_pool(app):
    size = int(os.environ.get("SEED_POOL", "10"))
    app["pool"] = await asyncpg.create_pool(
        host=os.environ.get("PGHOST"),
        port=os.environ.get("PGPORT"),
        user=os.environ.get("PGUSER"),
        database=os.environ.get("PGDATABASE", "postgres"),
        min_size=size,
        max_size=size,
    )
    yield
    await app["pool"].close()


def main():
    app = web.Application()
    app.router.add_get("/records/", records)
    app.cleanup_ctx.append(open_pool)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log=None, print=None)


if __name__ == "__main__":
    asyncio.set_event_loop(asyncio.new_event_loop())
    main()
