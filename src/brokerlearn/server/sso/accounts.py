"""Which account a verified sign-in opens.

1. The account linked to the provider's (issuer, subject): signed in.
2. None, and the provider vouches for an e-mail address (email_verified true, or Entra ID's
   xms_edov) that an account has: linked only once the person proves the account is theirs by
   its password (`NeedsConfirmation`); with password sign-in off, refused with words for the
   administrator (who may link it: `brokerlearn sso link`).
3. No account of that address: a new one, with the name and address of the ID token.
At every sign-in the provider's enrolment rule may put the account into a group.
Links and unlinks are recorded in the audit trail."""
from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from brokerlearn.server.language import gettext as _
from brokerlearn.server.models import Group, SsoIdentity, SsoProvider, User, utcnow
from brokerlearn.server.services import audit, enrolment
from brokerlearn.server.services.accounts import AccountError, clean_name, find_user, normalise_email
from brokerlearn.server.sso.errors import SsoError


@dataclass(frozen=True)
class Pending:
    """A first sign-in that matched an account by its verified address: to be confirmed."""
    provider_id: int
    issuer: str
    subject: str
    email: str
    groups: tuple[str, ...]

    def to_session(self) -> dict:
        return {**asdict(self), "groups": list(self.groups)}

    @classmethod
    def from_session(cls, data: dict) -> "Pending":
        return cls(int(data["provider_id"]), data["issuer"], data["subject"], data["email"], tuple(data["groups"]))


class NeedsConfirmation(Exception):
    def __init__(self, pending: Pending):
        super().__init__(pending.email)
        self.pending = pending


def email_verified(claims: dict) -> bool:
    return claims.get("email_verified") is True or claims.get("xms_edov") is True


def _name(claims: dict) -> str:
    name = claims.get("name") or " ".join(filter(None, (claims.get("given_name"), claims.get("family_name"))))
    try:
        return clean_name(name if isinstance(name, str) else "")
    except AccountError:
        return ""


def identity(db: Session, issuer: str, subject: str) -> SsoIdentity | None:
    return db.scalar(select(SsoIdentity).where(SsoIdentity.issuer == issuer, SsoIdentity.subject == subject))


def sign_in(db: Session, provider: SsoProvider, claims: dict, password_signin: bool, address: str) -> User:
    """The account this sign-in opens (made if need be), enrolled by the provider's rule."""
    from brokerlearn.server.sso.providers import groups_for
    subject, groups = str(claims["sub"]), tuple(groups_for(provider, claims))
    linked = identity(db, provider.issuer, subject)
    if linked is not None:
        user = db.get(User, linked.user_id)
        linked.last_used_at = utcnow()
        db.commit()
    else:
        user = _first_sign_in(db, provider, claims, subject, groups, password_signin)
    if not user.is_active:
        raise SsoError(_("This account has been deactivated: ask your agency to reactivate it."), 403, "deactivated")
    enrol(db, provider, user, groups, address)
    return user


def _first_sign_in(db: Session, provider, claims: dict, subject: str, groups, password_signin: bool) -> User:
    raw = claims.get("email") if isinstance(claims.get("email"), str) else ""
    existing = find_user(db, raw) if raw else None
    if existing is not None:
        if not email_verified(claims):
            raise SsoError(_("An account with the address %(email)s exists already, but %(provider)s does not "
                             "confirm that this address is verified, so the two cannot be linked. Ask your "
                             "administrator to link them.") % {"email": existing.email, "provider": provider.name},
                           409, f"unverified e-mail of an account; link with: {link_command(provider, subject, existing.email)}")
        if not password_signin:
            raise SsoError(_("An account with the address %(email)s exists already. Password sign-in is switched "
                             "off here, so you cannot confirm that it is yours: ask your administrator to link it "
                             "(brokerlearn sso link, with the subject %(subject)s).")
                           % {"email": existing.email, "subject": subject}, 409,
                           f"link with: {link_command(provider, subject, existing.email)}")
        raise NeedsConfirmation(Pending(provider.id, provider.issuer, subject, existing.email, groups))
    try:
        email = normalise_email(raw)
    except AccountError:
        raise SsoError(_("%(provider)s did not share a usable e-mail address, which an account here needs. Ask "
                         "your administrator to let it share the address (the scope `email`).")
                       % {"provider": provider.name}, 400, f"e-mail claim {raw!r}") from None
    user = User(email=email, name=_name(claims), password_hash=generate_password_hash(secrets.token_urlsafe(32)),
                role="learner", session_version=0)
    try:
        db.add(user)
        db.flush()
        db.add(SsoIdentity(issuer=provider.issuer, subject=subject, user_id=user.id, provider_id=provider.id,
                           linked_at=utcnow(), last_used_at=utcnow()))
        db.commit()
    except IntegrityError:  # the same person's other tab, or a registration, was quicker
        db.rollback()
        linked = identity(db, provider.issuer, subject)
        if linked is None:
            raise SsoError(_("An account with this e-mail address exists already."), 409, "raced") from None
        return db.get(User, linked.user_id)
    return user


def link_command(provider: SsoProvider, subject: str, email: str) -> str:
    return f"brokerlearn sso link {email} --provider {provider.slug} --subject {subject}"


def link(db: Session, actor: audit.Actor, provider: SsoProvider, user: User, subject: str, how: str) -> SsoIdentity:
    """Link (issuer, subject) to the account, recorded in the audit trail as `how` was done."""
    if identity(db, provider.issuer, subject) is not None:
        raise SsoError(_("This identity is linked to an account already."), 409, "linked already")
    linked = SsoIdentity(issuer=provider.issuer, subject=subject, user_id=user.id, provider_id=provider.id,
                         linked_at=utcnow(), last_used_at=utcnow())
    db.add(linked)
    audit.record(db, actor, "sso_linked", user, details=f"{provider.name} ({provider.issuer}) subject {subject}; {how}")
    db.commit()
    return linked


def unlink(db: Session, actor: audit.Actor, user: User, provider: SsoProvider | None = None) -> int:
    """Remove the account's identities (at one provider, or all); how many there were."""
    statement = select(SsoIdentity).where(SsoIdentity.user_id == user.id)
    if provider is not None:
        statement = statement.where(SsoIdentity.issuer == provider.issuer)
    found = list(db.scalars(statement))
    for row in found:
        audit.record(db, actor, "sso_unlinked", user, details=f"{row.issuer} subject {row.subject}")
        db.delete(row)
    db.commit()
    return len(found)


def identities_of(db: Session, user: User) -> list[SsoIdentity]:
    return list(db.scalars(select(SsoIdentity).where(SsoIdentity.user_id == user.id).order_by(SsoIdentity.id)))


def enrol(db: Session, provider: SsoProvider, user: User, groups, address: str) -> None:
    """Into each group the claims name (never out of one), recorded as done by the sign-in."""
    if not groups:
        return
    actor = audit.Actor(None, f"sign-in with {provider.name}"[:320], "", "system", (address or "")[:64])
    for name in groups:
        group_id = db.scalar(select(Group.id).where(Group.name == name))
        if group_id is not None:
            enrolment.add_member(db, group_id, user.id, actor=actor, details=f"{name} (by the claim "
                                 f"{provider.enrol_claim} of {provider.name})")
