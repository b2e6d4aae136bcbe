"""Split a lesson file into its YAML front matter and its Markdown body."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from brokerlearn.course.yamlpos import load_yaml
from brokerlearn.errors import Diagnostics

_FENCE = "---"
_CLOSERS = ("---", "...")


@dataclass
class LessonSource:
    meta: object  # a YMap, or None when missing or broken
    body: str
    body_line: int  # 1-based line where the body starts


def split_front_matter(text: str, path: Path, diags: Diagnostics) -> LessonSource:
    text = text.lstrip("\ufeff")
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != _FENCE:
        diags.error(path, 1, 1, "a lesson must start with front matter: a line '---', "
                    "then 'title: ...', then a closing '---'")
        return LessonSource(None, text, 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() in _CLOSERS:
            yaml_text = "\n".join(lines[1:index])
            meta = load_yaml(yaml_text, path, diags, line_offset=1)
            if meta is None and yaml_text.strip() == "":
                diags.error(path, 1, 1, "the front matter is empty: give at least 'title: ...'")
            elif meta is not None and not isinstance(meta, dict):
                diags.error(path, 2, 1, "the front matter must be keys and values, e.g. 'title: ...'")
                meta = None
            return LessonSource(meta, "\n".join(lines[index + 1:]), index + 2)
    diags.error(path, 1, 1, "the front matter is not closed: add a line '---' after it")
    return LessonSource(None, "", len(lines) + 1)
