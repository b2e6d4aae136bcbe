"""Media credits: who made each image and video, under which licence (CC BY requires the credit).

One home for the credit of a media file. It is shown three ways: a credit line under each image
in a lesson (as Markdown tokens, so markdown-it escapes it), the course's credits page listing
every image and video, and `credits.json` beside it for machines.
"""
from __future__ import annotations

import json
import re

from markdown_it.token import Token

from brokerlearn import i18n
from brokerlearn.compiler.licenses import license_info
from brokerlearn.course.model import Course

CREDITS_DIR = "credits"
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def credits_url(course: Course) -> str:
    return f"{course.id}/{CREDITS_DIR}/index.html"


def credits_json_url(course: Course) -> str:
    return f"{course.id}/{CREDITS_DIR}/credits.json"


def _is_web_address(text: str | None) -> bool:
    return bool(text) and text.lower().startswith(("https://", "http://"))


def image_credits(course: Course) -> dict[str, dict]:
    """Source key of each image with a licence file ('media/x.png') -> its credit."""
    from brokerlearn.compiler.links import source_key
    credits = {}
    for path, data in sorted(course.image_credits.items()):
        credits[source_key(course, path)] = {
            "title": data["title"] or "", "attribution": data["attribution"], "license": license_info(data["license"]),
            "source": data["source"] or "", "source_is_url": _is_web_address(data["source"])}
    return credits


def video_credits(course: Course) -> dict[str, dict]:
    from brokerlearn.compiler.links import source_key
    return {source_key(course, video.source): {
        "title": video.sidecar["title"], "attribution": video.sidecar["attribution"],
        "license": license_info(video.sidecar["license"]), "source": "", "source_is_url": False}
        for _, video in sorted(course.videos.items())}


def credits_data(course: Course) -> dict:
    """What credits.json holds: the course's own licence, then every credited media file."""
    def entry(kind: str, key: str, credit: dict) -> dict:
        return {"kind": kind, "file": key, "title": credit["title"], "attribution": credit["attribution"],
                "license": credit["license"]["id"], "license_url": credit["license"]["url"],
                "source": credit["source"] or None}
    media = [entry("image", key, credit) for key, credit in image_credits(course).items()]
    media += [entry("video", key, credit) for key, credit in video_credits(course).items()]
    authors = [a.name for a in course.authors]
    return {"course": course.id, "title": course.title, "license": course.license,
            "license_url": license_info(course.license)["url"], "authors": authors, "media": media}


def credits_json(course: Course) -> bytes:
    return json.dumps(credits_data(course), indent=1, ensure_ascii=False).encode("utf-8")


# The credit line under an image in a lesson, built from tokens.

def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _link(href: str, content: str, rel: str | None = None) -> list[Token]:
    opening = Token("link_open", "a", 1)
    opening.attrSet("href", href)
    if rel:
        opening.attrSet("rel", rel)
    return [opening, _text(content), Token("link_close", "a", -1)]


def _sentence(template: str, parts: dict[str, list[Token]]) -> list[Token]:
    """A translated sentence with %(name)s placeholders, each replaced by its tokens."""
    tokens = []
    for index, piece in enumerate(_PLACEHOLDER.split(template)):
        if index % 2:
            tokens += parts[piece]
        elif piece:
            tokens.append(_text(piece))
    return tokens


def credit_tokens(credit: dict, lang: str, tag: str = "span") -> list[Token]:
    """`<figcaption class="image-credit">“Title” by Author, CC BY 4.0 · Source</figcaption>`."""
    _ = i18n.translations(lang).gettext
    licence = _link(credit["license"]["url"], credit["license"]["short"], rel="license")
    parts = {"author": [_text(credit["attribution"])], "licence": licence}
    if credit["title"]:
        parts["title"] = [_text(credit["title"])]
        tokens = _sentence(_("%(title)s by %(author)s, licensed under %(licence)s"), parts)
    else:
        tokens = _sentence(_("By %(author)s, licensed under %(licence)s"), parts)
    if credit["source"]:
        source = (_link(credit["source"], _("source")) if credit["source_is_url"] else [_text(credit["source"])])
        tokens += [_text(" · ")] + _sentence(_("Source: %(source)s"), {"source": source})
    opening = Token(f"{tag}_open", tag, 1)
    opening.attrSet("class", "image-credit")
    return [opening, *tokens, Token(f"{tag}_close", tag, -1)]


def attach_credits(tokens: list, lang: str) -> None:
    """After the walk marked each credited image (`meta["credit"]`): an image alone in its
    paragraph becomes a figure with the credit as its caption; an image among text gets the
    credit beside it."""
    for index, token in enumerate(tokens):
        if token.type != "inline" or not token.children:
            continue
        credited = [child for child in token.children if child.type == "image" and child.meta.get("credit")]
        if not credited:
            continue
        before, after = tokens[index - 1] if index else None, tokens[index + 1] if index + 1 < len(tokens) else None
        others = [c for c in token.children if not (c.type == "text" and not c.content.strip())]
        alone = (len(others) == 1 and others[0] is credited[0]
                 and before is not None and before.type == "paragraph_open" and not before.hidden
                 and after is not None and after.type == "paragraph_close")
        if alone:
            before.tag = after.tag = "figure"
            before.attrSet("class", "image")
            token.children = [credited[0], *credit_tokens(credited[0].meta["credit"], lang, "figcaption")]
            continue
        children = []
        for child in token.children:
            children.append(child)
            if any(child is c for c in credited):
                children += credit_tokens(child.meta["credit"], lang)
        token.children = children
