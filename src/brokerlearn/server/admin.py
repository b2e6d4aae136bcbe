"""/admin/...: pages for the agency's administrators and trainers. Every view is checked on the
server by access.requires (server/access.py, the one home of the rules); hiding links in the page
is never the protection. The home, the learners and the audit trail are in admin_people.py."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, request, url_for
from sqlalchemy import select

from brokerlearn.server.language import gettext as _
from brokerlearn.server import access, db
from brokerlearn.server.models import Certificate
from brokerlearn.server import contexts as ctx
from brokerlearn.server.rendering import render
from brokerlearn.server.services.certificates import CertificateError, revoke

bp = Blueprint("admin", __name__, url_prefix="/admin")


def role_required(*roles: str):
    """Kept for the views' readers: the rules are access.requires (server/access.py)."""
    return access.requires(*roles)


def _get_or_404(model, key):
    row = db.session().get(model, key)
    if row is None:
        abort(404)
    return row


@bp.get("/certificates")
@access.requires("admin")
def certificates():
    rows = db.session().scalars(select(Certificate).order_by(Certificate.issued_at.desc()).limit(500)).all()
    return render(ctx.CertificatesPage(title=_("Certificates"), rows=rows, error=request.args.get("error")))


@bp.route("/certificates/<certificate_id>/revoke", methods=["GET", "POST"])
@access.requires("admin")
def revoke_certificate(certificate_id: str):
    """Revocation in two steps: the page that says the reason is published (GET, which changes
    nothing), then its form (POST, with `confirm`). A POST without `confirm` revokes nothing
    and shows the page. Admins only: trainers and authors are refused (403)."""
    certificate = _get_or_404(Certificate, certificate_id)
    form = request.form
    if certificate.revoked_at is not None:
        return redirect(url_for("admin.certificates"))
    if request.method == "GET":
        return render(ctx.RevokePage(title=_("Revoke a certificate"), certificate=certificate, error=None))
    if form.get("confirm") != "yes":
        return render(ctx.RevokePage(title=_("Revoke a certificate"), certificate=certificate, reason=form.get("reason", ""),
                                     note=form.get("note", ""), error=_(
                                         "Nothing was revoked yet: read this page and confirm.")), 400)
    try:
        revoke(db.session(), certificate_id, form.get("reason", ""), form.get("note"), access.current_actor())
    except CertificateError as exc:
        return render(ctx.RevokePage(title=_("Revoke a certificate"), certificate=certificate, reason=form.get("reason", ""),
                                     note=form.get("note", ""), error=str(exc)), 422 if exc.status == 400 else exc.status)
    return redirect(url_for("admin.certificates"))
