"""Sessions, CSRF and the security headers every response carries."""
from __future__ import annotations

import functools
import time
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, current_app, request, session
from flask_login import LoginManager, user_logged_in, user_logged_out
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import bindparam, select

from brokerlearn.server import db
from brokerlearn.server.models import User
from brokerlearn.server.services import sessions

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
    """The signed-in account as views need it, as the signed session carries it: no database
    read per request (server/services/sessions.py says how a session stays valid)."""

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


ACCOUNT_KEY = "_account"  # in the signed session: [id, generation, role, name, e-mail, checked at]
_USER_BY_ID = select(User.id, User.email, User.name, User.role, User.session_version).where(
    User.id == bindparam("user_id"))


def _remember_account(user) -> None:
    """Keep the account in the session, checked against the database now."""
    session[ACCOUNT_KEY] = [user.id, user.session_version, user.role, user.name, user.email, int(time.time())]


def session_user(token, record) -> SignedInUser | None:
    """The account a signed session names, from the session alone: its flask-login token
    ("id:generation") and its account record (ACCOUNT_KEY). None when the session does not say
    it well enough (no record, another account or generation, checked sessions.VERIFY ago or by a
    clock ahead): then the database decides (_load_user). The one reading of a session's account,
    for Flask's path and the thin layer below it (server/thin_api.py); whether the generation is
    still valid is the caller's question to this process's cache (sessions.Generations)."""
    ids = _token_ids(token)
    if ids is None or not (isinstance(record, list) and len(record) == 6 and record[:2] == list(ids)):
        return None
    if not isinstance(record[5], int) or not 0 <= time.time() - record[5] < sessions.VERIFY:
        return None  # checked too long ago (or by a clock ahead): read it again
    _, _, role, name, email, _ = record
    return SignedInUser(id=ids[0], email=email, name=name, role=role, session_version=ids[1])


def _token_ids(token) -> tuple[int, int] | None:
    try:
        user_id, version = (int(part) for part in token.split(":"))
    except (ValueError, AttributeError):
        return None
    return user_id, version


def _refuse() -> None:
    """A session that has ended keeps nothing of the account, and its remember cookie goes."""
    for key in (ACCOUNT_KEY, "_user_id", "_fresh", "_id"):
        session.pop(key, None)
    if request.cookies.get(current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
        session["_remember"] = "clear"


@login_manager.user_loader
def _load_user(token: str):
    """Sessions name the user and their session generation: the account comes from the signed
    session, its validity from this process's cache of generations; the database is read only
    for a remember cookie or a session whose account was last checked sessions.VERIFY ago."""
    ids = _token_ids(token)
    if ids is None:
        return None
    user_id, version = ids
    user = session_user(token, session.get(ACCOUNT_KEY))
    if user is None:
        row = db.connection().execute(_USER_BY_ID, {"user_id": user_id}).first()
        if row is None or row.session_version != version:
            _refuse()
            return None
        user = SignedInUser(*row)
        _remember_account(user)
    cache = sessions.generations_for(current_app.extensions["brokerlearn_engine"].url)
    if version < cache.floor(db.connection, user_id):
        _refuse()
        return None
    return user


def _signed_in(_app, user, **_extra) -> None:
    _remember_account(user)


def _signed_out(_app, user, **_extra) -> None:
    session.pop(ACCOUNT_KEY, None)


user_logged_in.connect(_signed_in)
user_logged_out.connect(_signed_out)


_SIGNED_CSRF: dict[tuple[str, str], str] = {}


def csrf_token() -> str:
    """flask-wtf's generate_csrf(), without signing the same token again on every call: the token
    of a session never expires (WTF_CSRF_TIME_LIMIT=None), so its signed form is kept per process
    (signing was a tenth of /api/session's time, bench/README.md)."""
    from flask_wtf.csrf import generate_csrf
    raw = session.get("csrf_token")
    cacheable = current_app.config.get("WTF_CSRF_TIME_LIMIT") is None and isinstance(raw, str)
    key = (current_app.secret_key, raw) if cacheable else None
    signed = _SIGNED_CSRF.get(key) if key else None
    if signed is None:
        signed = generate_csrf()
        if cacheable:
            if len(_SIGNED_CSRF) >= 50_000:
                _SIGNED_CSRF.clear()
            _SIGNED_CSRF[key] = signed
    return signed


def signed_csrf_token(secret_key, raw) -> str | None:
    """The signed form of a session's CSRF token that csrf_token() gave out in this process,
    or None (then only Flask's path may sign one: it keeps it in the session)."""
    return _SIGNED_CSRF.get((secret_key, raw)) if isinstance(raw, str) else None


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
