"""File and folder names to slugs: a leading `NN-` orders an item and is dropped."""
from __future__ import annotations

import re

_ORDER_PREFIX = re.compile(r"^\d+[-_]")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slug_of(name: str) -> str:
    """'01-Why Online' -> 'why-online'. Empty when nothing usable is left."""
    stem = _ORDER_PREFIX.sub("", name)
    return _NOT_SLUG.sub("-", stem.lower()).strip("-")


def resolve_name(wanted: str, candidates: dict[str, object]):
    """Find an item listed by file name (`01-intro`) or by its slug (`intro`)."""
    if wanted in candidates:
        return candidates[wanted]
    by_slug = {slug_of(name): item for name, item in candidates.items()}
    return by_slug.get(wanted) or by_slug.get(slug_of(wanted))


# The learning server's own URL space: a course with one of these IDs could not be reached.
RESERVED_COURSE_IDS = frozenset({"account", "api", "admin", "certificates", "dashboard", "lti", "_static"})

# Folders the build writes inside each course: a module with one of these slugs would collide.
RESERVED_MODULE_SLUGS = frozenset({"credits", "media", "qualification", "search"})
