"""The agency's reports from the database: the CSV tables of learners, progress, results and
released results of assessed work (per rubric criterion), and every learning event as xAPI
statements. The queries are here; the formats are the pure writers
of brokerlearn.exports."""
from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brokerlearn.exports.tables import csv_text
from brokerlearn.exports.xapi import StatementMaker
from brokerlearn.server.courses import CourseCatalog
from brokerlearn.server.models import AssignmentResult, Certificate, ProgressEvent, QuizAttempt, Submission, User
from brokerlearn.server.services.progress import WATCHED_SHARE, course_progress, lessons_completed_per_user


def learners_csv(db: Session) -> str:
    completed = dict(db.execute(lessons_completed_per_user()).all())
    attempts = dict(db.execute(select(QuizAttempt.user_id, func.count(QuizAttempt.id)).where(
        QuizAttempt.status == "submitted").group_by(QuizAttempt.user_id)).all())
    certificates = dict(db.execute(select(Certificate.user_id, func.count(Certificate.id)).where(
        Certificate.revoked_at.is_(None)).group_by(Certificate.user_id)).all())
    users = db.scalars(select(User).order_by(User.email)).all()
    return csv_text(["email", "name", "role", "registered", "lessons_completed", "graded_attempts", "certificates"],
                    ([u.email, u.name, u.role, f"{u.created_at:%Y-%m-%d}", completed.get(u.id, 0),
                      attempts.get(u.id, 0), certificates.get(u.id, 0)] for u in users))


def progress_csv(db: Session, courses: CourseCatalog) -> str:
    """Raises ManifestError when a course's manifest cannot be read: a report leaves none out."""
    courses.check()
    rows = []
    for user in db.scalars(select(User).order_by(User.email)):
        for course in courses.all():
            p = course_progress(db, user.id, course)
            rows.append([user.email, course.id, len(p["completed_lessons"]), p["lessons"],
                         f"{p['share_completed']:.3f}", p["seconds_spent"], p["videos_watched"], len(p["videos"]),
                         p["resume"]["lesson"] if p["resume"] else ""])
    return csv_text(["email", "course", "lessons_completed", "lessons", "share_completed", "seconds_spent",
                     "videos_watched", "videos", "resume_lesson"], rows)


def results_csv(db: Session) -> str:
    statement = (select(User.email, QuizAttempt).join(User, User.id == QuizAttempt.user_id)
                 .where(QuizAttempt.status == "submitted")
                 .order_by(User.email, QuizAttempt.course_id, QuizAttempt.quiz_id, QuizAttempt.number))
    return csv_text(["email", "course", "quiz", "attempt", "score", "max_score", "passed", "submitted_at"],
                    ([email, a.course_id, a.quiz_id, a.number, a.score, a.max_score, "yes" if a.passed else "no",
                      a.submitted_at.isoformat() if a.submitted_at else ""] for email, a in db.execute(statement)))


def _released_results(db: Session):
    """(email, result, attempt) of every released result of assessed work: only released results
    count (FLOW18.md); the attempt is None once the submission was deleted (retention)."""
    return db.execute(select(User.email, AssignmentResult, Submission.attempt)
                      .join(User, User.id == AssignmentResult.user_id)
                      .outerjoin(Submission, Submission.id == AssignmentResult.submission_id)
                      .where(AssignmentResult.released_at.is_not(None))
                      .order_by(User.email, AssignmentResult.course_id, AssignmentResult.assignment_id,
                                AssignmentResult.graded_at, AssignmentResult.id))


def assessed_csv(db: Session) -> str:
    """One row per criterion of every released result, with the whole result's score beside it."""
    def rows():
        for email, r, attempt in _released_results(db):
            for c in r.criteria or []:
                yield [email, r.course_id, r.assignment_id, attempt or "", r.rubric_version, c.get("id", ""),
                       " ".join(str(o) for o in c.get("outcomes") or []), c.get("level") or "",
                       c.get("score", ""), c.get("max", ""), c.get("source") or "", r.score, r.max_score,
                       "yes" if r.passed else "no", r.method or "", f"{r.graded_at:%Y-%m-%dT%H:%M:%S}",
                       f"{r.released_at:%Y-%m-%dT%H:%M:%S}"]
    return csv_text(["email", "course", "assignment", "attempt", "rubric_version", "criterion", "outcomes", "level",
                     "criterion_score", "criterion_max", "how", "score", "max_score", "passed", "method",
                     "graded_at", "released_at"], rows())


def statement_maker(courses: CourseCatalog, base_url: str) -> StatementMaker:
    return StatementMaker(courses.all(), base_url, watched_share=WATCHED_SHARE)


def xapi_statements(db: Session, courses: CourseCatalog, base_url: str) -> Iterator[dict]:
    """Yield one statement per progress event and per submitted graded attempt. Raises
    ManifestError when a course's manifest cannot be read (its names would be missing)."""
    courses.check()
    maker = statement_maker(courses, base_url)
    for event in db.scalars(select(ProgressEvent).order_by(ProgressEvent.occurred_at, ProgressEvent.id)):
        yield maker.event(event)
    for attempt in db.scalars(select(QuizAttempt).where(QuizAttempt.status == "submitted")
                              .order_by(QuizAttempt.submitted_at)):
        yield maker.attempt(attempt)
    for _email, result, number in _released_results(db):
        yield maker.assessed(result, number)


def xapi_lines(db: Session, courses: CourseCatalog, base_url: str) -> str:
    """The statements as JSON lines, one per line (the file `brokerlearn export xapi` writes)."""
    import json
    return "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in xapi_statements(db, courses, base_url))


# name -> (file name, media type, what it holds): the downloads of /admin/reports and the
# command line's `export csv WHAT` / `export xapi`, made by the one function below.
EXPORTS = {
    "learners": ("learners.csv", "text/csv", "Accounts with lessons completed, graded attempts and certificates"),
    "progress": ("progress.csv", "text/csv", "Progress per learner and course"),
    "results": ("results.csv", "text/csv", "Every submitted graded attempt"),
    "assessed": ("assessed-results.csv", "text/csv",
                 "Every released result of assessed work, one row per rubric criterion"),
    "xapi": ("xapi-statements.jsonl", "application/x-ndjson", "Every learning event as an xAPI 1.0.3 statement"),
}


def export(db: Session, what: str, courses: CourseCatalog, base_url: str) -> str:
    """The text of one export of EXPORTS, the same for the command line and the download."""
    if what == "learners":
        return learners_csv(db)
    if what == "results":
        return results_csv(db)
    if what == "assessed":
        return assessed_csv(db)
    if what == "progress":
        return progress_csv(db, courses)
    if what == "xapi":
        return xapi_lines(db, courses, base_url)
    raise KeyError(what)
