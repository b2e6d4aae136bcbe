"""LTI 1.3 in headless Chromium, with third-party cookies blocked: the tests' platform
(tests/lti_platform.py, at http://localhost:PORT) frames brokerlearn (http://127.0.0.1:PORT,
another site) in its course page; the launch, the activity (a lesson, its graded quiz, whose
score reaches the platform's gradebook) and the Deep Linking picker work inside that iframe,
the session in a partitioned cookie (server/lti/framing.py); the first-party window is the
fallback, its one-time link confirmed by the person who opens it. Screenshots at 390 and
1366 px go to /tmp/shots-h/lti/."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from browser import CHROMIUM_ARGS, chromium_path
from lti_platform import INSTRUCTOR, Platform

pytestmark = pytest.mark.skipif(chromium_path() is None, reason="Chromium is not installed")
SHOTS = Path("/tmp/shots-h/lti")
WIDTHS = (390, 1366)
SESSION = "() => fetch('/api/session', {credentials: 'same-origin'}).then(r => r.json()).then(d => d.user)"
COOKIE_PROBE = ("() => { document.cookie = 'probe=1; SameSite=None; Secure; Path=/';"
                " return document.cookie.includes('probe=1'); }")


@pytest.fixture
def lms(served_app):
    from brokerlearn.server import db
    from brokerlearn.server.lti import oauth, registration
    app, base = served_app
    oauth.forget()
    platform = Platform()
    platform.tool_base = base.rstrip("/")
    with app.app_context():
        registration.add_platform(db.session(), name="Test LMS", **platform.registration())
    yield platform
    platform.close()


@pytest.fixture
def context(tmp_path):
    """A Chromium profile that blocks third-party cookies (the setting people turn on, and
    the default of some browsers)."""
    from playwright.sync_api import sync_playwright
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(json.dumps(
        {"profile": {"block_third_party_cookies": True, "cookie_controls_mode": 1}}))
    with sync_playwright() as p:
        browser_context = p.chromium.launch_persistent_context(
            str(profile), executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1366, "height": 800})
        try:
            yield browser_context
        finally:
            browser_context.close()


def _tool_frame(page, base: str, path: str):
    for _ in range(100):
        for frame in page.frames:
            if frame.url.startswith(base + path):
                return frame
        page.wait_for_timeout(100)
    raise AssertionError(f"no frame of {base}{path} in {[f.url for f in page.frames]}")


def _shots(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_timeout(200)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


LESSON = "/example/working-together/first-meeting/"
QUIZ_ITEM = "quiz:example/m2-assessment"


def _cookies_sent(page, frame, path: str) -> str:
    """The Cookie header of a request the frame makes to the tool, as it left the browser."""
    with page.expect_request(lambda r: r.url.endswith(path)) as sent:
        frame.evaluate(f"() => fetch('{path}', {{credentials: 'same-origin'}}).then(r => r.status)")
    return sent.value.header_value("cookie") or ""


def _grades(app) -> tuple[int, int]:
    from brokerlearn.server import db
    from brokerlearn.server.lti import ags
    with app.app_context():
        ags.enqueue(db.session())
        return ags.send_due(db.session(), Path(app.instance_path))


def test_inside_the_iframe_a_learner_reads_a_lesson_and_the_graded_quiz_reaches_the_gradebook(served_app, lms, context):
    from brokerlearn.server import db
    from brokerlearn.server.models import LtiAccount, ProgressEvent
    app, _ = served_app
    page = context.new_page()
    claims = lms.claims(custom={"brokerlearn_target": LESSON, "brokerlearn_item": QUIZ_ITEM},
                        lineitem=lms.base + "/lineitems/9")
    page.goto(lms.course_page(claims))
    frame = _tool_frame(page, lms.tool_base, LESSON)  # the launch page went on to the lesson, in the frame
    frame.wait_for_selector("section.quiz[data-graded] button[type=submit]:not([disabled])")
    assert frame.evaluate(COOKIE_PROBE) is False  # an ordinary cookie set in the frame is not kept...
    sent = _cookies_sent(page, frame, "/api/session")
    assert "probe=" not in sent and "brokerlearn_session=" in sent  # ...not sent back; the partitioned session is
    assert frame.evaluate(SESSION)["email"] == "ana.lima@school.example"
    frame.click("[data-lesson-complete] button")
    frame.wait_for_function("() => document.querySelector('[data-lesson-complete] [role=status]').textContent === 'Saved.'")
    quiz = frame.locator("section.quiz[data-graded]")
    quiz.locator("fieldset.question input[type=radio]").first.check()
    quiz.locator("button[type=submit]").click()
    frame.wait_for_selector("section.quiz[data-graded] .quiz-result:has-text('You scored')")
    _shots(page, "lesson-in-iframe")
    assert _grades(app) == (1, 0)
    [score] = lms.scores
    assert score["lineitem"] == "/lineitems/9" and score["userId"] == "lms-user-1" and score["scoreMaximum"] > 0
    with app.app_context():  # the progress is the account's that a first-party sign-in reaches
        ana = db.session().query(LtiAccount).one().user_id
        kinds = {e.kind for e in db.session().query(ProgressEvent).filter_by(user_id=ana)}
    assert "lesson_completed" in kinds
    frame.evaluate("() => { location.href = '/dashboard'; }")  # a server-rendered page, in the frame
    frame = _tool_frame(page, lms.tool_base, "/dashboard")
    frame.wait_for_selector("main h1")
    assert "Sign in" not in frame.inner_text("main") and "example" in frame.inner_text("main").lower()
    _shots(page, "dashboard-in-iframe")


def test_where_the_frame_keeps_no_cookie_the_activity_opens_in_a_confirmed_window(lms, tmp_path):
    """The fallback: a browser that refuses even partitioned cookies in frames gets the link."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 800})
            page = context.new_page()
            page.route(lms.tool_base + "/lti/launch", _cookie_refused)  # as if the browser refused it
            page.goto(lms.course_page(lms.claims(custom={"brokerlearn_target": "/example/"})))
            frame = _tool_frame(page, lms.tool_base, "/lti/launch")
            frame.wait_for_selector("a[data-lti-enter]", state="visible")
            assert "Ana Lima" in frame.inner_text("main")
            _shots(page, "launched-in-iframe")
            with context.expect_page() as opened:
                frame.click("a[data-lti-enter]")
            window = opened.value
            window.wait_for_selector("form.lti-enter button")
            assert "Continue as Ana Lima, from Test LMS" in window.inner_text("main")
            assert window.evaluate(SESSION) is None  # not before the person confirms
            _shots(window, "confirm-window")
            window.click("form.lti-enter button")
            window.wait_for_url(lms.tool_base + "/example/")
            assert window.evaluate(SESSION)["name"] == "Ana Lima"
        finally:
            browser.close()


