"""Assessed work from end to end in headless Chromium (issue 18), on a copy of the example course
whose certificate requires its assignment (`assignments: all`): Ana submits a text and a file,
Ben and Cara rate the trainer's example and review peers (Ana's work reaches both, without her
name), Tina, the group's trainer, grades Ana's work on the grading page and releases the
group's results, and Ana reads her feedback. Before the release the dashboard and the
certificate rule say the assignment is missing; after it, that it is passed. Screenshots of
the grading page and the feedback at 390 and 1366 px go to tests/artifacts/assessed-work/."""
from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from brokerlearn.compiler.pipeline import build
from browser import browser, chromium_path
from server_fixtures import PASSWORD, migrated_sqlite, register_in_browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed (scripts/setup --test)"),
]
LESSON = "example/working-together/first-meeting/"
SHOTS = Path(__file__).resolve().parent / "artifacts" / "assessed-work"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
WORDS = " ".join(f"word{i}" for i in range(70))


@pytest.fixture
def course_server(example_course, sqlite_template, tmp_path):
    """The example course with `assignments: all` in its certificate rule, built and served."""
    from brokerlearn.server import create_app
    from brokerlearn.server.credentials.keys import create_key
    from serving import running
    profile = example_course / "profile.yml"
    profile.write_text(profile.read_text().replace("    lessons_completed: 0.9\n",
                                                   "    lessons_completed: 0\n    assignments: all\n"))
    build(example_course.parent, tmp_path / "out", show_progress=False)
    app = create_app({"DATABASE_URL": migrated_sqlite(sqlite_template, tmp_path / "db.sqlite")},
                     build_dir=tmp_path / "out", instance_path=tmp_path / "instance")
    create_key(tmp_path / "instance")
    with running(app, threads=4) as port:
        app.config["PUBLIC_URL"] = f"http://127.0.0.1:{port}"
        yield app, f"http://127.0.0.1:{port}/"


def _group_with_trainer(app) -> int:
    from brokerlearn.server import db
    from brokerlearn.server.models import GroupTrainer
    from brokerlearn.server.services.accounts import create_user
    from brokerlearn.server.services.enrolment import create_group
    with app.app_context():
        session = db.session()
        trainer = create_user(session, "tina@agency.org", PASSWORD, "Tina Trainer", "trainer")
        group = create_group(session, "Office North")
        session.add(GroupTrainer(group_id=group.id, user_id=trainer.id))
        session.commit()
        return group.id


def _join(app, group_id: int, email: str) -> None:
    from sqlalchemy import select

    from brokerlearn.server import db
    from brokerlearn.server.models import User
    from brokerlearn.server.services.enrolment import add_member
    with app.app_context():
        session = db.session()
        add_member(session, group_id, session.scalar(select(User.id).where(User.email == email)))
        session.commit()


def _standing(app, email: str) -> dict:
    """The certificate rule's answer for the learner (services/certificates.eligibility)."""
    from sqlalchemy import select

    from brokerlearn.server import db
    from brokerlearn.server.courses import catalog
    from brokerlearn.server.models import User
    from brokerlearn.server.services.certificates import eligibility
    with app.test_request_context():
        session = db.session()
        user_id = session.scalar(select(User.id).where(User.email == email))
        return eligibility(session, user_id, catalog().get("example"))


def _sign_in(page, served: str, email: str, then: str = "dashboard") -> None:
    page.context.clear_cookies()
    page.goto(served + f"account/login?next=/{then}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form.account-form button[type=submit]")
    page.wait_for_url(f"**/{then}")


def _submit(page, text: str, attach: bool = False):
    section = page.locator("section.assignment")
    box = section.locator("textarea.assignment-text")
    box.wait_for(state="visible")
    box.fill(text)
    expect(section.locator(".assignment-saved")).to_contain_text("saved on the server")
    if attach:
        page.set_input_files("section.assignment input[type=file]",
                             files=[{"name": "Ana Amsel agenda.pdf", "mimeType": "application/pdf", "buffer": PDF}])
        expect(section.locator(".assignment-files")).to_contain_text("Ana Amsel agenda.pdf")
    section.locator("button.assignment-submit").click()
    return section


def _practise(section) -> None:
    flow = section.locator(".assignment-flow")
    example = flow.locator(".assignment-example").first
    example.locator("input[type=radio]").first.check()  # "Not yet", as the trainer rated it
    example.get_by_role("button", name="Compare with the trainer's rating").click()
    expect(flow.locator(".assignment-verdict")).to_contain_text("You agree with the trainer")


