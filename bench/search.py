"""How fast and how complete full-text search is, against icontains on the same data.

Fills a PostgreSQL database with seed-like events (bench/datagen.py, 100 000 by default),
builds the search index (``search_index_rebuild``, timed), then for every query of the set
— 1, 2 and 3 words — times in the same run:

* search: ``events_search`` as the API runs it — the first page of 20, ranked, and the
  number of results, read together by the API's paginator;
* icontains: the substring filter the API used before (every word in the title, summary,
  body, place, a tag, or an organisation's name or alias), count and first page by date;

and prints median and p99 per number of words, the speed-up, and whether search found
exactly the events icontains found, for every query. Last, on a sample of events, the
recall of token matching with one jieba mode alone (accurate, search mode) against the
index's tokens (1- to 4-grams and longer jieba words), for the one-word queries.

Goal: median under 20 ms at 100 000 events, at least 10x faster than icontains, and the
same hits as substring matching for every query.

    .venv/bin/python bench/search.py [--events 100000] [--rounds 5] [--database-url URL]
                                     [--reuse]

Without --database-url the database unionarchive_bench_search on
postgres://postgres@127.0.0.1:5432 is dropped and created afresh (with --reuse it is kept
when it already holds --events events); a --database-url database is never dropped: it is
filled when empty, and measured as it is with --reuse (bench/harness.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_DIR))

from bench.harness import database_for, prepare  # noqa: E402 - needs the project on sys.path

DEFAULT_NAME = "unionarchive_bench_search"
PAGE = 20
SAMPLE = 5000

ONE = [
    "工匠", "大国工匠", "全总", "新就业形态", "集体协商", "金砖", "货车司机", "服务站点",
    "工匠学院", "全国总工会", "大湾区", "总工会", "职工", "劳动者", "北京", "产业工人",
    "县级工会", "技能竞赛", "困难职工", "2022",
]  # fmt: skip
TWO = [
    "大国工匠 论坛", "集体协商 要约", "新就业形态 劳动者", "全国总工会 召开", "北京 工匠",
    "货车司机 服务", "金砖 论坛", "职工 技能", "劳动 竞赛", "工会 建设",
]  # fmt: skip
THREE = [
    "大国工匠 论坛 举办", "全国总工会 会议 召开", "新就业形态 劳动者 服务", "职工 技能 竞赛",
    "工会 改革 产业工人", "集体协商 工资 企业", "北京 职工 服务", "工会 劳动 保障",
]  # fmt: skip


def icontains(query: str):
    from django.db.models import Q

    from events.models import Event

    events = Event.objects.all()
    for term in query.split():
        events = events.filter(
            Q(title__icontains=term)
            | Q(summary__icontains=term)
            | Q(body__icontains=term)
            | Q(place__icontains=term)
            | Q(tags__name__icontains=term)
            | Q(organisations__name__icontains=term)
            | Q(organisations__aliases__name__icontains=term)
        )
    return events.distinct()


def searched(query: str):
    from events.models import Event
    from events.search import events_search

    return events_search(events=Event.objects.all(), query=query)


def timed(make, query: str) -> float:
    """The first page of ``PAGE`` events and their number, as the API's paginator reads
    them (for search results the count comes with the page; a count, then the page, for
    the rest)."""
    from unionarchive.pagination import WindowCountPaginator

    started = time.perf_counter()
    page = WindowCountPaginator(make(query).only("pk"), PAGE).page(1)
    _ = page.paginator.count, [event.pk for event in page]
    return (time.perf_counter() - started) * 1000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def segmentation_recall(queries: list[str]) -> dict[str, float]:
    """Share of the substring hits that token matching finds, per way of tokenising."""
    from events.models import Event, EventSearch
    from events.search import _normalised, _tokenizer, event_document

    tok = _tokenizer()
    events = list(
        Event.objects.order_by("pk")
        .prefetch_related("tags", "organisations__aliases")
        .only("pk", "title", "summary", "body", "place", *EventSearch.CARRIED)[:SAMPLE]
    )
    ways = ("jieba accurate mode", "jieba search mode", "index")
    found = dict.fromkeys(ways, 0)
    expected = 0
    for event in events:
        document = event_document(event, tok=tok)
        fields = document.text.split("\n")
        accurate = {w for f in fields for w in tok.lcut(f, HMM=False)}
        search = {w for f in fields for w in tok.lcut_for_search(f, HMM=False)}
        tokens = {token for field in document.tokens.values() for token in field}
        for query in queries:
            term = _normalised(query)
            if term not in document.text:
                continue
            expected += 1
            found["jieba accurate mode"] += term in accurate
            found["jieba search mode"] += term in search
            # The index: the term is one of its tokens, or all its 4-grams are.
            grams = [term[i : i + 4] for i in range(len(term) - 3)]
            found["index"] += term in tokens or all(g in tokens for g in grams)
    return {way: found[way] / expected if expected else 1.0 for way in ways} | {
        "substring hits in the sample": expected
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5, help="Timed runs of each query.")
    parser.add_argument("--database-url")
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    url, fill = database_for(args, DEFAULT_NAME)
    for line in prepare(url, args.events, fill=fill):
        print(line)
    from django.db import connection

    from events.models import EventSearch
    from events.search import search_index_rebuild

    with connection.cursor() as cursor:
        if EventSearch.objects.count() != args.events:
            # A reused database whose index an upgrade emptied (as 0006 does).
            started = time.perf_counter()
            search_index_rebuild()
            print(f"indexed {args.events} events in {time.perf_counter() - started:.0f} s")
            # As autovacuum would leave it: the visibility map, without which index-only
            # scans fetch every heap row, and statistics for the planner.
            cursor.execute("VACUUM ANALYZE events_eventsearch")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('events_eventsearch'))")
        print(f"index table with its GIN index: {cursor.fetchone()[0]}")
    print(f"{os.cpu_count()} cores, PostgreSQL {connection.pg_version}, {args.events} events\n")

    mismatches = []
    header = f"{'words':>5} {'queries':>7}  {'search median':>13} {'p99':>7}"
    header += f"  {'icontains median':>16} {'p99':>7}  {'speed-up':>8}  same hits"
    print(header)
    for words, queries in ((1, ONE), (2, TWO), (3, THREE)):
        times = {"search": [], "icontains": []}
        same = 0
        for query in queries:
            hits = set(searched(query).values_list("pk", flat=True))
            truth = set(icontains(query).values_list("pk", flat=True))
            same += hits == truth
            if hits != truth:
                mismatches.append((query, len(hits), len(truth)))
            for make, name in ((searched, "search"), (icontains, "icontains")):
                timed(make, query)  # warm
                times[name] += [timed(make, query) for _ in range(args.rounds)]
        search_median = statistics.median(times["search"])
        icontains_median = statistics.median(times["icontains"])
        print(
            f"{words:>5} {len(queries):>7}  {search_median:>10.1f} ms "
            f"{percentile(times['search'], 0.99):>7.1f}  {icontains_median:>13.1f} ms "
            f"{percentile(times['icontains'], 0.99):>7.1f}  "
            f"{icontains_median / search_median:>7.1f}x  {same}/{len(queries)}"
        )
    for query, found, expected in mismatches:
        print(f"  different hits for {query!r}: search {found}, icontains {expected}")

    print(f"\nrecall of token matching on {SAMPLE} events, one-word queries:")
    for way, value in segmentation_recall(ONE).items():
        print(f"  {way}: {value:.1%}" if isinstance(value, float) else f"  {way}: {value}")


if __name__ == "__main__":
    main()
