"""Exports for the agency: CSV of learners, progress and results, and every learning event as
an xAPI 1.0.3 statement (JSON lines) for a learning record store.

xAPI activity IDs are the course's stable IDs as addresses on the server (lesson URLs, and
COURSE/quizzes/QUIZ[/QUESTION]), and statement IDs are derived from the learner and the event,
so exporting twice gives the same statements and an LRS can drop the repeats.
"""
from __future__ import annotations

import csv
import io
import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brokerlearn.server.courses import CourseCatalog
from brokerlearn.server.models import Certificate, ProgressEvent, QuizAttempt, User
from brokerlearn.server.services.progress import WATCHED_SHARE, course_progress, lessons_completed_per_user

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {"lesson_viewed": "experienced", "lesson_completed": "completed", "video_progress": "progressed",
         "practice_answered": "answered"}
_NAMESPACE = uuid.UUID("5b0b6f2e-8f7a-4c7e-9a55-2b1f3c0d7e11")  # brokerlearn's statement IDs


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe (OWASP's
    advice against CSV injection: learners choose their names); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _csv(header: list[str], rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue()


def learners_csv(db: Session) -> str:
    completed = dict(db.execute(lessons_completed_per_user()).all())
    attempts = dict(db.execute(select(QuizAttempt.user_id, func.count(QuizAttempt.id)).where(
        QuizAttempt.status == "submitted").group_by(QuizAttempt.user_id)).all())
    certificates = dict(db.execute(select(Certificate.user_id, func.count(Certificate.id)).where(
        Certificate.revoked_at.is_(None)).group_by(Certificate.user_id)).all())
    users = db.scalars(select(User).order_by(User.email)).all()
    return _csv(["email", "name", "role", "registered", "lessons_completed", "graded_attempts", "certificates"],
                ([u.email, u.name, u.role, f"{u.created_at:%Y-%m-%d}", completed.get(u.id, 0), attempts.get(u.id, 0),
                  certificates.get(u.id, 0)] for u in users))


def progress_csv(db: Session, courses: CourseCatalog) -> str:
    rows = []
    for user in db.scalars(select(User).order_by(User.email)):
        for course in courses.all():
            p = course_progress(db, user.id, course)
            rows.append([user.email, course.id, len(p["completed_lessons"]), p["lessons"],
                         f"{p['share_completed']:.3f}", p["seconds_spent"], p["videos_watched"], len(p["videos"]),
                         p["resume"]["lesson"] if p["resume"] else ""])
    return _csv(["email", "course", "lessons_completed", "lessons", "share_completed", "seconds_spent",
                 "videos_watched", "videos", "resume_lesson"], rows)


def results_csv(db: Session) -> str:
    statement = (select(User.email, QuizAttempt).join(User, User.id == QuizAttempt.user_id)
                 .where(QuizAttempt.status == "submitted")
                 .order_by(User.email, QuizAttempt.course_id, QuizAttempt.quiz_id, QuizAttempt.number))
    return _csv(["email", "course", "quiz", "attempt", "score", "max_score", "passed", "submitted_at"],
                ([email, a.course_id, a.quiz_id, a.number, a.score, a.max_score, "yes" if a.passed else "no",
                  a.submitted_at.isoformat() if a.submitted_at else ""] for email, a in db.execute(statement)))


def _iso(moment) -> str:
    if moment.tzinfo is None:  # SQLite keeps UTC without the zone
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _activity(activity_id: str, name: str, kind: str) -> dict:
    return {"objectType": "Activity", "id": activity_id,
            "definition": {"name": {"en": name}, "type": f"http://adlnet.gov/expapi/activities/{kind}"}}


class StatementMaker:
    """Turns progress events and submitted attempts into xAPI statements."""

    def __init__(self, courses: CourseCatalog, base_url: str):
        self.base = base_url.rstrip("/")
        self.known = {course.id: course for course in courses.all()}

    def _actor(self, user_id: int) -> dict:
        return {"objectType": "Agent", "account": {"homePage": self.base, "name": f"learner-{user_id}"}}

    def _context(self, course_id: str) -> dict:
        course = self.known.get(course_id)
        parent = _activity(f"{self.base}/{course_id}/", course.title if course else course_id, "course")
        return {"platform": "brokerlearn", "language": course.data.get("language", "en") if course else "en",
                "contextActivities": {"parent": [parent]}}

    def event(self, event: ProgressEvent) -> dict:
        base, course = self.base, self.known.get(event.course_id)
        if event.kind.startswith("lesson_"):
            lesson = course.lessons.get(event.item_id) if course else None
            target = _activity(f"{base}/{event.course_id}/{event.item_id}/", lesson["title"] if lesson else event.item_id,
                               "lesson")
        elif event.kind == "video_progress":
            title = course.data.get("videos", {}).get(event.item_id, {}).get("title") if course else None
            target = _activity(f"{base}/{event.course_id}/media/{event.item_id}/", title or event.item_id, "media")
        else:
            target = _activity(f"{base}/{event.course_id}/quizzes/{event.item_id}", event.item_id, "cmi.interaction")
        verb = VERBS[event.kind]
        statement = {
            "id": str(uuid.uuid5(_NAMESPACE, f"{base}|{event.user_id}|{event.event_id}")),
            "actor": self._actor(event.user_id),
            "verb": {"id": ADL + verb, "display": {"en-US": verb}},
            "object": target, "context": self._context(event.course_id), "timestamp": _iso(event.occurred_at),
        }
        if event.kind == "lesson_viewed" and event.value:
            statement["result"] = {"duration": f"PT{int(event.value)}S"}
        elif event.kind == "video_progress" and event.value is not None:
            statement["result"] = {"completion": event.value >= WATCHED_SHARE,
                                   "extensions": {f"{base}/xapi/extensions/share-watched": round(event.value, 3)}}
        elif event.kind == "practice_answered" and event.value is not None:
            statement["result"] = {"score": {"scaled": round(event.value, 4)}, "success": event.value >= 1}
        return statement

    def attempt(self, attempt: QuizAttempt) -> dict:
        course = self.known.get(attempt.course_id)
        quiz = course.quiz(attempt.quiz_id) if course else None
        verb = "passed" if attempt.passed else "failed"
        max_score = attempt.max_score or 0
        score = {"raw": attempt.score, "min": 0, "max": max_score}
        if max_score:
            score["scaled"] = round(attempt.score / max_score, 4)
        return {
            "id": str(uuid.uuid5(_NAMESPACE, f"{self.base}|{attempt.user_id}|attempt|{attempt.id}")),
            "actor": self._actor(attempt.user_id),
            "verb": {"id": ADL + verb, "display": {"en-US": verb}},
            "object": _activity(f"{self.base}/{attempt.course_id}/quizzes/{attempt.quiz_id}",
                                quiz["title"] if quiz else attempt.quiz_id, "assessment"),
            "result": {"score": score, "success": bool(attempt.passed), "completion": True},
            "context": {**self._context(attempt.course_id),
                        "extensions": {f"{self.base}/xapi/extensions/attempt": attempt.number}},
            "timestamp": _iso(attempt.submitted_at),
        }


def xapi_statements(db: Session, courses: CourseCatalog, base_url: str):
    """Yield one statement per progress event and per submitted graded attempt."""
    maker = StatementMaker(courses, base_url)
    for event in db.scalars(select(ProgressEvent).order_by(ProgressEvent.occurred_at, ProgressEvent.id)):
        yield maker.event(event)
    for attempt in db.scalars(select(QuizAttempt).where(QuizAttempt.status == "submitted")
                              .order_by(QuizAttempt.submitted_at)):
        yield maker.attempt(attempt)
