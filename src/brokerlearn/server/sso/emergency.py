"""The break-glass way in when password sign-in is off and the identity provider is down or
misconfigured: `brokerlearn sso emergency-link EMAIL` prints a link for an administrator's
account that signs it in once, within EMERGENCY_MAX_AGE. The link carries the account's session
generation; using it ends every session of the account (the generation moves on), so the same
link cannot be used again. Making and using it are recorded in the audit trail."""
from __future__ import annotations

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from brokerlearn.errors import UsageError
from brokerlearn.server.language import gettext as _
from brokerlearn.server.models import User
from brokerlearn.server.services import audit
from brokerlearn.server.services.accounts import end_sessions
from brokerlearn.server.sso.errors import SsoError

EMERGENCY_MAX_AGE = 15 * 60
PATH = "/account/sso/emergency/"
_SALT = "brokerlearn-emergency-sign-in"


def make_link(db: Session, secret: str, base_url: str, user: User, actor: audit.Actor) -> str:
    if user.role != "admin" or not user.is_active:
        raise UsageError(f"{user.email} is not an active administrator: emergency links are for administrators only")
    token = URLSafeTimedSerializer(secret, salt=_SALT).dumps({"u": user.id, "v": user.session_version})
    audit.record(db, actor, "emergency_sign_in", user, details="link made")
    db.commit()
    return base_url.rstrip("/") + PATH + token


def use(db: Session, secret: str, token: str, address: str) -> User:
    """The administrator the link is for, once; every earlier session of the account ends."""
    refused = SsoError(_("This emergency sign-in link is not valid: it was used already, has expired (links "
                         "last 15 minutes) or was copied wrongly. Make a new one with brokerlearn sso "
                         "emergency-link."), 400)
    try:
        data = URLSafeTimedSerializer(secret, salt=_SALT).loads(token, max_age=EMERGENCY_MAX_AGE)
    except (BadSignature, SignatureExpired):
        raise refused from None
    user = db.get(User, data.get("u"))
    if user is None or user.session_version != data.get("v") or user.role != "admin" or not user.is_active:
        raise refused
    audit.record(db, audit.Actor.of(user, address), "emergency_sign_in", user, details="link used")
    end_sessions(db, user.id)  # commits the entry too
    db.refresh(user)
    return user
