"""The contract between the build and the server: what the server needs of one course, written by
`brokerlearn build` to build/server/<course-id>.json and read back by the server, as typed objects.

The compiler makes a `CourseManifest` from a loaded course and writes `to_json()`; the server
reads the file with `load()` and only ever sees the objects. `FORMAT` is the version of this
shape: a file of another format (or with none) is refused with `ManifestError`, which names the
file and says to rebuild, never read half-way. Fields may be added to a format when the server
can do without them (readers ignore keys they do not know); removing a field, renaming it or
changing what it means is a new format (docs/decisions/0009-typed-manifest-contract.md).

Quiz questions travel as `course.questions.Question` (its own to_json/from_json): the question
types own their keys, this module only carries them; assignments likewise as
`course.assignment.Assignment` (with their practice examples: this file is private).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from brokerlearn.course.assignment import Assignment
from brokerlearn.course.questions import Question
from brokerlearn.errors import UsageError

FORMAT = 2
REBUILD = "rebuild the course with `brokerlearn build`"


class ManifestError(UsageError):
    """A manifest this version cannot read: another format, none, or not a manifest at all."""


@dataclass(frozen=True)
class Lesson:
    """One lesson of a module, in the course's order."""
    module: str  # the module's slug; `id` is "module/lesson", the ID progress is stored under
    slug: str
    title: str
    url: str  # the page, relative to the site's root ("course/module/lesson/index.html")
    outcomes: list[str] = field(default_factory=list)
    minutes: int | None = None  # the author's estimate

    @property
    def id(self) -> str:
        return f"{self.module}/{self.slug}"

    def to_json(self) -> dict:
        return {"slug": self.slug, "title": self.title, "url": self.url, "outcomes": list(self.outcomes),
                "minutes": self.minutes}

    @classmethod
    def from_json(cls, data: dict, module: str) -> "Lesson":
        return cls(module, data["slug"], data["title"], data["url"], list(data.get("outcomes") or []),
                   data.get("minutes"))


@dataclass(frozen=True)
class QuizRef:
    """A quiz as its module lists it (the quiz itself is in CourseManifest.quizzes)."""
    id: str
    title: str
    mode: str  # "practice" (marked in the page) or "graded" (marked by the server)
    url: str | None = None  # the quiz in the lesson that shows it, relative to the site's root; None: none does

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "mode": self.mode, "url": self.url}

    @classmethod
    def from_json(cls, data: dict) -> "QuizRef":
        return cls(data["id"], data["title"], data["mode"], data.get("url"))


@dataclass(frozen=True)
class Module:
    slug: str
    title: str
    url: str
    outcomes: list[str] = field(default_factory=list)
    lessons: list[Lesson] = field(default_factory=list)
    quizzes: list[QuizRef] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"slug": self.slug, "title": self.title, "url": self.url, "outcomes": list(self.outcomes),
                "lessons": [lesson.to_json() for lesson in self.lessons],
                "quizzes": [quiz.to_json() for quiz in self.quizzes]}

    @classmethod
    def from_json(cls, data: dict) -> "Module":
        slug = data["slug"]
        return cls(slug, data["title"], data["url"], list(data.get("outcomes") or []),
                   [Lesson.from_json(lesson, slug) for lesson in data["lessons"]],
                   [QuizRef.from_json(quiz) for quiz in data.get("quizzes") or []])


@dataclass(frozen=True)
class Quiz:
    """A quiz with its sealed key: the server grades graded quizzes against `questions`."""
    id: str
    title: str
    mode: str  # "practice" or "graded"
    module: str  # the slug of the module it belongs to
    pass_mark: float  # share of max_score needed to pass
    max_attempts: int  # 0: unlimited
    shuffle: bool  # graded attempts get a fresh option order each
    max_score: float
    questions: list[Question] = field(default_factory=list)

    @property
    def graded(self) -> bool:
        return self.mode == "graded"

    @cached_property
    def question_index(self) -> dict[str, Question]:
        return {question.id: question for question in self.questions}

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "mode": self.mode, "module": self.module,
                "pass_mark": self.pass_mark, "max_attempts": self.max_attempts, "shuffle": self.shuffle,
                "max_score": self.max_score, "questions": [question.to_json() for question in self.questions]}

    @classmethod
    def from_json(cls, data: dict) -> "Quiz":
        return cls(data["id"], data["title"], data["mode"], data["module"], float(data["pass_mark"]),
                   int(data["max_attempts"]), bool(data["shuffle"]), float(data["max_score"]),
                   [Question.from_json(question) for question in data["questions"]])


