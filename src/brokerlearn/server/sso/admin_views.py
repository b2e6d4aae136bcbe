"""/admin/sso: the identity providers, for administrators: add one (its configuration is
fetched first), set its enrolment rule, remove it. The same as `brokerlearn sso ...`, recorded
in the audit trail the same way."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, request, url_for
from sqlalchemy import func, select

from brokerlearn.errors import UsageError
from brokerlearn.server import access, db
from brokerlearn.server import contexts as ctx
from brokerlearn.server.language import gettext as _
from brokerlearn.server.models import Group, SsoIdentity
from brokerlearn.server.rendering import render
from brokerlearn.server.sso import discovery, providers
from brokerlearn.server.sso.errors import SsoError

bp = Blueprint("sso_admin", __name__, url_prefix="/admin/sso")


def _page(error: str | None = None, form: dict | None = None, status: int = 200):
    session = db.session()
    counts = dict(session.execute(select(SsoIdentity.provider_id, func.count(SsoIdentity.id))
                                  .group_by(SsoIdentity.provider_id)).all())
    base = current_app.config.get("PUBLIC_URL") or ""
    rows = [{"name": p.name, "slug": p.slug, "issuer": p.issuer, "client_id": p.client_id,
             "redirect_uri": providers.redirect_uri(base, p) if base else providers.CALLBACK.format(slug=p.slug),
             "claim": p.enrol_claim or "", "rules": "\n".join(f"{k} = {v}" for k, v in (p.enrol_groups or {}).items()),
             "accounts": counts.get(p.id, 0), "secret": bool(p.client_secret)} for p in providers.all_providers(session)]
    groups = list(session.scalars(select(Group.name).order_by(Group.name)))
    return render(ctx.SsoProvidersPage(title=_("Sign-in providers"), providers=rows, groups=groups, error=error,
                                       form=form or {}, public_url=bool(base),
                                       password_signin=current_app.config["PASSWORD_SIGNIN"]), status)


@bp.get("")
@access.requires("admin")
def index():
    return _page()


@bp.post("")
@access.requires("admin")
def add():
    form = {key: request.form.get(key, "").strip() for key in ("name", "issuer", "client_id")}
    try:
        providers.check_issuer(form["issuer"])
        discovery.metadata(form["issuer"])
        providers.add(db.session(), form["name"], form["issuer"], form["client_id"],
                      request.form.get("client_secret", ""), actor=access.current_actor())
    except SsoError as exc:
        return _page(_("The provider's configuration was not found at this issuer URL: check it (%(detail)s).")
                     % {"detail": exc.detail}, form, 422)
    except UsageError as exc:
        return _page(str(exc), form, 422)
    return redirect(url_for("sso_admin.index"))


@bp.post("/<slug>/enrolment")
@access.requires("admin")
def enrolment(slug: str):
    session = db.session()
    try:
        provider = providers.existing(session, slug)
        claim = request.form.get("claim", "").strip()
        rules = providers.parse_rules(request.form.get("rules", ""))
        if claim and not rules:
            raise UsageError(_("Give at least one line VALUE = GROUP for the claim, or leave the claim empty."))
        providers.set_enrolment(session, provider, claim, rules if claim else {}, access.current_actor())
    except UsageError as exc:
        return _page(str(exc), status=422)
    return redirect(url_for("sso_admin.index"))


@bp.post("/<slug>/remove")
@access.requires("admin")
def remove(slug: str):
    session = db.session()
    try:
        providers.remove(session, providers.existing(session, slug), access.current_actor())
    except UsageError as exc:
        return _page(str(exc), status=404)
    return redirect(url_for("sso_admin.index"))
