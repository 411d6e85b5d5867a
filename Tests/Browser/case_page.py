#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Opens one case page of `amanat-inbox serve` in headless Chromium (Debian's chromium and
chromedriver, through Selenium) and checks that one message of its timeline shows every given
text, as a person sees it (rendered text, not the page source).

Usage: case_page.py LOGIN_URL CASE_PATH TEXT...
Prints what it checked; exits 1 at the first failed check."""

import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def check(condition, what):
    if not condition:
        print(f"FAILED: {what}")
        sys.exit(1)
    print(f"ok: {what}")


def main():
    login, case_path, *texts = sys.argv[1:]
    base = login.split("/login")[0]
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for argument in ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,960",
                     "--disable-dev-shm-usage", "--lang=en-US"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    wait = WebDriverWait(driver, 20)
    try:
        driver.get(login)
        wait.until(lambda d: d.current_url.rstrip("/") == base)
        driver.get(f"{base}/case/{case_path}")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "section.timeline"))
        shown = [m.text for m in driver.find_elements(By.CSS_SELECTOR, "section.timeline article.message")]
        check(shown, "the case page shows a timeline")
        matching = [text for text in shown if all(t in text for t in texts)]
        check(matching, f"one message shows {texts!r} (the timeline: {shown!r})")
        print("case page test passed")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
