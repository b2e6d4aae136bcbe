"""/certificates/...: claiming, the public verification page, downloads (PDF and credential),
the verify form, the issuer profile, the revocation status list, the keys; /.well-known/jwks.json.

The issuer's address comes only from BROKERLEARN_PUBLIC_URL, never from the request's Host
header: without it nothing is issued and the issuer's documents are not served. The documents a
verifier fetches (keys, issuer profile, status list) allow any origin (CORS), so verifiers that
run in a browser can read them; the status list is never cached, so a revocation shows at once.
"""
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
from brokerlearn.server.credentials.pdf import by_unit, certificate_pdf
from brokerlearn.server.credentials.verify import Verdict, verify_credential
from brokerlearn.server.errors import error_response
from brokerlearn.server.models import Certificate
from brokerlearn.server import contexts as ctx
from brokerlearn.server.rendering import render
from brokerlearn.server.services import certificates as service
from brokerlearn.server.services.certificates import CertificateError, as_aware, not_configured

bp = Blueprint("certificates", __name__, url_prefix="/certificates")
well_known = Blueprint("well_known", __name__)
MAX_UPLOAD = 64 * 1024


def issuer_base() -> str | None:
    """The issuer's address: BROKERLEARN_PUBLIC_URL, or None when it is not set."""
    return (current_app.config.get("PUBLIC_URL") or "").rstrip("/") or None


def page_base() -> str:
    """For the verification address shown to the holder on their page and PDF: the public
    address, or (not configured) the address the holder's own browser used."""
    return issuer_base() or request.host_url.rstrip("/")


def issuer_id() -> str | None:
    base = issuer_base()
    return badge.issuer_profile(base, current_app.config["ISSUER_NAME"])["id"] if base else None


def _for_verifiers(response, cache: str = "no-cache"):
    """Readable from any origin, so browser-based verifiers can fetch it."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = cache
    return response


def _unavailable():
    return _for_verifiers(error_response(503, not_configured(), "not_configured"))


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
                                    issuer_base(), current_app.config["ISSUER_NAME"])
    except CertificateError as exc:
        return render(ctx.MessagePage(title=_("Certificate"), message=str(exc),
                                      back=ctx.BackLink("/dashboard", _("Back to your learning"))), exc.status)
    return redirect(url_for("certificates.show", certificate_id=certificate.id))


def _get(certificate_id: str) -> Certificate | None:
    if len(certificate_id) != 36:
        return None
    return db.session().get(Certificate, certificate_id)


@bp.get("/<certificate_id>")
def show(certificate_id: str):
    """Public: anyone with the address sees whether the certificate is valid, revoked or unknown,
    and what it certifies: holder, qualification and level, issuer, course, dates, outcomes."""
    certificate = _get(certificate_id)
    if certificate is None:
        return render(ctx.CertificatePage(title=_("Unknown certificate"), certificate=None, state="unknown",
                                          certificate_id=certificate_id), 404)
    mine = current_user.is_authenticated and (current_user.id == certificate.user_id or current_user.role == "admin")
    return render(ctx.CertificatePage(
        title=certificate.title, certificate=certificate, state=state_of(certificate), mine=mine,
        legacy=mine and service.is_legacy(certificate), issuer_name=current_app.config["ISSUER_NAME"],
        verify_url=f"{page_base()}/certificates/{certificate.id}", **_what_it_certifies(certificate)))


def state_of(certificate: Certificate) -> str:
    valid_until = as_aware(certificate.valid_until)
    return ("revoked" if certificate.revoked_at else
            "expired" if valid_until and valid_until <= datetime.now(timezone.utc) else "valid")


def _what_it_certifies(certificate: Certificate) -> dict:
    """The qualification, its level, the course and the outcomes by unit, from the course as it
    is served now; a course no longer served leaves the profile's ID and the stored outcomes."""
    course = catalog().get(certificate.course_id)
    profile = course.profile if course else None
    return {"qualification": profile.title if profile else certificate.profile_id,
            "level": profile.level if profile else None,
            "qualification_url": f"/{profile.url}" if profile else "",
            "course_title": course.title if course else "",
            "course_url": f"/{course.id}/index.html" if course else "",
            "units": by_unit(certificate.outcomes, profile)}


def _own(certificate_id: str) -> Certificate:
    certificate = _get(certificate_id)
    if certificate is None or not (current_user.id == certificate.user_id or current_user.role == "admin"):
        abort(404)  # the same answer for "not yours" and "no such": nothing to learn from it
    return certificate