def _cookie_refused(route):
    """The launch, made outside the browser (route.fetch would keep its cookie in the context),
    answered without its Set-Cookie."""
    import requests
    request = route.request
    answer = requests.post(request.url, data=request.post_data_buffer, timeout=30, allow_redirects=False,
                           headers={"Content-Type": request.headers.get("content-type", "")})
    headers = {k: v for k, v in answer.headers.items() if k.lower() not in ("set-cookie", "content-length",
                                                                         "transfer-encoding", "connection")}
    route.fulfill(status=answer.status_code, headers=headers, body=answer.content)


def test_a_window_launch_goes_straight_to_the_activity(lms, context):
    page = context.new_page()
    page.goto(lms.prepare(lms.claims(custom={"brokerlearn_target": "/example/"}, document_target="window")))
    page.wait_for_url(lms.tool_base + "/example/")
    assert page.evaluate(SESSION)["email"] == "ana.lima@school.example"


def test_the_picker_in_the_iframe_adds_a_lesson_and_a_graded_quiz(lms, context):
    page = context.new_page()
    claims = lms.claims(sub="t1", roles=(INSTRUCTOR,), name="Tess Teacher", email="tess@school.example",
                        message_type="LtiDeepLinkingRequest")
    page.goto(lms.course_page(claims))
    frame = _tool_frame(page, lms.tool_base, "/lti/launch")
    frame.wait_for_selector("form.lti-picker")
    _shots(page, "picker-in-iframe")
    frame.locator("input[value^='lesson:example/']").first.check()
    frame.check("input[value='quiz:example/m2-assessment']")
    frame.click("form.lti-picker button[type=submit]")
    added = _tool_frame(page, lms.base, "/deep-link-return")
    added.wait_for_selector("#added")
    [claims_back] = lms.deep_links
    items = claims_back["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert len(items) == 2 and items[1]["lineItem"]["resourceId"] == "quiz:example/m2-assessment"


def test_the_admin_page_of_platforms_fits_a_phone_and_a_desktop(served_app, lms, context):
    from brokerlearn.server import db
    from brokerlearn.server.services.accounts import find_user, set_role
    from server_fixtures import PASSWORD, register_in_browser
    app, base = served_app
    page = context.new_page()
    register_in_browser(page, base, "boss@agency.org", "Bo Boss")
    with app.app_context():
        set_role(db.session(), find_user(db.session(), "boss@agency.org"), "admin")
    page.goto(base + "account/login")
    page.fill("#email", "boss@agency.org")
    page.fill("#password", PASSWORD)
    page.click("form.account-form button[type=submit]")
    page.goto(base + "admin/lti")
    assert "Test LMS" in page.inner_text("main") and "/.well-known/lti-jwks.json" in page.inner_text("main")
    _shots(page, "admin-platforms")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(200)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width  # no sideways scroll
