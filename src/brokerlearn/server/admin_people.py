"""/admin/ (the home), /admin/learners, one learner's page and its actions, trainers of a
group, and the audit trail. Each view says who may use it with access.requires (the one home of
the rules); each action is a service of services/learner_actions.py, which records it in the
audit trail. The views are on the admin blueprint (admin.bp)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from brokerlearn.server import access, db, mail
from brokerlearn.server import contexts as ctx
from brokerlearn.server.admin import bp
from brokerlearn.server.courses import catalog
from brokerlearn.server.errors import id_number
from brokerlearn.server.language import gettext as _
from brokerlearn.server.models import ROLES, Certificate, Group, GroupMember, QuizAttempt, User
from brokerlearn.server.rendering import render
from brokerlearn.server.services import audit, learner_actions, overview
from brokerlearn.server.services.accounts import AccountError, find_user
from brokerlearn.server.services.audit import Actor
from brokerlearn.server.services.progress import course_progress, lessons_completed_per_user

PAGE_SIZE = 100
AUDIT_PAGE = 500


def _actor() -> Actor:
    return access.current_actor()


def _learner_or_404(user_id: int) -> User:
    user = db.session().get(User, user_id)
    if user is None:
        abort(404)
    return user


# -- the home ---------------------------------------------------------------------------------

@bp.get("/")
@access.requires("admin", "trainer", "author")
def home():
    """The figures that matter and a link to every admin page the visitor may use."""
    if any(request.args.get(key) for key in ("q", "group", "role")):  # the learners list was here
        return redirect(url_for("admin.learners", **request.args))
    session = db.session()
    courses = catalog().all()
    figures = None
    if access.role_of(current_user) in access.STAFF:
        figures = overview.figures(session, courses, access.visible_learner_ids(current_user))
    groups = access.visible_group_ids(current_user)
    my_groups = [] if groups is None else session.scalars(
        select(Group).where(Group.id.in_(groups)).order_by(Group.name)).all()
    return render(ctx.AdminHomePage(title=_("Administration"), figures=figures, courses=courses,
                                    my_groups=my_groups))


# -- learners -----------------------------------------------------------------------------------

@bp.get("/learners")
@access.requires("admin", "trainer")
def learners():
    """Accounts with lessons completed and attempts submitted; filter by text, group and role.
    A trainer sees the members of their groups only."""
    session = db.session()
    visible = access.visible_group_ids(current_user)
    query = (request.args.get("q") or "").strip().lower()[:100]
    group_id = request.args.get("group", type=id_number)
    if request.args.get("group") and (group_id is None or not access.can_see_group(current_user, group_id)):
        abort(404)  # no such group (also a number no group can have), or not one of the trainer's
    role = request.args.get("role") if request.args.get("role") in ROLES else None
    completed = lessons_completed_per_user().subquery()  # per course, as the CSV counts
    attempts = (select(QuizAttempt.user_id, func.count(QuizAttempt.id).label("n"))
                .where(QuizAttempt.status == "submitted").group_by(QuizAttempt.user_id).subquery())
    statement = (select(User, func.coalesce(completed.c.n, 0), func.coalesce(attempts.c.n, 0))
                 .outerjoin(completed, completed.c.user_id == User.id)
                 .outerjoin(attempts, attempts.c.user_id == User.id).order_by(User.email).limit(PAGE_SIZE))
    scope = access.visible_learner_ids(current_user)
    counted = select(func.count(User.id))
    if scope is not None:
        statement, counted = statement.where(User.id.in_(scope)), counted.where(User.id.in_(scope))
    if query:
        pattern = f"%{query.replace('%', '').replace('_', '')}%"
        statement = statement.where(func.lower(User.email).like(pattern) | func.lower(User.name).like(pattern))
    if group_id:
        statement = statement.where(User.id.in_(select(GroupMember.user_id).where(GroupMember.group_id == group_id)))
    if role:
        statement = statement.where(User.role == role)
    rows = session.execute(statement).all()
    groups = select(Group).order_by(Group.name)
    if visible is not None:
        groups = groups.where(Group.id.in_(visible))
    return render(ctx.LearnersPage(title=_("Learners"), rows=rows, total=session.scalar(counted), query=query,
                                   limit=PAGE_SIZE, groups=session.scalars(groups).all(), group_id=group_id,
                                   role=role, roles=ROLES))


@bp.get("/learners/<int:user_id>")
@access.requires("admin", "trainer", learner="user_id")
def learner(user_id: int):
    return _learner_page(_learner_or_404(user_id))


def _learner_page(user: User, error: str | None = None, reset_link: str | None = None, status: int = 200):
    session = db.session()
    courses, quizzes = [], []
    granted = learner_actions.grants(session, user.id)
    for course in catalog().all():
        summary = course_progress(session, user.id, course)
        titles = {q.id: q.title for q in course.graded_quizzes()}
        summary["attempts"] = [
            {"title": titles.get(a.quiz_id, a.quiz_id), "number": a.number, "score": a.score,
             "max_score": a.max_score, "passed": a.passed, "submitted_at": a.submitted_at}
            for a in session.scalars(select(QuizAttempt).where(
                QuizAttempt.user_id == user.id, QuizAttempt.course_id == course.id,
                QuizAttempt.status == "submitted").order_by(QuizAttempt.quiz_id, QuizAttempt.number))]
        courses.append(summary)
    for course, quiz in learner_actions.graded_quizzes(catalog().all()):
        extra = granted.get((course.id, quiz.id), 0)
        quizzes.append({"value": f"{course.id}/{quiz.title}", "title": quiz.title, "course": course.title,
                        "allowed": quiz.max_attempts + extra, "extra": extra})
    certificates = session.scalars(select(Certificate).where(Certificate.user_id == user.id)).all()
    groups = session.scalars(select(Group).join(GroupMember, GroupMember.group_id == Group.id)
                             .where(GroupMember.user_id == user.id).order_by(Group.name)).all()
    return render(ctx.LearnerPage(title=user.name or user.email, person=user, courses=courses,
                                  certificates=certificates, groups=groups, quizzes=quizzes, roles=ROLES,
                                  error=error, reset_link=reset_link,
                                  mail_configured=_can_mail()), status)


def _can_mail() -> bool:
    return bool(current_app.config.get("SMTP_HOST")) and mail.can_send_links()


def _done(user: User, message: str):
    flash(message)
    return redirect(url_for("admin.learner", user_id=user.id), 303)


@bp.post("/learners/<int:user_id>/reset")
@access.requires("admin", "trainer", learner="user_id")
def learner_reset(user_id: int):
    """A password-reset link: by e-mail when SMTP is set up; else shown (to an admin only: a
    trainer who could read it could take over the account)."""
    user = _learner_or_404(user_id)
    try:
        if _can_mail():
            def send(to: str, link: str) -> None:
                config = current_app.config
                try:
                    mail.deliver(config, mail.reset_message(to, link, config["MAIL_FROM"]))
                except mail.MailError as exc:
                    raise AccountError(_("The mail could not be sent: %(problem)s") % {"problem": str(exc)}) from None
            learner_actions.password_reset(db.session(), _actor(), user, current_app.secret_key,
                                           mail.public_url("/"), send)
            return _done(user, _("A link to set a new password has been sent to %(email)s.") % {"email": user.email})
        if access.role_of(current_user) != "admin":
            raise AccountError(_("Mail is not set up on this server: ask an administrator for a reset link."))
        link, _sent = learner_actions.password_reset(db.session(), _actor(), user, current_app.secret_key,
                                                     mail.absolute_url("/"))
    except AccountError as exc:
        return _learner_page(user, error=str(exc), status=422)
    return _learner_page(user, reset_link=link)


@bp.post("/learners/<int:user_id>/role")
@access.requires("admin", learner="user_id")
def learner_role(user_id: int):
    user = _learner_or_404(user_id)
    try:
        learner_actions.set_role(db.session(), _actor(), user, request.form.get("role", ""))
    except AccountError as exc:
        return _learner_page(user, error=str(exc), status=422)
    return _done(user, _("%(email)s is now %(role)s.") % {"email": user.email, "role": user.role})


@bp.post("/learners/<int:user_id>/attempts")
@access.requires("admin", "trainer", learner="user_id")
def learner_attempts(user_id: int):
    user = _learner_or_404(user_id)
    course_id, _slash, title = (request.form.get("quiz") or "").partition("/")
    try:
        course, quiz = learner_actions.grant_attempts(db.session(), _actor(), user, catalog().all(), title,
                                                      request.form.get("extra"), course_id or None)
    except AccountError as exc:
        return _learner_page(user, error=str(exc), status=422)
    return _done(user, _("Extra attempts granted at %(quiz)s.") % {"quiz": quiz.title})


@bp.post("/learners/<int:user_id>/deactivate")
@access.requires("admin", learner="user_id")
def learner_deactivate(user_id: int):
    user = _learner_or_404(user_id)
    try:
        learner_actions.deactivate(db.session(), _actor(), user)
    except AccountError as exc:
        return _learner_page(user, error=str(exc), status=422)
    return _done(user, _("The account is deactivated: it cannot sign in, and its sessions have ended."))


@bp.post("/learners/<int:user_id>/reactivate")
@access.requires("admin", learner="user_id")
def learner_reactivate(user_id: int):
    user = _learner_or_404(user_id)
    try:
        learner_actions.reactivate(db.session(), _actor(), user)
    except AccountError as exc:
        return _learner_page(user, error=str(exc), status=422)
    return _done(user, _("The account is active again."))


@bp.post("/learners/<int:user_id>/erase")
@access.requires("admin", learner="user_id")
def learner_erase(user_id: int):
    """Erasure is confirmed by typing the account's e-mail address."""
    user = _learner_or_404(user_id)
    try:
        if (request.form.get("confirm") or "").strip().lower() != user.email:
            raise AccountError(_("To erase the account, type its e-mail address exactly."), "confirm")
        label = learner_actions.erase(db.session(), _actor(), user, catalog().all())
    except AccountError as exc:
        return _learner_page(user, error=str(exc), status=422)
    return _done(user, _("The personal data have been erased; the account remains as %(label)s in the figures.")
                 % {"label": label})


