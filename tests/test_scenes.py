"""Designed scenes of storyboard videos: every kind laid out in headless Chromium with long words
and long titles stays inside the title-safe area (measured in the page, independently of the
fitting script), scene errors name the scene, and a one-scene edit redraws only that scene."""
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from brokerlearn.authoring.scenes import capture, clips, layout
from brokerlearn.authoring.storyboard import StoryboardError, load_storyboard
from browser import chromium_path

REPO = Path(__file__).resolve().parents[1]
needs_chromium = pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
needs_media = pytest.mark.skipif(shutil.which("ffmpeg") is None or shutil.which("espeak-ng") is None,
                                 reason="ffmpeg and espeak-ng are needed (scripts/setup --test)")
LONG_WORD = "Kooperationsvereinbarungsentwurfsbesprechung"  # 44 letters, no break opportunity
LONG_TITLE = f"The {LONG_WORD} becomes a search question today"[:60]
LONG = (f"A {LONG_WORD} that keeps oxygen out for twenty-one days while the retail customer waits "
        "for an answer and the owner wonders where to start")
SPEAKER = {"name": "Maja Lindqvist-Øresund " + LONG_WORD, "role": "Owner, Lindqvist Foods " + LONG_WORD}
HEAD = {"title": "Case study: " + LONG, "license": "CC-BY-4.0", "attribution": "brokerlearn tests " + LONG_WORD,
        "language": "en"}
SCENES = [
    {"kind": "title", "title": LONG_TITLE, "subtitle": LONG},
    {"kind": "points", "title": LONG_TITLE, "points": [LONG, LONG_WORD, "Short", LONG, LONG, LONG]},
    {"kind": "quote", "title": LONG_TITLE, "quote": LONG + " " + LONG, "speaker": SPEAKER},
    {"kind": "dialogue", "title": LONG_TITLE, "speakers": [SPEAKER, {"name": "Nora Feld", "role": "Adviser"}],
     "lines": [{"speaker": 1 + i % 2, "text": LONG} for i in range(4)]},
    {"kind": "screen", "title": LONG_TITLE, "screen": {"type": "page", "address": "https://" + LONG_WORD * 3,
     "content": f"# {LONG}\n\n{LONG}\n\n- {LONG_WORD}{LONG_WORD}\n- {LONG}\n\n| a | {LONG_WORD} |\n|---|---|\n| 1 | 2 |"}},
    {"kind": "screen", "title": LONG_TITLE, "screen": {"type": "profile", "address": LONG_WORD, "subject": LONG,
     "content": f"**Offer:** {LONG}\n\n**Looking for:** {LONG}"}},
    {"kind": "screen", "title": LONG_TITLE, "screen": {"type": "email", "address": LONG_WORD, "to": LONG,
     "subject": LONG, "content": f"{LONG}\n\n{LONG}\n\n{LONG}"}},
    {"kind": "screen", "title": LONG_TITLE, "screen": {"type": "chat", "subject": LONG, "participants": [LONG_WORD, "Nora"],
     "lines": [{"speaker": 1 + i % 2, "text": LONG} for i in range(5)]}},
    {"kind": "number", "title": LONG_TITLE, "number": {"value": "1234567890123456789", "label": LONG, "note": LONG}},
    {"kind": "chart", "title": LONG_TITLE, "chart": {"unit": " days", "bars": [
        {"label": LONG[:50], "value": 21}, {"label": LONG_WORD, "value": 123456}, {"label": "x", "value": 0}] * 2}},
    {"kind": "image", "title": LONG_TITLE, "image": "../media/profile-parts.svg", "body": LONG},
    {"kind": "timeline", "title": LONG_TITLE, "events": [{"when": LONG_WORD, "text": LONG}] * 6},
]

