"""SVG images are published on the course's own origin, so they must not carry script.

Links are read as a browser reads them: the XML parser has already replaced character
references (`&#x09;`), and the URL parser then drops tabs and newlines anywhere and spaces
and control characters at either end, so `java&#x09;script:` is `javascript:`. Animations
(`<set>`, `<animate>`) can put a script link or a handler into an element after the check,
so animating a link or an event attribute is refused.
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

_FORBIDDEN = {"script", "foreignObject", "iframe", "embed", "object", "handler", "listener"}
_ANIMATIONS = {"set", "animate", "animateMotion", "animateTransform", "animateColor"}
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_SAFE_SCHEMES = {"http", "https", "mailto", "tel"}
_SAFE_DATA = re.compile(r"^data:image/(png|jpeg|gif|webp|avif)[;,]")


def browser_url(value: str) -> str:
    """The URL a browser follows for an attribute value (WHATWG URL parsing's clean-up)."""
    value = re.sub(r"[\t\n\r]", "", value)
    return value.strip("".join(chr(c) for c in range(0x21))).lower()


def _unsafe_link(value: str) -> bool:
    url = browser_url(value)
    scheme = _SCHEME.match(url)
    if scheme is None:
        return False  # a relative reference or a fragment (#id)
    return scheme.group(1) not in _SAFE_SCHEMES and not _SAFE_DATA.match(url)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def unsafe_svg_reason(path: Path) -> str | None:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        return f"not well-formed XML ({exc})"
    for element in root.iter():
        name = _local(element.tag)
        if name in _FORBIDDEN:
            return f"it contains a <{name}> element"
        if name in _ANIMATIONS:
            target = _local(element.get("attributeName", "")).strip().lower()
            if target == "href" or target.startswith("on"):
                return f"a <{name}> element changes the attribute '{target}' (links and event handlers may not be animated)"
        for attr, value in element.attrib.items():
            attr_name = _local(attr).lower()
            if attr_name.startswith("on"):
                return f"it contains an event handler attribute '{attr_name}'"
            if attr_name == "href" and _unsafe_link(value):
                return "it contains a script link (only http, https, mailto, tel, data:image and links inside the file are allowed)"
    return None
