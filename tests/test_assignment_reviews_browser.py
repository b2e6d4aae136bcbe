"""A peer review done by keyboard alone in headless Chromium (issue 18, items 3 to 5), at phone
and desktop width: Ben submits, rates the trainer's example, is handed Ana's work (no name, her
file under a neutral name), is told a comment is needed below the standard, and hands the review
in; then, once a trainer's result is released, Ana reads her feedback and rates the review's
helpfulness. Screenshots under /tmp/shots-h/review/."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from playwright.sync_api import expect

from browser import AXE, axe_violations, browser, chromium_path
from server_fixtures import PASSWORD, Visitor, register_in_browser

LESSON = "example/working-together/first-meeting/"
BASE = "/api/assignments/example/meeting-plan"
SHOTS = Path("/tmp/shots-h/review")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
ANA_TEXT = "Dear Ms Berg, I am Ana Amsel. " + " ".join(f"agenda{i}" for i in range(70))

pytestmark = pytest.mark.skipif(not chromium_path(), reason="needs Debian's chromium")


def _ana_submits(app, email: str) -> tuple[Visitor, int]:
    ana = Visitor(app)
    assert ana.register(email, name="Ana Amsel").status_code == 302
    ana.api("put", f"{BASE}/draft", {"text": ANA_TEXT})
    ana.api("post", f"{BASE}/draft/files", data={"file": (io.BytesIO(PDF), "Ana Amsel agenda.pdf")},
            content_type="multipart/form-data")
    submitted = ana.api("post", f"{BASE}/submit")
    assert submitted.status_code == 200, submitted.get_json()
    return ana, submitted.get_json()["id"]


def _release(app, submission_id: int) -> None:
    from brokerlearn.server import db
    from brokerlearn.server.models import AssignmentResult, Submission, utcnow
    with app.app_context():
        session = db.session()
        work = session.get(Submission, submission_id)
        session.add(AssignmentResult(
            submission_id=work.id, user_id=work.user_id, course_id="example", assignment_id="meeting-plan",
            rubric_version=work.rubric_version, score=3, max_score=4, passed=True,
            method="The trainer's grade, per criterion; peer reviews advisory.", feedback="A clear invitation.",
            criteria=[{"id": "agenda", "title": "A short agenda", "level": "On the way", "score": 1, "max": 2,
                       "comment": "Give each part its minutes.", "source": "trainer"},
                      {"id": "next-step", "title": "A concrete next step", "score": 2, "max": 2, "source": "trainer"}],
            released_at=utcnow()))
        session.commit()


def _no_sideways_scroll(page, width: int) -> None:
    wider = page.evaluate("""w => [...document.querySelectorAll('section.assignment *')]
        .filter(e => e.getBoundingClientRect().right > w + 0.5).map(e => e.tagName + '.' + e.className)""", width)
    assert not wider, wider


def press(locator, key: str = "Enter") -> None:
    locator.focus()
    locator.page.keyboard.press(key)


@pytest.mark.parametrize("width", [390, 1366])
def test_a_peer_review_by_keyboard_and_the_feedback_after_release(served_app, width):
    app, served = served_app
    SHOTS.mkdir(parents=True, exist_ok=True)
    ana, ana_work = _ana_submits(app, f"ana{width}@agency.org")
    with browser() as b:
        page = b.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)  # axe is injected
        register_in_browser(page, served, f"ben{width}@agency.org", "Ben Brandt")
        page.goto(served + LESSON)
        section = page.locator("section.assignment")
        text = section.locator("textarea.assignment-text")
        text.wait_for(state="visible")
        text.focus()
        text.fill("Dear Mr Cole, " + " ".join(f"plan{i}" for i in range(70)))
        expect(section.locator(".assignment-saved")).to_contain_text("saved on the server")
        press(section.locator("button.assignment-submit"))
        flow = section.locator(".assignment-flow")
        expect(flow.locator(".assignment-progress")).to_contain_text("Rate the trainer's examples (0 of 1)")
        # Practice: "Not yet" on the agenda (Space on the focused radio), no checks; compare.
        example = flow.locator(".assignment-example").first
        expect(example).to_contain_text("Dear Ms Berg, let us meet for an hour")
        assert "Topics without times" not in flow.inner_text()  # the reason only after rating
        press(example.locator("input[type=radio]").first, " ")
        press(example.get_by_role("button", name="Compare with the trainer's rating"))
        expect(flow.locator(".assignment-verdict")).to_contain_text("You agree with the trainer")
        # A peer's work: Ana's, without her name; her file under a neutral name.
        press(flow.get_by_role("button", name="Review a peer's work"))
        panel = flow.locator(".assignment-panel")
        expect(panel.locator(".assignment-work")).to_contain_text("agenda1")
        expect(page.locator(":focus")).to_have_text("Review a peer's work")  # focus moved to the panel
        assert panel.locator(".assignment-work-files a").inner_text() == "file-1.pdf"
        assert "Amsel agenda" not in panel.inner_text()
        # The agenda "On the way": Space on the first level, then the arrow key to the next.
        agenda = panel.locator("fieldset.rubric-criterion").nth(0)
        press(agenda.locator("input[type=radio]").first, " ")
        page.keyboard.press("ArrowDown")
        expect(agenda.locator("input[type=radio]").nth(1)).to_be_checked()
        steps = panel.locator("fieldset.rubric-criterion").nth(1)
        press(steps.locator("input[type=checkbox]").first, " ")
        tone = panel.locator("fieldset.rubric-criterion").nth(2)
        tone.locator("textarea").focus()
        page.keyboard.type("Friendly and short.")
        press(panel.get_by_role("button", name="Hand in the review"))
        expect(panel.locator(".assignment-panel-status")).to_contain_text("below the standard: A short agenda")
        expect(agenda.locator("textarea")).to_have_attribute("aria-invalid", "true")
        expect(agenda.locator("textarea")).to_be_focused()  # where the comment is missing
        panel.screenshot(path=str(SHOTS / f"peer-review-{width}.png"))
        _no_sideways_scroll(page, width)
        if AXE.is_file():
            assert axe_violations(page) == []  # WCAG 2.2 A/AA, with the rubric form open and its error shown
        page.keyboard.type("Give each part its minutes; half an hour in all.")
        steps.locator("textarea").focus()
        page.keyboard.type("Who sends the date?")
        press(panel.get_by_role("button", name="Hand in the review"))
        expect(flow.locator(".assignment-notice")).to_contain_text("your review is handed in")
        expect(flow.locator(".assignment-progress")).to_contain_text("Review peers' work (1 of 2)")
        section.screenshot(path=str(SHOTS / f"steps-after-review-{width}.png"))

        # Ana, once the trainer's result is released, reads the feedback and rates the review.
        _release(app, ana_work)
        page.context.clear_cookies()
        page.goto(served + "account/login")
        page.fill("#email", f"ana{width}@agency.org")
        page.fill("#password", PASSWORD)
        page.click("form.account-form button[type=submit]")
        page.wait_for_url("**/dashboard")
        page.goto(served + LESSON)
        feedback = section.locator(".assignment-feedback")
        expect(feedback.locator(".assignment-score")).to_contain_text("3 of 4 points: passed")
        expect(feedback).to_contain_text("Give each part its minutes")
        expect(feedback.locator(".assignment-peer-feedback h5")).to_have_text("Reviewer 1")
        assert "Ben" not in feedback.inner_text()
        helpful = feedback.locator(".assignment-helpful input[type=radio]")
        press(helpful.nth(3), " ")
        expect(feedback.locator(".assignment-helpful .assignment-panel-status")).to_contain_text("noted")
        _no_sideways_scroll(page, width)
        if AXE.is_file():
            assert axe_violations(page) == []
        section.locator(".assignment-flow").screenshot(path=str(SHOTS / f"feedback-{width}.png"))
    assert ana.api("get", f"{BASE}/feedback").get_json()["attempts"][0]["peer_reviews"][0]["helpful"] == 4


def test_a_learner_asked_to_revise_opens_a_second_attempt_and_submits_it(served_app):
    from brokerlearn.server import db
    from brokerlearn.server.models import ResubmitGrant
    app, served = served_app
    SHOTS.mkdir(parents=True, exist_ok=True)
    ana, work = _ana_submits(app, "ana-again@agency.org")
    _release(app, work)
    with app.app_context():  # a trainer asked for a revision (resubmit: trainer)
        db.session().add(ResubmitGrant(submission_id=work, note="Give each part its minutes."))
        db.session().commit()
    with browser() as b:
        page = b.new_page(viewport={"width": 390, "height": 900})
        page.goto(served + "account/login")
        page.fill("#email", "ana-again@agency.org")
        page.fill("#password", PASSWORD)
        page.click("form.account-form button[type=submit]")
        page.wait_for_url("**/dashboard")
        page.goto(served + LESSON)
        section = page.locator("section.assignment")
        expect(section.locator(".assignment-feedback")).to_contain_text("3 of 4 points")
        press(section.get_by_role("button", name="Revise and submit again"))
        text = section.locator("textarea.assignment-text")
        expect(text).to_be_visible()
        expect(text).to_have_value(ANA_TEXT)  # the last attempt's text, to revise
        expect(text).to_be_focused()
        expect(section.locator(".assignment-status")).to_contain_text("Attempt 2: a draft")
        expect(section.locator(".assignment-feedback")).to_contain_text("3 of 4 points")  # the first stays in view
        page.keyboard.press("End")
        page.keyboard.type(" Each part has its minutes now.")
        expect(section.locator(".assignment-saved")).to_contain_text("saved on the server")
        section.screenshot(path=str(SHOTS / "resubmit-draft-390.png"))
        press(section.locator("button.assignment-submit"))
        expect(section.locator(".assignment-status")).to_contain_text("Submitted on")
        expect(section.locator(".assignment-submitted")).to_contain_text("Each part has its minutes now.")
        assert section.get_by_role("button", name="Revise and submit again").count() == 0
        _no_sideways_scroll(page, 390)
    assert ana.api("get", BASE).get_json()["submission"]["attempt"] == 2
