"""Talking to a platform over HTTP: its key set (cached for five minutes, read again at once
for a key ID it does not hold, as after a key rotation) and OAuth 2 access tokens for the
services (client credentials with a signed client assertion, cached until shortly before they
expire)."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import requests

from brokerlearn.server.lti.keys import client_assertion

TIMEOUT = 10
KEYSET_TTL = 300
_lock = threading.Lock()
_keysets: dict[str, tuple[float, dict]] = {}
_tokens: dict[tuple[str, str, str], tuple[float, str]] = {}


class PlatformError(Exception):
    """The platform could not be reached or refused: the caller tries again later."""


def keyset(url: str, kid: str | None = None) -> dict:
    with _lock:
        cached = _keysets.get(url)
    if cached and time.monotonic() - cached[0] < KEYSET_TTL:
        if kid is None or any(k.get("kid") == kid for k in cached[1].get("keys", [])):
            return cached[1]
    try:
        answer = requests.get(url, timeout=TIMEOUT, headers={"Accept": "application/json"})
        answer.raise_for_status()
        data = answer.json()
    except (requests.RequestException, ValueError) as exc:
        raise PlatformError(f"the platform's key set at {url} cannot be read: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise PlatformError(f"{url} is not a JWK set")
    with _lock:
        _keysets[url] = (time.monotonic(), data)
    return data


def access_token(instance: Path, platform, scope: str) -> str:
    """A bearer token of `platform` for `scope` (space-separated scopes)."""
    key = (platform.auth_token_url, platform.client_id, scope)
    with _lock:
        cached = _tokens.get(key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    form = {"grant_type": "client_credentials",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": client_assertion(instance, platform.client_id, platform.auth_token_url),
            "scope": scope}
    try:
        answer = requests.post(platform.auth_token_url, data=form, timeout=TIMEOUT)
        answer.raise_for_status()
        data = answer.json()
        token = data["access_token"]
    except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
        raise PlatformError(f"no access token from {platform.auth_token_url}: {exc}") from None
    lifetime = float(data.get("expires_in") or 3600)
    with _lock:
        _tokens[key] = (time.monotonic() + max(0.0, lifetime - 60), token)
    return token


def forget_token(platform, scope: str) -> None:
    """A token the platform refused (401): ask for a new one next time."""
    with _lock:
        _tokens.pop((platform.auth_token_url, platform.client_id, scope), None)


def forget() -> None:
    with _lock:
        _keysets.clear()
        _tokens.clear()
