"""Decisions inside videos and what a scene shows: the sidecar and storyboard forms checked with
their lines; a storyboard rendered with a branch clip of its own (captions, sidecar, descriptions
track, validated independently); and in headless Chromium the player pausing, asking, giving
feedback, going on, playing the branch and coming back, captions and transcript following, and
with the course server the answer stored as a practice answer."""
import json
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from brokerlearn.compiler.pipeline import build
from brokerlearn.course.loader import load_course
from brokerlearn.errors import Diagnostics
from browser import browser, chromium_path, serve_dir

REPO = Path(__file__).resolve().parents[1]
needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed")
needs_chromium = pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")

MAIN_VTT = ("WEBVTT\n\n00:00:00.000 --> 00:00:01.400\nThe adviser calls the lab.\n\n"
            "00:00:01.600 --> 00:00:03.000\nA note goes out the same day.\n")
BRANCH_VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nSuppose nobody wrote.\n\n00:00:01.000 --> 00:00:02.000\nThe lab moved on.\n"
DESCRIPTIONS_VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:03.000\nA slide: the lab and the shop, joined by a call.\n"
DECISION = """decisions:
  - id: next-step
    at: '00:01.500'
    prompt: What should the adviser do next?
    options:
      - text: Send a note with a date
        correct: true
        feedback: Right, a dated next step keeps the contact alive.
      - text: Wait for the lab
        feedback: Not quite, a good call without a next step often leads nowhere.
    branch:
      title: What if the adviser had waited?
      video: clip--next-step
"""
SIDECAR = "title: {title}\nlicense: CC-BY-4.0\nattribution: brokerlearn tests\nlanguage: en\n"
LESSON = "---\ntitle: Start\n---\n\n## First part\n\nWatch this.\n\n::: video clip\n:::\n"


def make_video(path: Path, seconds: float, colour: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                    f"color=c={colour}:size=320x180:rate=10:duration={seconds}", "-f", "lavfi", "-i",
                    f"sine=frequency=440:duration={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
                    "-pix_fmt", "yuv420p", "-shortest", "-y", str(path)], check=True)


@pytest.fixture
def decision_course(make_course):
    """The minimal course with a 3 s video that pauses at 1.5 s for a decision, whose branch is
    a 2 s clip; both with captions, the video with a descriptions track."""
    root = make_course({"modules/01-intro/01-start.md": LESSON})
    media = root / "media"
    media.mkdir()
    (media / "clip.yml").write_text(SIDECAR.format(title="A first call") + DECISION)
    (media / "clip.en.vtt").write_text(MAIN_VTT)
    (media / "clip.descriptions.en.vtt").write_text(DESCRIPTIONS_VTT)
    (media / "clip--next-step.yml").write_text(SIDECAR.format(title="What if the adviser had waited?"))
    (media / "clip--next-step.en.vtt").write_text(BRANCH_VTT)
    return root


def _load_errors(root: Path) -> list[tuple[str, int, str]]:
    diags = Diagnostics()
    load_course(root, diags)
    return [(Path(d.path).name, d.line, d.message) for d in diags.errors]


def test_sidecar_decisions_are_checked_with_their_lines(decision_course):
    media = decision_course / "media"
    for name in ("clip", "clip--next-step"):
        (media / f"{name}.mp4").write_bytes(b"")  # the loader pairs files; it does not read videos
    assert _load_errors(decision_course) == []
    sidecar = media / "clip.yml"
    item = DECISION.split("decisions:\n")[1]  # 12 lines
    bad = ("decisions:\n" + item.replace("'00:01.500'", "soon")
           + item.replace("correct: true", "correct: false")  # the same ID, and no right option
           + item.replace("id: next-step", "id: other").replace("clip--next-step", "clip--nowhere"))
    sidecar.write_text(SIDECAR.format(title="A first call") + bad)
    errors = _load_errors(decision_course)
    messages = [f"{line}: {message}" for _, line, message in errors]
    assert messages == [
        "18: decision ID 'next-step' is used twice in the video 'clip' (first on line 6)",
        "6: decision 'next-step': 'at' 'soon' is not a time: write mm:ss or hh:mm:ss",
        "21: a single-choice question needs exactly one option with 'correct: true' (found 0)",
        "30: decision 'other': the branch video 'clip--nowhere' does not exist: add media/clip--nowhere.mp4 "
        "with its sidecar and captions"]
    assert {name for name, _, _ in errors} == {"clip.yml"}
    # A branch plays and returns: it may not hold decisions of its own.
    sidecar.write_text(SIDECAR.format(title="A first call") + DECISION)
    (media / "clip--next-step.yml").write_text(SIDECAR.format(title="Branch") + DECISION.replace("clip--next-step", "clip"))
    assert any("has decisions of its own" in message for _, _, message in _load_errors(decision_course))


