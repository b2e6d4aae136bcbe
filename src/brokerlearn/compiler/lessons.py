"""Rendering one lesson body: parse, check and rewrite links on tokens, render, sanitize.

The result is plain data (JSON-serialisable) so the incremental cache can keep it.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

from brokerlearn.compiler import activities
from brokerlearn.compiler.credits import attach_credits
from brokerlearn.compiler.describe import first_paragraph_of
from brokerlearn.compiler.links import LinkTargets, raw_html_urls, replace_raw_urls, resolve
from brokerlearn.compiler.markdown import EMBED_MARKER, has_raw_html, lesson_parser, structure_problems
from brokerlearn.compiler.sanitize import sanitize
from brokerlearn.course.schema import CONTAINER_KINDS
from brokerlearn.course.schema_types import did_you_mean

_CONTAINERS = CONTAINER_KINDS + activities.CONTAINERS


@dataclass
class Heading:
    level: int
    text: str
    id: str


@dataclass
class Embed:
    kind: str  # the kind of activity placed (compiler/activities/): video, quiz, question, ...
    name: str
    line: int
    col: int
    data: str = ""  # the content of a fenced activity (the YAML of a ```quiz block)


@dataclass
class AnchorRef:
    page_key: str  # source key of the lesson linked to
    anchor: str
    line: int
    col: int


@dataclass
class RenderedBody:
    segments: list | None  # HTML strings, with an int where embed number i goes; None: only in its cache entry
    headings: list[Heading] = field(default_factory=list)
    embeds: list[Embed] = field(default_factory=list)
    anchor_refs: list[AnchorRef] = field(default_factory=list)
    problems: list = field(default_factory=list)  # [level, line, col, message]
    summary: str = ""  # the text of its first paragraph (the page's description), read on the same tokens
    key: str = ""  # the cache key it is stored under
    rerender: object = field(default=None, repr=False, compare=False)  # renders it again if the cache fails
    embed_html: list = field(default_factory=list, repr=False, compare=False)  # set per build

    def to_json(self) -> dict:
        """Field by field: `dataclasses.asdict` deep-copies every segment, once per lesson."""
        return {"segments": list(self.segments), "headings": [vars(h).copy() for h in self.headings],
                "embeds": [vars(e).copy() for e in self.embeds],
                "anchor_refs": [vars(a).copy() for a in self.anchor_refs],
                "problems": [list(p) for p in self.problems], "summary": self.summary, "key": self.key}

    @classmethod
    def from_json(cls, data: dict) -> "RenderedBody":
        """`segments` may be None: the cache reads the HTML only when a page needs it."""
        return cls(data["segments"], [Heading(**h) for h in data["headings"]],
                   [Embed(**e) for e in data["embeds"]], [AnchorRef(**a) for a in data["anchor_refs"]],
                   data["problems"], data.get("summary", ""), data.get("key", ""))

    @functools.cached_property
    def anchors(self) -> set[str]:
        """Its headings' ids, made once: every link to the page asks (the headings are final)."""
        return {h.id for h in self.headings}


