"""Invitations with a status: made (a link to hand out), sent by e-mail, opened (the link
followed), registered. The link is a signed token naming the invitation's row; the row's
`expires_at` decides whether it still works, so a resend gives the same person more time."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerlearn.exports.tables import csv_text
from brokerlearn.server.language import gettext as _
from brokerlearn.server.language import long_date
from brokerlearn.server.models import Group, GroupCourse, Invitation, User, utcnow
from brokerlearn.server.services.accounts import AccountError, INVITE_MAX_AGE, clean_name, normalise_email
from brokerlearn.server.services.enrolment import add_member

REGISTER_PATH = "/account/register?invite="


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="invite")  # the salt of accounts.make_invitation


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # SQLite drops the zone


def is_expired(invitation: Invitation, now: datetime | None = None) -> bool:
    return invitation.status != "registered" and _aware(invitation.expires_at) <= (now or utcnow())


def invite(db: Session, email: str, name: str = "", group_id: int | None = None, days: int = 14,
           lang: str = "en", commit: bool = True) -> Invitation:
    """The open invitation of this address into this group, made now or given `days` more.
    Raises AccountError for a bad address or name, or when the address has an account. With
    `commit=False` only flushed: the caller mails it, records the audit entry and commits."""
    email, name = normalise_email(email), clean_name(name)
    if db.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(_("%(email)s has an account already: add it to the group instead.") % {"email": email},
                           "email")
    found = db.scalar(select(Invitation).where(Invitation.email == email, Invitation.group_id.is_(group_id)
                                               if group_id is None else Invitation.group_id == group_id,
                                               Invitation.status != "registered"))
    if found is None:
        found = Invitation(email=email, name=name, group_id=group_id, lang=lang, status="created", sends=0)
        db.add(found)
    found.name = name or found.name
    found.lang = lang
    found.expires_at = utcnow() + timedelta(days=days)
    db.commit() if commit else db.flush()
    return found


def token(secret: str, invitation: Invitation) -> str:
    return _serializer(secret).dumps({"i": invitation.id, "e": invitation.email, "n": invitation.name,
                                      "g": invitation.group_id})


def link(secret: str, invitation: Invitation, base_url: str) -> str:
    return base_url.rstrip("/") + REGISTER_PATH + token(secret, invitation)


def course_titles(db: Session, group_id: int | None, courses) -> list[str]:
    """The titles of the group's courses (every course when it names none, or no group)."""
    chosen = set(db.scalars(select(GroupCourse.course_id).where(GroupCourse.group_id == group_id))) if group_id else set()
    return [c.title for c in courses.all() if not chosen or c.id in chosen]


def extend(db: Session, invitation: Invitation, days: int, commit: bool = True) -> None:
    """`days` more from now (a resend: an expired link works again)."""
    invitation.expires_at = utcnow() + timedelta(days=days)
    if commit:
        db.commit()


def mark_sent(db: Session, invitation: Invitation, error: str | None = None, commit: bool = True) -> None:
    if error is None:
        invitation.sends += 1
        invitation.sent_at = utcnow()
        if invitation.status == "created":
            invitation.status = "sent"
    invitation.error = error[:500] if error else None
    if commit:
        db.commit()


def open_invitation(db: Session, secret: str, value: str, now: datetime | None = None) -> dict:
    """What the registration form needs of an invitation link (`email`, `name`, `group`, `id`),
    its row marked opened. Links of `brokerlearn users invite` (no row) keep their 7 days.
    Raises AccountError with the reason: not valid, expired (with the date), used."""
    try:
        data = _serializer(secret).loads(value)
        if not isinstance(data, dict) or not isinstance(data.get("e"), str):
            raise BadSignature("not an invitation")
        if "i" not in data:
            _serializer(secret).loads(value, max_age=INVITE_MAX_AGE)
    except Exception:  # bad signature, expired, or not ours: one answer
        raise AccountError(_("This invitation is not valid or has expired.")) from None
    found = db.get(Invitation, data["i"]) if isinstance(data.get("i"), int) else None
    if "i" in data:
        if found is None:
            raise AccountError(_("This invitation has been withdrawn: ask your agency for a new one."))
        if found.status == "registered":
            raise AccountError(_("This invitation has been used: its account exists, so sign in instead."))
        if is_expired(found, now):
            raise AccountError(_("This invitation expired on %(date)s. Ask your agency to send it again: the new "
                                 "mail brings a link that works.") % {"date": long_date(_aware(found.expires_at))})
        if found.status in ("created", "sent"):
            found.status, found.opened_at = "opened", utcnow()
            db.commit()
    return {"email": data["e"], "name": data.get("n") or "", "group": data.get("g"),
            "id": found.id if found else None}


def registered(db: Session, invitation: dict, user: User) -> None:
    """The account made with the invitation joins its group; the invitation is used."""
    if invitation.get("group") and db.get(Group, invitation["group"]) is not None:
        add_member(db, invitation["group"], user.id)
    found = db.get(Invitation, invitation["id"]) if invitation.get("id") else None
    if found is not None:
        found.status, found.registered_at, found.user_id = "registered", utcnow(), user.id
        db.commit()


def listed(db: Session, group_id: int | None = None) -> list[tuple[Invitation, Group | None]]:
    statement = (select(Invitation, Group).outerjoin(Group, Group.id == Invitation.group_id)
                 .order_by(Invitation.created_at.desc(), Invitation.id.desc()).limit(2000))
    if group_id:
        statement = statement.where(Invitation.group_id == group_id)
    return [tuple(row) for row in db.execute(statement)]


def links_csv(db: Session, secret: str, base_url: str, group_id: int | None = None) -> str:
    """The invitations not yet used and not expired, with their links, for an agency that mails
    them itself."""
    rows = [(i, g) for i, g in listed(db, group_id) if i.status != "registered" and not is_expired(i)]
    return csv_text(["email", "name", "group", "status", "expires", "link"],
                    ([i.email, i.name, g.name if g else "", i.status, f"{_aware(i.expires_at):%Y-%m-%d}",
                      link(secret, i, base_url)] for i, g in rows))
