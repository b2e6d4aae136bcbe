"""Learning events as xAPI 1.0.3 statements, for a learning record store.

The statements are made from plain records (anything with the attributes of `EventRecord` and
`AttemptRecord`: the server's rows have them) and the courses' manifest objects.

xAPI activity IDs are the course's stable IDs as addresses on the server (lesson URLs, and
COURSE/quizzes/QUIZ[/QUESTION]), and statement IDs are derived from the learner and the event,
so exporting twice gives the same statements and an LRS can drop the repeats. Activity names
are the titles in the course's language (lesson, video and quiz titles, a question's prompt).

An `answered` statement's question is a cmi.interaction activity with its interactionType
(xAPI 1.0.3 Data 2.4.4.1) and its choices, items or pairs. Its correctResponsesPattern is given
for practice questions only: their key is in the public page anyway, while a graded question's
key stays on the server (an LRS's readers may include learners).
"""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from brokerlearn.course.manifest import CourseManifest
from brokerlearn.course.questions import xapi_interaction

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {"lesson_viewed": "experienced", "lesson_completed": "completed", "video_progress": "progressed",
         "practice_answered": "answered"}
_NAMESPACE = uuid.UUID("5b0b6f2e-8f7a-4c7e-9a55-2b1f3c0d7e11")  # brokerlearn's statement IDs


class EventRecord(Protocol):
    """A learner's progress event (kind: one of VERBS)."""
    user_id: int
    event_id: str
    course_id: str
    kind: str
    item_id: str
    value: float | None
    occurred_at: datetime


class AttemptRecord(Protocol):
    """A submitted graded attempt."""
    id: int
    user_id: int
    course_id: str
    quiz_id: str
    number: int
    score: float | None
    max_score: float | None
    passed: bool | None
    submitted_at: datetime


class ResultRecord(Protocol):
    """A released result of assessed work (the grade of record: one per submission)."""
    id: int
    user_id: int
    course_id: str
    assignment_id: str
    rubric_version: str
    criteria: list  # [{"id", "title", "outcomes", "level"?, "score", "max", "source"}]
    score: float
    max_score: float
    passed: bool
    released_at: datetime


def _iso(moment) -> str:
    if moment.tzinfo is None:  # SQLite keeps UTC without the zone
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _score(raw, top) -> dict:
    """An xAPI result score out of `top`, scaled to 0..1 when there is a maximum."""
    score = {"raw": raw, "min": 0, "max": top}
    if top:
        score["scaled"] = round(raw / top, 4)
    return score


def _activity(activity_id: str, name: str, kind: str, lang: str = "en") -> dict:
    return {"objectType": "Activity", "id": activity_id,
            "definition": {"name": {lang: name}, "type": f"http://adlnet.gov/expapi/activities/{kind}"}}




