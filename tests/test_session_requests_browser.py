"""A page asks the server who is signed in once (issue 20): server.js asks /api/session and the
graded-quiz entries (assessments.js) use that answer instead of asking again, signed in or out."""
import pytest

from browser import browser, chromium_path
from server_fixtures import register_in_browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed (scripts/setup --test)"),
]
MODULE = "example/working-together/"
LESSON = "example/finding-partners/cooperation-profiles/"


def _session_requests(page, url) -> int:
    asked = []
    page.on("request", lambda r: asked.append(r.url) if r.url.split("?")[0].endswith("/api/session") else None)
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return len(asked)


def test_each_page_asks_for_the_session_once(served):
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 1366, "height": 900})
        assert _session_requests(page, served + MODULE) == 1
        assert page.locator("li.assessment").get_attribute("data-status") == "signed_out"
        register_in_browser(page, served, "once@example.org", "Once Only")
        assert _session_requests(page, served + MODULE) == 1
        assert page.locator("li.assessment").get_attribute("data-status") == "not_started"
        assert _session_requests(page, served + LESSON) == 1
        assert page.locator("[data-lesson-complete] button").is_visible()  # server.js went on as before
