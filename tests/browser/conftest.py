"""Headless Chromium for the browser tests: Debian's chromium and chromium-driver, nothing
downloaded (Selenium Manager is never asked: the driver's path is given).

Outside CI the tests skip when Chromium is absent; with CI set they fail instead.
"""

import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
INSTALL_HINT = "apt-get install chromium chromium-driver"


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
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
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
