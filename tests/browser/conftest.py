"""Headless Chromium for the browser tests: Debian's chromium and chromium-driver, nothing
downloaded (Selenium Manager is never asked: the driver's path is given).

Outside CI the tests skip when Chromium is absent; with CI set they fail instead.
"""

import os
import re
import shutil
import tempfile
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from chronicles import services as chronicle_services
from events.models import Event

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
INSTALL_HINT = "apt-get install chromium chromium-driver"
# Run in every page before its own scripts: keeps each Content-Security-Policy violation the
# page causes, so that a test can ask for them (csp_violations below).
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(
    event.effectiveDirective + " blocked " + (event.blockedURI || "inline") + " at " +
    event.sourceFile + ":" + event.lineNumber + " (" + (event.sample || "") + ")"
  );
});
"""


@pytest.fixture
def demo_archive():
    """The seed documents loaded, the demo's events published, a 2022 chronicle edition."""
    call_command("setup_demo", "--no-editor", stdout=StringIO())
    chronicle = chronicle_services.chronicle_create(year=2022)
    chronicle_services.chronicle_populate(chronicle=chronicle)
    chronicle_services.chronicle_publish(chronicle=chronicle, by=None)
    return Event.objects.published()


@pytest.fixture
def browser(request):
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not path.exists()]
    if missing:
        message = f"{', '.join(missing)} missing: install it with `{INSTALL_HINT}`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="ua-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--window-size=390,900",
        "--lang=zh-CN",
    ):
        options.add_argument(flag)
    # A Chinese reader's browser: the site negotiates its language from Accept-Language.
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    # The console log, where Chromium also reports what the Content-Security-Policy refused.
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_LISTENER})
    driver.implicitly_wait(0)
    driver.set_page_load_timeout(20)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def screenshot(browser, request):
    """screenshot("step") saves test-artifacts/<test>/<nn>-step.png of the whole page."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    counter = iter(range(1, 100))

    def take(step: str) -> Path:
        width = browser.get_window_size()["width"]
        height = browser.execute_script("return document.documentElement.scrollHeight")
        browser.set_window_size(width, min(max(height, 600), 6000))
        path = folder / f"{next(counter):02d}-{step}.png"
        browser.save_screenshot(str(path))
        browser.set_window_size(width, 900)
        return path

    return take


@pytest.fixture
def csp_violations(browser):
    """csp_violations() lists what the Content-Security-Policy refused on the current page
    (from the page's securitypolicyviolation events and the console log) and clears both."""

    def collect() -> list[str]:
        found = browser.execute_script(
            "var found = window.__cspViolations || []; window.__cspViolations = []; return found;"
        )
        found += [
            entry["message"]
            for entry in browser.get_log("browser")
            if "Content Security Policy" in entry["message"]
        ]
        return found

    return collect
