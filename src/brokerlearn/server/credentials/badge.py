"""Open Badges 3.0 credentials (W3C Verifiable Credentials data model 2.0) and their VC-JWT form.

OB 3.0 §8.2.4: the JWT payload *is* the credential, with the registered claims iss, jti, sub and
nbf (and exp when the certificate expires) beside its members, repeating its issuer, id, subject
and dates; the verifier checks they agree (brokerlearn.server.credentials.verify). The header
holds only alg, typ and kid, and kid is a URL that serves the public key as a JWK
(BASE/certificates/keys/THUMBPRINT). Credentials issued before this form (the VC 1.1 habit of a
`vc` claim, a bare thumbprint as kid) still verify here, and can be re-signed: see `resign`.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import jwt

from brokerlearn.server.credentials.keys import SigningKey

CONTEXTS = ["https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


CLAIMS = ("iss", "jti", "sub", "nbf", "exp")
CERTIFICATE_TYPES = {"OpenBadgeCredential", "AchievementCredential"}  # aliases in the OB 3.0 context


def issuer_profile(base_url: str, name: str) -> dict:
    """The issuer as an OB 3.0 Profile: only OB 3.0 terms (the key is found through each
    credential's kid, and at BASE/.well-known/jwks.json)."""
    return {"id": f"{base_url}/certificates/issuer", "type": ["Profile"], "name": name, "url": base_url}


def key_url(base_url: str, kid: str) -> str:
    """Where the public key with this thumbprint is served as a JWK: the JOSE header's kid."""
    return f"{base_url}/certificates/keys/{kid}"


def base_of(issuer_id: str) -> str:
    return issuer_id.removesuffix("/certificates/issuer")


def subject_id(certificate_id: str) -> str:
    """A valid urn:uuid for the holder, derived from the certificate's number so a re-signed
    credential keeps it; it names no account, so two certificates of one learner are not linked."""
    return f"urn:uuid:{uuid.uuid5(uuid.UUID(certificate_id), 'credentialSubject')}"


def build_credential(*, certificate_id: str, base_url: str, issuer_name: str, holder_name: str,
                     achievement: dict, outcomes: list[dict], issued_at: datetime,
                     valid_until: datetime | None, status_index: int, result_descriptions: list | None = None,
                     results: list | None = None, evidence: list | None = None) -> dict:
    """achievement: {id, title, description, criteria, level}; outcomes: [{id, statement, url}].
    result_descriptions (the achievement's), results (the subject's) and evidence: OB 3.0
    objects made by credentials.assessed, left out when empty."""
    status_url = f"{base_url}/certificates/status/1"
    credential = {
        "@context": CONTEXTS,
        "id": f"urn:uuid:{certificate_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile(base_url, issuer_name),
        "validFrom": iso(issued_at),
        "name": achievement["title"],
        "credentialSubject": {
            "id": subject_id(certificate_id),
            "type": ["AchievementSubject"],
            "identifier": [{"type": "IdentityObject", "identityType": "name", "hashed": False,
                            "identityHash": holder_name}],
            "achievement": {
                "id": achievement["id"],
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "name": achievement["title"],
                "description": achievement["description"],
                "criteria": {"narrative": achievement["criteria"]},
                **({"fieldOfStudy": achievement["level"]} if achievement.get("level") else {}),
                "alignment": [{"type": ["Alignment"], "targetName": f"{o['id']} {o['statement']}",
                               "targetDescription": o["statement"], "targetCode": o["id"],
                               "targetFramework": achievement["framework"], "targetType": "CFItem",
                               "targetUrl": o["url"]} for o in outcomes],
            },
        },
        "credentialStatus": {"id": f"{status_url}#{status_index}", "type": "BitstringStatusListEntry",
                             "statusPurpose": "revocation", "statusListIndex": str(status_index),
                             "statusListCredential": status_url},
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }
    if result_descriptions:
        credential["credentialSubject"]["achievement"]["resultDescription"] = result_descriptions
    if results:
        credential["credentialSubject"]["result"] = results
    if evidence:
        credential["evidence"] = evidence
    if valid_until is not None:
        credential["validUntil"] = iso(valid_until)
    return credential


def _epoch(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())


def claims_of(credential: dict) -> dict:
    issuer = credential["issuer"]
    claims = {"iss": issuer["id"] if isinstance(issuer, dict) else issuer,
              "jti": credential["id"], "nbf": _epoch(credential["validFrom"])}
    subject = credential.get("credentialSubject", {}).get("id")
    if subject:
        claims["sub"] = subject
    if credential.get("validUntil"):
        claims["exp"] = _epoch(credential["validUntil"])
    return claims


def sign(credential: dict, key: SigningKey, base_url: str) -> str:
    """The VC-JWT: the credential itself as the payload, with its registered claims beside it."""
    return jwt.encode({**credential, **claims_of(credential)}, key.private_key, algorithm=key.alg,
                      headers={"kid": key_url(base_url, key.kid), "typ": "JWT"})


def is_legacy(payload: dict) -> bool:
    """A credential of the first form: the credential inside a `vc` claim."""
    return isinstance(payload.get("vc"), dict) and "type" not in payload


def credential_of(payload: dict) -> dict:
    """The credential a VC-JWT payload secures, in either form, without the JWT claims."""
    if is_legacy(payload):
        return payload["vc"]
    return {name: value for name, value in payload.items() if name not in CLAIMS}


def is_certificate(credential: dict) -> bool:
    types = credential.get("type")
    types = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    names = {t for t in types if isinstance(t, str)}
    return "VerifiableCredential" in names and bool(CERTIFICATE_TYPES & names)


def resign(token: str, key: SigningKey, base_url: str) -> str:
    """A credential of the first form re-signed in the current one: the same number, holder,
    achievement, dates and status entry; the subject gets a valid urn:uuid. The caller has
    checked the token (it comes from the database)."""
    credential = dict(credential_of(jwt.decode(token, options={"verify_signature": False})))
    subject = dict(credential["credentialSubject"])
    subject["id"] = subject_id(credential["id"].removeprefix("urn:uuid:"))
    credential["credentialSubject"] = subject
    return sign(credential, key, base_url)
