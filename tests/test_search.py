"""Full-text search on the static site alone: the index holds one entry per section of every
lesson (the glossary and video transcripts too) and is a script, so the site searches from disk;
the search page (MiniSearch, vendored) tolerates typos and links to the section, in Chromium."""
import json
import re
import shutil
from pathlib import Path

import pytest

from brokerlearn.compiler.pipeline import build
from brokerlearn.compiler.search import GLOBAL, body_sections
from brokerlearn.errors import BuildFailed
from browser import browser, chromium_path, serve_dir

REPO = Path(__file__).resolve().parents[1]
VENDOR = REPO / "themes" / "default" / "static" / "vendor"
NPM_MINISEARCH = REPO / "node_modules" / "minisearch"
needs_chromium = pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")


def script_data(path: Path, prefix: str):
    text = path.read_text(encoding="utf-8")
    assert text.startswith(prefix) and text.endswith(";\n")
    return json.loads(text[len(prefix):-2].removesuffix(")"))


def read_index(site: Path, course: str) -> dict:
    """The parts of a course's index joined: {pages, sections}, page numbers of the whole."""
    index = script_data(site / course / "search-index.js", f"window.{GLOBAL} = ")
    pages, sections = [], []
    for url in index["parts"]:
        part = script_data(site / course / url, f"window.{GLOBAL}.loaded.push(")
        assert part["part"] == url
        sections += [[s[0] + len(pages), *s[1:]] for s in part["sections"]]
        pages += part["pages"]
    return {"pages": pages, "sections": sections}


@pytest.fixture(scope="module")
def site(built_example):
    return built_example / "site"  # the run's one build of the example: read only


@pytest.fixture(scope="module")
def flagship_site(tmp_path_factory):
    """The flagship course without its videos (converting them takes minutes): every lesson,
    heading and glossary term as written."""
    work = tmp_path_factory.mktemp("flagship")
    course = work / "online-collaboration"
    shutil.copytree(REPO / "courses" / "online-collaboration", course, ignore=shutil.ignore_patterns("storyboards"))
    for path in (course / "media").glob("case-*"):
        path.unlink()
    for path in course.rglob("*.md"):
        path.write_text(re.sub(r"^::: *video [\w.-]+\n:::\n", "", path.read_text(), flags=re.M), encoding="utf-8")
    build(course, work / "out", show_progress=False)
    return work / "out" / "site"


def test_index_has_one_entry_per_section_with_its_anchor(site):
    data = read_index(site, "example")
    pages = {title: n for n, (url, title, module) in enumerate(data["pages"])}
    assert data["pages"][pages["Assessing candidate partners"]][0] == "finding-partners/assessing-candidates/index.html"
    sections = {(s[0], s[1]): s for s in data["sections"]}
    assert len(sections) == len(data["sections"])  # no section listed twice
    profile = pages["Writing a cooperation profile"]
    assert [s[1] for s in data["sections"] if s[0] == profile] == ["", "what-a-profile-contains",
                                                                   "a-checklist-before-publishing"]
    contains = sections[(profile, "what-a-profile-contains")]
    assert contains[2] == "What a profile contains" and contains[3] == "lesson"
    assert "<" not in contains[4] and "Offer" in contains[4] and "checklist" not in contains[4]
    video = next(s for s in data["sections"] if s[3] == "video")
    assert video[0] == pages["Assessing candidate partners"] and video[1] == "video-0-partner-call"
    assert video[2] == "Video: A first call with a candidate partner" and video[4]
    page = (site / "example/finding-partners/assessing-candidates/index.html").read_text()
    assert 'id="video-0-partner-call"' in page and 'id="criteria-that-matter"' in page  # anchors exist


def test_sections_split_at_h2_and_h3_and_skip_embeds():
    segments = ['<p>Intro &amp; more.</p>\n<h2 id="a">First <em>one</em></h2>\n<p>Alpha</p>', 0,
                '<h3 id="b">Sub</h3><p>Beta</p><h4 id="c">Deeper</h4><p>Gamma</p>']
    assert body_sections(segments) == [["", "", "Intro & more."], ["a", "First one", "Alpha"],
                                       ["b", "Sub", "Beta Deeper Gamma"]]
    assert body_sections(['<h2 id="x">Only</h2>']) == [["x", "Only", ""]]


def test_index_is_a_script_the_page_loads_from_disk(site):
    page = (site / "example/search/index.html").read_text()
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert scripts.index("../../_static/vendor/minisearch.js") < scripts.index("../search-index.js") \
        < scripts.index("../../_static/search.js")
    assert not (site / "example/search-index.json").exists()
    assert sorted(p.name for p in (site / "example/search").glob("*.js")) == ["finding-partners.js",
                                                                              "working-together.js"]
    assert (site / "_static/vendor/minisearch.LICENSE.txt").is_file()  # the licence ships with it


