"""Open Badges 3.0 credentials (W3C Verifiable Credentials data model 2.0) and their VC-JWT form.

The JWT's header holds only alg, kid and typ; its claims iss, jti, sub and nbf (and exp when the
certificate expires) repeat the credential's issuer, id, subject and dates, which the verifier
checks (brokerlearn.server.credentials.verify).
"""
from __future__ import annotations

from datetime import datetime, timezone

import jwt

from brokerlearn.server.credentials.keys import SigningKey

CONTEXTS = ["https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_profile(base_url: str, name: str) -> dict:
    return {"id": f"{base_url}/certificates/issuer", "type": ["Profile"], "name": name, "url": base_url}


def build_credential(*, certificate_id: str, base_url: str, issuer_name: str, holder_name: str,
                     achievement: dict, outcomes: list[dict], issued_at: datetime,
                     valid_until: datetime | None, status_index: int) -> dict:
    """achievement: {id, title, description, criteria, level}; outcomes: [{id, statement, url}]."""
    status_url = f"{base_url}/certificates/status/1"
    credential = {
        "@context": CONTEXTS,
        "id": f"urn:uuid:{certificate_id}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer_profile(base_url, issuer_name),
        "validFrom": iso(issued_at),
        "name": achievement["title"],
        "credentialSubject": {
            "id": f"urn:uuid:{certificate_id}:subject",
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
    if valid_until is not None:
        credential["validUntil"] = iso(valid_until)
    return credential


def _epoch(text: str) -> int:
    return int(datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp())


def sign(credential: dict, key: SigningKey) -> str:
    claims = {"iss": credential["issuer"]["id"] if isinstance(credential["issuer"], dict) else credential["issuer"],
              "jti": credential["id"], "nbf": _epoch(credential["validFrom"])}
    subject = credential.get("credentialSubject", {}).get("id")
    if subject:
        claims["sub"] = subject
    if credential.get("validUntil"):
        claims["exp"] = _epoch(credential["validUntil"])
    return jwt.encode({"vc": credential, **claims}, key.private_key, algorithm=key.alg,
                      headers={"kid": key.kid, "typ": "JWT"})
