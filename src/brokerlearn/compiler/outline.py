"""The course outline of lesson pages (issue 16): every module on every lesson page, the page's
own module open with its lessons and graded quizzes, the others closed.

A closed module's lessons are not repeated in each page (at 2,000 lessons they were nine tenths
of a 600 KB page): the page lists the module (its number, title and module page) and
navigation.js fills in its entries from `outline.js`, one file per course beside its pages,
when the learner opens it. A script and not JSON, so that it loads from `file://` too, where
fetch() is refused. The pages link it with a hash of its content (`outline.js?v=HASH`), so a
browser never keeps an outline that the pages no longer match.

The outline is built once per course, and only when a lesson page or the file is made again (the
fingerprints hold a hash of its inputs): every lesson page sits at COURSE/MODULE/LESSON/, so its
relative links hold on all of them (see `from_any_lesson`).
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from typing import Callable

from brokerlearn.compiler import contexts as c
from brokerlearn.course.model import Course

SCRIPT = "outline.js"
"""The file's name in the course folder of the site."""
GLOBAL = "brokerlearnOutline"
"""The `window` property the script sets (navigation.js reads it)."""


def from_any_lesson(course: Course) -> Callable[[str], str]:
    """Links that hold on every lesson page: all sit at COURSE/MODULE/LESSON/index.html, so
    `../../` is the course folder on each (relative_url would shorten links within the first
    page's own module, wrong on the others)."""
    inside = len(course.id) + 1
    return lambda target: "../../" + target[inside:]


def script(course_id: str, modules: list[c.OutlineModule]) -> bytes:
    """`outline.js`: each module's lessons `[id, title, url]` and graded quizzes
    `[id, title, url or null]`, by module slug. Only what the page would show: titles (plain
    text, which navigation.js sets as text, never as HTML) and links; "<" is escaped so that
    no title can end a script element should the file ever be inlined."""
    data = {"course": course_id, "modules": {
        m.slug: {"lessons": [[l.id, l.title, l.url] for l in m.lessons],
                 "quizzes": [[q.id, q.title, q.url] for q in m.quizzes]} for m in modules}}
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return f"window.{GLOBAL} = {text};\n".encode()


@dataclasses.dataclass
class LessonOutline:
    """A course's outline for its lesson pages, and the shared file their closed modules read.

    Made only when a page or the file is produced again: `inputs` (a hash of everything it
    shows, compiler/pages.py) is what the lesson pages' fingerprints and the file's hold."""
    course_id: str
    inputs: str
    make_modules: Callable[[], list[c.OutlineModule]]

    @functools.cached_property
    def modules(self) -> list[c.OutlineModule]:
        """Every module with its lessons and quizzes, none current."""
        return self.make_modules()

    @functools.cached_property
    def script(self) -> bytes:
        """The content of `outline.js`."""
        return script(self.course_id, self.modules)

    @functools.cached_property
    def _closed(self) -> list[dict]:
        """The closed modules as template values, the same objects on every page: the theme
        renders each once per build (Theme.shared_fragment)."""
        return [c.to_template(dataclasses.replace(m, lessons=[], quizzes=[])) for m in self.modules]

    @functools.cached_property
    def _open(self) -> list[dict]:
        """Each module open, as template values: its entries are the same objects on every
        page of the module (rendered once too), but for the page's own lesson (`at`)."""
        return [c.to_template(dataclasses.replace(m, current=True)) for m in self.modules]

    @functools.cached_property
    def script_url(self) -> str:
        """The script as a lesson page links it (versioned by its content; hashed once, not on
        every lesson page)."""
        return f"../../{SCRIPT}?v={hashlib.sha256(self.script).hexdigest()[:16]}"

    def at(self, module_index: int, lesson_id: str) -> list[dict]:
        """The outline of one lesson page, as template values: its module open with its lesson
        current and its entries; every other module closed, without them."""
        module = dict(self._open[module_index])
        module["lessons"] = [{**l, "current": True} if l["id"] == lesson_id else l for l in module["lessons"]]
        marked = list(self._closed)
        marked[module_index] = module
        return marked
