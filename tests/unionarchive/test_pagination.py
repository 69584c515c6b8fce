"""Pagination of search results: the page and their number from one query, the same
pages and counts as Django's Paginator, and every edge (empty, past the end, last)."""

import datetime

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Event
from events.search import events_search, search_index_update
from tests.factories import EventFactory
from unionarchive.pagination import OneQueryPaginator

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


def test_a_page_of_search_results_and_their_number_are_one_query(events):
    with CaptureQueriesContext(connection) as queries:
        page = OneQueryPaginator(searched(), 3).page(1)
        rows, count = list(page), page.paginator.count
    assert len(queries) == 1
    assert "OVER ()" in queries[0]["sql"].upper()
    assert count == 7
    assert len(rows) == 3


def test_pages_and_counts_equal_djangos_paginator(events):
    ours, django = OneQueryPaginator(searched(), 3), Paginator(searched(), 3)
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
    paginator = OneQueryPaginator(searched("货车司机"), 3)
    assert list(paginator.page(1)) == []
    assert paginator.count == 0
    with pytest.raises(EmptyPage):
        OneQueryPaginator(searched(), 3).page(4)
    with pytest.raises(EmptyPage):
        OneQueryPaginator(searched("货车司机"), 3, allow_empty_first_page=False).page(1)


@pytest.mark.parametrize(("number", "error"), [("x", PageNotAnInteger), (0, EmptyPage)])
def test_bad_page_numbers_are_refused_as_django_refuses_them(events, number, error):
    with pytest.raises(error):
        OneQueryPaginator(searched(), 3).page(number)


def test_other_querysets_are_counted_apart(events):
    # A DISTINCT row set would be counted before it is made distinct: Django's way.
    for events_ in (Event.objects.all(), searched().distinct()):
        with CaptureQueriesContext(connection) as queries:
            page = OneQueryPaginator(events_, 4).page(1)
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
