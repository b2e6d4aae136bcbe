"""Who may see and do what in the administration, in one place, checked on the server.

* admin: everything, every learner and group.
* trainer: the groups assigned to them (group_trainers) and the members of those groups, never
  other learners; the actions on those learners that the views allow trainers.
* author: the course reports (aggregate figures, no person named).
* learner, signed out: nothing here.

Views use `requires(*roles, learner=..., group=...)`; queries narrow their rows with
`visible_group_ids` and `visible_learner_ids`. A learner or group outside the caller's sight
is answered 404, the same as one that does not exist, so its existence is not revealed.
"""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.sql import Select

from brokerlearn.server import db
from brokerlearn.server.models import Group, GroupMember, GroupTrainer

STAFF = ("admin", "trainer")


def role_of(user) -> str | None:
    return getattr(user, "role", None) if getattr(user, "is_authenticated", False) else None


def visible_group_ids(user) -> set[int] | None:
    """None: every group (an admin); else the IDs of the groups the user trains (empty for others)."""
    role = role_of(user)
    if role == "admin":
        return None
    if role != "trainer":
        return set()
    return set(db.session().scalars(select(GroupTrainer.group_id).where(GroupTrainer.user_id == user.id)))


def visible_learner_ids(user) -> Select | None:
    """None: every account; else a query of the user IDs the user may see (members of their groups)."""
    groups = visible_group_ids(user)
    if groups is None:
        return None
    return select(GroupMember.user_id).where(GroupMember.group_id.in_(groups)).distinct()


def can_see_learner(user, learner_id: int) -> bool:
    groups = visible_group_ids(user)
    if groups is None:
        return True
    return bool(groups) and db.session().scalar(select(GroupMember.user_id).where(
        GroupMember.user_id == learner_id, GroupMember.group_id.in_(groups)).limit(1)) is not None


def can_see_group(user, group_id: int) -> bool:
    groups = visible_group_ids(user)
    return (db.session().get(Group, group_id) is not None) if groups is None else group_id in groups


def current_actor():
    """The signed-in person and the address of the request, for services.audit.record."""
    from flask import request

    from brokerlearn.server.services.audit import Actor
    return Actor.of(current_user, request.remote_addr)


def requires(*roles: str, learner: str | None = None, group: str | None = None):
    """A view for the signed-in `roles` (others: 403; signed out: to the sign-in page). With
    `learner` (or `group`), the view argument of that name must be a learner (group) the user
    may see, else 404."""
    def decorate(view):
        @wraps(view)
        @login_required
        def checked(*args, **kwargs):
            if role_of(current_user) not in roles:
                abort(403)
            if learner is not None and not can_see_learner(current_user, kwargs[learner]):
                abort(404)
            if group is not None and not can_see_group(current_user, kwargs[group]):
                abort(404)
            return view(*args, **kwargs)
        return checked
    return decorate
