"""The Content-Security-Policy holds in a real browser: the public pages, the API docs and
the editorial desk load and work with nothing refused, and what the policy forbids is
indeed refused (so that an empty list of violations means something)."""

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from chronicles.models import Chronicle
from events import demo
from events.models import Event
from sources.models import Source

# serialized_rollback: the roles (groups) a migration made are back after earlier tests flushed.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def wait_for(browser, condition, timeout=15):
    return WebDriverWait(browser, timeout).until(condition)


def visit(browser, url, ready):
    browser.get(url)
    wait_for(browser, EC.presence_of_element_located(ready))
    # Let what the page starts (fetches, TimelineJS, Swagger UI) run before looking.
    wait_for(browser, lambda b: b.execute_script("return document.readyState") == "complete")


def test_an_inline_script_is_refused_and_reported(live_server, browser, csp_violations):
    """The check itself can fail: a script written into the page is blocked and listed."""
    visit(browser, live_server.url + "/", (By.TAG_NAME, "main"))
    assert csp_violations() == []
    browser.execute_script(
        "var s = document.createElement('script');"
        "s.textContent = 'window.injected = true;';"
        "document.body.appendChild(s);"
    )
    wait_for(browser, lambda b: b.execute_script("return window.__cspViolations.length > 0"))
    assert browser.execute_script("return window.injected === undefined")
    violations = csp_violations()
    assert any(v.startswith("script-src-elem blocked inline") for v in violations), violations


def test_public_pages_api_docs_and_admin_cause_no_violation(
    live_server, browser, screenshot, csp_violations, demo_archive
):
    browser.set_window_size(1280, 900)
    event = demo_archive.filter(provenances__isnull=False).order_by("pk").first()
    source = Source.objects.filter(provenances__event=event).first()
    url = live_server.url
    public_pages = [
        ("/", (By.TAG_NAME, "main")),
        ("/events/?year=2022", (By.CSS_SELECTOR, "table.bars")),
        (reverse("events:event-detail", args=[event.pk]), (By.CSS_SELECTOR, "article.event")),
        (reverse("events:source-detail", args=[source.pk]), (By.CSS_SELECTOR, "mark")),
        ("/events/timeline/?year=2022", (By.CSS_SELECTOR, ".tl-timemarker")),
        ("/chronicle/2022/", (By.TAG_NAME, "h1")),
        # Swagger UI draws the operations only once its script has fetched the schema.
        (reverse("api:docs"), (By.CSS_SELECTOR, ".opblock")),
        # DRF's browsable API, what a browser gets from an API address.
        (reverse("api:event-list") + "?year=2022", (By.CSS_SELECTOR, ".response-info")),
        (reverse("admin:login"), (By.ID, "id_username")),
    ]
    for path, ready in public_pages:
        visit(browser, url + path, ready)
        assert csp_violations() == [], path
    screenshot("api-docs-after-login-page")

    editor, _ = demo.demo_editor_ensure()
    browser.find_element(By.ID, "id_username").send_keys(editor.username)
    browser.find_element(By.ID, "id_password").send_keys(demo.DEMO_EDITOR_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    wait_for(browser, EC.presence_of_element_located((By.ID, "user-tools")))
    assert csp_violations() == []

    chronicle = Chronicle.objects.get(year=2022)
    admin_pages = [
        (reverse("admin:index"), (By.ID, "content-main")),
        (reverse("admin:events_event_changelist"), (By.ID, "result_list")),
        (reverse("admin:events_event_change", args=[event.pk]), (By.ID, "event_form")),
        (reverse("admin:events_event_history", args=[event.pk]), (By.ID, "content-main")),
        (reverse("admin:events_event_duplicates"), (By.ID, "content")),
        (reverse("admin:events_event_upload"), (By.CSS_SELECTOR, "input[type=file]")),
        (reverse("admin:sources_source_changelist"), (By.ID, "result_list")),
        (reverse("admin:sources_source_change", args=[source.pk]), (By.CSS_SELECTOR, "mark")),
        (reverse("admin:chronicles_chronicle_change", args=[chronicle.pk]), (By.ID, "content")),
        (reverse("admin:events_organisation_changelist"), (By.ID, "result_list")),
    ]
    for path, ready in admin_pages:
        visit(browser, url + path, ready)
        assert csp_violations() == [], path
    # The organisations' autocomplete (select2) opens and lists choices under the policy.
    change_form = url + reverse("admin:events_event_change", args=[event.pk])
    visit(browser, change_form, (By.ID, "event_form"))
    browser.find_element(By.CSS_SELECTOR, ".field-organisations .select2-selection").click()
    wait_for(browser, EC.presence_of_element_located((By.CSS_SELECTOR, ".select2-results__option")))
    screenshot("event-change-form-autocomplete")
    assert csp_violations() == []
    assert Event.objects.filter(pk=event.pk).exists()
