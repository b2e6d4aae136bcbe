"""/admin/...: pages for the agency's administrators. Every view is checked on the server by role;
hiding links in the page is never the protection."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from brokerlearn.server import db
from brokerlearn.server.models import Certificate, ProgressEvent, QuizAttempt, User
from brokerlearn.server.pages import page
from brokerlearn.server.services.certificates import CertificateError, revoke

bp = Blueprint("admin", __name__, url_prefix="/admin")
PAGE_SIZE = 100


def role_required(*roles: str):
    def decorate(view):
        @wraps(view)
        @login_required
        def checked(*args, **kwargs):
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return checked
    return decorate


@bp.get("/")
@role_required("admin")
def learners():
    """Accounts with their number of completed lessons and submitted attempts, filterable by text."""
    session = db.session()
    query = (request.args.get("q") or "").strip().lower()[:100]
    completed = (select(ProgressEvent.user_id, func.count(func.distinct(ProgressEvent.item_id)).label("n"))
                 .where(ProgressEvent.kind == "lesson_completed").group_by(ProgressEvent.user_id).subquery())
    attempts = (select(QuizAttempt.user_id, func.count(QuizAttempt.id).label("n"))
                .where(QuizAttempt.status == "submitted").group_by(QuizAttempt.user_id).subquery())
    statement = (select(User, func.coalesce(completed.c.n, 0), func.coalesce(attempts.c.n, 0))
                 .outerjoin(completed, completed.c.user_id == User.id)
                 .outerjoin(attempts, attempts.c.user_id == User.id).order_by(User.email).limit(PAGE_SIZE))
    if query:
        pattern = f"%{query.replace('%', '').replace('_', '')}%"
        statement = statement.where(func.lower(User.email).like(pattern) | func.lower(User.name).like(pattern))
    rows = session.execute(statement).all()
    total = session.scalar(select(func.count(User.id)))
    return page("admin/learners.html", "Learners", rows=rows, total=total, query=query, limit=PAGE_SIZE)


@bp.get("/certificates")
@role_required("admin")
def certificates():
    rows = db.session().scalars(select(Certificate).order_by(Certificate.issued_at.desc()).limit(500)).all()
    return page("admin/certificates.html", "Certificates", rows=rows, error=request.args.get("error"))


@bp.post("/certificates/<certificate_id>/revoke")
@role_required("admin")
def revoke_certificate(certificate_id: str):
    try:
        revoke(db.session(), certificate_id, request.form.get("reason", ""))
    except CertificateError as exc:
        return redirect(url_for("admin.certificates", error=str(exc)))
    return redirect(url_for("admin.certificates"))
