import pytest
from django.urls import reverse

from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_published_event_page_quotes_its_sources(client):
    event = EventFactory(published=True)
    response = client.get(reverse("events:event-detail", args=[event.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert event.title in content
    assert event.provenances.get().excerpt in content


def test_draft_event_page_is_not_found(client):
    assert client.get(reverse("events:event-detail", args=[EventFactory().pk])).status_code == 404
