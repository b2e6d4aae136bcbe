"""The two calls every open lesson page makes, answered below Flask for a plain signed-in
session: `GET /api/session` and `POST /api/progress`.

A WSGI layer, as server/static_files.py is for the site's files. Under load most of such a
request's time was Flask's machinery around a few lines of work (the request and application
contexts, opening the session a second time for flask-login and flask-wtf, the hooks, the
response object: bench/README.md). This layer does the same checks with the same pieces:

- the session cookie, verified and read by the application's own itsdangerous serializer
  (Flask's SecureCookieSessionInterface, the same keys, salt and age limit);
- flask-login's session protection (the same identifier of address and user agent);
- the account, by security.session_user (the one reading of a session's account) and the
  process's cache of session generations (services/sessions.py);
- for the POST, flask-wtf's CSRF check (the X-CSRFToken header, signed with the same key and
  salt, equal to the session's token; the referrer on HTTPS when WTF_CSRF_SSL_STRICT), the
  JSON body within MAX_CONTENT_LENGTH, and progress.record_events (validation, group commit:
  answered only once the events are on disk);
- the answer made by the views' own functions (learn.session_document, learn.progress_answer),
  serialised by the application's JSON provider, with the headers Flask would add.

Anything else goes on to Flask, unchanged: no cookie, a bearer token, a session the layer cannot
vouch for from itself alone (a remember cookie, a permanent session, an account due to be read
again, a generation cache due to be read, a mismatched identifier, a token not yet signed in
this process), a failed CSRF check, a body that is not a JSON object, an event list Flask would
refuse, a database error (the events are idempotent by event_id: Flask's path writes them again
and answers an outage with its 503). Flask's answer is always the reference:
tests/test_thin_api.py sends each request through both and compares.
"""
from __future__ import annotations

import hmac
import io
import json
import time
from hashlib import sha512

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.http import HTTP_STATUS_CODES, parse_cookie, parse_options_header
from werkzeug.wsgi import get_host

from brokerlearn.server import learn, security
from brokerlearn.server.lti.framing import FRAME_KEY
from brokerlearn.server.services import progress, sessions

SESSION_PATH, PROGRESS_PATH = "/api/session", "/api/progress"


class Fallback(Exception):
    """This request is Flask's to answer."""


