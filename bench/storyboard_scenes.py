"""Storyboard render benchmark (issue 19, item 5): a storyboard of about five minutes, every scene
kind in turn, each narrated by the installed voice (Piper's joe with the video extra), rendered
from empty frame and audio caches, again unchanged, and after editing one scene's text.
Reports wall-clock seconds against the video's running time, and the pages Chromium drew and the
clips ffmpeg encoded each time. See README.md.

    .venv/bin/python bench/storyboard_scenes.py [--scenes 30]
"""
from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import yaml

from brokerlearn.authoring.scenes import capture, clips
from brokerlearn.authoring.storyboard import render

REPO = Path(__file__).resolve().parents[1]
SENTENCES = ("The adviser and the owner met again to look at what the search had found so far. "
             "They agreed on one question to ask every candidate, and on a date for the answers. ")
KINDS = [
    {"kind": "title", "title": "Scene {n}: a partner search", "subtitle": "A fictional case"},
    {"kind": "points", "title": "Scene {n}: what they agreed", "points": ["One question", "One date", "One owner"]},
    {"kind": "quote", "title": "Scene {n}: the owner", "quote": "We need a partner who understands the problem.",
     "speaker": {"name": "Maja Lindqvist", "role": "Owner"}},
    {"kind": "dialogue", "title": "Scene {n}: on the call", "speakers": [{"name": "Nora Feld"}, {"name": "Maja Lindqvist"}],
     "lines": [{"speaker": 1, "text": "What must the pack do?"}, {"speaker": 2, "text": "Keep oxygen out."}]},
    {"kind": "screen", "title": "Scene {n}: the profile", "screen": {"type": "profile", "subject": "Lindqvist Foods",
     "address": "partners.example/p/1", "content": "**Offer:** fresh pesto\n\n**Looking for:** a barrier film"}},
    {"kind": "number", "title": "Scene {n}: the long list", "number": {"value": "14", "label": "names"}},
    {"kind": "chart", "title": "Scene {n}: scores", "chart": {"bars": [{"label": "Fit", "value": 4}, {"label": "Trust", "value": 5}]}},
    {"kind": "image", "title": "Scene {n}: the profile's parts", "image": "../media/profile-parts.svg", "motion": "zoom-in"},
    {"kind": "timeline", "title": "Scene {n}: six weeks", "events": [{"when": "Week 1", "text": "Search"}, {"when": "Week 6", "text": "Results"}]},
]


def storyboard(count: int, edited: int | None = None) -> dict:
    scenes = []
    for n in range(count):
        scene = yaml.safe_load(yaml.safe_dump(KINDS[n % len(KINDS)]).replace("{n}", str(n + 1)))
        if n == edited:
            scene["title"] += " (edited)"
        # a sentence of its own per scene, so that each scene's audio is synthesised, not cached
        scenes.append({**scene, "narration": f"Scene {n + 1}. {SENTENCES}"})
    return {"title": "Bench: five minutes", "license": "CC-BY-4.0", "attribution": "bench", "language": "en",
            "scenes": scenes}


def timed(board: Path, cache: Path) -> tuple[float, float, int, int]:
    pages, encodes = capture.CAPTURES["pages"], clips.ENCODES["clips"]
    start = time.perf_counter()
    result = render(board, cache=cache)
    return (time.perf_counter() - start, result.duration, capture.CAPTURES["pages"] - pages,
            clips.ENCODES["clips"] - encodes)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenes", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "user-cache")  # the narration's audio cache, empty too
        course = Path(tmp) / "course"
        (course / "storyboards").mkdir(parents=True)
        (course / "media").mkdir()
        shutil.copy(REPO / "courses/example/media/profile-parts.svg", course / "media")
        board = course / "storyboards" / "bench.yml"
        cache = Path(tmp) / "cache"
        rows = []
        board.write_text(yaml.safe_dump(storyboard(args.scenes)))
        rows.append(("from scratch (empty cache)", *timed(board, cache)))
        rows.append(("unchanged", *timed(board, cache)))
        board.write_text(yaml.safe_dump(storyboard(args.scenes, edited=args.scenes // 2)))
        rows.append(("one scene's title edited", *timed(board, cache)))
        print("| render | seconds | video seconds | seconds per video second | pages drawn | clips encoded |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, seconds, length, pages, encodes in rows:
            print(f"| {name} | {seconds:.1f} | {length:.1f} | {seconds / length:.2f} | {pages} | {encodes} |")


if __name__ == "__main__":
    main()
