import pytest
from django.urls import reverse

from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def test_home_shows_published_events_and_never_drafts(client):
    EventFactory(title="第十一届金砖国家工会论坛在北京举行", published=True)
    EventFactory(title="尚未审核的草稿事件")
    response = client.get(reverse("events:home"))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in content
    assert "第十一届金砖国家工会论坛在北京举行" in content
    assert "尚未审核的草稿事件" not in content


def test_home_says_when_nothing_is_published(client):
    EventFactory(title="尚未审核的草稿事件")
    response = client.get(reverse("events:home"))
    assert "尚未审核的草稿事件" not in response.content.decode()
    assert response.context["event_count"] == 0
