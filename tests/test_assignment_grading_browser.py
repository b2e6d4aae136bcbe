"""The trainer's grading page in headless Chromium under waitress, by keyboard only, at phone and
desktop width (issue 18, item 6): from the queue, claim the work, pick a level with the arrow
keys, tick a checklist item with Space, write the comments, save and go to the next; nothing
is wider than the window, and the axe checker finds no WCAG A/AA violation. Screenshots go to
/tmp/shots-h/grading/ (SHOTS)."""
from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from browser import axe_violations, browser, chromium_path
from server_fixtures import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed (scripts/setup --test)"),
]
SHOTS = Path(os.environ.get("SHOTS", "/tmp/shots-h/grading"))
TEXT = ("Dear Ms Berg,\n\nI would like to invite you to a first online meeting of thirty minutes next week. "
        + " ".join(["Our agenda has three parts with times and one shared question for both of us."] * 5)
        + "\n\n**Agenda**: 10 min introductions, 15 min your current projects, 5 min next step.")


def _setup(app) -> list[int]:
    """A trainer of a group of three learners; two submissions with peer reviews in the queue."""
    from brokerlearn.server import db
    from brokerlearn.server.models import GroupTrainer, Review, Submission, utcnow
    from brokerlearn.server.services.accounts import create_user
    from brokerlearn.server.services.enrolment import add_member, create_group
    from brokerlearn.server.services.trainer_queue import enqueue
    tasks = []
    with app.app_context():
        session = db.session()
        trainer = create_user(session, "tina@agency.org", PASSWORD, "Tina Trainer", "trainer")
        group = create_group(session, "Office North")
        session.add(GroupTrainer(group_id=group.id, user_id=trainer.id))
        people = [create_user(session, f"l{n}@agency.org", PASSWORD, name)
                  for n, name in enumerate(["Ana Novak", "Ben Berg", "Zoë Marić-Oberhuber"])]
        for person in people:
            add_member(session, group.id, person.id)
        for n, author in enumerate(people[:2]):
            work = Submission(user_id=author.id, course_id="example", assignment_id="meeting-plan", status="submitted",
                              text=TEXT, rubric_version="v", submitted_at=utcnow() - timedelta(days=2 - n))
            session.add(work)
            session.flush()
            for reviewer, level in ((people[2], "missing"), (people[1 - n], "meets")):
                session.add(Review(submission_id=work.id, course_id="example", assignment_id="meeting-plan",
                                   reviewer_id=reviewer.id, kind="peer", status="done", comment="Keep the times.",
                                   ratings={"agenda": {"level": level, "comment": "The times help."},
                                            "next-step": {"checks": ["Says who does the next step."]}}))
            task = enqueue(session, work, "trainer", due_at=utcnow() + timedelta(days=n - 1))
            session.flush()
            tasks.append(task.id)
        session.commit()
    return tasks


def _fits(page, width: int, name: str) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_timeout(100)
    wide = page.evaluate("document.scrollingElement.scrollWidth")
    assert wide <= width, f"{name} at {width} px is {wide} px wide"
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", [390, 1366])
def test_grading_by_keyboard(served_app, width):
    from brokerlearn.server import db
    from brokerlearn.server.models import AssignmentResult, TrainerTask
    app, served = served_app
    first, second = _setup(app)
    SHOTS.mkdir(parents=True, exist_ok=True)
    with browser() as chromium:
        page = chromium.new_context(viewport={"width": width, "height": 900}, bypass_csp=True).new_page()  # for axe
        page.goto(served + "account/login?next=/admin/grading")
        page.fill("#email", "tina@agency.org")
        page.fill("#password", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(served + "admin/grading")
        page.wait_for_load_state()
        _fits(page, width, "queue")
        assert axe_violations(page) == []
        rows = page.locator(".grading-queue tbody tr")
        assert rows.count() == 2 and "overdue" in rows.nth(0).inner_text()  # the overdue one first
        page.locator(".grading-queue button").first.focus()
        page.keyboard.press("Enter")  # claim and open
        page.wait_for_url(f"**/admin/grading/{first}")
        page.wait_for_load_state()
        assert page.locator(".peer-figure.wide").count() == 1  # missing vs meets: two levels apart
        _fits(page, width, "grading")
        assert axe_violations(page) == []
        # Keyboard only: into the first criterion, the arrow keys pick a level, Tab to its comment.
        page.locator("input[name=level-agenda]").first.focus()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        assert page.locator("input[name=level-agenda]:checked").get_attribute("value") == "meets"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "comment-agenda"
        page.keyboard.type("Three parts with times: exactly what a busy contact needs.")
        # On to the next criterion: past the comment bank's button, to its first item; Space ticks it.
        while page.evaluate("document.activeElement.name") != "check-next-step":
            page.keyboard.press("Tab")
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "comment-next-step"
        page.keyboard.type("Who and when: both there.")
        page.locator("#comment-tone").focus()
        page.keyboard.type("Warm and to the point.")
        page.screenshot(path=str(SHOTS / f"grading-filled-{width}.png"), full_page=True)
        while page.evaluate("document.activeElement.value") != "save_next":
            page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        page.wait_for_url(f"**/admin/grading/{second}")  # save and next: the next work, claimed
        page.wait_for_load_state()
        assert "Saved:" in page.locator(".flash-messages").inner_text()
        _fits(page, width, "grading-next")
        page.goto(served + f"admin/grading/{first}")  # the result, not yet released
        assert "4 of 4" in page.locator(".grading-result").inner_text()
        _fits(page, width, "grading-result")
        page.goto(served + "admin/grading")
        assert "being graded by" not in page.content()  # the next work is Tina's own claim
        _fits(page, width, "queue-release")
        assert axe_violations(page) == []
        page.locator("section.card form button[type=submit]").first.focus()
        page.keyboard.press("Enter")
        page.wait_for_url(served + "admin/grading")
        page.wait_for_load_state()
        assert "1 result(s) released." in page.locator(".flash-messages").inner_text()
    with app.app_context():
        session = db.session()
        result = session.scalar(select(AssignmentResult))
        assert (result.score, result.max_score, result.passed) == (4, 4, True)
        assert {c["id"]: c["comment"] for c in result.criteria}["agenda"].startswith("Three parts")
        assert session.get(TrainerTask, second).claimed_by is not None
        assert result.released_at is not None