# Every text node's boxes, and every element holding text, must lie inside the safe area and
# inside the box it is fitted to (so no text is cut off by a box's overflow either).
MEASURE = """([left, top, right, bottom]) => {
  const problems = [], inside = (r, b) => r.left >= b.left - 0.5 && r.right <= b.right + 0.5 &&
                                       r.top >= b.top - 0.5 && r.bottom <= b.bottom + 0.5;
  const overlap = (a, b) => Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 &&
                            Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1;
  const blockOf = el => { while (getComputedStyle(el).display.startsWith('inline')) el = el.parentElement; return el; };
  const safe = {left, top, right, bottom};
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const lines = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim() || node.parentElement.closest('script, style, title')) continue;
    const range = document.createRange(); range.selectNodeContents(node);
    const name = node.textContent.trim().slice(0, 40), holder = node.parentElement;
    const box = holder.closest('[data-fit]'), cell = blockOf(holder).getBoundingClientRect();
    const element = holder.getBoundingClientRect();
    if (element.width === 0 && element.height === 0) continue;  // not drawn (another layer's text)
    if (!inside(element, safe)) problems.push(['element outside the safe area', name]);
    for (const r of Array.from(range.getClientRects())) {
      if (!inside(r, safe)) problems.push(['outside the safe area', name, [r.left, r.top, r.right, r.bottom]]);
      if (box && !inside(r, box.getBoundingClientRect())) problems.push(['cut off by its box', name]);
      if (!inside(r, cell)) problems.push(['past its own cell', name]);
      lines.push([r, name]);
    }
  }
  for (let i = 0; i < lines.length; i++) for (let j = i + 1; j < lines.length; j++)
    if (overlap(lines[i][0], lines[j][0])) problems.push(['overlaps', lines[i][1], lines[j][1]]);
  const fitted = Array.from(document.querySelectorAll('[data-fit]')).map(e => e.style.getPropertyValue('--fit') || '1');
  return {problems, texts: new Set(lines.map(l => l[1])).size, fitted, broken: document.querySelectorAll('.break-words').length};
}"""


@pytest.fixture
def course(tmp_path):
    root = tmp_path / "course"
    (root / "storyboards").mkdir(parents=True)
    (root / "media").mkdir()
    shutil.copy(REPO / "courses/example/media/profile-parts.svg", root / "media")
    return root


def _values(course, scenes, **head):
    board = course / "storyboards" / "board.yml"
    data = {**HEAD, **head, "scenes": [{**s, "narration": s.get("narration", "Hello.")} for s in scenes]}
    board.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    values, diags = load_storyboard(board)
    assert not diags.errors, [d.message for d in diags.errors]
    return board, values


@pytest.mark.browser
@needs_chromium
def test_every_kind_with_long_words_and_titles_stays_in_the_safe_area(course):
    board, values = _values(course, SCENES)
    dirs = layout.scene_dirs()
    assert {layout.kind_of(s) for s in values["scenes"]} == set(layout.schema.SCENE_KINDS)
    with capture.Capturer(board.parent, course, dirs, capture.palette_css(None)) as drawer:
        for index, scene in enumerate(values["scenes"]):
            layers = ["foreground", "background"] if scene["kind"] == "image" else ["all"]
            for layer in layers:
                page, report = drawer.open(layout.scene_html(scene, values, dirs, layer), scale=1.0)
                found = page.evaluate(MEASURE, list(layout.SAFE))
                drawn = page.evaluate("() => Array.from(document.images).filter(i => i.getBoundingClientRect().width > 0).length")
                if index == 0:  # the same page at 1080p's scale lays out the same
                    big, _ = drawer.open(layout.scene_html(scene, values, dirs, layer), scale=1.5)
                    assert big.evaluate(MEASURE, list(layout.SAFE))["problems"] == []
                    big.close()
                page.close()
                where = f"scene {index + 1} ({scene['kind']}, {layer})"
                assert report == [], where
                assert found["problems"] == [], where
                assert drawn == (layer == "background"), where  # a moving picture is drawn on its own layer
                if layer == "background":
                    assert found["texts"] == 0, where  # the moving layer holds the picture alone
                else:
                    assert found["texts"] >= 3, where  # the title, the credit line and the scene's text
                    assert found["broken"] or any(f != "1" for f in found["fitted"]), where  # it had to fit


