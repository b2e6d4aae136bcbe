"""The audit trail: every administrator's and trainer's action, recorded once, where it happens.

`record` is called by the service function that performs an action (services/learner_actions.py,
and the neighbours' services for groups, invitations and revocations), inside the action's own
transaction: the action and its entry are committed together or not at all. The actor is an
`Actor` (who, from which address): the signed-in person of a request, or the command line.
"""
from __future__ import annotations

import getpass
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from brokerlearn.exports.tables import csv_text
from brokerlearn.server.models import AuditEntry, User, utcnow



def N_(text: str) -> str:
    """Marks words for the catalogs; the page translates them."""
    return text


# Every action recorded, with its words for the page (the filter lists these). The neighbours'
# actions (invitations, group changes, revocations) add their names here.
ACTIONS = {
    "password_reset": N_("sent a password-reset link"),
    "role_changed": N_("changed the role"),
    "attempts_granted": N_("granted extra attempts"),
    "deactivated": N_("deactivated the account"),
    "reactivated": N_("reactivated the account"),
    "erased": N_("erased the account (GDPR Art. 17)"),
    "trainer_assigned": N_("assigned a trainer to a group"),
    "trainer_removed": N_("removed a trainer from a group"),
    # cohorts (services/invitations.py, services/enrolment.py, server/admin_cohorts.py)
    "invitation_made": N_("made an invitation link"),
    "invitation_sent": N_("sent an invitation"),
    "invitation_resent": N_("sent an invitation again"),
    "invitation_links_downloaded": N_("downloaded the invitation links"),
    "csv_enrolment": N_("enrolled from a CSV file"),
    "group_created": N_("created a group"),
    "member_added": N_("added a member to a group"),
    "member_removed": N_("removed a member from a group"),
    "schedule_set": N_("set a group's courses and dates"),
    # certificates and reports (services/certificates.py, services/reports.py)
    "certificate_revoked": N_("revoked a certificate"),
    "report_downloaded": N_("downloaded a report"),
    # assessed work (services/retention.py)
    "submissions_purged": N_("deleted submissions after the retention period"),
    # single sign-on (server/sso/accounts.py, server/sso/emergency.py)
    "sso_linked": N_("linked a sign-in of an identity provider"),
    "sso_unlinked": N_("unlinked a sign-in of an identity provider"),
    "emergency_sign_in": N_("signed in with an emergency link"),
    "sso_provider_added": N_("added an identity provider"),
    "sso_provider_removed": N_("removed an identity provider"),
    "sso_enrolment_set": N_("set an identity provider's enrolment rule"),
    # assessed work: grading (services/grading.py)
    "assignment_graded": N_("graded assessed work"),
    "peers_confirmed": N_("confirmed the peers' median as the grade"),
    "grading_taken_over": N_("took over grading from a lapsed claim"),
    "review_set_aside": N_("set a peer review aside"),
    "review_counted_again": N_("counted a set-aside peer review again"),
    "results_released": N_("released results of assessed work"),
    # assessed work (services/reminders.py)
    "reminders_sent": N_("sent reminders of assessed work"),
    # LTI 1.3 (server/lti/registration.py)
    "lti_platform_added": N_("registered an LMS platform"),
    "lti_platform_removed": N_("removed an LMS platform"),
}


@dataclass(frozen=True)
class Actor:
    """Who acts: an account (id, e-mail, name, role) and the address the request came from."""
    id: int | None
    email: str
    name: str
    role: str
    address: str

    @classmethod
    def of(cls, user, address: str | None) -> "Actor":
        return cls(user.id, user.email, user.name or "", user.role, (address or "")[:64])

    @classmethod
    def command_line(cls) -> "Actor":
        try:
            who = getpass.getuser()
        except Exception:  # noqa: BLE001 - no user name on this system
            who = "unknown"
        return cls(None, f"command line ({who})"[:320], "", "admin", "command line")


def record(db: Session, actor: Actor, action: str, target_user: User | None = None, target: str = "",
           details: str = "") -> AuditEntry:
    """Add the entry to the session; the caller's commit stores it with the action."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    if target_user is not None and not target:
        target = target_user.email
    entry = AuditEntry(at=utcnow(), actor_id=actor.id, actor_email=actor.email, actor_name=actor.name,
                       actor_role=actor.role, address=actor.address, action=action,
                       target_user_id=target_user.id if target_user is not None else None,
                       target=target[:400], details=details)
    db.add(entry)
    return entry


@dataclass
class Filters:
    """What the audit page is narrowed to; empty fields do not filter."""
    actor: str = ""
    action: str = ""
    target: str = ""
    since: datetime | None = None
    until: datetime | None = None  # exclusive


def _like(text: str) -> str:
    return f"%{text.lower().replace('%', '').replace('_', '')}%"


def entries(db: Session, filters: Filters, limit: int | None = 500) -> list[AuditEntry]:
    """The entries matching `filters`, newest first."""
    statement = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if filters.actor:
        pattern = _like(filters.actor)
        statement = statement.where(func.lower(AuditEntry.actor_email).like(pattern)
                                    | func.lower(AuditEntry.actor_name).like(pattern))
    if filters.action:
        statement = statement.where(AuditEntry.action == filters.action)
    if filters.target:
        statement = statement.where(func.lower(AuditEntry.target).like(_like(filters.target)))
    if filters.since:
        statement = statement.where(AuditEntry.at >= filters.since)
    if filters.until:
        statement = statement.where(AuditEntry.at < filters.until)
    if limit:
        statement = statement.limit(limit)
    return list(db.scalars(statement))


def entries_csv(db: Session, filters: Filters) -> str:
    return csv_text(["at", "actor", "actor_name", "actor_role", "address", "action", "target", "details"],
                    ([f"{e.at:%Y-%m-%dT%H:%M:%S}", e.actor_email, e.actor_name, e.actor_role, e.address, e.action,
                      e.target, e.details] for e in entries(db, filters, limit=None)))


def forget_person(db: Session, user: User, label: str) -> None:
    """On erasure: the person's e-mail, name and addresses leave the trail; the entries stay,
    naming the account by `label` (its number) instead."""
    db.execute(AuditEntry.__table__.update().where(AuditEntry.actor_id == user.id).values(
        actor_email=label, actor_name="", address=""))
    db.execute(AuditEntry.__table__.update().where(AuditEntry.target_user_id == user.id).values(target=label))
    for needle in filter(None, {user.email, user.name}):
        for column in ("actor_email", "actor_name", "target", "details"):
            col = AuditEntry.__table__.c[column]
            db.execute(AuditEntry.__table__.update().where(col.contains(needle, autoescape=True)).values(
                {column: func.replace(col, needle, label)}))
