"""The retention period of assessed work (issue 18, item 8): submissions older than the setting
BROKERLEARN_SUBMISSION_RETENTION_DAYS are deleted, with their files and the reviews of them;
their results (the scores, the grade of record) stay, no longer tied to a submission. A
submission counts from when it was submitted (a draft: when it was last saved). Work still
waiting in the trainers' queue is kept until it is graded, so nothing is lost unread.

`brokerlearn assignments purge` runs it (daily from cron); each run that deletes anything is one
entry in the audit trail, committed with the deletion; the files go once that is committed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from brokerlearn.server.models import AssignmentResult, Review, Submission, SubmissionFile, TrainerTask, utcnow
from brokerlearn.server.services import audit
from brokerlearn.server.services.submissions import FOLDER


@dataclass(frozen=True)
class Purged:
    submissions: int
    files: int
    reviews: int
    results_kept: int
    waiting: int  # older than the period, kept: still in the trainers' queue
    cutoff: datetime


def _older(cutoff: datetime):
    return func.coalesce(Submission.submitted_at, Submission.updated_at) < cutoff


def purge(db: Session, instance: Path, days: int, actor: audit.Actor, now: datetime | None = None,
          dry_run: bool = False) -> Purged:
    """Delete what is older than `days` (see the module's docstring) and say what went."""
    if days < 0:
        raise ValueError("the retention period cannot be negative")
    cutoff = (now or utcnow()) - timedelta(days=days)
    waiting_ids = select(TrainerTask.submission_id).where(TrainerTask.done_at.is_(None))
    old = list(db.scalars(select(Submission.id).where(_older(cutoff))))
    ids = list(db.scalars(select(Submission.id).where(_older(cutoff), Submission.id.not_in(waiting_ids))))
    waiting = len(old) - len(ids)
    if not ids:
        return Purged(0, 0, 0, 0, waiting, cutoff)
    files = list(db.scalars(select(SubmissionFile.stored_name).where(SubmissionFile.submission_id.in_(ids))))
    reviews = db.scalar(select(func.count(Review.id)).where(Review.submission_id.in_(ids))) or 0
    results = db.scalar(select(func.count(AssignmentResult.id)).where(AssignmentResult.submission_id.in_(ids))) or 0
    found = Purged(len(ids), len(files), reviews, results, waiting, cutoff)
    if dry_run:
        return found
    db.execute(update(AssignmentResult).where(AssignmentResult.submission_id.in_(ids)).values(submission_id=None))
    db.execute(delete(Review).where(Review.submission_id.in_(ids)))
    db.execute(delete(TrainerTask).where(TrainerTask.submission_id.in_(ids)))
    db.execute(delete(SubmissionFile).where(SubmissionFile.submission_id.in_(ids)))
    db.execute(delete(Submission).where(Submission.id.in_(ids)))
    audit.record(db, actor, "submissions_purged", target=f"{len(ids)} submissions",
                 details=f"retention {days} days (submitted or last saved before {cutoff:%Y-%m-%d %H:%M} UTC): "
                         f"{len(ids)} submissions, {len(files)} files, {reviews} reviews deleted; "
                         f"{results} results kept; {waiting} waiting for a trainer kept")
    db.commit()
    folder = instance / FOLDER
    for name in files:
        (folder / name).unlink(missing_ok=True)
    return found

