"""SVG images are published on the course's own origin, so they must not carry script."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

_FORBIDDEN = {"script", "foreignObject", "iframe", "embed", "object"}


def unsafe_svg_reason(path: Path) -> str | None:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        return f"not well-formed XML ({exc})"
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name in _FORBIDDEN:
            return f"it contains a <{name}> element"
        for attr, value in element.attrib.items():
            attr_name = attr.rsplit("}", 1)[-1].lower()
            if attr_name.startswith("on"):
                return f"it contains an event handler attribute '{attr_name}'"
            if attr_name == "href" and value.strip().lower().startswith(("javascript:", "data:text")):
                return "it contains a script link"
    return None
