"""The trainers' queue of assessed work (issue 18): which submissions wait for a trainer, and why.

A submission enters it once (one TrainerTask per submission): when its assignment has a
trainer step and it was submitted, when it is still short of peer reviews after the stranding
period (services/reviews.py, check_stranded), when its peers disagree widely
(queue_disagreement), when the learner asks for a trainer's review, or when it is a
resubmission. Entering again only adds nothing; a task is done when the trainer saves the
result. Claims and results are services/grading.py; below the entry point: the queue as a
trainer sees it (`waiting`), the daily digest (`digests`), and the mail that tells a learner
their work went to the trainer (`stranded_message`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from brokerlearn.server.models import (GroupMember, GroupTrainer, Review, Submission, TrainerTask,
                                       User, utcnow)
from brokerlearn.server.services import grading
from brokerlearn.server.services.grading import aware, claim_live

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
    if due_at is not None and (task.due_at is None or aware(due_at) < aware(task.due_at)):  # SQLite: no offset
        task.due_at = due_at
    return task


# ---- the queue as trainers see it (issue 18, item 6) ------------------------------------------



@dataclass
class Item:
    """One task of the queue with what the page shows of it."""
    task: TrainerTask
    submission: Submission
    learner: User
    course_title: str
    assignment_title: str
    due_at: datetime | None
    overdue: bool
    holder: User | None  # who holds a live claim on it, or None
    mine: bool


def learners_of(trainer_id: int) -> Select:
    """The user IDs of the members of a trainer's groups (access.visible_learner_ids, without a
    request: for the digest)."""
    groups = select(GroupTrainer.group_id).where(GroupTrainer.user_id == trainer_id)
    return select(GroupMember.user_id).where(GroupMember.group_id.in_(groups)).distinct()


def _open_tasks(db: Session, learners: Select | None):
    statement = (select(TrainerTask, Submission, User).join(Submission, Submission.id == TrainerTask.submission_id)
                 .join(User, User.id == Submission.user_id).where(TrainerTask.done_at.is_(None)))
    if learners is not None:
        statement = statement.where(Submission.user_id.in_(learners))
    return db.execute(statement).all()


def waiting(db: Session, learners: Select | None, courses, viewer_id: int | None = None,
            now: datetime | None = None) -> list[Item]:
    """The open tasks of `learners` (a query of user IDs; None: everyone's), by due date (none
    last), then by when they were queued. `courses`: the catalog, for titles."""
    now = now or utcnow()
    items = []
    for task, submission, learner in _open_tasks(db, learners):
        course = courses.get(task.course_id)
        assignment = course.assignments.get(task.assignment_id) if course else None
        due = aware(task.due_at)
        live = claim_live(task, now)
        items.append(Item(task, submission, learner, course.title if course else task.course_id,
                          assignment.title if assignment else task.assignment_id, due,
                          due is not None and due < now, db.get(User, task.claimed_by) if live else None,
                          live and task.claimed_by == viewer_id))
    far = datetime.max.replace(tzinfo=timezone.utc)
    return sorted(items, key=lambda i: (i.due_at or far, aware(i.task.queued_at), i.task.id))


def next_free(items: list[Item], after_task: int | None = None) -> Item | None:
    """The first task nobody else is grading (for save-and-next), other than `after_task`."""
    return next((i for i in items if i.task.id != after_task and (i.holder is None or i.mine)), None)


# ---- the daily digest ------------------------------------------------------------------------

@dataclass
class Digest:
    """What waits for one trainer: per course (title, waiting, overdue), overdue courses first,
    and the overdue items themselves (assignment title, due date)."""
    trainer: User
    courses: list[tuple[str, int, int]] = field(default_factory=list)
    overdue: list[tuple[str, str, datetime]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(n for _, n, _ in self.courses)


def digests(db: Session, courses, now: datetime | None = None) -> list[Digest]:
    """A digest for every trainer with something waiting (trainers: role trainer, or an admin
    assigned to a group as its trainer, who then sees everything as admins do)."""
    now = now or utcnow()
    assigned = set(db.scalars(select(GroupTrainer.user_id)))
    people = db.scalars(select(User).where(User.role.in_(("trainer", "admin")), User.deactivated_at.is_(None),
                                           User.erased_at.is_(None)).order_by(User.email))
    found = []
    for person in people:
        if person.role == "admin" and person.id not in assigned:
            continue
        items = waiting(db, None if person.role == "admin" else learners_of(person.id), courses, now=now)
        if not items:
            continue
        digest = Digest(person)
        by_course: dict[str, list[Item]] = {}
        for item in items:
            by_course.setdefault(item.course_title, []).append(item)
        rows = [(title, len(its), sum(i.overdue for i in its)) for title, its in by_course.items()]
        digest.courses = sorted(rows, key=lambda r: (-r[2], r[0]))
        digest.overdue = [(i.course_title, i.assignment_title, i.due_at) for i in items if i.overdue]
        found.append(digest)
    return found


def digest_message(digest: Digest, link: str, sender: str, lang: str = "en") -> EmailMessage:
    """The digest mail: how much waits per course, overdue first, and the queue's address."""
    from brokerlearn import i18n
    _ = i18n.translations(lang).gettext
    ngettext = i18n.translations(lang).ngettext
    message = EmailMessage()
    message["Subject"] = ngettext("%(num)d piece of assessed work waits for you",
                                  "%(num)d pieces of assessed work wait for you", digest.count) % {"num": digest.count}
    message["From"], message["To"] = sender, digest.trainer.email
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid("digest", domain=urlsplit(link).hostname or "localhost")
    parts = [_("Hello %(name)s,") % {"name": digest.trainer.name} if digest.trainer.name else _("Hello,")]
    if digest.overdue:
        parts.append(_("Overdue:") + "\n" + "\n".join(
            f"  * {course}: {title} " + _("(due %(date)s)") % {"date": f"{due:%Y-%m-%d}"}
            for course, title, due in digest.overdue))
    parts.append(_("Waiting, by course:") + "\n" + "\n".join(
        f"  * {title}: " + (_("%(waiting)d waiting, %(overdue)d overdue") % {"waiting": n, "overdue": late}
                            if late else _("%(waiting)d waiting") % {"waiting": n})
        for title, n, late in digest.courses))
    parts.append(_("The queue:") + f"\n{link}")
    message.set_content("\n\n".join(parts) + "\n")
    return message