@pytest.mark.browser
@needs_chromium
def test_text_that_cannot_fit_is_refused_with_the_scene_named(course, tmp_path):
    from brokerlearn.authoring.scenes import SceneError, picture
    board, values = _values(course, [{"kind": "title", "title": "Fine"},
                                     {"kind": "quote", "title": "Too much", "quote": LONG * 12,
                                      "speaker": {"name": "A B"}}])
    with pytest.raises(SceneError, match=r"scene 2 \(quote\): text does not fit .* shorten it"):
        picture(values, board.parent, [0.0, 2.0], 4.0, root=tmp_path / "cache")


@pytest.mark.parametrize("scene, message", [
    ({"kind": "quot", "title": "t"}, "'kind' must be one of title, points, quote, dialogue, screen, number, "
                                     "chart, image, timeline, not 'quot' (did you mean 'quote'?)"),
    ({"kind": "quote", "title": "t", "quote": "Hi"}, "scene 1: a quote scene needs 'speaker'"),
    ({"kind": "dialogue", "title": "t", "speakers": [{"name": "A"}], "lines": [{"speaker": 1, "text": "x"}]},
     "scene 1: a dialogue scene needs 'speakers (exactly two)'"),
    ({"kind": "screen", "title": "t", "screen": {"type": "fax", "content": "x"}}, "'type' must be one of page, "
                                                                                  "profile, email, chat, not 'fax'"),
    ({"kind": "number", "title": "t", "number": {"value": 3}}, "missing required key 'label' in a number"),
    ({"kind": "timeline", "title": "t", "events": [{"when": "1", "text": "x"}]}, "a timeline needs at least two events"),
    ({"kind": "points", "title": "t", "points": list("abcdefg")}, "'points' holds 7 items; a scene shows at most 6"),
    ({"kind": "image", "title": "t", "image": "../media/nope.png"}, "scene 1: image '../media/nope.png' not found"),
    ({"kind": "quote", "title": "t", "quote": "q", "speaker": {"name": "A", "image": "x.jpg"}}, "image 'x.jpg' not found"),
    ({"title": "t", "motion": "spin", "image": "../media/profile-parts.svg"}, "'motion' must be one of"),
])
def test_a_wrong_kind_or_a_missing_key_is_a_clear_error_at_its_line(course, scene, message):
    board = course / "storyboards" / "bad.yml"
    board.write_text(yaml.safe_dump({**HEAD, "scenes": [{**scene, "narration": "Hello."}]}, sort_keys=False))
    _, diags = load_storyboard(board)
    messages = [d.message for d in diags.errors]
    assert any(message in m for m in messages), messages
    assert all(d.line > 1 for d in diags.errors)  # at the scene, not at the top of the file


def test_storyboards_without_kinds_keep_working(course):
    _, values = _values(course, [{"title": "Only a title"}, {"title": "Lines", "body": "One\nTwo"},
                                 {"title": "A picture", "image": "../media/profile-parts.svg"}])
    assert [layout.kind_of(s) for s in values["scenes"]] == ["title", "points", "image"]
    assert layout.context(values["scenes"][1], values)["points"] == ["One", "Two"]


def test_screen_markdown_is_sanitised_like_author_html(course):
    _, values = _values(course, [{"kind": "screen", "title": "t", "screen": {"type": "page", "content":
        "Hi <script>alert(1)</script><img src=x onerror=alert(1)> <a href='javascript:x()'>l</a> "
        "<iframe src=//evil></iframe> ![r](https://evil.example/x.png) **ok**"}}])
    html = layout.scene_html(values["scenes"][0], values, layout.scene_dirs())
    body = html.split('class="screen-body md"', 1)[1].split("</div>", 1)[0]
    assert "<strong>ok</strong>" in body
    for bad in ("<script", "onerror", "javascript:", "<iframe", "evil.example"):
        assert bad not in body


