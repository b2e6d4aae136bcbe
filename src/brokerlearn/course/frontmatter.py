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
    """The front matter between a first line '---' and the next '---' or '...', and the body
    after it. Only the front matter's lines are looked at: splitting a whole lesson into lines
    and joining its body again was half the cost of loading it (2,000 lessons: 92 ms)."""
    text = text.lstrip("\ufeff")
    first_end = _line_end(text, 0)
    if text[:first_end].rstrip() != _FENCE:
        diags.error(path, 1, 1, "a lesson must start with front matter: a line '---', "
                    "then 'title: ...', then a closing '---'")
        return LessonSource(None, text, 1)
    start, index = first_end + 1, 1
    while start <= len(text):
        end = _line_end(text, start)
        if text[start:end].rstrip() in _CLOSERS:
            yaml_text = text[first_end + 1:max(start - 1, first_end + 1)]
            meta = load_yaml(yaml_text, path, diags, line_offset=1)
            if meta is None and yaml_text.strip() == "":
                diags.error(path, 1, 1, "the front matter is empty: give at least 'title: ...'")
            elif meta is not None and not isinstance(meta, dict):
                diags.error(path, 2, 1, "the front matter must be keys and values, e.g. 'title: ...'")
                meta = None
            return LessonSource(meta, text[end + 1:], index + 2)
        start, index = end + 1, index + 1
    diags.error(path, 1, 1, "the front matter is not closed: add a line '---' after it")
    return LessonSource(None, "", text.count("\n") + 2)


def _line_end(text: str, start: int) -> int:
    """Where the line starting at `start` ends: its newline, or the end of the text."""
    end = text.find("\n", start)
    return len(text) if end < 0 else end