class StatementMaker:
    """Turns progress events and submitted attempts into xAPI statements. watched_share: the
    share of a video played from which it counts as watched (the server's rule)."""

    def __init__(self, courses: Iterable[CourseManifest], base_url: str, watched_share: float):
        self.base = base_url.rstrip("/")
        self.known = {course.id: course for course in courses}
        self.watched_share = watched_share

    def _actor(self, user_id: int) -> dict:
        return {"objectType": "Agent", "account": {"homePage": self.base, "name": f"learner-{user_id}"}}

    def _lang(self, course_id: str) -> str:
        course = self.known.get(course_id)
        return course.language if course else "en"

    def _course_activity(self, course_id: str) -> dict:
        course = self.known.get(course_id)
        return _activity(f"{self.base}/{course_id}/", course.title if course else course_id, "course",
                         self._lang(course_id))

    def _context(self, course_id: str) -> dict:
        return {"platform": "brokerlearn", "language": self._lang(course_id),
                "contextActivities": {"parent": [self._course_activity(course_id)]}}

    def _question(self, course_id: str, item_id: str) -> tuple[dict, dict]:
        """A practice answer's question as a cmi.interaction activity, and its context: the quiz
        as parent, the course as grouping."""
        course, lang = self.known.get(course_id), self._lang(course_id)
        quiz_id, _, question_id = item_id.partition("/")
        quiz = course.quiz(quiz_id) if course else None
        question = quiz.question_index.get(question_id) if quiz else None
        activity_id = f"{self.base}/{course_id}/quizzes/{item_id}"
        context = self._context(course_id)
        if question is None:  # an inline question, or one since removed: no definition to give
            target = _activity(activity_id, item_id, "cmi.interaction", lang)
            target["definition"]["interactionType"] = "other"
            return target, context
        target = _activity(activity_id, question.prompt, "cmi.interaction", lang)
        target["definition"].update(xapi_interaction(question, lang, with_key=quiz.mode == "practice"))
        quiz_activity = _activity(f"{self.base}/{course_id}/quizzes/{quiz_id}", quiz.title or quiz_id,
                                  "assessment", lang)
        context["contextActivities"] = {"parent": [quiz_activity], "grouping": [self._course_activity(course_id)]}
        return target, context

    def event(self, event: EventRecord) -> dict:
        base, course, lang = self.base, self.known.get(event.course_id), self._lang(event.course_id)
        context = self._context(event.course_id)
        if event.kind.startswith("lesson_"):
            lesson = course.lessons.get(event.item_id) if course else None
            target = _activity(f"{base}/{event.course_id}/{event.item_id}/", lesson.title if lesson else event.item_id,
                               "lesson", lang)
        elif event.kind == "video_progress":
            video = course.videos.get(event.item_id) if course else None
            target = _activity(f"{base}/{event.course_id}/media/{event.item_id}/",
                               (video.title if video else None) or event.item_id, "media", lang)
        else:
            target, context = self._question(event.course_id, event.item_id)
        verb = VERBS[event.kind]
        statement = {
            "id": str(uuid.uuid5(_NAMESPACE, f"{base}|{event.user_id}|{event.event_id}")),
            "actor": self._actor(event.user_id),
            "verb": {"id": ADL + verb, "display": {"en-US": verb}},
            "object": target, "context": context, "timestamp": _iso(event.occurred_at),
        }
        if event.kind == "lesson_viewed" and event.value:
            statement["result"] = {"duration": f"PT{int(event.value)}S"}
        elif event.kind == "video_progress" and event.value is not None:
            statement["result"] = {"completion": event.value >= self.watched_share,
                                   "extensions": {f"{base}/xapi/extensions/share-watched": round(event.value, 3)}}
        elif event.kind == "practice_answered" and event.value is not None:
            statement["result"] = {"score": {"scaled": round(event.value, 4)}, "success": event.value >= 1}
        return statement

    def attempt(self, attempt: AttemptRecord) -> dict:
        course = self.known.get(attempt.course_id)
        quiz = course.quiz(attempt.quiz_id) if course else None
        verb = "passed" if attempt.passed else "failed"
        score = _score(attempt.score, attempt.max_score or 0)
        return {
            "id": str(uuid.uuid5(_NAMESPACE, f"{self.base}|{attempt.user_id}|attempt|{attempt.id}")),
            "actor": self._actor(attempt.user_id),
            "verb": {"id": ADL + verb, "display": {"en-US": verb}},
            "object": _activity(f"{self.base}/{attempt.course_id}/quizzes/{attempt.quiz_id}",
                                (quiz.title if quiz else None) or attempt.quiz_id, "assessment",
                                self._lang(attempt.course_id)),
            "result": {"score": score, "success": bool(attempt.passed), "completion": True},
            "context": {**self._context(attempt.course_id),
                        "extensions": {f"{self.base}/xapi/extensions/attempt": attempt.number}},
            "timestamp": _iso(attempt.submitted_at),
        }

    def assessed(self, result: ResultRecord, attempt: int | None = None) -> dict:
        """A released result of an assignment: passed or failed, its score, and one result
        extension per criterion (`BASE/xapi/extensions/criterion/ID`: its level, score, maximum,
        outcomes and how it was reached), with the rubric's version. Never the learner's text or
        anyone's comments."""
        course = self.known.get(result.course_id)
        assignment = course.assignments.get(result.assignment_id) if course else None
        verb = "passed" if result.passed else "failed"
        score = _score(result.score, result.max_score)
        extensions = {}
        for criterion in result.criteria or []:
            entry = {"score": criterion.get("score"), "max": criterion.get("max"),
                     "outcomes": list(criterion.get("outcomes") or []), "source": criterion.get("source") or ""}
            if criterion.get("level") is not None:
                entry["level"] = criterion["level"]
            extensions[f"{self.base}/xapi/extensions/criterion/{criterion.get('id')}"] = entry
        context_extensions = {f"{self.base}/xapi/extensions/rubric-version": result.rubric_version}
        if attempt is not None:
            context_extensions[f"{self.base}/xapi/extensions/attempt"] = attempt
        return {
            "id": str(uuid.uuid5(_NAMESPACE, f"{self.base}|{result.user_id}|assessed|{result.id}")),
            "actor": self._actor(result.user_id),
            "verb": {"id": ADL + verb, "display": {"en-US": verb}},
            "object": _activity(f"{self.base}/{result.course_id}/assignments/{result.assignment_id}",
                                (assignment.title if assignment else None) or result.assignment_id, "assessment",
                                self._lang(result.course_id)),
            "result": {"score": score, "success": bool(result.passed), "completion": True,
                       "extensions": extensions},
            "context": {**self._context(result.course_id), "extensions": context_extensions},
            "timestamp": _iso(result.released_at),
        }
