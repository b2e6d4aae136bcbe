"""/admin/ pages for running a cohort: groups and their members, invitations, enrolment from a
CSV file, and the course reports. Every group is looked up through _group_or_404, the one place
that decides whether the signed-in account may see it."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from sqlalchemy import func, select

from brokerlearn.server.language import gettext as _
from flask_login import current_user

from brokerlearn.server import access, db
from brokerlearn.server.admin import role_required
from brokerlearn.server.charts import bar_chart
from brokerlearn.server.courses import catalog
from brokerlearn import i18n
from brokerlearn.server import mail
from brokerlearn.server.errors import id_number
from brokerlearn.server.language import current as current_language
from brokerlearn.server.mail import absolute_url
from brokerlearn.server.models import Group, GroupMember, Invitation, User
from brokerlearn.server import contexts as ctx
from brokerlearn.server.rendering import render
from brokerlearn.server.services import audit, enrolment, invitations, reports
from brokerlearn.server.services.accounts import AccountError
from brokerlearn.server.services.learner_actions import trainers_of
from brokerlearn.server.services.enrolment import (check_rows, create_group, parse_staff_csv)
from brokerlearn.server.services.enrolment import import_staff as import_staff_rows
from brokerlearn.server.services.statistics import item_statistics, module_funnel

bp = Blueprint("cohorts", __name__, url_prefix="/admin")


def _group_or_404(group_id: int) -> Group:
    """The group, if it exists and the signed-in person may see it (access.can_see_group: an
    admin every group, a trainer their own); else 404, as if it did not exist."""
    found = db.session().get(Group, group_id)
    if found is None or not access.can_see_group(current_user, group_id):
        abort(404)
    return found


@bp.route("/groups", methods=["GET", "POST"])
@role_required("admin", "trainer")
def groups():
    """Every group for an admin; a trainer's own groups for a trainer (who cannot make one)."""
    session = db.session()
    error = None
    visible = access.visible_group_ids(current_user)
    if request.method == "POST" and visible is not None:
        abort(403)
    if request.method == "POST":
        try:
            create_group(session, request.form.get("name", ""), access.current_actor())
            return redirect(url_for("cohorts.groups"))
        except AccountError as exc:
            error = str(exc)
    counts = dict(session.execute(select(GroupMember.group_id, func.count()).group_by(GroupMember.group_id)).all())
    listed = select(Group).order_by(Group.name)
    if visible is not None:
        listed = listed.where(Group.id.in_(visible))
    rows = [(g, counts.get(g.id, 0)) for g in session.scalars(listed)]
    return render(ctx.GroupsPage(title=_("Groups"), rows=rows, error=error), 422 if error else 200)


@bp.route("/groups/<int:group_id>", methods=["GET", "POST"])
@role_required("admin", "trainer")
def group(group_id: int):
    """A trainer sees their group's page; inviting and changing it stay with admins."""
    found = _group_or_404(group_id)
    if request.method == "POST" and current_user.role != "admin":
        abort(403)
    return _invite(found) if request.method == "POST" else _group_page(found)


def _group_page(found: Group, error: str | None = None, invitation: str | None = None, status: int = 200):
    session = db.session()
    query = (request.args.get("q") or "").strip()[:100]
    return render(ctx.GroupPage(
        title=found.name, group=found, members=_members(found), error=error, invitation=invitation, query=query,
        candidates=enrolment.find_accounts(session, query, found.id), courses=catalog().all(),
        chosen=set(enrolment.group_courses(session, found.id)), languages=i18n.LANGUAGES,
        lang=current_language(), days=_days(), pending=len([i for i, _ in invitations.listed(session, found.id)
                                                             if i.status != "registered"]),
        trainers=trainers_of(session, found.id)), status)


def _members(found: Group):
    return db.session().scalars(select(User).join(GroupMember, GroupMember.user_id == User.id)
                                .where(GroupMember.group_id == found.id).order_by(User.email)).all()


def _days() -> int:
    return int(current_app.config.get("INVITATION_DAYS") or 14)


def _lang(value: str | None) -> str:
    return value if value in i18n.LANGUAGES else current_language()


def _send(invitation: Invitation, link: str) -> None:
    """Mail one invitation (its language, the agency's name, the group's courses); the status
    records a success, the invitation's `error` a failure (MailError is raised on). Nothing is
    committed: the caller records the audit entry and commits it with the invitation."""
    session = db.session()
    config = current_app.config
    try:
        if not mail.can_send_links():
            raise mail.MailError(_("the server's public address (BROKERLEARN_PUBLIC_URL) is not set"))
        message = mail.invitation_message(
            invitation.email, link, config.get("MAIL_FROM") or "", config.get("ISSUER_NAME") or "brokerlearn",
            invitations.course_titles(session, invitation.group_id, catalog()), invitation.expires_at,
            invitation.lang, invitation.name)
        mail.send_invitation(message)
    except mail.MailError as exc:
        invitations.mark_sent(session, invitation, str(exc), commit=False)
        raise
    invitations.mark_sent(session, invitation, commit=False)


