"""Platforms: registered by an administrator (admin page, `brokerlearn lti add-platform`) or by
LTI Dynamic Registration (the platform's openid_configuration and registration_token), and
what we tell them about ourselves: the tool's URLs, its configuration as JSON (Canvas's
developer key form) and as the values Moodle's "Configure a tool manually" asks for."""
from __future__ import annotations

from urllib.parse import urlsplit

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from brokerlearn.errors import UsageError
from brokerlearn.server.models import LtiPlatform
from brokerlearn.server.lti import framing

AGS_SCOPES = ("https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
              "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
              "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
              "https://purl.imsglobal.org/spec/lti-ags/scope/score")
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCOPES = (*AGS_SCOPES, NRPS_SCOPE)
TOOL_NAME = "brokerlearn"


class PlatformProblem(UsageError):
    """A registration that cannot be made as given (the message says why)."""


def tool_urls(base: str) -> dict[str, str]:
    base = base.rstrip("/")
    return {"login": f"{base}/lti/login", "launch": f"{base}/lti/launch",
            "jwks": f"{base}/.well-known/lti-jwks.json", "config": f"{base}/lti/config.json",
            "domain": urlsplit(base).netloc}


def canvas_configuration(base: str) -> dict:
    """The tool's configuration as Canvas's "Paste JSON" developer key takes it."""
    urls = tool_urls(base)
    return {"title": TOOL_NAME, "description": "Self-paced courses with graded quizzes and assessed work.",
            "oidc_initiation_url": urls["login"], "target_link_uri": urls["launch"],
            "public_jwk_url": urls["jwks"], "scopes": list(SCOPES),
            "extensions": [{"platform": "canvas.instructure.com", "privacy_level": "public",
                            "domain": urls["domain"], "settings": {"placements": [
                                {"placement": "link_selection", "message_type": "LtiDeepLinkingRequest",
                                 "target_link_uri": urls["launch"]},
                                {"placement": "assignment_selection", "message_type": "LtiDeepLinkingRequest",
                                 "target_link_uri": urls["launch"]}]}}],
            "custom_fields": {}}


def moodle_values(base: str) -> dict[str, str]:
    """Moodle's "External tool configuration" fields, by their labels, and what to paste."""
    urls = tool_urls(base)
    return {"Tool URL": urls["launch"], "LTI version": "LTI 1.3", "Public key type": "Keyset URL",
            "Public keyset": urls["jwks"], "Initiate login URL": urls["login"],
            "Redirection URI(s)": urls["launch"], "Supports Deep Linking (Content-Item Message)": "yes",
            "Content Selection URL": urls["launch"]}


def _check_url(value: str, what: str) -> str:
    value = (value or "").strip()
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise PlatformProblem(f"{what} must be an http(s) address, not '{value}'")
    return value


def add_platform(db: Session, *, issuer: str, client_id: str, deployment_ids: list[str], auth_login_url: str,
                 auth_token_url: str, keyset_url: str, name: str = "", actor=None) -> LtiPlatform:
    """Register a platform (or add deployment IDs to the one with this issuer and client ID)."""
    issuer = _check_url(issuer, "the issuer")
    client_id = (client_id or "").strip()
    deployments = [d.strip() for d in deployment_ids if d and d.strip()]
    if not client_id or not deployments:
        raise PlatformProblem("a platform needs its client ID and at least one deployment ID")
    urls = {k: _check_url(v, k.replace("_", " ")) for k, v in
            (("auth_login_url", auth_login_url), ("auth_token_url", auth_token_url), ("keyset_url", keyset_url))}
    platform = db.scalar(select(LtiPlatform).where(LtiPlatform.issuer == issuer, LtiPlatform.client_id == client_id))
    if platform is None:
        platform = LtiPlatform(issuer=issuer, client_id=client_id, deployment_ids=deployments,
                               name=(name or urlsplit(issuer).netloc)[:200], **urls)
        db.add(platform)
    else:
        platform.deployment_ids = sorted(set(platform.deployment_ids) | set(deployments))
        for key, value in urls.items():
            setattr(platform, key, value)
    _audit(db, actor, "lti_platform_added", f"{issuer} ({client_id})", ", ".join(deployments))
    db.commit()
    framing.platforms_changed()
    return platform


