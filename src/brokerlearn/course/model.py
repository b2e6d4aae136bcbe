"""The course model shared by the compiler and the server.

Loading fills these dataclasses once; every later stage reads them and never re-reads YAML.
IDs and slugs here are the stable identities that learner progress is stored against.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from brokerlearn.course.yamlpos import Pos, YMap


@dataclass
class Author:
    name: str
    affiliation: str | None = None


@dataclass
class Outcome:
    id: str
    statement: str
    unit_id: str
    pos: Pos


@dataclass
class Unit:
    id: str
    title: str
    summary: str
    outcomes: list[Outcome]


@dataclass
class Profile:
    id: str
    title: str
    level: str | None
    summary: str
    units: list[Unit]
    certificate: YMap | None
    path: Path

    def outcomes(self) -> dict[str, Outcome]:
        return {o.id: o for unit in self.units for o in unit.outcomes}


@dataclass
class Quiz:
    id: str
    title: str
    mode: str
    data: YMap  # the validated quiz file, positions kept for later checks
    path: Path
    module_slug: str
    questions: list = field(default_factory=list)  # brokerlearn.course.questions.Question

    @property
    def graded(self) -> bool:
        return self.mode == "graded"

    @property
    def max_score(self) -> float:
        return sum(q.max_score for q in self.questions)


@dataclass
class Video:
    name: str
    source: Path
    sidecar: YMap
    captions: dict[str, Path]  # language -> caption file
    cues: dict[str, list] = field(default_factory=dict)  # language -> parsed caption cues
    chapters: list[tuple[float, str]] = field(default_factory=list)  # (start seconds, title)
    descriptions: dict[str, list] = field(default_factory=dict)  # language -> description cues
    decisions: list = field(default_factory=list)  # course.decisions.Decision, in time order
    branch_of: str | None = None  # the video whose decision plays this one as its branch

    @property
    def title(self) -> str:
        return self.sidecar["title"]


@dataclass
class Lesson:
    slug: str
    title: str
    outcomes: list[str]
    outcome_pos: list[Pos]
    source: Path
    body_line: int  # 1-based line of the body's first line in the source file
    minutes_declared: int | None
    words: int
    content_hash: str  # sha256 of the file: the key of everything derived from it
    _body: str | None = None  # read on first use: unchanged lessons are never read again

    @property
    def body(self) -> str:
        if self._body is None:
            text = self.source.read_text(encoding="utf-8", errors="replace").lstrip("\ufeff")
            self._body = text.split("\n", self.body_line - 1)[-1] if self.body_line > 1 else text
        return self._body

    @property
    def minutes(self) -> int:
        if self.minutes_declared:
            return self.minutes_declared
        return max(1, round(self.words / 200))


MINUTES_PER_QUESTION = 2
"""Study time of a quiz question (reading it, answering, reading the feedback)."""


def study_minutes(lessons: list[Lesson], quizzes: list[Quiz]) -> int:
    """The one estimate of study time every page shows (catalog, course home, module pages):
    each lesson's minutes (declared, else its words at 200 a minute) and the activities beside
    them, MINUTES_PER_QUESTION for each question of the quizzes."""
    return (sum(lesson.minutes for lesson in lessons)
            + MINUTES_PER_QUESTION * sum(len(quiz.questions) for quiz in quizzes))


@dataclass
class CatalogListing:
    """How the site's catalog lists a course (course.yml's `catalog`)."""
    order: int | None = None
    hidden: bool = False
    summary: str | None = None


@dataclass
class Module:
    slug: str
    folder: Path
    title: str
    summary: str
    outcomes: list[str]
    lessons: list[Lesson]
    quizzes: list[Quiz]
    minutes_declared: int | None
    meta: YMap

    @property
    def minutes(self) -> int:
        return self.minutes_declared or study_minutes(self.lessons, self.quizzes)


@dataclass
class Course:
    id: str
    title: str
    version: str
    language: str
    license: str
    authors: list[Author]
    summary: str
    level: str | None
    root: Path
    modules: list[Module]
    profile: Profile | None = None
    quizzes: dict[str, Quiz] = field(default_factory=dict)
    videos: dict[str, Video] = field(default_factory=dict)
    media_files: list[Path] = field(default_factory=list)  # every file under media/
    image_credits: dict = field(default_factory=dict)  # image path -> its licence file
    video_outputs: dict = field(default_factory=dict)  # video name -> its web renditions (set by the build)
    assignments: dict = field(default_factory=dict)  # assignment ID -> course.assignment.Assignment
    tools: dict = field(default_factory=dict)  # tool ID -> course.toolkit.Tool (toolkit/<id>.yml)
    catalog: CatalogListing = field(default_factory=CatalogListing)

    @property
    def minutes(self) -> int:
        return sum(m.minutes for m in self.modules)

    @property
    def educational_level(self) -> str | None:
        return self.level or (self.profile.level if self.profile else None)

    def outcome_index(self) -> dict[str, Outcome]:
        return self.profile.outcomes() if self.profile else {}

    def lessons(self):
        for module in self.modules:
            for lesson in module.lessons:
                yield module, lesson