@dataclass(frozen=True)
class Video:
    title: str
    duration: float | None = None  # seconds, when the build rendered it

    def to_json(self) -> dict:
        return {"title": self.title, "duration": self.duration}

    @classmethod
    def from_json(cls, data: dict) -> "Video":
        return cls(data["title"], data.get("duration"))


@dataclass(frozen=True)
class Outcome:
    statement: str
    unit: str | None = None  # the ID of the profile's unit it belongs to

    def to_json(self) -> dict:
        return {"statement": self.statement, "unit": self.unit}

    @classmethod
    def from_json(cls, data: dict) -> "Outcome":
        return cls(data["statement"], data.get("unit"))


@dataclass(frozen=True)
class Unit:
    id: str
    title: str
    outcomes: list[str] = field(default_factory=list)  # outcome IDs

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "outcomes": list(self.outcomes)}

    @classmethod
    def from_json(cls, data: dict) -> "Unit":
        return cls(data["id"], data["title"], list(data.get("outcomes") or []))


@dataclass(frozen=True)
class Requirement:
    """What a learner must reach for the certificate (defaults filled in by the build)."""
    outcomes: str | list[str]  # "all", or the outcome IDs that count
    min_outcome_score: float  # share of each outcome's graded points
    lessons_completed: float  # share of the course's lessons marked as complete
    assignments: str | list[str] = field(default_factory=list)  # "all", or the IDs to pass (released)
    assessed_weight: float = 0.5  # share of an outcome's score from released assignment results

    def to_json(self) -> dict:
        return {"outcomes": self.outcomes if self.outcomes == "all" else list(self.outcomes),
                "min_outcome_score": self.min_outcome_score, "lessons_completed": self.lessons_completed,
                "assignments": self.assignments if self.assignments == "all" else list(self.assignments),
                "assessed_weight": self.assessed_weight}

    @classmethod
    def from_json(cls, data: dict) -> "Requirement":
        """(A manifest written before assessed work has neither `assignments` nor
        `assessed_weight`: none required, and the format's default weight.)"""
        outcomes, assignments = data["outcomes"], data.get("assignments") or []
        return cls("all" if outcomes == "all" else [str(o) for o in outcomes], float(data["min_outcome_score"]),
                   float(data["lessons_completed"]),
                   "all" if assignments == "all" else [str(a) for a in assignments],
                   float(data.get("assessed_weight", 0.5)))

    def required_assignments(self, course_assignments) -> list[str]:
        """The IDs of the assignments to pass, in the course's order for `all`."""
        return list(course_assignments) if self.assignments == "all" else list(self.assignments)


@dataclass(frozen=True)
class CertificateRule:
    title: str
    requires: Requirement
    valid_years: float | None = None  # None: it does not expire

    def to_json(self) -> dict:
        return {"title": self.title, "valid_years": self.valid_years, "requires": self.requires.to_json()}

    @classmethod
    def from_json(cls, data: dict) -> "CertificateRule":
        return cls(data["title"], Requirement.from_json(data["requires"]), data.get("valid_years"))


@dataclass(frozen=True)
class Alignment:
    """Where one outcome is taught and assessed."""
    lessons: list[str] = field(default_factory=list)  # lesson IDs, "module/lesson"
    questions: list[str] = field(default_factory=list)  # "quiz/question"

    def to_json(self) -> dict:
        return {"lessons": list(self.lessons), "questions": list(self.questions)}

    @classmethod
    def from_json(cls, data: dict) -> "Alignment":
        return cls(list(data.get("lessons") or []), list(data.get("questions") or []))


@dataclass(frozen=True)
class Profile:
    """The qualification profile the course is aligned to."""
    id: str
    title: str
    url: str  # its page in the site, relative to the site's root
    level: str | None = None
    summary: str | None = None
    certificate: CertificateRule | None = None  # None: the course gives no certificate
    units: list[Unit] = field(default_factory=list)
    alignment: dict[str, Alignment] = field(default_factory=dict)  # outcome ID -> alignment

    def to_json(self) -> dict:
        return {"id": self.id, "title": self.title, "level": self.level, "summary": self.summary, "url": self.url,
                "certificate": self.certificate.to_json() if self.certificate else None,
                "units": [unit.to_json() for unit in self.units],
                "alignment": {oid: row.to_json() for oid, row in self.alignment.items()}}

    @classmethod
    def from_json(cls, data: dict) -> "Profile":
        certificate = data.get("certificate")
        return cls(data["id"], data["title"], data["url"], data.get("level"), data.get("summary"),
                   CertificateRule.from_json(certificate) if certificate else None,
                   [Unit.from_json(unit) for unit in data.get("units") or []],
                   {oid: Alignment.from_json(row) for oid, row in (data.get("alignment") or {}).items()})


