"""Everything recorded about a learner, as one JSON document they can download (GDPR Art. 15,
right of access, and Art. 20, data portability): the account, group memberships, progress
events, graded attempts with their answers and results, extra attempts granted, certificates
with their signed credentials, and the administrators' actions on the account."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerlearn.course.manifest import CourseManifest
from brokerlearn.server.models import (AttemptGrant, AuditEntry, Certificate, Group, GroupMember, ProgressEvent,
                                       QuizAttempt, User)

FORMAT = 1


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _quiz_title(courses: dict, course_id: str, quiz_id: str) -> str | None:
    course = courses.get(course_id)
    quiz = course.quiz(quiz_id) if course is not None else None
    return quiz.title if quiz is not None else None


def export(db: Session, user: User, courses: Iterable[CourseManifest]) -> dict:
    by_id = {c.id: c for c in courses}
    groups = db.scalars(select(Group).join(GroupMember, GroupMember.group_id == Group.id)
                        .where(GroupMember.user_id == user.id).order_by(Group.name))
    events = db.scalars(select(ProgressEvent).where(ProgressEvent.user_id == user.id)
                        .order_by(ProgressEvent.occurred_at, ProgressEvent.id))
    attempts = db.scalars(select(QuizAttempt).where(QuizAttempt.user_id == user.id)
                          .order_by(QuizAttempt.course_id, QuizAttempt.quiz_id, QuizAttempt.number))
    grants = db.scalars(select(AttemptGrant).where(AttemptGrant.user_id == user.id).order_by(AttemptGrant.id))
    certificates = db.scalars(select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.issued_at))
    actions = db.scalars(select(AuditEntry).where(AuditEntry.target_user_id == user.id).order_by(AuditEntry.at))
    return {
        "format": FORMAT,
        "account": {"email": user.email, "name": user.name, "role": user.role, "created_at": _time(user.created_at),
                    "deactivated_at": _time(user.deactivated_at)},
        "groups": [{"name": g.name} for g in groups],
        "progress_events": [{"event_id": e.event_id, "course": e.course_id, "kind": e.kind, "item": e.item_id,
                             "value": e.value, "data": e.data, "occurred_at": _time(e.occurred_at),
                             "recorded_at": _time(e.recorded_at)} for e in events],
        "quiz_attempts": [{"course": a.course_id, "quiz": a.quiz_id,
                           "quiz_title": _quiz_title(by_id, a.course_id, a.quiz_id), "number": a.number,
                           "status": a.status, "answers": a.responses, "results": a.results, "score": a.score,
                           "max_score": a.max_score, "passed": a.passed, "started_at": _time(a.started_at),
                           "submitted_at": _time(a.submitted_at)} for a in attempts],
        "extra_attempts": [{"course": g.course_id, "quiz": g.quiz_id,
                            "quiz_title": _quiz_title(by_id, g.course_id, g.quiz_id), "extra": g.extra,
                            "granted_at": _time(g.granted_at)} for g in grants],
        "certificates": [{"id": c.id, "course": c.course_id, "title": c.title, "name": c.name,
                          "outcomes": c.outcomes, "issued_at": _time(c.issued_at),
                          "valid_until": _time(c.valid_until), "revoked_at": _time(c.revoked_at),
                          "revocation_reason": c.revocation_reason, "credential": c.credential}
                         for c in certificates],
        "actions_on_the_account": [{"at": _time(e.at), "action": e.action, "by_role": e.actor_role,
                                    "details": e.details} for e in actions],
        "sign_in_identities": _identities(db, user),
    }


def _identities(db: Session, user: User) -> list[dict]:
    """The identity providers' subjects that sign the account in (server/sso/)."""
    from brokerlearn.server.models import SsoIdentity
    rows = db.scalars(select(SsoIdentity).where(SsoIdentity.user_id == user.id).order_by(SsoIdentity.id))
    return [{"issuer": i.issuer, "subject": i.subject, "linked_at": _time(i.linked_at),
             "last_used_at": _time(i.last_used_at)} for i in rows]
