"""Names and Role Provisioning Services: the LMS course's roster becomes the brokerlearn group
of its context (launch.context_row): every active member gets a linked account and joins it,
the course's teachers as its trainers. A roster is read when a launch brings a new
memberships URL, and again after ROSTER_EVERY, by the sender thread (ags.Sender) or
`brokerlearn lti sync-rosters`."""
from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import requests
from sqlalchemy import or_, select, update

from brokerlearn.server.lti import oauth
from brokerlearn.server.lti.launch import account_for, is_teaching, place_member
from brokerlearn.server.lti.registration import NRPS_SCOPE
from brokerlearn.server.models import LtiContext, LtiPlatform, utcnow

log = logging.getLogger("brokerlearn.lti")
ROSTER_EVERY = timedelta(hours=6)
RETRY = timedelta(minutes=5)  # after a roster could not be read
MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 50


def members(instance: Path, platform: LtiPlatform, url: str) -> list[dict]:
    """Every member of the roster, following the `next` links of a paged answer."""
    token = oauth.access_token(instance, platform, NRPS_SCOPE)
    found: list[dict] = []
    for _ in range(MAX_PAGES):
        try:
            answer = requests.get(url, timeout=oauth.TIMEOUT,
                                  headers={"Authorization": f"Bearer {token}", "Accept": MEDIA_TYPE})
            answer.raise_for_status()
            data = answer.json()
        except (requests.RequestException, ValueError) as exc:
            raise oauth.PlatformError(f"the roster at {url} cannot be read: {exc}") from None
        found.extend(m for m in data.get("members") or [] if isinstance(m, dict))
        url = answer.links.get("next", {}).get("url")
        if not url:
            break
    return found


def sync(db, instance: Path, context: LtiContext) -> int:
    """Read the context's roster into its group; return how many active members it has."""
    platform = db.get(LtiPlatform, context.platform_id)
    count = 0
    for member in members(instance, platform, context.memberships_url):
        if member.get("status", "Active") != "Active" or not member.get("user_id"):
            continue
        name = member.get("name") or " ".join(p for p in (member.get("given_name"), member.get("family_name")) if p)
        _, user = account_for(db, platform, str(member["user_id"]), name, member.get("email"))
        place_member(db, context.group_id, user, is_teaching(member.get("roles") or []))
        count += 1
    context.roster_synced_at = utcnow()
    db.commit()
    return count


def sync_due(db, instance: Path, every: timedelta = ROSTER_EVERY) -> int:
    """Read the rosters not read within `every`; return how many were read."""
    due = list(db.scalars(select(LtiContext).where(LtiContext.memberships_url.is_not(None), or_(
        LtiContext.roster_synced_at.is_(None), LtiContext.roster_synced_at < utcnow() - every))))
    done = 0
    for context in due:
        cutoff = utcnow() - every
        claimed = db.execute(update(LtiContext).execution_options(synchronize_session=False).where(
            LtiContext.id == context.id, or_(LtiContext.roster_synced_at.is_(None),
                                             LtiContext.roster_synced_at < cutoff)).values(roster_synced_at=utcnow()))
        db.commit()
        if claimed.rowcount != 1:
            continue  # another server process reads it
        try:
            sync(db, instance, context)
            done += 1
        except oauth.PlatformError as exc:
            db.rollback()
            context.roster_synced_at = utcnow() - every + RETRY  # not at every turn of the sender
            db.commit()
            log.warning("%s; trying again in %s", exc, RETRY)
    return done
