"""GET /api/health: whether this process can reach its database, for load balancers and
monitoring. 200 {"status": "ok"} or 503 {"status": "unavailable"}: nothing more, since anyone
may ask (the reason goes to the log, one line)."""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

bp = Blueprint("health", __name__)
log = logging.getLogger("brokerlearn.health")


def database_reachable() -> bool:
    try:
        with current_app.extensions["brokerlearn_engine"].connect() as connection:
            connection.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError) as exc:
        log.warning("health check: the database is unavailable (%s)", type(getattr(exc, "orig", None) or exc).__name__)
        return False
    return True


@bp.get("/api/health")
def health():
    ok = database_reachable()
    response = jsonify(status="ok" if ok else "unavailable")
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    if not ok:
        response.headers["Retry-After"] = "5"
    return response
