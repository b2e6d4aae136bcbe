"""Checking a certificate credential (VC-JWT) and saying exactly why it fails.

The checks run in an order that names the real problem: a credential from another issuer is
"wrong issuer" even though its signature cannot verify here either; a valid signature over
claims that disagree with the credential is "claims do not match".
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

import jwt

from brokerlearn.server.credentials.badge import _epoch
from brokerlearn.server.credentials.keys import SigningKey

ACCEPTED_ALGORITHMS = ("RS256", "EdDSA")


@dataclass
class Verdict:
    status: str  # valid | malformed | tampered | wrong_issuer | unknown_key | claims_mismatch
    #              | not_yet_valid | expired | revoked
    message: str
    credential: dict | None = None
    details: dict = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.status == "valid"


def _b64json(part: str):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def verify_credential(token: str, issuer_id: str, keys: list[SigningKey], revocation=None,
                      now: datetime | None = None) -> Verdict:
    """`revocation(index) -> (revoked_at, reason) or None` looks the status list up."""
    now = now or datetime.now(timezone.utc)
    token = (token or "").strip()
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        return Verdict("malformed", "This is not a signed credential (a VC-JWT has three parts separated by dots).")
    try:
        header, payload = _b64json(parts[0]), _b64json(parts[1])
        credential = payload["vc"]
        assert isinstance(header, dict) and isinstance(credential, dict)
    except Exception:  # any damage to the encoded parts
        return Verdict("tampered", "The credential has been altered: its content can no longer be read.")
    issuer = credential.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    if payload.get("iss") != issuer_id or issuer != issuer_id:
        return Verdict("wrong_issuer", f"The credential names the issuer '{payload.get('iss') or issuer}', "
                       f"not this one ({issuer_id}).", credential)
    if header.get("alg") not in ACCEPTED_ALGORITHMS or set(header) - {"alg", "kid", "typ"}:
        return Verdict("tampered", "The credential's header has been altered.", credential)
    key = next((k for k in keys if k.kid == header.get("kid")), None)
    if key is None:
        return Verdict("unknown_key", f"The credential is signed with a key ('{header.get('kid')}') that this "
                       f"issuer does not publish.", credential)
    try:
        verified = jwt.decode(token, key.public_key, algorithms=[key.alg],
                              options={"verify_exp": False, "verify_nbf": False, "verify_aud": False})
    except jwt.InvalidSignatureError:
        return Verdict("tampered", "The signature does not match: the credential has been altered after it "
                       "was issued.", credential)
    except jwt.PyJWTError as exc:
        return Verdict("tampered", f"The credential could not be checked: {exc}.", credential)
    credential = verified["vc"]
    subject = credential.get("credentialSubject", {}).get("id")
    expected = {"iss": issuer_id, "jti": credential.get("id"), "sub": subject}
    try:
        expected["nbf"] = _epoch(credential["validFrom"])
        until = _epoch(credential["validUntil"]) if credential.get("validUntil") else None
    except (KeyError, ValueError):
        return Verdict("claims_mismatch", "The credential's dates are missing or not readable.", credential)
    mismatched = [name for name, value in expected.items() if verified.get(name) != value]
    if until is not None and verified.get("exp") != until:
        mismatched.append("exp")
    if mismatched:
        return Verdict("claims_mismatch", f"The signed claims ({', '.join(mismatched)}) do not match the "
                       f"credential.", credential)
    moment = now.timestamp()
    if moment < expected["nbf"]:
        return Verdict("not_yet_valid", f"The credential is not valid before {credential['validFrom']}.", credential)
    if until is not None and moment >= until:
        return Verdict("expired", f"The credential expired on {credential['validUntil'][:10]}.", credential)
    status = credential.get("credentialStatus") or {}
    if revocation is not None and status.get("statusPurpose") == "revocation":
        try:
            revoked = revocation(int(status["statusListIndex"]))
        except (KeyError, ValueError):
            return Verdict("claims_mismatch", "The credential's status entry is not readable.", credential)
        if revoked:
            when, reason = revoked
            return Verdict("revoked", f"The credential was revoked on {when:%Y-%m-%d}: {reason}", credential,
                           {"revoked_at": when, "reason": reason})
    return Verdict("valid", "The credential is valid: signed by this issuer, unaltered, in force and not revoked.",
                   credential)
