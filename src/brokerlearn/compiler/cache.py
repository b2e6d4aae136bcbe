"""The incremental build cache, kept in OUT/.cache/.

`state.json` holds what the last successful build produced: the fingerprint of every output
file, each lesson file's parse (by content hash) and each rendered body's analysis (headings,
links, embeds). The rendered HTML of each body sits in `bodies/KEY.json` and is read only
when its page is rendered again; the search index's sections of every body (compiler/search.py)
sit together in `search.json`, read only when a course's search index is written again. A build
with nothing changed reads neither. A broken cache never fails a build: it is discarded with a
warning and the build starts from scratch (a damaged entry is rendered again).
"""
from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from brokerlearn.compiler.lessons import RenderedBody
from brokerlearn.course.loader import LessonMemo
from brokerlearn.fs import atomic_write_text

CACHE_FORMAT = 4


class BuildCache:
    def __init__(self, out_dir: Path):
        self.dir = out_dir / ".cache"
        self.bodies_dir = self.dir / "bodies"
        self.outputs: dict[str, str] = {}
        self.lessons = LessonMemo()
        self.analyses: dict[str, dict] = {}  # body key -> analysis of the rendered body
        self._used_bodies: set[str] = set()
        self._sections: dict[str, list] | None = None  # body key -> search sections, read on first use
        self._new_sections: dict[str, list] = {}
        self._loaded_state: dict | None = None
        self._load_state()

    def _load_state(self) -> None:
        state_path = self.dir / "state.json"
        if not state_path.exists():
            return
        try:
            state = json.loads(state_path.read_text(encoding="utf-8"))
            if state.get("format") != CACHE_FORMAT:
                raise ValueError("written by another version")
            self.outputs, self.analyses = dict(state["outputs"]), dict(state["analyses"])
            self.lessons = LessonMemo(dict(state["lessons"]), dict(state["stats"]))
            self._loaded_state = state
        except (ValueError, KeyError, TypeError, OSError) as exc:
            print(f"warning: build cache unreadable ({exc}); rebuilding everything", file=sys.stderr)
            self.outputs, self.lessons, self.analyses = {}, LessonMemo(), {}
            shutil.rmtree(self.dir, ignore_errors=True)

    def get_body(self, key: str) -> RenderedBody | None:
        analysis = self.analyses.get(key)
        if analysis is None:
            return None
        try:
            body = RenderedBody.from_json({**analysis, "segments": None, "key": key})
        except (KeyError, TypeError, ValueError):
            return None
        self._used_bodies.add(key)
        return body

    def segments(self, key: str) -> list | None:
        try:
            return json.loads((self.bodies_dir / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # a damaged entry: the caller renders the body again

    def put_body(self, key: str, body: RenderedBody) -> None:
        self._used_bodies.add(key)
        data = body.to_json()
        self.bodies_dir.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.bodies_dir / f"{key}.json", json.dumps(data.pop("segments")))
        self.analyses[key] = data

    def search_sections(self, key: str) -> list | None:
        if key in self._new_sections:
            return self._new_sections[key]
        return self._stored_sections().get(key)

    def put_search_sections(self, key: str, sections: list) -> None:
        self._new_sections[key] = sections

    def _stored_sections(self) -> dict:
        if self._sections is None:
            try:
                self._sections = json.loads((self.dir / "search.json").read_text(encoding="utf-8"))
                if not isinstance(self._sections, dict):
                    raise ValueError("not a table")
            except (OSError, ValueError):
                self._sections = {}  # missing or damaged: the bodies are rendered again
        return self._sections

    def _save_sections(self) -> None:
        """Only when some body was rendered: an unchanged build neither reads nor writes it."""
        if not self._new_sections:
            return
        kept = {k: v for k, v in {**self._stored_sections(), **self._new_sections}.items() if k in self._used_bodies}
        atomic_write_text(self.dir / "search.json", json.dumps(kept, ensure_ascii=False))

    def save(self, outputs: dict[str, str], used_lessons: set[str]) -> None:
        """Record a successful build and forget what it no longer used."""
        self.dir.mkdir(parents=True, exist_ok=True)
        self._save_sections()
        state = {"format": CACHE_FORMAT, "outputs": outputs,
                 "lessons": {k: v for k, v in self.lessons.records.items() if k in used_lessons},
                 "stats": {k: v for k, v in self.lessons.stats.items() if v[2] in used_lessons},
                 "analyses": {k: v for k, v in self.analyses.items() if k in self._used_bodies}}
        if state == self._loaded_state:
            return  # a build that changed nothing leaves the cache as it was
        atomic_write_text(self.dir / "state.json", json.dumps(state))
        if self.bodies_dir.is_dir():
            for entry in os.scandir(self.bodies_dir):
                if entry.name.removesuffix(".json") not in self._used_bodies:
                    os.unlink(entry.path)
