"""The built site behind the StaticFiles layer: what it passes on. Directories get their slash,
large files (video) are sent with range support, and anything else is a 404.

Paths are resolved with werkzeug's safe_join, so no path (with '..', encoded or not) reaches
BUILD_DIR/server/ or anything outside BUILD_DIR/site/.
"""
from __future__ import annotations

import os

from flask import Blueprint, abort, current_app, redirect, send_file
from werkzeug.security import safe_join

from brokerlearn.server.security import CSP
from brokerlearn.server.static_files import cache_control, media_headers

bp = Blueprint("site", __name__)


@bp.route("/", defaults={"path": ""})
@bp.route("/<path:path>")
def serve(path: str):
    site = current_app.config["SITE_DIR"]
    target = safe_join(site, path) if path else site
    if target is None:
        abort(404)
    try:
        is_dir = os.path.isdir(target)
    except ValueError:
        abort(404)
    if is_dir:
        if path and not path.endswith("/"):
            return redirect(f"/{path}/", code=308)  # relative links need the trailing slash
        target = os.path.join(target, "index.html")
        path = f"{path.rstrip('/')}/index.html".lstrip("/")
    if not os.path.isfile(target):
        abort(404)
    response = send_file(target, conditional=True, etag=True, max_age=None)
    # werkzeug names every file "inline; filename=…"; the small-file path and nginx send none
    # (a browser shows images, videos and pages inline anyway; media_headers adds attachment).
    response.headers.pop("Content-Disposition", None)
    response.headers["Cache-Control"] = cache_control(path)
    for name, value in media_headers(path, response.mimetype or "", CSP):
        response.headers[name] = value
    return response
