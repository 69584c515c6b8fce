"""A script in a source's text reaches the reader as text in a real browser: no alert opens
on the pages that show it, and the script's text is what the reader sees."""

import pytest
from django.urls import reverse
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from events.search import search_index_update
from tests.factories import EventFactory, SourceFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

SCRIPT = "<script>alert(1)</script>"
IMAGE = '<img src=x onerror="alert(2)">'
TEXT = f"2022年4月27日，{SCRIPT}首届大国工匠创新交流大会{IMAGE}在深圳举办。"


def assert_no_alert(browser):
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - reading it is what raises


def test_a_script_in_the_text_is_shown_never_run(live_server, browser, screenshot, csp_violations):
    source = SourceFactory(text=TEXT, raw_text=TEXT)
    event = EventFactory(
        title=f"{SCRIPT}首届大国工匠创新交流大会",
        summary=TEXT,
        provenance=source,
        published=True,
    )
    search_index_update(events=[event.pk])
    browser.set_window_size(1280, 900)
    pages = [
        (reverse("events:event-detail", args=[event.pk]), (By.CSS_SELECTOR, "article.event h1")),
        (reverse("events:source-detail", args=[source.pk]), (By.CSS_SELECTOR, ".source-text")),
        (reverse("events:event-list") + "?q=工匠", (By.CSS_SELECTOR, ".event-title")),
        ("/events/timeline/?year=2022", (By.CSS_SELECTOR, ".tl-timemarker")),
    ]
    for path, ready in pages:
        browser.get(live_server.url + path)
        WebDriverWait(browser, 20).until(EC.presence_of_element_located(ready))
        assert_no_alert(browser)
        assert csp_violations() == [], path
        # The markup is text on the page: an element it made would hide it.
        assert "alert(1)" in browser.find_element(By.TAG_NAME, "body").text, path
        assert not browser.find_elements(By.CSS_SELECTOR, "main img[src=x]"), path
    screenshot("timeline-with-hostile-headline")
