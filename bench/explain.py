"""The plans of a page's slow queries: requests each address cold (caches cleared) with the
production settings, then prints ``EXPLAIN (ANALYZE, BUFFERS)`` of every query it made that
took at least ``--slower-than`` milliseconds (``--editor``: signed in as a superuser, for the
desk and the admin's lists). PostgreSQL only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crisis_tracker_bench_field \\
        .venv/bin/python -m bench.explain '/api/v1/events/?actor=field-00-actor-3' ...
"""

import argparse

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

import bench.production  # noqa: F401  (settings, then the app)
from events import page_cache


def client_for(editor: bool) -> Client:
    client = Client()
    if editor:
        user, _ = get_user_model().objects.get_or_create(
            username="bench-boss", defaults={"is_staff": True, "is_superuser": True}
        )
        client.force_login(user)
    return client


def slow_queries(client: Client, url: str, slower_than: float) -> list[tuple[float, str]]:
    cache.clear()
    page_cache._held.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return [
        (float(query["time"]) * 1000, query["sql"])
        for query in queries.captured_queries
        if float(query["time"]) * 1000 >= slower_than
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--slower-than", type=float, default=20.0, help="milliseconds")
    parser.add_argument("--editor", action="store_true", help="signed in as a superuser")
    args = parser.parse_args()
    client = client_for(args.editor)
    for url in args.urls:
        print(f"## {url}\n")
        for took, sql in slow_queries(client, url, args.slower_than):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"{took:.0f} ms: {sql[:300]}\n\n```\n{plan}\n```\n")


if __name__ == "__main__":
    main()
