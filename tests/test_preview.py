"""`brokerlearn preview`: rebuilds only what changed after a save, the page gets the reload event,
a build error shows as an overlay in the browser and goes away when fixed, graded quizzes are
marked in the page."""
import json
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from brokerlearn.authoring.preview import Preview
from serving import running
from browser import browser, chromium_path

ARTIFACTS = __import__("pathlib").Path(__file__).resolve().parent / "artifacts"


@pytest.fixture
def preview(make_course, tmp_path):
    root = make_course()
    server = Preview(root.parent, tmp_path / "preview-out")
    server.rebuild()
    with running(server.app()) as port:
        watcher = threading.Thread(target=server.watch, daemon=True)
        watcher.start()
        assert server.watching.wait(30)  # the watcher is in place: a save from now on is seen
        try:
            yield root, server, f"http://127.0.0.1:{port}/"
        finally:
            server.stop()  # ends the event streams and the watcher
            with server.state.changed:
                server.state.changed.notify_all()
            watcher.join(timeout=10)


def wait_version(server, version, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.state.version > version:
            return server.state.snapshot()
        time.sleep(0.02)
    raise AssertionError("no rebuild after the save")


def test_a_save_rebuilds_only_that_lesson_and_sends_the_event(preview):
    root, server, base = preview
    events = urllib.request.urlopen(base + "__preview/events", timeout=10)
    lesson = root / "modules/01-intro/01-start.md"
    version = server.state.version
    lesson.write_text(lesson.read_text() + "\nA new sentence.\n")
    snapshot = wait_version(server, version)
    assert snapshot["problems"] == [] and snapshot["rendered"] == [str(lesson)]
    line = b""
    while not line.startswith(b"data:"):
        line = events.readline()
    assert json.loads(line[5:])["version"] == snapshot["version"]
    page = urllib.request.urlopen(base + "mini/intro/start/index.html").read().decode()
    assert "A new sentence." in page and "/__preview/client.js" in page


def test_half_written_and_deleted_files_do_not_stop_it(preview):
    root, server, base = preview
    version = server.state.version
    (root / "modules/01-intro/module.yml").write_text("title: Intro\nlessons: [01-start, 02-next")  # half-written
    snapshot = wait_version(server, version)
    assert snapshot["problems"] and snapshot["problems"][0]["path"].endswith("module.yml")
    version = snapshot["version"]
    (root / "modules/01-intro/module.yml").write_text("title: Intro\nlessons: [01-start, 02-next]\n")
    (root / "modules/01-intro/02-next.md").unlink()  # a deleted lesson
    snapshot = wait_version(server, version)
    while server.state.version != snapshot["version"] or not server.state.problems:
        snapshot = wait_version(server, snapshot["version"])
    assert any("02-next" in p["message"] for p in server.state.problems)
    assert urllib.request.urlopen(base + "mini/intro/start/index.html").status == 200  # last good site


@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
def test_error_overlay_appears_and_goes_away(preview, tmp_path):
    root, server, base = preview
    lesson = root / "modules/01-intro/02-next.md"
    good = lesson.read_text()
    with browser() as chromium:
        page = chromium.new_page()
        page.goto(base + "mini/intro/next/index.html")
        page.wait_for_timeout(300)
        lesson.write_text(good.replace("#first-part", "#missing-part"))
        overlay = page.locator("#brokerlearn-preview-overlay")
        overlay.wait_for(timeout=10000)
        assert "02-next.md:5:" in overlay.inner_text() and "missing-part" in overlay.inner_text()
        page.screenshot(path=str(ARTIFACTS / "preview-overlay.png"))
        lesson.write_text(good.replace("See", "Now see"))
        page.wait_for_selector("text=Now see", timeout=10000)  # reloaded with the fix
        assert page.locator("#brokerlearn-preview-overlay").count() == 0


def test_graded_quizzes_are_marked_in_the_preview(make_course, tmp_path):
    quiz = ("id: check\ntitle: Check\nmode: graded\nquestions:\n  - id: q1\n    type: truefalse\n"
            "    prompt: Yes?\n    answer: true\n    explanation: Because.\n")
    root = make_course({"modules/01-intro/check.yml": quiz,
                        "modules/01-intro/01-start.md": "---\ntitle: Start\n---\n\n## First part\n\n::: quiz check\n:::\n"})
    server = Preview(root.parent, tmp_path / "out")
    server.rebuild()
    html = (tmp_path / "out/site/mini/intro/start/index.html").read_text()
    assert "Preview: this graded quiz is marked here in the page" in html and "data-graded" not in html


PREVIEW_START = """
import json, sys
from pathlib import Path
from brokerlearn import mediatools
from brokerlearn.authoring.preview import Preview
server = Preview(Path(sys.argv[1]))
server.rebuild()
print(json.dumps({"out": str(server.out_dir), "runs": mediatools.RUNS["ffmpeg"], "problems": server.state.problems}))
server.close()
"""


def _start_preview(root, env) -> dict:
    import os
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-c", PREVIEW_START, str(root)], env={**os.environ, **env},
                            capture_output=True, text=True, timeout=300, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(__import__("shutil").which("ffmpeg") is None, reason="ffmpeg is not installed")
def test_a_second_preview_start_reuses_the_build_and_encodes_no_video(make_course, tmp_path):
    """Code review B13: each start used a new temporary folder, so every video was encoded again."""
    from test_video import SIDECAR, VTT, make_video
    root = make_course({"modules/01-intro/01-start.md": "---\ntitle: Start\n---\n\n## First part\n\n::: video clip\n:::\n",
                        "media/clip.yml": SIDECAR, "media/clip.en.vtt": VTT})
    make_video(root / "media/clip.mp4", 320, 180, seconds=1)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "TMPDIR": str(tmp_path / "tmp"),
           "BROKERLEARN_MEDIA_CACHE": ""}  # the preview's own cache, not the run's shared one
    (tmp_path / "tmp").mkdir()
    first = _start_preview(root, env)
    assert first["problems"] == [] and first["runs"] > 0  # the first start converts the video
    second = _start_preview(root, env)
    assert second["out"] == first["out"] and second["runs"] == 0  # no ffmpeg at all
    assert Path(first["out"]).is_relative_to(tmp_path / "cache" / "brokerlearn" / "preview")
    assert (Path(second["out"]) / "site/mini/media/clip/poster.jpg").is_file()
    assert list((tmp_path / "tmp").iterdir()) == []  # no temporary folder left behind


def test_a_second_preview_of_the_same_folder_at_once_uses_its_own_folder_and_removes_it(make_course, tmp_path,
                                                                                       monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = make_course()
    first, second = Preview(root.parent), Preview(root.parent)
    try:
        assert first.out_dir.is_relative_to(tmp_path / "cache") and second.out_dir != first.out_dir
        second.rebuild()
        assert (second.out_dir / "site/mini/index.html").is_file()
    finally:
        second.close()
        first.close()
    assert not second.out_dir.exists() and first.out_dir.exists()
    third = Preview(root.parent)  # the lock went with the first
    assert third.out_dir == first.out_dir
    third.close()


def test_the_preview_serves_media_as_the_server_does(make_course, tmp_path):
    root = make_course({"media/notes.txt": "notes\n"})
    server = Preview(root.parent, tmp_path / "out")
    server.rebuild()
    response = server.app().test_client().get("/mini/media/notes.txt")
    assert response.status_code == 200 and response.headers["Content-Disposition"] == "attachment"
    assert response.headers["Content-Security-Policy"] == "sandbox"
