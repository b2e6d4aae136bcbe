"""LTI 1.3 in headless Chromium, with third-party cookies blocked: the tests' platform
(tests/lti_platform.py, at http://localhost:PORT) frames brokerlearn (http://127.0.0.1:PORT,
another site) in its course page; the launch and the Deep Linking picker work inside that
iframe, and the activity opens signed in, in a window of its own. Screenshots at 390 and
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


def test_a_launch_in_the_platforms_iframe_opens_the_activity_signed_in(lms, context):
    page = context.new_page()
    page.goto(lms.course_page(lms.claims(custom={"brokerlearn_target": "/example/"})))
    frame = _tool_frame(page, lms.tool_base, "/lti/launch")
    frame.wait_for_selector("a[data-lti-enter]")
    assert "Ana Lima" in frame.inner_text("main")
    assert frame.evaluate(COOKIE_PROBE) is False  # third-party cookies are blocked in this frame
    assert frame.evaluate(SESSION) is None  # so no session travels in it: the one-time link does
    _shots(page, "launched-in-iframe")
    with context.expect_page() as opened:
        frame.click("a[data-lti-enter]")
    window = opened.value
    window.wait_for_url(lms.tool_base + "/example/")
    user = window.evaluate(SESSION)
    assert user["email"] == "ana.lima@school.example" and user["name"] == "Ana Lima"
    _shots(window, "activity-window")


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
