"""The tool's own key pair, kept like the certificate signing keys (credentials/keys.py) in
INSTANCE/lti/keys/: made once, on first need, and never replaced by a second process racing
the first (a lock file). Its public half is the JWKS platforms verify our messages with;
its private half signs deep-linking responses and the client assertions of the OAuth 2 token
requests (AGS, NRPS)."""
from __future__ import annotations

import fcntl
import time
import uuid
from pathlib import Path

from joserfc import jwt
from joserfc.jwk import RSAKey

from brokerlearn.server.credentials.keys import SigningKey, create_key, load_keys

_CACHE: dict[str, SigningKey] = {}


def _home(instance: Path) -> Path:
    return Path(instance) / "lti"


def tool_key(instance: Path) -> SigningKey:
    """The current tool key, made (RS256, which LTI 1.3 requires) if there is none yet."""
    instance = Path(instance)
    cached = _CACHE.get(str(instance))
    if cached is not None:
        return cached
    current, _ = load_keys(_home(instance))
    if current is None:
        home = _home(instance)
        home.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(home / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # a second process waits, then finds the first one's key
            current, _ = load_keys(home)
            if current is None:
                current = create_key(home, "RS256")
    _CACHE[str(instance)] = current
    return current


def tool_jwks(instance: Path) -> dict:
    """The public keys, with their `kid` (the RFC 7638 thumbprint) and `alg`."""
    current = tool_key(instance)
    _, every = load_keys(_home(instance))
    # "use" only: RFC 7517 4.3 advises against also giving key_ops
    return {"keys": [{m: v for m, v in k.public_jwk().items() if m != "key_ops"} for k in (every or [current])]}


def _joserfc_key(key: SigningKey) -> RSAKey:
    from cryptography.hazmat.primitives import serialization
    pem = key.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
    return RSAKey.import_key(pem)


def sign(instance: Path, claims: dict) -> str:
    """A JWT of `claims`, signed RS256 with the tool key, its `kid` in the header."""
    key = tool_key(instance)
    return jwt.encode({"alg": "RS256", "kid": key.kid, "typ": "JWT"}, claims, _joserfc_key(key))


def client_assertion(instance: Path, client_id: str, token_url: str) -> str:
    """The private_key_jwt assertion of an OAuth 2 client-credentials request (RFC 7523)."""
    now = int(time.time())
    return sign(instance, {"iss": client_id, "sub": client_id, "aud": token_url, "iat": now,
                           "exp": now + 300, "jti": uuid.uuid4().hex})


def forget() -> None:
    """Tests: read the keys again."""
    _CACHE.clear()
