"""/admin/ pages for running a cohort: groups and their members, invitations, enrolment from a
CSV file, and the course reports. Every group is looked up through _group_or_404, the one place
that decides whether the signed-in account may see it."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request, url_for
from sqlalchemy import func, select

from brokerlearn.server.language import gettext as _
from brokerlearn.server import db
from brokerlearn.server.admin import role_required
from brokerlearn.server.charts import bar_chart
from brokerlearn.server.courses import catalog
from brokerlearn.server.mail import absolute_url
from brokerlearn.server.models import Group, GroupMember, User
from brokerlearn.server import contexts as ctx
from brokerlearn.server.rendering import render
from brokerlearn.server.services.accounts import AccountError, make_invitation
from brokerlearn.server.services.enrolment import (check_rows, create_group, parse_staff_csv)
from brokerlearn.server.services.enrolment import import_staff as import_staff_rows
from brokerlearn.server.services.statistics import item_statistics, module_funnel

bp = Blueprint("cohorts", __name__, url_prefix="/admin")


def _group_or_404(group_id: int) -> Group:
    """The group, if it exists (and, at merge, if the signed-in trainer may manage it)."""
    found = db.session().get(Group, group_id)
    if found is None:
        abort(404)
    return found


@bp.route("/groups", methods=["GET", "POST"])
@role_required("admin")
def groups():
    session = db.session()
    error = None
    if request.method == "POST":
        try:
            create_group(session, request.form.get("name", ""))
            return redirect(url_for("cohorts.groups"))
        except AccountError as exc:
            error = str(exc)
    counts = dict(session.execute(select(GroupMember.group_id, func.count()).group_by(GroupMember.group_id)).all())
    rows = [(g, counts.get(g.id, 0)) for g in session.scalars(select(Group).order_by(Group.name))]
    return render(ctx.GroupsPage(title=_("Groups"), rows=rows, error=error), 422 if error else 200)


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@role_required("admin")
def group(group_id: int):
    found = _group_or_404(group_id)
    invitation = None
    if request.method == "POST":
        try:
            token = make_invitation(current_app.secret_key, request.form.get("email", ""),
                                    request.form.get("name", ""), found.id)
            invitation = url_for("auth.register", invite=token, _external=False)
            invitation = absolute_url(invitation)
        except AccountError as exc:
            return render(ctx.GroupPage(title=found.name, group=found, members=_members(found), error=str(exc),
                                        invitation=None), 422)
    return render(ctx.GroupPage(title=found.name, group=found, members=_members(found), error=None,
                                invitation=invitation))


def _members(found: Group):
    return db.session().scalars(select(User).join(GroupMember, GroupMember.user_id == User.id)
                                .where(GroupMember.group_id == found.id).order_by(User.email)).all()


@bp.route("/import", methods=["GET", "POST"])
@role_required("admin")
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
@role_required("admin", "author")
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
