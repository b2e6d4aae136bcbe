"""The providers the admin configured: add, list, change the enrolment rule, remove."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerlearn.errors import UsageError
from brokerlearn.server.models import Group, SsoProvider

DEFAULT_SCOPES = "openid email profile"
CALLBACK = "/account/sso/{slug}/callback"
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def slug_of(name: str) -> str:
    """The provider's name as it appears in its redirect URI: `Microsoft Entra` -> microsoft-entra."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60]


def redirect_uri(public_url: str, provider: SsoProvider) -> str:
    return public_url.rstrip("/") + CALLBACK.format(slug=provider.slug)


def check_issuer(issuer: str) -> str:
    """An https URL (http only on this machine, for tests and trials), without query or fragment."""
    parts = urlsplit(issuer or "")
    local = parts.hostname in _LOOPBACK
    if parts.scheme not in ("https", "http") or not parts.hostname or (parts.scheme == "http" and not local):
        raise UsageError(f"the issuer must be an https:// URL, not {issuer!r}")
    if parts.query or parts.fragment:
        raise UsageError("the issuer URL has no query or fragment (e.g. https://login.example.org/realms/staff)")
    return issuer


def add(db: Session, name: str, issuer: str, client_id: str, client_secret: str,
        scopes: str = DEFAULT_SCOPES) -> SsoProvider:
    name = " ".join((name or "").split())
    slug = slug_of(name)
    if not slug:
        raise UsageError("give the provider a name with letters or digits, e.g. --name 'Agency login'")
    if db.scalar(select(SsoProvider.id).where(SsoProvider.slug == slug)) is not None:
        raise UsageError(f"a provider named {name!r} exists already (remove it first)")
    if not client_id:
        raise UsageError("give the client ID the provider issued (--client-id)")
    if "openid" not in scopes.split():
        raise UsageError("the scopes must include openid")
    provider = SsoProvider(slug=slug, name=name[:100], issuer=check_issuer(issuer), client_id=client_id,
                           client_secret=client_secret or "", scopes=scopes)
    db.add(provider)
    db.commit()
    return provider


def all_providers(db: Session) -> list[SsoProvider]:
    return list(db.scalars(select(SsoProvider).order_by(SsoProvider.name)))


def find(db: Session, name_or_slug: str) -> SsoProvider | None:
    return db.scalar(select(SsoProvider).where(SsoProvider.slug == slug_of(name_or_slug or "")))


def existing(db: Session, name_or_slug: str) -> SsoProvider:
    provider = find(db, name_or_slug)
    if provider is None:
        known = ", ".join(p.slug for p in all_providers(db)) or "none"
        raise UsageError(f"no provider {name_or_slug!r} (configured: {known})")
    return provider


def remove(db: Session, provider: SsoProvider) -> None:
    """The provider goes; the accounts it signed in stay (their identities keep the issuer, so
    adding the provider again signs the same people into the same accounts)."""
    db.delete(provider)
    db.commit()


def set_enrolment(db: Session, provider: SsoProvider, claim: str | None, rules: dict[str, str]) -> None:
    """At every sign-in, an account whose ID token's `claim` has a value of `rules` joins that
    group (never leaves one). The groups must exist."""
    for group in set(rules.values()):
        if db.scalar(select(Group.id).where(Group.name == group)) is None:
            raise UsageError(f"no group {group!r} (make it on the admin's Groups page first)")
    provider.enrol_claim = claim or None
    provider.enrol_groups = dict(rules) if claim else None
    db.commit()


def groups_for(provider: SsoProvider, claims: dict) -> list[str]:
    """The groups the claims put the account in: the claim may be a string or a list of them."""
    if not provider.enrol_claim or not provider.enrol_groups:
        return []
    value = claims.get(provider.enrol_claim)
    values = value if isinstance(value, list) else [value]
    return [provider.enrol_groups[v] for v in values if isinstance(v, str) and v in provider.enrol_groups]
