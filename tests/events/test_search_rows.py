"""Search index rows carry copies of their event's status, merge and dates, kept equal by
a trigger; ranked pages filtered and ordered by those alone are read from the index rows
(PostgreSQL), with the same ids, order and count as the general query."""

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import DataError, connection, transaction
from django.db.models import Count, F, Window
from django.test.utils import CaptureQueriesContext

from events import search, services
from events.models import Event, EventSearch, EventStatus, Tag
from events.search import RANK, events_search, ranked_page, search_index_update
from tests.factories import EventFactory
from unionarchive.pagination import WindowCountPaginator

pytestmark = pytest.mark.django_db

CARRIED = EventSearch.CARRIED

POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def events():
    """Twenty-six events with 工匠 in various places, statuses, dates; one merged, one
    partly tokenised."""
    places = [
        {"title": "大国工匠论坛"},
        {"title": "劳动竞赛", "summary": "工匠参赛"},
        {"title": "年度总结", "body": "弘扬工匠精神"},
        {"title": "工匠学院揭牌", "body": "工匠学院"},
    ]
    made = []
    for n in range(24):
        day = None if n % 7 == 0 else datetime.date(2021 + n % 3, 1 + n % 12, 1 + n % 28)
        made.append(
            EventFactory(
                **places[n % 4],
                published=n % 3 != 2,  # else a draft
                date_start=day,
                date_end=None,
                date_precision="day" if day else "",
            )
        )
    made.append(EventFactory(title="金砖论坛", published=True))
    # Found by the place alone; too long to tokenise whole (its body is left to the text).
    made.append(EventFactory(title="揭牌仪式", place="大国工匠学院", published=True))
    made.append(
        EventFactory(
            title="长篇摘录", summary="工匠", body="职工" * 10_001 + "大国工匠", published=True
        )
    )
    search_index_update(events=Event.objects.all())
    Event.objects.filter(pk=made[4].pk).update(merged_into=made[0])
    return made


def general(results, offset, limit):
    """What the paginator reads without the index rows: the events table, windowed."""
    counted = results.annotate(total=Window(Count("pk"))).values_list("pk", "total")
    return list(counted[offset : offset + limit])


SCOPES = {
    "every event": lambda: Event.objects.all(),
    "readers' events": lambda: Event.objects.published(),
    "a year": lambda: Event.objects.published().in_year(2022),
    "some ids": lambda: Event.objects.filter(
        pk__in=list(Event.objects.order_by("pk").values_list("pk", flat=True))[:10:2]
    ),
    "statuses": lambda: Event.objects.current().filter(status__in=["draft", "published"]),
}


@pytest.mark.parametrize("scope", SCOPES)
@pytest.mark.parametrize(
    "query",
    ["工匠", "工匠 学院", "学院 工匠", "大国 工匠 学院", "工匠 职工", "大国工匠", "工匠学院揭牌"],
)
def test_ranked_pages_from_index_rows_equal_the_events_tables(events, scope, query):
    results = events_search(events=SCOPES[scope](), query=query)
    for offset, limit in ((0, 5), (5, 5), (0, 50), (40, 5)):
        page = ranked_page(results, offset=offset, limit=limit)
        if not POSTGRESQL:
            assert page is None  # SQLite reads the general way
            continue
        assert page == general(results, offset, limit), (scope, query, offset)
    if POSTGRESQL and scope != "some ids":
        assert ranked_page(results, offset=0, limit=50), "the test should find something"


@pytest.mark.skipif(not POSTGRESQL, reason="the index rows answer pages on PostgreSQL")
@pytest.mark.parametrize(
    "query", ["新就业形态", "就业形态各", "就业形态各 重新", "服务 新就业形态"]
)
def test_ranked_pages_find_long_words_as_tokens_or_in_the_text_as_the_events_tables_do(query):
    # 新就业形态 is a token of the first title; 就业形态各 only in the second's text; the
    # third holds the 4-grams of both, neither word.
    EventFactory(title="新就业形态劳动者服务站点建设", published=True)
    EventFactory(title="重新就业形态各异", summary="服务", published=True)
    EventFactory(title="新就业形式多样", body="就业形态调查", published=True)
    EventFactory(title="服务", body="重新就业形态各异", published=True)
    search_index_update(events=Event.objects.all())
    results = events_search(events=Event.objects.published(), query=query)
    assert general(results, 0, 10), "the test should find something"
    assert ranked_page(results, offset=0, limit=10) == general(results, 0, 10)


def test_the_pages_compared_above_hold_every_rank_and_a_partly_tokenised_event(events):
    ranks = events_search(events=Event.objects.all(), query="工匠").values_list(RANK, flat=True)
    assert set(ranks) == {4, 2, 1, 0}  # title, summary, body, the place alone
    partial = EventSearch.objects.get(partial=True).event
    found = events_search(events=Event.objects.all(), query="大国工匠")
    assert found.get(pk=partial.pk).search_hits == 0  # in the untokenised body


