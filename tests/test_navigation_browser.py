"""The learner's way through a course in headless Chromium (issue 16, items 1 and 2): the user
menu works by keyboard; the course outline shows ticks after progress, from the browser and
from the account, and is a drawer on a phone; Start (or Resume) is in the first viewport. That
every page fits at 320 to 1366 px, keeps its header controls inside the bar and readable, and
passes axe-core is tests/test_every_page_browser.py's sweep."""
from pathlib import Path

import pytest

from browser import browser, chromium_path, header_ready
from server_fixtures import PASSWORD, register_in_browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed (scripts/setup --test)"),
]
SHOTS = Path("/tmp/shots-h/nav")
PAGES = {"catalog": "", "course": "example/", "module": "example/finding-partners/",
         "lesson": "example/finding-partners/assessing-candidates/", "qualification": "example/qualification/"}
LESSON_A = "example/finding-partners/cooperation-profiles/"
LESSON_B = "example/finding-partners/assessing-candidates/"
LESSON_C = "example/working-together/first-meeting/"

_ready = header_ready


# The sweep of these pages at 320, 390, 768 and 1366 px, signed out and signed in (no sideways
# scroll, header controls inside the bar and readable, axe-core) is tests/test_every_page_browser.py's,
# which sweeps every page kind with one browser page per state.


def _until(page, expression, seconds=20):
    """Wait until `expression` is true in the page (Playwright's own wait evaluates strings with
    eval, which the server's CSP refuses when the predicate is not true at once)."""
    for _ in range(seconds * 10):
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {expression}")


def _tab_to(page, selector, limit=40):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable by Tab")


def test_user_menu_opens_and_closes_by_keyboard_and_signs_out(served, tmp_path):
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 390, "height": 844})
        register_in_browser(page, served, "ana@example.org", "Ana Novak")
        page.goto(served + LESSON_A)
        _ready(page)
        button = page.locator(".user-button")
        assert button.inner_text().startswith("Ana Novak") and button.get_attribute("aria-expanded") == "false"
        menu = page.locator("#bl-user-menu")
        assert not menu.is_visible()
        _tab_to(page, ".user-button")
        page.keyboard.press("Enter")
        assert button.get_attribute("aria-expanded") == "true" and menu.is_visible()
        assert [t.strip() for t in menu.locator("a, button").all_inner_texts()] == [
            "Your learning", "Account settings", "Sign out"]  # a learner: no Administration
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.textContent") == "Your learning"
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.textContent") == "Account settings"
        page.screenshot(path=str(SHOTS / "user-menu-390.png"))
        page.keyboard.press("Escape")
        assert not menu.is_visible() and button.get_attribute("aria-expanded") == "false"
        assert page.evaluate("document.activeElement.classList.contains('user-button')")
        page.keyboard.press(" ")  # Space opens it too
        assert menu.is_visible()
        box, bar = menu.bounding_box(), page.locator("body").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= bar["width"]  # the menu stays on a 390 px screen
        menu.get_by_role("link", name="Account settings").click()
        page.wait_for_url("**/account/settings")
        current = page.locator(".language-switch button[aria-current=true]")  # the active language, marked
        assert current.count() == 1 and current.get_attribute("lang") == "en"
        assert current.inner_text().strip().startswith("✓") and current.evaluate("b => getComputedStyle(b).fontWeight") == "700"
        page.goto(served + LESSON_A)
        _ready(page)
        page.click(".user-button")
        page.get_by_role("button", name="Sign out").click()  # a POST with the CSRF token
        page.wait_for_load_state()
        page.goto(served + LESSON_A)
        page.wait_for_selector("[data-user-menu] a.sign-in")
        assert page.evaluate("fetch('/api/session').then(r => r.json()).then(s => s.user)") is None


def test_administration_is_in_the_menu_of_staff(served, tmp_path):
    import sqlalchemy
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 1366, "height": 768})
        register_in_browser(page, served, "boss@example.org", "Boss")
        engine = sqlalchemy.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
        with engine.begin() as connection:
            connection.execute(sqlalchemy.text("UPDATE users SET role = 'admin' WHERE email = 'boss@example.org'"))
        engine.dispose()
        page.goto(served + "account/login")  # the session carries the role read at sign-in (issue 20)
        page.fill("#email", "boss@example.org")
        page.fill("#password", PASSWORD)
        page.click("form.account-form button[type=submit]")
        page.wait_for_url("**/dashboard")
        page.goto(served + "example/")
        _ready(page)
        page.click(".user-button")
        page.locator("#bl-user-menu").get_by_role("link", name="Administration").click()
        page.wait_for_url("**/admin/")


