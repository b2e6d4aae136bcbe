"""/account/...: register, sign in and out, reset and change the password, delete the account."""
from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from brokerlearn.server.language import gettext as _
from brokerlearn.server import db, mail
from brokerlearn.server.models import User
from brokerlearn.server import contexts as ctx
from brokerlearn.server.rendering import render
from brokerlearn.server.security import same_site_path
from brokerlearn.server.services import accounts, invitations
from brokerlearn.server.services.accounts import AccountError

bp = Blueprint("auth", __name__, url_prefix="/account")
log = logging.getLogger("brokerlearn.accounts")


def _password_signin_off():
    """With BROKERLEARN_PASSWORD_SIGNIN=0 (sign-in through the identity providers only): the
    password form, registration and reset answer this instead (None: password sign-in is on)."""
    if current_app.config.get("PASSWORD_SIGNIN", True):
        return None
    return render(ctx.MessagePage(title=_("Sign in"), message=_(
        "Sign-in with a password is switched off here: sign in through your agency's identity provider."),
        back=ctx.BackLink(url_for("auth.login"), _("Back to the sign-in page"))), 403)


def _login_page(email: str, error: str | None, next_url: str, status: int = 200):
    from brokerlearn.server.sso.views import login_options
    return render(ctx.LoginPage(title=_("Sign in"), email=email, error=error, next=next_url,
                                providers=login_options(next_url),
                                password_signin=current_app.config.get("PASSWORD_SIGNIN", True)), status)