def test_a_changed_picture_changes_the_scene_key_and_nothing_else_does(course):
    from brokerlearn.authoring import scenes
    screen = {"type": "page", "content": "![parts](../media/profile-parts.svg)"}
    _, values = _values(course, [{"kind": "screen", "title": "t", "screen": screen, "narration": "One."}])
    key = lambda: scenes._still_key(values["scenes"][0], values, course / "storyboards", 1.0, "common")
    before = key()
    values["scenes"][0]["narration"] = "Another narration."  # narration is not in the frames
    assert key() == before
    (course / "media/profile-parts.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    assert key() != before  # a picture the screen shows was replaced


def _luma(video: Path, seconds: float) -> float:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-ss", f"{seconds:.3f}", "-i", str(video), "-frames:v", "1",
                          "-vf", "scale=16:9,format=gray", "-f", "rawvideo", "-"], capture_output=True, check=True).stdout
    return sum(raw) / len(raw)


@pytest.mark.browser
@needs_chromium
@needs_media
def test_one_scene_edit_redraws_and_re_encodes_only_that_scene(course, tmp_path):
    from brokerlearn import mediatools
    from brokerlearn.authoring.storyboard import render
    scenes = [{"kind": "title", "title": "A dark title card", "narration": "This case is fictional."},
              {"kind": "points", "title": "Light points", "points": ["One", "Two"], "narration": "Two points. Then more."},
              {"kind": "number", "title": "A number", "number": {"value": "14", "label": "names"}, "narration": "Fourteen."}]
    board, _ = _values(course, scenes)
    cache = tmp_path / "cache"
    pages, encodes = capture.CAPTURES["pages"], clips.ENCODES["clips"]
    first = render(board, resolution="1080p", cache=cache)
    assert capture.CAPTURES["pages"] - pages == 3 and clips.ENCODES["clips"] - encodes == 3 + 2
    info = mediatools.probe(first.video)
    assert (info.width, info.height) == (1920, 1080) and abs(info.duration - first.duration) < 0.1
    cut = next(c.start for c in first.cues if c.text == "Two points.")
    dark, light, middle = _luma(first.video, 0.2), _luma(first.video, cut + 0.8), _luma(first.video, cut - 0.02)
    assert dark < 80 < 180 < light and dark + 15 < middle < light - 15  # a cross-fade at the cut

    pages, encodes = capture.CAPTURES["pages"], clips.ENCODES["clips"]
    render(board, resolution="1080p", cache=cache)  # nothing changed: no page drawn, no clip encoded
    assert (capture.CAPTURES["pages"], clips.ENCODES["clips"]) == (pages, encodes)

    import os
    stale = cache / "clips" / "0123.ts"
    stale.write_bytes(b"")
    os.utime(stale, (1, 1))  # a clip no render has used for decades is pruned by the next one
    scenes[1]["title"] = "Light points, edited"
    board, _ = _values(course, scenes)
    again = render(board, resolution="1080p", cache=cache)
    assert capture.CAPTURES["pages"] - pages == 1  # only the edited scene is drawn
    assert clips.ENCODES["clips"] - encodes == 1 + 2  # and encoded, with the transitions on either side
    assert [c.text for c in again.cues] == [c.text for c in first.cues]
    assert not stale.exists() and len(list((cache / "clips").glob("*.ts"))) == 5 + 3


def test_the_cli_takes_a_resolution(course, monkeypatch):
    from click.testing import CliRunner
    from brokerlearn.authoring import storyboard
    from brokerlearn.cli import main
    board, _ = _values(course, [{"kind": "title", "title": "t"}])
    seen = {}
    monkeypatch.setattr(storyboard, "render", lambda path, media_dir, resolution=None: seen.setdefault("r", resolution) and
                        (_ for _ in ()).throw(StoryboardError("stop")))
    result = CliRunner().invoke(main, ["video", "render", "--resolution", "1080p", str(board)])
    assert seen == {"r": "1080p"} and result.exit_code == 1 and "stop" in result.output
    result = CliRunner().invoke(main, ["video", "render", "--resolution", "4k", str(board)])
    assert result.exit_code == 2 and "'4k' is not one of '720p', '1080p'" in result.output
