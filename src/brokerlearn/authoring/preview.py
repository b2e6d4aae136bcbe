"""`brokerlearn preview`: build, serve on 127.0.0.1, rebuild on save, reload the open page.

A build error does not stop the preview: the page shows it in an overlay (file, line, message)
and the last good site stays served; the overlay goes away with the next good build. The
preview build marks graded quizzes in the page, so it is written to a private folder and never
published: one per course folder in the user's cache folder (`~/.cache/brokerlearn/preview/`),
kept between runs so that an unchanged video is not converted again at the next start. A second
preview of the same folder running at the same time builds into a temporary folder instead,
removed when it stops.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from brokerlearn.compiler.pipeline import build
from brokerlearn.course.kept import KeptCourses
from brokerlearn.errors import BuildFailed, UsageError

CLIENT_JS = r"""(function () {
  "use strict";
  var loaded = null;
  function overlay(problems) {
    var box = document.getElementById("brokerlearn-preview-overlay");
    if (!problems || !problems.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("div");
      box.id = "brokerlearn-preview-overlay";
      box.setAttribute("role", "alert");
      document.body.appendChild(box);
    }
    box.textContent = "";
    var h = document.createElement("p");
    h.className = "preview-overlay-title";
    h.textContent = "The build failed: fix this and save; the page comes back by itself.";
    box.appendChild(h);
    problems.forEach(function (p) {
      var line = document.createElement("pre");
      line.textContent = p.path + ":" + p.line + ":" + p.column + ": " + p.level + ": " + p.message;
      box.appendChild(line);
    });
  }
  function apply(state) {
    if (loaded === null) loaded = state.version;
    if (state.problems.length) { overlay(state.problems); return; }
    if (state.version !== loaded) { location.reload(); return; }
    overlay([]);
  }
  fetch("/__preview/status").then(function (r) { return r.json(); }).then(function (state) {
    apply(state);
    var events = new EventSource("/__preview/events");
    events.onmessage = function (e) { apply(JSON.parse(e.data)); };
  });
})();
"""
CLIENT_CSS = """#brokerlearn-preview-overlay { position: fixed; inset: 0; z-index: 9999; overflow: auto;
  background: rgba(28, 35, 51, 0.96); color: #fff; padding: 2rem; font-size: 0.95rem; }
#brokerlearn-preview-overlay pre { white-space: pre-wrap; font-family: ui-monospace, monospace;
  background: #3b1f24; border-left: 5px solid #ff8a80; padding: 0.6rem 0.8rem; }
.preview-overlay-title { font-weight: 700; font-size: 1.2rem; }
"""
INJECT = (b'<link rel="stylesheet" href="/__preview/client.css">'
          b'<script src="/__preview/client.js" defer></script></body>')


@dataclass
class PreviewState:
    """What the pages learn through /__preview/events: the build number and its problems."""
    version: int = 0
    problems: list = field(default_factory=list)
    last_rendered: list = field(default_factory=list)
    last_seconds: float = 0.0
    last_cpu_seconds: float = 0.0  # the rebuild's CPU time (its thread's): the wall time includes waiting for a core
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, problems: list, rendered: list, seconds: float, cpu_seconds: float = 0.0) -> None:
        with self.changed:
            self.version += 1
            self.problems, self.last_rendered, self.last_seconds = problems, rendered, seconds
            self.last_cpu_seconds = cpu_seconds
            self.changed.notify_all()

    def snapshot(self) -> dict:
        return {"version": self.version, "problems": self.problems, "rendered": self.last_rendered,
                "seconds": self.last_seconds, "cpu_seconds": self.last_cpu_seconds}


def user_cache_dir() -> Path:
    """The platform's per-user cache folder (XDG_CACHE_HOME, ~/Library/Caches, %LOCALAPPDATA%)."""
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local") / "brokerlearn" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "brokerlearn"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "brokerlearn"


def preview_dir(course_dir: Path) -> Path:
    """The stable build folder of the preview of one course folder."""
    resolved = Path(course_dir).resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:16]
    return user_cache_dir() / "preview" / f"{resolved.name or 'courses'}-{digest}"


