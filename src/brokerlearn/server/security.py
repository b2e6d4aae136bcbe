"""Sessions, CSRF and the security headers every response carries."""
from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, request
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import bindparam, select

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


@dataclass(frozen=True)
class SignedInUser:
    """The signed-in account as views need it: read with one cached Core query per request
    (loading the ORM object cost more than the rest of a progress call)."""

    id: int
    email: str
    name: str
    role: str
    session_version: int
    is_active = True
    is_anonymous = False
    is_authenticated = True

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


_USER_BY_ID = select(User.id, User.email, User.name, User.role, User.session_version).where(
    User.id == bindparam("user_id"))


@login_manager.user_loader
def _load_user(token: str):
    """Sessions name the user and their session version: a password change ends old sessions."""
    try:
        user_id, version = (int(part) for part in token.split(":"))
    except ValueError:
        return None
    row = db.connection().execute(_USER_BY_ID, {"user_id": user_id}).first()
    return SignedInUser(*row) if row is not None and row.session_version == version else None


@login_manager.unauthorized_handler
def _unauthorized():
    from flask import redirect, url_for
    from brokerlearn.server.errors import error_response
    if request.path.startswith("/api/"):
        return error_response(401, "sign in first", "unauthorized")
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


def same_site_path(target, fallback: str) -> str:
    r"""`target` if it is a path on this server, else `fallback`: never an open redirect.

    Browsers drop TAB, CR and LF from URLs and read a backslash as a slash, so `/\t/evil`,
    `/\evil` and `//evil` all name another host; CR or LF in a header would also fail the
    response. Such targets, and any with a scheme or host, are refused whole."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return fallback
    if "\\" in target or any(unicodedata.category(ch) == "Cc" for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    return target


@functools.lru_cache(maxsize=2)
def security_headers(secure: bool) -> tuple[tuple[str, str], ...]:
    headers = [("Content-Security-Policy", CSP), ("X-Content-Type-Options", "nosniff"),
               ("Referrer-Policy", "same-origin"), ("X-Frame-Options", "DENY"),
               ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
               ("Cross-Origin-Opener-Policy", "same-origin")]
    if secure:
        headers.append(("Strict-Transport-Security", "max-age=31536000"))
    return tuple(headers)


def _headers(response):
    from flask import current_app
    for name, value in security_headers(current_app.config.get("SECURE_COOKIES", False)):
        response.headers.setdefault(name, value)
    if request.path.startswith(("/api/", "/account/", "/dashboard", "/admin/")):
        response.headers["Cache-Control"] = "no-store"
    return response
