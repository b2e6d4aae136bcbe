"""Designed scenes for storyboard videos: each scene kind laid out from the theme's HTML/CSS
templates (video-scenes/), drawn to frames by headless Chromium, moved (pan, zoom) and joined
with transitions by ffmpeg.

    layout   a scene as an HTML page (the kinds' templates, text fitted by fit.js)
    capture  pages to PNG frames in Chromium, served from local files only
    clips    frames to H.264 clips, transitions between them, joined without re-encoding

Frames and clips are cached by content under the user's cache folder (video/frames, video/clips),
so editing one scene redraws that scene and re-encodes it and the transitions beside it only.
Why HTML and not SVG or drawtext: docs/decisions/0007-video-scenes-in-html.md.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from brokerlearn import i18n, mediatools
from brokerlearn.authoring.scenes import capture, clips, layout
from brokerlearn.authoring.scenes.capture import Capturer, SceneError
from brokerlearn.authoring.scenes.clips import FPS, Still
from brokerlearn.authoring.scenes.layout import kind_of, missing_keys, scene_dirs

__all__ = ["FPS", "SceneError", "check_scene", "kind_of", "picture", "RESOLUTIONS"]

VERSION = "scenes-1"  # bump when the drawing or encoding changes in a way the keys do not show
RESOLUTIONS = {"720p": (1280, 720), "1080p": (1920, 1080)}
TRANSITION_SECONDS = 0.6
LIMITS = {"points": 6, "lines": 6, "events": 6, "bars": 8}
KEEP_DAYS = 30  # frames and clips unused for this long are removed from the cache


def cache_root() -> Path:
    """Shared with the narration's audio cache: the user's cache folder, video/."""
    from brokerlearn.authoring.preview import user_cache_dir
    return user_cache_dir() / "video"


def check_scene(scene, folder: Path) -> list[str]:
    """What keeps a scene from being drawn: keys its kind needs, files that are not there."""
    kind = kind_of(scene)
    problems = [f"a {kind} scene needs '{key}'" for key in missing_keys(scene)]
    for key, most in LIMITS.items():
        items = scene.get(key) or (scene["chart"]["bars"] if key == "bars" and scene.get("chart") else [])
        if len(items) > most:
            problems.append(f"'{key}' holds {len(items)} items; a scene shows at most {most}")
    if kind == "timeline" and scene.get("events") and len(scene["events"]) < 2:
        problems.append("a timeline needs at least two events")
    for line in (scene.get("lines") or []) + list((scene.get("screen") or {}).get("lines") or []):
        if line["speaker"] > 2:
            problems.append(f"line '{line['text'][:30]}': speaker {line['speaker']}, but there are two")
    people = [scene.get("speaker")] + list(scene.get("speakers") or [])
    images = [scene.get("image")] + [p.get("image") for p in people if p]
    for image in filter(None, images):
        if not (folder / image).is_file():
            problems.append(f"image '{image}' not found")
    return problems


def _digest(*parts) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:32]


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "missing"


# The keys of a scene that show in its frames (its narration, chapter and transition do not).
FRAME_KEYS = ("kind", "title", "subtitle", "body", "points", "image", "motion", "quote", "speaker", "speakers",
              "lines", "screen", "number", "chart", "events")


@dataclass
class _Scene:
    index: int
    key: str
    still: Still | None = None
    frames: int = 0
    files: dict = field(default_factory=dict)


_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)")


def _still_key(scene, values, folder: Path, scale: float, common: str) -> str:
    shown = {name: scene.get(name) for name in FRAME_KEYS}
    shown["kind"] = kind_of(scene)
    people = [scene.get("speaker")] + list(scene.get("speakers") or [])
    images = [scene.get("image")] + [p.get("image") for p in people if p]
    images += _MARKDOWN_IMAGE.findall(str((scene.get("screen") or {}).get("content") or ""))
    media = {image: _file_digest(folder / image) for image in filter(None, images) if "://" not in image}
    credit = [str(values[k]) for k in ("title", "license", "attribution", "language")]
    return _digest(VERSION, common, shown, media, credit, scale)


def _draw(item: _Scene, scene, values, folder: Path, dirs, scale: float, drawer: Capturer, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    moving = kind_of(scene) == "image" and scene.get("motion", "zoom-in") != "none"
    if moving:
        layers = [("background.png", "background", scale * (1 + clips.ZOOM) * 1.02, False),
                  ("foreground.png", "foreground", scale, True)]
    else:
        layers = [("frame.png", "all", scale, False)]
    for name, layer, layer_scale, transparent in layers:
        report = drawer.draw(layout.scene_html(scene, values, dirs, layer), target / name, layer_scale, transparent)
        if report:
            boxes = "; ".join(f"'{r['text']}'" for r in report)
            raise SceneError(f"scene {item.index + 1} ({kind_of(scene)}): text does not fit even at the "
                             f"smallest size, shorten it: {boxes}")


def _stills(values, folder: Path, scale: float, theme: Path | None, root: Path) -> list[_Scene]:
    dirs = scene_dirs(theme)
    palette = capture.palette_css(theme)
    common = _digest(layout.templates_fingerprint(dirs), palette, capture.chromium_fingerprint(), i18n.fingerprint())
    course_root = folder.parent
    items = []
    with Capturer(folder, course_root, dirs, palette) as drawer:
        for index, scene in enumerate(values["scenes"]):
            item = _Scene(index, _still_key(scene, values, folder, scale, common))
            target = root / "frames" / item.key
            moving = kind_of(scene) == "image" and scene.get("motion", "zoom-in") != "none"
            expected = ["background.png", "foreground.png"] if moving else ["frame.png"]
            if not all((target / name).is_file() for name in expected):
                _draw(item, scene, values, folder, dirs, scale, drawer, target)
            if moving:
                item.still = Still(target / "background.png", target / "foreground.png", scene["motion"])
            else:
                item.still = Still(target / "frame.png")
            for name in expected:
                os.utime(target / name)  # recently used: kept when the cache is pruned
            items.append(item)
    return items


def _halves(values, items: list[_Scene]) -> list[tuple[int, str]]:
    """For each cut between scenes: how many frames each side gives the transition, and its kind."""
    cuts = []
    wanted = round(TRANSITION_SECONDS * FPS / 2)
    for left, right in zip(items, items[1:]):
        kind = values["scenes"][left.index].get("transition") or values.get("transition") or "fade"
        half = 0 if kind == "none" else max(0, min(wanted, left.frames // 3, right.frames // 3))
        cuts.append((half, kind))
    return cuts


def picture(values, folder: Path, starts: list[float], total: float, resolution: str = "720p",
            work: Path | None = None, root: Path | None = None, theme: Path | None = None) -> Path:
    """The video track of a storyboard: a concat list of cached clips, scene i starting at
    starts[i] seconds, the last ending at `total`. Returns the list file (ffmpeg concat demuxer)."""
    root = Path(root) if root else cache_root()
    size = RESOLUTIONS[resolution]
    scale = size[1] / layout.HEIGHT
    items = _stills(values, folder, scale, theme, root)
    bounds = [round(s * FPS) for s in starts] + [round(total * FPS)]
    for item in items:
        item.frames = bounds[item.index + 1] - bounds[item.index]
    cuts = _halves(values, items)
    encoder = _digest(clips.ENCODE, mediatools.ffmpeg_exe(), _exe_stamp(mediatools.ffmpeg_exe()), size)
    (root / "clips").mkdir(parents=True, exist_ok=True)
    listing: list[Path] = []
    for item in items:
        first = cuts[item.index - 1][0] if item.index else 0
        last = cuts[item.index][0] if item.index < len(cuts) else 0
        count = item.frames - first - last
        target = root / "clips" / f"{_digest(VERSION, encoder, item.key, item.frames, first, count)}.ts"
        if not target.is_file():
            clips.scene_clip(item.still, size, item.frames, first, count, target, f"scene {item.index + 1}")
        listing.append(target)
        if item.index < len(cuts) and cuts[item.index][0]:
            half, kind = cuts[item.index]
            after = items[item.index + 1]
            target = root / "clips" / f"{_digest(VERSION, encoder, item.key, item.frames, after.key, after.frames, half, kind)}.ts"
            if not target.is_file():
                clips.transition_clip(item.still, item.frames, after.still, after.frames, half, kind, size, target,
                                      f"the transition after scene {item.index + 1}")
            listing.append(target)
    for clip in listing:
        os.utime(clip)
    prune(root)
    work = Path(work) if work else root
    return clips.concat_list(listing, work / "picture.txt")


def prune(root: Path, days: float = KEEP_DAYS) -> None:
    """Drop frames and clips no render has used for `days` (using one marks it as used)."""
    import shutil
    import time
    oldest = time.time() - days * 86400
    for entry in [*(root / "frames").glob("*"), *(root / "clips").glob("*.ts")]:
        try:
            used = max((p.stat().st_mtime for p in entry.iterdir()), default=0) if entry.is_dir() else entry.stat().st_mtime
            if used < oldest:
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        except OSError:  # another render is using or removing it: leave it
            pass


def _exe_stamp(path: str) -> str:
    stat = Path(path).resolve().stat()
    return f"{stat.st_size}:{int(stat.st_mtime)}"
