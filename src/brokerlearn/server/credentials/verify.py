"""Checking a certificate credential (VC-JWT) and saying exactly why it fails.

The checks run in an order that names the real problem: a credential from another issuer is
"wrong issuer" even though its signature cannot verify here either; a valid signature over
claims that disagree with the credential is "claims do not match"; a signed credential of this
issuer that is not a certificate (the revocation status list) is "not a certificate".

Both forms verify: the current OB 3.0 one (the payload is the credential, kid is the key's URL)
and the first one (the credential in a `vc` claim, kid a bare thumbprint); the verdict's
details say which (`legacy`).
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

import jwt

from brokerlearn.server.credentials import badge
from brokerlearn.server.credentials.keys import ALGORITHMS, SigningKey
from brokerlearn.server.language import gettext as _

ACCEPTED_ALGORITHMS = ALGORITHMS


@dataclass
class Verdict:
    status: str  # valid | malformed | tampered | wrong_issuer | unknown_key | claims_mismatch
    #              | not_a_certificate | not_yet_valid | expired | revoked
    message: str
    credential: dict | None = None
    details: dict = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.status == "valid"


def _b64json(part: str):
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _read(token: str):
    """(header, payload, credential) or a Verdict saying why not."""
    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        return Verdict("malformed", _("This is not a signed credential (a VC-JWT has three parts separated by dots)."))
    try:
        header, payload = _b64json(parts[0]), _b64json(parts[1])
    except Exception:  # any damage to the encoded parts
        header = payload = None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        return Verdict("tampered", _("The credential has been altered: its content can no longer be read."))
    credential = badge.credential_of(payload)
    if not isinstance(credential, dict):
        return Verdict("tampered", _("The credential has been altered: its content can no longer be read."))
    return header, payload, credential


def _key_for(header: dict, legacy: bool, issuer_id: str, keys: list[SigningKey]) -> SigningKey | None:
    """The key the header's kid names: its URL (BASE/certificates/keys/THUMBPRINT), or for a
    credential of the first form its bare thumbprint."""
    kid = header.get("kid")
    base = badge.base_of(issuer_id)
    for key in keys:
        if kid == badge.key_url(base, key.kid) or (legacy and kid == key.kid):
            return key
    return None


def verify_credential(token: str, issuer_id: str, keys: list[SigningKey], revocation=None,
                      now: datetime | None = None) -> Verdict:
    """`revocation(index) -> (revoked_at, reason) or None` looks the status list up."""
    now = now or datetime.now(timezone.utc)
    read = _read((token or "").strip())
    if isinstance(read, Verdict):
        return read
    header, payload, credential = read
    legacy = badge.is_legacy(payload)
    issuer = credential.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    if payload.get("iss") != issuer_id or issuer != issuer_id:
        return Verdict("wrong_issuer", _("The credential names the issuer '%(named)s', not this one (%(issuer)s).",
                                         named=payload.get("iss") or issuer, issuer=issuer_id), credential)
    if header.get("alg") not in ACCEPTED_ALGORITHMS or set(header) - {"alg", "kid", "typ"}:
        return Verdict("tampered", _("The credential's header has been altered."), credential)
    key = _key_for(header, legacy, issuer_id, keys)
    if key is None:
        return Verdict("unknown_key", _("The credential is signed with a key ('%(kid)s') that this issuer does not "
                                        "publish.", kid=header.get("kid")), credential)
    try:
        verified = jwt.decode(token.strip(), key.public_key, algorithms=[key.alg],
                              options={"verify_exp": False, "verify_nbf": False, "verify_aud": False,
                                       "verify_sub": False, "verify_jti": False})
    except jwt.InvalidSignatureError:
        return Verdict("tampered", _("The signature does not match: the credential has been altered after it was "
                                     "issued."), credential)
    except jwt.PyJWTError as exc:
        return Verdict("tampered", _("The credential could not be checked: %(reason)s.", reason=str(exc)), credential)
    credential = badge.credential_of(verified)
    return _check_content(verified, credential, issuer_id, legacy, revocation, now)


def _check_content(verified: dict, credential: dict, issuer_id: str, legacy: bool, revocation,
                   now: datetime) -> Verdict:
    details = {"legacy": legacy}
    if not badge.is_certificate(credential):
        return Verdict("not_a_certificate", _("This is a credential signed by this issuer, but not a certificate "
                                              "(its type is %(type)s).", type=json.dumps(credential.get("type"))),
                       None, details)
    subject = credential.get("credentialSubject", {}).get("id")
    expected = {"iss": issuer_id, "jti": credential.get("id"), "sub": subject}
    try:
        expected["nbf"] = badge._epoch(credential["validFrom"])
        until = badge._epoch(credential["validUntil"]) if credential.get("validUntil") else None
    except (KeyError, ValueError, TypeError):
        return Verdict("claims_mismatch", _("The credential's dates are missing or not readable."), credential, details)
    mismatched = [name for name, value in expected.items() if verified.get(name) != value]
    if until is not None and verified.get("exp") != until:
        mismatched.append("exp")
    if mismatched:
        return Verdict("claims_mismatch", _("The signed claims (%(claims)s) do not match the credential.",
                                            claims=", ".join(mismatched)), credential, details)
    moment = now.timestamp()
    if moment < expected["nbf"]:
        return Verdict("not_yet_valid", _("The credential is not valid before %(date)s.", date=credential["validFrom"]),
                       credential, details)
    if until is not None and moment >= until:
        return Verdict("expired", _("The credential expired on %(date)s.", date=credential["validUntil"][:10]),
                       credential, details)
    status = credential.get("credentialStatus") or {}
    if revocation is not None and isinstance(status, dict) and status.get("statusPurpose") == "revocation":
        try:
            revoked = revocation(int(status["statusListIndex"]))
        except (KeyError, ValueError, TypeError):
            return Verdict("claims_mismatch", _("The credential's status entry is not readable."), credential, details)
        if revoked:
            when, reason = revoked
            return Verdict("revoked", _("The credential was revoked on %(date)s: %(reason)s",
                                        date=f"{when:%Y-%m-%d}", reason=reason), credential,
                           {**details, "revoked_at": when, "reason": reason})
    return Verdict("valid", _("The credential is valid: signed by this issuer, unaltered, in force and not revoked."),
                   credential, details)
