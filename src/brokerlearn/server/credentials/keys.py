"""The agency's signing keys, kept in INSTANCE/keys/ (folder 0700, files 0600).

Each key is a PEM file named by its RFC 7638 JWK thumbprint; the URL that serves it,
BASE/certificates/keys/THUMBPRINT, is its published `kid` (OB 3.0 asks for a dereferenceable
kid; see badge.key_url). The file
`current` names the key new certificates are signed with. Rotation adds a key and keeps the old
ones, whose public halves stay in the JWKS so earlier certificates still verify.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from jwt.algorithms import OKPAlgorithm, RSAAlgorithm

from brokerlearn.errors import UsageError
from brokerlearn.fs import atomic_write_text

# The one list of signing algorithms (keys made, credentials accepted, the command line's
# choices); the first is the default: RS256 is what every Open Badges 3.0 verifier supports.
_GENERATORS = {
    "RS256": lambda: rsa.generate_private_key(public_exponent=65537, key_size=3072),
    "EdDSA": ed25519.Ed25519PrivateKey.generate,
}
ALGORITHMS = tuple(_GENERATORS)
DEFAULT_ALGORITHM = ALGORITHMS[0]


class KeyError_(UsageError):
    """A problem with the signing keys that the operator must fix (message says how)."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    alg: str
    private_key: object

    @property
    def public_key(self):
        return self.private_key.public_key()

    def public_jwk(self, kid: str | None = None) -> dict:
        """The public half; `kid` is the published key id (default: the bare thumbprint)."""
        jwk = public_jwk(self.public_key)
        return {**jwk, "kid": kid or self.kid, "alg": self.alg, "use": "sig"}


def public_jwk(public_key) -> dict:
    if isinstance(public_key, rsa.RSAPublicKey):
        return RSAAlgorithm.to_jwk(public_key, as_dict=True)
    return OKPAlgorithm.to_jwk(public_key, as_dict=True)


def thumbprint(jwk: dict) -> str:
    """RFC 7638: SHA-256 of the required members, in lexicographic order, without spaces."""
    members = ("e", "kty", "n") if jwk["kty"] == "RSA" else ("crv", "kty", "x")
    canonical = json.dumps({m: jwk[m] for m in members}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def key_dir(instance: Path) -> Path:
    return Path(instance) / "keys"


def _new_private_key(alg: str):
    if alg in _GENERATORS:
        return _GENERATORS[alg]()
    raise KeyError_(f"unknown algorithm '{alg}': use one of {', '.join(ALGORITHMS)}")


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def create_key(instance: Path, alg: str = DEFAULT_ALGORITHM) -> SigningKey:
    """Make a new key and make it the current one."""
    private_key = _new_private_key(alg)
    folder = key_dir(instance)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(folder, 0o700)
    kid = thumbprint(public_jwk(private_key.public_key()))
    pem = private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    _write_private(folder / f"{kid}.pem", pem)
    atomic_write_text(folder / "current", f"{kid} {alg}\n")
    return SigningKey(kid, alg, private_key)


def _alg_of(private_key) -> str:
    return "RS256" if isinstance(private_key, rsa.RSAPrivateKey) else "EdDSA"


def load_keys(instance: Path) -> tuple[SigningKey | None, list[SigningKey]]:
    """(current key or None, every key)."""
    folder = key_dir(instance)
    if not folder.is_dir():
        return None, []
    keys = []
    for path in sorted(folder.glob("*.pem")):
        try:
            private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except (ValueError, TypeError) as exc:
            raise KeyError_(f"{path} is not a readable private key ({exc})") from None
        keys.append(SigningKey(path.stem, _alg_of(private_key), private_key))
    current_file = folder / "current"
    current_kid = current_file.read_text().split()[0] if current_file.is_file() else None
    current = next((k for k in keys if k.kid == current_kid), None)
    return current, keys


def jwks(keys: list[SigningKey], kid_of=None) -> dict:
    """`kid_of(thumbprint) -> published kid` (the key's URL)."""
    return {"keys": [k.public_jwk(kid_of(k.kid) if kid_of else None) for k in keys]}