def _review(section, comment: str) -> str:
    """Take the next peer's work, rate it at the standard and hand the review in; its text."""
    flow = section.locator(".assignment-flow")
    flow.get_by_role("button", name="Review a peer's work").click()
    panel = flow.locator(".assignment-panel")
    work = panel.locator(".assignment-work")
    expect(work).to_contain_text("word1")
    seen = work.inner_text()
    criteria = panel.locator("fieldset.rubric-criterion")
    criteria.nth(0).locator("input[type=radio]").last.check()  # meets the standard
    for box in criteria.nth(1).locator("input[type=checkbox]").all():
        box.check()
    criteria.nth(2).locator("textarea").fill(comment)
    panel.get_by_role("button", name="Hand in the review").click()
    expect(flow.locator(".assignment-notice")).to_contain_text("your review is handed in")
    return seen


@pytest.mark.parametrize("width", [390, 1366])
def test_submit_review_grade_release_and_read_the_feedback(course_server, width):
    app, served = course_server
    SHOTS.mkdir(parents=True, exist_ok=True)
    group = _group_with_trainer(app)
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": width, "height": 900})
        # Ana submits a text and a file.
        register_in_browser(page, served, "ana@agency.org", "Ana Amsel")
        _join(app, group, "ana@agency.org")
        page.goto(served + LESSON)
        section = _submit(page, "Dear Ms Berg, a first meeting of thirty minutes. " + WORDS, attach=True)
        expect(section.locator(".assignment-status")).to_contain_text("Submitted on")
        before = _standing(app, "ana@agency.org")
        assert not before["eligible"] and before["assignment_missing"]  # the assignment is missing
        page.goto(served + "dashboard")
        assert "Plan your first meeting" in page.locator("main").inner_text()

        # Ben: his own work, the trainer's example, then a peer's work: Ana's, without her name.
        register_in_browser(page, served, "ben@agency.org", "Ben Brandt")
        _join(app, group, "ben@agency.org")
        page.goto(served + LESSON)
        section = _submit(page, "Dear Mr Cole, shall we meet online? " + WORDS)
        _practise(section)
        seen = _review(section, "Clear times; say who sends the calendar invitation.")
        assert "thirty minutes" in seen and "Ana" not in seen and "Amsel" not in seen

        # Cara: the fewest-reviewed work first (Ben's), then Ana's.
        register_in_browser(page, served, "cara@agency.org", "Cara Conti")
        _join(app, group, "cara@agency.org")
        page.goto(served + LESSON)
        section = _submit(page, "Dear Dr Pohl, a short call next week? " + WORDS)
        _practise(section)
        first = _review(section, "A warm opening.")
        second = _review(section, "The agenda fits in half an hour; well done.")
        assert "Mr Cole" in first and "thirty minutes" in second

        # Tina grades Ana's work from the queue and releases the group's results.
        _sign_in(page, served, "tina@agency.org", "admin/grading")
        row = page.locator(".grading-queue tbody tr", has_text="Ana Amsel")
        row.locator("button").first.click()  # claim and open
        page.wait_for_url("**/admin/grading/*")
        assert page.locator(".grading-peers, .peer-figure").count() >= 1  # the peers' figures beside the rubric
        page.locator("input[name=level-agenda][value=meets]").check()
        for box in page.locator("input[name=check-next-step]").all():
            box.check()
        page.locator("#comment-agenda").fill("Three parts with times: what a busy contact needs.")
        page.locator("#comment-tone").fill("Send it.")
        page.screenshot(path=str(SHOTS / f"grading-{width}.png"), full_page=True)
        # Focus leaves the last comment before Save is clicked: a click straight from the comment
        # did not reach the button in Chromium at 1366 px (keyboard Enter did); not traced yet.
        page.locator("#rubric-heading").click()
        with page.expect_navigation():
            page.locator("button.button-secondary[value=save]").click()
        assert "4 of 4" in page.locator(".grading-result").inner_text()
        assert _standing(app, "ana@agency.org")["assignment_missing"]  # graded, not yet released: still missing
        page.goto(served + "admin/grading")
        page.locator("section.card form button[type=submit]").first.click()
        expect(page.locator(".flash-messages")).to_contain_text("released")

        # Ana reads her feedback: the trainer's grade per criterion and two anonymous reviews.
        _sign_in(page, served, "ana@agency.org")
        page.goto(served + LESSON)
        feedback = page.locator("section.assignment .assignment-feedback")
        expect(feedback.locator(".assignment-score")).to_contain_text("4 of 4 points: passed")
        expect(feedback).to_contain_text("what a busy contact needs")
        expect(feedback.locator(".assignment-peer-feedback h5")).to_have_count(2)
        text = feedback.inner_text()
        assert "Ben" not in text and "Cara" not in text and "well done" in text
        feedback.screenshot(path=str(SHOTS / f"feedback-{width}.png"))
        wide = page.evaluate("document.scrollingElement.scrollWidth")
        assert wide <= width, f"the feedback is {wide} px wide at {width} px"
        page.goto(served + "dashboard")
        page.screenshot(path=str(SHOTS / f"dashboard-{width}.png"), full_page=True)
    after = _standing(app, "ana@agency.org")
    assert after["assignment_missing"] == [] and all(a["passed"] for a in after["assignments"])
