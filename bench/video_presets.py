"""x264 presets of the video renditions: CPU seconds and file size of each preset's 360p rendition
of one video (default: the flagship's longest), measured in the same run, as ratios to the
default preset's. CPU seconds are ffmpeg's own (user + sys), which the neighbours of a busy
machine do not change as they change the wall clock.

    .venv/bin/python bench/video_presets.py [--video FILE] [--presets ultrafast,superfast,veryfast]
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

from brokerlearn import mediatools
from brokerlearn.compiler.video.renditions import DEFAULT_PRESET, encode_args

FLAGSHIP_MEDIA = Path(__file__).resolve().parents[1] / "courses" / "online-collaboration" / "media"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def encode(video: Path, target: Path, preset: str) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, bytes) of one 360p rendition with `preset`."""
    has_audio = mediatools.probe(video).audio_codec is not None
    args = [mediatools.ffmpeg_exe(), "-nostdin", "-loglevel", "error",
            *encode_args(video, target, 360, has_audio, preset)]
    cpu, wall = children_cpu(), time.perf_counter()
    subprocess.run(args, check=True)
    return children_cpu() - cpu, time.perf_counter() - wall, target.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--video", type=Path, default=max(FLAGSHIP_MEDIA.glob("*.mp4"), key=lambda p: p.stat().st_size))
    parser.add_argument("--presets", default=f"ultrafast,superfast,{DEFAULT_PRESET}")
    options = parser.parse_args()
    presets = options.presets.split(",")
    print(f"{options.video.name}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as folder:
        results = {p: encode(options.video, Path(folder) / f"{p}.mp4", p) for p in presets}
    base_cpu, _, base_size = results.get(DEFAULT_PRESET, results[presets[-1]])
    print(f"{'preset':<10} {'CPU s':>7} {'wall s':>7} {'MB':>6} {'CPU ratio':>9} {'size ratio':>10}")
    for preset, (cpu, wall, size) in results.items():
        print(f"{preset:<10} {cpu:7.1f} {wall:7.1f} {size / 1e6:6.2f} {cpu / base_cpu:9.2f} {size / base_size:10.2f}")


if __name__ == "__main__":
    main()
