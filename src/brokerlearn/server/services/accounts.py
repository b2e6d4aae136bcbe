"""Accounts: creating users, checking passwords with a shared rate limit, tokens for resets
and invitations, deleting a learner with all their data."""
from __future__ import annotations

import hashlib
import hmac
import unicodedata
from datetime import timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from brokerlearn.server.language import gettext as _
from brokerlearn.server.models import ROLES, LoginFailure, User, utcnow
from brokerlearn.server.services import sessions

MIN_PASSWORD = 10
MAX_PASSWORD = 200
RATE_WINDOW = timedelta(minutes=15)
# Failures from one address, whatever the account, may be this many times LOGIN_ATTEMPTS: an
# address guessing across accounts is stopped, yet a few mistyped passwords lock nobody else out.
ADDRESS_FACTOR = 10
RESET_MAX_AGE = 3600  # seconds
INVITE_MAX_AGE = 7 * 24 * 3600
# The characters of an unquoted local part (RFC 5322 atext); letters of any script are allowed too.
_LOCAL_ASCII = frozenset("abcdefghijklmnopqrstuvwxyz0123456789!#$%&'*+/=?^_`{|}~-.")
_INVISIBLE = ("Cc", "Cf", "Cs", "Co", "Cn")  # control, formatting, surrogate, private, unassigned
# Spent on unknown e-mail addresses too, so a login's timing does not reveal who has an account.
_DUMMY_HASH = generate_password_hash("not a real password")


class AccountError(ValueError):
    """A user-facing problem with account input (the message is shown as it is)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower() if isinstance(email, str) else ""
    if len(email) > 320 or not _is_address(email):
        raise AccountError(_("Enter an e-mail address such as name@agency.org."), "email")
    return email


def _is_address(email: str) -> bool:
    """name@host.domain with nothing that has no place in an address: no control, invisible or
    space characters, no quotes, brackets, commas or backslashes (so an address can be printed
    in a terminal or a CSV cell and mailed as it is); letters of any script are allowed."""
    local, at, domain = email.rpartition("@")
    if not at or not 0 < len(local) <= 64 or not 0 < len(domain) <= 255:
        return False
    if local.startswith(".") or local.endswith(".") or ".." in local:
        return False
    if not all(ch in _LOCAL_ASCII if ch.isascii() else _is_letter(ch) for ch in local):
        return False
    labels = domain.split(".")
    return len(labels) >= 2 and all(_is_label(label) for label in labels)


def _is_letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN"


def _is_label(label: str) -> bool:
    """A host name label: letters (any script), digits and inner hyphens, at most 63."""
    return (0 < len(label) <= 63 and not label.startswith("-") and not label.endswith("-")
            and all(ch == "-" or (ch.isascii() and ch.isalnum()) or (not ch.isascii() and _is_letter(ch))
                    for ch in label))


def clean_name(name) -> str:
    """A person's name as typed, spaces folded; control and invisible characters refused."""
    name = name if isinstance(name, str) else ""
    if any(unicodedata.category(ch) in _INVISIBLE for ch in name):
        raise AccountError(_("The name contains control or invisible characters: type it again."), "name")
    return " ".join(name.split())[:200]


