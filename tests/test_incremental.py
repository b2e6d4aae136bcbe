"""Rebuilds that stay incremental (issue 20, item 4): a build with nothing changed opens no
lesson file and no cached body; a build after one lesson's text changed renders that lesson
alone and rewrites its page and its module's part of the search index, nothing else.

File opens are counted with an audit hook (PEP 578): it sees every open, whether through
open(), io.open, os.open or pathlib, and every SQLite connection (the cached bodies' store), so
nothing read slips past the count."""
import os
import sqlite3
import sys
import time
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from brokerlearn.compiler.body_store import BodyStore
from brokerlearn.compiler.pipeline import build

_recording: list[list[str]] = []


def _audit(event: str, args: tuple) -> None:
    if event in ("open", "sqlite3.connect") and _recording and isinstance(args[0], (str, bytes, os.PathLike)):
        _recording[-1].append(os.fsdecode(args[0]))


sys.addaudithook(_audit)  # cannot be removed: it records only inside `opened_files`


@contextmanager
def opened_files():
    files: list[str] = []
    _recording.append(files)
    try:
        yield files
    finally:
        _recording.remove(files)


@pytest.fixture
def built(example_course, tmp_path):
    """The example course built once, its lessons dated a minute back (as files edited earlier
    are: a file changed within the last two seconds is hashed again, see fs.StatMemo)."""
    past = time.time() - 60
    for path in example_course.rglob("*"):
        os.utime(path, (past, past))
    out = tmp_path / "out"
    build(example_course.parent, out, show_progress=False)
    return example_course, out


def stored_keys(out: Path) -> list[str]:
    with closing(sqlite3.connect(out / ".cache" / "bodies.sqlite")) as store:
        return [key for (key,) in store.execute("SELECT key FROM bodies")]


def lessons_opened(files: list[str], course: Path) -> list[str]:
    return sorted({Path(f).relative_to(course).as_posix() for f in files
                   if f.endswith(".md") and Path(f).is_relative_to(course)})


def test_an_unchanged_rebuild_opens_no_lesson_and_no_cached_body(built):
    course, out = built
    with opened_files() as files:
        result = build(course.parent, out, show_progress=False)
    assert result.report.written == [] and result.rendered_bodies == []
    assert lessons_opened(files, course) == []
    assert [f for f in files if "/.cache/bodies" in f] == []
    assert [f for f in files if f.startswith(str(out / "site"))] == []  # nor any page of the site


def test_one_lesson_edited_renders_it_alone(built, monkeypatch):
    course, out = built
    entries_read = []
    real_get = BodyStore.get
    monkeypatch.setattr(BodyStore, "get", lambda store, key: entries_read.append(key) or real_get(store, key))
    lesson = course / "modules/01-finding-partners/02-assessing-candidates.md"
    lesson.write_text(lesson.read_text() + "\nAsk about their zanzibarian suppliers.\n")
    with opened_files() as files:
        result = build(course.parent, out, show_progress=False)
    assert result.rendered_bodies == [str(lesson)]
    assert lessons_opened(files, course) == ["modules/01-finding-partners/02-assessing-candidates.md"]
    # Its page and its module's part of the search index; its neighbours' and the module's
    # pages show only its title, which did not change, and the other module's part is kept.
    assert sorted(result.report.written) == ["site/example/finding-partners/assessing-candidates/index.html",
                                             "site/example/search/finding-partners.js"]
    part = (out / "site/example/search/finding-partners.js").read_text()
    assert "zanzibarian" in part and "Writing a cooperation profile" in part  # the unchanged lesson kept
    assert "zanzibarian" in (out / "site/example/finding-partners/assessing-candidates/index.html").read_text()
    assert len(entries_read) == 1  # the unchanged lesson of the module: its search sections, read once


def test_a_lost_cache_entry_is_rendered_again_for_the_index(built):
    """A cached body that is gone (a crash, a cleaned folder) gives its sections again, and the
    body rendered now is kept, its store made anew."""
    course, out = built
    (out / ".cache" / "bodies.sqlite").unlink()
    lesson = course / "modules/01-finding-partners/02-assessing-candidates.md"
    lesson.write_text(lesson.read_text() + "\nOne more sentence.\n")
    build(course.parent, out, show_progress=False)
    part = (out / "site/example/search/finding-partners.js").read_text()
    assert "what-a-profile-contains" in part and "One more sentence." in part
    assert len(stored_keys(out)) == 1  # the edited lesson's
    assert build(course.parent, out, show_progress=False).rendered_bodies == []


MODULE_PAGE = "site/example/finding-partners/index.html"
COURSE_PAGE = "site/example/index.html"
OUTLINE = "site/example/outline.js"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _rebuilt(course: Path, out: Path) -> set[str]:
    return set(build(course.parent, out, show_progress=False).report.written)


@pytest.mark.parametrize("file, old, new, shown, on_every_lesson_page", [
    ("modules/01-finding-partners/module.yml", "title: Finding partners", "title: Finding allies", "Finding allies",
     True),  # in every page's outline
    ("modules/01-finding-partners/02-assessing-candidates.md", "title: Assessing candidate partners",
     "title: Judging candidate partners", "Judging candidate partners", True),  # in outline.js, which pages link by hash
    ("profile.yml", "Compares candidate partners against", "Weighs candidate partners against",
     "Weighs candidate partners against", False),
])
def test_the_module_and_course_pages_and_outline_follow_what_they_show(built, file, old, new, shown,
                                                                        on_every_lesson_page):
    """Their fingerprints come from their inputs, not their contexts: an edit of a module's
    title, a lesson's title or an outcome's statement still writes both pages again, and the
    lessons' outline wherever it shows the title."""
    course, out = built
    _edit(course / file, old, new)
    written = _rebuilt(course, out)
    assert {MODULE_PAGE, COURSE_PAGE} <= written
    assert shown in (out / MODULE_PAGE).read_text() and shown in (out / COURSE_PAGE).read_text()
    if shown in (out / OUTLINE).read_text():
        assert OUTLINE in written
    other_module_lesson = out / "site/example/working-together/first-meeting/index.html"
    if on_every_lesson_page:
        assert str(other_module_lesson.relative_to(out)) in written
        assert shown in other_module_lesson.read_text() or OUTLINE in written


def test_a_lesson_edit_that_changes_no_title_leaves_the_module_and_course_pages(built):
    course, out = built
    _edit(course / "modules/01-finding-partners/02-assessing-candidates.md", "answers arrive", "replies arrive")
    written = _rebuilt(course, out)
    assert not written & {MODULE_PAGE, COURSE_PAGE, OUTLINE}