class _Walk:
    """One pass over a lesson's tokens, collecting what later stages need."""

    def __init__(self, body: str, body_line: int, source: str, page_url: str, targets: LinkTargets):
        self.lines = body.split("\n")
        self.body_line, self.source, self.page_url, self.targets = body_line, source, page_url, targets
        self.result = RenderedBody([])

    def problem(self, level: str, line: int, col: int, message: str) -> None:
        self.result.problems.append([level, line, col, message])

    def line_of(self, token) -> int:
        return self.body_line + (token.map[0] if token.map else 0)

    def locate(self, token, needle: str) -> tuple[int, int]:
        """File line and column of `needle` inside a block token's lines."""
        if token.map:
            for offset in range(token.map[0], min(token.map[1], len(self.lines))):
                col = self.lines[offset].find(needle)
                if col >= 0:
                    return self.body_line + offset, col + 1
        return self.line_of(token), 1

    def run(self, tokens) -> None:
        demote = any(t.type == "heading_open" and t.tag == "h1" for t in tokens)
        if demote:
            first = next(t for t in tokens if t.type == "heading_open" and t.tag == "h1")
            self.problem("warning", self.line_of(first), 1, "the lesson title is the page's heading: "
                         "start sections at '##' (headings were moved down one level)")
        for problem in structure_problems(tokens, self.lines, self.body_line):
            self.problem(*problem)
        for index, token in enumerate(tokens):
            if token.type in ("heading_open", "heading_close") and demote:
                token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"
            if token.type == "heading_open":
                self.heading(token, tokens[index + 1])
            elif token.type in ("th_open", "td_open"):
                _alignment_to_class(token)
            elif token.type.startswith("container_") and token.type.endswith("_open"):
                self.container(token)
            elif token.type == "fence" and token.info.strip() in activities.BY_FENCE:
                token.meta["embed_index"] = len(self.result.embeds)
                kind = activities.BY_FENCE[token.info.strip()].kind
                self.result.embeds.append(Embed(kind, "", self.line_of(token), 1, token.content))
            elif token.type == "inline":
                self.inline(token, tokens[index - 1] if index else None)
            elif token.type == "html_block":
                self.raw_html(token, token)

    def heading(self, token, inline) -> None:
        text = "".join(c.content for c in inline.children or [] if c.type in ("text", "code_inline"))
        self.result.headings.append(Heading(int(token.tag[1]), text, token.attrGet("id")))

    def container(self, token) -> None:
        kind = token.type[len("container_"):-len("_open")]
        if kind not in activities.BY_CONTAINER:
            return  # a callout
        words = token.info.split()
        line, col = self.locate(token, ":::")
        if len(words) < 2:
            self.problem("error", line, col, f"'::: {kind}' needs a name, e.g. '::: {kind} NAME'")
            words.append("")
        token.meta["embed_index"] = len(self.result.embeds)
        self.result.embeds.append(Embed(activities.BY_CONTAINER[kind].kind, words[1], line, col))

    def inline(self, token, previous) -> None:
        if previous is not None and previous.type == "paragraph_open" and token.content.startswith(":::"):
            self.unknown_container(token)
        for child in token.children or []:
            if child.type == "link_open":
                self.link(token, child, "href", image=False)
            elif child.type == "html_inline":
                self.raw_html(token, child)
            elif child.type == "image":
                resolved = self.link(token, child, "src", image=True)
                if resolved.media_key in self.targets.credits:  # shown under it (build/credits.py)
                    child.meta["credit"] = self.targets.credits[resolved.media_key]
                child.attrSet("loading", "lazy")
                if not child.content.strip():
                    line, col = self.locate(token, child.attrGet("src") or "")
                    self.problem("warning", line, col, "image without alt text: describe it in ![...]")

    def unknown_container(self, token) -> None:
        words = token.content[3:].split()
        line, col = self.locate(token, ":::")
        name = words[0] if words else ""
        if name:
            self.problem("error", line, col, f"unknown container '{name}': use one of "
                         f"{', '.join(_CONTAINERS)}{did_you_mean(name, _CONTAINERS)}")
        else:
            self.problem("error", line, col, "a ':::' that closes no container (or a container "
                         "opened without a blank line before it)")

    def raw_html(self, block, token) -> None:
        """`<a href>` and `<img src>` in the author's HTML: checked and rewritten like Markdown."""
        replacements = []
        for raw in raw_html_urls(token.content):
            resolved = self.check_link(block, raw.value, raw.tag == "img")
            if not resolved.error and resolved.url is not None:
                replacements.append((raw, resolved.url))
        if replacements:
            token.content = replace_raw_urls(token.content, replacements)

    def link(self, block, child, attr: str, image: bool):
        resolved = self.check_link(block, child.attrGet(attr) or "", image)
        if not resolved.error and resolved.url is not None:
            child.attrSet(attr, resolved.url)
        return resolved

    def check_link(self, block, href: str, image: bool):
        """The link resolved, after reporting what is wrong with it."""
        resolved = resolve(href, self.source, self.page_url, self.targets, image=image)
        line, col = self.locate(block, href)
        if resolved.error:
            self.problem("error", line, col, resolved.error)
            return resolved
        if resolved.anchor and resolved.page_key:
            self.result.anchor_refs.append(AnchorRef(resolved.page_key, resolved.anchor, line, col))
        return resolved


def _alignment_to_class(token) -> None:
    """markdown-it aligns table cells with inline style, which our pages never carry."""
    style = token.attrGet("style") or ""
    if style.startswith("text-align:"):
        token.attrs.pop("style", None)
        token.attrSet("class", "align-" + style.split(":", 1)[1].strip())


def render_body(body: str, body_line: int, source: str, page_url: str, targets: LinkTargets,
                lang: str = "en") -> RenderedBody:
    md = lesson_parser(body)
    env: dict = {"lang": lang}  # the interface language, for container titles such as "Tip"
    tokens = md.parse(body, env)
    walk = _Walk(body, body_line, source, page_url, targets)
    walk.run(tokens)
    walk.result.summary = first_paragraph_of(tokens)
    attach_credits(tokens, lang)
    html = md.renderer.render(tokens, md.options, env)
    if has_raw_html(tokens):
        # Only author-written HTML can carry markup markdown-it did not escape itself.
        html = sanitize(html)
    walk.result.segments = _split_embeds(html)
    return walk.result


def _split_embeds(html: str) -> list:
    parts = EMBED_MARKER.split(html)
    # re.split alternates text and captured group: text, index, text, index, ...
    return [int(p) if i % 2 else p for i, p in enumerate(parts) if i % 2 or p]
