"""OIDC third-party login initiation and the launch: the id_token checked in full, the
platform's user linked to a brokerlearn account, and a one-time token that carries the launch
out of the platform's iframe.

The checks, each a refusal of its own (LaunchRefused): a known `state` (made by our login
initiation, unused, at most ten minutes old; the state is kept in the database, not in a
cookie, because a browser blocking third-party cookies would not send one back to the
iframe), the signature against the platform's key set, the issuer, the audience (our client
ID; `azp` with several audiences), expiry and issue time, the nonce given with that state
(used once), the deployment ID, the message type and the LTI version."""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from brokerlearn.server.language import gettext as _
from brokerlearn.server.lti import ags, oauth
from brokerlearn.server.models import (GroupMember, GroupTrainer, LtiAccount, LtiContext, LtiLaunchToken,
                                       LtiLineItem, LtiLogin, LtiPlatform, User, utcnow)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
MESSAGE_TYPES = ("LtiResourceLinkRequest", "LtiDeepLinkingRequest")
LOGIN_TTL = timedelta(minutes=10)
TOKEN_TTL = timedelta(minutes=2)
LEEWAY = 30  # seconds of clock difference allowed between the platform and us
TEACHING_ROLES = ("Instructor", "Administrator", "ContentDeveloper", "TeachingAssistant", "Mentor")


class LaunchRefused(Exception):
    """A login or launch refused; the message says which check failed (shown to the person)."""


@dataclass
class Launch:
    platform: LtiPlatform
    claims: dict

    @property
    def message_type(self) -> str:
        return self.claims[CLAIM + "message_type"]

    @property
    def teaching(self) -> bool:
        return is_teaching(self.claims.get(CLAIM + "roles") or [])


def is_teaching(roles) -> bool:
    """Whether the roles (LIS vocabulary URIs, or short names as NRPS may give) are the course's
    staff; institution and system roles do not count."""
    for role in roles if isinstance(roles, list) else []:
        role = str(role)
        if "#" in role and "/membership" not in role:
            continue
        if role.rsplit("#", 1)[-1].rsplit("/", 1)[-1] in TEACHING_ROLES:
            return True
    return False


# Login initiation ---------------------------------------------------------------------------

def begin_login(db: Session, params, launch_url: str) -> str:
    """The platform's authorization URL to send the browser to (the OIDC authentication request)."""
    issuer = params.get("iss")
    if not issuer or not params.get("login_hint"):
        raise LaunchRefused(_("The login request has no issuer or login hint."))
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if params.get("client_id"):
        query = query.where(LtiPlatform.client_id == params["client_id"])
    found = list(db.scalars(query))
    if len(found) != 1:
        raise LaunchRefused(_("This platform is not registered here (wrong issuer or client ID)."))
    platform = found[0]
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    db.execute(delete(LtiLogin).where(LtiLogin.created_at < utcnow() - 6 * LOGIN_TTL))
    db.add(LtiLogin(state=state, nonce=nonce, platform_id=platform.id))
    db.commit()
    request = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none",
               "client_id": platform.client_id, "redirect_uri": launch_url, "login_hint": params["login_hint"],
               "state": state, "nonce": nonce}
    if params.get("lti_message_hint"):
        request["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if urlsplit(platform.auth_login_url).query else "?"
    return platform.auth_login_url + separator + urlencode(request)


# The launch ---------------------------------------------------------------------------------

def verify_launch(db: Session, form) -> Launch:
    state, id_token = form.get("state"), form.get("id_token")
    if not state:
        raise LaunchRefused(_("The launch has no state: start it again from the platform."))
    if not id_token:
        raise LaunchRefused(_("The launch has no id_token."))
    login = db.get(LtiLogin, state)
    if login is None or _aware(login.created_at) < utcnow() - LOGIN_TTL:
        raise LaunchRefused(_("The launch's state is unknown or too old: start it again from the platform."))
    platform = db.get(LtiPlatform, login.platform_id)
    claims = _verified_claims(platform, id_token)
    _check_claims(platform, claims)
    if claims.get("nonce") != login.nonce:
        raise LaunchRefused(_("The id_token's nonce is not the one of this login."))
    used = db.execute(update(LtiLogin).execution_options(synchronize_session=False).where(LtiLogin.state == state, LtiLogin.used_at.is_(None))
                      .values(used_at=utcnow()))
    db.commit()
    if used.rowcount != 1:
        raise LaunchRefused(_("This launch has been used already (a replayed nonce)."))
    _check_message(platform, claims)
    return Launch(platform, claims)


def _aware(moment):
    from datetime import timezone
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _verified_claims(platform: LtiPlatform, id_token: str) -> dict:
    try:
        header = json.loads(base64.urlsafe_b64decode(id_token.split(".")[0] + "=="))
        keys = KeySet.import_key_set(oauth.keyset(platform.keyset_url, header.get("kid")))
        token = jwt.decode(id_token, keys, algorithms=["RS256", "RS384", "RS512", "ES256"])
    except oauth.PlatformError as exc:
        raise LaunchRefused(str(exc)) from None
    except (JoseError, ValueError, TypeError, IndexError, AttributeError) as exc:
        raise LaunchRefused(_("The id_token's signature does not verify with the platform's keys (%(detail)s).",
                               detail=exc)) from None
    return dict(token.claims)


def _check_claims(platform: LtiPlatform, claims: dict) -> None:
    if claims.get("iss") != platform.issuer:
        raise LaunchRefused(_("The id_token is from another issuer than the platform of this login."))
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if platform.client_id not in audiences or (len(audiences) > 1 and claims.get("azp") != platform.client_id):
        raise LaunchRefused(_("The id_token is meant for another audience (not our client ID)."))
    now = time.time()
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, (int, float)) or exp < now - LEEWAY:
        raise LaunchRefused(_("The id_token has expired."))
    if not isinstance(iat, (int, float)) or iat > now + LEEWAY:
        raise LaunchRefused(_("The id_token's issue time is missing or in the future."))
    if not claims.get("sub"):
        raise LaunchRefused(_("The id_token names no user (sub)."))


