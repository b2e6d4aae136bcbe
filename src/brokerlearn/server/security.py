"""Sessions, CSRF and the security headers every response carries."""
from __future__ import annotations

from flask import Flask, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import select

from brokerlearn.server import db
from brokerlearn.server.models import User

csrf = CSRFProtect()
login_manager = LoginManager()

# No 'unsafe-inline' anywhere: pages load their scripts and styles from files of the site.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "media-src 'self'; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")


def init_app(app: Flask) -> None:
    secure = app.config.get("SECURE_COOKIES", False)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True, REMEMBER_COOKIE_SAMESITE="Lax", REMEMBER_COOKIE_SECURE=secure,
        SESSION_COOKIE_NAME="brokerlearn_session", WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_HEADERS=["X-CSRFToken"], WTF_CSRF_SSL_STRICT=secure,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    app.after_request(_headers)


@login_manager.user_loader
def _load_user(token: str):
    """Sessions name the user and their session version: a password change ends old sessions."""
    try:
        user_id, version = (int(part) for part in token.split(":"))
    except ValueError:
        return None
    user = db.session().scalar(select(User).where(User.id == user_id))
    return user if user is not None and user.session_version == version else None


@login_manager.unauthorized_handler
def _unauthorized():
    from flask import redirect, url_for
    from brokerlearn.server.errors import error_response
    if request.path.startswith("/api/"):
        return error_response(401, "sign in first", "unauthorized")
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


def _headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.path.startswith(("/api/", "/account/", "/dashboard")):
        headers["Cache-Control"] = "no-store"
    from flask import current_app
    if current_app.config.get("SECURE_COOKIES"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    return response
