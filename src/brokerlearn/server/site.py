"""Serving the built static site: every path that is not the server's own is a file of it.

Paths are resolved with werkzeug's safe_join, so no path (with '..', encoded or not) reaches
BUILD_DIR/server/ or anything outside BUILD_DIR/site/.
"""
from __future__ import annotations

import os

from flask import Blueprint, abort, current_app, redirect, send_file
from werkzeug.security import safe_join

bp = Blueprint("site", __name__)


def _cache_control(path: str) -> str:
    if path.startswith("_static/") or "/media/" in path:
        return "public, max-age=3600"
    return "no-cache"  # pages revalidate (ETag), so a rebuild shows at once


@bp.route("/", defaults={"path": ""})
@bp.route("/<path:path>")
def serve(path: str):
    site = current_app.config["SITE_DIR"]
    target = safe_join(site, path) if path else site
    if target is None:
        abort(404)
    if os.path.isdir(target):
        if path and not path.endswith("/"):
            return redirect(f"/{path}/", code=308)  # relative links need the trailing slash
        target = os.path.join(target, "index.html")
        path = f"{path.rstrip('/')}/index.html".lstrip("/")
    if not os.path.isfile(target):
        abort(404)
    response = send_file(target, conditional=True, etag=True, max_age=None)
    response.headers["Cache-Control"] = _cache_control(path)
    return response
