"""Helpers for browser tests: a static server on 127.0.0.1 and Debian's headless Chromium."""
from __future__ import annotations

import functools
import io
import re
import shutil
import threading
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class _RangeHandler(_QuietHandler):
    """Answers byte ranges, as web servers do: without them a browser cannot seek in a video
    (http.server's handler sends whole files only)."""

    def send_head(self):
        match = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if not match or not path.is_file():
            return super().send_head()
        data = path.read_bytes()
        start, end = int(match[1]), int(match[2]) if match[2] else len(data) - 1
        end = min(end, len(data) - 1)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.end_headers()
        return io.BytesIO(data[start:end + 1])


@contextmanager
def serve_dir(directory: Path, ranges: bool = False):
    """A static server for `directory` on a free port of 127.0.0.1 (with `ranges`, one that
    answers byte ranges, for pages that seek in a video)."""
    handler = functools.partial(_RangeHandler if ranges else _QuietHandler, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


_shared: dict = {"depth": 0}  # this process's Playwright and Chromium, started by the first browser()


def _chromium():
    """This process's Chromium, launched on first use and kept until the process ends (a
    launch with Playwright's driver costs about a second of CPU, and the suite asks for a
    browser in some fifty places); launched again if it went away."""
    import asyncio
    instance = _shared.get("browser")
    if instance is None or not instance.is_connected():
        if "playwright" not in _shared:
            import atexit
            from playwright.sync_api import sync_playwright
            _shared["manager"] = sync_playwright()
            _shared["playwright"] = _shared["manager"].start()
            _shared["loop"] = asyncio._get_running_loop()  # see browser()
            atexit.register(_stop)
        instance = _shared["playwright"].chromium.launch(executable_path=chromium_path(), headless=True,
                                                         args=CHROMIUM_ARGS)
        _shared["browser"] = instance
    return instance


def _stop() -> None:
    import asyncio
    asyncio._set_running_loop(_shared["loop"])
    try:
        _shared["browser"].close()
        _shared["manager"].__exit__()
    except Exception:  # at exit: a driver already gone is no failure of a test
        pass


@contextmanager
def browser():
    """Headless Chromium for a block of a test: the process's one instance, shared as a browser
    is by its windows. Every context and page opened in the block is closed at its end, and
    each new context (Browser.new_page makes one too) starts as a fresh profile does: no
    cookies, storage or pages of another test."""
    import asyncio
    if _shared["depth"] == 0 and "loop" in _shared:
        # Playwright's sync API keeps its event loop marked as running between its calls (the
        # loop is paused in its dispatcher); outside every block none is, so that other tests
        # may run asyncio code of their own in this thread.
        asyncio._set_running_loop(_shared["loop"])
    _shared["depth"] += 1
    try:
        instance = _chromium()
        before = set(instance.contexts)
        try:
            yield instance
        finally:
            if instance.is_connected():
                for context in instance.contexts:
                    if context not in before:
                        context.close()
    finally:
        _shared["depth"] -= 1
        if _shared["depth"] == 0:
            asyncio._set_running_loop(None)


# For each visible control of the header: its box, its text colour and the colour behind it (the
# first ancestor with an opaque background), and the WCAG contrast ratio of the two.
HEADER_CONTROLS = """() => {
  const parse = c => { const m = c.match(/[\\d.]+/g).map(Number); return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const lum = c => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b); };
  const behind = el => { for (let n = el; n; n = n.parentElement) { const c = parse(getComputedStyle(n).backgroundColor);
    if (c.a > 0.5) return c; } return {r: 255, g: 255, b: 255, a: 1}; };
  const bar = document.querySelector('.site-header').getBoundingClientRect();
  return [...document.querySelectorAll('.site-header a, .site-header button, .site-header input')]
    .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden' && !el.closest('.user-menu'))
    .map(el => { const box = el.getBoundingClientRect(); const fg = parse(getComputedStyle(el).color), bg = behind(el);
      const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
      return {name: (el.textContent || el.placeholder || el.name).trim(), contrast: (hi + 0.05) / (lo + 0.05),
              inside: box.left >= bar.left - 0.5 && box.right <= bar.right + 0.5 && box.top >= bar.top - 0.5 && box.bottom <= bar.bottom + 0.5}; });
}"""


def header_ready(page) -> None:
    """The header has its account part (server.js asked /api/session, navigation.js drew it)."""
    page.wait_for_selector("[data-user-menu] > *")


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page) -> list:
    """axe-core's WCAG 2.2 A/AA violations on the page as it is now, as (rule, first targets).
    The page's context must bypass CSP (axe is injected as a script, which the server's CSP
    rightly refuses)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", AXE_TAGS)
    assert len(result["passes"]) > 10  # axe really ran
    return [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
