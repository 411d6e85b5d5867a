#!/usr/bin/env python3
# SPDX-License-Identifier: AGPL-3.0-or-later
"""Drives `amanat-inbox serve` in headless Chromium (Debian's chromium and chromedriver, through
Selenium): logs in with the one-time link, filters and sorts the case list, opens a case (which
marks nothing read), sees its photo inline and its PDFs as links, saves status and priority with
one Save, marks the case read, syncs back to the same page, posts a reply with an attachment;
then checks, outside the browser, how files are served (PDF inline and no-store, an HTML page
named .pdf refused, 404s with the security headers), that a form without its CSRF token and a
request with a foreign Host header are refused, and that the login link works only once. Saves
screenshots of the case list and the case view when given a directory.

Usage: inbox_ui.py LOGIN_URL CASE_LABEL UPDATE_TEXT ATTACHMENT [SCREENSHOT_DIR]
Prints what it checked; exits 1 at the first failed check."""

import http.client
import sys
import urllib.parse

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser import check, chromium


def main():
    login, label, update_text, attachment = sys.argv[1:5]
    screenshots = sys.argv[5] if len(sys.argv) > 5 else None
    base = login.split("/login")[0]
    host = urllib.parse.urlsplit(base).netloc

    driver, wait = chromium()
    try:
        driver.get(login)
        wait.until(lambda d: d.current_url.rstrip("/") == base)
        check(label in driver.page_source, "the login link opens the case list with the case")
        check(driver.get_cookie("amanat_session")["httpOnly"], "the session cookie is HttpOnly")
        if screenshots:
            driver.save_screenshot(f"{screenshots}/web-case-list.png")

        # Filters: the case is new; no case is closed.
        Select(driver.find_element(By.NAME, "status")).select_by_value("closed")
        driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
        wait.until(lambda d: "status=closed" in d.current_url)
        check(label not in driver.find_element(By.TAG_NAME, "main").text, "filtering by 'closed' hides the case")
        Select(driver.find_element(By.NAME, "status")).select_by_value("new")
        driver.find_element(By.CSS_SELECTOR, "form.filters button").click()
        wait.until(lambda d: "status=new" in d.current_url)
        check(label in driver.find_element(By.TAG_NAME, "main").text, "filtering by 'new' shows the case")

        # The list counts what is unread, and sorts.
        check("1 unread" in driver.find_element(By.TAG_NAME, "main").text, "the list counts the unread update")
        driver.find_element(By.LINK_TEXT, "most urgent first").click()
        wait.until(lambda d: "sort=priority" in d.current_url)
        check(label in driver.find_element(By.TAG_NAME, "main").text, "sorting by priority still lists the case")

        # The case view: the defender's update, marked new; opening it marks nothing read.
        driver.find_element(By.LINK_TEXT, label).click()
        wait.until(lambda d: "/case/" in d.current_url)
        check(update_text in driver.page_source, "the case view shows the defender's update")
        check(driver.find_elements(By.CSS_SELECTOR, "article.message.unread .new"), "the update is marked new")
        case_url = driver.current_url
        driver.get(base + "/")
        check("1 unread" in driver.find_element(By.TAG_NAME, "main").text, "looking at a case does not mark it read")
        driver.get(case_url)

        # The photo is shown in the page; the PDF opens from a link; the disguised file is refused.
        images = driver.find_elements(By.CSS_SELECTOR, "article.message .attachment img")
        check(len(images) == 1, "one image is shown inline")
        wait.until(lambda d: d.execute_script("return arguments[0].complete && arguments[0].naturalWidth", images[0]))
        check(driver.execute_script("return arguments[0].naturalWidth", images[0]) == 64, "the photo renders (64 px wide)")
        links = {a.text: a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, ".attachment a")}
        check("постановление.pdf" in links and "evil.pdf" in links, f"the PDFs have links ({links})")
        pdf_url = urllib.parse.urlsplit(links["постановление.pdf"]).path
        evil_url = urllib.parse.urlsplit(links["evil.pdf"]).path

        # One Save for the triage fields: status and priority change together.
        fields = driver.find_element(By.CSS_SELECTOR, "form.fields")
        Select(fields.find_element(By.NAME, "status")).select_by_value("in-progress")
        Select(fields.find_element(By.NAME, "priority")).select_by_value("high")
        fields.find_element(By.TAG_NAME, "button").click()
        wait.until(lambda d: "notice=" in d.current_url)
        fields = driver.find_element(By.CSS_SELECTOR, "form.fields")
        status = Select(fields.find_element(By.NAME, "status")).first_selected_option.get_attribute("value")
        priority = Select(fields.find_element(By.NAME, "priority")).first_selected_option.get_attribute("value")
        check(status == "in-progress" and priority == "high", "one Save stores status and priority")
        check("set the status to in progress" in driver.page_source, "the history records the status")
        check("set the priority to high" in driver.page_source, "and the priority, as its own change")

        # Mark as read; then Sync now comes back to this page.
        driver.find_element(By.CSS_SELECTOR, "form.mark-read button").click()
        wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "form.mark-read"))
        check(not driver.find_elements(By.CSS_SELECTOR, "article.message.unread"), "marked read, nothing is new")
        driver.find_element(By.XPATH, "//form[@action='/sync']/button").click()
        wait.until(lambda d: "notice=" in d.current_url)
        check(urllib.parse.urlsplit(driver.current_url).path == urllib.parse.urlsplit(case_url).path,
              "Sync now returns to the case page")

        # A reply with an attachment.
        reply = driver.find_element(By.XPATH, "//form[contains(@action, '/reply')]")
        reply.find_element(By.NAME, "text").send_keys("Received, a lawyer will call you.")
        reply.find_element(By.NAME, "attach").send_keys(attachment)
        reply.find_element(By.TAG_NAME, "button").click()
        try:
            wait.until(lambda d: "Reply sent" in d.page_source or "not sent yet" in d.page_source)
        except Exception:
            check(False, "the reply is answered: " + driver.find_element(By.TAG_NAME, "body").text[:600])
        check("Received, a lawyer will call you." in driver.page_source, "the reply appears in the timeline")
        check(attachment.rsplit("/", 1)[-1] in driver.page_source, "with its attachment")
        if screenshots:
            driver.save_screenshot(f"{screenshots}/web-case-view.png")
        session = driver.get_cookie("amanat_session")["value"]
        path = urllib.parse.urlsplit(driver.current_url).path
    finally:
        driver.quit()

    def fetch(method, target, body=None, headers=None):
        connection = http.client.HTTPConnection(host, timeout=10)
        connection.request(method, target, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict((k.lower(), v) for k, v in response.getheaders()), response.read()

    def request(method, target, body=None, headers=None):
        status, _, body = fetch(method, target, body, headers)
        return status, body.decode("utf-8", "replace")

    logged_in = {"Cookie": f"amanat_session={session}"}
    status, headers, body = fetch("GET", pdf_url, headers=logged_in)
    check(status == 200 and headers.get("content-type") == "application/pdf" and body.startswith(b"%PDF-"),
          f"the PDF is served as a PDF ({status}, {headers.get('content-type')})")
    check(headers.get("cache-control") == "no-store" and headers.get("content-disposition", "").startswith("inline"),
          f"inline and never stored ({headers.get('cache-control')}, {headers.get('content-disposition')})")
    status, headers, body = fetch("GET", evil_url, headers=logged_in)
    check(status == 415 and b"<script>" not in body, f"an HTML page named .pdf is not served ({status})")
    for target in ["/no/such/page", pdf_url.replace("/file/", "/file/00")]:
        status, headers, _ = fetch("GET", target, headers=logged_in)
        check(status == 404 and "default-src 'none'" in headers.get("content-security-policy", "")
              and headers.get("x-content-type-options") == "nosniff" and headers.get("cache-control") == "no-store",
              f"{target} is a 404 with the security headers ({status}, {headers})")
    status, _ = request("GET", pdf_url)
    check(status == 401, f"files need the session cookie ({status})")

    cookie = {"Cookie": f"amanat_session={session}", "Content-Type": "application/x-www-form-urlencoded"}
    status, _ = request("POST", f"{path}/triage", "action=status&value=closed", cookie)
    check(status == 403, f"a form without the CSRF token is refused ({status})")
    status, _ = request("POST", f"{path}/triage", "csrf=AAAA&action=status&value=closed", cookie)
    check(status == 403, f"a form with a wrong CSRF token is refused ({status})")
    status, _ = request("GET", "/", headers={"Cookie": f"amanat_session={session}", "Host": "evil.example:80"})
    check(status == 421, f"a request with a foreign Host header is refused ({status})")
    status, _ = request("GET", "/")
    check(status == 401, f"a request without the session cookie is refused ({status})")
    status, _ = request("GET", urllib.parse.urlsplit(login).path + "?" + urllib.parse.urlsplit(login).query)
    check(status == 401, f"the login link works only once ({status})")
    status, page = request("GET", path, headers={"Cookie": f"amanat_session={session}"})
    check(status == 200 and "In progress" not in page and "in progress" in page, "the case still reads in progress")
    print("browser test passed")


if __name__ == "__main__":
    main()
