"""Running a cohort in headless Chromium against the application under waitress: an invitation
mailed to a real SMTP server on 127.0.0.1 and followed to a registered learner in the group, who
sees the group's course and dates on the dashboard (status sent -> opened -> registered); CSV
enrolment, the invitations list and the item statistics at 1366 and 390 px, nothing wider than
the window and no chart label cut. Screenshots go to /tmp/shots-h/cohort/ (SHOTS)."""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from browser import browser, chromium_path
from server_fixtures import PASSWORD, Visitor
from test_admin_cohorts import smtp_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed (scripts/setup --test)"),
]
SHOTS = Path(os.environ.get("SHOTS", "/tmp/shots-h/cohort"))
QUIZ = "/api/quizzes/example/m2-assessment"
WIDTHS = (1366, 390)


def _status(app, address: str) -> str:
    from sqlalchemy import select

    from brokerlearn.server import db
    from brokerlearn.server.models import Invitation
    with app.app_context():
        return db.session().scalar(select(Invitation.status).where(Invitation.email == address))


def _setup(app, built_example):
    """An admin, a group with its course and dates, members, and five first attempts of the
    graded quiz in which four chose the same wrong option of q2."""
    from brokerlearn.server import db
    from brokerlearn.server.services.accounts import create_user
    from brokerlearn.server.services.enrolment import add_member, create_group
    with app.app_context():
        session = db.session()
        create_user(session, "boss@agency.org", PASSWORD, "Bea Boss", "admin")
        group = create_group(session, "Office North — spring intake of new brokers 2027")
        for n, name in enumerate(["Ana Novak", "Anton Berg", "Zoë Marić-Oberhuber"]):
            user = create_user(session, f"member{n}@agency.org", PASSWORD, name)
            if n < 2:
                add_member(session, group.id, user.id)
    manifest = json.loads((built_example / "server/example.json").read_text())
    q2 = next(q for q in manifest["quizzes"]["m2-assessment"]["questions"] if q["id"] == "q2")
    right = [o["id"] for o in q2["options"] if o["correct"]]
    wrong = next(o["id"] for o in q2["options"] if not o["correct"])
    for n in range(5):
        who = Visitor(app)
        who.register(f"quiz{n}@agency.org")
        attempt = who.api("post", f"{QUIZ}/attempts").get_json()["id"]
        who.api("post", f"{QUIZ}/attempts/{attempt}", {"answers": {"q1": n < 4, "q2": right if n == 0 else [wrong]}})


