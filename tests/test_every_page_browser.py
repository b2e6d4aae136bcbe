"""Every page kind in one sweep (issue 16's test list), in headless Chromium at 320, 390, 768 and
1366 px, signed out where the page allows it, signed in as a learner, and as an administrator
for the admin pages: the page never scrolls sideways, every header control sits inside the dark
bar with text of at least 4.5:1 contrast (computed from the rendered colours), and axe-core
(WCAG 2.0/2.1/2.2 A and AA) finds nothing. One server and one browser for the whole file, one
page per state, resized through the widths. Screenshots at 390 and 1366 px go to /tmp/shots-h/polish/ (SHOTS)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from browser import AXE, HEADER_CONTROLS, axe_violations, browser, chromium_path, header_ready
from server_fixtures import PASSWORD, Visitor

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed (scripts/setup --test)"),
    pytest.mark.skipif(not AXE.is_file(), reason="axe-core is not installed (npm ci)"),
]
SHOTS = Path(os.environ.get("SHOTS", "/tmp/shots-h/polish"))
WIDTHS = (320, 390, 768, 1366)
AXE_WIDTHS = (320, 768, 1366)
LEARNER, ADMIN = "ana@example.org", "boss@example.org"

COURSE_PAGES = {"catalog": "", "course": "example/", "module": "example/finding-partners/",
                "lesson": "example/finding-partners/cooperation-profiles/",
                "video-lesson": "example/finding-partners/assessing-candidates/",  # a video and a practice quiz
                "quiz": "example/working-together/first-meeting/",  # the lesson with the graded quiz
                "qualification": "example/qualification/", "search": "example/search/index.html?q=partnr",
                "certificate": "certificates/{certificate}"}
PAGES = {
    "out": {**COURSE_PAGES, "sign-in": "account/login", "register": "account/register"},
    "learner": {**COURSE_PAGES, "dashboard": "dashboard", "settings": "account/settings"},
    "admin": {"admin-home": "admin/", "learners": "admin/learners", "learner": "admin/learners/{learner}",
              "groups": "admin/groups", "group": "admin/groups/{group}", "invitations": "admin/invitations",
              "reports": "admin/reports", "item-statistics": "admin/courses/example",
              "certificates": "admin/certificates", "audit": "admin/audit", "grading": "admin/grading"},
}


@pytest.fixture(scope="module")
def site(built_example, tmp_path_factory):
    """The example course under waitress with what every page needs to show something: a
    learner who completed the course, passed the graded quiz and claimed a certificate; an
    administrator; a group with that learner and an open invitation."""
    from brokerlearn.server import create_app, db
    from brokerlearn.server.credentials.keys import create_key
    from brokerlearn.server.db import upgrade
    from brokerlearn.server.services.accounts import create_user, find_user
    from brokerlearn.server.services.enrolment import add_member, create_group
    from brokerlearn.server.services.invitations import invite
    from serving import running
    from test_certificates import answers, claim, complete_lessons, take_quiz
    folder = tmp_path_factory.mktemp("every-page")
    url = f"sqlite:///{folder / 'db.sqlite'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "ISSUER_NAME": "Agentur Nord"}, build_dir=built_example,
                     instance_path=folder / "instance")
    create_key(folder / "instance")
    with running(app, threads=4) as port:
        app.config["PUBLIC_URL"] = f"http://127.0.0.1:{port}"
        ana = Visitor(app)
        assert ana.register(LEARNER, name="Ana Novak-Lindqvist").status_code == 302
        complete_lessons(ana)
        take_quiz(ana, answers(built_example, wrong=("q3",)))  # a first attempt below the best
        take_quiz(ana, answers(built_example))
        response = claim(ana, "Ana Novak-Lindqvist")
        assert response.status_code == 302, response.get_data(as_text=True)
        with app.app_context():
            session = db.session()
            create_user(session, ADMIN, PASSWORD, "Bea Boss", "admin")
            group = create_group(session, "Office North — spring intake of new brokers 2027")
            learner = find_user(session, LEARNER)
            add_member(session, group.id, learner.id)
            invite(session, "nina.new@agency.org", "Nina New", group.id)
            ids = {"certificate": response.headers["Location"].rsplit("/", 1)[1], "learner": learner.id,
                   "group": group.id}
        yield f"http://127.0.0.1:{port}/", ids


@pytest.fixture(scope="module")
def chromium():
    with browser() as instance:
        yield instance


def _sign_in(page, served, email):
    page.goto(served + "account/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form.account-form button[type=submit]")
    page.wait_for_url("**/dashboard")


# Pages of a course have at least the course's name and the search in the header.
TWO_CONTROLS = {"course", "module", "lesson", "video-lesson", "quiz", "qualification"}


def _problems(page, kind, width, axe):
    """What is wrong with the page at this width: readable findings (empty when all is well)."""
    found = []
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > width:
        found.append(f"{wide} px wide")
    controls = page.evaluate(HEADER_CONTROLS)
    if len(controls) < (2 if kind in TWO_CONTROLS else 1):
        found.append(f"{len(controls)} header controls")
    for control in controls:
        if not control["inside"]:
            found.append(f"header control {control['name']!r} outside the bar")
        if control["contrast"] < 4.5:
            found.append(f"header control {control['name']!r} contrast {control['contrast']:.2f}")
    if axe:
        found += [f"axe {rule} {targets}" for rule, targets in axe_violations(page)]
    return found


@pytest.mark.parametrize("state", PAGES)
def test_every_page_fits_has_a_readable_header_and_passes_axe(site, chromium, state):
    """Each page is loaded once and looked at in each width (the theme's layout is CSS alone:
    no script reads the window's width, so a resize is what a load at that width shows). axe
    runs at 320, 768 and 1366 px, one width of each layout (phone, tablet, desktop; 390 px has
    the phone's rules, checked for width and header only)."""
    served, ids = site
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = chromium.new_context(bypass_csp=True, viewport={"width": 1366, "height": 800})  # axe is injected
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    if state != "out":
        _sign_in(page, served, LEARNER if state == "learner" else ADMIN)
    found = {}
    for kind, path in PAGES[state].items():
        response = page.goto(served + path.format(**ids))
        assert response.ok, (kind, response.status)
        header_ready(page)
        if kind == "search":
            page.wait_for_selector(".search-results li")
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 800})
            if width in (390, 1366):
                page.screenshot(path=str(SHOTS / f"{kind}-{width}-{state}.png"), full_page=True)
            problems = _problems(page, kind, width, axe=width in AXE_WIDTHS)
            if problems:
                found[(kind, width)] = problems
    context.close()
    assert found == {}
    assert errors == []


