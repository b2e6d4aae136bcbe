"""/admin/...: pages for the agency's administrators and trainers. Every view is checked on the
server by access.requires (server/access.py, the one home of the rules); hiding links in the page
is never the protection. The home, the learners and the audit trail are in admin_people.py."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from brokerlearn.server.language import gettext as _
from brokerlearn.server import access, db
from brokerlearn.server.charts import bar_chart
from brokerlearn.server.courses import catalog
from brokerlearn.server.mail import absolute_url
from brokerlearn.server.models import Certificate, Group, GroupMember, User
from brokerlearn.server import contexts as ctx
from brokerlearn.server.rendering import render
from brokerlearn.server.services.accounts import AccountError, make_invitation
from brokerlearn.server.services.certificates import CertificateError, revoke
from brokerlearn.server.services.learner_actions import trainers_of
from brokerlearn.server.services.enrolment import (check_rows, create_group, parse_staff_csv)
from brokerlearn.server.services.enrolment import import_staff as import_staff_rows
from brokerlearn.server.services.statistics import item_statistics, module_funnel

bp = Blueprint("admin", __name__, url_prefix="/admin")


def role_required(*roles: str):
    """Kept for the views' readers: the rules are access.requires (server/access.py)."""
    return access.requires(*roles)


def _get_or_404(model, key):
    row = db.session().get(model, key)
    if row is None:
        abort(404)
    return row


@bp.route("/groups", methods=["GET", "POST"])
@access.requires("admin", "trainer")
def groups():
    """Every group for an admin; a trainer's own groups for a trainer (who cannot make one)."""
    session = db.session()
    error = None
    visible = access.visible_group_ids(current_user)
    if request.method == "POST" and visible is not None:
        abort(403)
    if request.method == "POST":
        try:
            create_group(session, request.form.get("name", ""))
            return redirect(url_for("admin.groups"))
        except AccountError as exc:
            error = str(exc)
    counts = dict(session.execute(select(GroupMember.group_id, func.count()).group_by(GroupMember.group_id)).all())
    listed = select(Group).order_by(Group.name)
    if visible is not None:
        listed = listed.where(Group.id.in_(visible))
    rows = [(g, counts.get(g.id, 0)) for g in session.scalars(listed)]
    return render(ctx.GroupsPage(title=_("Groups"), rows=rows, error=error), 422 if error else 200)


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@access.requires("admin", "trainer", group="group_id")
def group(group_id: int):
    found = _get_or_404(Group, group_id)
    invitation = None
    if request.method == "POST":
        try:
            token = make_invitation(current_app.secret_key, request.form.get("email", ""),
                                    request.form.get("name", ""), found.id)
            invitation = url_for("auth.register", invite=token, _external=False)
            invitation = absolute_url(invitation)
        except AccountError as exc:
            return render(ctx.GroupPage(title=found.name, group=found, members=_members(found), error=str(exc),
                                        invitation=None, trainers=trainers_of(db.session(), found.id)), 422)
    return render(ctx.GroupPage(title=found.name, group=found, members=_members(found), error=None,
                                invitation=invitation, trainers=trainers_of(db.session(), found.id)))


def _members(found: Group):
    return db.session().scalars(select(User).join(GroupMember, GroupMember.user_id == User.id)
                                .where(GroupMember.group_id == found.id).order_by(User.email)).all()


@bp.route("/import", methods=["GET", "POST"])
@access.requires("admin")
def import_staff():
    """A CSV of staff (email, name, group) becomes invitation links; a dry run only reports."""
    if request.method == "GET":
        return render(ctx.ImportPage(title=_("Enrol staff from a CSV file"), rows=None, error=None, dry_run=True))
    upload = request.files.get("file")
    dry_run = bool(request.form.get("dry_run"))
    session = db.session()
    try:
        if upload is None or not upload.filename:
            raise AccountError(_("Choose a CSV file."))
        rows = check_rows(session, parse_staff_csv(upload.read(2_000_000)))
    except AccountError as exc:
        return render(ctx.ImportPage(title=_("Enrol staff from a CSV file"), rows=None, error=str(exc),
                                     dry_run=dry_run), 422)
    if not dry_run:
        import_staff_rows(session, current_app.secret_key, absolute_url("/"), rows)
    return render(ctx.ImportPage(title=_("Enrol staff from a CSV file"), rows=rows, error=None, dry_run=dry_run))


@bp.get("/courses/<course_id>")
@access.requires("admin", "author")
def course_report(course_id: str):
    """The completion funnel per module and the item statistics of every graded quiz."""
    course = catalog().get(course_id)
    if course is None:
        abort(404)
    session = db.session()
    funnel = module_funnel(session, course)
    started, completed = _("started"), _("completed")
    chart = bar_chart(_("Learners who started and completed each module of %(course)s") % {"course": course.title},
                      [(m["title"], [(started, m["started"]), (completed, m["completed"])]) for m in funnel])
    quizzes = [item_statistics(session, course, quiz.id) for quiz in course.graded_quizzes()]
    return render(ctx.CourseReportPage(title=course.title, course_title=course.title, funnel=funnel, chart=chart,
                                       quizzes=quizzes))


@bp.get("/certificates")
@access.requires("admin")
def certificates():
    rows = db.session().scalars(select(Certificate).order_by(Certificate.issued_at.desc()).limit(500)).all()
    return render(ctx.CertificatesPage(title=_("Certificates"), rows=rows, error=request.args.get("error")))


@bp.post("/certificates/<certificate_id>/revoke")
@access.requires("admin")
def revoke_certificate(certificate_id: str):
    try:
        revoke(db.session(), certificate_id, request.form.get("reason", ""))
    except CertificateError as exc:
        return redirect(url_for("admin.certificates", error=str(exc)))
    return redirect(url_for("admin.certificates"))
