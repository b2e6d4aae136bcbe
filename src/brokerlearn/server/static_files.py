"""Serving the built site's small files (pages, styles, scripts, images) in front of Flask.

A WSGI layer, not a Flask view: a lesson page is served with the same checks (safe_join, ETag,
cache and security headers) at close to the cost of a constant response. Everything else —
the server's own paths, directories without their slash, large files (video, with ranges),
missing files — goes on to the Flask application.
"""
from __future__ import annotations

import hashlib
import mimetypes
import os
import threading

from werkzeug.security import safe_join

from brokerlearn.course.naming import RESERVED_COURSE_IDS

SMALL_FILE = 256 * 1024
# The server's own URL space (first path segment); the build refuses these as course IDs.
SERVER_SEGMENTS = (RESERVED_COURSE_IDS - {"_static"}) | {".well-known"}


def is_media(path: str) -> bool:
    """`COURSE/media/...`: files an author put under media/ (and the video renditions)."""
    parts = path.lstrip("/").split("/")
    return len(parts) > 2 and parts[1] == "media"


def media_headers(path: str, mimetype: str, csp: str) -> list[tuple[str, str]]:
    """Headers that replace the usual ones for an author's media file: opened on its own, it
    runs in a sandbox (no script, an opaque origin); anything but an image, a video, audio
    or captions is a download, never a page of the site."""
    if not is_media(path):
        return []
    headers = [("Content-Security-Policy", f"{csp}; sandbox" if csp else "sandbox"),
               ("X-Content-Type-Options", "nosniff")]
    if not mimetype.startswith(("image/", "video/", "audio/", "text/vtt")):
        headers.append(("Content-Disposition", "attachment"))
    return headers


def cache_control(path: str) -> str:
    if path.startswith("_static/") or "/media/" in path:
        return "public, max-age=3600"
    return "no-cache"  # pages revalidate (ETag), so a rebuild shows at once


class SmallFileCache:
    """File bytes and ETag, re-read when the file's mtime, size or inode changes (a rebuild
    replaces files by rename), so a rebuild is visible at once without a restart."""

    def __init__(self):
        self._files: dict[str, tuple[tuple, bytes, str]] = {}
        self._lock = threading.Lock()

    def get(self, target: str, stat: os.stat_result) -> tuple[bytes, str]:
        key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        cached = self._files.get(target)
        if cached and cached[0] == key:
            return cached[1], cached[2]
        with open(target, "rb") as handle:
            data = handle.read()
        etag = '"' + hashlib.blake2b(data, digest_size=12).hexdigest() + '"'
        with self._lock:
            self._files[target] = (key, data, etag)
        return data, etag


class StaticFiles:
    def __init__(self, app, site_dir: str, headers: list[tuple[str, str]], framing=None):
        self.app, self.site_dir, self.headers = app, site_dir, headers
        self.framing = framing  # lti.framing.FrameAncestors: the LTI platforms may frame the pages
        self.cache = SmallFileCache()

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        path = environ.get("PATH_INFO", "/").encode("latin-1").decode("utf-8", "replace")
        if path.lstrip("/").split("/", 1)[0] in SERVER_SEGMENTS:
            return self.app(environ, start_response)
        relative = path.lstrip("/")
        if relative == "" or relative.endswith("/"):
            relative += "index.html"
        target = safe_join(self.site_dir, relative)
        try:
            stat = os.stat(target) if target else None
        except (OSError, ValueError):  # missing, or a NUL byte in the path
            stat = None
        if stat is None or not os.path.isfile(target) or stat.st_size > SMALL_FILE:
            return self.app(environ, start_response)
        data, etag = self.cache.get(target, stat)
        security = self.framing.headers(self.headers) if self.framing else self.headers
        headers = [("ETag", etag), ("Cache-Control", cache_control(relative)), *security]
        if etag in environ.get("HTTP_IF_NONE_MATCH", ""):
            start_response("304 Not Modified", headers)
            return [b""]
        mimetype = mimetypes.guess_type(target)[0] or "application/octet-stream"
        if mimetype.startswith("text/") or mimetype in ("application/javascript", "image/svg+xml"):
            mimetype += "; charset=utf-8"
        headers += [("Content-Type", mimetype), ("Content-Length", str(len(data)))]
        replaced = media_headers(relative, mimetype, dict(security).get("Content-Security-Policy", ""))
        if replaced:
            names = {name for name, _ in replaced}
            headers = [h for h in headers if h[0] not in names] + replaced
        start_response("200 OK", headers)
        return [b"" if environ["REQUEST_METHOD"] == "HEAD" else data]
