"""How fast the REST API serves a page of events, against the bare database doing the same.

Fills a fresh PostgreSQL database with seed-like events (bench/datagen.py: 100 000 events
with sources, organisations, tags, provenance and metrics), serves it with gunicorn on
127.0.0.1, and times /api/events/?page_size=50 three ways: unfiltered, with year +
organisation filters, and with a text search (q). In the same run it times the floor: the
hand-written psycopg queries that fetch the same page (the count, then the 50 published
events with category, tags, organisations, metrics and sources as json_agg) and json.dumps
of the response, and the same without the count query (rows only). It prints median and
p99 of each and the ratios API median / floor median,
with the result counts and whether both returned the same events, so a filter that is not
in the API yet shows. The goal: the API's median within 3x of the floor's.

    .venv/bin/python bench/api.py [--events 100000] [--requests 200] [--concurrency 1]
                                  [--database-url URL] [--reuse]

Without --database-url the database unionarchive_bench_api on
postgres://postgres@127.0.0.1:5432 is dropped and created afresh (with --reuse it is kept
when it already holds --events events). A --database-url database is never dropped: it is
filled when empty and measured as it is with --reuse. The server is always stopped.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from bench.harness import (  # noqa: E402 - needs the project on sys.path
    database_for,
    fetch,
    free_port,
    gunicorn_start,
    gunicorn_stop,
    gunicorn_wait,
    prepare,
)

DEFAULT_NAME = "unionarchive_bench_api"
PAGE_SIZE = 50
YEAR = 2022
SEARCH = "工匠"
WARM_UP = 3

PUBLISHED = "e.status = 'published' AND e.merged_into_id IS NULL"
IN_YEAR = (
    " AND e.date_start <= %(last)s"
    " AND (e.date_end >= %(first)s OR (e.date_end IS NULL AND e.date_start >= %(first)s))"
)
BY_ORGANISATION = (
    " AND EXISTS (SELECT 1 FROM events_event_organisations eo"
    " JOIN events_organisation o ON o.id = eo.organisation_id"
    " WHERE eo.event_id = e.id AND o.slug = %(organisation)s)"
)
# The API's q: the word in the title, summary, body, place, a tag, or an organisation's
# name or alias.
WORD_ANYWHERE = """ AND (e.title ILIKE %(pattern)s OR e.summary ILIKE %(pattern)s
    OR e.body ILIKE %(pattern)s OR e.place ILIKE %(pattern)s
    OR EXISTS (SELECT 1 FROM events_event_tags et JOIN events_tag t ON t.id = et.tag_id
               WHERE et.event_id = e.id AND t.name ILIKE %(pattern)s)
    OR EXISTS (SELECT 1 FROM events_event_organisations eo
               JOIN events_organisation o ON o.id = eo.organisation_id
               LEFT JOIN events_organisationalias a ON a.organisation_id = o.id
               WHERE eo.event_id = e.id
                 AND (o.name ILIKE %(pattern)s OR a.name ILIKE %(pattern)s)))"""

COUNT_SQL = "SELECT count(*) FROM events_event e WHERE " + PUBLISHED + "{where}"
PAGE_SQL = (
    """
WITH page AS (
    SELECT e.* FROM events_event e
    WHERE """
    + PUBLISHED
    + """{where}
    ORDER BY e.date_start, e.id
    LIMIT %(limit)s
)
SELECT p.id, p.title, p.summary, p.date_start, p.date_end, p.date_precision, p.date_text,
    p.kind, p.place, c.slug, c.name, p.status, p.confidence, p.created_at, p.updated_at,
    (SELECT json_agg(t.name ORDER BY t.name)
       FROM events_event_tags et JOIN events_tag t ON t.id = et.tag_id
      WHERE et.event_id = p.id),
    (SELECT json_agg(json_build_object('id', o.id, 'name', o.name, 'slug', o.slug)
                     ORDER BY o.name)
       FROM events_event_organisations eo JOIN events_organisation o ON o.id = eo.organisation_id
      WHERE eo.event_id = p.id),
    (SELECT json_agg(json_build_object(
                'id', m.id, 'text', m.text, 'value', trim_scale(m.value)::text,
                'unit', nullif(m.unit, ''), 'qualifier', nullif(m.qualifier, ''),
                'label', nullif(m.label, ''), 'as_of', m.as_of, 'source', m.source_id,
                'start', m.start, 'end', m."end") ORDER BY m.source_id, m.start, m.id)
       FROM events_metric m WHERE m.event_id = p.id),
    (SELECT json_agg(json_build_object(
                'id', s.id, 'title', s.title, 'sha256', s.sha256, 'excerpt', pr.excerpt,
                'start', pr.start, 'end', pr."end") ORDER BY pr.source_id, pr.start, pr.id)
       FROM events_provenance pr JOIN sources_source s ON s.id = pr.source_id
      WHERE pr.event_id = p.id)
