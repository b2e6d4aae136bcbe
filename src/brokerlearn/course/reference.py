"""The key tables of docs/format-reference.md, generated from the schema.

    python -m brokerlearn.course.reference docs/format-reference.md   # rewrite the tables

A test checks that the document holds exactly what this renders.
"""
from __future__ import annotations

import sys
from pathlib import Path

from brokerlearn.course import schema
from brokerlearn.course.schema_types import Obj

BEGIN = "<!-- BEGIN GENERATED: keys (python -m brokerlearn.course.reference) -->"
END = "<!-- END GENERATED: keys -->"


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
        lines.append(f"| `{field.name}` | {kind} | {_default(field)} | {field.doc} |")
    return "\n".join(lines)


def render_reference() -> str:
    return "\n\n".join(render_table(obj) for obj in schema.ALL)


def replace_generated(document: str) -> str:
    head, _, rest = document.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n\n{render_reference()}\n\n{END}{tail}"


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.write_text(replace_generated(target.read_text(encoding="utf-8")), encoding="utf-8")
