"""The video pipeline with tiny videos made by ffmpeg during the test: probing, renditions, the
cache, bad input, SRT to VTT, independent WebVTT validation, storyboard rendering, and the
player in headless Chromium."""
import json
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from brokerlearn.compiler.pipeline import build
from brokerlearn import mediatools
from brokerlearn.errors import BuildFailed
from browser import browser, chromium_path, serve_dir

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed (scripts/setup)")
REPO = Path(__file__).resolve().parents[1]
SIDECAR = ("title: A test video\nlicense: CC-BY-4.0\nattribution: brokerlearn tests\nlanguage: en\n"
           "chapters:\n  - start: '00:00'\n    title: Opening\n  - start: '00:01.5'\n    title: Second half\n")
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello there.\n\n00:00:01.000 --> 00:00:02.500\nSecond line.\n"
SRT = "1\n00:00:00,000 --> 00:00:01,000\nHello from SRT.\n\n2\n00:00:01,000 --> 00:00:02,500\nSecond line.\n"
LESSON = "---\ntitle: Start\n---\n\n## First part\n\nWatch this.\n\n::: video clip\n:::\n"


def make_video(path: Path, width: int, height: int, seconds: float = 3, audio: bool = True) -> Path:
    args = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
            f"testsrc=size={width}x{height}:rate=10:duration={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-shortest", "-y", str(path)]
    subprocess.run(args, check=True)
    return path


@pytest.fixture(autouse=True)
def own_media_cache(monkeypatch):
    """These tests look at a build's own cache (OUT/.cache/media/) and count its ffmpeg runs: not
    the run's shared one (tests/conftest.py), and with the default preset, not the run's."""
    monkeypatch.delenv("BROKERLEARN_MEDIA_CACHE", raising=False)
    monkeypatch.delenv("BROKERLEARN_VIDEO_PRESET", raising=False)


@pytest.fixture
def video_course(make_course):
    def make(width=640, height=360, captions=("clip.en.vtt", VTT), sidecar=SIDECAR):
        root = make_course({"modules/01-intro/01-start.md": LESSON})
        media = root / "media"
        shutil.rmtree(media, ignore_errors=True)  # each call starts from a clean media folder
        media.mkdir()
        make_video(media / "clip.mp4", width, height)
        (media / "clip.yml").write_text(sidecar)
        if captions:
            (media / captions[0]).write_text(captions[1])
        return root
    return make


def _probe_file(path: Path) -> mediatools.Probe:
    return mediatools.probe(path)


def test_renditions_never_upscale_and_are_web_ready(video_course, tmp_path):
    root = video_course(1280, 720)
    build(root.parent, tmp_path / "out", show_progress=False)
    folder = tmp_path / "out/site/mini/media/clip"
    assert sorted(p.name for p in folder.iterdir()) == ["360p.mp4", "720p.mp4", "captions.en.vtt",
                                                         "chapters.vtt", "poster.jpg"]
    for height in (360, 720):
        info = _probe_file(folder / f"{height}p.mp4")
        assert (info.height, info.video_codec, info.audio_codec) == (height, "h264", "aac")
        data = (folder / f"{height}p.mp4").read_bytes()
        assert data.index(b"moov") < data.index(b"mdat")  # fast start: playable while it loads
    small = video_course(480, 270)
    build(small.parent, tmp_path / "small", show_progress=False)
    assert [p.name for p in (tmp_path / "small/site/mini/media/clip").glob("*.mp4")] == ["270p.mp4"]


def test_unchanged_videos_run_no_ffmpeg_on_rebuild(video_course, tmp_path):
    root = video_course()
    build(root.parent, tmp_path / "out", show_progress=False)
    before = mediatools.RUNS["ffmpeg"]
    lesson = root / "modules/01-intro/02-next.md"
    lesson.write_text(lesson.read_text() + "\nMore text.\n")
    build(root.parent, tmp_path / "out", show_progress=False)
    assert mediatools.RUNS["ffmpeg"] == before
    make_video(root / "media/clip.mp4", 640, 360, seconds=2)  # a changed video is converted again
    build(root.parent, tmp_path / "out", show_progress=False)
    assert mediatools.RUNS["ffmpeg"] > before
    assert len(list((tmp_path / "out/.cache/media").iterdir())) == 1  # the old entry is pruned


def test_an_unchanged_rebuild_writes_no_video_cache_file(video_course, tmp_path):
    root = video_course()
    clip = root / "media/clip.mp4"
    past = time.time_ns() - 60_000_000_000  # older than the racy window: its size and time are trusted
    os.utime(clip, ns=(past, past))
    build(root.parent, tmp_path / "out", show_progress=False)
    sources = tmp_path / "out/.cache/media-sources.json"
    first = sources.stat()
    build(root.parent, tmp_path / "out", show_progress=False)
    again = sources.stat()
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)  # not rewritten


def _errors(root, out):
    with pytest.raises(BuildFailed) as failure:
        build(root.parent, out, show_progress=False)
    return [(Path(d.path).name, d.line, d.message) for d in failure.value.diagnostics.errors]