@pytest.mark.parametrize(
    "narrowed",
    [
        lambda e: e.filter(tags__name="工会"),  # a join
        lambda e: e.filter(category__isnull=True),  # a column the rows do not carry
        lambda e: e.filter(date_start__year=2022),  # a transform of a carried column
        lambda e: e.filter(date_end__gte=F("date_start")),  # an expression
        lambda e: e.order_by("title"),  # another order
        lambda e: e.distinct(),
    ],
)
def test_other_filters_and_orders_are_left_to_the_events_table(events, narrowed):
    events[0].tags.add(Tag.objects.create(name="工会"))
    results = narrowed(events_search(events=Event.objects.all(), query="工匠"))
    assert ranked_page(results, offset=0, limit=10) is None
    page = WindowCountPaginator(results, 10).page(1)
    assert [event.pk for event in page] == [event.pk for event in results[:10]]


def test_the_index_rows_copies_follow_every_write_of_the_event(events):
    def copies(event):
        return EventSearch.objects.values(*EventSearch.CARRIED).get(event=event)

    def columns(event):
        return Event.objects.values(*EventSearch.CARRIED).get(pk=event.pk)

    first, second = events[0], events[1]
    # A bulk update, a save, a merge and its undoing: none of them reindexes.
    Event.objects.filter(pk=first.pk).update(status=EventStatus.REJECTED)
    second.refresh_from_db()
    second.date_start, second.date_end = datetime.date(2020, 5, 1), datetime.date(2020, 5, 3)
    second.save()
    editor = get_user_model().objects.create_user(username="copies-editor")
    (merge,) = services.event_merge(target=events[3], others=[events[7]], by=editor)
    for event in (first, second, events[7]):
        assert copies(event) == columns(event)
    assert copies(events[7])["merged_into_id"] == events[3].pk
    assert copies(first)["status"] == EventStatus.REJECTED
    services.event_merge_undo(merge=merge, by=editor)
    assert copies(events[7]) == columns(events[7])
    assert copies(events[7])["merged_into_id"] is None


def test_readers_never_see_an_event_unpublished_after_indexing(events):
    readers = events_search(events=Event.objects.published(), query="大国工匠")
    before = {pk for pk, _ in general(readers, 0, 50)}
    hidden = Event.objects.get(pk=min(before))
    Event.objects.filter(pk=hidden.pk).update(status=EventStatus.DRAFT)
    page = WindowCountPaginator(readers.all(), 50).page(1)
    assert {event.pk for event in page} == before - {hidden.pk}
    assert page.paginator.count == len(before) - 1


@pytest.mark.skipif(not POSTGRESQL, reason="the index rows answer pages on PostgreSQL")
def test_a_readers_page_does_not_read_the_events_table_to_rank_and_count(events):
    readers = events_search(events=Event.objects.published(), query="工匠")
    with CaptureQueriesContext(connection) as queries:
        page = WindowCountPaginator(readers, 5).page(1)
        assert len(list(page)) == 5
    (found,) = (q["sql"] for q in queries if "COUNT(*) OVER ()" in q["sql"])
    # Run with bitmap scans only, its lookups inline (tested below).
    assert found.startswith("SELECT * FROM events_search_statement(")
    assert "FROM events_eventsearch WHERE events_search_document(tokens) @@" in found
    assert 'FROM "events_event"' not in found
    assert 'FROM "events_event"' in queries[-1]["sql"]


def planner_settings():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan')"
        )
        return cursor.fetchone()