def _check_message(platform: LtiPlatform, claims: dict) -> None:
    if claims.get(CLAIM + "deployment_id") not in platform.deployment_ids:
        raise LaunchRefused(_("The launch is from a deployment that is not registered here."))
    if claims.get(CLAIM + "message_type") not in MESSAGE_TYPES:
        raise LaunchRefused(_("The launch's message type is not one this tool takes."))
    if claims.get(CLAIM + "version") != "1.3.0":
        raise LaunchRefused(_("The launch is not LTI version 1.3.0."))
    if claims[CLAIM + "message_type"] == "LtiResourceLinkRequest" and not (claims.get(CLAIM + "resource_link") or {}).get("id"):
        raise LaunchRefused(_("The launch names no resource link."))


# The account --------------------------------------------------------------------------------

def linked_user(db: Session, platform: LtiPlatform, claims: dict) -> User:
    """The account linked to the platform's user, made on their first launch (with the name and
    e-mail address where the platform shares them; an address that another account has already
    is not taken over: the new account gets a placeholder instead)."""
    return account_for(db, platform, str(claims["sub"]), _name(claims), claims.get("email"))[1]


def _name(claims: dict) -> str:
    return claims.get("name") or " ".join(p for p in (claims.get("given_name"), claims.get("family_name")) if p)


def account_for(db: Session, platform: LtiPlatform, sub: str, name: str = "", email=None) -> tuple[LtiAccount, User]:
    from brokerlearn.server.services.accounts import AccountError, clean_name, normalise_email
    link = db.scalar(select(LtiAccount).where(LtiAccount.platform_id == platform.id, LtiAccount.sub == sub))
    if link is not None:
        return link, db.get(User, link.user_id)
    try:
        address = normalise_email(email) if email else None
    except AccountError:
        address = None
    if address is None or db.scalar(select(User.id).where(User.email == address)) is not None:
        digest = hashlib.sha256(f"{platform.id}:{sub}".encode()).hexdigest()[:20]
        address = f"lti-{digest}@lti.invalid"
    try:
        clean = clean_name(name or "")
    except AccountError:
        clean = ""
    user = User(email=address, name=clean, password_hash="!lti", role="learner", session_version=0)
    db.add(user)
    db.flush()
    link = LtiAccount(platform_id=platform.id, sub=sub, user_id=user.id)
    db.add(link)
    try:
        db.commit()
    except IntegrityError:  # the same user launched twice at once: use the other one's
        db.rollback()
        return account_for(db, platform, sub, name, email)
    return link, user


# The LMS course: its group, its line items ------------------------------------------------

def join_context(db: Session, platform: LtiPlatform, claims: dict, user: User, teaching: bool,
                 course_id: str | None = None) -> LtiContext | None:
    context = claims.get(CLAIM + "context") or {}
    if not context.get("id"):
        return None
    row = context_row(db, platform, str(context["id"]), context.get("title") or context.get("label") or "")
    service = claims.get(NRPS_CLAIM) or {}
    if service.get("context_memberships_url") and row.memberships_url != service["context_memberships_url"]:
        row.memberships_url, row.roster_synced_at = service["context_memberships_url"], None
    place_member(db, row.group_id, user, teaching)
    if course_id:
        from brokerlearn.server.models import GroupCourse
        if db.get(GroupCourse, (row.group_id, course_id)) is None:
            db.add(GroupCourse(group_id=row.group_id, course_id=course_id))
    db.commit()
    return row


