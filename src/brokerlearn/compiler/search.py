"""Full-text search on the static site alone: a JSON index per course (lessons, the glossary,
video transcripts) written by the build, and a search page whose script (search.js) ranks
entries in the browser. No external service is involved."""
from __future__ import annotations

import html
import json
import re

from brokerlearn.compiler.links import lesson_url
from brokerlearn.course.model import Course

_TAG = re.compile(r"<[^>]+>")
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S | re.I)
_SPACE = re.compile(r"\s+")


def plain_text(fragment: str) -> str:
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", _SCRIPT.sub(" ", fragment)))).strip()


def search_index(course: Course, bodies: dict, segments_of) -> bytes:
    """[{url, title, section, kind, text}], URLs relative to the course folder."""
    entries = []
    for module, lesson in course.lessons():
        body = bodies.get(lesson.source)
        text = plain_text(" ".join(s for s in segments_of(body) if isinstance(s, str))) if body else ""
        url = lesson_url(course, module, lesson).removeprefix(f"{course.id}/").removesuffix("index.html")
        entries.append({"url": url, "title": lesson.title, "section": module.title,
                        "kind": "glossary" if lesson.slug == "glossary" else "lesson", "text": text})
        for name in re.findall(r"^:::\s*video\s+([\w.-]+)", lesson.body, re.M):
            video = course.videos.get(name)
            if video is None:
                continue
            cues = next(iter(video.cues.values()), [])
            transcript = " ".join(" ".join(c.text.split()) for c in cues)
            entries.append({"url": url, "title": f"Video: {video.title}", "section": lesson.title,
                            "kind": "video", "text": transcript})
    return json.dumps({"course": course.id, "entries": entries}, ensure_ascii=False,
                      separators=(",", ":")).encode()
