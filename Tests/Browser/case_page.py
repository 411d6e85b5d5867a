#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Opens one case page of `amanat-inbox serve` in headless Chromium (Debian's chromium and
chromedriver, through Selenium) and checks that one message of its timeline shows every given
text, as a person sees it (rendered text, not the page source).

Usage: case_page.py LOGIN_URL CASE_PATH TEXT...
Prints what it checked; exits 1 at the first failed check."""

import sys

from selenium.webdriver.common.by import By

from browser import check, chromium


def main():
    login, case_path, *texts = sys.argv[1:]
    base = login.split("/login")[0]
    driver, wait = chromium()
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