def test_bad_video_input_names_the_file(video_course, tmp_path):
    root = video_course()
    (root / "media/clip.mp4").write_bytes(b"this is not a video at all" * 100)
    errors = _errors(root, tmp_path / "a")
    assert len(errors) == 1 and errors[0][0] == "clip.mp4" and "video cannot be read" in errors[0][2]

    root = video_course()
    (root / "media/clip.en.vtt").write_text("WEBVTT\n\n00:00:01.000 --> 00:00:00.500\nBackwards.\n")
    assert _errors(root, tmp_path / "b") == [("clip.en.vtt", 3, "captions: the cue ends before it starts")]
    (root / "media/clip.en.vtt").write_text("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nA\n00:00:01.000 --> 00:00:02.000\nB\n")
    assert _errors(root, tmp_path / "c")[0][:2] == ("clip.en.vtt", 5)
    (root / "media/clip.en.vtt").write_text("Not a caption file\n")
    assert _errors(root, tmp_path / "d") == [("clip.en.vtt", 1, "captions: a WebVTT file must start with the line 'WEBVTT'")]

    root = video_course(captions=None)
    assert "has no captions" in _errors(root, tmp_path / "e")[0][2]
    root = video_course(sidecar=SIDECAR.replace("license: CC-BY-4.0\n", "").replace("attribution: brokerlearn tests\n", ""))
    messages = " ".join(e[2] for e in _errors(root, tmp_path / "f"))
    assert "license" in messages and "attribution" in messages
    root = video_course()
    (root / "media/ghost.yml").write_text(SIDECAR)
    assert any(e[0] == "ghost.yml" and "does not exist" in e[2] for e in _errors(root, tmp_path / "g"))


def _validate_vtt(files) -> dict:
    output = subprocess.run(["node", str(REPO / "tests/tools/validate_vtt.cjs"), *map(str, files)],
                            capture_output=True, text=True, check=True, cwd=REPO).stdout
    return json.loads(output)


def test_srt_is_converted_and_every_track_passes_an_independent_validator(video_course, tmp_path, built_example):
    root = video_course(captions=("clip.en.srt", SRT))
    build(root.parent, tmp_path / "out", show_progress=False)
    folder = tmp_path / "out/site/mini/media/clip"
    captions = (folder / "captions.en.vtt").read_text()
    # Each cue is placed four lines up (line:-4) so it never covers the frame's credit line.
    assert captions.startswith("WEBVTT") and "00:00:01.000 --> 00:00:02.500 line:-4\nSecond line." in captions
    chapters = (folder / "chapters.vtt").read_text()
    assert "00:00:01.500 --> 00:00:03.000\nSecond half" in chapters
    files = [folder / "captions.en.vtt", folder / "chapters.vtt", *sorted(built_example.glob("site/**/*.vtt"))]
    assert _validate_vtt(files) == {str(f): [] for f in files}


def test_storyboard_render_captions_match_the_audio(tmp_path, monkeypatch):
    if shutil.which("espeak-ng") is None or chromium_path() is None:
        pytest.skip("espeak-ng and chromium are needed (scripts/setup --test)")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the narration cache, not the user's
    from brokerlearn.authoring.storyboard import SCENE_PAUSE, SENTENCE_PAUSE, render
    course = tmp_path / "course"
    (course / "storyboards").mkdir(parents=True)
    board = course / "storyboards" / "case-tiny.yml"
    board.write_text("title: 'Case study: tiny'\nlicense: CC-BY-4.0\nattribution: brokerlearn tests\nlanguage: en\n"
                     "scenes:\n  - chapter: Start\n    title: A fictional firm\n    body: |\n      One line\n"
                     "    narration: This case is fictional. A firm needs a partner.\n"
                     "  - chapter: Result\n    title: What happened\n    narration: The adviser helped. It worked.\n")
    result = render(board, cache=tmp_path / "cache")
    assert result.video == course / "media" / "case-tiny.mp4"
    info = mediatools.probe(result.video)
    assert (info.width, info.height, info.video_codec, info.audio_codec) == (1280, 720, "h264", "aac")
    assert [c.text for c in result.cues] == ["This case is fictional.", "A firm needs a partner.",
                                             "The adviser helped.", "It worked."]
    spoken = sum(c.end - c.start for c in result.cues)
    pauses = len(result.cues) * SENTENCE_PAUSE + 2 * SCENE_PAUSE
    assert abs(result.duration - (spoken + pauses)) < 0.01  # the captions account for all the audio
    assert abs(info.duration - result.duration) < 0.1  # and the video lasts as long as the audio
    assert all(a.end <= b.start for a, b in zip(result.cues, result.cues[1:]))
    sidecar = (course / "media" / "case-tiny.yml").read_text()
    assert "chapters:" in sidecar and "title: Result" in sidecar and "This case is fictional." in sidecar
    assert _validate_vtt([result.captions]) == {str(result.captions): []}