def check_password_rules(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise AccountError(_("Choose a password of at least %(min_password)s characters.") % {"min_password": MIN_PASSWORD}, "password")
    if len(password) > MAX_PASSWORD:
        raise AccountError(_("Choose a password of at most %(max_password)s characters.") % {"max_password": MAX_PASSWORD}, "password")


def find_user(db: Session, email: str) -> User | None:
    """The account of an address as typed (not checked: accounts made under older, looser rules
    can still sign in)."""
    email = (email or "").strip().lower() if isinstance(email, str) else ""
    if not email or len(email) > 320:
        return None
    return db.scalar(select(User).where(User.email == email))


def create_user(db: Session, email: str, password: str, name: str = "", role: str = "learner") -> User:
    email = normalise_email(email)
    name = clean_name(name)
    check_password_rules(password)
    if role not in ROLES:
        raise AccountError(_("Role must be one of %(join)s.") % {"join": ', '.join(ROLES)}, "role")
    if db.scalar(select(User.id).where(User.email == email)) is not None:
        raise AccountError(_("An account with this e-mail address exists already."), "email")
    user = User(email=email, name=name, password_hash=generate_password_hash(password),
                role=role, session_version=0)
    db.add(user)
    db.commit()
    return user


def _failures(db: Session, key: str) -> int:
    since = utcnow() - RATE_WINDOW
    return db.scalar(select(func.count(LoginFailure.id)).where(LoginFailure.key == key,
                                                               LoginFailure.created_at > since))


def authenticate(db: Session, email: str, password: str, address: str, limit: int) -> User:
    """Check a password, at most `limit` times per account and address in RATE_WINDOW (and
    ADDRESS_FACTOR times that from one address for all accounts together).

    The attempt is recorded before it is counted, so concurrent attempts see each other: of 20
    parallel guesses at most `limit` reach the password check. A failed attempt's rows stay as
    its failures; a refused or successful one takes its rows back."""
    account_key = f"account:{address}:{(email or '').strip().lower()[:320]}"[:400]
    limits = {account_key: limit, f"address:{address}"[:400]: limit * ADDRESS_FACTOR}
    attempt = [LoginFailure(key=key) for key in limits]
    db.add_all(attempt)
    db.commit()
    mine = [row.id for row in attempt]
    if any(_failures(db, key) > most for key, most in limits.items()):
        db.execute(delete(LoginFailure).where(LoginFailure.id.in_(mine)))
        db.commit()
        raise AccountError(_("Too many failed sign-ins. Wait 15 minutes, or reset your password."))
    user = find_user(db, email)
    if user is None or not check_password_hash(user.password_hash, password or ""):
        if user is None:
            check_password_hash(_DUMMY_HASH, password or "")
        raise AccountError(_("E-mail address or password is not right."))
    if not user.is_active:  # deactivated by an administrator (services/learner_actions.py)
        raise AccountError(_("This account has been deactivated: ask your agency to reactivate it."))
    stale = LoginFailure.created_at < utcnow() - RATE_WINDOW  # the table keeps only the window
    db.execute(delete(LoginFailure).where((LoginFailure.key == account_key) | LoginFailure.id.in_(mine) | stale))
    db.commit()
    return user


def end_sessions(db: Session, user_id: int) -> int | None:
    """Every session and remember cookie of the account stops working, in every server process
    at once (this one now, the others within sessions.POLL): the one way sessions end, for
    signing out, a new password or role, deactivation and deletion. Commits whatever the
    caller changed with it; returns the account's new session generation (None: no account)."""
    generation = db.execute(update(User).where(User.id == user_id)
                            .values(session_version=User.session_version + 1)
                            .returning(User.session_version)).scalar()
    if generation is not None:
        sessions.record_change(db, user_id, generation)
    db.commit()
    if generation is not None:
        sessions.ended_here(db, user_id, generation)
    return generation


def set_password(db: Session, user: User, password: str) -> None:
    """A new password; every session ends (the caller may sign the current one in again)."""
    check_password_rules(password)
    user.password_hash = generate_password_hash(password)
    end_sessions(db, user.id)


def set_role(db: Session, user: User, role: str) -> None:
    """A new role; the account's sessions end, so none goes on with the old role."""
    if role not in ROLES:
        raise AccountError(_("Role must be one of %(join)s.") % {"join": ', '.join(ROLES)}, "role")
    user.role = role
    end_sessions(db, user.id)


def delete_user(db: Session, user: User) -> None:
    """The account and everything recorded about the learner (cascades to progress and attempts)."""
    from brokerlearn.server.services.certificates import withdraw_for_deleted_account
    withdraw_for_deleted_account(db, user.id)
    files = submitted_files(db, user.id)
    end_sessions(db, user.id)  # in every process, before the row goes
    db.delete(user)
    db.commit()
    for path in files:  # the submissions' rows went with the account; their files go now
        path.unlink(missing_ok=True)


def submitted_files(db: Session, user_id: int) -> list:
    """The stored files of the learner's submissions (deleted with the account or its erasure)."""
    from pathlib import Path

    from flask import current_app, has_app_context

    from brokerlearn.server.services.submissions import stored_paths_of
    return stored_paths_of(db, Path(current_app.instance_path), user_id) if has_app_context() else []


def _serializer(secret: str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=salt)


def _password_tag(secret: str, user: User) -> str:
    """A keyed digest of the current password hash: it changes with the password, and the
    token (signed, not encrypted) shows nothing of the hash itself."""
    return hmac.new(secret.encode(), b"reset\0" + user.password_hash.encode(), hashlib.sha256).hexdigest()[:32]


def make_reset_token(secret: str, user: User) -> str:
    # The token names the current password: once the password changes, it is spent.
    return _serializer(secret, "reset").dumps({"u": user.id, "p": _password_tag(secret, user)})


def user_for_reset_token(db: Session, secret: str, token: str) -> User:
    try:
        data = _serializer(secret, "reset").loads(token, max_age=RESET_MAX_AGE)
    except SignatureExpired:
        raise AccountError(_("This reset link has expired: ask for a new one.")) from None
    except BadSignature:
        raise AccountError(_("This reset link is not valid.")) from None
    user = db.get(User, data.get("u")) if isinstance(data, dict) and isinstance(data.get("u"), int) else None
    if user is None or not hmac.compare_digest(_password_tag(secret, user), str(data.get("p"))):
        raise AccountError(_("This reset link has been used already: ask for a new one."))
    return user


def make_invitation(secret: str, email: str, name: str = "", group_id: int | None = None) -> str:
    """A signed link token: registering with it fixes the address, suggests the name and puts
    the account in the group. Valid for INVITE_MAX_AGE."""
    return _serializer(secret, "invite").dumps({"e": normalise_email(email), "n": clean_name(name), "g": group_id})


def read_invitation(secret: str, token: str) -> dict:
    try:
        data = _serializer(secret, "invite").loads(token, max_age=INVITE_MAX_AGE)
        return {"email": data["e"], "name": data.get("n") or "", "group": data.get("g")}
    except Exception:  # bad signature, expired, or not ours: one answer
        raise AccountError(_("This invitation is not valid or has expired.")) from None


def list_users(db: Session) -> list[User]:
    """Every account, by e-mail address (`brokerlearn users list`)."""
    return list(db.scalars(select(User).order_by(User.email)))