# ---- what peers leave to the trainer ---------------------------------------------------------

def feedback_due(assignment, work: Submission) -> datetime | None:
    """When the learner was promised feedback: `due.feedback` days after submitting."""
    days = assignment.due.get("feedback")
    return aware(work.submitted_at) + timedelta(days=int(days)) if days and work.submitted_at else None


def queue_disagreement(db: Session, assignment, submission: Submission, done: list[Review] | None = None) -> bool:
    """Once `submission` has all its peer reviews (`done`: its finished ones; None: read them),
    queue it for a trainer ("disagreement") when they disagree widely (grading.disagreement, the
    one rule). Called when a peer review is handed in, and by the sweep. Whether it was queued
    (not committed)."""
    if done is None:
        done = grading.peer_reviews(db, submission.id)
    if (not assignment.peer_reviews or len(grading.counted(done)) < assignment.peer_reviews
            or not grading.disagreement(assignment, done)):
        return False
    enqueue(db, submission, "disagreement", due_at=feedback_due(assignment, submission))
    return True


def queued(db: Session, submission_id: int) -> TrainerTask | None:
    """The submission's task in the queue, done or not (None: it never entered)."""
    return db.scalar(select(TrainerTask).where(TrainerTask.submission_id == submission_id))


def stranded_message(learner: User, title: str, link: str, sender: str, lang: str = "en") -> EmailMessage:
    """Telling a learner that their work, short of peer reviews, went to the trainer."""
    from brokerlearn import i18n
    _ = i18n.translations(lang).gettext
    message = EmailMessage()
    message["Subject"] = _("Your work goes to the trainer")
    message["From"], message["To"] = sender, learner.email
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid("stranded", domain=urlsplit(link).hostname or "localhost")
    message.set_content("\n\n".join(filter(None, [
        _("Hello %(name)s,") % {"name": learner.name} if learner.name else _("Hello,"),
        _("Not enough peers have reviewed \"%(title)s\" yet, so a trainer reviews it instead. You need to do "
          "nothing: you will see the feedback once it is released.") % {"title": title},
        link,
    ])) + "\n")
    return message
