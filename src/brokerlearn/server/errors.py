"""JSON errors for the API: every problem is a 4xx with a message, never a bare 500."""
from __future__ import annotations

from flask import Flask, jsonify, request
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


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def init_app(app: Flask) -> None:
    """Before the blueprints are registered: their routes take the bounded converter."""
    app.url_map.converters["int"] = IdConverter

    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return error_response(exc.status, exc.message, exc.code)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if _wants_json():
            code = (exc.name or "error").lower().replace(" ", "_")
            return error_response(exc.code or 500, exc.description or exc.name, code)
        return exc
