"""Full-text search on the static site alone, from disk (`file://`) too.

The build writes the index of a course as scripts, not as JSON to fetch, so that a site opened
from disk can load it: `search-index.js` assigns `window.brokerlearnSearchIndex` and names one
part a module (`search/MODULE.js`), which the search page adds as scripts. A part holds one
entry per section of its lessons: the text before a lesson's first `##` heading, each `##` and
`###` section with its anchor, and each video's transcript.
The search page (search.js) indexes these entries with MiniSearch (vendored in the theme's
static/vendor/), so a result is a section and its link jumps to it.

A lesson's sections are taken from its rendered body once, when the body is rendered, and kept
in the build cache beside it (`BuildCache.search_sections`): a build in which nothing changed
neither reads a lesson nor writes the index, and one changed lesson costs one rendering.
"""
from __future__ import annotations

import hashlib
import html
import json
import re

from brokerlearn import i18n
from brokerlearn.compiler.links import lesson_url
from brokerlearn.course.model import Course

GLOBAL = "brokerlearnSearchIndex"
_TAG = re.compile(r"<[^>]+>")
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)
_SPACE = re.compile(r"\s+")
_HEADING = re.compile(r'<h([23])\b[^>]*?\sid="([^"]+)"[^>]*>(.*?)</h\1>', re.S | re.I)
_EMBED = re.compile(r"\x00\d+\x00")


def plain_text(fragment: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", _SCRIPT.sub(" ", fragment)))).strip()


def body_sections(segments: list) -> list[list[str]]:
    """[[anchor, heading, text]] of a rendered body (its HTML segments): first the text before
    the first h2/h3 (anchor and heading ""), then each h2 and h3 section. Embeds (quizzes,
    videos) are not text of the section; a video's transcript is an entry of its own."""
    source = "".join(s if isinstance(s, str) else f"\x00{s}\x00" for s in segments)
    sections, anchor, heading, start = [], "", "", 0
    for match in _HEADING.finditer(source):
        sections.append([anchor, heading, plain_text(_EMBED.sub(" ", source[start:match.start()]))])
        anchor, heading, start = match.group(2), plain_text(match.group(3)), match.end()
    sections.append([anchor, heading, plain_text(_EMBED.sub(" ", source[start:]))])
    return [s for s in sections if s[0] or s[2]]  # an empty text before the first heading is no entry


class SearchIndex:
    """The index of one course: a small script naming its parts, and one part per module, so a
    changed lesson rewrites only its module's part. Each part's `fingerprint` is known without
    the sections, so an unchanged part is neither produced nor written."""

    def __init__(self, course: Course, bodies: dict, sections_of):
        self.course = course
        self.parts = {f"search/{module.slug}.js": _Part(f"search/{module.slug}.js", course, module, bodies, sections_of)
                      for module in course.modules}

    def script(self) -> bytes:
        """`search-index.js`: the parts to load (URLs relative to the course folder), and the
        list each part adds itself to."""
        data = json.dumps({"course": self.course.id, "parts": list(self.parts), "loaded": []})
        return f"window.{GLOBAL} = {data};\n".encode()


class _Part:
    def __init__(self, url: str, course: Course, module, bodies: dict, sections_of):
        self.url, self.course, self.sections_of = url, course, sections_of
        self.pages, self.videos = [], []
        for lesson in module.lessons:
            body = bodies.get(lesson.source)
            url = lesson_url(course, module, lesson).removeprefix(f"{course.id}/")
            kind = "glossary" if lesson.slug == "glossary" else "lesson"
            self.pages.append((url, lesson.title, module.title, kind, body))
            for index, embed in enumerate(body.embeds if body else []):
                video = course.videos.get(embed.name) if embed.kind == "video" else None
                if video is not None:
                    cues = next(iter(video.cues.values()), [])
                    transcript = " ".join(" ".join(c.text.split()) for c in cues)
                    self.videos.append((len(self.pages) - 1, f"video-{index}-{video.name}", video.title, transcript))

    @property
    def fingerprint(self) -> str:
        data = [self.url, self.course.id, self.course.language, [(url, title, module, kind, body.key if body else None)
                                                       for url, title, module, kind, body in self.pages], self.videos]
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()

    def data(self) -> dict:
        """{part, pages: [[url, title, module]], sections: [[page, anchor, heading, kind, text]]}:
        `part` is its own URL, URLs are relative to the course folder; a page's intro has the anchor "", its page the number
        of its page in `pages`."""
        pages, sections, seen = [], [], set()
        for number, (url, title, module, kind, body) in enumerate(self.pages):
            pages.append([url, title, module])
            for anchor, heading, text in (self.sections_of(body) if body else []):
                if (number, anchor) not in seen:  # one entry per section of a page
                    seen.add((number, anchor))
                    sections.append([number, anchor, heading, kind, text])
        video_title = i18n.translations(self.course.language).gettext("Video: %(title)s")
        for number, anchor, title, transcript in self.videos:
            if (number, anchor) not in seen:
                seen.add((number, anchor))
                sections.append([number, anchor, video_title % {"title": title}, "video", transcript])
        return {"part": self.url, "pages": pages, "sections": sections}

    def script(self) -> bytes:
        data = json.dumps(self.data(), ensure_ascii=False, separators=(",", ":"))
        return f"window.{GLOBAL}.loaded.push({data});\n".encode()