def test_storyboard_decisions_and_what_is_shown_are_checked(tmp_path):
    from brokerlearn.authoring.storyboard import load_storyboard
    from brokerlearn.course import onscreen
    board = tmp_path / "case.yml"
    board.write_text("""title: Case
license: CC-BY-4.0
attribution: tests
language: en
scenes:
  - title: Twenty-one days of shelf life
    body: |
      Searches in four sources
      Terms: barrier, compostable
    narration: The pack must keep the pesto fresh for 21 days. Nora searched four kinds of source.
    decision:
      id: shortlist
      type: multiple
      prompt: Which candidates stay on the short list?
      options:
        - text: The start-up
          correct: true
          feedback: Yes.
        - text: The group
          feedback: Too busy.
      branch:
        title: What if she had kept the group?
        scenes:
          - title: The group never answers
            image: missing.png
            narration: The group never answered.
            decision:
              id: inner
              prompt: Again?
              options: [{text: a, correct: true}, {text: b}]
""")
    values, diags = load_storyboard(board)
    errors = [(d.line, d.message) for d in diags.errors]
    assert (27, "scene 1, branch scene 1: a branch's scenes cannot hold a decision (a branch plays and returns)") in errors
    warnings = [d.message for d in diags.warnings]
    # "Twenty-one days" is said as "21 days", "Searches" as "searched"; the search terms are not said.
    assert warnings == [
        "scene 1: the narration does not say 'Terms: barrier, compostable', which is shown on screen: say it, "
        "or write a 'description' (until then the descriptions track reads the line)",
        "scene 1, branch scene 1: the image 'missing.png' is not described: say what it shows in the narration "
        "and write it as the scene's 'description' (the video's descriptions track)"]
    scene = values["scenes"][0]
    assert onscreen.description(scene) == "Terms: barrier, compostable."
    scene["description"] = "The slide lists the search terms: barrier and compostable."
    assert onscreen.description(scene) == "The slide lists the search terms: barrier and compostable."


def _validate_vtt(files) -> dict:
    output = subprocess.run(["node", str(REPO / "tests/tools/validate_vtt.cjs"), *map(str, files)],
                            capture_output=True, text=True, check=True, cwd=REPO).stdout
    return json.loads(output)


@needs_ffmpeg
@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
def test_a_branch_renders_as_a_clip_of_its_own_and_the_main_timeline_stays(tmp_path):
    from brokerlearn.authoring.storyboard import SCENE_PAUSE, render, sentences
    course = tmp_path / "course"
    (course / "storyboards").mkdir(parents=True)
    board = course / "storyboards" / "case.yml"
    board.write_text("""title: Case
license: CC-BY-4.0
attribution: tests
language: en
scenes:
  - chapter: Call
    title: The call
    body: Test on machine four
    narration: The call went well.
    decision:
      id: next
      prompt: What next?
      options:
        - {text: A note, correct: true, feedback: Right.}
        - {text: Wait, feedback: No.}
      branch:
        title: What if nobody wrote?
        scenes:
          - title: Nobody wrote
            narration: Nobody wrote. The lab moved on.
  - chapter: After
    title: The note
    narration: A note went out.
""")
    result = render(board)
    media = course / "media"
    [branch] = result.branches
    assert branch.video == media / "case--next.mp4" and branch.captions == media / "case--next.en.vtt"
    assert [c.text for c in branch.cues] == sentences("Nobody wrote. The lab moved on.")
    assert [c.text for c in result.cues] == ["The call went well.", "A note went out."]  # no branch text
    sidecar = (media / "case.yml").read_text()
    first_scene_end = result.cues[1].start  # the second scene starts where the first one ends
    import yaml
    data = yaml.safe_load(sidecar)
    assert data["chapters"][1]["title"] == "After"
    assert abs(float(data["chapters"][1]["start"].split(":")[1]) - first_scene_end) < 0.002
    decision = data["decisions"][0]
    assert decision["branch"] == {"title": "What if nobody wrote?", "video": "case--next"}
    assert abs(float(decision["at"].split(":")[1]) - (first_scene_end - SCENE_PAUSE)) < 0.002
    # The slide's "Test on machine four" is not said: warned about, and described in its own track.
    assert [w.message.split(",")[0] for w in result.warnings] == ["scene 1: the narration does not say 'Test on machine four'"]
    descriptions = media / "case.descriptions.en.vtt"
    assert "Test on machine four." in descriptions.read_text()
    assert not (media / "case--next.descriptions.en.vtt").exists()  # all it shows is said
    assert _validate_vtt([descriptions, branch.captions, result.captions]) == {
        str(descriptions): [], str(branch.captions): [], str(result.captions): []}
    # The build reads it all: the decision, its branch clip, both tracks.
    (course / "course.yml").write_text("id: case\ntitle: Case\nlanguage: en\nmodules: [01-a]\n")
    (course / "modules/01-a").mkdir(parents=True)
    (course / "modules/01-a/module.yml").write_text("title: A\n")
    (course / "modules/01-a/01-l.md").write_text("---\ntitle: L\n---\n\n::: video case\n:::\n")
    out = tmp_path / "out"
    build(course, out, show_progress=False)
    site = out / "site/case"
    assert (site / "media/case/descriptions.en.vtt").is_file() and (site / "media/case--next/captions.en.vtt").is_file()
    manifest = json.loads((out / "server/case.json").read_text())
    assert list(manifest["videos"]) == ["case"]  # the branch is part of its video, not one to watch


