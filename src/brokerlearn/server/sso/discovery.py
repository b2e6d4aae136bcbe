"""A provider's metadata, found from its issuer URL (OpenID Connect Discovery 1.0), and its
signing keys (JWKS), kept for an hour in each server process. The metadata's `issuer` must be
the configured issuer exactly (Discovery section 4.3), so one provider cannot speak for another."""
from __future__ import annotations

import threading
import time

import requests

from brokerlearn.server.language import gettext as _
from brokerlearn.server.sso.errors import SsoError

TIMEOUT = 10  # seconds, for every request to a provider
KEEP = 3600  # seconds the metadata and keys are kept
KEYS_AGAIN = 60  # at most once a minute, keys are fetched again for a token signed by an unknown key
WELL_KNOWN = "/.well-known/openid-configuration"
_cache: dict[str, tuple[float, dict]] = {}
_keys: dict[str, tuple[float, dict]] = {}
_lock = threading.Lock()


def forget() -> None:
    """Drop what is kept (tests; a provider that changed its configuration)."""
    with _lock:
        _cache.clear()
        _keys.clear()


def _get_json(url: str, what: str) -> dict:
    try:
        response = requests.get(url, timeout=TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SsoError(_("The identity provider cannot be reached just now. Try again in a few minutes, or "
                         "sign in another way."), 502, f"{what} {url}: {exc}") from None
    if not isinstance(data, dict):
        raise SsoError(_("The identity provider answered in a way brokerlearn cannot use."), 502,
                       f"{what} {url}: not a JSON object")
    return data


def metadata(issuer: str) -> dict:
    """The provider's configuration: endpoints, supported algorithms and methods."""
    now = time.monotonic()
    with _lock:
        kept = _cache.get(issuer)
    if kept and now - kept[0] < KEEP:
        return kept[1]
    data = _get_json(issuer.rstrip("/") + WELL_KNOWN, "discovery")
    missing = [key for key in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri") if not data.get(key)]
    if missing or data["issuer"] != issuer:
        raise SsoError(_("The identity provider's configuration does not match the one set up here: ask the "
                         "administrator to check the issuer URL."), 502,
                       f"discovery of {issuer}: missing {missing}" if missing
                       else f"discovery of {issuer} names the issuer {data['issuer']!r}")
    with _lock:
        _cache[issuer] = (now, data)
    return data


def key_set(issuer: str, again: bool = False) -> dict | None:
    """The provider's JWKS. again=True: fetch anew (a token names a key not in it), at most once
    a KEYS_AGAIN; returns None when it was fetched too recently to ask again."""
    now = time.monotonic()
    with _lock:
        kept = _keys.get(issuer)
    if kept and (now - kept[0] < KEEP) and not again:
        return kept[1]
    if kept and again and now - kept[0] < KEYS_AGAIN:
        return None
    data = _get_json(metadata(issuer)["jwks_uri"], "keys")
    with _lock:
        _keys[issuer] = (now, data)
    return data
