"""The dashboard with assessed work counted, and the assessed-work report, in headless Chromium at
phone and desktop width: nothing wider than the screen, no WCAG 2.2 A/AA violation (axe), and
screenshots under /tmp/shots-h/counting/ to look at."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from browser import axe_violations, browser, chromium_path
from server_fixtures import PASSWORD, register_in_browser

SHOTS = Path("/tmp/shots-h/counting")
# What sticks out of the screen: visible elements of the main part (a visually hidden table
# head, clipped to a pixel, does not count) and the page's own scroll width.
WIDER = """w => [...document.querySelectorAll('main *')].filter(e => !e.closest('thead')
           && e.getBoundingClientRect().right > w + 0.5).map(e => e.tagName + '.' + e.className)
           .concat(document.documentElement.scrollWidth > w ? ['the page scrolls sideways'] : [])"""

pytestmark = pytest.mark.skipif(not chromium_path(), reason="needs Debian's chromium")


def _require_assignments(app, built_example, tmp_path):
    from brokerlearn.server.courses import CourseCatalog
    server_dir = tmp_path / "server-rule"
    shutil.copytree(built_example / "server", server_dir)
    data = json.loads((server_dir / "example.json").read_text())
    data["profile"]["certificate"]["requires"]["assignments"] = "all"
    (server_dir / "example.json").write_text(json.dumps(data))
    app.extensions["brokerlearn_courses"] = CourseCatalog(server_dir)


def _ids(app, *emails):
    from brokerlearn.server import db
    from brokerlearn.server.services.accounts import find_user
    with app.app_context():
        return [find_user(db.session(), e).id for e in emails]


@pytest.mark.parametrize("width", [390, 1366])
def test_dashboard_and_report_at_phone_and_desktop_width(served_app, built_example, tmp_path, width):
    from brokerlearn.server import db
    from brokerlearn.server.services.accounts import find_user, set_role
    from test_assignment_counting import result_row, submit_row
    from test_assignment_reports import peer_review
    app, served = served_app
    SHOTS.mkdir(parents=True, exist_ok=True)
    _require_assignments(app, built_example, tmp_path)
    with browser() as b:
        boss = b.new_context(viewport={"width": width, "height": 900}, bypass_csp=True).new_page()
        register_in_browser(boss, served, "boss@agency.org", "Bea Boss")
        ana = b.new_context(viewport={"width": width, "height": 900}, bypass_csp=True).new_page()
        register_in_browser(ana, served, "ana@agency.org", "Ana Berg")
        peer = b.new_context(viewport={"width": width, "height": 900}, bypass_csp=True).new_page()
        register_in_browser(peer, served, "bo@agency.org", "Bo Lind")
        with app.app_context():
            set_role(db.session(), find_user(db.session(), "boss@agency.org"), "admin")
        a_id, b_id = _ids(app, "ana@agency.org", "bo@agency.org")
        first = submit_row(app, a_id, days_ago=9)
        result_row(app, first, a_id, agenda="missing", checks=1, passed=False)
        second = submit_row(app, b_id, days_ago=9)
        result_row(app, second, b_id, agenda="meets", checks=2)
        peer_review(app, first, b_id, agenda="partial", checks=2)
        peer_review(app, second, a_id, agenda="missing", checks=1)
        ana.goto(served + "dashboard")
        card = ana.locator("section.certificate-status")
        card.wait_for()
        text = card.inner_text()
        assert "Assessed work the certificate requires" in text and "not passed yet" in text
        assert "assessed work" in text
        assert not ana.evaluate(WIDER, width)
        assert axe_violations(ana) == []
        card.screenshot(path=str(SHOTS / f"dashboard-{width}.png"))
        boss.goto(served + "account/login")  # a changed role ends the account's sessions: sign in again
        boss.fill("#email", "boss@agency.org")
        boss.fill("#password", PASSWORD)
        boss.click("form.account-form button[type=submit]")
        boss.wait_for_url("**/dashboard")
        boss.goto(served + "admin/courses/example/assessed")
        boss.locator("section.assessed-report").wait_for()
        body = boss.locator("main").inner_text()
        assert "Bias against the trainer" in body and "Bo Lind" in body
        assert not boss.evaluate(WIDER, width)
        assert axe_violations(boss) == []
        boss.screenshot(path=str(SHOTS / f"report-{width}.png"), full_page=True)
