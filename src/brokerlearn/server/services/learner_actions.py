"""What an administrator (or a trainer, where the views allow it) does to one account, for the
learner's admin page and `brokerlearn users ...` alike: each function performs the action and
records it in the audit trail once, in the same transaction. Problems a person can fix are
AccountError (shown as they are; exit code 2 on the command line)."""
from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from brokerlearn.course.manifest import CourseManifest, Quiz
from brokerlearn.server.language import gettext as _
from brokerlearn.server.models import ROLES, AttemptGrant, Group, GroupTrainer, User, utcnow
from brokerlearn.server.services import accounts, audit
from brokerlearn.server.services.accounts import AccountError
from brokerlearn.server.services.audit import Actor

MAX_EXTRA = 20


def _fold(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def password_reset(db: Session, actor: Actor, learner: User, secret: str, base_url: str,
                   send: Callable[[str, str], None] | None = None) -> tuple[str, bool]:
    """A one-time reset link (valid one hour) for the learner: mailed with `send(email, link)`
    when given (a failure to send raises, and nothing is recorded), else returned to be shown.
    Returns (link, whether it was mailed)."""
    _refuse_erased(learner)
    link = f"{base_url.rstrip('/')}/account/reset/{accounts.make_reset_token(secret, learner)}"
    if send is not None:
        send(learner.email, link)
    audit.record(db, actor, "password_reset", learner,
                 details="sent by e-mail" if send is not None else "link shown to the actor")
    db.commit()
    return link, send is not None


def set_role(db: Session, actor: Actor, learner: User, role: str) -> None:
    """Give the account another role; its sessions end (accounts.set_role), so the new role
    holds from the next page on. The last administrator keeps theirs."""
    _refuse_erased(learner)
    if role not in ROLES:
        raise AccountError(_("Role must be one of %(join)s.") % {"join": ", ".join(ROLES)}, "role")
    before = learner.role
    if before == role:
        raise AccountError(_("The account has this role already."), "role")
    if before == "admin" and db.scalar(select(func.count(User.id)).where(
            User.role == "admin", User.deactivated_at.is_(None))) <= 1:
        raise AccountError(_("This is the last administrator: make another account admin first."), "role")
    audit.record(db, actor, "role_changed", learner, details=f"{before} → {role}")
    accounts.set_role(db, learner, role)  # commits the entry with the change


def graded_quizzes(courses: Iterable[CourseManifest]) -> list[tuple[CourseManifest, Quiz]]:
    """Every graded quiz with a limit on attempts, by course: the quizzes extra attempts are for."""
    return [(course, quiz) for course in courses for quiz in course.graded_quizzes() if quiz.max_attempts]


def find_quiz(courses: Iterable[CourseManifest], title: str, course_id: str | None = None
              ) -> tuple[CourseManifest, Quiz]:
    """The graded quiz of this title (any case and spacing), in `course_id` if given."""
    found = [(c, q) for c, q in graded_quizzes(courses)
             if _fold(q.title) == _fold(title) and (not course_id or c.id == course_id)]
    if not found:
        raise AccountError(_("No graded quiz with a limit on attempts is called '%(title)s'.") % {"title": title},
                           "quiz")
    if len(found) > 1:
        raise AccountError(_("Several courses have a quiz called '%(title)s': name the course (%(courses)s).")
                           % {"title": title, "courses": ", ".join(c.id for c, _q in found)}, "quiz")
    return found[0]


def grant_attempts(db: Session, actor: Actor, learner: User, courses: Iterable[CourseManifest], title: str,
                   extra, course_id: str | None = None) -> tuple[CourseManifest, Quiz]:
    """`extra` more attempts at the quiz called `title`; the attempts service counts them."""
    _refuse_erased(learner)
    try:
        extra = int(extra)
    except (TypeError, ValueError):
        extra = 0
    if not 1 <= extra <= MAX_EXTRA:
        raise AccountError(_("Grant between 1 and %(most)s extra attempts.") % {"most": MAX_EXTRA}, "extra")
    course, quiz = find_quiz(courses, title, course_id)
    db.add(AttemptGrant(user_id=learner.id, course_id=course.id, quiz_id=quiz.id, extra=extra))
    audit.record(db, actor, "attempts_granted", learner, details=f"{extra} × {quiz.title} ({course.title})")
    db.commit()
    return course, quiz


def grants(db: Session, learner_id: int) -> dict[tuple[str, str], int]:
    """(course, quiz) -> extra attempts granted to the learner."""
    rows = db.execute(select(AttemptGrant.course_id, AttemptGrant.quiz_id, func.sum(AttemptGrant.extra))
                      .where(AttemptGrant.user_id == learner_id)
                      .group_by(AttemptGrant.course_id, AttemptGrant.quiz_id)).all()
    return {(c, q): int(n) for c, q, n in rows}


def deactivate(db: Session, actor: Actor, learner: User) -> None:
    """The account can no longer sign in, and every session it has ends now."""
    _refuse_erased(learner)
    if actor.id == learner.id:
        raise AccountError(_("You cannot deactivate your own account."))
    if learner.deactivated_at is not None:
        raise AccountError(_("The account is deactivated already."))
    learner.deactivated_at = utcnow()
    audit.record(db, actor, "deactivated", learner)
    db.commit()
    accounts.end_sessions(db, learner.id)


def reactivate(db: Session, actor: Actor, learner: User) -> None:
    _refuse_erased(learner)
    if learner.deactivated_at is None:
        raise AccountError(_("The account is active already."))
    learner.deactivated_at = None
    audit.record(db, actor, "reactivated", learner)
    db.commit()


def erase(db: Session, actor: Actor, learner: User, courses: Iterable[CourseManifest]) -> str:
    """GDPR Art. 17 (services/erasure.py); returns the label the account keeps."""
    from brokerlearn.server.services import erasure
    _refuse_erased(learner)
    if actor.id == learner.id:
        raise AccountError(_("You cannot erase your own account here: use the account settings."))
    files = accounts.submitted_files(db, learner.id)  # their rows go with erasure.erase
    label = erasure.erase(db, learner, courses)
    audit.record(db, actor, "erased", learner, target=label)
    db.commit()
    for path in files:  # once the erasure is committed: a failed one keeps the files it needs
        path.unlink(missing_ok=True)
    accounts.end_sessions(db, learner.id)
    return label


def set_trainer(db: Session, actor: Actor, group: Group, trainer: User, assigned: bool = True) -> None:
    """Assign a trainer to the group (they must have the trainer role), or remove them."""
    exists = db.get(GroupTrainer, (group.id, trainer.id)) is not None
    if assigned:
        if trainer.role != "trainer":
            raise AccountError(_("%(email)s is not a trainer: give the account the trainer role first.")
                               % {"email": trainer.email}, "trainer")
        if exists:
            raise AccountError(_("%(email)s trains this group already.") % {"email": trainer.email}, "trainer")
        db.add(GroupTrainer(group_id=group.id, user_id=trainer.id))
    else:
        if not exists:
            raise AccountError(_("%(email)s does not train this group.") % {"email": trainer.email}, "trainer")
        db.execute(delete(GroupTrainer).where(GroupTrainer.group_id == group.id, GroupTrainer.user_id == trainer.id))
    audit.record(db, actor, "trainer_assigned" if assigned else "trainer_removed", trainer, details=group.name)
    db.commit()


def group_named(db: Session, name: str) -> Group:
    group = db.scalar(select(Group).where(Group.name == " ".join((name or "").split())))
    if group is None:
        raise AccountError(_("No group called '%(name)s'.") % {"name": name}, "group")
    return group


def trainers_of(db: Session, group_id: int) -> list[User]:
    return list(db.scalars(select(User).join(GroupTrainer, GroupTrainer.user_id == User.id)
                           .where(GroupTrainer.group_id == group_id).order_by(User.email)))


def _refuse_erased(learner: User) -> None:
    if learner.erased_at is not None:
        raise AccountError(_("This account has been erased: nothing is left to change."))
