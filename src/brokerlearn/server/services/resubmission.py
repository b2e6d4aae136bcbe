"""Revise and resubmit (issue 18, item 3): whether a learner may start another attempt under the
assignment's `resubmit.allowed` (never | trainer | until-pass) and `max_attempts`, opening it,
and a trainer's word that they may (ResubmitGrant). Results count once released."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerlearn.course.assignment import Assignment
from brokerlearn.course.manifest import CourseManifest
from brokerlearn.server import access
from brokerlearn.server.errors import ApiError
from brokerlearn.server.models import AssignmentResult, ResubmitGrant, Submission, utcnow
from brokerlearn.server.services.ratings import MAX_COMMENT
from brokerlearn.server.services.submissions import _iso, assignment_or_404, submission_json


def _aware(moment: datetime | None) -> datetime | None:
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def released_result(db: Session, submission_id: int) -> AssignmentResult | None:
    """The submission's result once the trainer released it; None before (and without one)."""
    return db.scalar(select(AssignmentResult).where(AssignmentResult.submission_id == submission_id,
                                                    AssignmentResult.released_at.is_not(None)))


@dataclass(frozen=True)
class Attempts:
    open: bool  # a new attempt may be started now
    reason: str  # why not (a code), or "" when open
    left: int  # attempts still allowed after those made


def attempts_open(db: Session, assignment: Assignment, rows: list[Submission]) -> Attempts:
    """Whether the learner may start another attempt, by `resubmit.allowed`: never; when a
    trainer asks (a ResubmitGrant on the latest); until-pass (a released result below the
    pass mark); never beyond `max_attempts`, nor past a passed result."""
    left = max(0, assignment.max_attempts - len(rows))
    if not rows:
        return Attempts(True, "", assignment.max_attempts)
    latest = rows[-1]
    if latest.status != "submitted":
        return Attempts(False, "draft_open", left)
    if assignment.resubmit == "never":
        return Attempts(False, "never", 0)
    if not left:
        return Attempts(False, "no_attempts_left", 0)
    result = released_result(db, latest.id)
    if assignment.resubmit == "until-pass":
        if result is None:
            return Attempts(False, "not_released", left)
        return Attempts(False, "passed", left) if result.passed else Attempts(True, "", left)
    granted = db.scalar(select(ResubmitGrant.id).where(ResubmitGrant.submission_id == latest.id))
    return Attempts(True, "", left) if granted is not None else Attempts(False, "trainer_decides", left)


def attempts_of(db: Session, user_id: int, course_id: str, assignment_id: str) -> list[Submission]:
    return list(db.scalars(select(Submission).where(
        Submission.user_id == user_id, Submission.course_id == course_id,
        Submission.assignment_id == assignment_id).order_by(Submission.attempt)))


_WHY_NOT = {"draft_open": "a draft is open: submit it", "never": "this assignment is submitted once",
            "no_attempts_left": "every allowed attempt is used", "not_released": "wait for your result",
            "passed": "your work passed", "trainer_decides": "a trainer decides whether you revise it"}


def start_resubmission(db: Session, user_id: int, course: CourseManifest, assignment_id: str) -> dict:
    """Open the next attempt as a draft holding the last attempt's text (files are attached anew)."""
    assignment = assignment_or_404(course, assignment_id)
    rows = attempts_of(db, user_id, course.id, assignment.id)
    if not rows:
        raise ApiError(409, "there is no submitted work to revise", "nothing_to_revise")
    state = attempts_open(db, assignment, rows)
    if not state.open:
        raise ApiError(409, f"not now: {_WHY_NOT[state.reason]}", state.reason)
    draft = Submission(user_id=user_id, course_id=course.id, assignment_id=assignment.id, attempt=rows[-1].attempt + 1,
                       status="draft", text=rows[-1].text, rubric_version=assignment.rubric.version)
    db.add(draft)
    db.commit()
    return submission_json(db, draft)


def grant_resubmission(db: Session, actor, course: CourseManifest, submission_id: int, note) -> dict:
    """A trainer of the learner's groups (or an administrator) asks the learner to revise."""
    work = db.get(Submission, submission_id)
    if work is None or work.course_id != course.id or not (
            actor.role == "admin" or (actor.role == "trainer" and access.can_see_learner(actor, work.user_id))):
        raise ApiError(404, "no such submission", "unknown_submission")
    assignment = assignment_or_404(course, work.assignment_id)
    if assignment.resubmit != "trainer":
        raise ApiError(409, f"this assignment's resubmission rule is '{assignment.resubmit}', not the trainer's",
                       "not_trainers_rule")
    if work.status != "submitted" or work.attempt >= assignment.max_attempts:
        raise ApiError(409, "this work cannot be revised again", "no_attempts_left")
    if note is not None and (not isinstance(note, str) or len(note) > MAX_COMMENT):
        raise ApiError(422, f"the note is a text of at most {MAX_COMMENT} characters", "invalid")
    grant = db.scalar(select(ResubmitGrant).where(ResubmitGrant.submission_id == work.id))
    if grant is None:
        grant = ResubmitGrant(submission_id=work.id, granted_by=actor.id, granted_at=utcnow(), note=note or "")
        db.add(grant)
    db.commit()
    return {"submission": work.id, "granted_at": _iso(_aware(grant.granted_at))}
