"""HTML sanitizing with bleach against an allowlist.

Whatever an author writes, no script, event handler, `javascript:` URL, iframe or inline
style reaches a page.
"""
from __future__ import annotations

import bleach

ALLOWED_TAGS = frozenset("""
a abbr b blockquote br caption cite code dd del details dfn div dl dt em figcaption figure
h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp section small span strong sub
summary sup table tbody td tfoot th thead time tr u ul var
""".split())

_COMMON = ["id", "class", "title", "lang", "dir", "role"]
ALLOWED_ATTRIBUTES = {
    "*": _COMMON,
    "a": _COMMON + ["href", "hreflang", "rel"],
    "img": _COMMON + ["src", "alt", "width", "height", "loading", "decoding"],
    "ol": _COMMON + ["start", "reversed", "type"],
    "li": _COMMON + ["value"],
    "td": _COMMON + ["colspan", "rowspan"],
    "th": _COMMON + ["colspan", "rowspan", "scope", "abbr"],
    "time": _COMMON + ["datetime"],
    "abbr": _COMMON,
    "details": _COMMON + ["open"],
    "div": _COMMON + ["data-bl-embed"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto", "tel"})

_cleaner = bleach.sanitizer.Cleaner(
    tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS,
    strip=True, strip_comments=True,
)


def sanitize(html: str) -> str:
    return _cleaner.clean(html)
