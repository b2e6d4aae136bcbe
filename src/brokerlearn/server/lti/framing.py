"""Pages inside the platform's iframe: who may frame them, and how the session travels there.

**Who may frame.** Every page a learner reaches inside the frame (the built site's lessons,
served by static_files.StaticFiles, and the server's own pages) says in its CSP
`frame-ancestors` the origins of the registered platforms and no others; with no platform
registered, `'none'` as before. The administration and the account pages (passwords) are
never framed. The origins are read from the database at most every ORIGINS_TTL seconds per
process, and at once after a platform is added or removed in this process.

**How the session travels.** A browser that blocks third-party cookies drops the tool's
session cookie inside the frame (the frame is another site than the page around it), and
Chromium then also refuses the frame its sessionStorage and localStorage (measured in
Chromium 156: `SecurityError`), so neither a cookie nor a token kept in storage would last
from one page to the next. What such a browser still keeps is a *partitioned* cookie (CHIPS,
`Partitioned`): stored for this tool under the platform's site only, never sent when the tool
is opened anywhere else, and not readable by any other site. A launch inside the frame
therefore signs in with the ordinary session, whose cookie, for that session only, is made
`Partitioned; Secure; SameSite=None` (FramedSessions). Everything else stays as it is: the
session is flask-login's, revoked like any other by accounts.end_sessions; its CSRF token is
checked as usual; the account is the one a first-party sign-in of the same user reaches.
Where even the partitioned cookie is refused, the launch page offers the first-party window."""
from __future__ import annotations

import threading
import time
from contextvars import ContextVar

from flask import g, request
from flask.sessions import SecureCookieSessionInterface

FRAME_KEY = "_lti_frame"  # in the signed session: this session lives inside a platform's frame
ORIGINS_TTL = 30.0
NOT_FRAMED = ("/admin/", "/account/")  # never inside a frame, whoever registered
_framed: ContextVar[bool] = ContextVar("brokerlearn_framed_session", default=False)


class FramedSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session; a session marked FRAME_KEY is kept in a partitioned,
    cross-site cookie (the only kind a frame keeps when third-party cookies are blocked)."""

    def save_session(self, app, session, response) -> None:
        token = _framed.set(bool(session.get(FRAME_KEY)))
        try:
            super().save_session(app, session, response)
        finally:
            _framed.reset(token)

    def get_cookie_partitioned(self, app) -> bool:
        return True if _framed.get() else super().get_cookie_partitioned(app)

    def get_cookie_samesite(self, app):
        return "None" if _framed.get() else super().get_cookie_samesite(app)

    def get_cookie_secure(self, app) -> bool:
        return True if _framed.get() else super().get_cookie_secure(app)


def mark_framed(session) -> None:
    session[FRAME_KEY] = True


class FrameAncestors:
    """The registered platforms' origins, cached per process."""

    def __init__(self, app):
        self.app = app
        self._lock = threading.Lock()
        self._origins: tuple[str, ...] = ()
        self._read_at = float("-inf")

    def origins(self) -> tuple[str, ...]:
        if time.monotonic() - self._read_at < ORIGINS_TTL:
            return self._origins
        with self._lock:
            if time.monotonic() - self._read_at >= ORIGINS_TTL:
                self._origins, self._read_at = self._read(), time.monotonic()
        return self._origins

    def _read(self) -> tuple[str, ...]:
        from brokerlearn.server import db
        from brokerlearn.server.lti import registration
        try:
            with self.app.app_context():
                return tuple(registration.platform_origins(db.session()))
        except Exception:  # the database is down: keep what was known (none at first)
            return self._origins

    def forget(self) -> None:
        self._read_at = float("-inf")

    def headers(self, base) -> list[tuple[str, str]]:
        """`base` (the security headers) for a page that may be framed by the platforms."""
        origins = self.origins()
        if not origins:
            return list(base)
        return [(name, policy(value, origins)) for name, value in base if name != "X-Frame-Options"]


def policy(csp: str, origins) -> str:
    """The CSP with frame-ancestors (and form-action, which a framed form posting back to
    the platform needs) opened to `origins`."""
    listed = " ".join(origins)
    csp = csp.replace("frame-ancestors 'none'", f"frame-ancestors {listed}")
    return csp.replace("form-action 'self'", f"form-action 'self' {listed}")


def ancestors(app) -> FrameAncestors:
    return app.extensions["brokerlearn_frame_ancestors"]


def frameable(path: str) -> bool:
    return not path.startswith(NOT_FRAMED)


def _open_to_platforms(response):
    """After the security headers (this runs last): a page the learner may reach inside the
    frame names the platforms in frame-ancestors."""
    from flask import current_app
    csp = response.headers.get("Content-Security-Policy", "")
    if "frame-ancestors 'none'" not in csp or not frameable(request.path) or g.get("not_framed"):
        return response
    origins = ancestors(current_app).origins()
    if origins:
        response.headers["Content-Security-Policy"] = policy(csp, origins)
        response.headers.pop("X-Frame-Options", None)
    return response


def init_app(app) -> None:
    app.session_interface = FramedSessions()
    app.extensions["brokerlearn_frame_ancestors"] = FrameAncestors(app)
    app.after_request_funcs.setdefault(None, []).insert(0, _open_to_platforms)  # runs after the others


def platforms_changed() -> None:
    """A platform was added or removed in this process: read the origins again at once."""
    from flask import current_app, has_app_context
    if has_app_context() and "brokerlearn_frame_ancestors" in current_app.extensions:
        ancestors(current_app).forget()
