"""A reader's path through the public site in real headless Chromium, against the live
server, with a screenshot after each step in test-artifacts/."""

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.select import Select
from selenium.webdriver.support.ui import WebDriverWait

from events.filters import EventFilterSet
from events.models import Event

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(browser, condition, timeout=10):
    return WebDriverWait(browser, timeout).until(condition)


def test_reader_filters_searches_reads_an_event_and_its_source(
    live_server, browser, screenshot, demo_archive
):
    organisation = (
        demo_archive.filter(date_start__year=2022)
        .values_list("organisations__slug", "organisations__name")
        .exclude(organisations__slug=None)
        .first()
    )
    browser.get(live_server.url + "/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-CN"
    screenshot("home")

    # Filter by year and organisation: the filters land in the URL.
    browser.find_element(By.CSS_SELECTOR, "nav a[href='/events/']").click()
    wait_for(browser, EC.presence_of_element_located((By.ID, "f-year")))
    Select(browser.find_element(By.ID, "f-year")).select_by_value("2022")
    Select(browser.find_element(By.ID, "f-organisation")).select_by_value(organisation[0])
    browser.find_element(By.CSS_SELECTOR, ".filters button[type=submit]").click()
    wait_for(browser, EC.url_contains("organisation="))
    assert "year=2022" in browser.current_url
    titles = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".event-title")]
    expected = demo_archive.filter(organisations__slug=organisation[0]).in_year(2022)
    assert sorted(titles) == sorted(expected.values_list("title", flat=True))
    assert browser.find_element(By.CSS_SELECTOR, "table.bars")
    screenshot("filtered-by-year-and-organisation")
    filtered_url = browser.current_url

    # Search a Chinese word.
    search = browser.find_element(By.ID, "f-q")
    search.clear()
    search.send_keys("工匠")
    Select(browser.find_element(By.ID, "f-organisation")).select_by_value("")
    Select(browser.find_element(By.ID, "f-year")).select_by_value("")
    search.submit()
    wait_for(browser, EC.url_contains("q="))
    results = browser.find_elements(By.CSS_SELECTOR, ".event-title a")
    assert results
    found = {link.text for link in results}
    wanted = EventFilterSet({"q": "工匠"}, queryset=Event.objects.published()).qs
    assert found == set(wanted.values_list("title", flat=True))
    screenshot("searched")

    # Open an event, then follow a provenance link to the marked place in its source.
    results[0].click()
    wait_for(browser, EC.presence_of_element_located((By.CSS_SELECTOR, "article.event h1")))
    event_url = browser.current_url
    assert browser.find_element(By.CSS_SELECTOR, "script[type='application/ld+json']")
    screenshot("event")
    browser.find_element(By.CSS_SELECTOR, "a.source-link").click()
    wait_for(browser, EC.url_contains("/sources/"))
    anchor = browser.current_url.rsplit("#", 1)[1]
    marked = browser.find_element(By.CSS_SELECTOR, f"#{anchor} + mark a")
    assert marked.get_attribute("href") == event_url
    screenshot("source")

    # The back button returns to the event, then to the search results.
    browser.back()
    wait_for(browser, EC.url_to_be(event_url))
    browser.back()
    wait_for(browser, EC.url_contains("q="))
    assert browser.find_element(By.ID, "f-q").get_attribute("value") == "工匠"
    browser.back()
    wait_for(browser, EC.url_to_be(filtered_url))
    screenshot("back-to-filters")

    # The chronicle of the year, from the main navigation.
    browser.find_element(By.CSS_SELECTOR, "nav a[href='/chronicle/']").click()
    browser.find_element(By.CSS_SELECTOR, "a[href='/chronicle/2022/']").click()
    wait_for(browser, EC.url_contains("/chronicle/2022/"))
    assert "2022年工会工作大事记" in browser.find_element(By.TAG_NAME, "h1").text
    screenshot("chronicle")


def test_zoomable_timeline_draws_the_filtered_events(
    live_server, browser, screenshot, demo_archive
):
    browser.set_window_size(1280, 900)
    browser.get(live_server.url + "/events/timeline/?year=2022")
    wait_for(browser, EC.presence_of_element_located((By.CSS_SELECTOR, ".tl-slide")), 20)
    wait_for(browser, lambda b: b.find_elements(By.CSS_SELECTOR, ".tl-timemarker"))
    markers = browser.find_elements(By.CSS_SELECTOR, ".tl-timemarker")
    assert len(markers) == demo_archive.in_year(2022).count()
    screenshot("timeline")
