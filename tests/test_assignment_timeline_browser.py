"""The timeline of assessed work in headless Chromium (issue 18, item 3): in the assignment block
of the lesson, on the module page and on the dashboard, before and after submitting, at phone
and desktop width, nothing wider than the window; screenshots under /tmp/shots-h/timeline/."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from browser import browser, chromium_path
from server_fixtures import register_in_browser

LESSON = "example/working-together/first-meeting/"
MODULE = "example/working-together/"
SHOTS = Path("/tmp/shots-h/timeline")

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not chromium_path(), reason="needs Debian's chromium")]


def _fits(page, width: int) -> None:
    wide = page.evaluate("document.scrollingElement.scrollWidth")
    assert wide <= width, f"{page.url} is {wide} px wide at {width} px"


@pytest.mark.parametrize("width", [390, 1366])
def test_the_timeline_on_the_lesson_the_module_page_and_the_dashboard(served, width):
    SHOTS.mkdir(parents=True, exist_ok=True)
    with browser() as b:
        page = b.new_page(viewport={"width": width, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        register_in_browser(page, served, f"tim{width}@agency.org", "Tim")
        page.goto(served + LESSON)
        section = page.locator("section.assignment")
        timeline = section.locator(".assignment-timeline")
        expect(timeline.locator(".assignment-next")).to_contain_text("Next: submit your work")
        expect(timeline.locator(".timeline-step")).to_have_count(6)
        assert timeline.locator("[aria-current=step] .timeline-label").inner_text() == "Submit your work"
        page.wait_for_timeout(1500)  # the visit is recorded (server.js): the date follows on the next look
        page.goto(served + MODULE)
        box = page.locator("[data-assignment-timeline]")
        expect(box.locator(".assignment-next")).to_contain_text(", by ")  # a week from the visit
        assert box.locator(".assignment-timeline-title a").get_attribute("href").endswith("#assignment-1")
        _fits(page, width)
        box.screenshot(path=str(SHOTS / f"module-{width}.png"))

        page.goto(served + LESSON)
        section.locator("textarea.assignment-text").wait_for(state="visible")
        section.locator("textarea.assignment-text").fill("Dear Ms Berg, " + " ".join(f"point{i}" for i in range(70)))
        expect(section.locator(".assignment-saved")).to_contain_text("saved on the server")
        section.locator("button.assignment-submit").click()
        expect(section.locator(".assignment-status")).to_contain_text("Submitted on")
        expect(timeline.locator(".assignment-next")).to_contain_text("Next: rate 1 more of the trainer's examples")
        assert timeline.locator(".timeline-step[data-state=done] .timeline-label").first.inner_text() == "Submit your work"
        expect(timeline.locator(".timeline-step[data-state=waiting]").first).to_contain_text("practise on the examples")
        _fits(page, width)
        timeline.screenshot(path=str(SHOTS / f"lesson-{width}.png"))

        page.goto(served + "dashboard")
        card = page.locator(".dashboard-course .assignment-timeline")
        expect(card.locator(".assignment-next a")).to_have_text(
            "Next: rate 1 more of the trainer's examples, by " + card.locator(".timeline-when").nth(1).inner_text()[3:]
            + ".")
        _fits(page, width)
        page.screenshot(path=str(SHOTS / f"dashboard-{width}.png"), full_page=True)
        # In German (the footer's language switch sets this cookie): the longer words still fit.
        page.context.add_cookies([{"name": "brokerlearn_lang", "value": "de", "url": served}])
        page.goto(served + LESSON)
        expect(timeline.locator(".assignment-next")).to_contain_text(
            "Als Nächstes: noch ein Übungsbeispiel bewerten, bis zum ")
        expect(timeline.locator(".timeline-step[data-state=done] .timeline-state")).to_have_text("erledigt")
        _fits(page, width)
        timeline.screenshot(path=str(SHOTS / f"lesson-de-{width}.png"))
        assert not errors
