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
    from brokerlearn.compiler.credits import image_credits
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
        name = scheme.group(1).lower() if scheme else None
        if image:
            return Resolved(error="images must be files of the course: put the image under media/ "
                            "and link it as media/NAME")
        if name is None:
            return Resolved(error=f"a link to another site needs its scheme: write 'https:{href}'")
        if name not in EXTERNAL_SCHEMES:
            return Resolved(error=f"links with '{name}:' are not allowed: use http, https, mailto or tel")
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
    return _rewrite(href, key, anchor, page_url, targets, image, source)


def _source_path(path: str, source: str) -> str:
    if path.startswith("/"):
        return posixpath.normpath(path.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), path)).rstrip("/")


def _rewrite(href, key, anchor, page_url, targets, image, source) -> Resolved:
    fragment = f"#{anchor}" if anchor else ""
    if image:
        if key not in targets.media:
            images = [k for k in targets.media if posixpath.splitext(k)[1].lower() in IMAGE_SUFFIXES]
            return Resolved(error=f"image '{href}' does not exist" + _nearest(key, images, source))
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
                        + _nearest(key, [k for k in targets.pages if k.endswith(".md")], source))
    return Resolved(error=f"link to a file that does not exist in the course: '{href}'"
                    + _nearest(key, {**targets.pages, **targets.media}, source))


def _nearest(key: str, choices, source: str) -> str:
    """The closest existing file, written as the author must write it in `source`."""
    import difflib
    close = difflib.get_close_matches(key, list(choices), n=1, cutoff=0.6)
    if not close:
        return ""
    return f" (did you mean '{posixpath.relpath(close[0], posixpath.dirname(source) or '.')}'?)"


# Links written in an author's own HTML (`<a href>`, `<img src>`) are checked and rewritten
# like Markdown ones. The sanitizer is what keeps a page safe; this is what keeps it whole.
_RAW_TAG = re.compile(r"<(a|img)(?=[\s/>])([^>]*)>", re.I)
_RAW_ATTR = re.compile(r"""(?<![\w-])(href|src)\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+)""", re.I)


@dataclass
class RawUrl:
    tag: str  # a or img
    value: str  # the URL, entities decoded
    start: int  # span of the quoted (or bare) value in the HTML
    end: int


_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.S)


def raw_html_urls(html: str) -> list[RawUrl]:
    from html import unescape
    found = []
    comments = [m.span() for m in _COMMENT.finditer(html)]  # removed by the sanitizer anyway
    for tag in _RAW_TAG.finditer(html):
        if any(start <= tag.start() < end for start, end in comments):
            continue
        name = tag.group(1).lower()
        for attr in _RAW_ATTR.finditer(tag.group(2)):
            if attr.group(1).lower() != ("src" if name == "img" else "href"):
                continue
            value = attr.group(2)
            value = value[1:-1] if value[:1] in "\"'" else value
            offset = tag.start(2) + attr.start(2)
            found.append(RawUrl(name, unescape(value), offset, offset + len(attr.group(2))))
    return found


def replace_raw_urls(html: str, replacements: list[tuple[RawUrl, str]]) -> str:
    from html import escape
    for raw, url in sorted(replacements, key=lambda r: r[0].start, reverse=True):
        html = html[:raw.start] + '"' + escape(url, quote=True) + '"' + html[raw.end:]
    return html


def remote_images(markdown: str) -> list[str]:
    """Addresses of images from another host in a short Markdown text (a quiz's prompt,
    option or explanation): Markdown images and <img src> alike."""
    from brokerlearn.compiler.markdown import markdown_parser
    from brokerlearn.compiler.sanitize import is_remote
    if "![" not in markdown and "<img" not in markdown.lower():
        return []
    found = []
    for token in markdown_parser().parse(markdown):
        for item in [token, *(token.children or [])]:
            if item.type == "image":
                found.append(item.attrGet("src") or "")
            elif item.type in ("html_block", "html_inline"):
                found += [raw.value for raw in raw_html_urls(item.content) if raw.tag == "img"]
    return [url for url in found if is_remote(url)]
