"""Browser tests: Debian's chromium driven through its own chromedriver (Selenium), headless, no
network beyond loopback, nothing downloaded at run time (``make setup`` installs both packages)."""
from __future__ import annotations

import os
import shutil

import pytest

from .seed import start_desk, stop_desk

CHROMIUM = os.environ.get("PANTAU_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("PANTAU_CHROMEDRIVER", "/usr/bin/chromedriver")
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def desk(stack, settings, tmp_path_factory):
    running = start_desk(settings, tmp_path_factory.mktemp("desk"))
    yield running
    stop_desk(running, settings)


@pytest.fixture
def browser(tmp_path):
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.skip("chromium/chromedriver missing: run `make setup` (installs Debian's chromium and chromium-driver)")
    os.environ.setdefault("SE_AVOID_STATS", "true")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900", f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)
