"""The course outline of lesson pages (compiler/outline.py): a page holds its own module's
entries only; the course's one outline.js holds every module's, versioned by its content and
rewritten only when the outline changes. The browser side (opening another module) is
tests/test_navigation_browser.py's."""
import hashlib
import json
import re
from pathlib import Path

from brokerlearn.compiler import contexts as c
from brokerlearn.compiler.outline import SCRIPT, LessonOutline
from brokerlearn.compiler.pipeline import build

EXAMPLE_LESSONS = {"finding-partners": ["finding-partners/cooperation-profiles", "finding-partners/assessing-candidates"],
                   "working-together": ["working-together/first-meeting"]}


def _outline_data(site: Path, course: str) -> dict:
    text = (site / course / "outline.js").read_text()
    prefix = "window.brokerlearnOutline = "
    assert text.startswith(prefix) and text.endswith(";\n")
    return json.loads(text[len(prefix):-2])


def _items(html: str) -> list[str]:
    return re.findall(r'<li data-lesson-item="([^"]+)"', html)


def test_a_lesson_page_lists_every_module_but_only_its_own_modules_lessons(example_course, tmp_path):
    build(example_course.parent, tmp_path / "out", show_progress=False)
    site = tmp_path / "out/site/example"
    page = (site / "working-together/first-meeting/index.html").read_text()
    outline = page[page.index('id="bl-outline"'):]
    assert _items(outline) == ["working-together/first-meeting"]
    # The other module: its number, title and module page, its entries to come from outline.js.
    assert '<details data-outline-fill="finding-partners">' in outline
    assert '<span class="outline-number">1</span> Finding partners</summary>' in outline
    assert 'href="../../finding-partners/index.html">Module overview' in outline
    assert "cooperation-profiles" not in outline
    script = re.search(r'<script src="(\.\./\.\./outline\.js\?v=[0-9a-f]{16})" defer>', page)[1]
    other = (site / "finding-partners/cooperation-profiles/index.html").read_text()
    assert _items(other[other.index('id="bl-outline"'):]) == EXAMPLE_LESSONS["finding-partners"]
    assert f'<script src="{script}"' in other  # one file, the same version, for every lesson page


def test_the_shared_outline_lists_every_modules_lessons_and_quizzes_with_working_links(example_course, tmp_path):
    build(example_course.parent, tmp_path / "out", show_progress=False)
    site = tmp_path / "out/site"
    data = _outline_data(site, "example")
    assert data["course"] == "example"
    assert {slug: [l[0] for l in m["lessons"]] for slug, m in data["modules"].items()} == EXAMPLE_LESSONS
    lesson_dir = site / "example/finding-partners/cooperation-profiles"
    for module in data["modules"].values():
        for entry in module["lessons"] + module["quizzes"]:
            assert set(map(type, entry)) == {str}  # id, title, link: nothing else
            assert (lesson_dir / entry[2].split("#")[0]).resolve().is_file()
    quiz = data["modules"]["working-together"]["quizzes"]
    assert [q[:2] for q in quiz] == [["example/m2-assessment", "Module 2 assessment"]]
    text = (site / "example/outline.js").read_text()
    assert "correct" not in text and "answer" not in text  # titles and links only, never a key


def test_author_text_in_the_shared_outline_cannot_end_a_script(example_course, tmp_path):
    lesson = example_course / "modules/01-finding-partners/01-cooperation-profiles.md"
    lesson.write_text(lesson.read_text().replace("title: Writing a cooperation profile",
                                                 'title: "Profiles </script><b>x</b>"', 1))
    build(example_course.parent, tmp_path / "out", show_progress=False)
    text = (tmp_path / "out/site/example/outline.js").read_text()
    assert "<" not in text
    entry = _outline_data(tmp_path / "out/site", "example")["modules"]["finding-partners"]["lessons"][0]
    assert entry[1] == "Profiles </script><b>x</b>"  # navigation.js sets it as text


def test_the_outline_and_its_version_change_only_with_the_outline(example_course, tmp_path):
    out = tmp_path / "out"
    build(example_course.parent, out, show_progress=False)
    page = out / "site/example/working-together/first-meeting/index.html"
    before = page.read_text()
    lesson = example_course / "modules/01-finding-partners/01-cooperation-profiles.md"
    lesson.write_text(lesson.read_text() + "\nOne more sentence.\n")
    report = build(example_course.parent, out, show_progress=False).report
    assert "site/example/outline.js" not in report.written and page.read_text() == before
    lesson.write_text(lesson.read_text().replace("title: Writing a cooperation profile", "title: Profiles", 1))
    report = build(example_course.parent, out, show_progress=False).report
    assert "site/example/outline.js" in report.written
    assert ["finding-partners/cooperation-profiles", "Profiles"] == \
        _outline_data(out / "site", "example")["modules"]["finding-partners"]["lessons"][0][:2]
    after = page.read_text()
    assert after != before and re.sub(r"\?v=[0-9a-f]+", "", after) == re.sub(r"\?v=[0-9a-f]+", "", before)


def test_the_script_is_hashed_once_for_all_lesson_pages(monkeypatch):
    """Every lesson page links the script with its hash: the content is hashed once per build."""
    hashed = []
    sha256 = hashlib.sha256
    monkeypatch.setattr(hashlib, "sha256", lambda data=b"": hashed.append(data) or sha256(data))
    outline = LessonOutline("c", "inputs", lambda: [])
    urls = {outline.script_url for _ in range(3)}
    assert urls == {f"../../{SCRIPT}?v={sha256(outline.script).hexdigest()[:16]}"} and hashed == [outline.script]


def test_pages_of_a_module_share_its_entries_but_their_own_lesson():
    """What the theme renders once per build (Theme.shared_fragment): the closed modules, and
    the open module's entries but the page's lesson, are the same objects on its pages."""
    lessons = [c.OutlineLesson(f"L{i}", f"../../m/l{i}/", f"m/l{i}") for i in (1, 2, 3)]
    modules = [c.OutlineModule(1, "M", "../../m/", "m", False, lessons, [c.OutlineQuiz("Q", None, "c/q")]),
               c.OutlineModule(2, "N", "../../n/", "n", False, [], [])]
    outline = LessonOutline("c", "inputs", lambda: modules)
    first, second = outline.at(0, "m/l1"), outline.at(0, "m/l2")
    assert [m["current"] for m in first] == [True, False] and first[1] is second[1]
    assert [l["current"] for l in first[0]["lessons"]] == [True, False, False]
    assert [l["current"] for l in second[0]["lessons"]] == [False, True, False]
    assert first[0]["lessons"][2] is second[0]["lessons"][2] and first[0]["quizzes"][0] is second[0]["quizzes"][0]
    assert outline.at(1, "n/x")[0]["lessons"] == [] and not outline.modules[0].current  # the modules stay as made