def platforms(db: Session) -> list[LtiPlatform]:
    return list(db.scalars(select(LtiPlatform).order_by(LtiPlatform.id)))


def remove_platform(db: Session, platform_id: int, actor=None) -> LtiPlatform:
    """Remove a platform: its launches stop; its linked accounts stay as brokerlearn accounts."""
    platform = db.get(LtiPlatform, platform_id)
    if platform is None:
        raise PlatformProblem(f"no platform {platform_id}")
    _audit(db, actor, "lti_platform_removed", f"{platform.issuer} ({platform.client_id})")
    db.delete(platform)
    db.commit()
    framing.platforms_changed()
    return platform


def _audit(db: Session, actor, action: str, target: str, details: str = "") -> None:
    if actor is not None:
        from brokerlearn.server.services import audit
        audit.record(db, actor, action, target=target[:400], details=details)


def platform_origins(db: Session) -> list[str]:
    """The origins pages framed by a platform may be framed from (CSP frame-ancestors)."""
    origins = set()
    for platform in platforms(db):
        for url in (platform.issuer, platform.auth_login_url):
            parts = urlsplit(url)
            origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


# LTI Dynamic Registration 1.0 ---------------------------------------------------------------

def dynamic_registration(db: Session, base: str, openid_configuration: str, registration_token: str | None,
                         actor=None) -> LtiPlatform:
    """Fetch the platform's configuration, register the tool at its registration endpoint and
    store the platform with the client ID and deployment ID it gave."""
    config_url = _check_url(openid_configuration, "openid_configuration")
    config = _get_json(config_url)
    issuer = str(config.get("issuer") or "")
    if not issuer or not config_url.startswith(issuer.rstrip("/")):
        raise PlatformProblem("the platform's configuration does not belong to its issuer")
    for member in ("registration_endpoint", "authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not config.get(member):
            raise PlatformProblem(f"the platform's configuration has no {member}")
    answer = _register(base, config, registration_token)
    tool_config = answer.get("https://purl.imsglobal.org/spec/lti-tool-configuration") or {}
    platform_name = (config.get("https://purl.imsglobal.org/spec/lti-platform-configuration") or {}).get(
        "product_family_code") or ""
    return add_platform(db, issuer=issuer, client_id=str(answer.get("client_id") or ""),
                        deployment_ids=[str(tool_config.get("deployment_id") or "")],
                        auth_login_url=config["authorization_endpoint"], auth_token_url=config["token_endpoint"],
                        keyset_url=config["jwks_uri"], name=platform_name, actor=actor)


def registration_request(base: str, config: dict) -> dict:
    urls = tool_urls(base)
    supported = set(config.get("scopes_supported") or SCOPES)
    return {"application_type": "web", "response_types": ["id_token"],
            "grant_types": ["implicit", "client_credentials"], "initiate_login_uri": urls["login"],
            "redirect_uris": [urls["launch"]], "client_name": TOOL_NAME, "jwks_uri": urls["jwks"],
            "token_endpoint_auth_method": "private_key_jwt",
            "scope": " ".join(s for s in SCOPES if s in supported),
            "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                "domain": urls["domain"], "target_link_uri": urls["launch"],
                "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
                "messages": [{"type": "LtiDeepLinkingRequest", "target_link_uri": urls["launch"],
                              "label": TOOL_NAME}]}}


def _register(base: str, config: dict, registration_token: str | None) -> dict:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if registration_token:
        headers["Authorization"] = f"Bearer {registration_token}"
    try:
        answer = requests.post(config["registration_endpoint"], json=registration_request(base, config),
                               headers=headers, timeout=10)
        answer.raise_for_status()
        data = answer.json()
    except (requests.RequestException, ValueError) as exc:
        raise PlatformProblem(f"the platform refused the registration: {exc}") from None
    if not isinstance(data, dict) or not data.get("client_id"):
        raise PlatformProblem("the platform's answer to the registration has no client_id")
    return data


def _get_json(url: str) -> dict:
    try:
        answer = requests.get(url, timeout=10, headers={"Accept": "application/json"})
        answer.raise_for_status()
        data = answer.json()
    except (requests.RequestException, ValueError) as exc:
        raise PlatformProblem(f"{url} cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise PlatformProblem(f"{url} is not a configuration")
    return data
