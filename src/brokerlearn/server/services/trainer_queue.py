"""The trainers' queue of assessed work (issue 18): which submissions wait for a trainer, and why.

A submission enters it once (one TrainerTask per submission): when its assignment has a
trainer step and it was submitted, when it is still short of peer reviews after the stranding
period, when its peers disagree widely, when the learner asks for a trainer's review, or when it
is a resubmission. Entering again only adds nothing; a task is done when the trainer saves the
result. Claims, the grading page and the digest build on this (services/grading.py).
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerlearn.server.models import Submission, TrainerTask, utcnow

REASONS = ("trainer", "stranded", "disagreement", "requested", "resubmitted")


def enqueue(db: Session, submission: Submission, reason: str, due_at: datetime | None = None) -> TrainerTask:
    """Put `submission` in the trainers' queue for `reason` (not committed). A submission already
    waiting keeps its place and first reason; one already graded is queued again only when the
    learner asks for a trainer's review or resubmits."""
    if reason not in REASONS:
        raise ValueError(f"unknown reason {reason!r}: one of {', '.join(REASONS)}")
    task = db.scalar(select(TrainerTask).where(TrainerTask.submission_id == submission.id))
    if task is None:
        task = TrainerTask(submission_id=submission.id, course_id=submission.course_id,
                           assignment_id=submission.assignment_id, reason=reason, queued_at=utcnow(), due_at=due_at)
        db.add(task)
    elif task.done_at is not None and reason in ("requested", "resubmitted"):
        task.done_at, task.reason, task.queued_at = None, reason, utcnow()
        task.claimed_by = task.claimed_at = None
    held = task.due_at if task.due_at is None or task.due_at.tzinfo else task.due_at.replace(tzinfo=timezone.utc)
    if due_at is not None and (held is None or due_at < held):  # (SQLite gives it back without its offset)
        task.due_at = due_at
    return task