# In the browser ------------------------------------------------------------------------------

def _until(page, condition: str, timeout: float = 10.0):
    """Poll from Python: the page's CSP refuses wait_for_function's eval."""
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(f"() => {condition}")
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached in {timeout} s: {condition}")
        time.sleep(0.1)


def _active_cue(selector: str) -> str:
    return (f"(() => {{ const t = Array.from(document.querySelector({selector!r}).textTracks).find(t => t.kind === 'captions');"
            f" t.mode = 'hidden'; return t.activeCues && t.activeCues.length ? t.activeCues[0].text : ''; }})()")


def _open_lesson(page, url: str):
    page.goto(url)
    _until(page, "document.querySelector('figure video').readyState >= 1")


@pytest.mark.browser
@needs_ffmpeg
@needs_chromium
def test_player_pauses_asks_continues_and_plays_the_branch(decision_course, tmp_path):
    make_video(decision_course / "media/clip.mp4", 3, "navy")
    make_video(decision_course / "media/clip--next-step.mp4", 2, "darkred")
    build(decision_course.parent, tmp_path / "out", show_progress=False)
    with serve_dir(tmp_path / "out" / "site", ranges=True) as base, browser() as chromium:
        page = chromium.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.add_init_script("window.answers = []; window.addEventListener('brokerlearn:decision-answered', "
                             "e => window.answers.push(e.detail));")
        _open_lesson(page, base + "mini/intro/start/index.html")
        main = "figure > video"
        assert page.evaluate("document.querySelector('.video-decision').hidden") is True
        # Transcript: the decision and the branch's own text, in time order.
        entries = page.eval_on_selector_all(".video-transcript > .transcript-cues > li",
                                            "items => items.map(li => li.className || li.querySelector('span').textContent)")
        assert entries == ["The adviser calls the lab.", "transcript-decision", "A note goes out the same day."]
        assert page.inner_text(".transcript-branch") .splitlines()[0].endswith("Suppose nobody wrote.")
        page.click(".transcript-cues li:first-child a")  # plays from 0 (a user gesture)
        _until(page, "!document.querySelector('.video-decision').hidden")
        state = page.evaluate("""() => { const v = document.querySelector('figure > video');
            return {paused: v.paused, at: v.currentTime, focus: document.activeElement.className,
                    inputs: Array.from(document.querySelectorAll('.video-decision input')).map(i => i.type)}; }""")
        assert state["paused"] and abs(state["at"] - 1.5) < 0.05
        assert state["focus"] == "video-decision" and state["inputs"] == ["radio", "radio"]
        assert page.get_attribute(".video-decision", "aria-labelledby") == page.get_attribute(".video-decision .quiz-title", "id")
        assert page.inner_text(".video-status") == "The video paused for a decision."
        page.screenshot(path=str(REPO / "tests/artifacts/video-decision-question.png"), full_page=True)
        # By keyboard: to the first option, the arrow to the second, Check.
        page.keyboard.press("Tab")
        page.keyboard.press("Space")
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.closest('label').textContent").strip().startswith("Wait for the lab")
        page.keyboard.press("Enter")  # submits the form
        _until(page, "document.querySelector('.video-decision .option-feedback:not(:empty)')")
        assert "not right: Not quite, a good call without a next step" in page.inner_text(".video-decision .options")
        assert page.get_attribute(".video-decision .question-feedback", "aria-live") == "polite"
        assert page.evaluate("window.answers") == [{"course": "mini", "video": "clip", "decision": "next-step", "share": 0}]
        assert page.is_visible(".decision-next") and page.evaluate("document.querySelector('figure > video').paused")
        # The branch: its own player and captions, the transcript following it.
        page.click(".decision-branch-play")
        _until(page, "document.querySelector('.decision-branch video').currentTime > 0.3")
        assert page.evaluate("document.querySelector('figure > video').hidden") is True
        assert _until(page, _active_cue(".decision-branch video")) == "Suppose nobody wrote."
        _until(page, "document.querySelector('.transcript-branch li[aria-current=true]')")
        assert page.inner_text(".transcript-branch li[aria-current=true] span") == "Suppose nobody wrote."
        # At its end, back to the video where it paused, playing on; the highlight back on the main text.
        _until(page, "!document.querySelector('figure > video').hidden", timeout=8)
        assert page.evaluate("document.activeElement.tagName") == "VIDEO"
        assert "Back to the case study at 0:01." == page.inner_text(".video-status")
        _until(page, "document.querySelector('figure > video').currentTime > 1.7")
        assert _until(page, _active_cue(main)) == "A note goes out the same day."
        _until(page, "document.querySelector('.video-transcript > .transcript-cues > li:nth-child(3)[aria-current=true]')")
        assert page.evaluate("document.querySelector('.video-decision').hidden") is True
        assert page.evaluate("document.querySelectorAll('.transcript-branch li[aria-current]').length") == 0
        # Answered: playing through the decision again does not stop the video.
        page.evaluate("() => { const v = document.querySelector('figure > video'); v.currentTime = 1.0; v.play(); }")
        _until(page, "document.querySelector('figure > video').currentTime > 2.0")
        assert page.evaluate("document.querySelector('.video-decision').hidden") is True
        # The descriptions track, read out in a live region when asked for.
        assert page.get_attribute("track[kind=descriptions]", "srclang") == "en"
        page.check(".video-describe")
        page.evaluate("() => { const v = document.querySelector('figure > video'); v.currentTime = 0.2; v.play(); }")
        _until(page, "document.querySelector('.video-description').textContent")
        assert page.inner_text(".video-description") == "A slide: the lab and the shop, joined by a call."
        assert page.get_attribute(".video-description", "aria-live") == "polite"
        page.screenshot(path=str(REPO / "tests/artifacts/video-decision.png"), full_page=True)
        assert errors == []