def context_row(db: Session, platform: LtiPlatform, context_id: str, title: str) -> LtiContext:
    from brokerlearn.server.models import Group
    row = db.scalar(select(LtiContext).where(LtiContext.platform_id == platform.id,
                                             LtiContext.context_id == context_id))
    if row is not None:
        return row
    base = " ".join(f"{title or context_id} ({platform.name})".split())[:180]
    name = base if db.scalar(select(Group.id).where(Group.name == base)) is None else f"{base} [{context_id}]"[:200]
    group = Group(name=name)
    db.add(group)
    db.flush()
    row = LtiContext(platform_id=platform.id, context_id=context_id, title=title[:300], group_id=group.id)
    db.add(row)
    db.flush()
    return row


def place_member(db: Session, group_id: int, user: User, teaching: bool) -> None:
    """A learner joins the group; the course's staff become its trainers (the trainer role sees
    only the groups it trains, server/access.py), never administrators."""
    if teaching:
        if db.get(GroupTrainer, (group_id, user.id)) is None:
            db.add(GroupTrainer(group_id=group_id, user_id=user.id))
        if user.role == "learner":
            user.role = "trainer"
    elif db.get(GroupMember, (group_id, user.id)) is None:
        db.add(GroupMember(group_id=group_id, user_id=user.id))


def bind_line_item(db: Session, platform: LtiPlatform, claims: dict) -> LtiLineItem | None:
    """The gradebook column of this resource link, bound to the graded item it launches."""
    url = (claims.get(AGS_CLAIM) or {}).get("lineitem")
    item = str((claims.get(CLAIM + "custom") or {}).get("brokerlearn_item") or "")
    kind, _, rest = item.partition(":")
    course_id, _, item_id = rest.partition("/")
    if not url or kind not in ("quiz", "assignment") or not course_id or not item_id:
        return None
    row = db.scalar(select(LtiLineItem).where(LtiLineItem.platform_id == platform.id, LtiLineItem.url == url))
    if row is None:
        row = LtiLineItem(platform_id=platform.id, url=url, course_id=course_id, kind=kind, item_id=item_id)
        db.add(row)
        try:
            db.commit()
        except IntegrityError:
            db.rollback()
            return db.scalar(select(LtiLineItem).where(LtiLineItem.platform_id == platform.id, LtiLineItem.url == url))
        ags.line_item_bound()  # this process's senders: graded results wake them from now on
    return row


def target_of(claims: dict, base: str) -> str:
    """The page to open: the deep-linked item's path, else the target link's path on this server."""
    from brokerlearn.server.security import same_site_path
    custom = claims.get(CLAIM + "custom") or {}
    if custom.get("brokerlearn_target"):
        return same_site_path(str(custom["brokerlearn_target"]), "/")
    link = str(claims.get(CLAIM + "target_link_uri") or "")
    if link.startswith(base.rstrip("/") + "/"):
        path = "/" + link[len(base.rstrip("/")) + 1:]
        if not path.startswith("/lti/"):
            return same_site_path(path, "/")
    return "/"


# The one-time launch token ------------------------------------------------------------------

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(db: Session, user: User, target: str) -> str:
    token = secrets.token_urlsafe(32)
    db.execute(delete(LtiLaunchToken).where(LtiLaunchToken.expires_at < utcnow() - timedelta(days=1)))
    db.add(LtiLaunchToken(token_hash=_hash(token), user_id=user.id, target=target, expires_at=utcnow() + TOKEN_TTL))
    db.commit()
    return token


def _live_token(db: Session, token: str) -> LtiLaunchToken:
    row = db.get(LtiLaunchToken, _hash(token or ""))
    if row is None or _aware(row.expires_at) < utcnow():
        raise LaunchRefused(_("This launch link has expired: open the activity again from your course."))
    if row.used_at is not None:
        raise LaunchRefused(_("This launch link has been used already: open the activity again from your course."))
    return row


def _active(db: Session, user_id: int) -> User:
    user = db.get(User, user_id)
    if user is None or not user.is_active:
        raise LaunchRefused(_("This account cannot sign in."))
    return user


def describe_token(db: Session, token: str) -> tuple[User, str]:
    """Who the one-time link would sign in, and from which platform, without using it (the
    person who opened it confirms first: a link passed on must not sign anyone in unseen)."""
    row = _live_token(db, token)
    user = _active(db, row.user_id)
    platform = db.scalar(select(LtiPlatform.name).join(LtiAccount, LtiAccount.platform_id == LtiPlatform.id)
                         .where(LtiAccount.user_id == user.id).order_by(LtiAccount.id.desc()).limit(1))
    return user, platform or ""


def redeem_token(db: Session, token: str) -> tuple[User, str]:
    row = _live_token(db, token)
    used = db.execute(update(LtiLaunchToken).execution_options(synchronize_session=False).where(
        LtiLaunchToken.token_hash == row.token_hash, LtiLaunchToken.used_at.is_(None)).values(used_at=utcnow()))
    db.commit()
    if used.rowcount != 1:
        raise LaunchRefused(_("This launch link has been used already: open the activity again from your course."))
    return _active(db, row.user_id), row.target
