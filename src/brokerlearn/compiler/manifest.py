"""The private course manifest for the server (build/server/<course-id>.json), made as the
typed contract of brokerlearn.course.manifest, and the build's quiz key (build/server/quiz-key).

They hold what only the server may read; nothing here is ever written under site/.
"""
from __future__ import annotations

import os
from dataclasses import replace
import secrets
from pathlib import Path

from brokerlearn import __version__
from brokerlearn.compiler.links import lesson_url, module_url
from brokerlearn.compiler.quizzes import private_quiz
from brokerlearn.compiler.pages import qualification_url
from brokerlearn.course.alignment import align
from brokerlearn.course.manifest import (Alignment, CertificateRule, CourseManifest, Lesson, Module, Outcome,
                                         Profile, Quiz, QuizRef, Unit, Video)
from brokerlearn.course.model import Course
from brokerlearn.course.profile import certificate_rule
from brokerlearn.errors import UsageError

QUIZ_KEY_FILE = "server/quiz-key"  # relative to the build folder
QUIZ_KEY_VARIABLE = "BROKERLEARN_QUIZ_KEY"


def quiz_key(out_dir: Path) -> str:
    """The secret that seals graded quizzes (their IDs and page order): from the environment
    variable BROKERLEARN_QUIZ_KEY if set, else from the previous build's build/server/quiz-key,
    else a new random one (written by this build). The same key gives the same IDs, so stored
    attempts keep their meaning: a second machine building the same course must be given it."""
    key = os.environ.get(QUIZ_KEY_VARIABLE, "").strip()
    if not key:
        try:
            key = (out_dir / QUIZ_KEY_FILE).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            key = secrets.token_hex(32)
    if len(key) < 32:
        raise UsageError(f"the quiz key (from {QUIZ_KEY_VARIABLE} or {out_dir / QUIZ_KEY_FILE}) is too short: "
                         "it needs at least 32 characters (delete the file to make a new one)")
    return key


def course_manifest(course: Course, quiz_places: dict | None = None, assignment_places: dict | None = None) -> dict:
    """The manifest's JSON for build/server/<course-id>.json, written through the contract;
    `quiz_places` and `assignment_places` (compiler.pages) tell where each quiz and assignment
    is shown."""
    return build_manifest(course, quiz_places, assignment_places).to_json()


def build_manifest(course: Course, quiz_places: dict | None = None,
                   assignment_places: dict | None = None) -> CourseManifest:
    places, shown = quiz_places or {}, assignment_places or {}
    return CourseManifest(
        id=course.id, title=course.title, version=course.version, language=course.language,
        license=course.license, generator=__version__,
        modules=[_module(course, m, places) for m in course.modules],
        outcomes={o.id: Outcome(o.statement, o.unit_id) for o in course.outcome_index().values()},
        profile=_profile(course),
        quizzes={quiz.id: Quiz.from_json(private_quiz(quiz)) for quiz in course.quizzes.values()},
        videos={name: Video(video.title, round(course.video_outputs[name].duration, 3)
                            if name in course.video_outputs else None)
                for name, video in sorted(course.videos.items()) if not video.branch_of},  # a branch is part of its video
        assignments={aid: replace(a, place=shown.get(aid)) for aid, a in course.assignments.items()},
    )


def _module(course: Course, module, places: dict) -> Module:
    return Module(
        slug=module.slug, title=module.title, url=module_url(course, module), outcomes=list(module.outcomes),
        lessons=[Lesson(module.slug, l.slug, l.title, lesson_url(course, module, l), list(l.outcomes), l.minutes)
                 for l in module.lessons],
        quizzes=[QuizRef(q.id, q.title, q.mode, f"{places[q.id][0]}#{places[q.id][1]}" if q.id in places else None)
                 for q in module.quizzes])


def _profile(course: Course) -> Profile | None:
    profile = course.profile
    if profile is None:
        return None
    table = align(course)
    rule = certificate_rule(profile)
    return Profile(
        id=profile.id, title=profile.title, level=profile.level, summary=profile.summary,
        url=qualification_url(course), certificate=CertificateRule.from_json(rule) if rule else None,
        units=[Unit(u.id, u.title, [o.id for o in u.outcomes]) for u in profile.units],
        alignment={oid: Alignment([f"{m.slug}/{l.slug}" for m, l in row.lessons],
                                  [f"{quiz.id}/{q.id}" for quiz, _, q in row.questions])
                   for oid, row in table.items()})