# -- trainers of a group (the form is on the group page) ---------------------------------------

@bp.post("/groups/<int:group_id>/trainers")
@access.requires("admin", group="group_id")
def group_trainers(group_id: int):
    session = db.session()
    group = session.get(Group, group_id)
    trainer = find_user(session, request.form.get("email", ""))
    try:
        if trainer is None:
            raise AccountError(_("No account has this e-mail address."), "email")
        learner_actions.set_trainer(session, _actor(), group, trainer, request.form.get("action") != "remove")
    except AccountError as exc:
        flash(str(exc))
        return redirect(url_for("cohorts.group", group_id=group.id), 303)
    flash(_("The group's trainers are updated."))
    return redirect(url_for("cohorts.group", group_id=group.id), 303)


# -- the audit trail ---------------------------------------------------------------------------

def _date(name: str) -> datetime | None:
    try:
        day = datetime.strptime(request.args.get(name) or "", "%Y-%m-%d")
    except ValueError:
        return None
    return day.replace(tzinfo=timezone.utc)


def _filters() -> audit.Filters:
    until = _date("until")
    action = request.args.get("action") or ""
    return audit.Filters(actor=(request.args.get("actor") or "")[:200].strip(),
                         action=action if action in audit.ACTIONS else "",
                         target=(request.args.get("target") or "")[:200].strip(),
                         since=_date("since"), until=until + timedelta(days=1) if until else None)


@bp.get("/audit")
@access.requires("admin")
def audit_trail():
    filters = _filters()
    rows = audit.entries(db.session(), filters, AUDIT_PAGE)
    return render(ctx.AuditPage(title=_("Audit trail"), rows=rows, filters=filters, actions=audit.ACTIONS,
                                limit=AUDIT_PAGE, csv_query=request.query_string.decode("ascii", "replace")))


@bp.get("/audit.csv")
@access.requires("admin")
def audit_csv():
    text = audit.entries_csv(db.session(), _filters())
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="brokerlearn-audit.csv"'})