def test_search_folds_into_a_button_on_a_phone(served):
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 390, "height": 844})
        page.goto(served + LESSON_A)
        _ready(page)
        toggle, field = page.locator(".search-toggle"), page.locator("#site-q")
        assert toggle.is_visible() and not field.is_visible()
        toggle.click()
        assert field.is_visible() and page.evaluate("document.activeElement.id") == "site-q"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(SHOTS / "search-open-390.png"))
        page.keyboard.press("Escape")
        assert not field.is_visible() and page.evaluate("document.activeElement.classList.contains('search-toggle')")
        page.set_viewport_size({"width": 1366, "height": 768})
        assert field.is_visible() and not toggle.is_visible()  # a desktop shows the field


def _outline(page):
    return page.evaluate("""() => [...document.querySelectorAll('#bl-outline [data-lesson-item]')].map(li => ({
        id: li.dataset.lessonItem, done: !li.querySelector('.done-mark').hidden,
        current: !!li.querySelector('[aria-current=page]'), open: li.closest('details').open}))""")


def test_outline_marks_the_lesson_and_ticks_progress_from_browser_then_account(served):
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 1366, "height": 768})
        page.goto(served + LESSON_B)
        _ready(page)
        rows = {row["id"]: row for row in _outline(page)}
        assert set(rows) == {"finding-partners/cooperation-profiles", "finding-partners/assessing-candidates"}
        assert rows["finding-partners/assessing-candidates"]["current"] and rows["finding-partners/assessing-candidates"]["open"]
        assert not any(row["done"] for row in rows.values())
        page.click("#bl-outline summary >> text=Working together")  # filled in from outline.js
        page.wait_for_selector("#bl-outline [data-lesson-item='working-together/first-meeting']", state="attached")
        rows = {row["id"]: row for row in _outline(page)}
        assert rows["working-together/first-meeting"]["open"] and not rows["working-together/first-meeting"]["current"]
        quiz = page.locator("#bl-outline [data-quiz='example/m2-assessment'] a")
        assert quiz.get_attribute("href").startswith("../../working-together/first-meeting/index.html#qz")
        # Signed out: marked complete in this browser, ticked at once and on the next page.
        page.click("[data-lesson-complete] button")
        page.wait_for_selector("#bl-outline [data-lesson-item='finding-partners/assessing-candidates'] .done-mark:not([hidden])")
        page.goto(served + LESSON_C)
        _ready(page)
        page.click("#bl-outline summary >> text=Finding partners")  # a closed module opens, ticked
        # navigation.js fills the module in and then ticks it: wait for the tick, then check it is the only one.
        page.wait_for_selector("#bl-outline [data-lesson-item='finding-partners/assessing-candidates'] .done-mark:not([hidden])")
        assert [row["id"] for row in _outline(page) if row["done"]] == ["finding-partners/assessing-candidates"]
        page.screenshot(path=str(SHOTS / "outline-ticks-1366.png"))
        page.click("#bl-outline a >> text=Writing a cooperation profile")  # a link into another module
        page.wait_for_url(served + LESSON_A + "index.html")
        assert page.locator("#bl-outline [aria-current=page]").inner_text() == "Writing a cooperation profile"
        # Course home: Resume at the first lesson not completed, from the browser's progress.
        page.goto(served + "example/")
        start = page.locator("[data-start-link]")
        _until(page, "document.querySelector('[data-start-link]').textContent.startsWith('Resume')")
        assert start.get_attribute("href").endswith("finding-partners/cooperation-profiles/index.html")
        # Signed in: the browser's progress goes to the account; the ticks now come from it.
        register_in_browser(page, served, "ana@example.org", "Ana Novak")
        page.goto(served + LESSON_A)
        _ready(page)
        page.click("[data-lesson-complete] button")
        page.wait_for_selector("[data-lesson-complete] >> text=Saved.")
        page.goto(served + LESSON_C)
        _ready(page)
        page.click("#bl-outline summary >> text=Finding partners")  # ticked from the account (server.js)
        _until(page, "document.querySelectorAll('#bl-outline .done-mark:not([hidden])').length === 2")
        assert page.evaluate("localStorage.getItem('brokerlearn:pending-events')") in (None, "[]")


OUTLINE_SHOTS = Path("/tmp/outline-shots")


