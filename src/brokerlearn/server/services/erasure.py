"""Erasing a person's data on request (GDPR Art. 17) while the cohort's figures stay as they were.

The account row stays as an anonymous placeholder ("erased account #N": no e-mail, no name, no
usable password, deactivated), so the attempts and progress events it holds keep counting in
the aggregate statistics (item statistics, completion funnel) without naming anyone. What can
hold personal data is removed or anonymised:

* users: e-mail, name, password; every session ends;
* quiz_attempts: typed answers (free text, numbers, reflections) and the feedback and messages
  that echo them; chosen option IDs stay (the item statistics count them);
* progress_events: their `data`;
* certificates: revoked with a neutral reason, the name and the signed credential removed;
* login_failures: the rows naming the address, and the rows of the IP addresses they came from;
* group_members, group_trainers and every other table with a column pointing at the account:
  its rows deleted, except where the column is "ON DELETE SET NULL" (a result the person graded
  as a trainer, a claim, a review they set aside): there the row stays and the column is emptied (a table added later is erased this way unless it registers a scrubber in
  SCRUBBERS to keep rows for statistics);
* audit_entries: the entries stay, the person's e-mail, name and addresses replaced by the label;
* invitations: every invitation of the person deleted, those of the account and those of its
  address that point at no account (made before the person registered, or into another group).
"""
from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from brokerlearn.course.grading import current_ids
from brokerlearn.course.manifest import CourseManifest
from brokerlearn.server.models import Base, Invitation, LoginFailure, ProgressEvent, QuizAttempt, User, utcnow


def label_of(user_id: int) -> str:
    return f"erased account #{user_id}"


def _scrub_attempts(db: Session, user: User, courses: dict[str, CourseManifest]) -> None:
    for attempt in db.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id)):
        quiz = courses[attempt.course_id].quiz(attempt.quiz_id) if attempt.course_id in courses else None
        questions = quiz.question_index if quiz is not None else {}
        attempt.responses = {qid: _kept_choice(questions.get(qid), response)
                             for qid, response in (attempt.responses or {}).items()} or attempt.responses
        attempt.results = {qid: {**result, "feedback": [], "error": None}
                           for qid, result in (attempt.results or {}).items()} or attempt.results


def _kept_choice(question, response):
    """The response if it holds nothing the learner typed: true or false, or only IDs of the
    question's options, items and pairs (what the item statistics count); else None: typed
    text, numbers and reflections go."""
    if question is None:
        return None
    if isinstance(response, bool):
        return response
    response = current_ids(question, response)
    known = {o.id for o in question.options} | {i.id for i in question.items}
    known |= {p.left_id for p in question.pairs} | {p.right_id for p in question.pairs}
    if isinstance(response, dict):
        values = [*response.keys(), *response.values()]
    else:
        values = response if isinstance(response, list) else [response]
    if values and all(isinstance(v, str) and v in known for v in values):
        return response
    return None


def _scrub_events(db: Session, user: User, _courses) -> None:
    db.execute(ProgressEvent.__table__.update().where(ProgressEvent.user_id == user.id).values(data=None))


def _scrub_certificates(db: Session, user: User, _courses) -> None:
    from brokerlearn.server.services.certificates import erase_holder
    erase_holder(db, user.id)


def _scrub_invitations(db: Session, user: User, _courses) -> None:
    """An invitation holds an address and a name and is not always linked to the account
    (user_id is set only by the one that was used), so it is found by the address as well."""
    table = Invitation.__table__
    db.execute(table.delete().where((table.c.user_id == user.id)
                                    | (func.lower(table.c.email) == (user.email or "").strip().lower())))


def _scrub_audit(db: Session, user: User, _courses) -> None:
    from brokerlearn.server.services.audit import forget_person
    forget_person(db, user, label_of(user.id))


# Tables whose rows of the account are kept (for statistics and records), made anonymous by
# their scrubber; the rows of every other table that points at users are deleted.
SCRUBBERS: dict[str, Callable[[Session, User, dict], None]] = {
    "quiz_attempts": _scrub_attempts,
    "progress_events": _scrub_events,
    "certificates": _scrub_certificates,
    "audit_entries": _scrub_audit,
    "invitations": _scrub_invitations,
}


def _forget_login_failures(db: Session, email: str) -> None:
    """Rows are keyed `account:ADDRESS:EMAIL` and `address:ADDRESS`."""
    rows = db.scalars(select(LoginFailure.key).where(LoginFailure.key.like("account:%"))).all()
    mine = [key for key in rows if key.rsplit(":", 1)[-1] == email]
    addresses = {key.split(":", 1)[1].rsplit(":", 1)[0] for key in mine}
    keys = mine + [f"address:{a}"[:400] for a in addresses]
    if keys:
        db.execute(delete(LoginFailure).where(LoginFailure.key.in_(keys)))


def _delete_other_rows(db: Session, user: User) -> None:
    for table in reversed(Base.metadata.sorted_tables):
        if table.name == "users" or table.name in SCRUBBERS:
            continue
        for column in table.columns:
            keys = [fk for fk in column.foreign_keys if fk.column.table.name == "users"]
            if not keys:
                continue
            if all(fk.ondelete == "SET NULL" for fk in keys):
                # the row is someone else's (a result the person graded, a review they set
                # aside): it stays, without the person
                db.execute(table.update().where(column == user.id).values({column.name: None}))
            else:
                db.execute(table.delete().where(column == user.id))


def erase(db: Session, user: User, courses: Iterable[CourseManifest]) -> str:
    """Erase the person behind `user` (not committed: the caller records, commits and then ends
    the account's sessions with accounts.end_sessions). Returns the placeholder's label."""
    by_id = {course.id: course for course in courses}
    label = label_of(user.id)
    for scrub in SCRUBBERS.values():
        scrub(db, user, by_id)
    _delete_other_rows(db, user)
    _forget_login_failures(db, user.email)
    user.email = f"erased-{user.id}@erased.invalid"
    user.name = ""
    user.password_hash = generate_password_hash(secrets.token_urlsafe(32))
    user.role = "learner"
    user.deactivated_at = user.deactivated_at or utcnow()
    user.erased_at = utcnow()
    return label
