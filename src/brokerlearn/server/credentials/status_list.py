"""Revocation published as a W3C Bitstring Status List: one bit per certificate, set when it is
revoked, GZIP-compressed and multibase base64url encoded, inside a signed credential that every
certificate references through its `credentialStatus`."""
from __future__ import annotations

import base64
import gzip

LIST_BITS = 131072  # the specification's minimum (16 KB), so a list reveals little by its size


def encode(revoked_indices) -> str:
    bits = bytearray(LIST_BITS // 8)
    for index in revoked_indices:
        if not 0 <= index < LIST_BITS:
            raise ValueError(f"status index {index} is outside the list")
        bits[index // 8] |= 0x80 >> (index % 8)  # index 0 is the left-most bit of the first byte
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


def is_set(encoded: str, index: int) -> bool:
    if not encoded.startswith("u"):
        raise ValueError("encodedList is not multibase base64url")
    data = encoded[1:]
    bits = gzip.decompress(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    if not 0 <= index < len(bits) * 8:
        raise ValueError(f"status index {index} is outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def status_list_credential(list_url: str, issuer: dict, valid_from: str, revoked_indices) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer["id"],
        "validFrom": valid_from,
        "credentialSubject": {"id": f"{list_url}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation", "encodedList": encode(revoked_indices)},
    }