class _Lock:
    """An exclusive lock on a build folder while a preview uses it (held until close)."""

    def __init__(self, folder: Path):
        folder.mkdir(parents=True, exist_ok=True)
        self.handle = open(folder / ".preview.lock", "a+")
        try:
            if sys.platform == "win32":
                import msvcrt
                msvcrt.locking(self.handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl
                fcntl.flock(self.handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self.handle.close()
            raise

    def close(self) -> None:
        self.handle.close()  # closing the file releases the lock


class Preview:
    def __init__(self, course_dir: Path, out_dir: Path | None = None, theme_dir: Path | None = None):
        self.course_dir = Path(course_dir)
        if not self.course_dir.exists():
            raise UsageError(f"{self.course_dir} does not exist")
        self._temporary = None  # a folder of this session only, removed by close()
        self._lock = None
        if out_dir:
            self.out_dir = Path(out_dir)
        else:
            self.out_dir = preview_dir(self.course_dir)
            try:
                self._lock = _Lock(self.out_dir)
            except OSError:  # another preview of this folder is running: do not build into its folder
                self.out_dir = self._temporary = Path(tempfile.mkdtemp(prefix="brokerlearn-preview-"))
        self.theme_dir = theme_dir
        self.state = PreviewState()
        self.kept = KeptCourses(self.course_dir)  # the loaded courses, re-read where files changed
        self._stop = threading.Event()
        self.watching = threading.Event()  # set once the watcher sees the files (a save is noticed)

    def close(self) -> None:
        """Release the build folder; remove it if it was this session's own temporary one."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)
            self._temporary = None

    def rebuild(self) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            # In this process: the preview serves and watches from other threads, and a fork
            # taken while one of them holds a lock (the log's, the kept courses') can hang the child.
            result = build(self.course_dir, self.out_dir, self.theme_dir, show_progress=False, preview=True,
                           kept=self.kept, jobs=1)
            problems, rendered = [], result.rendered_bodies
        except BuildFailed as exc:
            problems, rendered = [_relative(d.as_dict()) for d in exc.diagnostics.sorted() if d.level == "error"], []
        except UsageError as exc:
            problems, rendered = [{"path": str(self.course_dir), "line": 1, "column": 1, "level": "error",
                                   "message": str(exc)}], []
        except Exception as exc:  # a half-written file must never stop the preview
            problems, rendered = [{"path": str(self.course_dir), "line": 1, "column": 1, "level": "error",
                                   "message": f"{type(exc).__name__}: {exc}"}], []
        self.state.publish(problems, rendered, time.perf_counter() - started, time.thread_time() - cpu)

    def watch(self) -> None:
        from watchfiles import watch
        watched = [self.course_dir] + ([Path(self.theme_dir)] if self.theme_dir else [])
        # `step` is how long the watcher waits for a quiet moment before yielding: an editor's save
        # (write, or write and rename) takes well under a millisecond, and 5 ms of quiet costs
        # about 7 ms of CPU a second while idle, against 20 ms more latency on every save at 20.
        # yield_on_timeout: an empty set every rust_timeout without changes, the first of them
        # once the watch is in place (`watching`).
        for changes in watch(*watched, stop_event=self._stop, debounce=50, step=5, rust_timeout=500,
                             yield_on_timeout=True,
                             watch_filter=lambda change, path: "/." not in path and not path.endswith("~")):
            if not changes:
                self.watching.set()
                continue
            self.kept.changed(path for _change, path in changes)
            self.rebuild()

    def stop(self) -> None:
        self._stop.set()
        with self.state.changed:  # the open event streams end now, not at their next keep-alive
            self.state.changed.notify_all()

    def app(self):
        from flask import Flask, Response, abort, request, send_file
        from werkzeug.security import safe_join

        from brokerlearn.server.static_files import media_headers
        app = Flask(__name__, static_folder=None)
        state, site = self.state, self.out_dir / "site"

        @app.get("/__preview/status")
        def status():
            return state.snapshot()

        @app.get("/__preview/client.js")
        def client_js():
            return Response(CLIENT_JS, mimetype="text/javascript")

        @app.get("/__preview/client.css")
        def client_css():
            return Response(CLIENT_CSS, mimetype="text/css")

        @app.get("/__preview/events")
        def events():
            def stream(seen: int):
                yield ": connected\n\n"  # sends the headers now: the page knows it is connected
                while not self._stop.is_set():
                    with state.changed:
                        state.changed.wait_for(lambda: state.version != seen or self._stop.is_set(), timeout=15)
                        snapshot = state.snapshot()
                    if snapshot["version"] == seen:
                        yield ": keep-alive\n\n"
                        continue
                    seen = snapshot["version"]
                    yield f"data: {json.dumps(snapshot)}\n\n"
            return Response(stream(int(request.args.get("since", state.version))), mimetype="text/event-stream",
                            headers={"Cache-Control": "no-store"})

        @app.get("/", defaults={"path": ""})
        @app.get("/<path:path>")
        def page(path: str):
            target = safe_join(str(site), path) if path else str(site)
            if target is None:
                abort(404)
            target = Path(target)
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                if state.problems:  # no page yet: an empty page that shows the overlay
                    return Response(b"<!doctype html><title>Preview</title><body></body>".replace(b"</body>", INJECT),
                                    mimetype="text/html")
                abort(404)
            if target.suffix == ".html":
                data = target.read_bytes().replace(b"</body>", INJECT, 1)
                return Response(data, mimetype="text/html", headers={"Cache-Control": "no-store"})
            response = send_file(target, max_age=0)
            for name, value in media_headers(path, response.mimetype or "", ""):  # as the server sends them
                response.headers[name] = value
            return response
        return app

    def serve(self, host: str, port: int, threads: int = 16) -> None:
        import waitress
        self.rebuild()
        watcher = threading.Thread(target=self.watch, daemon=True)
        watcher.start()
        try:
            waitress.serve(self.app(), host=host, port=port, threads=threads, ident="brokerlearn-preview")
        finally:
            self.stop()
            watcher.join(timeout=5)
            self.close()


def _relative(problem: dict) -> dict:
    """Paths as the author typed them: relative to where the preview was started."""
    import os
    try:
        problem["path"] = os.path.relpath(problem["path"])
    except ValueError:
        pass
    return problem