CONTRAST = """el => {
  const parse = c => c.match(/[\\d.]+/g).map(Number);
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const style = getComputedStyle(el);
  const [hi, lo] = [lum(parse(style.color)), lum(parse(style.backgroundColor))].sort((a, b) => b - a);
  return (hi + 0.05) / (lo + 0.05);
}"""


def test_a_completed_lesson_is_marked_legibly(site, chromium):
    """What the screenshots showed and axe does not check: in the outline, the current lesson's
    bar ran through its tick; the "Completed" button (disabled, which axe skips) was blue on
    grey, 2.4:1."""
    served, _ = site
    page = chromium.new_page(viewport={"width": 1366, "height": 800})
    _sign_in(page, served, LEARNER)
    page.goto(served + COURSE_PAGES["lesson"])
    header_ready(page)
    current = page.locator("#bl-outline [aria-current=page]")
    tick = page.locator("#bl-outline [aria-current=page] ~ .done-mark [aria-hidden]")
    tick.wait_for()  # the learner completed it: ticked from the account
    assert tick.bounding_box()["x"] + tick.bounding_box()["width"] <= current.bounding_box()["x"]
    done = page.locator("[data-lesson-complete] button:disabled")
    done.wait_for()
    assert done.evaluate(CONTRAST) >= 4.5
    page.close()


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_phone_gives_the_lesson_the_first_screen(site, chromium, signed_in):
    """After the comparison with MkDocs-Material (docs/themes-comparison.md): at 390 px the
    header is one row (the course name and a long account name cut with an ellipsis, Search
    and the account button beside it) and the trail shows only the way up; the lesson's text
    used to start at y = 653."""
    served, _ = site
    page = chromium.new_page(viewport={"width": 390, "height": 844})
    if signed_in:
        _sign_in(page, served, LEARNER)
    page.goto(served + COURSE_PAGES["lesson"])
    header_ready(page)
    boxes = page.evaluate("""() => ['.site-name', '.search-toggle', '.site-user'].map(s =>
        document.querySelector(s).getBoundingClientRect().top)""")
    assert max(boxes) - min(boxes) < 12, boxes  # one row
    assert page.locator(".site-header").bounding_box()["height"] <= 60
    trail = page.locator(".breadcrumbs li:visible")
    assert trail.count() == 1 and trail.inner_text().strip() == "Finding partners"
    if signed_in:  # the name is cut on the screen, whole for assistive technology
        assert page.locator(".user-button").evaluate("b => b.textContent") == "Ana Novak-Lindqvist"
    text = page.locator("main p:not([class])").first.bounding_box()
    assert text["y"] < 560, text
    page.close()