def test_storyboard_errors_are_clear(tmp_path, monkeypatch):
    from click.testing import CliRunner
    from brokerlearn.cli import main
    board = tmp_path / "bad.yml"
    board.write_text("title: x\nlicense: CC-BY-4.0\nattribution: a\nlanguage: en\nscenes:\n  - title: t\n")
    result = CliRunner().invoke(main, ["video", "render", str(board)])
    assert result.exit_code == 1 and "bad.yml:6" in result.output and "narration" in result.output
    board.write_text("title: x\nlicense: CC-BY-4.0\nattribution: a\nlanguage: en\nscenes:\n"
                     "  - title: t\n    narration: Hello.\n")
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name: None if name == "espeak-ng" else real_which(name))
    from brokerlearn.authoring import narration
    monkeypatch.setattr(narration, "installed_piper_voices", lambda: ())  # espeak-ng is the only voice left
    result = CliRunner().invoke(main, ["video", "render", str(board)])
    assert result.exit_code == 1 and "espeak-ng is needed" in result.output and "apt-get install espeak-ng" in result.output


@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
def test_caption_track_loads_and_transcript_seeks(video_course, tmp_path):
    root = video_course()
    build(root.parent, tmp_path / "out", show_progress=False)
    with serve_dir(tmp_path / "out" / "site") as base, browser() as chromium:
        page = chromium.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(base + "mini/intro/start/index.html")
        page.wait_for_function("document.querySelector('video').readyState >= 1")
        cues = page.evaluate("""() => new Promise(resolve => {
            const track = document.querySelector('video').textTracks[0];
            track.mode = 'showing';
            const el = document.querySelector('track[kind=captions]');
            const done = () => resolve(Array.from(track.cues || []).map(c => c.text));
            if (el.readyState === 2) done(); else el.addEventListener('load', done);
        })""")
        assert cues == ["Hello there.", "Second line."]
        page.click(".transcript-cues li:nth-child(2) a")
        page.wait_for_function("Math.abs(document.querySelector('video').currentTime - 1.0) < 0.3")
        page.wait_for_selector(".transcript-cues li:nth-child(2)[aria-current=true]")  # the highlight follows
        page.select_option(".video-speed", "1.5")
        assert page.evaluate("document.querySelector('video').playbackRate") == 1.5
        # Watch coverage counts played stretches only: a seek past the middle adds nothing.
        share = page.evaluate("""() => { const c = window.brokerlearnVideos['clip'];
            c.spans = []; c.add(0, 1); c.add(2.5, 3); return c.share(); }""")
        assert abs(share - 0.5) < 0.01
        page.screenshot(path=str(REPO / "tests/artifacts/video-player.png"), full_page=True)
        assert errors == []


def test_two_videos_with_the_same_content_are_converted_once(video_course, tmp_path):
    root = video_course()
    shutil.copy(root / "media/clip.mp4", root / "media/copy.mp4")
    shutil.copy(root / "media/clip.yml", root / "media/copy.yml")
    shutil.copy(root / "media/clip.en.vtt", root / "media/copy.en.vtt")
    before = mediatools.RUNS["ffmpeg"]
    build(root.parent, tmp_path / "out", show_progress=False)
    assert mediatools.RUNS["ffmpeg"] - before == 1 + 2  # one probe, one rendition and one poster
    assert (tmp_path / "out/site/mini/media/copy/360p.mp4").read_bytes() == \
        (tmp_path / "out/site/mini/media/clip/360p.mp4").read_bytes()


def test_pip_only_install_uses_the_wheels_ffmpeg_and_probes_without_ffprobe(monkeypatch, tmp_path):
    """Without ffmpeg on PATH the imageio-ffmpeg wheel's binary is used; it has no ffprobe, and
    probing reads what 'ffmpeg -i' prints."""
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    source = make_video(tmp_path / "in.mp4", 320, 240, seconds=2)
    real_which = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name: None if name in ("ffmpeg", "ffprobe") else real_which(name))
    assert mediatools.ffmpeg_exe() == imageio_ffmpeg.get_ffmpeg_exe()
    info = mediatools.probe(source)
    assert (info.width, info.height, info.video_codec, info.audio_codec) == (320, 240, "h264", "aac")
    assert abs(info.duration - 2.0) < 0.1


def test_captions_sit_clear_of_the_credit_line_of_the_frames():
    """Issue 16: browsers draw captions at the very bottom, over the credit line storyboard
    frames carry; published captions are placed four lines up, unless the author placed a cue."""
    from brokerlearn.compiler.video.player import clear_of_credit
    from brokerlearn.course.webvtt import Cue, to_vtt
    cues = clear_of_credit([Cue(0, 2, "Hello"), Cue(2, 4, "Up here", settings="line:10% align:start")])
    vtt = to_vtt(cues)
    assert "00:00:00.000 --> 00:00:02.000 line:-4\nHello" in vtt
    assert "00:00:02.000 --> 00:00:04.000 line:10% align:start\nUp here" in vtt