def _mail_link(invitation: Invitation) -> str:
    """The link to mail: on the configured public address only (never a request's Host)."""
    return invitations.link(current_app.secret_key, invitation, mail.public_url("") or "")


def _invite(found: Group):
    """Invite an address into the group (mailed, or a link to copy); an address that has an
    account joins the group at once. One audit entry, committed with the invitation: sent, or
    made (a link to copy, or one the mail failed to carry)."""
    session = db.session()
    actor = access.current_actor()
    email = request.form.get("email", "")
    existing = session.scalar(select(User).where(User.email == email.strip().lower()))
    if existing is not None:
        enrolment.add_member(session, found.id, existing.id, actor)
        flash(_("%(email)s has an account: added to the group.") % {"email": existing.email})
        return redirect(url_for("cohorts.group", group_id=found.id))
    try:
        invitation = invitations.invite(session, email, request.form.get("name", ""), found.id, _days(),
                                        _lang(request.form.get("lang")), commit=False)
    except AccountError as exc:
        return _group_page(found, error=str(exc), status=422)
    if request.form.get("send"):
        try:
            _send(invitation, _mail_link(invitation))
        except mail.MailError as exc:
            audit.record(session, actor, "invitation_made", target=invitation.email,
                         details=f"{found.name} (not mailed: {exc})")
            session.commit()
            return _group_page(found, error=_("The invitation was not mailed: %(error)s. Send this link "
                                              "yourself.") % {"error": exc},
                               invitation=invitations.link(current_app.secret_key, invitation, absolute_url("/")),
                               status=502)
        audit.record(session, actor, "invitation_sent", target=invitation.email, details=found.name)
        session.commit()
        flash(_("Invitation mailed to %(email)s.") % {"email": invitation.email})
        return redirect(url_for("cohorts.group", group_id=found.id))
    audit.record(session, actor, "invitation_made", target=invitation.email, details=f"{found.name} (link shown)")
    session.commit()
    return _group_page(found, invitation=invitations.link(current_app.secret_key, invitation, absolute_url("/")))


@bp.post("/groups/<int:group_id>/members")
@role_required("admin")
def add_members(group_id: int):
    found = _group_or_404(group_id)
    session = db.session()
    added = []
    for value in request.form.getlist("user"):
        user = session.get(User, id_number(value)) if id_number(value) else None
        if user is not None:
            if enrolment.add_member(session, found.id, user.id, access.current_actor()):
                added.append(user.email)
    if added:
        flash(_("Added to the group: %(emails)s.") % {"emails": ", ".join(added)})
    return redirect(url_for("cohorts.group", group_id=found.id))


@bp.post("/groups/<int:group_id>/members/<int:user_id>/remove")
@role_required("admin")
def remove_member(group_id: int, user_id: int):
    found = _group_or_404(group_id)
    user = db.session().get(User, user_id)
    if user is None:
        abort(404)
    enrolment.remove_member(db.session(), found.id, user.id, access.current_actor())
    flash(_("%(email)s is no longer in the group (their account and progress are kept).") % {"email": user.email})
    return redirect(url_for("cohorts.group", group_id=found.id))


@bp.post("/groups/<int:group_id>/schedule")
@role_required("admin")
def schedule(group_id: int):
    found = _group_or_404(group_id)
    try:
        enrolment.set_schedule(db.session(), found, request.form.getlist("course"), {c.id for c in catalog().all()},
                               request.form.get("starts", ""), request.form.get("due", ""), access.current_actor())
    except AccountError as exc:
        db.session().rollback()
        return _group_page(found, error=str(exc), status=422)
    flash(_("The group's courses and dates are saved."))
    return redirect(url_for("cohorts.group", group_id=found.id))


@bp.get("/invitations")
@role_required("admin")
def invitation_list():
    group_id = _group_filter()
    rows = [(i, g, invitations.is_expired(i)) for i, g in invitations.listed(db.session(), group_id)]
    return render(ctx.InvitationsPage(title=_("Invitations"), rows=rows, group_id=group_id,
                                      groups=db.session().scalars(select(Group).order_by(Group.name)).all()))


def _group_filter() -> int | None:
    if not request.args.get("group"):
        return None
    return _group_or_404(request.args.get("group", type=id_number) or 0).id


