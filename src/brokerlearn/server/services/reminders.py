"""Gentle reminders of assessed work by e-mail (issue 18, item 3), sent by `brokerlearn
assignments remind` (cli/assignments.py), e.g. once a day from cron.

A learner is mailed when the next step of one of their assignments (services/timeline.py
`Timeline.reminder`) is theirs to do and due within two days or overdue: submit, practise,
review peers, resubmit. Never when there is nothing to do, never for an optional step or one
that waits on others, never to a deactivated or erased account, and at most once a day per
step: a `ReminderSent` row per (learner, course, assignment, step, day), stored before the mail
leaves (its unique key keeps two runs at once from both sending) and taken back when the mail
fails, so that the next run tries again. One mail per learner lists all their due steps, in
their language (the one they were invited in, else the course's).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import urlsplit

from sqlalchemy import delete, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from brokerlearn import i18n
from brokerlearn.course.manifest import CourseManifest
from brokerlearn.server.models import Invitation, ProgressEvent, ReminderSent, Submission, User
from brokerlearn.server.services import timeline

WITHIN_DAYS = 2


@dataclass
class Due:
    """One step a learner is reminded of."""
    course: CourseManifest
    timeline: timeline.Timeline
    step: timeline.Step


@dataclass
class Reminder:
    """One mail: a learner, their language, their due steps."""
    user: User
    lang: str
    due: list[Due] = field(default_factory=list)


@dataclass
class Outcome:
    mailed: int = 0  # learners
    steps: int = 0
    skipped: int = 0  # steps reminded already today
    failed: list[str] = field(default_factory=list)  # "address: why"
    planned: list[Reminder] = field(default_factory=list)


def learners_of(db: Session, course: CourseManifest) -> list[User]:
    """Active accounts with a timeline in the course: they opened a lesson that shows an
    assignment, or have a submission."""
    lessons = [lesson.id for a in course.assignments.values() if (lesson := timeline.lesson_of(course, a))]
    ids = union(select(ProgressEvent.user_id).where(ProgressEvent.course_id == course.id,
                                                     ProgressEvent.item_id.in_(lessons or [""])),
                select(Submission.user_id).where(Submission.course_id == course.id)).subquery()
    return list(db.scalars(select(User).where(User.id.in_(select(ids.c[0])), User.deactivated_at.is_(None),
                                              User.erased_at.is_(None)).order_by(User.id)))


def language_of(db: Session, user: User, course: CourseManifest) -> str:
    invited = db.scalar(select(Invitation.lang).where(Invitation.user_id == user.id)
                        .order_by(Invitation.id.desc()).limit(1))
    return i18n.base_language(invited or course.language)


def due_reminders(db: Session, courses: list[CourseManifest], now: datetime | None = None,
                  within_days: int = WITHIN_DAYS) -> list[Reminder]:
    """Who is to be reminded of what now (nothing is stored)."""
    now = now or datetime.now(timezone.utc)
    found: dict[int, Reminder] = {}
    pools: dict = {}
    for course in courses:
        if not course.assignments:
            continue
        for user in learners_of(db, course):
            for line in timeline.for_learner(db, user.id, course, now, pools=pools):
                step = line.reminder(within_days)
                if step is not None:
                    reminder = found.get(user.id) or found.setdefault(
                        user.id, Reminder(user, language_of(db, user, course)))
                    reminder.due.append(Due(course, line, step))
    return list(found.values())


def message(reminder: Reminder, sender: str, base_url: str, agency: str = "") -> EmailMessage:
    """The reminder mail in the learner's language: each due step with its date and link."""
    t = i18n.translations(reminder.lang)
    _ = t.gettext  # noqa: F811 - the learner's language
    mail = EmailMessage()
    mail["Subject"] = (_("%(agency)s: your next step in your assessed work") % {"agency": agency} if agency
                       else _("Your next step in your assessed work"))
    mail["From"], mail["To"] = sender, reminder.user.email
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = make_msgid("remind", domain=urlsplit(base_url).hostname or "localhost")
    name = reminder.user.name
    lines = []
    for due in reminder.due:
        line = timeline.words(due.timeline, reminder.lang)
        text = f"  * {line['title']} ({due.course.title}): {line['next']['text']}"
        if line["url"]:
            text += f"\n    {base_url.rstrip('/')}/{line['url']}"
        lines.append(text)
    mail.set_content("\n\n".join([
        _("Hello %(name)s,") % {"name": name} if name else _("Hello,"),
        _("This is what is next in your assessed work:") + "\n\n" + "\n\n".join(lines),
        _("You get a reminder only while a step of yours is due, at most once a day."),
    ]) + "\n")
    return mail


def _claim(db: Session, reminder: Reminder, day) -> list[ReminderSent] | None:
    """Store today's rows of the reminder's steps that were not reminded yet today; None when
    every step was (or another run is sending them now)."""
    rows = []
    for due in list(reminder.due):
        sent = db.scalar(select(ReminderSent.id).where(
            ReminderSent.user_id == reminder.user.id, ReminderSent.course_id == due.course.id,
            ReminderSent.assignment_id == due.timeline.assignment.id, ReminderSent.step == due.step.key,
            ReminderSent.sent_on == day))
        if sent is not None:
            reminder.due.remove(due)
            continue
        rows.append(ReminderSent(user_id=reminder.user.id, course_id=due.course.id,
                                 assignment_id=due.timeline.assignment.id, step=due.step.key, sent_on=day))
    if not rows:
        return None
    db.add_all(rows)
    try:
        db.commit()
    except IntegrityError:
        db.rollback()
        return None
    return rows


def send_reminders(db: Session, courses: list[CourseManifest], send, base_url: str, sender: str, agency: str = "",
                   now: datetime | None = None, actor=None, dry_run: bool = False) -> Outcome:
    """Mail every learner whose step is due (see the module's rules) with `send(message)`, which
    raises MailError on failure. With `dry_run`, who would be mailed, and nothing stored or
    sent. With an `actor`, one audit entry for the run."""
    from brokerlearn.server.mail import MailError
    now = now or datetime.now(timezone.utc)
    outcome = Outcome()
    for reminder in due_reminders(db, courses, now):
        before = len(reminder.due)
        if dry_run:
            outcome.planned.append(reminder)
            continue
        rows = _claim(db, reminder, now.date())
        outcome.skipped += before - len(reminder.due)
        if rows is None:
            continue
        try:
            send(message(reminder, sender, base_url, agency))
        except MailError as exc:
            db.execute(delete(ReminderSent).where(ReminderSent.id.in_([r.id for r in rows])))
            db.commit()
            outcome.failed.append(f"{reminder.user.email}: {exc}")
            continue
        outcome.mailed += 1
        outcome.steps += len(rows)
        outcome.planned.append(reminder)
    if actor is not None and outcome.mailed:
        from brokerlearn.server.services import audit
        audit.record(db, actor, "reminders_sent", target=f"{outcome.mailed} learner(s)",
                     details=f"{outcome.steps} step(s) due in {', '.join(sorted({c.id for c in courses}))}"
                     + (f"; {len(outcome.failed)} not mailed" if outcome.failed else ""))
        db.commit()
    return outcome