@bp.get("/<certificate_id>/certificate.pdf")
@login_required
def pdf(certificate_id: str):
    """The printable certificate; a revoked one has none (410, a page that says why): a PDF
    marked as revoked would still look like a certificate once printed or cropped."""
    certificate = _own(certificate_id)
    if certificate.revoked_at:
        return render(ctx.MessagePage(title=_("Certificate revoked"), message=_(
            "This certificate was revoked on %(date)s (%(reason)s), so its PDF is no longer issued. Its "
            "verification page says so to anyone who checks it.") % {
                "date": long_date(certificate.revoked_at), "reason": certificate.revocation_reason},
            back=ctx.BackLink(f"/certificates/{certificate.id}", _("Back to the certificate"))), 410)
    facts = _what_it_certifies(certificate)
    context = ctx.CertificateDocument(
        lang=current_language(), title=certificate.title,
        name=certificate.name, issuer_name=current_app.config["ISSUER_NAME"],
        profile_title=facts["qualification"], level=facts["level"], course_title=facts["course_title"],
        outcomes=certificate.outcomes, units=facts["units"], issued=long_date(certificate.issued_at),
        valid_until=long_date(certificate.valid_until) if certificate.valid_until else None,
        certificate_id=certificate.id, verify_url=f"{page_base()}/certificates/{certificate.id}")
    data = certificate_pdf(context, default_theme_dir() / "static")
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="certificate-{certificate.id}.pdf"'})


@bp.get("/<certificate_id>/credential.jwt")
@login_required
def credential(certificate_id: str):
    certificate = _own(certificate_id)
    return Response(certificate.credential, mimetype="application/jwt", headers={
        "Content-Disposition": f'attachment; filename="certificate-{certificate.id}.jwt"'})


@bp.post("/<certificate_id>/reissue")
@login_required
def reissue(certificate_id: str):
    """The holder's credential of the first form, re-signed in the current OB 3.0 form."""
    certificate = _own(certificate_id)
    current, _all_keys = signing_keys()
    try:
        service.reissue(db.session(), certificate, current, issuer_base())
    except CertificateError as exc:
        return render(ctx.MessagePage(title=_("Certificate"), message=str(exc), back=ctx.BackLink(
            f"/certificates/{certificate.id}", _("Back to the certificate"))), exc.status)
    return redirect(url_for("certificates.show", certificate_id=certificate.id))


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
        issuer = issuer_id()
        verdict = (verify_credential(token, issuer, all_keys, service.revocation_lookup(db.session())) if issuer
                   else Verdict("unavailable", not_configured()))
    return render(ctx.VerifyPage(title=_("Check a certificate"), verdict=verdict),
                  200 if verdict is None or verdict.valid else 422)


@bp.get("/issuer")
def issuer():
    base = issuer_base()
    if base is None:
        return _unavailable()
    profile = {"@context": badge.CONTEXTS, **badge.issuer_profile(base, current_app.config["ISSUER_NAME"])}
    return _for_verifiers(jsonify(profile))


@bp.get("/status/1")
def status():
    """The revocation list as a signed BitstringStatusListCredential (VC-JWT), made afresh for
    every request and never cached: a revocation shows at once."""
    base = issuer_base()
    current, _all_keys = signing_keys()
    if base is None:
        return _unavailable()
    if current is None:
        abort(404)
    credential = status_list.status_list_credential(
        f"{base}/certificates/status/1", {"id": issuer_id()},
        badge.iso(datetime.now(timezone.utc)), service.revoked_indices(db.session()))
    return _for_verifiers(Response(badge.sign(credential, current, base), mimetype="application/vc+jwt"),
                          "no-cache, no-store")


@bp.get("/keys/<kid>")
def key(kid: str):
    """One public key as a JWK: what a credential's kid dereferences to (OB 3.0 §8.2.4.1)."""
    base = issuer_base()
    if base is None:
        return _unavailable()
    _current, all_keys = signing_keys()
    found = next((k for k in all_keys if k.kid == kid), None)
    if found is None:
        return _for_verifiers(error_response(404, _("No such key."), "not_found"))
    return _for_verifiers(jsonify(found.public_jwk(badge.key_url(base, found.kid))))


@well_known.get("/.well-known/jwks.json")
def jwks():
    base = issuer_base()
    if base is None:
        return _unavailable()
    _current, all_keys = signing_keys()
    return _for_verifiers(jsonify(keys.jwks(all_keys, lambda kid: badge.key_url(base, kid))))
