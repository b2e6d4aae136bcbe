"""The figures of the admin home: active learners this week, course completions, certificates,
reviews waiting; over every account, or over the learners a trainer may see (`scope`)."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import func, select, union
from sqlalchemy.orm import Session

from brokerlearn.course.manifest import CourseManifest
from brokerlearn.server.models import (Certificate, ProgressEvent, QuizAttempt, Submission, TrainerTask, User,
                                       utcnow)

WEEK = timedelta(days=7)


def _within(column, scope):
    return column.in_(scope) if scope is not None else True


def active_learners(db: Session, scope=None) -> int:
    """Accounts with a progress event or a submitted attempt in the last seven days."""
    since = utcnow() - WEEK
    active = union(select(ProgressEvent.user_id).where(ProgressEvent.recorded_at >= since,
                                                        _within(ProgressEvent.user_id, scope)),
                   select(QuizAttempt.user_id).where(QuizAttempt.submitted_at >= since,
                                                     _within(QuizAttempt.user_id, scope))).subquery()
    return db.scalar(select(func.count()).select_from(active)) or 0


def completions(db: Session, courses: Iterable[CourseManifest], scope=None) -> int:
    """(learner, course) pairs with every lesson of the course completed."""
    total = 0
    for course in courses:
        if not course.lesson_order:
            continue
        done = (select(ProgressEvent.user_id).where(
            ProgressEvent.course_id == course.id, ProgressEvent.kind == "lesson_completed",
            ProgressEvent.item_id.in_(course.lesson_order), _within(ProgressEvent.user_id, scope))
            .group_by(ProgressEvent.user_id)
            .having(func.count(func.distinct(ProgressEvent.item_id)) == len(course.lesson_order))).subquery()
        total += db.scalar(select(func.count()).select_from(done)) or 0
    return total


def certificates(db: Session, scope=None) -> tuple[int, int]:
    """(valid certificates, of which issued in the last seven days)."""
    valid = select(func.count(Certificate.id)).where(Certificate.revoked_at.is_(None),
                                                     _within(Certificate.user_id, scope))
    recent = valid.where(Certificate.issued_at >= utcnow() - WEEK)
    return db.scalar(valid) or 0, db.scalar(recent) or 0


def reviews_waiting(db: Session, scope=None, courses: Iterable[CourseManifest] = ()) -> int | None:
    """Assessed work waiting in the trainers' queue (/admin/grading) for the learners in scope;
    None while no course has assessed work."""
    if not any(course.assignments for course in courses):
        return None
    return db.scalar(select(func.count(TrainerTask.id)).join(Submission, Submission.id == TrainerTask.submission_id)
                     .where(TrainerTask.done_at.is_(None), _within(Submission.user_id, scope))) or 0


def accounts(db: Session, scope=None) -> int:
    return db.scalar(select(func.count(User.id)).where(User.erased_at.is_(None), _within(User.id, scope))) or 0


def figures(db: Session, courses: list[CourseManifest], scope=None) -> dict:
    valid, recent = certificates(db, scope)
    return {"accounts": accounts(db, scope), "active": active_learners(db, scope),
            "completions": completions(db, courses, scope), "certificates": valid,
            "certificates_week": recent, "reviews": reviews_waiting(db, scope, courses)}
