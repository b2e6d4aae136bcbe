"""Exports for the agency: CSV of learners, progress and results, and every learning event as
an xAPI 1.0.3 statement (JSON lines) for a learning record store.

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


def _activity(activity_id: str, name: str, kind: str, lang: str = "en") -> dict:
    return {"objectType": "Activity", "id": activity_id,
            "definition": {"name": {lang: name}, "type": f"http://adlnet.gov/expapi/activities/{kind}"}}


# Our question types as xAPI interaction types (xAPI 1.0.3 Data 2.4.4.1).
INTERACTION_TYPES = {"single": "choice", "multiple": "choice", "truefalse": "true-false", "numeric": "numeric",
                     "text": "fill-in", "order": "sequencing", "match": "matching", "reflection": "long-fill-in"}


def _components(question: dict, lang: str) -> dict:
    def component(cid: str, text: str) -> dict:
        return {"id": cid, "description": {lang: text}}
    kind = question["type"]
    if kind in ("single", "multiple"):
        return {"choices": [component(o["id"], o["text"]) for o in question["options"]]}
    if kind == "order":
        return {"choices": [component(i["id"], i["text"]) for i in question["items"]]}
    if kind == "match":
        return {"source": [component(p["left_id"], p["left"]) for p in question["pairs"]],
                "target": [component(p["right_id"], p["right"]) for p in question["pairs"]]}
    return {}


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else repr(float(value))


def _correct_responses(question: dict) -> list[str] | None:
    """xAPI's correctResponsesPattern for a question's key; None when it has none to give."""
    kind = question["type"]
    if kind in ("single", "multiple"):
        return ["[,]".join(o["id"] for o in question["options"] if o["correct"])]
    if kind == "truefalse" and isinstance(question.get("answer"), bool):
        return ["true" if question["answer"] else "false"]
    if kind == "numeric" and question.get("answer") is not None:
        answer, tolerance = float(question["answer"]), float(question.get("tolerance") or 0)
        if not tolerance:
            return [_number(answer)]
        return [f"{_number(answer - tolerance)}[:]{_number(answer + tolerance)}"]
    if kind == "text" and question.get("accept"):
        return list(question["accept"])  # a regular expression pattern has no xAPI form
    if kind == "order":
        return ["[,]".join(i["id"] for i in question["items"])]
    if kind == "match":
        return ["[,]".join(f"{p['left_id']}[.]{p['right_id']}" for p in question["pairs"])]
    return None


class StatementMaker:
    """Turns progress events and submitted attempts into xAPI statements."""

    def __init__(self, courses: CourseCatalog, base_url: str):
        self.base = base_url.rstrip("/")
        self.known = {course.id: course for course in courses.all()}

    def _actor(self, user_id: int) -> dict:
        return {"objectType": "Agent", "account": {"homePage": self.base, "name": f"learner-{user_id}"}}

    def _lang(self, course_id: str) -> str:
        course = self.known.get(course_id)
        return course.data.get("language", "en") if course else "en"

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
        question = next((q for q in (quiz or {}).get("questions", []) if q["id"] == question_id), None)
        activity_id = f"{self.base}/{course_id}/quizzes/{item_id}"
        context = self._context(course_id)
        if question is None:  # an inline question, or one since removed: no definition to give
            target = _activity(activity_id, item_id, "cmi.interaction", lang)
            target["definition"]["interactionType"] = "other"
            return target, context
        target = _activity(activity_id, question["prompt"], "cmi.interaction", lang)
        target["definition"]["interactionType"] = INTERACTION_TYPES.get(question["type"], "other")
        target["definition"].update(_components(question, lang))
        pattern = _correct_responses(question) if quiz["mode"] == "practice" else None
        if pattern:
            target["definition"]["correctResponsesPattern"] = pattern
        quiz_activity = _activity(f"{self.base}/{course_id}/quizzes/{quiz_id}", quiz.get("title") or quiz_id,
                                  "assessment", lang)
        context["contextActivities"] = {"parent": [quiz_activity], "grouping": [self._course_activity(course_id)]}
        return target, context

    def event(self, event: ProgressEvent) -> dict:
        base, course, lang = self.base, self.known.get(event.course_id), self._lang(event.course_id)
        context = self._context(event.course_id)
        if event.kind.startswith("lesson_"):
            lesson = course.lessons.get(event.item_id) if course else None
            target = _activity(f"{base}/{event.course_id}/{event.item_id}/", lesson["title"] if lesson else event.item_id,
                               "lesson", lang)
        elif event.kind == "video_progress":
            title = course.data.get("videos", {}).get(event.item_id, {}).get("title") if course else None
            target = _activity(f"{base}/{event.course_id}/media/{event.item_id}/", title or event.item_id, "media",
                               lang)
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
                                (quiz["title"] if quiz else None) or attempt.quiz_id, "assessment",
                                self._lang(attempt.course_id)),
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
