"""Video pipeline benchmark: its encode time against the equivalent ffmpeg command line on the
same input in the same run, and the cached rebuild of a course with 10 videos. See README.md.

    .venv/bin/python bench/video_pipeline.py [--seconds 30] [--repeat 3]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from brokerlearn.compiler.pipeline import build
from brokerlearn import mediatools
from brokerlearn.compiler.video.renditions import BITRATES, VideoPipeline, target_heights
from brokerlearn.course.model import Course, Video

LESSON = "---\ntitle: Case {n}\n---\n\n## Watch\n\n::: video case{n}\n:::\n"
SIDECAR = "title: Case {n}\nlicense: CC-BY-4.0\nattribution: bench\nlanguage: en\n"
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nCase {n}.\n"


def make_video(path: Path, seconds: float, width=1280, height=720, tone=300) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                    f"testsrc2=size={width}x{height}:rate=25:duration={seconds}", "-f", "lavfi", "-i",
                    f"sine=frequency={tone}:duration={seconds}", "-c:v", "libx264", "-preset", "ultrafast",
                    "-pix_fmt", "yuv420p", "-shortest", "-y", str(path)], check=True)


def hand_command(source: Path, out: Path) -> list[str]:
    """One ffmpeg command that makes what the pipeline makes: every rendition and the poster."""
    args = ["ffmpeg", "-hide_banner", "-nostdin", "-loglevel", "error", "-i", str(source)]
    for height in target_heights(720):
        args += ["-map", "0:v", "-map", "0:a", "-vf", f"scale=-2:{height}", "-c:v", "libx264", "-preset", "veryfast",
                 "-crf", "23", "-maxrate", BITRATES[height], "-bufsize", "4M", "-pix_fmt", "yuv420p",
                 "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", "-y", str(out / f"{height}p.mp4")]
    args += ["-map", "0:v", "-ss", "1", "-frames:v", "1", "-q:v", "3", "-y", str(out / "poster.jpg")]
    return args


def pipeline_once(source: Path, work: Path) -> float:
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    course = Course("bench", "Bench", "1", "en", "CC-BY-4.0", [], "", None, work, [])
    course.videos = {"case": Video("case", source, {"title": "x"}, {})}
    from brokerlearn.errors import Diagnostics
    started = time.perf_counter()
    VideoPipeline(cache).process([course], Diagnostics(), show_progress=False)
    return time.perf_counter() - started


def hand_once(source: Path, work: Path) -> float:
    out = work / "hand"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    started = time.perf_counter()
    subprocess.run(hand_command(source, out), check=True)
    return time.perf_counter() - started


def course_with_videos(root: Path, count: int, seconds: float) -> Path:
    course = root / "courses" / "bench"
    module = course / "modules" / "01-cases"
    module.mkdir(parents=True)
    (course / "media").mkdir()
    (course / "course.yml").write_text("id: bench\ntitle: Bench\nlanguage: en\nmodules: [01-cases]\n")
    (module / "module.yml").write_text("title: Cases\nlessons: [" + ", ".join(f"{n:02}-case-{n}" for n in range(count)) + "]\n")
    for n in range(count):
        (module / f"{n:02}-case-{n}.md").write_text(LESSON.format(n=n))
        make_video(course / "media" / f"case{n}.mp4", seconds, 640, 360, tone=300 + 50 * n)  # ten different files
        (course / "media" / f"case{n}.yml").write_text(SIDECAR.format(n=n))
        (course / "media" / f"case{n}.en.vtt").write_text(VTT.format(n=n))
    return course.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of the 720p test video")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("ffmpeg") is None:
        sys.exit("ffmpeg is not installed")
    work = Path(tempfile.mkdtemp(prefix="brokerlearn-video-bench-"))
    try:
        source = work / "input.mp4"
        make_video(source, args.seconds)
        pipeline, hand = [], []
        for _ in range(args.repeat):  # interleaved, so drift in the machine's speed hits both
            hand.append(hand_once(source, work))
            pipeline.append(pipeline_once(source, work))
        p, h = statistics.median(pipeline), statistics.median(hand)
        print(f"encode {args.seconds:.0f} s of 720p into 360p + 720p + poster (median of {args.repeat}):")
        print(f"  pipeline {p:6.2f} s   one ffmpeg command {h:6.2f} s   overhead {100 * (p / h - 1):+.1f}%")

        courses = course_with_videos(work / "ten", 10, 5)
        out = work / "ten-out"
        started = time.perf_counter()
        build(courses, out, show_progress=False)
        first = time.perf_counter() - started
        runs = mediatools.RUNS["ffmpeg"]
        cached = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            build(courses, out, show_progress=False)
            cached.append(time.perf_counter() - started)
        print(f"course with 10 videos (5 s, 360p sources): first build {first:.2f} s, cached rebuild "
              f"{statistics.median(cached):.3f} s (median of {args.repeat}), ffmpeg processes in the "
              f"rebuilds: {mediatools.RUNS['ffmpeg'] - runs}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