class ThinApi:
    def __init__(self, app, wsgi_app):
        self.flask, self.app = app, wsgi_app
        self.enabled = True
        self._serializers: dict = {}
        self._verified: dict[tuple, str] = {}  # (secret, signed CSRF token) -> the raw token
        self._cookies: dict[tuple, tuple[dict, float]] = {}  # (serializer, cookie) -> (data, signed at)
        self._identifiers: dict[tuple, str] = {}

    def __call__(self, environ, start_response):
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
        if not self.enabled or not ((method == "GET" and path == SESSION_PATH) or
                                    (method == "POST" and path == PROGRESS_PATH)):
            return self.app(environ, start_response)
        try:
            data, user = self._signed_in(environ)
            if method == "GET":
                csrf = security.signed_csrf_token(self.flask.secret_key, data.get("csrf_token"))
                if csrf is None:
                    raise Fallback
                return self._answer(start_response, learn.session_document(user, csrf), 200)
            return self._progress(environ, start_response, data, user)
        except Fallback:
            return self.app(environ, start_response)

    # -- who the request is from -------------------------------------------------------------

    def _signed_in(self, environ) -> tuple[dict, security.SignedInUser]:
        app, config = self.flask, self.flask.config
        if (environ.get("HTTP_AUTHORIZATION") or app.debug or config.get("LOGIN_DISABLED")
                or config.get("REMEMBER_COOKIE_REFRESH_EACH_REQUEST")
                or not isinstance(app.session_interface, SecureCookieSessionInterface)):
            raise Fallback
        cookie = parse_cookie(environ.get("HTTP_COOKIE", "")).get(config["SESSION_COOKIE_NAME"])
        if not cookie:
            raise Fallback
        data = self._session(cookie, int(app.permanent_session_lifetime.total_seconds()))
        if not isinstance(data, dict) or data.get("_permanent") or "_remember" in data or FRAME_KEY in data:
            raise Fallback  # a session inside an LMS frame: Flask's FramedSessions keeps its cookie partitioned
        mode = config.get("SESSION_PROTECTION", security.login_manager.session_protection)
        if mode in ("basic", "strong") and data.get("_id") != self._identifier(environ):
            raise Fallback
        user = security.session_user(data.get("_user_id"), data.get(security.ACCOUNT_KEY))
        if user is None:
            raise Fallback
        floor = sessions.generations_for(app.extensions["brokerlearn_engine"].url).known_floor(user.id)
        if floor is None or user.session_version < floor:
            raise Fallback
        return data, user

    def _session(self, cookie: str, max_age: int) -> dict:
        """The session cookie's data, as Flask's SecureCookieSessionInterface reads it (the same
        serializer, keys and age limit). A cookie verified before is the same string again: its
        signature is not computed again, only its age checked (from the time it was signed)."""
        serializer = self._serializer()
        key = (id(serializer), cookie)
        known = self._cookies.get(key)
        if known is None:
            try:
                data, signed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
            except BadData:
                raise Fallback from None
            if not isinstance(data, dict):
                raise Fallback
            known = (data, signed_at.timestamp())
            if len(self._cookies) >= 20_000:
                self._cookies.clear()
            self._cookies[key] = known
        if not 0 <= time.time() - known[1] <= max_age:
            raise Fallback
        return known[0]

    def _serializer(self) -> URLSafeTimedSerializer:
        app = self.flask
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = self._serializers[key] = app.session_interface.get_signing_serializer(app)
            if serializer is None:
                raise Fallback
        return serializer

    def _identifier(self, environ) -> str:
        """flask-login's session identifier (utils._create_identifier) from the environ."""
        user_agent = environ.get("HTTP_USER_AGENT")
        address = environ.get("HTTP_X_FORWARDED_FOR", environ.get("REMOTE_ADDR"))
        key = (address, user_agent)
        known = self._identifiers.get(key)
        if known is None:
            if user_agent is not None:
                user_agent = user_agent.encode("utf-8")
            if address is not None:
                address = address.encode("utf-8").split(b",")[0].strip()
            known = sha512(f"{address}|{user_agent}".encode("utf8")).hexdigest()
            if len(self._identifiers) >= 20_000:
                self._identifiers.clear()
            self._identifiers[key] = known
        return known

    # -- POST /api/progress --------------------------------------------------------------------

    def _progress(self, environ, start_response, data: dict, user):
        self._check_csrf(environ, data)
        length = environ.get("CONTENT_LENGTH", "")
        mimetype = parse_options_header(environ.get("CONTENT_TYPE", ""))[0].lower()
        if (not length.isdigit() or not 0 < int(length) <= (self.flask.config.get("MAX_CONTENT_LENGTH") or 0)
                or environ.get("HTTP_TRANSFER_ENCODING") or not (
                    mimetype == "application/json" or (mimetype.startswith("application/") and mimetype.endswith("+json")))):
            raise Fallback
        body = environ["wsgi.input"].read(int(length))
        environ["wsgi.input"] = io.BytesIO(body)  # for Flask, should it answer after all
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            raise Fallback from None
        if not isinstance(document, dict):
            raise Fallback
        try:
            result = progress.record_events(self.flask.extensions["brokerlearn_engine"], user.id,
                                            document.get("events"), self.flask.extensions["brokerlearn_courses"])
        except Exception:  # noqa: BLE001 - refused (ApiError) or the database: Flask's path answers it
            raise Fallback from None
        answer, status = learn.progress_answer(result, document["events"])
        return self._answer(start_response, answer, status)

    def _check_csrf(self, environ, data: dict) -> None:
        config = self.flask.config
        if config.get("WTF_CSRF_TIME_LIMIT") is not None or config.get("WTF_CSRF_FIELD_NAME", "csrf_token") != "csrf_token":
            raise Fallback
        headers = config.get("WTF_CSRF_HEADERS") or ["X-CSRFToken", "X-CSRF-Token"]
        signed = next((environ.get("HTTP_" + h.upper().replace("-", "_")) for h in headers
                       if environ.get("HTTP_" + h.upper().replace("-", "_"))), None)
        raw = data.get("csrf_token")
        if not signed or not isinstance(raw, str):
            raise Fallback
        secret = config.get("WTF_CSRF_SECRET_KEY") or self.flask.secret_key
        verified = self._verified.get((secret, signed))
        if verified is None:
            try:
                verified = URLSafeTimedSerializer(secret, salt="wtf-csrf-token").loads(signed)
            except BadData:
                raise Fallback from None
            if not isinstance(verified, str):
                raise Fallback
            if len(self._verified) >= 50_000:
                self._verified.clear()
            self._verified[(secret, signed)] = verified
        if not hmac.compare_digest(raw, verified):
            raise Fallback
        if environ.get("wsgi.url_scheme") == "https" and config.get("WTF_CSRF_SSL_STRICT", True):
            from flask_wtf.csrf import same_origin
            referrer = environ.get("HTTP_REFERER")
            try:
                good = f"https://{get_host(environ, config.get('TRUSTED_HOSTS'))}/"
            except Exception:  # noqa: BLE001 - an untrusted host: Flask answers it
                raise Fallback from None
            if not referrer or not same_origin(referrer, good):
                raise Fallback

    # -- the answer ----------------------------------------------------------------------------

    def _answer(self, start_response, document: dict, status: int):
        provider = self.flask.json
        if getattr(provider, "compact", None) is False:
            raise Fallback
        body = (provider.dumps(document, separators=(",", ":")) + "\n").encode()
        headers = [("Content-Type", provider.mimetype), ("Content-Length", str(len(body))),
                   ("Vary", "Cookie"), ("Cache-Control", "no-store"),
                   *security.security_headers(self.flask.config.get("SECURE_COOKIES", False))]
        start_response(f"{status} {HTTP_STATUS_CODES[status].upper()}", headers)
        return [body]
