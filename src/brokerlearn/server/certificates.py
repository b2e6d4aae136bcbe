"""/certificates/...: claiming, the public verification page, downloads (PDF and credential),
the verify form, the issuer profile, the revocation status list; /.well-known/jwks.json."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, request, url_for
from flask_login import current_user, login_required

from brokerlearn.server.language import gettext as _
from brokerlearn.paths import default_theme_dir
from brokerlearn.server import db
from brokerlearn.server.courses import catalog
from brokerlearn.server.language import current as current_language, long_date
from brokerlearn.server.credentials import badge, keys, status_list
from brokerlearn.server.credentials.pdf import certificate_pdf
from brokerlearn.server.credentials.verify import verify_credential
from brokerlearn.server.models import Certificate
from brokerlearn.server.pages import page
from brokerlearn.server.services import certificates as service
from brokerlearn.server.services.certificates import CertificateError, as_aware

bp = Blueprint("certificates", __name__, url_prefix="/certificates")
well_known = Blueprint("well_known", __name__)
MAX_UPLOAD = 64 * 1024


def base_url() -> str:
    """The issuer's address: PUBLIC_URL, or the address this request came to."""
    return (current_app.config.get("PUBLIC_URL") or request.host_url).rstrip("/")


def issuer_id() -> str:
    return badge.issuer_profile(base_url(), current_app.config["ISSUER_NAME"])["id"]


def signing_keys():
    return keys.load_keys(Path(current_app.instance_path))


@bp.post("/claim/<course_id>")
@login_required
def claim(course_id: str):
    course = catalog().get(course_id)
    if course is None:
        abort(404)
    session = db.session()
    current, _all_keys = signing_keys()
    try:
        certificate = service.issue(session, current_user.id, course, request.form.get("name"), current,
                                    base_url(), current_app.config["ISSUER_NAME"])
    except CertificateError as exc:
        return page("account/message.html", _("Certificate"), exc.status, message=str(exc),
                    back={"url": "/dashboard", "title": "Back to your learning"})
    return redirect(url_for("certificates.show", certificate_id=certificate.id))


def _get(certificate_id: str) -> Certificate | None:
    if len(certificate_id) != 36:
        return None
    return db.session().get(Certificate, certificate_id)


@bp.get("/<certificate_id>")
def show(certificate_id: str):
    """Public: anyone with the address sees whether the certificate is valid, revoked or unknown."""
    certificate = _get(certificate_id)
    if certificate is None:
        return page("certificates/show.html", _("Unknown certificate"), 404, certificate=None, state="unknown",
                    certificate_id=certificate_id)
    valid_until = as_aware(certificate.valid_until)
    state = ("revoked" if certificate.revoked_at else
             "expired" if valid_until and valid_until <= datetime.now(timezone.utc) else "valid")
    mine = current_user.is_authenticated and (current_user.id == certificate.user_id or current_user.role == "admin")
    return page("certificates/show.html", certificate.title, certificate=certificate, state=state, mine=mine,
                issuer_name=current_app.config["ISSUER_NAME"], verify_url=f"{base_url()}/certificates/{certificate.id}")


def _own(certificate_id: str) -> Certificate:
    certificate = _get(certificate_id)
    if certificate is None or not (current_user.id == certificate.user_id or current_user.role == "admin"):
        abort(404)  # the same answer for "not yours" and "no such": nothing to learn from it
    return certificate


@bp.get("/<certificate_id>/certificate.pdf")
@login_required
def pdf(certificate_id: str):
    certificate = _own(certificate_id)
    course = catalog().get(certificate.course_id)
    profile = (course.data.get("profile") or {}) if course else {}
    context = {"lang": current_language(), "title": certificate.title,
               "name": certificate.name, "issuer_name": current_app.config["ISSUER_NAME"],
               "profile_title": profile.get("title", certificate.profile_id), "level": profile.get("level"),
               "outcomes": certificate.outcomes, "issued": long_date(certificate.issued_at),
               "valid_until": long_date(certificate.valid_until) if certificate.valid_until else None,
               "certificate_id": certificate.id, "verify_url": f"{base_url()}/certificates/{certificate.id}"}
    data = certificate_pdf(context, default_theme_dir() / "static")
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="certificate-{certificate.id}.pdf"'})


@bp.get("/<certificate_id>/credential.jwt")
@login_required
def credential(certificate_id: str):
    certificate = _own(certificate_id)
    return Response(certificate.credential, mimetype="application/jwt", headers={
        "Content-Disposition": f'attachment; filename="certificate-{certificate.id}.jwt"'})


@bp.route("/verify", methods=["GET", "POST"])
def verify():
    """Paste or upload a credential: says whether it is valid, and if not, exactly why."""
    verdict = None
    if request.method == "POST":
        token = request.form.get("credential", "")
        upload = request.files.get("file")
        if upload and upload.filename:
            token = upload.read(MAX_UPLOAD).decode("utf-8", "replace")
        _current, all_keys = signing_keys()
        verdict = verify_credential(token, issuer_id(), all_keys, service.revocation_lookup(db.session()))
    return page("certificates/verify.html", _("Check a certificate"), 200 if verdict is None or verdict.valid else 422,
                verdict=verdict)


@bp.get("/issuer")
def issuer():
    profile = badge.issuer_profile(base_url(), current_app.config["ISSUER_NAME"])
    profile["@context"] = badge.CONTEXTS
    profile["publicKey"] = f"{base_url()}/.well-known/jwks.json"
    return jsonify(profile)


@bp.get("/status/1")
def status():
    """The revocation list as a signed BitstringStatusListCredential (VC-JWT)."""
    current, _all_keys = signing_keys()
    if current is None:
        abort(404)
    credential = status_list.status_list_credential(
        f"{base_url()}/certificates/status/1", {"id": issuer_id()},
        badge.iso(datetime.now(timezone.utc)), service.revoked_indices(db.session()))
    response = Response(badge.sign(credential, current), mimetype="application/vc+jwt")
    response.headers["Cache-Control"] = "max-age=300"
    return response


@well_known.get("/.well-known/jwks.json")
def jwks():
    _current, all_keys = signing_keys()
    response = jsonify(keys.jwks(all_keys))
    response.headers["Cache-Control"] = "max-age=300"
    return response
