"""The providers the admin configured: add, list, change the enrolment rule, remove."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerlearn.errors import UsageError
from brokerlearn.server.language import gettext as _
from brokerlearn.server.models import Group, SsoProvider
from brokerlearn.server.sso import sealed

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
        raise UsageError(_("The issuer must be an https:// URL, not %(issuer)s.") % {"issuer": repr(issuer)})
    if parts.query or parts.fragment:
        raise UsageError(_("The issuer URL has no query or fragment (e.g. https://login.example.org/realms/staff)."))
    return issuer


def add(db: Session, name: str, issuer: str, client_id: str, client_secret: str,
        scopes: str = DEFAULT_SCOPES, actor=None, keys: str | None = None) -> SsoProvider:
    """Add a provider; its client secret is kept sealed with `keys` (BROKERLEARN_SECRETS_KEY,
    the running application's by default: sealed.py)."""
    name = " ".join((name or "").split())
    slug = slug_of(name)
    if not slug:
        raise UsageError(_("Give the provider a name with letters or digits, e.g. Agency login."))
    if db.scalar(select(SsoProvider.id).where(SsoProvider.slug == slug)) is not None:
        raise UsageError(_("A provider named %(name)s exists already (remove it first).") % {"name": repr(name)})
    if not client_id:
        raise UsageError(_("Give the client ID the provider issued."))
    if "openid" not in scopes.split():
        raise UsageError(_("The scopes must include openid."))
    stored = sealed.seal(client_secret or "", keys or sealed.configured())
    provider = SsoProvider(slug=slug, name=name[:100], issuer=check_issuer(issuer), client_id=client_id,
                           client_secret=stored, scopes=scopes)
    db.add(provider)
    _record(db, actor, "sso_provider_added", provider, f"issuer {provider.issuer}, client ID {client_id}")
    db.commit()
    return provider


def _record(db: Session, actor, action: str, provider: SsoProvider, details: str) -> None:
    if actor is not None:
        from brokerlearn.server.services import audit
        audit.record(db, actor, action, target=provider.name, details=details)


def all_providers(db: Session) -> list[SsoProvider]:
    return list(db.scalars(select(SsoProvider).order_by(SsoProvider.name)))


def find(db: Session, name_or_slug: str) -> SsoProvider | None:
    return db.scalar(select(SsoProvider).where(SsoProvider.slug == slug_of(name_or_slug or "")))


def existing(db: Session, name_or_slug: str) -> SsoProvider:
    provider = find(db, name_or_slug)
    if provider is None:
        known = ", ".join(p.slug for p in all_providers(db)) or "none"
        raise UsageError(_("There is no provider %(name)s (configured: %(known)s).")
                         % {"name": repr(name_or_slug), "known": known})
    return provider


def remove(db: Session, provider: SsoProvider, actor=None) -> None:
    """The provider goes; the accounts it signed in stay (their identities keep the issuer, so
    adding the provider again signs the same people into the same accounts)."""
    _record(db, actor, "sso_provider_removed", provider, f"issuer {provider.issuer}")
    db.delete(provider)
    db.commit()


def set_enrolment(db: Session, provider: SsoProvider, claim: str | None, rules: dict[str, str], actor=None) -> None:
    """At every sign-in, an account whose ID token's `claim` has a value of `rules` joins that
    group (never leaves one). The groups must exist."""
    for group in set(rules.values()):
        if db.scalar(select(Group.id).where(Group.name == group)) is None:
            raise UsageError(_("There is no group %(group)s (make it on the Groups page first).")
                             % {"group": repr(group)})
    provider.enrol_claim = claim or None
    provider.enrol_groups = dict(rules) if claim else None
    _record(db, actor, "sso_enrolment_set", provider, describe_rule(provider) or "no rule")
    db.commit()


def describe_rule(provider: SsoProvider) -> str:
    if not provider.enrol_claim or not provider.enrol_groups:
        return ""
    return f"{provider.enrol_claim}: " + ", ".join(f"{k} = {v}" for k, v in provider.enrol_groups.items())


def parse_rules(lines: str) -> dict[str, str]:
    """`VALUE = GROUP` per line (the admin page's form)."""
    rules = {}
    for number, line in enumerate((lines or "").splitlines(), 1):
        if not line.strip():
            continue
        value, equals, group = line.partition("=")
        if not equals or not value.strip() or not group.strip():
            raise UsageError(_("Line %(number)s: write VALUE = GROUP, e.g. Innovation = Innovation team.")
                             % {"number": number})
        rules[value.strip()] = group.strip()
    return rules


def groups_for(provider: SsoProvider, claims: dict) -> list[str]:
    """The groups the claims put the account in: the claim may be a string or a list of them."""
    if not provider.enrol_claim or not provider.enrol_groups:
        return []
    value = claims.get(provider.enrol_claim)
    values = value if isinstance(value, list) else [value]
    return [provider.enrol_groups[v] for v in values if isinstance(v, str) and v in provider.enrol_groups]


def client_secret(provider: SsoProvider, keys: str | None = None) -> str:
    """The provider's client secret, opened (SecretsKeyError: the key is missing or wrong)."""
    return sealed.unseal(provider.client_secret, keys or sealed.configured())


def reseal_all(db: Session, keys: str | None) -> int:
    """Seal every stored secret with the first key (after a new key was put first); how many."""
    count = 0
    for provider in all_providers(db):
        if provider.client_secret:
            provider.client_secret = sealed.reseal(provider.client_secret, keys)
            count += 1
    db.commit()
    return count
