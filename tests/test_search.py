"""Full-text search on the static site alone: the index holds lessons, the glossary and video
transcripts; the search page finds words (accents and case ignored) in headless Chromium."""
import json
from pathlib import Path

import pytest

from brokerlearn.compiler.pipeline import build
from brokerlearn.errors import BuildFailed
from browser import browser, chromium_path, serve_dir

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("search")
    build(REPO / "courses" / "example", out, show_progress=False)
    return out / "site"


def test_index_holds_lessons_and_transcripts(site):
    data = json.loads((site / "example" / "search-index.json").read_text())
    kinds = {(e["kind"], e["title"]) for e in data["entries"]}
    assert ("lesson", "Assessing candidate partners") in kinds
    video = next(e for e in data["entries"] if e["kind"] == "video")
    assert video["url"] == "finding-partners/assessing-candidates/" and video["text"]
    lesson = next(e for e in data["entries"] if e["title"] == "Writing a cooperation profile")
    assert "<" not in lesson["text"] and "cooperation profile" in lesson["text"]


@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
def test_search_in_the_browser(site):
    with serve_dir(site) as base, browser() as chromium:
        page = chromium.new_page()
        page.goto(base + "example/finding-partners/cooperation-profiles/index.html")
        page.fill("#site-q", "CAPACITÝ")  # case and accents do not matter
        page.press("#site-q", "Enter")
        page.wait_for_selector(".search-results li")
        titles = page.locator(".search-results li > a").all_inner_texts()
        assert "Assessing candidate partners" in titles
        assert page.locator(".search-results mark").first.inner_text().lower() == "capacity"
        page.locator(".search-results li > a", has_text="Assessing candidate partners").first.click()
        page.wait_for_url("**/finding-partners/assessing-candidates/")
        page.goto(base + "example/search/index.html?q=zzzunknownword")
        page.wait_for_selector("text=Nothing found")
        page.goto(base + "example/search/index.html?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
        page.wait_for_selector(".search-status")
        assert page.locator(".search-results img").count() == 0


def test_a_module_named_like_a_course_folder_is_refused(make_course, tmp_path):
    root = make_course({"course.yml": "id: mini\ntitle: Mini\nlanguage: en\nmodules: [01-search]\n",
                        "modules/01-search/module.yml": "title: S\nlessons: [01-start]\n",
                        "modules/01-search/01-start.md": "---\ntitle: Start\n---\n\nText.\n"})
    with pytest.raises(BuildFailed) as failure:
        build(root.parent, tmp_path / "out", show_progress=False)
    assert any("may not be called 'search'" in d.message for d in failure.value.diagnostics.errors)
