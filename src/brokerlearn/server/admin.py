"""/admin/...: pages for the agency's administrators. Every view is checked on the server by role;
hiding links in the page is never the protection."""
from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from brokerlearn.server.language import gettext as _
from brokerlearn.server import db
from brokerlearn.server.courses import catalog
from brokerlearn.server.errors import id_number
from brokerlearn.server.models import ROLES, Certificate, Group, GroupMember, ProgressEvent, QuizAttempt, User
from brokerlearn.server import contexts as ctx
from brokerlearn.server.rendering import render
from brokerlearn.server.services.certificates import CertificateError, revoke
from brokerlearn.server.services.progress import course_progress, lessons_completed_per_user

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


def _get_or_404(model, key):
    row = db.session().get(model, key)
    if row is None:
        abort(404)
    return row


@bp.get("/")
@role_required("admin")
def learners():
    """Accounts with lessons completed and attempts submitted; filter by text, group and role."""
    session = db.session()
    query = (request.args.get("q") or "").strip().lower()[:100]
    group_id = request.args.get("group", type=id_number)
    if request.args.get("group") and (group_id is None or session.get(Group, group_id) is None):
        abort(404)  # no such group (also a number no group can have)
    role = request.args.get("role") if request.args.get("role") in ROLES else None
    completed = lessons_completed_per_user().subquery()  # per course, as the CSV counts
    attempts = (select(QuizAttempt.user_id, func.count(QuizAttempt.id).label("n"))
                .where(QuizAttempt.status == "submitted").group_by(QuizAttempt.user_id).subquery())
    statement = (select(User, func.coalesce(completed.c.n, 0), func.coalesce(attempts.c.n, 0))
                 .outerjoin(completed, completed.c.user_id == User.id)
                 .outerjoin(attempts, attempts.c.user_id == User.id).order_by(User.email).limit(PAGE_SIZE))
    if query:
        pattern = f"%{query.replace('%', '').replace('_', '')}%"
        statement = statement.where(func.lower(User.email).like(pattern) | func.lower(User.name).like(pattern))
    if group_id:
        statement = statement.where(User.id.in_(select(GroupMember.user_id).where(GroupMember.group_id == group_id)))
    if role:
        statement = statement.where(User.role == role)
    rows = session.execute(statement).all()
    total = session.scalar(select(func.count(User.id)))
    groups = session.scalars(select(Group).order_by(Group.name)).all()
    return render(ctx.LearnersPage(title=_("Learners"), rows=rows, total=total, query=query, limit=PAGE_SIZE,
                                   groups=groups, group_id=group_id, role=role, roles=ROLES,
                                   nav_courses=catalog().all()))


@bp.get("/learners/<int:user_id>")
@role_required("admin")
def learner(user_id: int):
    session = db.session()
    user = _get_or_404(User, user_id)
    courses = []
    for course in catalog().all():
        summary = course_progress(session, user.id, course)
        summary["attempts"] = session.scalars(select(QuizAttempt).where(
            QuizAttempt.user_id == user.id, QuizAttempt.course_id == course.id, QuizAttempt.status == "submitted")
            .order_by(QuizAttempt.quiz_id, QuizAttempt.number)).all()
        courses.append(summary)
    certificates = session.scalars(select(Certificate).where(Certificate.user_id == user.id)).all()
    groups = session.scalars(select(Group).join(GroupMember, GroupMember.group_id == Group.id)
                             .where(GroupMember.user_id == user.id)).all()
    return render(ctx.LearnerPage(title=user.email, person=user, courses=courses, certificates=certificates,
                                  groups=groups))


@bp.get("/certificates")
@role_required("admin")
def certificates():
    rows = db.session().scalars(select(Certificate).order_by(Certificate.issued_at.desc()).limit(500)).all()
    return render(ctx.CertificatesPage(title=_("Certificates"), rows=rows, error=request.args.get("error")))


@bp.route("/certificates/<certificate_id>/revoke", methods=["GET", "POST"])
@role_required("admin")
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
        revoke(db.session(), certificate_id, form.get("reason", ""), form.get("note"))
    except CertificateError as exc:
        return render(ctx.RevokePage(title=_("Revoke a certificate"), certificate=certificate, reason=form.get("reason", ""),
                                     note=form.get("note", ""), error=str(exc)), 422 if exc.status == 400 else exc.status)
    return redirect(url_for("admin.certificates"))
