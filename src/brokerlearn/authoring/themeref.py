"""The template reference of docs/themes.md, generated from the page contexts.

    python -m brokerlearn.authoring.themeref docs/themes.md   # rewrite the generated part

The contexts are dataclasses (`brokerlearn.compiler.contexts` for the static site,
`brokerlearn.server.contexts` for the server's pages), each field documented by the string
literal under it; a test checks that the document holds exactly what this renders.
"""
from __future__ import annotations

import ast
import dataclasses
import inspect
import re
import sys
import textwrap
from pathlib import Path

from brokerlearn.compiler import contexts as site
from brokerlearn.server import contexts as server

BEGIN = "<!-- BEGIN GENERATED: contexts (python -m brokerlearn.authoring.themeref) -->"
END = "<!-- END GENERATED: contexts -->"

FRAGMENTS = {
    "quiz.html": "A quiz or an inline question inside a lesson body: `quiz`, the view the question types give "
                 "the page (see the question types' own templates under `questions/`), and `lang`.",
    "video.html": "A video inside a lesson body: `video`, the player's view (renditions, poster, captions, "
                  "transcript), and `lang`.",
    "assignment.html": "Assessed work inside a lesson body: `assignment`, its public view (brief, what to submit, "
                       "steps, rubric criteria; never a trainer example), and `lang`.",
    "tool.html": "A tool of the course's toolkit inside a lesson body: `tool` (title, purpose, what it asks for, "
                 "its downloads and licence, `toolkit_url`: the course's toolkit page), and `lang`.",
}
"""Templates rendered inside a page rather than as one, with what they get."""


def field_docs(cls) -> dict[str, str]:
    """Field name -> the string literal under it, over the class and its bases."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not dataclasses.is_dataclass(klass):
            continue
        body = ast.parse(textwrap.dedent(inspect.getsource(klass))).body[0].body
        for node, after in zip(body, body[1:]):
            if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                    and isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant)):
                docs[node.target.id] = " ".join(after.value.value.split())
    return docs


def own_fields(cls, base) -> list[dataclasses.Field]:
    shared = {f.name for f in dataclasses.fields(base)}
    return [f for f in dataclasses.fields(cls) if f.name not in shared]


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table(cls, fields: list[dataclasses.Field]) -> list[str]:
    docs = field_docs(cls)
    lines = ["| variable | type | meaning |", "|---|---|---|"]
    for f in fields:
        if f.name not in docs:
            raise ValueError(f"{cls.__name__}.{f.name} has no docstring")
        lines.append(f"| `{f.name}` | `{_cell(str(f.type))}` | {_cell(docs[f.name])} |")
    return lines


def _doc(cls) -> str:
    return " ".join((cls.__doc__ or "").split())


def _referenced(classes, module) -> list[type]:
    """The dataclasses of `module` that the fields of `classes` name, transitively, in order."""
    seen: list[type] = []
    todo = list(classes)
    while todo:
        cls = todo.pop(0)
        for f in dataclasses.fields(cls):
            for name in re.findall(r"[A-Za-z_]\w*", str(f.type)):
                found = getattr(module, name, None)
                if dataclasses.is_dataclass(found) and found not in seen and found not in classes:
                    seen.append(found)
                    todo.append(found)
    return seen


def _section(title: str, every: list[tuple[type, type | None]], pages: list[type], base: type, module) -> list[str]:
    lines = [f"## {title}", ""]
    for cls, parent in every:
        lines += [f"### Every page: `{cls.__name__}`", "", _doc(cls), ""]
        lines += table(cls, own_fields(cls, parent) if parent else dataclasses.fields(cls)) + [""]
    for cls in pages:
        lines += [f"### `{cls.TEMPLATE}`: `{cls.__name__}`", "", _doc(cls), ""]
        fields = own_fields(cls, base)
        lines += (table(cls, fields) if fields else ["Nothing besides what every page has."]) + [""]
    nested = _referenced(list(pages) + [c for c, _ in every], module)
    if nested:
        lines += [f"### Values inside the contexts ({title.lower()})", ""]
        for cls in nested:
            lines += [f"#### `{cls.__name__}`", "", _doc(cls), ""]
            lines += table(cls, list(dataclasses.fields(cls))) + [""]
    return lines


def render_reference() -> str:
    lines = _section("Static site", [(site.SitePage, None), (site.ThemeGlobals, None)], site.PAGES,
                     site.SitePage, site)
    lines += _section("Server pages", [(server.ServerGlobals, None), (server.ServerPage, None)], server.PAGES,
                      server.ServerPage, server)
    lines += ["## Fragments", ""]
    lines += [f"* `{name}`: {text}" for name, text in FRAGMENTS.items()]
    return "\n".join(lines).strip()


def replace_generated(document: str) -> str:
    head, _, rest = document.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n\n{render_reference()}\n\n{END}{tail}"


def templates() -> dict[str, type | None]:
    """Every template the contexts and fragments name -> its context class (None: a fragment)."""
    named: dict[str, type | None] = {cls.TEMPLATE: cls for cls in [*site.PAGES, *server.PAGES]}
    named.update({name: None for name in FRAGMENTS})
    return named


if __name__ == "__main__":
    target = Path(sys.argv[1])
    target.write_text(replace_generated(target.read_text(encoding="utf-8")), encoding="utf-8")
