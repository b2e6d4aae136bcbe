"""schema.org metadata (JSON-LD) for course and lesson pages."""
from __future__ import annotations

import json
import re
from html import unescape

from brokerlearn.course.model import Course


def plain_text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _authors(course: Course) -> list[dict]:
    people = []
    for author in course.authors:
        person = {"@type": "Person", "name": author.name}
        if author.affiliation:
            person["affiliation"] = {"@type": "Organization", "name": author.affiliation}
        people.append(person)
    return people


def _common(course: Course, license_url: str) -> dict:
    data = {"@context": "https://schema.org", "inLanguage": course.language, "license": license_url,
            "author": _authors(course)}
    if course.educational_level:
        data["educationalLevel"] = course.educational_level
    return data


def course_jsonld(course: Course, license_url: str, summary_html: str) -> dict:
    return {**_common(course, license_url), "@type": "Course", "name": course.title,
            "description": plain_text(summary_html), "version": course.version,
            "timeRequired": f"PT{course.minutes}M", "isAccessibleForFree": True}


def lesson_jsonld(course: Course, license_url: str, lesson, outcomes: list[dict]) -> dict:
    data = {**_common(course, license_url), "@type": "LearningResource", "name": lesson.title,
            "learningResourceType": "lesson", "timeRequired": f"PT{lesson.minutes}M",
            "isPartOf": {"@type": "Course", "name": course.title}}
    if outcomes:
        data["teaches"] = [o["statement"] for o in outcomes]
    return data


def to_script(data: dict) -> str:
    """JSON safe to place inside <script type="application/ld+json">."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
