"""Scene pages to PNG frames in headless Chromium (Playwright driving the system's Chromium).

The page loads nothing from the network: every request goes through one route that answers from
the theme's video-scenes folder (ORIGIN/theme/), the theme's colours, and the course's files
(ORIGIN/course/...; the page itself sits in the storyboard's folder there, so `../media/x.png`
means what it means in the storyboard), and aborts anything else. Fonts are the theme's (installed or in video-scenes/).
"""
from __future__ import annotations

import mimetypes
import os
import re
import shutil
from pathlib import Path

from brokerlearn.authoring.scenes.layout import HEIGHT, ORIGIN, WIDTH
from brokerlearn.errors import UsageError
from brokerlearn.paths import default_theme_dir

CAPTURES = {"pages": 0}  # pages drawn, for tests and benchmarks: an unchanged scene draws none
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--font-render-hinting=none", "--hide-scrollbars"]
_ROOT_BLOCK = re.compile(r":root\s*\{[^}]*\}")


class SceneError(UsageError):
    pass


def chromium_exe() -> str:
    found = (os.environ.get("BROKERLEARN_CHROMIUM") or shutil.which("chromium")
             or shutil.which("chromium-browser") or shutil.which("google-chrome"))
    if not found:
        raise SceneError("Chromium is needed to draw the scenes and is not installed: "
                         "apt-get install chromium (Debian, Ubuntu), or set BROKERLEARN_CHROMIUM "
                         "to a Chrome or Chromium binary")
    return found


def chromium_fingerprint() -> str:
    """Which browser draws the frames (its path, size and date: no process is started)."""
    path = Path(chromium_exe()).resolve()
    stat = path.stat()
    return f"{path}:{stat.st_size}:{int(stat.st_mtime)}"


def palette_css(theme: Path | None) -> str:
    """The theme's colours: the :root block of its brokerlearn.css (a custom theme's first)."""
    for folder in (theme, default_theme_dir()):
        css = folder / "static" / "brokerlearn.css" if folder else None
        if css and css.is_file():
            found = _ROOT_BLOCK.search(css.read_text(encoding="utf-8"))
            if found:
                return found.group(0)
    return ""


class Capturer:
    """One Chromium for all the scenes of a render; started only when a scene must be drawn."""

    def __init__(self, files_root: Path, course_root: Path, dirs: list[Path], palette: str):
        self.files_root, self.course_root = files_root.resolve(), course_root.resolve()
        self.dirs, self.palette = dirs, palette
        self._playwright = self._browser = None
        self._contexts: dict[float, object] = {}
        self._pages: dict[str, str] = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._browser is not None:
            self._browser.close()
            self._playwright.stop()

    def _start(self):
        if self._browser is not None:
            return
        try:
            from playwright.sync_api import sync_playwright
        except ImportError:
            raise SceneError("Playwright is needed to draw the scenes: pip install playwright "
                             "(it drives the installed Chromium; no browser is downloaded)") from None
        self._playwright = sync_playwright().start()
        try:
            self._browser = self._playwright.chromium.launch(executable_path=chromium_exe(), args=CHROMIUM_ARGS)
        except Exception as exc:
            self._playwright.stop()
            self._playwright = None
            raise SceneError(f"Chromium could not be started to draw the scenes: {exc}") from None

    def _context(self, scale: float):
        if scale not in self._contexts:
            self._contexts[scale] = self._browser.new_context(
                viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=scale,
                java_script_enabled=True, offline=False)
            self._contexts[scale].route("**/*", self._answer)
        return self._contexts[scale]

    def _local_file(self, rel: str, roots: list[Path], within: Path) -> Path | None:
        for root in roots:
            path = (root / rel).resolve()
            if path.is_file() and path.is_relative_to(within):
                return path
        return None

    def _answer(self, route):
        url = route.request.url
        if not url.startswith(ORIGIN):
            return route.abort()
        rel = url[len(ORIGIN):].split("?", 1)[0].split("#", 1)[0]
        from urllib.parse import unquote
        rel = unquote(rel)
        if rel in self._pages:
            return route.fulfill(status=200, content_type="text/html; charset=utf-8", body=self._pages[rel])
        if rel == "theme/palette.css":
            return route.fulfill(status=200, content_type="text/css", body=self.palette)
        path = None
        if rel.startswith("theme/"):
            path = next((p for d in self.dirs if (p := self._local_file(rel[6:], [d], d.resolve()))), None)
        elif rel.startswith("course/"):
            path = self._local_file(rel[7:], [self.course_root], self.course_root)
        if path is None:
            return route.fulfill(status=404, body="")
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return route.fulfill(status=200, content_type=kind, body=path.read_bytes())

    def open(self, html: str, scale: float = 1.0):
        """A page holding the scene, fitted; returns (page, what still overflows)."""
        self._start()
        folder = self.files_root.relative_to(self.course_root).as_posix() if \
            self.files_root.is_relative_to(self.course_root) else "."
        name = f"course/{folder}/scene-{len(self._pages)}.html".replace("/./", "/")
        self._pages[name] = html
        page = self._context(scale).new_page()
        page.goto(ORIGIN + name, wait_until="load")
        page.evaluate("""() => document.fonts.ready.then(() => Promise.all(
            Array.from(document.images).map(i => i.decode().catch(() => null))))""")
        report = page.evaluate("() => window.fitScene ? window.fitScene() : []")
        return page, report

    def draw(self, html: str, target: Path, scale: float, transparent: bool = False) -> list[dict]:
        """Draw one page to `target` (PNG); return the boxes whose text does not fit."""
        page, report = self.open(html, scale)
        try:
            CAPTURES["pages"] += 1
            partial = target.with_name(f".{target.name}.partial")
            page.screenshot(path=str(partial), type="png", omit_background=transparent)
            os.replace(partial, target)
        finally:
            page.close()
        return report