def _fits(page, width: int, name: str) -> None:
    """The page is no wider than the window, no chart label is cut; a screenshot to look at."""
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_timeout(100)
    wide = page.evaluate("document.scrollingElement.scrollWidth")
    assert wide <= width, f"{name} at {width} px is {wide} px wide"
    cut = page.evaluate("[...document.querySelectorAll('.chart-label')].filter(e => e.scrollWidth > e.clientWidth)"
                        ".map(e => e.textContent)")
    assert cut == [], cut
    page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def _wait_for(condition, seconds: float = 10):
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def test_invitation_by_mail_to_an_enrolled_learner_and_the_admin_pages(served_app, built_example):
    app, served = served_app
    SHOTS.mkdir(parents=True, exist_ok=True)
    _setup(app, built_example)
    with smtp_server() as (mailbox, port), browser() as chromium:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none", MAIL_FROM="learn@agency.org",
                          ISSUER_NAME="Agentur Nord")
        page = chromium.new_page(viewport={"width": 1366, "height": 900})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(served + "account/login")
        page.fill("#email", "boss@agency.org")
        page.fill("#password", PASSWORD)
        page.click("form.account-form button[type=submit]")
        page.wait_for_url("**/dashboard")

        # The group: its course and dates, then an invitation mailed.
        page.goto(served + "admin/groups/1")
        page.check("input[name=course][value=example]")
        page.fill("#starts", "2027-01-11")
        page.fill("#due", "2027-02-26")
        page.click("form:has(#starts) button[type=submit]")
        page.wait_for_selector("text=The group's courses and dates are saved.")
        page.fill("#member-q", "zo")
        page.click("form:has(#member-q) button[type=submit]")
        page.wait_for_selector("text=member2@agency.org")
        for width in WIDTHS:
            _fits(page, width, "group")
        page.set_viewport_size({"width": 1366, "height": 900})
        page.fill("#invite-email", "nina.new@agency.org")
        page.fill("#invite-name", "Nina New")
        assert page.is_checked("input[name=send]")
        page.click("form:has(#invite-email) button[type=submit]")
        page.wait_for_selector("text=Invitation mailed to nina.new@agency.org.")
        _wait_for(lambda: mailbox.messages)
        assert _status(app, "nina.new@agency.org") == "sent"
        message = mailbox.messages[0]
        assert message["Subject"] == "Agentur Nord invites you to learn online"
        body = message.get_body(("plain",)).get_content()
        assert "Hello Nina New," in body and "Example: a partner search in three steps" in body

        # The newcomer follows the link: opened; registers: registered, in the group.
        newcomer = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
        newcomer.goto(mailbox.link())
        assert newcomer.input_value("#email") == "nina.new@agency.org"
        assert _status(app, "nina.new@agency.org") == "opened"
        newcomer.fill("#password", PASSWORD)
        newcomer.click("form.account-form button[type=submit]")
        newcomer.wait_for_url("**/dashboard")
        dates = newcomer.locator(".group-dates").inner_text()
        assert "Office North" in dates and "Starts 11 January 2027" in dates and "Due 26 February 2027" in dates
        assert "Example: a partner search in three steps" in dates
        newcomer.screenshot(path=str(SHOTS / "dashboard-group-dates-390.png"), full_page=True)
        assert _status(app, "nina.new@agency.org") == "registered"
        page.goto(served + "admin/groups/1")
        assert page.locator("text=nina.new@agency.org").count() == 1

        # Enrol from CSV: new, existing, and bad rows; the results at full width.
        page.goto(served + "admin/import")
        csv_file = SHOTS / "staff.csv"
        csv_file.write_text("email;name;group\nmember2@agency.org;Zoë;Office North — spring intake of new brokers 2027\n"
                            "lena.berg-hoffmann@agency-with-a-long-name.example.org;Lena Berg-Hoffmann;"
                            "Office North — spring intake of new brokers 2027\n"
                            "not-an-address;Bad;\nkim@agency.org;Kim;Office West\nkim@agency.org;Kim;\n"
                            "tom@agency.org;Tom;\n", encoding="utf-8")
        page.set_input_files("#import-file", str(csv_file))
        page.uncheck("input[name=dry_run]")
        page.uncheck("input[name=send]")  # links to copy: the long ones must wrap
        page.click("form.account-form button[type=submit]")
        page.wait_for_selector("text=6 rows: 3 good, 3 with a problem.")
        assert page.locator("text=has an account: added to Office North").count() == 1
        for width in WIDTHS:
            _fits(page, width, "import-results")

        page.goto(served + "admin/invitations")
        for width in WIDTHS:
            _fits(page, width, "invitations")
        page.goto(served + "admin/reports")
        _fits(page, 390, "reports")

        # Item statistics: q2 flagged with its reasons; quizzes folded.
        page.goto(served + "admin/courses/example")
        page.locator("details.quiz-stats").first.evaluate("d => { d.open = true }")  # (the only quiz is open already)
        flagged = page.locator("tr.row-flagged").all_inner_texts()
        assert any("4 of 5 learners chose the same wrong option" in row for row in flagged), page.locator("main").inner_text()[:3000]
        for width in WIDTHS:
            _fits(page, width, "item-statistics")

        # A chart whose labels are long: they wrap, whole, at both widths.
        from brokerlearn.server.charts import bar_chart
        long_label = ("Finding and assessing cooperation partners across borders for Erasmus+ and Interreg "
                      "applications, with checklists")
        chart = bar_chart("Learners who started and completed each module",
                          [(long_label, [("started", 12), ("completed", 9)]),
                           ("Antragstellungsunterstützungsmaßnahmenkoordinationsleitfaden", [("started", 7),
                                                                                              ("completed", 2)]),
                           ("Short", [("started", 3), ("completed", 0)])])
        page.set_content(f'<link rel="stylesheet" href="{served}_static/brokerlearn.css">'
                         f'<body class="page-admin"><div class="wrap layout"><main>{chart}</main></div></body>')
        page.wait_for_load_state("networkidle")
        assert page.locator(".chart-label").first.inner_text() == long_label
        for width in WIDTHS:
            _fits(page, width, "chart-long-labels")
        assert errors == []
