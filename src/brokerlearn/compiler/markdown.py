"""The Markdown dialect of lessons: CommonMark plus tables, footnotes, definition lists,
heading anchors and fenced containers.

The parser is built once per process. Activities (`::: video NAME`, `::: quiz ID`, ```quiz
blocks: compiler/activities/) render as markers that the page stage later replaces with
trusted HTML, after sanitizing.
"""
from __future__ import annotations

import re
import secrets
import unicodedata
from functools import lru_cache
from html import escape

from markdown_it import MarkdownIt
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.deflist import deflist_plugin
from mdit_py_plugins.footnote import footnote_plugin

from brokerlearn import i18n
from brokerlearn.course.schema import CONTAINER_KINDS

def N_(text: str) -> str:
    """Marks a word for the catalogs; it is translated where it is shown."""
    return text


CALLOUT_TITLES = {"note": N_("Note"), "tip": N_("Tip"), "warning": N_("Warning"), "activity": N_("Activity"),
                  "reflection": N_("Reflection")}
# Unguessable per process, so author HTML can never forge an embed marker.
_NONCE = secrets.token_hex(12)
EMBED_MARKER = re.compile(r'<div data-bl-embed="' + _NONCE + r':(\d+)"></div>')


def heading_slug(text: str) -> str:
    """Stable heading id: lower-case words joined by hyphens, accents kept as letters."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"[^\w\s-]", "", text)
    return re.sub(r"[\s_-]+", "-", text).strip("-") or "section"


def embed_marker(index: int) -> str:
    return f'<div data-bl-embed="{_NONCE}:{index}"></div>\n'


def _callout_renderer(kind: str):
    def render(self, tokens, idx, options, env):
        token = tokens[idx]
        if token.nesting == -1:
            return "</div>\n"
        custom = token.info.strip()[len(kind):].strip()
        title = escape(custom or i18n.translations(env.get("lang")).gettext(CALLOUT_TITLES[kind]))
        return (f'<div class="callout callout-{kind}" role="note">\n'
                f'<p class="callout-title">{title}</p>\n')
    return render


def _embed_renderer(kind: str):
    def render(self, tokens, idx, options, env):
        token = tokens[idx]
        if token.nesting == -1:
            return ""
        return embed_marker(token.meta["embed_index"])
    return render


def _kind_of(params: str) -> str:
    words = params.split(maxsplit=1)
    return words[0] if words else ""


def _validate_kind(kinds):
    def validate(params: str, *args) -> bool:
        return _kind_of(params) in kinds
    return validate


_ANY_OPEN, _ANY_CLOSE = "container_any_open", "container_any_close"


def _name_containers(state) -> None:
    """Names each container's tokens `container_KIND_open/close` after its first word, as one
    plugin per kind would have named them (the readers and render rules go by these names)."""
    kinds = []
    for token in state.tokens:
        if token.type == _ANY_OPEN:
            kinds.append(_kind_of(token.info))
            token.type = f"container_{kinds[-1]}_open"
        elif token.type == _ANY_CLOSE:
            token.type = f"container_{kinds.pop()}_close"


def _use_containers(md: MarkdownIt, renderers: dict) -> None:
    """One block rule for every kind of container: with one rule per kind, each rule was tried
    on every line and, as a terminator, on every paragraph and list line (2.4 million calls
    on 2,000 lessons)."""
    md.use(container_plugin, "any", validate=_validate_kind(frozenset(renderers)))
    md.core.ruler.after("block", "container_names", _name_containers)
    for kind, render in renderers.items():
        md.add_render_rule(f"container_{kind}_open", render)
        md.add_render_rule(f"container_{kind}_close", render)


def _fence_renderer(default):
    def render(self, tokens, idx, options, env):
        token = tokens[idx]
        if "embed_index" in token.meta:  # an activity's fenced block (lessons.py marks them)
            return embed_marker(token.meta["embed_index"])
        return default(tokens, idx, options, env)
    return render


# Rules that can only match where the text holds one of these markers (footnotes `[^1]`,
# `^[...]`; `~~struck~~`): most lessons hold none, and without the rules such a text gives the
# same tokens, while each rule left in costs a call per line or per inline run.
_RULES_NEEDING = {("strikethrough",): ("~",),
                  ("footnote_def", "footnote_ref", "footnote_inline", "footnote_tail"): ("[^", "^[")}


def lesson_parser(text: str) -> MarkdownIt:
    """The parser for `text`: the full dialect, less the rules `text` holds no marker for."""
    unused = frozenset(rule for rules, markers in _RULES_NEEDING.items()
                       if not any(marker in text for marker in markers) for rule in rules)
    return _parser_without(unused)


def markdown_parser() -> MarkdownIt:
    return _parser_without(frozenset())


@lru_cache(maxsize=2 ** len(_RULES_NEEDING))
def _parser_without(unused: frozenset) -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": False, "linkify": False, "typographer": False})
    md.enable("table").enable("strikethrough")
    md.use(footnote_plugin).use(deflist_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=heading_slug)
    from brokerlearn.compiler.activities import CONTAINERS  # here: the activities render with this parser
    _use_containers(md, {**{kind: _callout_renderer(kind) for kind in CONTAINER_KINDS},
                         **{kind: _embed_renderer(kind) for kind in CONTAINERS}})
    md.add_render_rule("fence", _fence_renderer(md.renderer.rules["fence"]))
    return md.disable(list(unused)) if unused else md


RAW_HTML_TOKENS = {"html_block", "html_inline"}


def has_raw_html(tokens) -> bool:
    """Whether an author wrote HTML: only then can the output hold markup markdown-it did not
    escape itself, so only then does bleach need to run (see docs/decisions)."""
    for token in tokens:
        if token.type in RAW_HTML_TOKENS:
            return True
        if token.children and any(c.type in RAW_HTML_TOKENS for c in token.children):
            return True
    return False


@lru_cache(maxsize=8192)  # the same summaries and outcomes are shown on many pages, build after build
def _render_short(text: str, block: bool) -> str:
    from brokerlearn.compiler.sanitize import sanitize
    md = markdown_parser()
    env: dict = {}
    tokens = (md.parse if block else md.parseInline)(text or "", env)
    html = md.renderer.render(tokens, md.options, env)
    return sanitize(html) if has_raw_html(tokens) or _has_remote_image(tokens) else html


def _has_remote_image(tokens) -> bool:
    """Short texts are not link-checked, so an image from another host there is removed."""
    from brokerlearn.compiler.sanitize import is_remote
    return any(child.type == "image" and is_remote(child.attrGet("src") or "")
               for token in tokens for child in token.children or [])


def render_markdown_line(text: str) -> str:
    """One line of Markdown (a prompt, an option) as phrasing content, without <p>."""
    return _render_short(text, block=False)


def render_inline_markdown(text: str) -> str:
    """Short Markdown (summaries, explanations) rendered and sanitized, without link checking."""
    return _render_short(text, block=True)


_LIST_OR_HEADING = re.compile(r"(?:[-*+]|\d{1,9}[.)]|#{1,6})(?:\s|$)")


def _is_closing_fence(line: str, length: int) -> bool:
    return re.fullmatch(r"[\s>]*:{%d,}\s*" % length, line) is not None


def _kind(token) -> str:
    words = token.info.split()
    return words[0] if words else ""


def unclosed_containers(tokens, lines: list[str]) -> list[tuple]:
    """(opening token, inner token or None) for each `::: kind` that nothing closes.

    markdown-it closes such a container at the end of the file, or takes the `:::` meant for a
    container inside it (the inner token) as its own: either way the rest of the lesson ends
    up inside it."""
    stack, found = [], []
    for token in tokens:
        if not token.type.startswith("container_"):
            continue
        if token.nesting == 1:
            stack.append(token)
            continue
        opened = stack.pop()
        end = opened.map[1]
        parent = stack[-1] if stack else None
        if parent is not None and parent.map[1] == end:  # ran to the end of the container around it
            entry = (opened, None) if len(parent.markup) > len(opened.markup) else (parent, opened)
        elif end >= len(lines) or not _is_closing_fence(lines[end], len(opened.markup)):
            entry = (opened, None)
        else:
            continue
        if all(other is not entry[0] for other, _ in found):
            found.append(entry)
    return found


def _code_lines(tokens) -> set[int]:
    return {i for t in tokens if t.type in ("fence", "html_block") and t.map for i in range(*t.map)}


def _unclosed_message(opened, inner, lines: list[str], first_line: int) -> str:
    message = f"this {opened.markup} {_kind(opened)} is never closed; add a line with {opened.markup} where it ends"
    if inner is not None:
        end = opened.map[1]
        message += (f" (the '{lines[end].strip()}' on line {first_line + end} closes it, so the "
                    f"'{inner.markup} {_kind(inner)}' on line {first_line + inner.map[0]} is inside it; to put one "
                    f"container in another, fence the outer one with '{opened.markup}:')")
    return message


def structure_problems(tokens, lines: list[str], first_line: int = 1) -> list[tuple[str, int, int, str]]:
    """(level, file line, column, message) for what the parser accepts silently but the author
    did not mean: containers never closed, tabs that merge lines. `first_line` is the file line
    of the body's first line."""
    problems = [("error", first_line + opened.map[0], 1, _unclosed_message(opened, inner, lines, first_line))
                for opened, inner in unclosed_containers(tokens, lines)]
    code = _code_lines(tokens)
    continued = {i for t in tokens if t.type == "paragraph_open" and t.map for i in range(t.map[0] + 1, t.map[1])}
    for index, line in enumerate(lines):
        indent = line[:len(line) - len(line.lstrip(" \t"))]
        if "\t" not in indent or index in code:
            continue
        col = indent.index("\t") + 1
        if index in continued and _LIST_OR_HEADING.match(line.lstrip()):
            problems.append(("error", first_line + index, col, "this line starts with a tab, so Markdown joined "
                             "it to the line above as one paragraph: indent with spaces (or none)"))
        else:
            problems.append(("warning", first_line + index, col, "a tab in the indentation: Markdown counts a tab "
                             "as up to 4 spaces, which can merge lines or make them code; indent with spaces"))
    return problems
