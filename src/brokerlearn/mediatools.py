"""The ffmpeg binary and what it reports.

ffmpeg comes from PATH, or else from the imageio-ffmpeg wheel so that a pip-only install works.
That wheel has no ffprobe, so probing reads what `ffmpeg -i` prints, which every build has.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path

from brokerlearn.errors import UsageError

_count_lock = threading.Lock()
RUNS = {"ffmpeg": 0}  # processes started, for tests and benchmarks: a cached build starts none


def ffmpeg_exe() -> str:
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg
        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        raise UsageError("ffmpeg is needed for videos: install it (Debian: apt-get install ffmpeg) "
                         "or pip install imageio-ffmpeg") from None


def run(args: list[str], timeout: float | None = None) -> subprocess.CompletedProcess:
    with _count_lock:
        RUNS["ffmpeg"] += 1
    return subprocess.run([ffmpeg_exe(), "-hide_banner", "-nostdin", *args], capture_output=True, text=True,
                          errors="replace", timeout=timeout)


@dataclass
class Probe:
    duration: float
    width: int
    height: int
    video_codec: str
    audio_codec: str | None
    pixel_format: str | None = None  # yuv420p, as ffmpeg names it
    video_kbps: int | None = None  # the video stream's bit rate, when the container says it
    container: str = ""  # ffmpeg's names of the input format: "mov,mp4,m4a,3gp,3g2,mj2"


class ProbeError(ValueError):
    pass


_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\S+.*?: Video: (\w+).*?, (\d{2,5})x(\d{2,5})")
_AUDIO = re.compile(r"Stream #\S+.*?: Audio: (\w+)")
_VIDEO_LINE = re.compile(r"Stream #\S+.*?: Video: .*")
_PIXEL_FORMAT = re.compile(r", ((?:yuv|yuvj|nv|gray|rgb|bgr|gbr)\w*)")
_KBPS = re.compile(r"(\d+) kb/s")
_CONTAINER = re.compile(r"^Input #0, ([\w,]+), from", re.M)


def parse_probe(report: str) -> Probe:
    duration, video = _DURATION.search(report), _VIDEO.search(report)
    if not duration or not video:
        last = next((l.strip() for l in reversed(report.strip().splitlines()) if l.strip()), "no output")
        raise ProbeError(f"not a readable video ({last})")
    hours, minutes, seconds = duration.groups()
    audio = _AUDIO.search(report)
    line = _VIDEO_LINE.search(report).group(0)
    pixels, kbps, container = _PIXEL_FORMAT.search(line), _KBPS.search(line), _CONTAINER.search(report)
    return Probe(int(hours) * 3600 + int(minutes) * 60 + float(seconds), int(video.group(2)), int(video.group(3)),
                 video.group(1), audio.group(1) if audio else None, pixels.group(1) if pixels else None,
                 int(kbps.group(1)) if kbps else None, container.group(1) if container else "")


def probe(path: Path) -> Probe:
    """Duration, size and codecs, from `ffmpeg -i` (which exits 1: no output file is given)."""
    result = run(["-i", str(path)], timeout=120)
    return parse_probe(result.stderr)