@dataclass(frozen=True)
class CourseManifest:
    """One course as the server knows it."""
    id: str
    title: str
    version: str
    language: str
    license: str | None
    modules: list[Module] = field(default_factory=list)
    outcomes: dict[str, Outcome] = field(default_factory=dict)  # outcome ID -> outcome, in the course's order
    profile: Profile | None = None
    quizzes: dict[str, Quiz] = field(default_factory=dict)  # quiz ID -> quiz
    videos: dict[str, Video] = field(default_factory=dict)  # video name -> video
    generator: str = ""  # the brokerlearn version that wrote it
    assignments: dict[str, Assignment] = field(default_factory=dict)  # assignment ID -> assignment (issue 18)

    @cached_property
    def lessons(self) -> dict[str, Lesson]:
        """Every lesson by its ID ("module/lesson"), in the course's order."""
        return {lesson.id: lesson for module in self.modules for lesson in module.lessons}

    @property
    def lesson_order(self) -> list[str]:
        return list(self.lessons)

    @cached_property
    def questions(self) -> dict[str, dict[str, Question]]:
        """quiz ID -> question ID -> question."""
        return {quiz_id: quiz.question_index for quiz_id, quiz in self.quizzes.items()}

    def quiz(self, quiz_id: str) -> Quiz | None:
        return self.quizzes.get(quiz_id)

    def graded_quizzes(self) -> list[Quiz]:
        return [quiz for quiz in self.quizzes.values() if quiz.graded]

    @property
    def certificate(self) -> CertificateRule | None:
        return self.profile.certificate if self.profile else None

    def to_json(self) -> dict:
        return {"format": FORMAT, "generator": self.generator, "id": self.id, "title": self.title,
                "version": self.version, "language": self.language, "license": self.license,
                "modules": [module.to_json() for module in self.modules],
                "outcomes": {oid: outcome.to_json() for oid, outcome in self.outcomes.items()},
                "profile": self.profile.to_json() if self.profile else None,
                "quizzes": {quiz_id: quiz.to_json() for quiz_id, quiz in self.quizzes.items()},
                "videos": {name: video.to_json() for name, video in self.videos.items()},
                "assignments": {aid: a.to_json() for aid, a in self.assignments.items()}}

    @classmethod
    def from_json(cls, data) -> "CourseManifest":
        """Raises ManifestError for another format, or for data that is not a whole manifest."""
        if not isinstance(data, dict):
            raise ManifestError("it is not a course manifest (not a JSON object)")
        found = data.get("format")
        if found != FORMAT:
            raise ManifestError(_format_problem(found))
        try:
            profile = data.get("profile")
            return cls(data["id"], data["title"], str(data["version"]), data["language"], data.get("license"),
                       [Module.from_json(module) for module in data["modules"]],
                       {oid: Outcome.from_json(o) for oid, o in (data.get("outcomes") or {}).items()},
                       Profile.from_json(profile) if profile else None,
                       {quiz_id: Quiz.from_json(quiz) for quiz_id, quiz in (data.get("quizzes") or {}).items()},
                       {name: Video.from_json(video) for name, video in (data.get("videos") or {}).items()},
                       str(data.get("generator") or ""),
                       {aid: Assignment.from_json(a) for aid, a in (data.get("assignments") or {}).items()})
        except KeyError as exc:
            raise ManifestError(f"it is not a whole course manifest of format {FORMAT} (no {exc})") from None
        except (TypeError, ValueError, AttributeError) as exc:
            raise ManifestError(f"it is not a course manifest of format {FORMAT} ({exc})") from None


def _format_problem(found) -> str:
    if found is None:
        return "it has no manifest format number, so it was not written by `brokerlearn build`"
    if isinstance(found, int) and not isinstance(found, bool) and found > FORMAT:
        return (f"it is of manifest format {found}, written by a newer brokerlearn, and this server reads "
                f"format {FORMAT}")
    return f"it is of manifest format {found!r}, written by another version of brokerlearn, and this one reads format {FORMAT}"


def load(path: Path) -> CourseManifest:
    """The manifest in `path`. Raises ManifestError, with the file and what to do, when it cannot
    be read as a manifest of this FORMAT."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path} cannot be read as a course manifest (not JSON: {exc}): {REBUILD}") from None
    try:
        return CourseManifest.from_json(data)
    except ManifestError as exc:
        raise ManifestError(f"{path} cannot be read: {exc}: {REBUILD}") from None