def _safe_next(target: str | None) -> str:
    """Only a path on this server: never an open redirect to another host."""
    return same_site_path(target, url_for("learn.dashboard"))


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Open registration, or by invitation link (which fixes the address, may suggest the name
    and puts the new account in a group); invitations work whatever REGISTRATION says."""
    off = _password_signin_off()
    if off is not None:
        return off
    invite = request.values.get("invite", "")
    asked = request.values.get("next")  # where the learner came from, if they did
    next_url = _safe_next(asked)
    invite_only = current_app.config["REGISTRATION"] == "invite"
    form = {"email": request.form.get("email", ""), "name": request.form.get("name", "")}
    invitation = None
    if invite:
        try:
            invitation = invitations.open_invitation(db.session(), current_app.secret_key, invite)
        except AccountError as exc:
            return render(ctx.MessagePage(title=_("Invitation"), message=str(exc)), 400)
        form["email"] = invitation["email"]
        form["name"] = form["name"] or invitation["name"]
    elif invite_only:
        return render(ctx.MessagePage(title=_("Registration"), message=_(
            "Registration is by invitation: ask your agency for an invitation link.")), 403)
    if request.method == "POST":
        session = db.session()
        try:
            user = accounts.create_user(session, form["email"], request.form.get("password", ""), form["name"])
        except AccountError as exc:
            return render(ctx.RegisterPage(title=_("Create an account"), form=form, error=str(exc),
                                           field=exc.field, invite=invite, invite_only=invite_only,
                                           next=next_url if asked else None), 422)
        if invitation:
            invitations.registered(session, invitation, user)
        login_user(user)
        if not asked:  # to the dashboard, which shows the flashed words
            flash(_("Welcome, %(name)s — your account is ready.") % {"name": user.name or user.email})
            return redirect(next_url)
        return redirect(_welcome(next_url))
    return render(ctx.RegisterPage(title=_("Create an account"), form=form, error=None, field=None,
                                   invite=invite, invite_only=invite_only, next=next_url if asked else None))


def _welcome(target: str) -> str:
    """Back where the new learner came from, marked `welcome`: the page's script (navigation.js)
    then says "Welcome, NAME — your account is ready" (a static page cannot show a flash)."""
    parts = urlsplit(target)
    query = "&".join(part for part in (parts.query, "welcome") if part)
    return urlunsplit(("", "", parts.path, query, parts.fragment))


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = _safe_next(request.values.get("next"))
    if request.method == "POST":
        off = _password_signin_off()
        if off is not None:
            return off
        email = request.form.get("email", "")
        try:
            user = accounts.authenticate(db.session(), email, request.form.get("password", ""),
                                         request.remote_addr or "unknown", current_app.config["LOGIN_ATTEMPTS"])
        except AccountError as exc:
            return _login_page(email, str(exc), next_url, 401)
        login_user(user, remember=bool(request.form.get("remember")))
        return redirect(next_url)
    return _login_page("", None, next_url)


@bp.route("/logout", methods=["POST"])
def logout():
    """Ends the session and the remember cookie for good: a copy of either, kept by someone
    else, stops working (the account's session version moves on, as on a password change;
    every device of the account is signed out)."""
    if current_user.is_authenticated:
        accounts.end_sessions(db.session(), current_user.id)
    logout_user()
    return redirect("/")


@bp.route("/reset", methods=["GET", "POST"])
def reset_request():
    off = _password_signin_off()
    if off is not None:
        return off
    if request.method == "POST":
        if not mail.can_send_links():  # links only to the configured address, never the Host header's
            return render(ctx.MessagePage(title=_("Reset your password"), message=mail.not_configured()), 503)
        user = accounts.find_user(db.session(), request.form.get("email", ""))
        if user is not None:
            token = accounts.make_reset_token(current_app.secret_key, user)
            link = mail.public_url(url_for("auth.reset", token=token))
            mail.send_reset_link(user.email, link)
        # The same answer either way: nobody learns who has an account.
        return render(ctx.MessagePage(title=_("Reset your password"), message=_(
            "If an account exists for that address, a link to set a new password is on its "
            "way. It works once, for one hour.")))
    return render(ctx.ResetRequestPage(title=_("Reset your password")))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset(token: str):
    off = _password_signin_off()
    if off is not None:
        return off
    session = db.session()
    try:
        user = accounts.user_for_reset_token(session, current_app.secret_key, token)
    except AccountError as exc:
        return render(ctx.MessagePage(title=_("Reset your password"), message=str(exc)), 400)
    if request.method == "POST":
        try:
            accounts.set_password(session, user, request.form.get("password", ""))
        except AccountError as exc:
            return render(ctx.ResetPage(title=_("Choose a new password"), error=str(exc), token=token), 422)
        login_user(user)
        flash(_("Your new password is set."))
        return redirect(url_for("learn.dashboard"))
    return render(ctx.ResetPage(title=_("Choose a new password"), token=token))


@bp.route("/settings", methods=["GET"])
@login_required
def settings():
    return render(ctx.SettingsPage(title=_("Account settings"), error=None, done=request.args.get("done")))


@bp.get("/settings/data.json")
@login_required
def my_data():
    """Everything recorded about the signed-in learner, as JSON (GDPR Art. 15 and 20)."""
    import json

    from flask import Response

    from brokerlearn.server.courses import catalog
    from brokerlearn.server.services.personal_data import export
    data = export(db.session(), db.session().get(User, current_user.id), catalog().all())
    return Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="my-brokerlearn-data.json"'})


def _settings_error(message: str):
    return render(ctx.SettingsPage(title=_("Account settings"), error=message, done=None), 422)


def _confirmed_user(field: str):
    """The signed-in account, if the form's `field` holds its password (else None)."""
    from werkzeug.security import check_password_hash
    user = db.session().get(User, current_user.id)
    return user if check_password_hash(user.password_hash, request.form.get(field, "")) else None


@bp.route("/settings/password", methods=["POST"])
@login_required
def change_password():
    user = _confirmed_user("current_password")
    if user is None:
        return _settings_error(_("Your current password is not right."))
    try:
        accounts.set_password(db.session(), user, request.form.get("password", ""))
    except AccountError as exc:
        return _settings_error(str(exc))
    login_user(user)  # this session continues; every other one ends
    return redirect(url_for("auth.settings", done="password"))


@bp.route("/delete", methods=["POST"])
@login_required
def delete():
    user = _confirmed_user("password")
    if user is None:
        return _settings_error(_("To delete your account, enter your password."))
    session = db.session()
    logout_user()
    accounts.delete_user(session, user)
    return render(ctx.MessagePage(title=_("Account deleted"), message=_(
        "Your account and everything recorded about your learning have been deleted.")))
