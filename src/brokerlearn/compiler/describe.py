"""A page's `<meta name="description">`: plain text from Markdown, read on tokens, trimmed.

Search engines show about 160 characters; longer text is cut at a word and ends with "…".
The template escapes it like any other value.
"""
from __future__ import annotations

from brokerlearn.compiler.markdown import markdown_parser

LIMIT = 160
_TEXT = {"text", "code_inline"}
_SPACE = {"softbreak", "hardbreak"}


def _inline_text(token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in _TEXT:
            parts.append(child.content)
        elif child.type in _SPACE:
            parts.append(" ")
    return " ".join("".join(parts).split())


def plain_text(markdown: str) -> str:
    """All the text of short Markdown (a summary), without markup."""
    tokens = markdown_parser().parse(markdown or "", {})
    return " ".join(t for t in (_inline_text(token) for token in tokens if token.type == "inline") if t)


def first_paragraph(markdown: str) -> str:
    """The text of the first paragraph of prose (not a heading, table, container or quiz)."""
    return first_paragraph_of(markdown_parser().parse(markdown or "", {}))


def first_paragraph_of(tokens) -> str:
    """`first_paragraph` of tokens already parsed (a lesson's, while it is rendered)."""
    for top_level_only in (True, False):  # a paragraph of the body before one in a list or a tip
        for index, token in enumerate(tokens[:-1]):
            if token.type == "paragraph_open" and (token.level == 0 or not top_level_only):
                text = _inline_text(tokens[index + 1])
                if text and not text.startswith(":::"):
                    return text
    return ""


def trim(text: str, limit: int = LIMIT) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1]
    if " " in cut:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:.-–—") + "…"


def description(*candidates: str) -> str:
    """The first non-empty candidate, trimmed."""
    return next((trim(text) for text in candidates if text and text.strip()), "")
