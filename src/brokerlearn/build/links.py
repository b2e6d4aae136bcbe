"""Link resolution on tokens, against source paths.

Authors link to files as they see them in the course folder (`../02-trust/01-intro.md#why`,
`../../media/diagram.png`, or `media/diagram.png` from the course root). Each link is
resolved to the built page or file, rewritten as a relative URL, and checked.
"""
from __future__ import annotations

import hashlib
import json
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from brokerlearn.course.media import IMAGE_SUFFIXES
from brokerlearn.course.model import Course

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
EXTERNAL_SCHEMES = {"http", "https", "mailto", "tel"}


@dataclass
class LinkTargets:
    """Everything a lesson can link to, known from the course structure alone."""

    course_id: str
    pages: dict[str, str] = field(default_factory=dict)  # source path -> site URL
    media: dict[str, str] = field(default_factory=dict)  # source path -> site URL
    credits: dict[str, dict] = field(default_factory=dict)  # image source path -> its credit line

    def fingerprint(self) -> str:
        data = json.dumps([self.course_id, self.pages, self.media, self.credits], sort_keys=True)
        return hashlib.sha256(data.encode()).hexdigest()


def course_url(course: Course) -> str:
    return f"{course.id}/index.html"


def module_url(course: Course, module) -> str:
    return f"{course.id}/{module.slug}/index.html"


def lesson_url(course: Course, module, lesson) -> str:
    return f"{course.id}/{module.slug}/{lesson.slug}/index.html"


def media_url(course: Course, relpath: str) -> str:
    return f"{course.id}/{relpath}"


def source_key(course: Course, path) -> str:
    """'modules/01-a/01-x.md': a file's path inside its course, the key links resolve to."""
    root, text = str(course.root), str(path)
    if text.startswith(root + "/"):
        return text[len(root) + 1:]
    return path.relative_to(course.root).as_posix()


def link_targets(course: Course) -> LinkTargets:
    targets = LinkTargets(course.id)
    targets.pages["course.yml"] = course_url(course)
    for module in course.modules:
        folder = source_key(course, module.folder)
        targets.pages[folder] = targets.pages[f"{folder}/module.yml"] = module_url(course, module)
        for lesson in module.lessons:
            targets.pages[source_key(course, lesson.source)] = lesson_url(course, module, lesson)
    for path in course.media_files:
        key = source_key(course, path)
        targets.media[key] = media_url(course, key)
    from brokerlearn.build.credits import image_credits
    targets.credits = image_credits(course)
    return targets


def relative_url(from_page: str, to: str) -> str:
    """Relative URL between two normalised site paths (no '..'); a hot path on big courses."""
    base = from_page.split("/")[:-1]
    target = to.split("/")
    common = 0
    while common < len(base) and common < len(target) - 1 and base[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(base) - common) + target[common:])


@dataclass
class Resolved:
    url: str | None = None  # rewritten href; None keeps the original
    error: str | None = None
    page_key: str | None = None  # source key of the linked lesson, for anchor checking
    anchor: str | None = None
    media_key: str | None = None  # source key of the image shown


def resolve(href: str, source: str, page_url: str, targets: LinkTargets, image: bool = False) -> Resolved:
    """Resolve `href` written in the file `source` (a source key) of the page at `page_url`."""
    scheme = _SCHEME.match(href)
    if scheme or href.startswith("//"):
        name = scheme.group(1).lower() if scheme else "//"
        if name not in EXTERNAL_SCHEMES:
            return Resolved(error=f"links with '{name}:' are not allowed: use http, https, mailto or tel")
        if image:
            return Resolved(error="images must be files of the course: put the image under media/ "
                            "and link it as media/NAME")
        return Resolved()
    path, _, anchor = href.partition("#")
    if not path:
        return Resolved(page_key=source, anchor=unquote(anchor)) if anchor else Resolved()
    path = unquote(path.split("?", 1)[0])
    key = _source_path(path, source)
    if key.startswith("../") or key == "..":
        return Resolved(error=f"'{href}' points outside the course folder")
    if key not in targets.pages and key not in targets.media and (root_key := posixpath.normpath(path)) in targets.media:
        key = root_key  # media/NAME written from the course root
    return _rewrite(href, key, anchor, page_url, targets, image)


def _source_path(path: str, source: str) -> str:
    if path.startswith("/"):
        return posixpath.normpath(path.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), path)).rstrip("/")


def _rewrite(href, key, anchor, page_url, targets, image) -> Resolved:
    fragment = f"#{anchor}" if anchor else ""
    if image:
        if key not in targets.media:
            return Resolved(error=f"image '{href}' does not exist")
        if posixpath.splitext(key)[1].lower() not in IMAGE_SUFFIXES:
            return Resolved(error=f"'{href}' is not an image ({', '.join(sorted(IMAGE_SUFFIXES))})")
        return Resolved(url=relative_url(page_url, targets.media[key]), media_key=key)
    if key in targets.pages:
        is_lesson = key.endswith(".md")
        return Resolved(url=relative_url(page_url, targets.pages[key]) + fragment,
                        page_key=key if is_lesson and anchor else None, anchor=unquote(anchor) or None)
    if key in targets.media:
        return Resolved(url=relative_url(page_url, targets.media[key]) + fragment)
    if key.endswith(".md"):
        return Resolved(error=f"link to a lesson that does not exist: '{href}'"
                        + _nearest(key, targets.pages))
    return Resolved(error=f"link to a file that does not exist in the course: '{href}'"
                    + _nearest(key, {**targets.pages, **targets.media}))


def _nearest(key: str, choices) -> str:
    import difflib
    close = difflib.get_close_matches(key, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