@pytest.mark.parametrize("width,height", [(390, 844), (1366, 768)])
@pytest.mark.parametrize("origin", ["http", "file"])
def test_another_module_of_the_outline_opens_with_its_lessons_and_their_links_work(
        served, built_example, origin, width, height):
    """The page holds only its own module's lessons; opening another module shows its lessons
    (from the course's outline.js, also from disk, where fetch() is refused) and they lead on."""
    base = served if origin == "http" else (built_example / "site").as_uri() + "/"
    index = "index.html"
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": width, "height": height})
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + LESSON_B + index)
        if origin == "http":
            _ready(page)
        assert [row["id"] for row in _outline(page)] == ["finding-partners/cooperation-profiles",
                                                         "finding-partners/assessing-candidates"]
        if width < 992:  # the drawer
            page.locator(".outline-toggle").click()
        summary = page.locator("#bl-outline summary >> text=Working together")
        summary.click()
        link = page.locator("#bl-outline a >> text=Planning a first online meeting")
        link.wait_for()
        assert [row["id"] for row in _outline(page) if row["open"] and not row["current"]] == [
            "finding-partners/cooperation-profiles", "working-together/first-meeting"]
        quiz = page.locator("#bl-outline [data-quiz='example/m2-assessment']")  # its status, as in the page
        status = "graded — " + ("sign in to take it" if origin == "http" else "needs the course server")
        quiz.locator(".assessment-status").wait_for()
        page.evaluate("window.brokerlearn.refreshAssessments()")  # shown again, said the same
        _until(page, f"document.querySelector(\"#bl-outline [data-quiz='example/m2-assessment'] .assessment-status\").textContent === {status!r}")
        summary.click()
        summary.click()  # closed and opened again: filled once
        assert len(_outline(page)) == 3
        OUTLINE_SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(OUTLINE_SHOTS / f"opened-{origin}-{width}.png"))
        link.click()
        page.wait_for_url(base + LESSON_C + index)
        assert page.locator("#bl-outline [aria-current=page]").inner_text() == "Planning a first online meeting"
        assert errors == []


def test_outline_is_a_drawer_on_a_phone(served):
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 390, "height": 844})
        page.goto(served + LESSON_B)
        _ready(page)
        outline, toggle = page.locator("#bl-outline"), page.locator(".outline-toggle")
        assert toggle.is_visible() and not outline.is_visible()
        toggle.click()
        assert outline.is_visible() and toggle.get_attribute("aria-expanded") == "true"
        assert page.evaluate("document.activeElement.getAttribute('aria-current')") == "page"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=str(SHOTS / "outline-drawer-390.png"))
        page.keyboard.press("Escape")
        assert not outline.is_visible() and page.evaluate("document.activeElement.classList.contains('outline-toggle')")
        toggle.click()
        page.locator(".outline-close").click()
        assert not outline.is_visible()
        # The pager at the end of the lesson: both links on the screen, one above the other.
        prev, nxt = page.locator(".pager-prev"), page.locator(".pager-next")
        nxt.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / "pager-390.png"))
        for link in (prev, nxt):
            box = link.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390


@pytest.mark.parametrize("width, height", [(1366, 768), (390, 844)])
def test_start_and_the_module_outline_are_in_the_first_viewport(served, width, height):
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": width, "height": height})
        page.goto(served + "example/")
        _ready(page)
        page.screenshot(path=str(SHOTS / f"course-home-{width}.png"))
        start = page.locator("[data-start-link]").bounding_box()
        assert start["y"] + start["height"] <= height
        assert page.locator(".module-entry h3").first.bounding_box()["y"] < height
        assert not page.locator(".module-details").first.evaluate("d => d.open")  # details folded


def test_create_an_account_returns_to_the_page_and_says_welcome(served):
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 1366, "height": 768})
        page.goto(served + LESSON_B + "#top")
        page.click("[data-user-menu] a.sign-in")
        page.wait_for_url("**/account/login?next=*")
        page.click("text=Create an account")
        page.fill("#email", "new@example.org")
        page.fill("#name", "Nia")
        page.fill("#password", PASSWORD)
        page.click("form.account-form button[type=submit]")
        page.wait_for_selector("text=Welcome, Nia — your account is ready.")
        assert page.url == served + LESSON_B  # back where the learner was; ?welcome is gone
        assert page.locator(".user-button").inner_text().startswith("Nia")


def test_the_qualification_page_does_not_ask_a_signed_in_learner_to_sign_in(served):
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": 1366, "height": 768})
        page.goto(served + PAGES["qualification"])
        _ready(page)
        assert page.locator("text=Sign in to the course server").is_visible()
        register_in_browser(page, served, "ana@example.org", "Ana")
        page.goto(served + PAGES["qualification"])
        _ready(page)
        assert not page.locator("text=Sign in to the course server").is_visible()
        assert page.locator("[data-when-signed-in] a[href='/dashboard']").is_visible()
