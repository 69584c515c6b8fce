from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from chronicles import services
from tests.chronicles.factories import ChronicleEntryFactory, ChronicleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chronicle():
    chronicle = ChronicleFactory(year=2022, introduction="2022年，各级工会……")
    first = ChronicleEntryFactory(chronicle=chronicle, event__title="首届大国工匠创新交流大会举办")
    ChronicleEntryFactory(chronicle=chronicle, event__title="金砖国家工会论坛举行")
    services.chronicle_publish(chronicle=chronicle, by=None)
    return chronicle, first


def test_chronicle_page_shows_the_current_edition_grouped_by_month(client, chronicle):
    response = client.get(reverse("chronicles:chronicle-year", args=[2022]))
    content = response.content.decode()
    assert response.status_code == 200
    assert "2022年工会工作大事记" in content
    assert "2022年，各级工会……" in content
    assert "<h2" in content
    assert "4月" in content
    assert "首届大国工匠创新交流大会举办" in content
    assert response.context["changes"]["previous"] is None


def test_chronicle_page_shows_what_changed_since_the_previous_edition(client, chronicle):
    chronicle_obj, first = chronicle
    first.delete()
    services.chronicle_publish(chronicle=chronicle_obj, by=None)
    response = client.get(reverse("chronicles:chronicle-year", args=[2022]))
    content = response.content.decode()
    assert response.context["edition"].number == 2
    assert [e["title"] for e in response.context["changes"]["removed"]] == [
        "首届大国工匠创新交流大会举办"
    ]
    # The current edition no longer holds the removed entry, but the change list names it.
    assert content.count("首届大国工匠创新交流大会举办") == 1


def test_chronicle_page_shows_the_edition_not_the_working_draft(client, chronicle):
    chronicle_obj, _first = chronicle
    chronicle_obj.introduction = "尚未发布的导言草稿"
    chronicle_obj.save()
    content = client.get(reverse("chronicles:chronicle-year", args=[2022])).content.decode()
    assert "尚未发布的导言草稿" not in content


def test_entry_links_to_its_event_only_while_it_is_published(client, chronicle):
    _chronicle, first = chronicle
    url = reverse("events:event-detail", args=[first.event.pk])
    assert url in client.get(reverse("chronicles:chronicle-year", args=[2022])).content.decode()
    first.event.status = "rejected"
    first.event.save()
    content = client.get(reverse("chronicles:chronicle-year", args=[2022])).content.decode()
    assert url not in content


def test_unpublished_chronicle_is_not_found(client):
    ChronicleFactory(year=2021)
    assert client.get(reverse("chronicles:chronicle-year", args=[2021])).status_code == 404
    assert "2021" not in client.get(reverse("chronicles:chronicle-list")).content.decode()


def test_chronicle_list_links_each_published_year(client, chronicle):
    content = client.get(reverse("chronicles:chronicle-list")).content.decode()
    assert reverse("chronicles:chronicle-year", args=[2022]) in content


def test_chronicle_page_is_print_friendly(client, chronicle):
    content = client.get(reverse("chronicles:chronicle-year", args=[2022])).content.decode()
    assert "site.css" in content
    css = Path(settings.BASE_DIR, "events/static/unionarchive/site.css").read_text(encoding="utf-8")
    assert "@media print" in css


def test_sitemap_lists_published_chronicles(client, chronicle):
    content = client.get(reverse("sitemap")).content.decode()
    assert reverse("chronicles:chronicle-year", args=[2022]) in content
