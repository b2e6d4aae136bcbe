"""The courses the server knows: the private manifests in BUILD_DIR/server/, read as
`brokerlearn.course.manifest.CourseManifest` objects.

A manifest is re-read when its file changes, so a rebuild is picked up without a restart. A
manifest the server cannot read (another format, or none) is refused: the application does not
start on one (`check`), and one that turns up while it runs is left out of the catalog, with
one line in the log that names the file and says to rebuild.
"""
from __future__ import annotations

import logging
import threading
from pathlib import Path

from flask import current_app

from brokerlearn.course.manifest import CourseManifest, ManifestError, load

log = logging.getLogger("brokerlearn.courses")


class CourseCatalog:
    def __init__(self, server_dir: Path):
        self.server_dir = server_dir
        self._cache: dict[Path, tuple[int, CourseManifest | None, ManifestError | None]] = {}
        self._lock = threading.Lock()

    def _paths(self) -> list[Path]:
        return sorted(self.server_dir.glob("*.json")) if self.server_dir.is_dir() else []

    def all(self) -> list[CourseManifest]:
        return [c for c in (self._load(p) for p in self._paths()) if c]

    def get(self, course_id: str) -> CourseManifest | None:
        if not course_id or "/" in course_id or course_id.startswith("."):
            return None
        path = self.server_dir / f"{course_id}.json"
        return self._load(path) if path.is_file() else None

    def check(self) -> None:
        """Raise ManifestError (naming the file, saying to rebuild) for the first manifest that
        cannot be read; for the server's start and the exports, which must not leave a course out."""
        for path in self._paths():
            self._load(path, report=False)  # the caller reports it
            problem = self._cache.get(path, (0, None, None))[2]
            if problem is not None:
                raise problem

    def _load(self, path: Path, report: bool = True) -> CourseManifest | None:
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        cached = self._cache.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        with self._lock:
            course, problem = None, None
            try:
                course = load(path)
            except ManifestError as exc:
                if report:
                    log.warning("%s; the course is not served until then", exc)
                problem = exc
            except FileNotFoundError:
                return None
            self._cache[path] = (mtime, course, problem)
        return course


def catalog() -> CourseCatalog:
    return current_app.extensions["brokerlearn_courses"]