@pytest.mark.browser
@needs_chromium
def test_a_decision_is_stored_as_a_practice_answer_with_the_server(built_example, tmp_path):
    """The example course's video pauses for its decision; the answer reaches the account."""
    from serving import running
    from server_fixtures import register_in_browser
    from sqlalchemy import select
    from brokerlearn.server import create_app
    from brokerlearn.server.db import upgrade
    from brokerlearn.server.models import ProgressEvent
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url}, build_dir=built_example, instance_path=tmp_path / "instance")
    with running(app, threads=4) as port, browser() as chromium:
        base = f"http://127.0.0.1:{port}/"
        page = chromium.new_page()
        register_in_browser(page, base, "ana@agency.org", "Ana")
        _open_lesson(page, base + "example/finding-partners/assessing-candidates/")
        at = float(page.get_attribute(".video-decision", "data-at"))
        page.click(".video-transcript > .transcript-cues > li:nth-child(4) a")  # the cue before the decision
        _until(page, "!document.querySelector('.video-decision').hidden", timeout=15)
        assert abs(page.evaluate("document.querySelector('figure > video').currentTime") - at) < 0.05
        page.check(".video-decision input[type=radio] >> nth=0")
        page.click(".video-decision button[type=submit]")
        sessions = app.extensions["brokerlearn_sessions"]

        def stored():
            with app.app_context(), sessions() as db:
                return [(e.item_id, e.value) for e in db.scalars(
                    select(ProgressEvent).where(ProgressEvent.kind == "practice_answered"))]
        deadline = time.monotonic() + 10
        while not stored() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert stored() == [("videos/partner-call/next-step", 1.0)]
        page.click(".decision-continue")
        _until(page, "!document.querySelector('figure > video').paused")


def test_check_warns_about_what_a_storyboard_shows_but_does_not_say(make_course):
    from brokerlearn.compiler.pipeline import check
    root = make_course({"storyboards/case.yml": (
        "title: Case\nlicense: CC-BY-4.0\nattribution: tests\nlanguage: en\nscenes:\n"
        "  - title: The need\n    body: Oxygen stays out for 21 days\n    narration: The need is clear.\n"
        "  - title: The need again\n    body: Oxygen stays out for 21 days\n    narration: The need is clear.\n"
        "    description: The slide says that oxygen must stay out for twenty-one days.\n")})
    _, diags = check(root.parent)
    found = [(Path(d.path).name, d.line, d.message.split(",")[0]) for d in diags.warnings if str(d.path).endswith("case.yml")]
    assert found == [("case.yml", 6, "scene 1: the narration does not say 'Oxygen stays out for 21 days'")]
