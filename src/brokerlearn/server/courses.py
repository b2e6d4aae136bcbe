"""The courses the server knows: the private manifests in BUILD_DIR/server/.

A manifest is re-read when its file changes, so a rebuild is picked up without a restart.
"""
from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app

from brokerlearn.course.questions import Question


@dataclass
class CourseInfo:
    id: str
    title: str
    data: dict
    lessons: dict[str, dict] = field(default_factory=dict)  # "module/lesson" -> lesson
    lesson_order: list[str] = field(default_factory=list)
    questions: dict[str, dict[str, Question]] = field(default_factory=dict)  # quiz -> question id -> question

    @classmethod
    def from_manifest(cls, data: dict) -> "CourseInfo":
        info = cls(data["id"], data["title"], data)
        for module in data["modules"]:
            for lesson in module["lessons"]:
                lesson_id = f"{module['slug']}/{lesson['slug']}"
                info.lessons[lesson_id] = {**lesson, "id": lesson_id, "module": module["slug"],
                                           "module_title": module["title"]}
                info.lesson_order.append(lesson_id)
        for quiz_id, quiz in data.get("quizzes", {}).items():
            info.questions[quiz_id] = {q["id"]: Question.from_json(q) for q in quiz["questions"]}
        return info

    def quiz(self, quiz_id: str) -> dict | None:
        return self.data.get("quizzes", {}).get(quiz_id)

    def lesson_id_for_url(self, url: str) -> str | None:
        for lesson_id, lesson in self.lessons.items():
            if lesson["url"] == url:
                return lesson_id
        return None


class CourseCatalog:
    def __init__(self, server_dir: Path):
        self.server_dir = server_dir
        self._cache: dict[Path, tuple[int, CourseInfo]] = {}
        self._lock = threading.Lock()

    def all(self) -> list[CourseInfo]:
        if not self.server_dir.is_dir():
            return []
        return [c for c in (self._load(p) for p in sorted(self.server_dir.glob("*.json"))) if c]

    def get(self, course_id: str) -> CourseInfo | None:
        if not course_id or "/" in course_id or course_id.startswith("."):
            return None
        path = self.server_dir / f"{course_id}.json"
        return self._load(path) if path.is_file() else None

    def _load(self, path: Path) -> CourseInfo | None:
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        cached = self._cache.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        with self._lock:
            info = CourseInfo.from_manifest(json.loads(path.read_text(encoding="utf-8")))
            self._cache[path] = (mtime, info)
        return info


def catalog() -> CourseCatalog:
    return current_app.extensions["brokerlearn_courses"]
