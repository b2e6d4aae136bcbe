"""Accounts: creating users, checking passwords with a shared rate limit, tokens for resets
and invitations, deleting a learner with all their data."""
from __future__ import annotations

import re
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from brokerlearn.server.language import gettext as _
from brokerlearn.server.models import ROLES, LoginFailure, User, utcnow

MIN_PASSWORD = 10
MAX_PASSWORD = 200
RATE_WINDOW = timedelta(minutes=15)
RESET_MAX_AGE = 3600  # seconds
INVITE_MAX_AGE = 7 * 24 * 3600
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Spent on unknown e-mail addresses too, so a login's timing does not reveal who has an account.
_DUMMY_HASH = generate_password_hash("not a real password")


class AccountError(ValueError):
    """A user-facing problem with account input (the message is shown as it is)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if len(email) > 320 or not _EMAIL.match(email):
        raise AccountError(_("Enter an e-mail address such as name@agency.org."), "email")
    return email


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(_("Choose a password of at least %(min_password)s characters.") % {"min_password": MIN_PASSWORD}, "password")
    if len(password) > MAX_PASSWORD:
        raise AccountError(_("Choose a password of at most %(max_password)s characters.") % {"max_password": MAX_PASSWORD}, "password")


def find_user(db: Session, email: str) -> User | None:
    try:
        email = normalise_email(email)
    except AccountError:
        return None
    return db.scalar(select(User).where(User.email == email))


def create_user(db: Session, email: str, password: str, name: str = "", role: str = "learner") -> User:
    email = normalise_email(email)
    check_password_rules(password)
    if role not in ROLES:
        raise AccountError(_("Role must be one of %(join)s.") % {"join": ', '.join(ROLES)}, "role")
    if db.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(_("An account with this e-mail address exists already."), "email")
    user = User(email=email, name=(name or "").strip()[:200], password_hash=generate_password_hash(password),
                role=role, session_version=0)
    db.add(user)
    db.commit()
    return user


def too_many_failures(db: Session, keys: list[str], limit: int) -> bool:
    since = utcnow() - RATE_WINDOW
    for key in keys:
        count = db.scalar(select(func.count(LoginFailure.id)).where(LoginFailure.key == key,
                                                                   LoginFailure.created_at > since))
        if count >= limit:
            return True
    return False


def authenticate(db: Session, email: str, password: str, address: str, limit: int) -> User:
    keys = [f"email:{(email or '').strip().lower()[:320]}", f"addr:{address}"]
    if too_many_failures(db, keys, limit):
        raise AccountError(_("Too many failed sign-ins. Wait 15 minutes, or reset your password."))
    user = find_user(db, email)
    if user is None or not check_password_hash(user.password_hash, password or ""):
        if user is None:
            check_password_hash(_DUMMY_HASH, password or "")
        db.add_all(LoginFailure(key=key) for key in keys)
        db.commit()
        raise AccountError(_("E-mail address or password is not right."))
    db.execute(delete(LoginFailure).where(LoginFailure.key == keys[0]))
    db.commit()
    return user


def set_password(db: Session, user: User, password: str) -> None:
    check_password_rules(password)
    user.password_hash = generate_password_hash(password)
    user.session_version += 1  # signs out every other session
    db.commit()


def set_role(db: Session, user: User, role: str) -> None:
    if role not in ROLES:
        raise AccountError(_("Role must be one of %(join)s.") % {"join": ', '.join(ROLES)}, "role")
    user.role = role
    user.session_version += 1
    db.commit()


def delete_user(db: Session, user: User) -> None:
    """The account and everything recorded about the learner (cascades to progress and attempts)."""
    from brokerlearn.server.services.certificates import withdraw_for_deleted_account
    withdraw_for_deleted_account(db, user.id)
    db.delete(user)
    db.commit()


def _serializer(secret: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=salt)


def make_reset_token(secret: str, user: User) -> str:
    # The token names the current password hash: once the password changes, it is spent.
    return _serializer(secret, "reset").dumps({"u": user.id, "p": user.password_hash[-16:]})


def user_for_reset_token(db: Session, secret: str, token: str) -> User:
    try:
        data = _serializer(secret, "reset").loads(token, max_age=RESET_MAX_AGE)
    except SignatureExpired:
        raise AccountError(_("This reset link has expired: ask for a new one.")) from None
    except BadSignature:
        raise AccountError(_("This reset link is not valid.")) from None
    user = db.get(User, data.get("u"))
    if user is None or user.password_hash[-16:] != data.get("p"):
        raise AccountError(_("This reset link has been used already: ask for a new one."))
    return user


def make_invitation(secret: str, email: str, name: str = "", group_id: int | None = None) -> str:
    """A signed link token: registering with it fixes the address, suggests the name and puts
    the account in the group. Valid for INVITE_MAX_AGE."""
    return _serializer(secret, "invite").dumps({"e": normalise_email(email), "n": name[:200], "g": group_id})


def read_invitation(secret: str, token: str) -> dict:
    try:
        data = _serializer(secret, "invite").loads(token, max_age=INVITE_MAX_AGE)
        return {"email": data["e"], "name": data.get("n") or "", "group": data.get("g")}
    except Exception:  # bad signature, expired, or not ours: one answer
        raise AccountError(_("This invitation is not valid or has expired.")) from None
