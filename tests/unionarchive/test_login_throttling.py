"""Failed admin logins are counted (django-axes): past the limit the user name is locked out
from that address for the cool-off time, with a page in Chinese; then it may log in again."""

import datetime
from io import StringIO

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from rest_framework.authtoken.models import Token

from events import demo

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
LOCKED_OUT = "登录失败次数过多"


@pytest.fixture
def editor():
    user, _ = demo.demo_editor_ensure()
    return user


def log_in(client, username, password, address="203.0.113.7"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=address,
    )


def fail(client, username, times, address="203.0.113.7"):
    return [log_in(client, username, "wrong password", address) for _ in range(times)]


def test_the_limit_and_cool_off_come_from_the_settings():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_failures_below_the_limit_show_the_login_form_again(client, editor):
    responses = fail(client, editor.username, settings.AXES_FAILURE_LIMIT - 1)
    assert [response.status_code for response in responses] == [200] * 4
    assert LOCKED_OUT not in responses[-1].content.decode()
    assert log_in(client, editor.username, demo.DEMO_EDITOR_PASSWORD).status_code == 302


def test_the_failure_that_reaches_the_limit_locks_the_user_name_out(client, editor):
    *_, last = fail(client, editor.username, settings.AXES_FAILURE_LIMIT)
    assert last.status_code == 429
    page = last.content.decode()
    assert LOCKED_OUT in page
    assert "15 分钟后再试" in page
    # Even the right password is refused while the lockout lasts.
    again = log_in(client, editor.username, demo.DEMO_EDITOR_PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_is_english_for_an_english_browser(client, editor):
    fail(client, editor.username, settings.AXES_FAILURE_LIMIT - 1)
    last = client.post(
        LOGIN,
        {"username": editor.username, "password": "wrong"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert last.status_code == 429
    assert "Too many failed logins" in last.content.decode()


def test_after_the_cool_off_the_editor_logs_in(client, editor):
    fail(client, editor.username, settings.AXES_FAILURE_LIMIT)
    assert log_in(client, editor.username, demo.DEMO_EDITOR_PASSWORD).status_code == 429
    # Time passes: the failures are older than the cool-off.
    AccessAttempt.objects.update(
        attempt_time=datetime.datetime.now(datetime.UTC)
        - settings.AXES_COOLOFF_TIME
        - datetime.timedelta(seconds=1)
    )
    response = log_in(client, editor.username, demo.DEMO_EDITOR_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


def test_axes_reset_lifts_a_lockout_at_once(client, editor):
    fail(client, editor.username, settings.AXES_FAILURE_LIMIT)
    call_command("axes_reset", stdout=StringIO())
    assert log_in(client, editor.username, demo.DEMO_EDITOR_PASSWORD).status_code == 302


def test_a_success_clears_the_count(client, editor):
    fail(client, editor.username, settings.AXES_FAILURE_LIMIT - 1)
    assert log_in(client, editor.username, demo.DEMO_EDITOR_PASSWORD).status_code == 302
    client.logout()
    responses = fail(client, editor.username, settings.AXES_FAILURE_LIMIT - 1)
    assert {response.status_code for response in responses} == {200}


def test_the_same_user_name_from_another_address_is_not_locked_out(client, editor):
    fail(client, editor.username, settings.AXES_FAILURE_LIMIT, address="203.0.113.7")
    response = log_in(client, editor.username, demo.DEMO_EDITOR_PASSWORD, address="198.51.100.2")
    assert response.status_code == 302


def test_a_locked_out_editor_keeps_the_api_token_and_the_open_session(client, editor):
    """The lockout guards the password form; a token or a session already held still work."""
    signed_in = client.__class__()
    signed_in.force_login(editor)
    fail(client, editor.username, settings.AXES_FAILURE_LIMIT)
    token = Token.objects.create(user=editor).key
    api = client.get(
        reverse("api:event-list") + "?status=draft", HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert api.status_code == 200
    assert signed_in.get(reverse("admin:events_event_changelist")).status_code == 200
