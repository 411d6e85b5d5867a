#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Drives the case page's "Device lost or seized" form in headless Chromium (issue #20): a wrong
case id in the confirmation reports nothing; the right one flags the case (and, on the
administrator's device, freezes the mailbox); a reply then needs the override box, which the
page shows. Saves a screenshot of the flagged case when given a directory.

Usage: seizure_ui.py LOGIN_URL CASE_LABEL [SCREENSHOT_DIR]
Prints what it checked; exits 1 at the first failed check."""

import sys

from selenium.webdriver.common.by import By

from browser import check, chromium


def main():
    login, label = sys.argv[1:3]
    screenshots = sys.argv[3] if len(sys.argv) > 3 else None
    base = login.split("/login")[0]
    driver, wait = chromium()
    try:
        driver.get(login)
        wait.until(lambda d: d.current_url.rstrip("/") == base)
        driver.find_element(By.LINK_TEXT, label).click()
        wait.until(lambda d: "/case/" in d.current_url)
        check(not driver.find_elements(By.CSS_SELECTOR, "p.seized"), "the case is not flagged yet")
        check(not driver.find_elements(By.NAME, "despite"), "and a reply needs no override")

        # A slip in the confirmation reports nothing.
        form = driver.find_element(By.CSS_SELECTOR, "section.seizure form")
        form.find_element(By.NAME, "confirm").send_keys("0000-0000")
        form.find_element(By.TAG_NAME, "button").click()
        wait.until(lambda d: "notice=" in d.current_url)
        check("Nothing was reported" in driver.page_source, "a wrong case id in the confirmation reports nothing")
        check(not driver.find_elements(By.CSS_SELECTOR, "p.seized"), "the case is still not flagged")

        # The right id: flagged, and frozen from this device, which holds the organisation root.
        form = driver.find_element(By.CSS_SELECTOR, "section.seizure form")
        form.find_element(By.NAME, "confirm").send_keys(label)
        form.find_element(By.TAG_NAME, "button").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "p.seized"))
        page = driver.find_element(By.TAG_NAME, "main").text
        check("reported lost or seized" in driver.find_element(By.CSS_SELECTOR, "p.seized").text,
              "the case page flags the device as seized")
        check("The relay has frozen the mailbox" in page, f"the relay froze the mailbox ({page[:300]})")
        check("reported the defender's device lost or seized" in page, "the history records the report")
        if screenshots:
            driver.save_screenshot(f"{screenshots}/web-case-seized.png")

        # A reply without the override is refused, with the reason; the box is there.
        reply = driver.find_element(By.XPATH, "//form[contains(@action, '/reply')]")
        check(reply.find_elements(By.NAME, "despite"), "the reply form offers the override")
        reply.find_element(By.NAME, "text").send_keys("Are you safe?")
        reply.find_element(By.TAG_NAME, "button").click()
        wait.until(lambda d: "whoever holds it may read the reply" in d.page_source)
        check("Are you safe?" not in driver.find_element(By.CSS_SELECTOR, "section.timeline").text,
              "the reply was not sent")
    finally:
        driver.quit()
    print("seizure browser test passed")


if __name__ == "__main__":
    main()
