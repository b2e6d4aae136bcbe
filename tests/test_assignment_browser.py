"""A learner's draft and submission in headless Chromium (issue 18, item 3), at phone and desktop
width: type a draft, reload (the draft is kept), attach a file, submit; screenshots under
/tmp/shots-h/assign/."""
from __future__ import annotations

from pathlib import Path

import pytest

from playwright.sync_api import expect

from browser import browser, chromium_path
from server_fixtures import register_over_http

LESSON = "example/working-together/first-meeting/"
SHOTS = Path("/tmp/shots-h/assign")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

pytestmark = pytest.mark.skipif(not chromium_path(), reason="needs Debian's chromium")


@pytest.mark.parametrize("width", [390, 1366])
def test_a_learner_drafts_reloads_attaches_and_submits(module_served, tmp_path, width):
    served = module_served  # one server: each width registers a learner of its own
    SHOTS.mkdir(parents=True, exist_ok=True)
    agenda = tmp_path / "agenda.pdf"
    agenda.write_bytes(PDF)
    draft = "Dear Ms Berg, " + " ".join(f"point{i}" for i in range(70))
    with browser() as b:
        page = b.new_page(viewport={"width": width, "height": 900})
        register_over_http(page.context, served, f"ana{width}@agency.org", "Ana")
        page.goto(served + LESSON)
        section = page.locator("section.assignment")
        text = section.locator("textarea.assignment-text")
        text.wait_for(state="visible")
        assert section.locator("[data-needs-server]").is_hidden()
        text.click()
        page.keyboard.type(draft[:40])
        text.fill(draft)  # the rest at once: fill sends the input event too
        # Locators, not wait_for_function: the server's CSP (rightly) forbids the eval that polling uses.
        expect(section.locator(".assignment-saved")).to_contain_text("saved on the server")
        assert "73 words (60 to 400)" in section.locator(".assignment-words").inner_text()
        page.reload()
        text.wait_for(state="visible")
        expect(text).to_have_value(draft)  # kept across the reload (browser and server)
        section.locator("input.assignment-file").set_input_files(str(agenda))
        expect(section.locator(".assignment-files li")).to_contain_text("agenda.pdf")
        section.screenshot(path=str(SHOTS / f"draft-{width}.png"))
        section.locator("button.assignment-submit").click()
        expect(section.locator(".assignment-status")).to_contain_text("Submitted on")
        assert not section.locator(".assignment-submitted").is_hidden()
        assert "Dear Ms Berg" in section.locator(".assignment-submitted").inner_text()
        assert section.locator(".assignment-submitted a[download]").inner_text() == "agenda.pdf"
        assert text.is_hidden()
        wider = page.evaluate("""w => [...document.querySelectorAll('section.assignment *')]
            .filter(e => e.getBoundingClientRect().right > w + 0.5).map(e => e.tagName + '.' + e.className)""", width)
        assert not wider
        section.locator(".assignment-form").screenshot(path=str(SHOTS / f"submitted-{width}.png"))
        page.reload()  # the status comes from the server
        expect(section.locator(".assignment-status")).to_contain_text("Submitted on")
        assert page.evaluate("localStorage.getItem('brokerlearn:assignment:example:meeting-plan')") is None


def test_signed_out_the_page_asks_to_sign_in(module_served):
    served = module_served
    with browser() as b:
        page = b.new_page(viewport={"width": 1366, "height": 900})
        page.goto(served + LESSON)
        note = page.locator("section.assignment [data-needs-server]")
        expect(note).to_contain_text("Sign in to write and submit your work.")
        assert note.locator("a").get_attribute("href").startswith(served + "account/login?next=")
        assert page.locator("section.assignment form").is_hidden()
