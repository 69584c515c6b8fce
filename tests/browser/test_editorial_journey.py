"""An editor's path in real headless Chromium: a draft, reviewed and published in the
admin, reaches the public page; screenshots in test-artifacts/."""

import pytest
from django.urls import reverse
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from events import demo
from events.models import EventStatus
from events.search import search_index_update
from tests.factories import EventFactory

# serialized_rollback: the roles (groups) a migration made are back after earlier tests flushed.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_an_editor_publishes_a_draft_and_readers_then_see_it(live_server, browser, screenshot):
    draft = EventFactory(title="首届大国工匠论坛在长沙举办")
    search_index_update(events=[draft.pk])
    public_url = live_server.url + reverse("events:event-detail", args=[draft.pk])
    browser.get(public_url)
    assert draft.title not in browser.page_source  # a draft is nobody's business yet
    screenshot("draft-not-public")

    editor, _ = demo.demo_editor_ensure()
    browser.set_window_size(1280, 900)
    browser.get(live_server.url + reverse("admin:login"))
    browser.find_element(By.ID, "id_username").send_keys(editor.username)
    browser.find_element(By.ID, "id_password").send_keys(demo.DEMO_EDITOR_PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
    WebDriverWait(browser, 10).until(EC.presence_of_element_located((By.ID, "user-tools")))

    browser.get(live_server.url + reverse("admin:events_event_changelist") + "?status__exact=draft")
    screenshot("review-queue")
    browser.find_element(By.LINK_TEXT, draft.title).click()
    publish = WebDriverWait(browser, 10).until(
        EC.element_to_be_clickable((By.CSS_SELECTOR, "form[action$='/review/publish/'] button"))
    )
    screenshot("change-form")
    publish.click()
    WebDriverWait(browser, 10).until(
        EC.presence_of_element_located((By.CSS_SELECTOR, ".messagelist"))
    )
    screenshot("published")
    draft.refresh_from_db()
    assert draft.status == EventStatus.PUBLISHED
    assert draft.reviewed_by == editor

    browser.get(public_url)
    WebDriverWait(browser, 10).until(EC.title_contains("首届大国工匠论坛"))
    assert draft.title in browser.find_element(By.TAG_NAME, "h1").text
    screenshot("public-page")