@bp.get("/invitations.csv")
@role_required("admin")
def invitation_links():
    group_id = _group_filter()
    session = db.session()
    text = invitations.links_csv(session, current_app.secret_key, absolute_url("/"), group_id)
    group = session.get(Group, group_id) if group_id else None
    audit.record(session, access.current_actor(), "invitation_links_downloaded", target=group.name if group else "",
                 details="%d links%s" % (len(list(csv.reader(io.StringIO(text)))) - 1,
                                          f" of {group.name}" if group else ""))
    session.commit()
    return _download(text, "invitations.csv", "text/csv")


@bp.post("/invitations/<int:invitation_id>/resend")
@role_required("admin")
def resend(invitation_id: int):
    """Mail the invitation again, with INVITATION_DAYS more (an expired one works again)."""
    session = db.session()
    invitation = session.get(Invitation, invitation_id)
    if invitation is None:
        abort(404)
    if invitation.group_id:
        _group_or_404(invitation.group_id)
    if invitation.status == "registered":
        flash(_("%(email)s has registered already.") % {"email": invitation.email})
        return redirect(url_for("cohorts.invitation_list"))
    invitations.extend(session, invitation, _days(), commit=False)
    actor = access.current_actor()
    try:
        _send(invitation, _mail_link(invitation))
        audit.record(session, actor, "invitation_resent", target=invitation.email)
        flash(_("Invitation mailed again to %(email)s.") % {"email": invitation.email})
    except mail.MailError as exc:
        audit.record(session, actor, "invitation_resent", target=invitation.email, details=f"not mailed: {exc}")
        flash(_("The invitation to %(email)s was not mailed: %(error)s.") % {"email": invitation.email, "error": exc})
    session.commit()
    return redirect(url_for("cohorts.invitation_list"))


def _download(text: str, filename: str, mimetype: str) -> Response:
    return Response(text.encode("utf-8"), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"',
                             "Cache-Control": "no-store"})


@bp.route("/import", methods=["GET", "POST"])
@role_required("admin")
def import_staff():
    """A CSV of staff (email, name, group): new addresses are invited (mailed, or links), existing
    accounts join their row's group; a dry run only reports."""
    title = _("Enrol staff from a CSV file")
    if request.method == "GET":
        return render(ctx.ImportPage(title=title, rows=None, error=None, dry_run=True, send=True))
    upload = request.files.get("file")
    dry_run, send = bool(request.form.get("dry_run")), bool(request.form.get("send"))
    session = db.session()
    try:
        if upload is None or not upload.filename:
            raise AccountError(_("Choose a CSV file."))
        rows = check_rows(session, parse_staff_csv(upload.read(2_000_000)))
    except AccountError as exc:
        return render(ctx.ImportPage(title=title, rows=None, error=str(exc), dry_run=dry_run, send=send), 422)
    if not dry_run:
        import_staff_rows(session, current_app.secret_key, absolute_url("/"), rows,
                          send=(lambda invitation, _link: _send(invitation, _mail_link(invitation))) if send else None,
                          days=_days(), lang=_lang(request.form.get("lang")), actor=access.current_actor())
    return render(ctx.ImportPage(title=title, rows=rows, error=None, dry_run=dry_run, send=send))


@bp.get("/reports")
@role_required("admin")
def report_list():
    return render(ctx.ReportsPage(title=_("Reports"), exports=reports.EXPORTS, courses=catalog().all()))


@bp.get("/reports/<what>")
@role_required("admin")
def report_download(what: str):
    """The same text as `brokerlearn export csv WHAT` / `export xapi` (one function makes both)."""
    if what not in reports.EXPORTS:
        abort(404)
    filename, mimetype, _what = reports.EXPORTS[what]
    session = db.session()
    text = reports.export(session, what, catalog(), mail.public_url("") or absolute_url(""))
    audit.record(session, access.current_actor(), "report_downloaded", target=filename, details=what)
    session.commit()
    return _download(text, filename, mimetype)


@bp.get("/courses/<course_id>")
@role_required("admin", "author")
def course_report(course_id: str):
    """The completion funnel per module and the item statistics of every graded quiz, the
    questions that deserve a look flagged with the reason."""
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


@bp.get("/courses/<course_id>/assessed")
@role_required("admin", "trainer")
def assessed_report(course_id: str):
    """The course's assessed work: submissions by status, overdue reviews, scores per criterion,
    peers against the trainer; a trainer sees the learners of their groups only."""
    from brokerlearn.server.services import assessed_reports
    course = catalog().get(course_id)
    if course is None or not course.assignments:
        abort(404)
    scope = access.visible_learner_ids(current_user)
    rows = assessed_reports.report(db.session(), course, scope)
    return render(ctx.AssessedReportPage(title=_("%(course)s: assessed work") % {"course": course.title},
                                         course_id=course.id, course_title=course.title, assignments=rows,
                                         scoped=scope is not None))
