"""The generated parts of docs/format-reference.md: the key tables, from the schema, and
the question types, from their modules in brokerlearn/course/questions/.

    python -m brokerlearn.course.reference docs/format-reference.md   # rewrite them

A test checks that the document holds exactly what this renders.
"""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path

from brokerlearn.course import schema
from brokerlearn.course.questions import question_types
from brokerlearn.course.schema_types import Obj

BEGIN = "<!-- BEGIN GENERATED: keys (python -m brokerlearn.course.reference) -->"
END = "<!-- END GENERATED: keys -->"
TYPES_BEGIN = "<!-- BEGIN GENERATED: question types (python -m brokerlearn.course.reference) -->"
TYPES_END = "<!-- END GENERATED: question types -->"


def _default(field) -> str:
    if field.required:
        return "**required**"
    if field.default is None:
        return "—"
    value = field.default() if callable(field.default) else field.default
    if value in ("", [], {}):
        return "empty"
    return f"`{value}`"


def render_table(obj: Obj) -> str:
    lines = [f"### {obj.title}", "", "| key | type | default | meaning |", "|---|---|---|---|"]
    for field in obj.fields:
        kind = field.type.description.replace("|", "\\|")
        doc = field.doc.replace("|", "\\|")  # a table cell, even inside `code`
        lines.append(f"| `{field.name}` | {kind} | {_default(field)} | {doc} |")
    return "\n".join(lines)


def render_reference() -> str:
    return "\n\n".join(render_table(obj) for obj in schema.ALL)


def render_question_types() -> str:
    """The question types: what each asks, its keys and scoring, its checks, one example each."""
    lines = ["| type | the learner | its keys | share of the points earned |", "|---|---|---|---|"]
    for kind in question_types():
        keys = ", ".join(f"`{k.name}`" for k in kind.keys) or "—"
        cells = (f"`{kind.name}`", kind.summary, keys, kind.scoring)
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += ["", "Besides the types of its keys, the build checks:", ""]
    lines += [f"- `{kind.name}`: {kind.rules}" for kind in question_types() if kind.rules]
    examples = "\n".join(textwrap.indent(kind.example, "  ") for kind in question_types())
    lines += ["", "One example of each, as items of a quiz file's `questions`:", "", "```yaml", examples.rstrip(), "```"]
    return "\n".join(lines)


def _replace(document: str, begin: str, end: str, content: str) -> str:
    head, _, rest = document.partition(begin)
    _, _, tail = rest.partition(end)
    return f"{head}{begin}\n\n{content}\n\n{end}{tail}"


def replace_generated(document: str) -> str:
    document = _replace(document, TYPES_BEGIN, TYPES_END, render_question_types())
    return _replace(document, BEGIN, END, render_reference())


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.write_text(replace_generated(target.read_text(encoding="utf-8")), encoding="utf-8")
