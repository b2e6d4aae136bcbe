"""The site header on a phone, a tablet and a desktop (issue 16's first finding): the course
name, the search form and the account link all stay inside the dark bar, none overlaps another,
and the breadcrumbs start below it. With floats, at 390 px the search and "Sign in" fell out of
the bar (white text on the white page) and over the breadcrumbs."""
import pytest

from browser import browser, chromium_path
from server_fixtures import register_in_browser

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed (scripts/setup --test)"),
]
LESSON = "example/finding-partners/assessing-candidates/"


def _box(page, selector):
    return page.locator(selector).first.bounding_box()


def _inside(inner, outer):
    return (inner["x"] >= outer["x"] - 0.5 and inner["y"] >= outer["y"] - 0.5
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5)


def _overlap(a, b):
    return not (a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"])


@pytest.mark.parametrize("width, signed_in", [(320, False), (390, False), (800, False), (1366, False),
                                              (320, True), (390, True), (800, True)])
def test_header_parts_stay_in_the_bar_and_clear_of_each_other(served, width, signed_in, tmp_path):
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": width, "height": 800})
        if signed_in:  # the longer control: the user menu's button with the learner's name
            register_in_browser(page, served, "ana@example.org", "Ana Novak-Lindqvist")
        page.goto(served + LESSON)
        page.wait_for_selector(".site-user >> text=" + ("Ana Novak-Lindqvist" if signed_in else "Sign in"))
        page.screenshot(path=str(tmp_path / f"header-{width}.png"))
        bar = _box(page, ".site-header")
        search = ".site-search" if width >= 768 else ".search-toggle"  # folded into a button on a phone
        parts = {name: _box(page, selector) for name, selector in
                 (("name", ".site-name"), ("search", search), ("user", ".site-user"))}
        for name, box in parts.items():
            assert _inside(box, bar), (width, name, box, bar)
        assert not _overlap(parts["name"], parts["search"]) and not _overlap(parts["search"], parts["user"])
        assert not _overlap(parts["name"], parts["user"]), width
        assert _box(page, ".breadcrumbs")["y"] >= bar["y"] + bar["height"] - 0.5
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing pushes the page wider
        if width >= 1366:  # one row on a desktop
            assert parts["search"]["y"] < parts["name"]["y"] + parts["name"]["height"]
