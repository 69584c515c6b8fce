"""Pagination of search results: their number comes with the page, the page's rows load by
id, the same pages and counts as Django's Paginator, and every edge (empty, past the end,
last, bad numbers)."""

import datetime

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Event
from events.search import events_search, search_index_update, without_search
from tests.factories import EventFactory
from unionarchive.pagination import WindowCountPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def events():
    """Seven published events with 工匠 (two in the title) and two without."""
    made = [
        EventFactory(
            published=True,
            title=f"职工技能竞赛第{n}场",
            summary="多名工匠参赛。" if n % 2 else "",
            body="工匠精神。",
            date_start=datetime.date(2022, 1, n + 1),
            date_end=None,
        )
        for n in range(5)
    ]
    made += [
        EventFactory(published=True, title=f"大国工匠论坛第{n}届", date_end=None) for n in range(2)
    ]
    made += [EventFactory(published=True, title=f"金砖论坛第{n}届") for n in range(2)]
    search_index_update(events=Event.objects.all())
    return made


def searched(query="工匠"):
    return events_search(events=Event.objects.all(), query=query)


def test_the_number_of_search_results_comes_with_the_page_and_rows_load_by_id(events):
    with CaptureQueriesContext(connection) as queries:
        page = WindowCountPaginator(searched(), 3).page(1)
        rows, count = list(page), page.paginator.count
    assert count == 7
    assert len(rows) == 3
    # One query finds, ranks and counts (reading ids only); one loads the page's rows
    # by id without searching again.
    found, loaded = (q["sql"] for q in queries)
    assert "OVER ()" in found.upper()
    assert "eventsearch" in found
    assert "eventsearch" not in loaded
    assert "search_ids" not in loaded
    assert '"events_event"."title"' in loaded
    assert '"events_event"."title"' not in found


def test_rows_are_loaded_with_the_querysets_other_filters_and_relations(events):
    results = searched().filter(title__startswith="职工").prefetch_related("organisations")
    stripped = without_search(results)
    assert set(stripped) == set(Event.objects.filter(title__startswith="职工"))
    assert "organisations" in stripped._prefetch_related_lookups
    assert "search_hits" not in str(stripped.query)
    page = WindowCountPaginator(results, 10).page(1)
    assert [e.pk for e in page] == [e.pk for e in results]
    assert page.paginator.count == 5
    # The condition cannot be taken out of an OR without narrowing it: loaded as is.
    either = searched() | Event.objects.filter(title__startswith="金砖")
    assert without_search(either) is None


def test_pages_and_counts_equal_djangos_paginator(events):
    ours, django = WindowCountPaginator(searched(), 3), Paginator(searched(), 3)
    pages = [[event.pk for event in ours.page(n)] for n in (1, 2, 3)]
    assert pages == [[event.pk for event in django.page(n)] for n in (1, 2, 3)]
    # Ranked: the two title hits first, then the rest, no event twice.
    assert {e.title for e in Event.objects.filter(pk__in=pages[0][:2])} == {
        "大国工匠论坛第0届",
        "大国工匠论坛第1届",
    }
    assert sum(map(len, pages)) == len({pk for page in pages for pk in page}) == 7
    assert ours.count == django.count == 7
    assert ours.page(3).has_next() is False
    assert ours.page(2).has_next() is True


def test_no_results_is_an_empty_first_page_and_nothing_past_it(events):
    paginator = WindowCountPaginator(searched("货车司机"), 3)
    assert list(paginator.page(1)) == []
    assert paginator.count == 0
    with pytest.raises(EmptyPage):
        WindowCountPaginator(searched(), 3).page(4)
    with pytest.raises(EmptyPage):
        WindowCountPaginator(searched("货车司机"), 3, allow_empty_first_page=False).page(1)


def test_a_query_of_punctuation_alone_pages_like_any_other(events):
    EventFactory(published=True, title="“=”号的含义", date_end=None)
    search_index_update(events=Event.objects.all())
    page = WindowCountPaginator(searched("="), 3).page(1)
    assert [event.title for event in page] == ["“=”号的含义"]
    assert page.paginator.count == 1


@pytest.mark.parametrize(("number", "error"), [("x", PageNotAnInteger), (0, EmptyPage)])
def test_bad_page_numbers_are_refused_as_django_refuses_them(events, number, error):
    with pytest.raises(error):
        WindowCountPaginator(searched(), 3).page(number)


def test_other_querysets_are_counted_apart(events):
    # A DISTINCT row set would be counted before it is made distinct: Django's way.
    for events_ in (Event.objects.all(), searched().distinct()):
        with CaptureQueriesContext(connection) as queries:
            page = WindowCountPaginator(events_, 4).page(1)
            assert page.paginator.count == events_.count()
        assert len(queries) == 2


def test_the_api_reads_search_results_in_one_query_and_pages_through_them(client, events):
    url = reverse("api:event-list")
    with CaptureQueriesContext(connection) as queries:
        first = client.get(url, {"q": "工匠", "page_size": 4}).json()
    assert first["count"] == 7
    assert not [q for q in queries if q["sql"].upper().startswith("SELECT COUNT(")]
    second = client.get(url, {"q": "工匠", "page_size": 4, "page": 2}).json()
    last = client.get(url, {"q": "工匠", "page_size": 4, "page": "last"}).json()
    assert second["count"] == last["count"] == 7
    assert [e["id"] for e in second["results"]] == [e["id"] for e in last["results"]]
    ids = [e["id"] for e in first["results"] + second["results"]]
    assert len(set(ids)) == 7
    assert client.get(url, {"q": "工匠", "page_size": 4, "page": 3}).status_code == 404
    empty = client.get(url, {"q": "货车司机"}).json()
    assert (empty["count"], empty["results"]) == (0, [])


def test_the_public_timeline_pages_through_search_results(client, events):
    url = reverse("events:event-list")
    first = client.get(url, {"q": "工匠"})
    assert first.status_code == 200
    assert first.context["paginator"].count == 7
    assert client.get(url, {"q": "工匠", "page": 99}).status_code == 404
