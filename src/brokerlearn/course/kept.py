"""The courses of a folder kept loaded between the preview's rebuilds.

Loading 500 lessons reads every module's YAML and stats every lesson: most of a one-lesson
rebuild. The preview tells this what the watcher saw change; an edit to lessons already loaded
re-parses those lessons only, anything else (a YAML file, a lesson added or deleted, media, a
file we cannot place) loads the whole folder again. Either way the courses and the diagnostics
are exactly those `load_courses` would give now: a lesson's share of the diagnostics (its parse
problems and its outcome references) is the only part that depends on the lesson's text.
"""
from __future__ import annotations

from pathlib import Path

from brokerlearn.course.loader import LessonMemo, load_courses, load_lesson, report_undefined_outcomes
from brokerlearn.course.model import Course, Lesson, Module
from brokerlearn.errors import Diagnostic, Diagnostics


class KeptCourses:
    def __init__(self, courses_dir: Path):
        self.courses_dir = Path(courses_dir)
        self.courses: list[Course] | None = None  # None: load everything at the next load
        self.diagnostics: list[Diagnostic] = []  # what loading the kept courses reported
        self._pending: set[Path] = set()
        self._lessons: dict[Path, tuple[Course, Module, int]] = {}  # source -> where it sits
        self._shares: dict[Path, list[Diagnostic]] = {}  # source -> its share of the diagnostics

    def changed(self, paths) -> None:
        """Files the watcher reports (created, modified or deleted) since the last load."""
        self._pending.update(Path(p) for p in paths)

    def forget(self) -> None:
        """Load everything at the next load (the benchmark's comparison with a whole load)."""
        self.courses = None

    def load(self, diags: Diagnostics, memo: LessonMemo) -> list[Course]:
        pending, self._pending = self._pending, set()
        try:
            edited = self._edited_lessons(pending)
            if edited is None or not self._reparse(edited, memo):
                self._load_all(memo)
        except BaseException:
            self.courses = None  # half updated: the next load reads everything
            raise
        diags.extend(self.diagnostics)
        return self.courses

    def _edited_lessons(self, pending: set[Path]) -> list[Path] | None:
        """The loaded lessons among the changes, or None if anything else in the folder changed."""
        if self.courses is None:
            return None
        root = self.courses_dir.resolve()
        edited = []
        for path in pending:
            resolved = path.resolve()
            if not resolved.is_relative_to(root):
                continue  # a theme file: the load does not read it
            if resolved not in self._lessons or not resolved.is_file() or path.is_symlink():
                return None
            edited.append(resolved)
        return edited

    def _load_all(self, memo: LessonMemo) -> None:
        diags = Diagnostics()
        self.courses = load_courses(self.courses_dir, diags, memo)
        self.diagnostics = list(diags.items)
        self._lessons, self._shares = {}, {}
        for course in self.courses:
            for module in course.modules:
                for index, lesson in enumerate(module.lessons):
                    source = lesson.source.resolve()
                    self._lessons[source] = (course, module, index)
                    self._shares[source] = _share(course, lesson, memo)

    def _reparse(self, edited: list[Path], memo: LessonMemo) -> bool:
        """Each edited lesson parsed again in its place; False if one no longer gives a lesson
        (its front matter broke), which only a whole load reports as `load_courses` does."""
        for source in edited:
            course, module, index = self._lessons[source]
            old = module.lessons[index]
            scratch = Diagnostics()
            lesson = load_lesson(old.source, scratch, memo)
            if lesson is None:
                return False
            module.lessons[index] = lesson
            for diagnostic in self._shares[source]:
                self.diagnostics.remove(diagnostic)
            self._shares[source] = _share(course, lesson, memo, scratch)
            self.diagnostics += self._shares[source]
        return True


def _share(course: Course, lesson: Lesson, memo: LessonMemo, parsed: Diagnostics | None = None) -> list[Diagnostic]:
    """What the loader reports because of this lesson's text: its parse problems (replayed from
    the memo's record, as load_lesson does) and its undefined outcomes."""
    diags = Diagnostics()
    if parsed is not None:
        diags.extend(parsed.items)
    else:
        for level, line, col, message in memo.records[lesson.content_hash]["problems"]:
            diags.add(lesson.source, line, col, level, message)
    report_undefined_outcomes(course, list(zip(lesson.outcomes, lesson.outcome_pos)), diags)
    return diags.items