@pytest.mark.skipif(not POSTGRESQL, reason="PostgreSQL's planner")
def test_a_statement_run_with_bitmap_scans_only_reads_the_gin_index_whatever_the_costs_say(
    events,
):
    sql, params = search._Index().lookup([("工匠",)], fields=("title",), inline=True)
    explain = f"EXPLAIN {sql}"
    readers = events_search(events=Event.objects.published(), query="工匠 学院 大国")
    page_sql, page_params = search._page_sql(readers, offset=0, limit=5)
    with connection.cursor() as cursor:
        # Were computing a row's tokens free and reading pages out of order dear, the
        # planner would read every row and compute its tokens.
        cursor.execute("SET LOCAL cpu_operator_cost = 0")
        cursor.execute("SET LOCAL random_page_cost = 1000")
        cursor.execute(explain, params)
        assert "Seq Scan on events_eventsearch" in "\n".join(row[0] for row in cursor)
        cursor.execute(*search._bitmap_scans_only(explain, params, "line text"))
        plan = "\n".join(row[0] for row in cursor)
        assert "Bitmap Index Scan on events_eventsearch_document" in plan
        assert "Seq Scan" not in plan
        # A page: its lookups, and each other word's rank looked up once and hashed.
        cursor.execute(*search._bitmap_scans_only(f"EXPLAIN {page_sql}", page_params, "line text"))
        plan = "\n".join(row[0] for row in cursor)
        assert "Seq Scan" not in plan
        assert "events_search_ids" not in plan
        assert plan.count("hashed SubPlan") >= 2 * 3
        assert re.search(r"(?<!hashed )SubPlan \d+\)", plan) is None
        cursor.execute(*search._bitmap_scans_only(sql, params, "event_id bigint"))
        found = {row[0] for row in cursor}
    assert found == {event.pk for event in events if "工匠" in event.title}
    # The session's settings are as they were, after a statement that ran or failed.
    assert planner_settings() == ("on", "on")
    with pytest.raises(DataError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(*search._bitmap_scans_only("SELECT 1 / 0", [], "n integer"))
    assert planner_settings() == ("on", "on")


class SqlRunner:
    """What a migration's step uses of its schema editor (SQLite allows no real one
    inside the test's transaction)."""

    connection = connection

    def execute(self, sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)


def test_the_upgrade_copies_the_columns_of_events_indexed_before_it(events):
    upgrade = importlib.import_module("events.migrations.0008_search_rows_carry_event_columns")
    # As rows written before the copies existed: blank.
    EventSearch.objects.update(status="", merged_into_id=None, date_start=None, date_end=None)
    upgrade.copy_event_columns(apps, SqlRunner())
    copies = {row.pop("event"): row for row in EventSearch.objects.values("event", *CARRIED)}
    originals = {row.pop("id"): row for row in Event.objects.values("id", *CARRIED)}
    assert copies == originals
    assert len(copies) == len(events)
    assert {row["status"] for row in copies.values()} == {"published", "draft"}


# The tsvector prefixes of the title, the summary, the body and the rest, in that order.
PREFIXES = [search.PREFIX[name] for name in search.FIELDS]


def stored_tokens() -> dict[int, list[set[str]]]:
    """Each index row's tokens, by field (title, summary, body, the rest), and on
    PostgreSQL those under any field's prefix."""
    with connection.cursor() as cursor:
        if POSTGRESQL:
            cursor.execute("SELECT event_id, tokens FROM events_eventsearch")
            rows = {}
            for pk, tokens in cursor.fetchall():
                fields, anywhere = [set() for _ in search.FIELDS], set()
                for lexeme in tokens.split():
                    prefix, _, token = lexeme.partition("_")
                    if lexeme == search.PARTIAL:
                        fields[-1].add(lexeme)
                    elif prefix == search.ANY_FIELD:
                        anywhere.add(token)
                    else:
                        fields[PREFIXES.index(prefix)].add(token)
                rows[pk] = [*fields, anywhere]
            return rows
        cursor.execute(f"SELECT rowid, title, summary, body, extra FROM {search.FTS_TABLE}")
        return {row[0]: [set(column.split()) for column in row[1:]] for row in cursor.fetchall()}


def test_the_upgrade_keeps_each_token_once_in_rows_indexed_before_it(events):
    upgrade = importlib.import_module("events.migrations.0009_search_tokens_once_per_event")
    documents = {event.pk: search.event_document(event) for event in Event.objects.all()}

    def ranked():
        return {
            query: list(
                events_search(events=Event.objects.all(), query=query).values_list("pk", RANK)
            )
            for query in ("工匠", "大国工匠", "工匠 学院", "金砖论坛")
        }

    fresh = ranked()
    # As rows written before: every field's tokens, whatever the fields before it hold.
    before = {}
    for event in Event.objects.all():
        fields = [event.title, event.summary, event.body, event.place]
        before[event.pk] = [
            search.field_tokens(text) if documents[event.pk].tokens[name] else []
            for name, text in zip(search.FIELDS, fields, strict=True)
        ]
        if documents[event.pk].partial:
            before[event.pk][-1].append(search.PARTIAL)
    with connection.cursor() as cursor:
        for pk, fields in before.items():
            if POSTGRESQL:
                lexemes = [
                    token if token == search.PARTIAL else f"{prefix}_{token}"
                    for prefix, tokens in zip(PREFIXES, fields, strict=True)
                    for token in tokens
                ]
                cursor.execute(
                    "UPDATE events_eventsearch SET tokens = %s WHERE event_id = %s",
                    [" ".join(lexemes), pk],
                )
            else:
                cursor.execute(
                    f"UPDATE {search.FTS_TABLE} SET title = %s, summary = %s, body = %s, "
                    "extra = %s WHERE rowid = %s",
                    [*(" ".join(tokens) for tokens in fields), pk],
                )
    assert any(set(f[0]) & set(f[1]) for f in stored_tokens().values()), "kept twice"
    if POSTGRESQL:
        # The test's transaction holds deferred checks of the rows written above; a
        # migration runs in a transaction of its own, and CREATE INDEX needs none pending.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    upgrade.keep_tokens_once(apps, SqlRunner())
    partial = {search.PARTIAL}
    assert stored_tokens() == {
        pk: [set(d.tokens[name]) for name in search.FIELDS[:-1]]
        + [set(d.tokens["extra"]) | (partial if d.partial else set())]
        # On PostgreSQL, every token once more under any field's prefix.
        + ([{t for name in search.FIELDS for t in d.tokens[name]}] if POSTGRESQL else [])
        for pk, d in documents.items()
    }
    after = stored_tokens()
    # Running it again changes nothing.
    upgrade.keep_tokens_once(apps, SqlRunner())
    assert stored_tokens() == after
    assert ranked() == fresh