FROM page p LEFT JOIN events_category c ON c.id = p.category_id
ORDER BY p.date_start, p.id
"""
)


def frequent_organisation(url: str) -> tuple[str, int]:
    """The organisation named by most published events of YEAR."""
    import psycopg

    query = (
        "SELECT o.slug, count(*) FROM events_event e"
        " JOIN events_event_organisations eo ON eo.event_id = e.id"
        " JOIN events_organisation o ON o.id = eo.organisation_id"
        " WHERE " + PUBLISHED + IN_YEAR + " GROUP BY o.slug ORDER BY count(*) DESC, o.slug LIMIT 1"
    )
    with psycopg.connect(url) as connection:
        row = connection.execute(query, year_bounds(YEAR)).fetchone()
    if row is None:
        raise SystemExit(f"no published event in {YEAR}: generate more events")
    return row[0], row[1]


def year_bounds(year: int) -> dict[str, str]:
    return {"first": f"{year}-01-01", "last": f"{year}-12-31"}


# --- the floor -------------------------------------------------------------------------------


def event_json(row, base: str) -> dict:
    (
        pk,
        title,
        summary,
        date_start,
        date_end,
        precision,
        date_text,
        kind,
        place,
        category_slug,
        category_name,
        status,
        confidence,
        created_at,
        updated_at,
        tags,
        organisations,
        metrics,
        sources,
    ) = row
    return {
        "id": pk,
        "url": f"{base}/api/events/{pk}/",
        "public_url": f"/events/{pk}/",
        "title": title,
        "summary": summary,
        "date_start": date_start.isoformat() if date_start else None,
        "date_end": date_end.isoformat() if date_end else None,
        "date_precision": precision or None,
        "date_text": date_text,
        "kind": kind,
        "place": place or None,
        "category": {"slug": category_slug, "name": category_name} if category_slug else None,
        "tags": tags or [],
        "organisations": organisations or [],
        "metrics": metrics or [],
        "sources": sources or [],
        "status": status,
        "confidence": confidence,
        "created_at": created_at.isoformat(),
        "updated_at": updated_at.isoformat(),
    }


class Floor:
    """What a hand-written endpoint would do: two queries and json.dumps, one connection per
    thread kept open as gunicorn's workers keep theirs."""

    def __init__(self, url: str, base: str):
        self.url, self.base = url, base
        self.local = threading.local()
        self.connections = []
        self.lock = threading.Lock()

    def connection(self):
        import psycopg

        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = psycopg.connect(self.url, autocommit=True)
            connection.execute("SET TIME ZONE 'Asia/Shanghai'")
            self.local.connection = connection
            with self.lock:
                self.connections.append(connection)
        return connection

    def page(self, where: str, params: dict, path: str, *, counted: bool = True) -> bytes:
        """The response body; without ``counted``, only the rows (count and next are null)."""
        connection = self.connection()
        count = None
        if counted:
            count = connection.execute(COUNT_SQL.format(where=where), params).fetchone()[0]
        rows = connection.execute(
            PAGE_SQL.format(where=where), {**params, "limit": PAGE_SIZE}
        ).fetchall()
        following = f"{self.base}{path}&page=2" if count and count > PAGE_SIZE else None
        body = {
            "count": count,
            "next": following,
            "previous": None,
            "results": [event_json(row, self.base) for row in rows],
        }
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def close(self) -> None:
        for connection in self.connections:
            connection.close()


# --- measuring -------------------------------------------------------------------------------


def timed(call, requests: int, concurrency: int) -> tuple[list[float], list]:
    """Seconds of each of ``requests`` calls, ``concurrency`` at a time, and their results."""

    def once(_):
        started = time.perf_counter()
        result = call()
        return time.perf_counter() - started, result

    if concurrency == 1:
        outcomes = [once(i) for i in range(requests)]
    else:
        with ThreadPoolExecutor(concurrency) as pool:
            outcomes = list(pool.map(once, range(requests)))
    return [seconds for seconds, _ in outcomes], [result for _, result in outcomes]


