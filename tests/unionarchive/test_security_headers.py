"""Every response carries the security headers: public pages, the admin, the API and its docs.

That the pages actually satisfy the Content-Security-Policy is checked in a real browser
(tests/browser/test_content_security_policy.py); here the headers themselves.
"""

from pathlib import Path

import pytest
import rest_framework
import simple_history
from django.conf import settings
from django.urls import reverse

from events import demo
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


@pytest.fixture
def pages():
    event = EventFactory(published=True)
    source = event.provenances.first().source
    return [
        reverse("events:home"),
        reverse("events:event-list"),
        reverse("events:event-detail", args=[event.pk]),
        reverse("events:event-timeline"),
        reverse("events:source-detail", args=[source.pk]),
        reverse("events:event-feed"),
        reverse("api:event-list"),
        reverse("api:event-detail", args=[event.pk]),
        reverse("api:docs"),
        reverse("api:docs") + "?script",
        reverse("api:schema"),
        reverse("admin:login"),
        reverse("admin:index"),  # a redirect to the login page
        "/no-such-page/",
    ]


def test_every_response_carries_the_security_headers(client, pages):
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 302, 404), path
        assert response["X-Content-Type-Options"] == "nosniff", path
        assert response["Referrer-Policy"] == "same-origin", path
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", path
        assert response["X-Frame-Options"] == "DENY", path
        assert "Content-Security-Policy" in response, path


def test_the_admin_of_a_signed_in_editor_carries_them_too(client):
    editor, _ = demo.demo_editor_ensure()
    client.force_login(editor)
    event = EventFactory()
    for name in ("admin:events_event_changelist", "admin:sources_source_changelist"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert response["X-Frame-Options"] == "DENY"
        assert "script-src 'self'" in response["Content-Security-Policy"]
    response = client.get(reverse("admin:events_event_change", args=[event.pk]))
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_the_policy_allows_scripts_and_styles_only_from_the_site(client):
    policy = directives(client.get(reverse("events:home")))
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    # Styles: this site, plus the exact style attributes a library template writes.
    assert policy["style-src"][:2] == ["'self'", "'unsafe-hashes'"]
    assert all(value.startswith("'sha256-") for value in policy["style-src"][2:])
    everything = " ".join(value for values in policy.values() for value in values)
    assert "'unsafe-inline'" not in everything
    assert "'unsafe-eval'" not in everything
    assert "report-uri" not in policy  # only when CSP_REPORT_URI is set


def test_each_allowed_style_attribute_is_still_written_by_its_library():
    """A hash that no template needs any more is dropped from the policy."""
    templates = [
        Path(simple_history.__file__).parent / "templates/simple_history/object_history_list.html",
        Path(rest_framework.__file__).parent / "templates/rest_framework/base.html",
    ]
    written = "".join(template.read_text() for template in templates)
    for text in settings.CSP_STYLE_ATTRIBUTES:
        assert f'style="{text}"' in written


def test_the_api_docs_start_swagger_ui_from_a_script_file_not_inline(client):
    page = client.get(reverse("api:docs")).content.decode()
    assert "<style>" not in page
    assert "<script>" not in page
    assert 'src="/api/docs/?script="' in page
    script = client.get(reverse("api:docs") + "?script")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


def test_pages_have_no_inline_script_or_style(client, pages):
    """Only data blocks (JSON-LD, json_script) and scripts loaded from files."""
    editor, _ = demo.demo_editor_ensure()
    client.force_login(editor)
    for path in pages:
        content = client.get(path).content.decode()
        assert " style=" not in content, path
        for tag in content.split("<script")[1:]:
            opening = tag.split(">", 1)[0]
            assert (
                "src=" in opening
                or "application/ld+json" in opening
                or ("application/json" in opening)
            ), (path, opening)
