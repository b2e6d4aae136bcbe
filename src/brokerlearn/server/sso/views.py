"""/account/sso/...: start a sign-in at a provider, its callback, confirming a link with the
account's password, and the administrator's emergency link. Views only: the work is in flow.py,
accounts.py and emergency.py."""
from __future__ import annotations

import logging
import time

from flask import Blueprint, current_app, redirect, request, session, url_for
from flask_login import login_user

from brokerlearn.server import contexts as ctx
from brokerlearn.server import db
from brokerlearn.server.language import gettext as _
from brokerlearn.server.models import SsoProvider
from brokerlearn.server.rendering import render
from brokerlearn.server.security import same_site_path
from brokerlearn.server.services import accounts as passwords
from brokerlearn.server.services import audit
from brokerlearn.server.services.accounts import AccountError
from brokerlearn.server.sso import accounts, emergency, flow, providers
from brokerlearn.server.sso.errors import SsoError

bp = Blueprint("sso", __name__, url_prefix="/account/sso")
log = logging.getLogger("brokerlearn.sso")
STATES = "sso_states"  # the states of the sign-ins this browser started (the last few)
PENDING = "sso_link"  # a link waiting for the account's password
KEEP_STATES = 5
PENDING_AGE = 15 * 60


def login_options(next_url: str) -> list[dict]:
    """For the sign-in page: each provider's name and the address that starts its sign-in. While
    the database cannot be reached the page is shown without them: the form itself needs none,
    and signing in then gives the unavailable page as before."""
    from brokerlearn.server.errors import database_unavailable
    session = db.session()
    try:
        found = providers.all_providers(session)
    except Exception as exc:  # noqa: BLE001 - only an unreachable database is passed over
        if not database_unavailable(exc):
            raise
        session.rollback()
        return []
    return [{"name": p.name, "url": url_for("sso.start", slug=p.slug, next=next_url)} for p in found]


def _next() -> str:
    return same_site_path(request.values.get("next"), url_for("learn.dashboard"))


def _provider(slug: str) -> SsoProvider:
    provider = providers.find(db.session(), slug)
    if provider is None:
        raise SsoError(_("There is no such identity provider here (any more). Start again from the sign-in page."),
                       404, f"no provider {slug!r}")
    return provider


def _redirect_uri(provider: SsoProvider) -> str:
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        raise SsoError(_("Sign-in through an identity provider is not available yet: the server's public address "
                         "(BROKERLEARN_PUBLIC_URL) is not set. Ask the administrator to set it."), 503,
                       "PUBLIC_URL not set")
    return providers.redirect_uri(base, provider)


def _failed(exc: SsoError):
    log.warning("single sign-on refused: %s", exc.detail)
    back = ctx.BackLink(url_for("auth.login"), _("Back to the sign-in page"))
    return render(ctx.MessagePage(title=_("Not signed in"), message=str(exc), back=back), exc.status)


@bp.get("/<slug>/start")
def start(slug: str):
    try:
        provider = _provider(slug)
        url, state = flow.start(db.session(), provider, _redirect_uri(provider), _next())
    except SsoError as exc:
        return _failed(exc)
    session[STATES] = (session.get(STATES, []) + [state])[-KEEP_STATES:]
    return redirect(url)


@bp.get("/<slug>/callback")
def callback(slug: str):
    states = list(session.get(STATES, []))
    session[STATES] = [s for s in states if s != request.args.get("state")]
    try:
        provider = _provider(slug)
        answer = flow.finish(db.session(), provider, _redirect_uri(provider), request.args.to_dict(), states)
        user = accounts.sign_in(db.session(), provider, answer.claims, current_app.config["PASSWORD_SIGNIN"],
                                request.remote_addr or "")
    except accounts.NeedsConfirmation as wait:
        session[PENDING] = {**wait.pending.to_session(), "at": time.time(), "next": answer.next}
        return redirect(url_for("sso.confirm_link"))
    except SsoError as exc:
        return _failed(exc)
    login_user(user)
    return redirect(answer.next)


def _pending() -> tuple[accounts.Pending, str] | None:
    data = session.get(PENDING)
    if not data or time.time() - data.get("at", 0) > PENDING_AGE:
        return None
    return accounts.Pending.from_session(data), data.get("next") or url_for("learn.dashboard")


def _link_page(pending: accounts.Pending, error: str | None = None, status: int = 200):
    provider = db.session().get(SsoProvider, pending.provider_id)
    return render(ctx.SsoLinkPage(title=_("Link your sign-in"), email=pending.email,
                                  provider=provider.name if provider else pending.issuer, error=error), status)


@bp.route("/link", methods=["GET", "POST"])
def confirm_link():
    found = _pending()
    if found is None or not current_app.config["PASSWORD_SIGNIN"]:
        session.pop(PENDING, None)
        return _failed(SsoError(_("There is no sign-in waiting to be linked (it may have taken too long). "
                                  "Start again from the sign-in page."), 400, "no pending link"))
    pending, next_url = found
    if request.method == "GET":
        return _link_page(pending)
    database = db.session()
    try:
        user = passwords.authenticate(database, pending.email, request.form.get("password", ""),
                                      request.remote_addr or "unknown", current_app.config["LOGIN_ATTEMPTS"])
    except AccountError as exc:
        return _link_page(pending, str(exc), 401)
    provider = database.get(SsoProvider, pending.provider_id)
    if provider is None:
        session.pop(PENDING, None)
        return _failed(SsoError(_("There is no such identity provider here (any more). Start again from the "
                                  "sign-in page."), 404, "provider removed"))
    try:
        accounts.link(database, audit.Actor.of(user, request.remote_addr), provider, user, pending.subject,
                      "confirmed by the account's password")
    except SsoError as exc:
        return _failed(exc)
    session.pop(PENDING, None)
    accounts.enrol(database, provider, user, pending.groups, request.remote_addr or "")
    login_user(user)
    return redirect(next_url)


@bp.post("/link/cancel")
def cancel_link():
    session.pop(PENDING, None)
    return redirect(url_for("auth.login"))


@bp.route("/emergency/<token>", methods=["GET", "POST"])
def emergency_sign_in(token: str):
    if request.method == "GET":  # a button, so that a mail scanner following the link does not use it up
        return render(ctx.SsoEmergencyPage(title=_("Emergency sign-in"), token=token))
    try:
        user = emergency.use(db.session(), current_app.secret_key, token, request.remote_addr or "")
    except SsoError as exc:
        return _failed(exc)
    login_user(user)
    return redirect(url_for("admin.home"))
