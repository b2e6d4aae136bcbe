"""The ID token's checks (OpenID Connect Core 3.1.3.7): signed by a key of the provider's JWKS
with an algorithm it announces (never `none`, never a key the token brings), issued by the
configured issuer for this client, not expired, and carrying this sign-in's nonce. joserfc checks
the signature; Authlib's CodeIDToken the claims (iss, aud, exp, iat, nonce, azp, at_hash)."""
from __future__ import annotations

import logging

from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from brokerlearn.server.language import gettext as _
from brokerlearn.server.sso import discovery
from brokerlearn.server.sso.errors import SsoError

LEEWAY = 60  # seconds of clock difference allowed for exp and iat
DEFAULT_ALGORITHMS = ["RS256"]  # what OpenID Connect requires every provider to offer
log = logging.getLogger("brokerlearn.sso")


def _refused(detail: str) -> SsoError:
    return SsoError(_("The answer of the identity provider could not be verified, so you are not signed in. "
                      "Try again; if this happens again, tell your administrator."), 400, detail)


def _decode(id_token: str, issuer: str, algorithms: list[str]):
    # Header parameters the registry does not know (Entra ID's x5t and the like) are allowed, as
    # Authlib's own OpenID client allows them; `crit` ones are still refused.
    registry = JWSRegistry(algorithms=algorithms, strict_check_header=False)
    try:
        return jwt.decode(id_token, KeySet.import_key_set(discovery.key_set(issuer)), registry=registry)
    except InvalidKeyIdError:
        fresh = discovery.key_set(issuer, again=True)  # the provider may have rolled its keys
        if fresh is None:
            raise
        return jwt.decode(id_token, KeySet.import_key_set(fresh), registry=registry)


def verified_claims(id_token: str, issuer: str, client_id: str, nonce: str, access_token: str | None) -> dict:
    """The ID token's claims, once every check passed; else SsoError (the reason in its detail)."""
    meta = discovery.metadata(issuer)
    algorithms = [a for a in meta.get("id_token_signing_alg_values_supported") or DEFAULT_ALGORITHMS
                  if a and a.lower() != "none" and not a.startswith("HS")]
    if not isinstance(id_token, str) or not id_token:
        raise _refused("no id_token in the token response")
    try:
        token = _decode(id_token, issuer, algorithms)
    except (JoseError, ValueError) as exc:
        raise _refused(f"signature: {type(exc).__name__}: {exc}") from None
    options = {"iss": {"essential": True, "value": issuer}, "aud": {"essential": True, "value": client_id},
               "sub": {"essential": True}, "exp": {"essential": True}, "nonce": {"essential": True, "value": nonce}}
    params = {"nonce": nonce, "client_id": client_id}
    if access_token:
        params["access_token"] = access_token
    claims = CodeIDToken(token.claims, token.header, options, params)
    try:
        claims.validate(leeway=LEEWAY)
    except JoseError as exc:
        raise _refused(f"claims: {type(exc).__name__}: {exc}") from None
    return dict(claims)