def median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def p99(values: list[float]) -> float:
    """Nearest rank: with 200 values, the second slowest."""
    ordered = sorted(values)
    return ordered[max(0, -(-99 * len(ordered) // 100) - 1)]


def ids_of(body: bytes) -> tuple[int | None, list[int]]:
    try:
        page = json.loads(body)
        return page.get("count"), [event["id"] for event in page.get("results", [])]
    except (ValueError, TypeError, KeyError):
        return None, []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a fresh database " + DEFAULT_NAME)
    parser.add_argument("--reuse", action="store_true", help="keep a database already filled")
    parser.add_argument("--requests", type=int, default=200, help="per scenario")
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # the setup lines show while requests run
    if args.requests < 1 or args.concurrency < 1 or args.events < 1:
        parser.error("--events, --requests and --concurrency must be at least 1")

    url, fill = database_for(args, DEFAULT_NAME)
    setup = prepare(url, args.events, fill=fill)
    slug, in_slug = frequent_organisation(url)

    import psycopg

    with psycopg.connect(url) as connection:
        version = connection.execute("SHOW server_version").fetchone()[0]
        total = connection.execute("SELECT count(*) FROM events_event").fetchone()[0]
    print(f"machine: {os.cpu_count()} cores; PostgreSQL {version}; database: {url}")
    print(f"{total} events (reused)" if not fill else f"{total} events generated")
    for line in setup:
        print(line)

    scenarios = [
        ("unfiltered", {}, "", {}),
        (
            f"{YEAR} + org",
            {"year": YEAR, "organisation": slug},
            IN_YEAR + BY_ORGANISATION,
            {**year_bounds(YEAR), "organisation": slug},
        ),
        (f"q={SEARCH}", {"q": SEARCH}, WORD_ANYWHERE, {"pattern": f"%{SEARCH}%"}),
    ]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = Path(tempfile.mkdtemp(prefix="unionarchive-bench-api-")) / "gunicorn.log"
    floor = Floor(url, base)
    results = []
    with log_path.open("w") as log:
        server = gunicorn_start(url, port, log)
        try:
            gunicorn_wait(server, base, log_path)
            for name, query, where, params in scenarios:
                path = "/api/events/?" + urlencode({"page_size": PAGE_SIZE, **query})
                for _ in range(WARM_UP):
                    _, body = fetch(base + path)
                    floor_body = floor.page(where, params, path)
                api_seconds, outcomes = timed(
                    lambda path=path: fetch(base + path), args.requests, args.concurrency
                )
                floor_seconds, _ = timed(
                    lambda where=where, params=params, path=path: floor.page(where, params, path),
                    args.requests,
                    args.concurrency,
                )
                rows_seconds, _ = timed(
                    lambda where=where, params=params, path=path: floor.page(
                        where, params, path, counted=False
                    ),
                    args.requests,
                    args.concurrency,
                )
                statuses = sorted({status for status, _ in outcomes})
                timings = (api_seconds, floor_seconds, rows_seconds)
                results.append((name, path, *timings, statuses, body, floor_body))
        finally:
            gunicorn_stop(server)
            floor.close()

    print(
        f"gunicorn unionarchive.wsgi, 2 sync workers on 127.0.0.1; {args.requests} requests per "
        f"scenario, concurrency {args.concurrency}, after {WARM_UP} warm-up requests; "
        f"organisation {slug} ({in_slug} published events in {YEAR})"
    )
    print(f"{'scenario':<16}{'count':>7}{'page':>6}{'API med':>9}{'API p99':>9}{'floor med':>11}"
          f"{'floor p99':>11}{'ratio':>7}{'rows med':>10}{'ratio':>7}{'KB':>6}{'same ids':>10}"
          "  statuses")  # fmt: skip
    for name, path, api_seconds, floor_seconds, rows_seconds, statuses, body, floor_body in results:
        count, ids = ids_of(body)
        floor_count, floor_ids = ids_of(floor_body)
        if count != floor_count:
            same = f"no ({floor_count})"
        else:
            same = "yes" if ids == floor_ids else "count"
        codes = ",".join(str(status) for status in statuses)
        print(
            f"{name:<16}{count if count is not None else '-':>7}{len(ids):>6}"
            f"{median(api_seconds) * 1000:>7.1f}ms{p99(api_seconds) * 1000:>7.1f}ms"
            f"{median(floor_seconds) * 1000:>9.1f}ms{p99(floor_seconds) * 1000:>9.1f}ms"
            f"{median(api_seconds) / median(floor_seconds):>7.2f}"
            f"{median(rows_seconds) * 1000:>8.1f}ms"
            f"{median(api_seconds) / median(rows_seconds):>7.2f}"
            f"{len(body) / 1024:>6.0f}"
            f"{same:>10}  {codes}"
        )
        if statuses != [200]:
            print(f"  {path}: statuses {codes}; last body: {body[:300]!r}")
    print(
        "goal: API median within 3x of the floor's (count + page + json.dumps); 'rows med' is "
        "the floor without the count query, and its ratio\n'same ids' compares the API page and "
        "count with the floor's: 'count' when only the counts agree (q ranks best first, the "
        "floor orders by date), the floor's count in brackets when they differ"
    )


if __name__ == "__main__":
    main()
