"""Client secrets at rest: what the database holds of an identity provider's client secret is
a Fernet token (AES-128-CBC with HMAC-SHA256, from the `cryptography` package), sealed with
the key in BROKERLEARN_SECRETS_KEY; a copy of the database alone gives away no secret.

The setting holds one or more Fernet keys, separated by commas. The first seals; every one
opens (MultiFernet), so a key is rotated by putting a new one first, running
`brokerlearn sso reseal` and then dropping the old one. Hand-written encryption would need
its own authentication, padding and key format; Fernet is the cryptography package's
reviewed recipe for exactly this, and MultiFernet its way to rotate.

A missing or wrong key is a SecretsKeyError whose message names the setting: the commands
print it, the admin page shows it, a sign-in shows it as a page (never a 500)."""
from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from brokerlearn.errors import UsageError

SETTING = "BROKERLEARN_SECRETS_KEY"
PREFIX = "fernet:"  # a sealed value; anything else is from before sealing (migration 0017)
MAX_SECRET = 256


class SecretsKeyError(UsageError):
    """The key to seal or open client secrets is missing or is not the one they were sealed with."""


def make_key() -> str:
    return Fernet.generate_key().decode()


def _fernet(keys: str | None) -> MultiFernet:
    listed = [k.strip() for k in (keys or "").split(",") if k.strip()]
    if not listed:
        raise SecretsKeyError(f"{SETTING} is not set: client secrets of identity providers are kept encrypted "
                              f"with it. Make one with: brokerlearn sso make-key")
    try:
        return MultiFernet([Fernet(k) for k in listed])
    except ValueError:
        raise SecretsKeyError(f"{SETTING} is not a list of Fernet keys (44 characters each, from "
                              f"brokerlearn sso make-key, separated by commas)") from None


def configured(config=None) -> str | None:
    """The setting's value: from `config` (an installation's), else the running application's."""
    if config is None:
        from flask import current_app, has_app_context
        config = current_app.config if has_app_context() else {}
    return config.get("SECRETS_KEY") or None


def seal(secret: str, keys: str | None) -> str:
    """What the database keeps of `secret` ("" for none)."""
    if not secret:
        return ""
    if len(secret) > MAX_SECRET:
        raise UsageError(f"a client secret of at most {MAX_SECRET} characters")
    return PREFIX + _fernet(keys).encrypt(secret.encode()).decode()


def is_sealed(stored: str) -> bool:
    return (stored or "").startswith(PREFIX)


def unseal(stored: str, keys: str | None) -> str:
    """The secret itself ("" for none)."""
    if not stored:
        return ""
    if not is_sealed(stored):
        raise SecretsKeyError("a client secret is still stored in plain text: run brokerlearn db upgrade "
                              f"with {SETTING} set")
    try:
        return _fernet(keys).decrypt(stored[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise SecretsKeyError(f"{SETTING} does not open the stored client secrets: it is not the key they "
                              f"were sealed with (keep the old key after the new one, separated by a comma, "
                              f"until brokerlearn sso reseal has run)") from None


def reseal(stored: str, keys: str | None) -> str:
    """`stored` sealed with the first key (a plain-text value from before is sealed too)."""
    if not stored:
        return ""
    if not is_sealed(stored):
        return seal(stored, keys)
    try:
        return PREFIX + _fernet(keys).rotate(stored[len(PREFIX):].encode()).decode()
    except InvalidToken:
        unseal(stored, keys)  # raises the message naming the setting
        raise


def shown(stored: str) -> str:
    """How pages and commands show it: never the secret, only whether there is one."""
    return "set (encrypted)" if stored else "none"
