"""Scaffolding: new courses that build as they are."""
from __future__ import annotations

from pathlib import Path

from brokerlearn.course.naming import slug_of
from brokerlearn.course.schema_types import LANG_RE
from brokerlearn.errors import UsageError

_COURSE_YML = """\
id: {id}
title: {title}
version: "0.1"
language: {language}
license: CC-BY-4.0
authors:
  - name: Your Name
    affiliation: Your Organisation
summary: |
  What learners will be able to do after this course.
modules:
  - 01-introduction
"""

_MODULE_YML = """\
title: Introduction
summary: What this module covers.
lessons:
  - 01-welcome
"""

_LESSON_MD = """\
---
title: Welcome
---

Write the lesson here, in Markdown.

## A first section

::: tip
Containers hold notes, tips, warnings, activities and reflections.
:::
"""


def scaffold_course(parent: Path, name: str, title: str | None, language: str) -> Path:
    course_id = slug_of(name)
    if not course_id:
        raise UsageError(f"'{name}' gives no usable course ID: use letters, digits and hyphens")
    if not LANG_RE.match(language):
        raise UsageError(f"'{language}' is not a language tag such as 'en' or 'de-AT'")
    root = parent / course_id
    if root.exists():
        raise UsageError(f"{root} already exists; choose another name")
    module = root / "modules" / "01-introduction"
    module.mkdir(parents=True)
    (root / "media").mkdir()
    default_title = name.replace("-", " ").replace("_", " ").strip().capitalize()
    (root / "course.yml").write_text(_COURSE_YML.format(
        id=course_id, title=_yaml_text(title or default_title), language=language), encoding="utf-8")
    (module / "module.yml").write_text(_MODULE_YML, encoding="utf-8")
    (module / "01-welcome.md").write_text(_LESSON_MD, encoding="utf-8")
    return root


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
