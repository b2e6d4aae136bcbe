"""Activities: what a lesson places in its body, one module per kind, and the registry that
the Markdown renderer and the page stage ask.

A lesson places an activity with a container (`::: quiz ID` ... `:::`, `::: video NAME`) or a
fenced block (a ```quiz block: one question written in the lesson body itself). Each module of
this package defines one kind as `ACTIVITY = Activity(...)`:

* `kind`: its name in the lesson's analysis (kept in the build cache: never rename one);
* `container` or `fence`: how an author writes it (`::: NAME REF` or a ```NAME block);
* `view(placement)`: checks what it refers to (an unknown ID is an error at the lesson's line,
  with a did-you-mean) and returns the context of its template, or None once it has reported;
* `template`: the theme partial that renders it, given that context and `lang`;
* `reference`: its row in the format reference (docs/format-reference.md, generated:
  `python -m brokerlearn.compiler.activities docs/format-reference.md`);
* `order`: where it comes in that table and in the list of containers of an error message.

The registry finds the modules itself; nothing else names them. Adding an activity, e.g. the
assignment of issue 18 (`::: assignment ID`), takes:

1. `compiler/activities/assignment.py` with `ACTIVITY = Activity(kind="assignment",
   container="assignment", template="assignment.html", view=..., reference=...)`; its view
   looks the ID up where the course keeps assignments and reports an unknown one with
   `placement.error(...)` and `did_you_mean`, like quiz.py;
2. `themes/default/templates/assignment.html`, the partial its view feeds;
3. `tests/test_activity_assignment.py`: it renders in a lesson, an unknown ID is an error;
4. then run the command above to add its row to the format reference.

What an assignment *is* (its YAML file, loading it into the course, what the server does with
a submission) belongs to the course and the server, not here.
"""
from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable

from brokerlearn.compiler.links import lesson_url
from brokerlearn.course.model import Course
from brokerlearn.errors import Diagnostics


@dataclass
class Placement:
    """One place where a lesson puts an activity: its embed (kind, name, line, col, data)."""

    course: Course
    path: Path  # the lesson's source file
    scope: str  # the lesson's source key, which scopes the IDs of its own questions
    index: int  # the embed's number in the lesson, part of its DOM ids
    embed: object  # compiler.lessons.Embed
    diags: Diagnostics
    preview: bool | str = False  # as for build(): True in `brokerlearn preview`, "package" for SCORM

    def error(self, message: str) -> None:
        self.diags.error(self.path, self.embed.line, self.embed.col, message)

    @cached_property
    def page_url(self) -> str:
        for module, lesson in self.course.lessons():
            if lesson.source == self.path:
                return lesson_url(self.course, module, lesson)
        return f"{self.course.id}/index.html"


@dataclass(frozen=True)
class Activity:
    kind: str
    template: str
    view: Callable[[Placement], dict | None]
    container: str | None = None
    fence: str | None = None
    reference: str = ""
    order: int = 100


def _discover() -> tuple[Activity, ...]:
    found = []
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if isinstance(getattr(module, "ACTIVITY", None), Activity):
            found.append(module.ACTIVITY)
    return tuple(sorted(found, key=lambda a: (a.order, a.kind)))


ACTIVITIES = _discover()
BY_KIND = {a.kind: a for a in ACTIVITIES}
BY_CONTAINER = {a.container: a for a in ACTIVITIES if a.container}
BY_FENCE = {a.fence: a for a in ACTIVITIES if a.fence}
CONTAINERS = tuple(BY_CONTAINER)


def render(placement: Placement, theme) -> str:
    """The trusted HTML of one placed activity; "" once an error is reported."""
    activity = BY_KIND[placement.embed.kind]
    if activity.container and not placement.embed.name:
        return ""  # a container without a name: already reported while rendering the body
    view = activity.view(placement)
    if not view:
        return ""
    return theme.render(activity.template, {**view, "lang": placement.course.language})


BEGIN = "<!-- BEGIN GENERATED: activities (python -m brokerlearn.compiler.activities) -->"
END = "<!-- END GENERATED: activities -->"


def render_reference() -> str:
    return "\n".join(["| activity | how to write it |", "|---|---|"] +
                     [a.reference for a in ACTIVITIES if a.reference])


def replace_generated(document: str) -> str:
    head, _, rest = document.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n{render_reference()}\n{END}{tail}"

