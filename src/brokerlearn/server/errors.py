"""JSON errors for the API: every problem is a 4xx with a message, never a bare 500; and the one
5xx that is nobody's bug, an unreachable database, answered as a product answers it (a 503)."""
from __future__ import annotations

import sqlite3

from flask import Flask, current_app, jsonify, request
from sqlalchemy import exc as sa
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

# Every integer ID is a database INTEGER: PostgreSQL's is 32 bits (SQLite's 64), and a bigger
# number in a URL would fail inside the driver instead of finding nothing.
MAX_ID = 2**31 - 1


class ApiError(Exception):
    def __init__(self, status: int, message: str, code: str = "invalid"):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


def error_response(status: int, message: str, code: str):
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: a number the database can hold, else the route does not
    match (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def id_number(value: str) -> int:
    """`type=` for an ID in a query string: ValueError (so the default) if it is no ID."""
    number = int(value)
    if not 0 <= number <= MAX_ID:
        raise ValueError(value)
    return number


# Seconds a client is asked to wait before it tries again while the database is unreachable.
RETRY_AFTER = 30
# SQLite reports some mistakes of the program, not of the disk, as OperationalError too: those
# stay a 500 with a traceback, which is what fixing them needs.
_SQLITE_BUGS = ("no such ", "syntax error", "near \"", "has no column")


def database_unavailable(error: BaseException | None) -> bool:
    """Whether `error` says the database cannot be reached (refused, gone away, shut down, a file
    that cannot be opened, a pool that has no connection to give), rather than a bug."""
    if isinstance(error, sa.TimeoutError):  # the pool waited in vain for a free connection
        return True
    if isinstance(error, sa.DBAPIError):  # the driver's error, wrapped by SQLAlchemy
        if error.connection_invalidated:
            return True
        if isinstance(error.orig, sqlite3.Error):
            return isinstance(error.orig, sqlite3.OperationalError) and not _sqlite_bug(error.orig)
        return isinstance(error, (sa.OperationalError, sa.InterfaceError))
    if isinstance(error, sqlite3.OperationalError):  # the driver's own, unwrapped
        return not _sqlite_bug(error)
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg comes with the package
        return False
    return isinstance(error, (psycopg.OperationalError, psycopg.InterfaceError))


def _sqlite_bug(error: sqlite3.Error) -> bool:
    return any(bug in str(error) for bug in _SQLITE_BUGS)


def outage_reason(error: BaseException) -> str:
    """The driver's own first line: 'connection failed: ... Connection refused'."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines() or [type(cause).__name__]
    return lines[0][:200]


def unavailable_response(error: BaseException):
    """The 503 for an unreachable database: one log line, a JSON error on the API, else the
    site's page in the learner's language; Retry-After on both."""
    current_app.logger.error("database unavailable: %s (%s %s)", outage_reason(error), request.method, request.path)
    if _wants_json():
        response = error_response(503, "the service is briefly unavailable: try again in a moment", "unavailable")
    else:
        from flask import g
        from brokerlearn.server.language import gettext as _
        from brokerlearn.server.contexts import UnavailablePage
        from brokerlearn.server.rendering import render
        # Templates get flask-login's current_user, which would ask the database again: the page
        # is rendered for nobody in particular (it names no account anyway).
        g._login_user = current_app.login_manager.anonymous_user()
        body, status = render(UnavailablePage(
            title=_("The course server is briefly unavailable"),
            retry=request.full_path.rstrip("?") if request.method in ("GET", "HEAD") else None), 503)
        response = current_app.make_response((body, status))
    response.headers["Retry-After"] = str(RETRY_AFTER)
    response.headers["Cache-Control"] = "no-store"
    return response


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    """Before the blueprints are registered: their routes take the bounded converter."""
    app.url_map.converters["int"] = IdConverter
    log_exception = app.log_exception

    def log_unless_unavailable(exc_info) -> None:
        """Flask logs a traceback for what escapes the views' handlers (an after-request
        function, say); an unreachable database gets its one line from unavailable_response."""
        if not database_unavailable(exc_info[1]):
            log_exception(exc_info)

    app.log_exception = log_unless_unavailable

    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return error_response(exc.status, exc.message, exc.code)

    @app.errorhandler(sa.DBAPIError)
    @app.errorhandler(sa.TimeoutError)
    @app.errorhandler(sqlite3.OperationalError)
    def database_error(exc: Exception):
        if not database_unavailable(exc):
            raise exc  # a bug: the 500 with its traceback
        return unavailable_response(exc)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if database_unavailable(getattr(exc, "original_exception", None)):  # raised outside a view
            return unavailable_response(exc.original_exception)
        if _wants_json():
            code = (exc.name or "error").lower().replace(" ", "_")
            return error_response(exc.code or 500, exc.description or exc.name, code)
        return exc
