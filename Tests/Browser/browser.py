# SPDX-License-Identifier: AGPL-3.0-or-later
"""What the browser tests share: the check that stops at the first failure, and headless
Chromium (Debian's chromium and chromedriver, through Selenium) with a 20-second wait."""

import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait


def check(condition, what):
    if not condition:
        print(f"FAILED: {what}")
        sys.exit(1)
    print(f"ok: {what}")


def chromium():
    """A headless Chromium and its WebDriverWait."""
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,960",
                     "--disable-dev-shm-usage", "--lang=en-US"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    return driver, WebDriverWait(driver, 20)
