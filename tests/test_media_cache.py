"""The media cache that builds share (--media-cache, BROKERLEARN_MEDIA_CACHE) and the stream copy
of a source that already is a rendition. ffmpeg is counted by a wrapper on PATH that logs each
command line, so builds in other processes are counted too."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from brokerlearn import mediatools
from brokerlearn.compiler.pipeline import build
from brokerlearn.compiler.video.renditions import can_copy
from test_video import LESSON, SIDECAR, VTT, make_video

pytestmark = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed (scripts/setup)")
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def counted_ffmpeg(tmp_path, monkeypatch):
    """PATH starts with an ffmpeg that logs its arguments (one line a run) and runs the real one;
    an encode waits a second more, so that builds started together overlap. Returns the log."""
    real = shutil.which("ffmpeg")
    folder = tmp_path / "bin"
    folder.mkdir()
    log = tmp_path / "ffmpeg.log"
    wrapper = folder / "ffmpeg"
    wrapper.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\n'
                       f'case "$*" in *libx264*) sleep 1;; esac\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("BROKERLEARN_MEDIA_CACHE", raising=False)
    monkeypatch.delenv("BROKERLEARN_VIDEO_PRESET", raising=False)  # the production default
    log.touch()
    return log


def runs(log: Path, word: str) -> int:
    return sum(word in line for line in log.read_text().splitlines())


def two_video_course(make_course, log: Path) -> Path:
    """Two videos of 640x480 (their 360p rendition must be scaled: an encode each); the log
    starts empty after making them."""
    lesson = LESSON + "\n::: video other\n:::\n"
    root = make_course({"modules/01-intro/01-start.md": lesson, "media/clip.yml": SIDECAR, "media/clip.en.vtt": VTT,
                        "media/other.yml": SIDECAR, "media/other.en.vtt": VTT})
    make_video(root / "media/clip.mp4", 640, 480, seconds=2)
    make_video(root / "media/other.mp4", 640, 480, seconds=3)
    log.write_text("")
    return root


def test_two_builds_at_once_sharing_a_cache_encode_each_video_once(make_course, tmp_path, counted_ffmpeg):
    root = two_video_course(make_course, counted_ffmpeg)
    cache = tmp_path / "media-cache"
    builds = [subprocess.Popen([sys.executable, "-m", "brokerlearn", "build", str(root.parent), "-o",
                                str(tmp_path / name), "--media-cache", str(cache), "--no-progress"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
              for name in ("a", "b")]
    for process in builds:
        _, err = process.communicate(timeout=600)
        assert process.returncode == 0, err
    assert runs(counted_ffmpeg, "libx264") == 2  # one 360p encode a video, in one of the two builds
    assert runs(counted_ffmpeg, "vframes") == 2  # one poster a video
    for name in ("clip", "other"):
        assert (tmp_path / f"a/site/mini/media/{name}/360p.mp4").read_bytes() == \
            (tmp_path / f"b/site/mini/media/{name}/360p.mp4").read_bytes()
    entries = sorted(p.name for p in cache.iterdir() if p.is_dir())
    assert len(entries) == 2 and not any("partial" in name for name in entries)  # whole entries only
    assert not (tmp_path / "a/.cache/media").exists() and not (tmp_path / "b/.cache/media").exists()


def test_the_environment_names_the_shared_cache_and_a_changed_video_keeps_the_old_entry(
        make_course, tmp_path, counted_ffmpeg, monkeypatch):
    root = two_video_course(make_course, counted_ffmpeg)
    monkeypatch.setenv("BROKERLEARN_MEDIA_CACHE", str(tmp_path / "shared"))
    build(root.parent, tmp_path / "one", show_progress=False)
    encoded = runs(counted_ffmpeg, "libx264")
    before = mediatools.RUNS["ffmpeg"]
    build(root.parent, tmp_path / "two", show_progress=False)  # another folder, the same videos
    assert mediatools.RUNS["ffmpeg"] == before and (tmp_path / "two/site/mini/media/clip/360p.mp4").is_file()
    make_video(root / "media/clip.mp4", 640, 480, seconds=1)
    encoded += 1  # make_video's own encode
    build(root.parent, tmp_path / "two", show_progress=False)
    assert runs(counted_ffmpeg, "libx264") == encoded + 1  # the changed video alone
    # Folder one still uses the old version: the shared cache is not pruned by folder two's build.
    assert len([p for p in (tmp_path / "shared").iterdir() if p.is_dir()]) == 3


def test_the_preset_is_part_of_the_entry_key_and_an_unknown_one_is_refused(
        make_course, tmp_path, counted_ffmpeg, monkeypatch):
    from brokerlearn.errors import UsageError
    root = two_video_course(make_course, counted_ffmpeg)
    cache = tmp_path / "shared"
    monkeypatch.setenv("BROKERLEARN_MEDIA_CACHE", str(cache))
    build(root.parent, tmp_path / "one", show_progress=False, video_preset="ultrafast")
    assert runs(counted_ffmpeg, "-preset ultrafast") == 2 and runs(counted_ffmpeg, "-preset veryfast") == 0
    build(root.parent, tmp_path / "one", show_progress=False)  # the default: not the ultrafast entries
    assert runs(counted_ffmpeg, "-preset veryfast") == 2
    names = sorted(p.name.rsplit("-", 1)[1] for p in cache.iterdir() if p.is_dir())
    assert names == ["ultrafast", "ultrafast", "veryfast", "veryfast"]
    monkeypatch.setenv("BROKERLEARN_VIDEO_PRESET", "ultrafast")  # the environment names it too
    build(root.parent, tmp_path / "two", show_progress=False)
    assert runs(counted_ffmpeg, "libx264") == 4  # its entries are there already
    with pytest.raises(UsageError, match="unknown video preset 'fastest'"):
        build(root.parent, tmp_path / "three", show_progress=False, video_preset="fastest")


def _video_packets_md5(path: Path) -> str:
    """A hash of the video stream's packets as stored: equal only if not encoded again."""
    done = subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-i", str(path), "-map", "0:v:0",
                           "-c", "copy", "-f", "hash", "-hash", "md5", "-"], capture_output=True, text=True, check=True)
    return done.stdout.strip()