@pytest.mark.skipif(not (NPM_MINISEARCH / "package.json").is_file(), reason="node_modules has no minisearch")
def test_vendored_minisearch_is_the_npm_package_file():
    """An upgrade is deliberate: package.json, the copy and vendor/README.md change together."""
    package = json.loads((NPM_MINISEARCH / "package.json").read_text())
    assert (VENDOR / "minisearch.js").read_bytes() == (NPM_MINISEARCH / package["main"]).read_bytes()
    assert (VENDOR / "minisearch.LICENSE.txt").read_bytes() == (NPM_MINISEARCH / "LICENSE.txt").read_bytes()
    row = next(line for line in (VENDOR / "README.md").read_text().splitlines() if line.startswith("| `minisearch.js`"))
    assert f"| {package['version']} |" in row and package["license"] == "MIT"


def results(page) -> list[tuple[str, str]]:
    page.wait_for_selector(".search-results li, .search-status:not(:empty)")
    return [(a.inner_text(), a.get_attribute("href")) for a in page.locator(".search-results li > a").all()]


@pytest.mark.browser
@needs_chromium
def test_search_in_the_browser(site):
    with serve_dir(site) as base, browser() as chromium:
        page = chromium.new_page()
        page.goto(base + "example/finding-partners/cooperation-profiles/index.html")
        page.fill("#site-q", "CAPACITÝ")  # case and accents do not matter
        page.press("#site-q", "Enter")
        found = results(page)
        assert ("Criteria that matter", "../finding-partners/assessing-candidates/#criteria-that-matter") in found
        assert len(found) == len(set(found))
        assert page.locator(".search-results mark").first.inner_text().lower() == "capacity"
        page.locator(".search-results li > a", has_text="Criteria that matter").click()
        page.wait_for_url("**/finding-partners/assessing-candidates/#criteria-that-matter")
        page.goto(base + "example/search/index.html?q=agend")  # the start of a word
        assert results(page)[0] == ("An agenda that works", "../working-together/first-meeting/#an-agenda-that-works")
        page.goto(base + "example/search/index.html?q=zzzunknownword")
        page.wait_for_selector("text=Nothing found")
        page.goto(base + "example/search/index.html?q=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E")
        page.wait_for_selector(".search-status")
        assert page.locator(".search-results img").count() == 0


@pytest.mark.browser
@needs_chromium
@pytest.mark.parametrize("width", [390, 1366])
def test_a_typo_finds_the_section_and_lands_on_it_from_disk(flagship_site, width, tmp_path):
    """issue 16: "consortum" finds the consortium case study of the flagship and opens it at the
    section, with the site opened as files (no server): from the header's search box."""
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": width, "height": 844 if width < 800 else 768})
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto((flagship_site / "online-collaboration/index.html").as_uri())
        if not page.locator("#site-q").is_visible():  # on a phone the search is behind its button
            page.click(".search-toggle")
        page.fill("#site-q", "consortum")
        page.press("#site-q", "Enter")
        found = results(page)
        assert found[0] == ("Case study: from contacts to consortium", "../from-contacts-to-projects/funding-routes/"
                            "index.html#case-study-from-contacts-to-consortium")
        assert len(found) == len(set(found)) > 1  # other sections too, each once
        assert page.locator(".search-results li").first.locator("mark").first.inner_text() == "consortium"
        page.screenshot(path=str(tmp_path / f"results-{width}.png"))
        page.locator(".search-results li > a").first.click()
        page.wait_for_url("**/funding-routes/index.html#case-study-from-contacts-to-consortium")
        top = page.evaluate("document.getElementById('case-study-from-contacts-to-consortium')"
                            ".getBoundingClientRect().top")
        assert -2 < top < 100  # the section's heading is at the top of the window
        assert errors == []


def test_a_module_named_like_a_course_folder_is_refused(make_course, tmp_path):
    root = make_course({"course.yml": "id: mini\ntitle: Mini\nlanguage: en\nmodules: [01-search]\n",
                        "modules/01-search/module.yml": "title: S\nlessons: [01-start]\n",
                        "modules/01-search/01-start.md": "---\ntitle: Start\n---\n\nText.\n"})
    with pytest.raises(BuildFailed) as failure:
        build(root.parent, tmp_path / "out", show_progress=False)
    assert any("may not be called 'search'" in d.message for d in failure.value.diagnostics.errors)
