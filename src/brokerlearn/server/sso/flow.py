"""The authorization code flow with PKCE (RFC 7636, S256), state and nonce.

`start` keeps a SsoRequest row (state, nonce, verifier; never in the cookie, so each is used
once, whatever copy of a cookie someone kept) and returns the provider's authorization URL;
`finish` takes the provider's answer at the callback, consumes the row, sends the code with the
verifier to the token endpoint and returns the ID token's verified claims."""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from sqlalchemy import delete
from sqlalchemy.orm import Session

from brokerlearn.server.language import gettext as _
from brokerlearn.server.models import SsoProvider, SsoRequest, utcnow
from brokerlearn.server.sso import discovery, tokens
from brokerlearn.server.sso.errors import SsoError

REQUEST_AGE = timedelta(minutes=15)  # a sign-in not back from the provider by then starts again
log = logging.getLogger("brokerlearn.sso")


def _secret(provider: SsoProvider) -> str:
    from brokerlearn.server.sso import providers, sealed
    try:
        return providers.client_secret(provider)
    except sealed.SecretsKeyError as exc:
        raise SsoError(_("Signing in with %(name)s is not available now: the server cannot read its client "
                         "secret (the setting BROKERLEARN_SECRETS_KEY is missing or wrong). Tell the administrator.",
                         name=provider.name), 503, str(exc)) from None


def _client(provider: SsoProvider, redirect_uri: str, meta: dict) -> OAuth2Session:
    methods = meta.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    secret = _secret(provider)
    method = ("none" if not secret
              else "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post")
    return OAuth2Session(provider.client_id, secret or None, scope=provider.scopes,
                         redirect_uri=redirect_uri, code_challenge_method="S256",
                         token_endpoint_auth_method=method, default_timeout=discovery.TIMEOUT)


def start(db: Session, provider: SsoProvider, redirect_uri: str, next_url: str) -> tuple[str, str]:
    """(the provider's authorization URL, the state for the browser's session)."""
    _secret(provider)  # a missing or wrong key is told now, before the person leaves for the provider
    meta = discovery.metadata(provider.issuer)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), generate_token(64)
    db.execute(delete(SsoRequest).where(SsoRequest.created_at < utcnow() - REQUEST_AGE))
    db.add(SsoRequest(state=state, provider_id=provider.id, nonce=nonce, code_verifier=verifier,
                      next=next_url[:500], created_at=utcnow()))
    db.commit()
    url, _state = _client(provider, redirect_uri, meta).create_authorization_url(
        meta["authorization_endpoint"], state=state, code_verifier=verifier, nonce=nonce)
    return url, state


@dataclass(frozen=True)
class Answer:
    """A sign-in the provider vouched for: the ID token's claims, and where to go next."""
    claims: dict
    next: str


PROVIDER_ERRORS = {
    "access_denied": lambda: _("The sign-in was cancelled at the identity provider, or it did not allow this "
                               "application. You are not signed in."),
    "login_required": lambda: _("The identity provider asks you to sign in first. Start again."),
    "consent_required": lambda: _("The identity provider needs your consent to share your name and e-mail "
                                  "address with this application. Start again and allow it."),
    "interaction_required": lambda: _("The identity provider needs you to do something first. Start again."),
    "temporarily_unavailable": lambda: _("The identity provider is busy just now. Try again in a few minutes."),
}


def provider_error(code: str, description: str) -> SsoError:
    message = PROVIDER_ERRORS.get(code)
    return SsoError(message() if message else _(
        "The identity provider refused the sign-in (%(error)s). You are not signed in; tell your administrator "
        "if this happens again.") % {"error": code[:60]}, 401 if code == "access_denied" else 400,
        f"provider error {code}: {description[:300]}")


def _take(db: Session, provider: SsoProvider, state: str, browser_states: list[str]) -> SsoRequest:
    """The request the answer belongs to, removed so it is never used again."""
    lost = SsoError(_("This sign-in was not started in this browser, or it took too long. Start again from the "
                      "sign-in page."), 400)
    if not state or state not in browser_states:
        lost.detail = "state missing or not this browser's"
        raise lost
    request = db.get(SsoRequest, state)
    if request is None or request.provider_id != provider.id:
        lost.detail = "state unknown, used already, or another provider's"
        raise lost
    db.delete(request)
    db.commit()
    created = request.created_at if request.created_at.tzinfo else request.created_at.replace(tzinfo=utcnow().tzinfo)
    if utcnow() - created > REQUEST_AGE:
        lost.detail = "state too old"
        raise lost
    return request


def finish(db: Session, provider: SsoProvider, redirect_uri: str, args: dict, browser_states: list[str]) -> Answer:
    """The provider's answer at the callback (its query `args`), checked through and through."""
    if args.get("error"):
        if args.get("state") in browser_states:
            db.execute(delete(SsoRequest).where(SsoRequest.state == args["state"]))
            db.commit()
        raise provider_error(str(args["error"]), str(args.get("error_description", "")))
    request = _take(db, provider, args.get("state", ""), browser_states)
    if args.get("iss") and args["iss"] != provider.issuer:  # RFC 9207: the answer names its issuer
        raise SsoError(_("The answer came from another identity provider than the one the sign-in went to. "
                         "Start again."), 400, f"iss parameter {args['iss']!r}")
    if not args.get("code"):
        raise SsoError(_("The identity provider sent no sign-in code. Start again."), 400, "no code")
    meta = discovery.metadata(provider.issuer)
    try:
        token = _client(provider, redirect_uri, meta).fetch_token(
            meta["token_endpoint"], grant_type="authorization_code", code=args["code"],
            code_verifier=request.code_verifier)
    except OAuthError as exc:
        raise SsoError(_("The identity provider did not accept the sign-in code (it may have expired, or been "
                         "used already). Start again from the sign-in page."), 400,
                       f"token endpoint: {exc.error}: {exc.description}") from None
    except (requests.RequestException, ValueError) as exc:
        raise SsoError(_("The identity provider cannot be reached just now. Try again in a few minutes, or "
                         "sign in another way."), 502, f"token endpoint: {exc}") from None
    claims = tokens.verified_claims(token.get("id_token"), provider.issuer, provider.client_id, request.nonce,
                                    token.get("access_token"))
    return Answer(claims, request.next)