def test_a_720p_h264_source_is_copied_into_its_720p_rendition(make_course, tmp_path, counted_ffmpeg):
    """The storyboard renderer writes 720p H.264/AAC: its 720p rendition is a stream copy (with
    the index moved to the front), only the 360p one is encoded."""
    root = make_course({"modules/01-intro/01-start.md": LESSON, "media/clip.yml": SIDECAR, "media/clip.en.vtt": VTT})
    source = root / "media/clip.mp4"
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                    "testsrc=size=1280x720:rate=10:duration=2", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
                    "-c:v", "libx264", "-preset", "veryfast", "-crf", "30", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-shortest", "-y", str(source)], check=True)
    data = source.read_bytes()
    assert data.index(b"mdat") < data.index(b"moov")  # the source has its index at the end
    info = mediatools.probe(source)
    assert (info.video_codec, info.pixel_format, info.height) == ("h264", "yuv420p", 720) and info.video_kbps <= 2500
    counted_ffmpeg.write_text("")  # the build's runs only
    build(root.parent, tmp_path / "out", show_progress=False)
    folder = tmp_path / "out/site/mini/media/clip"
    assert runs(counted_ffmpeg, "libx264") == 1 and runs(counted_ffmpeg, "-c copy") == 1
    assert _video_packets_md5(folder / "720p.mp4") == _video_packets_md5(source)
    assert _video_packets_md5(folder / "360p.mp4") != _video_packets_md5(source)
    copied = (folder / "720p.mp4").read_bytes()
    assert copied.index(b"moov") < copied.index(b"mdat")  # fast start
    rendition = mediatools.probe(folder / "720p.mp4")
    assert (rendition.height, rendition.video_codec, rendition.audio_codec) == (720, "h264", "aac")


def test_only_a_source_that_already_is_the_rendition_is_copied():
    source = mediatools.Probe(60.0, 1280, 720, "h264", "aac", "yuv420p", 900, "mov,mp4,m4a,3gp,3g2,mj2")
    assert can_copy(source, 720) and not can_copy(source, 360)  # 360p is a smaller picture: encoded
    variants = {"no sound": {"audio_codec": None}}
    refused = {"too many bits": {"video_kbps": 8000}, "bit rate unknown": {"video_kbps": None},
               "4:4:4 colour": {"pixel_format": "yuv444p"}, "10 bits": {"pixel_format": "yuv420p10le"},
               "HEVC": {"video_codec": "hevc"}, "Opus sound": {"audio_codec": "opus"},
               "WebM": {"container": "matroska,webm"}, "odd width": {"width": 1279}}
    for change in variants.values():
        assert can_copy(mediatools.Probe(**{**source.__dict__, **change}), 720)
    for why, change in refused.items():
        assert not can_copy(mediatools.Probe(**{**source.__dict__, **change}), 720), why


def test_the_tests_kept_renditions_follow_the_pipeline_and_ffmpeg(counted_ffmpeg, tmp_path, monkeypatch):
    """The renditions the test runs keep between runs (tests/conftest.py) are another cache when
    another ffmpeg converts them, so a renewed ffmpeg never serves the old one's files; the
    variable set empty turns the keeping off, and an entry a killed run left half-made goes."""
    import time
    from conftest import TEST_MEDIA_CACHE_ENV, kept_media_cache, remove_abandoned_entries
    monkeypatch.setenv(TEST_MEDIA_CACHE_ENV, str(tmp_path / "kept"))
    first = kept_media_cache()
    assert first.parent == tmp_path / "kept" and kept_media_cache() == first
    wrapper = counted_ffmpeg.parent / "bin" / "ffmpeg"
    wrapper.write_text(wrapper.read_text().replace('exec "', 'case "$*" in -version) echo "ffmpeg version 0.0-other"; '
                                                   'exit 0;; esac\nexec "'))
    assert kept_media_cache() not in (None, first)
    monkeypatch.setenv(TEST_MEDIA_CACHE_ENV, "")
    assert kept_media_cache() is None
    old, young = first / "k1.partial-1-2", first / "k2.partial-3-4"
    for work in (old, young):
        work.mkdir(parents=True)
    os.utime(old, (time.time() - 7 * 3600,) * 2)
    remove_abandoned_entries(first)
    assert not old.exists() and young.exists()
