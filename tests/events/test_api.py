"""The read-only API as it stands: contract shapes, published content only."""

import pytest
from django.urls import reverse

from tests.factories import EventFactory, MetricFactory

pytestmark = pytest.mark.django_db


def test_anonymous_readers_see_published_events_only(client):
    published = EventFactory(published=True)
    EventFactory()
    response = client.get(reverse("api:event-list"))
    assert response.status_code == 200
    assert [event["id"] for event in response.json()["results"]] == [published.pk]


def test_event_url_is_absolute_in_the_api(client):
    event = EventFactory(published=True)
    shape = client.get(reverse("api:event-detail", args=[event.pk])).json()
    assert shape["url"] == f"http://testserver/api/events/{event.pk}/"


def test_a_draft_is_not_found(client):
    draft = EventFactory()
    assert client.get(reverse("api:event-detail", args=[draft.pk])).status_code == 404


def test_metrics_organisations_and_sources_of_drafts_stay_hidden(client):
    draft = EventFactory()
    MetricFactory(event=draft, source=draft.provenances.get().source)
    for name in ("metric", "organisation", "source"):
        assert client.get(reverse(f"api:{name}-list")).json()["count"] == 0, name


def test_source_text_only_on_the_detail(client):
    event = EventFactory(published=True)
    source = event.provenances.get().source
    listed = client.get(reverse("api:source-list")).json()["results"][0]
    detail = client.get(reverse("api:source-detail", args=[source.pk])).json()
    assert "text" not in listed
    assert detail["text"] == source.text


@pytest.mark.parametrize("name", ["event", "metric", "organisation", "source"])
def test_list_query_count_is_constant(client, django_assert_max_num_queries, name):
    def fill(count):
        for _ in range(count):
            event = EventFactory(published=True)
            MetricFactory(event=event, source=event.provenances.get().source)

    fill(2)
    url = reverse(f"api:{name}-list")
    with django_assert_max_num_queries(12) as captured:
        client.get(url)
    fill(8)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        assert client.get(url).status_code == 200
