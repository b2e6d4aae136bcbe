"""The LTI endpoints (/lti/..., the tool's key set) and the administrators' page of platforms
(/admin/lti). Views only check and hand over: the work is in this package's modules.

The platform posts to /lti/login and /lti/launch from another site, so those two (and the
picker's answer, which carries a signed request instead of a session) are exempt from the
session's CSRF token; their own checks (state, nonce, signature) take its place."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, redirect, request
from flask import session as flask_session
from flask_login import login_user

from brokerlearn.server import contexts as ctx
from brokerlearn.server import db
from brokerlearn.server.access import current_actor, requires
from brokerlearn.server.language import gettext as _
from brokerlearn.server.lti import deep_linking, framing, keys, launch, registration
from brokerlearn.server.lti.launch import LaunchRefused
from brokerlearn.server.rendering import render
from brokerlearn.server.security import CSP, csrf

bp = Blueprint("lti", __name__)
SCRIPT = """(function () {
  var form = document.querySelector("form[data-lti-autosubmit]");
  if (form) { form.submit(); }
  var launched = document.querySelector("[data-lti-target]");
  if (launched) {
    var opening = launched.querySelector("[data-lti-opening]"), fallback = launched.querySelector("[data-lti-window]");
    opening.hidden = false;
    fallback.hidden = true;
    /* The session came with this page, in a partitioned cookie: if the browser sends it back,
       the activity opens here, in the frame; else the link opens it in a window of its own. */
    fetch("/api/session", {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; }, function () { return null; })
      .then(function (session) {
        if (session && session.user) { window.location.replace(launched.getAttribute("data-lti-target")); return; }
        opening.hidden = true;
        fallback.hidden = false;
      });
  }
  if (document.querySelector("[data-lti-close]")) {
    (window.opener || window.parent).postMessage({subject: "org.imsglobal.lti.close"}, "*");
  }
})();
"""
STYLE = """.page-lti .site-header { display: none; }
.page-lti main h1 { margin-top: 0.5rem; }
.lti-course { border: 1px solid #cbd5e0; border-radius: 6px; padding: 0.5rem 1rem 0.75rem; margin: 0 0 1rem; }
.lti-course legend { font-weight: 600; padding: 0 0.25rem; }
.lti-targets { list-style: none; padding: 0; margin: 0; }
.lti-target label { display: flex; gap: 0.6rem; align-items: flex-start; padding: 0.4rem 0; }
.lti-target input { flex: none; width: 1.15rem; height: 1.15rem; margin: 0.2rem 0 0; }
.lti-text { flex: 1; }
.lti-is-module, .lti-is-quiz, .lti-is-assignment { padding-left: 1rem; }
.lti-is-lesson { padding-left: 2rem; }
.lti-admin code { overflow-wrap: anywhere; }
.lti-kind { display: block; font-size: 0.75rem; text-transform: uppercase; letter-spacing: 0.04em; color: #4a5568; }
"""
REGISTRATION_SALT = "brokerlearn-lti-registration"
REGISTRATION_DAYS = 7


def _base() -> str:
    from brokerlearn.server.settings import LOCAL_URL
    return (current_app.config.get("PUBLIC_URL") or LOCAL_URL).rstrip("/")


def _instance() -> Path:
    return Path(current_app.instance_path)


def framed(response, extra: tuple[str, ...] = ()):
    """Let the registered platforms (and only they) frame this page and receive its forms."""
    body, status = response if isinstance(response, tuple) else (response, 200)
    response = current_app.make_response((body, status))
    origins = " ".join([*registration.platform_origins(db.session()), *extra])
    policy = CSP.replace("frame-ancestors 'none'", f"frame-ancestors {origins or chr(39) + 'none' + chr(39)}")
    policy = policy.replace("form-action 'self'", f"form-action 'self' {origins}".rstrip())
    response.headers["Content-Security-Policy"] = policy
    response.headers["X-Frame-Options"] = "ALLOWALL"  # not a valid value: browsers go by frame-ancestors
    response.headers["Cache-Control"] = "no-store"
    return response


def _refused(exc: Exception, status: int = 400):
    return framed(render(ctx.MessagePage(title=_("The launch was refused"), message=str(exc)), status))


@bp.route("/lti/login", methods=["GET", "POST"])
@csrf.exempt
def login():
    try:
        return redirect(launch.begin_login(db.session(), request.values, _base() + "/lti/launch"))
    except LaunchRefused as exc:
        return _refused(exc)


@bp.post("/lti/launch")
@csrf.exempt
def launched():
    session = db.session()
    try:
        checked = launch.verify_launch(session, request.form)
        user = launch.linked_user(session, checked.platform, checked.claims)
        if not user.is_active:
            raise LaunchRefused(_("This account is deactivated."))
        if checked.message_type == "LtiDeepLinkingRequest":
            return _picker(checked, user)
        target = launch.target_of(checked.claims, _base())
        from brokerlearn.server.courses import catalog
        first = target.strip("/").split("/")[0]
        course_id = first if first and catalog().get(first) is not None else None
        launch.join_context(session, checked.platform, checked.claims, user, checked.teaching, course_id)
        launch.bind_line_item(session, checked.platform, checked.claims)
    except LaunchRefused as exc:
        return _refused(exc)
    presentation = checked.claims.get(launch.CLAIM + "launch_presentation") or {}
    if presentation.get("document_target") == "window":  # first-party: the session cookie as usual
        login_user(user)
        return redirect(target)
    # In the platform's frame: the session in a partitioned cookie (framing.py); the one-time
    # link to a first-party window where the browser refuses even that.
    login_user(user)
    framing.mark_framed(flask_session)
    token = launch.issue_token(session, user, target)
    return framed(render(ctx.LtiLaunchedPage(title=_("Signed in"), name=user.name or user.email,
                                             enter_url=f"/lti/enter/{token}", target=target)))


def _enter_refused(exc: Exception):
    response = current_app.make_response(render(ctx.MessagePage(
        title=_("This link cannot be used"), message=str(exc)), 410))
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/lti/enter/<token>", methods=["GET", "POST"])
def enter(token: str):
    """In a first-party window, the one-time link: GET shows whom it signs in, from which
    platform; only the confirming POST (with the page's CSRF token) uses it and makes the
    session. The token is in the path, so the page sends no Referer and is never cached."""
    try:
        if request.method == "POST":
            user, target = launch.redeem_token(db.session(), token)
        else:
            user, platform = launch.describe_token(db.session(), token)
    except LaunchRefused as exc:
        return _enter_refused(exc)
    if request.method == "POST":
        login_user(user)
        return redirect(target)
    response = current_app.make_response(render(ctx.LtiEnterPage(
        title=_("Continue to the activity"), name=user.name or user.email, platform=platform)))
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    return response


def _courses_of(targets) -> list[dict]:
    courses: dict[str, dict] = {}
    for target in targets:
        courses.setdefault(target.course, {"title": target.course, "targets": []})["targets"].append(target)
    return list(courses.values())


def _picker(checked, user, error: str | None = None):
    from brokerlearn.server.courses import catalog
    settings = deep_linking.settings_token(current_app.secret_key, checked, user.id)
    page = ctx.LtiPickerPage(title=_("Add from brokerlearn"), courses=_courses_of(deep_linking.targets(catalog().all())),
                             settings=settings, multiple=bool((checked.claims.get(launch.DL_CLAIM) or {}).get(
                                 "accept_multiple", True)), error=error)
    return framed(render(page))


@bp.post("/lti/deep-link")
@csrf.exempt
def deep_link():
    from brokerlearn.server.courses import catalog
    from brokerlearn.server.models import LtiPlatform
    try:
        settings = deep_linking.read_settings(current_app.secret_key, request.form.get("settings", ""))
    except LaunchRefused as exc:
        return _refused(exc)
    platform = db.session().get(LtiPlatform, settings["platform"])
    if platform is None:
        return _refused(LaunchRefused(_("This platform is no longer registered.")))
    chosen_keys = request.form.getlist("item")
    by_key = {t.key: t for t in deep_linking.targets(catalog().all())}
    chosen = [by_key[k] for k in chosen_keys if k in by_key][: None if settings["multiple"] else 1]
    jwt = deep_linking.response_jwt(_instance(), platform, settings, chosen, _base() + "/lti/launch")
    return framed(render(ctx.LtiReturnPage(title=_("Returning to your course"), action=settings["return_url"],
                                           fields={"JWT": jwt})))


@bp.get("/lti/lti.js")
def script():
    return Response(SCRIPT, mimetype="text/javascript", headers={"Cache-Control": "max-age=300"})


@bp.get("/lti/lti.css")
def style():
    return Response(STYLE, mimetype="text/css", headers={"Cache-Control": "max-age=300"})


@bp.get("/.well-known/lti-jwks.json")
def jwks():
    response = jsonify(keys.tool_jwks(_instance()))
    response.headers["Cache-Control"] = "max-age=300"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/lti/config.json")
def configuration():
    return jsonify(registration.canvas_configuration(_base()))


def _registration_serializer():
    from itsdangerous import URLSafeTimedSerializer
    return URLSafeTimedSerializer(current_app.secret_key, salt=REGISTRATION_SALT)


@bp.get("/lti/register/<token>")
def dynamic_registration(token: str):
    """LTI Dynamic Registration, started by the platform with the URL from /admin/lti."""
    from itsdangerous import BadSignature
    from urllib.parse import urlsplit
    try:
        _registration_serializer().loads(token, max_age=REGISTRATION_DAYS * 86400)
    except BadSignature:
        return render(ctx.MessagePage(title=_("Registration"), message=_(
            "This registration address has expired: take a new one from the administration.")), 403)
    config_url = request.args.get("openid_configuration", "")
    try:
        platform = registration.dynamic_registration(db.session(), _base(), config_url,
                                                     request.args.get("registration_token"))
    except registration.PlatformProblem as exc:
        return render(ctx.MessagePage(title=_("Registration"), message=str(exc)), 400)
    parts = urlsplit(platform.issuer)
    return framed(render(ctx.LtiRegisteredPage(title=_("Registration"), platform=platform.name or platform.issuer)),
                  (f"{parts.scheme}://{parts.netloc}",))


# The administrators' page ---------------------------------------------------------------------

def _admin_page(form: dict | None = None, error: str | None = None, status: int = 200):
    base = _base()
    page = ctx.LtiAdminPage(title=_("LMS platforms (LTI 1.3)"), platforms=registration.platforms(db.session()),
                            tool=registration.tool_urls(base), moodle=registration.moodle_values(base),
                            registration_url=f"{base}/lti/register/{_registration_serializer().dumps('register')}",
                            form=form or {}, error=error)
    return render(page, status)


@bp.get("/admin/lti")
@requires("admin")
def admin_page():
    return _admin_page()


@bp.post("/admin/lti/platforms")
@requires("admin")
def admin_add():
    form = {k: request.form.get(k, "") for k in ("name", "issuer", "client_id", "deployment_id", "auth_login_url",
                                                  "auth_token_url", "keyset_url")}
    try:
        registration.add_platform(db.session(), name=form["name"], issuer=form["issuer"], client_id=form["client_id"],
                                  deployment_ids=form["deployment_id"].split(","),
                                  auth_login_url=form["auth_login_url"], auth_token_url=form["auth_token_url"],
                                  keyset_url=form["keyset_url"], actor=current_actor())
    except registration.PlatformProblem as exc:
        return _admin_page(form, str(exc), 422)
    return redirect("/admin/lti")


@bp.post("/admin/lti/platforms/<int:platform_id>/remove")
@requires("admin")
def admin_remove(platform_id: int):
    try:
        registration.remove_platform(db.session(), platform_id, actor=current_actor())
    except registration.PlatformProblem as exc:
        return _admin_page(error=str(exc), status=404)
    return redirect("/admin/lti")


