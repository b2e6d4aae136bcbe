"""A scene as an HTML page: the theme's video-scenes templates filled with the scene's keys.

Every kind has its template (video-scenes/KIND.html, extending scene.html); the page is laid out
at 1280×720 CSS pixels whatever the output size (1080p is the same page at a device scale of 1.5),
so a layout that fits at one size fits at the other. Markdown (a screen's content) is rendered and
always sanitised, as author HTML is in lessons.
"""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from brokerlearn import i18n
from brokerlearn.compiler.markdown import render_inline_markdown
from brokerlearn.compiler.sanitize import sanitize
from brokerlearn.course import schema
from brokerlearn.paths import default_theme_dir

WIDTH, HEIGHT = 1280, 720  # CSS pixels of every scene page
SAFE = (64, 36, WIDTH - 64, HEIGHT - 36)  # the title-safe area: 5% in from each edge
ORIGIN = "http://scene.invalid/"  # pages are served by the capturer from local files only
AVATAR_COLOURS = ("#1f5fa8", "#1d7348", "#6b3fa0", "#2f6f7a", "#9a4d00")


def scene_dirs(theme: Path | None = None) -> list[Path]:
    """The video-scenes folders: a custom theme's first, falling back to the default theme's."""
    dirs = [d / "video-scenes" for d in (theme, default_theme_dir()) if d is not None]
    return [d for d in dirs if d.is_dir()]


@lru_cache(maxsize=4)
def _environment(dirs: tuple[Path, ...]) -> Environment:
    env = Environment(loader=ChoiceLoader([FileSystemLoader(str(d)) for d in dirs]),
                      autoescape=select_autoescape(default=True), undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["initials"] = initials
    env.filters["avatar_colour"] = avatar_colour
    return env


def templates_fingerprint(dirs: list[Path]) -> str:
    """What the frames depend on in the theme: every file of its video-scenes folders."""
    digest = hashlib.sha256()
    for folder in dirs:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(folder).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def kind_of(scene) -> str:
    """The scene's kind as written, or the one its keys imply (storyboards from before kinds)."""
    if scene.get("kind"):
        return scene["kind"]
    if scene.get("image"):
        return "image"
    return "points" if scene.get("body") or scene.get("points") else "title"


def missing_keys(scene) -> list[str]:
    kind = kind_of(scene)
    needed, _ = schema.SCENE_KINDS[kind]
    missing = [key for key in needed if not scene.get(key)]
    if kind == "points" and missing == ["points"] and str(scene.get("body") or "").strip():
        return []
    if kind == "dialogue" and scene.get("speakers") and len(scene["speakers"]) != 2:
        missing.append("speakers (exactly two)")
    return missing


def initials(name: str) -> str:
    words = [w for w in str(name).replace("-", " ").split() if w[:1].isalnum()]
    letters = (words[0][:1] + (words[-1][:1] if len(words) > 1 else "")) if words else "?"
    return letters.upper()


def avatar_colour(name: str) -> str:
    return AVATAR_COLOURS[int(hashlib.sha256(str(name).encode()).hexdigest(), 16) % len(AVATAR_COLOURS)]


def media_url(path: str | None) -> str | None:
    """The URL a page loads a storyboard-relative file from: the page is served from the
    storyboard's folder (see capture.Capturer), so it is the path as written, as in Markdown."""
    return str(path) if path else None


def _points(scene) -> list[str]:
    if scene.get("points"):
        return [str(p) for p in scene["points"]]
    return [line.strip() for line in str(scene.get("body") or "").splitlines() if line.strip()]


def _markdown(text: str | None) -> Markup:
    html = render_inline_markdown(str(text or ""))
    return Markup(sanitize(html))


def context(scene, storyboard) -> dict:
    kind = kind_of(scene)
    screen = dict(scene["screen"]) if scene.get("screen") else None
    if screen is not None:
        screen["html"] = _markdown(screen.get("content"))
    chart = scene.get("chart")
    top = max((bar["value"] for bar in chart["bars"]), default=0) if chart else 0
    bars = [{"label": b["label"], "value": b["value"], "share": (b["value"] / top if top else 0)}
            for b in chart["bars"]] if chart else []
    return {
        "kind": kind, "scene": scene, "title": str(scene["title"]), "subtitle": scene.get("subtitle"),
        "points": _points(scene), "caption": str(scene.get("body") or "").strip(),
        "image": media_url(scene.get("image")), "quote": scene.get("quote"),
        "speaker": scene.get("speaker"), "speakers": scene.get("speakers") or [],
        "lines": scene.get("lines") or [], "screen": screen, "number": scene.get("number"),
        "chart": chart, "bars": bars, "events": scene.get("events") or [],
        "credit": f"{storyboard['title']} · {storyboard['license']} · {storyboard['attribution']}",
        "media_url": media_url, "video_title": str(storyboard["title"]),
        "language": str(storyboard["language"]), "labels": _labels(str(storyboard["language"])),
    }


def _labels(language: str) -> dict[str, str]:
    """The few interface words a screen mock-up shows, in the video's language."""
    _ = i18n.translations(language).gettext
    return {"from": _("From"), "to": _("To"), "subject": _("Subject"), "profile": _("Cooperation profile")}


def scene_html(scene, storyboard, dirs: list[Path], layer: str = "all") -> str:
    """The page for one scene. `layer` is `all`, or for a moving image `background` (the image
    alone) and `foreground` (the text over it, on a transparent page)."""
    env = _environment(tuple(dirs))
    values = context(scene, storyboard)
    return env.get_template(f"{values['kind']}.html").render(layer=layer, origin=ORIGIN, **values)
