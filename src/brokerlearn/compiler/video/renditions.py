"""Web renditions of course videos: H.264/AAC MP4 with fast start at 360p and 720p (never
upscaled) and a poster image, cached by the source's content hash under OUT/.cache/media/.

A rebuild with unchanged videos starts no ffmpeg process: the cache entry's meta.json (written
last, atomically) holds the probe and the list of files.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import ffmpeg

from brokerlearn.compiler.progress import progress_bar
from brokerlearn import mediatools
from brokerlearn.course.loader import LessonMemo
from brokerlearn.course.model import Course, Video
from brokerlearn.errors import Diagnostics
from brokerlearn.fs import atomic_write_text

PIPELINE_VERSION = "1"
HEIGHTS = (360, 720)
BITRATES = {360: "800k", 720: "2500k"}


@dataclass
class VideoOutput:
    """What the player needs: files in the cache entry, and the probe."""
    name: str
    folder: Path
    duration: float
    width: int
    height: int
    renditions: list[dict] = field(default_factory=list)  # [{height, file}]
    poster: str = "poster.jpg"


def content_key(path: Path) -> str:
    digest = hashlib.sha256(PIPELINE_VERSION.encode())
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:32]


def target_heights(source_height: int) -> list[int]:
    """360p and 720p, never above the source; a source below 360p keeps its own height."""
    heights = [h for h in HEIGHTS if h <= source_height]
    return heights or [source_height - source_height % 2]


def encode_args(source: Path, target: Path, height: int, has_audio: bool) -> list[str]:
    """The ffmpeg arguments of one rendition (the benchmark runs the same line by hand)."""
    stream = ffmpeg.input(str(source))
    video = stream.video.filter("scale", -2, height)
    streams = [video, stream.audio] if has_audio else [video]
    options = {"vcodec": "libx264", "preset": "veryfast", "crf": 23, "maxrate": BITRATES.get(height, "800k"),
               "bufsize": "4M", "pix_fmt": "yuv420p", "movflags": "+faststart"}
    if has_audio:
        options.update(acodec="aac", audio_bitrate="128k")
    return ffmpeg.output(*streams, str(target), **options).overwrite_output().get_args()


def _poster_args(source: Path, target: Path, at: float) -> list[str]:
    return (ffmpeg.input(str(source), ss=at).output(str(target), vframes=1, **{"q:v": 3})
            .overwrite_output().get_args())


def _run_checked(args: list[str], what: str) -> None:
    result = mediatools.run(args)
    if result.returncode != 0:
        last = next((l for l in reversed(result.stderr.strip().splitlines()) if l.strip()), "")
        raise mediatools.ProbeError(f"{what} failed: {last}")


class VideoPipeline:
    def __init__(self, cache_root: Path, workers: int | None = None):
        self.cache_root = cache_root
        self.workers = workers or os.cpu_count() or 1
        self._stats_path = cache_root.parent / "media-sources.json"  # beside the entries, not among them
        try:
            self._stats = json.loads(self._stats_path.read_text())
        except (OSError, ValueError):
            self._stats = {}
        self._stats_changed = False

    def _key(self, path: Path) -> str:
        """The content key, without reading an untouched video again (its size and time are
        trusted as for lessons: only when it was already older than the racy window)."""
        stat = path.stat()
        known = self._stats.get(str(path))
        if (known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns
                and known[1] < known[3] - LessonMemo.RACY_NS):
            return known[2]
        key = content_key(path)
        self._stats[str(path)] = [stat.st_size, stat.st_mtime_ns, key, time.time_ns()]
        self._stats_changed = True
        return key

    def _save_stats(self) -> None:
        """Written only when a video was looked at afresh: an unchanged build writes nothing."""
        if not self._stats_changed:
            return
        self._stats_changed = False
        self._stats_path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self._stats_path, json.dumps(self._stats), sync=False)  # a cache

    def process(self, courses: list[Course], diags: Diagnostics, show_progress=None) -> None:
        """Fill course.video_outputs for every video; errors (unreadable files) go to diags."""
        pending = []
        for course in courses:
            for video in course.videos.values():
                key = self._key(video.source)
                folder = self.cache_root / key
                meta = self._meta(folder)
                if meta is not None:
                    course.video_outputs[video.name] = self._output(video.name, folder, meta)
                else:
                    pending.append((course, video, folder))
        self._save_stats()
        if not pending:
            return
        probes = {}
        for course, video, folder in pending:
            try:
                probes[video.source] = mediatools.probe(video.source)
            except mediatools.ProbeError as exc:
                diags.error(video.source, 1, 1, f"video cannot be read: {exc}")
        jobs = [(course, video, folder, probes[video.source]) for course, video, folder in pending
                if video.source in probes]
        tasks, planned = [], set()
        for course, video, folder, info in jobs:
            if folder in planned:
                continue  # the same content under two names: converted once, shared
            planned.add(folder)
            folder.mkdir(parents=True, exist_ok=True)
            for height in target_heights(info.height):
                tasks.append((video, folder, info, height))
            tasks.append((video, folder, info, None))  # the poster
        failed = set()
        started = time.perf_counter()
        with progress_bar(len(tasks), "encoding video", show_progress) as bar, \
                ThreadPoolExecutor(self.workers) as pool:
            futures = {pool.submit(self._encode, *task): task for task in tasks}
            for future in as_completed(futures):
                video = futures[future][0]
                try:
                    future.result()
                except mediatools.ProbeError as exc:
                    if video.source not in failed:
                        diags.error(video.source, 1, 1, f"video cannot be converted: {exc}")
                    failed.add(video.source)
                bar.update(1)
        failed_folders = {folder for _, video, folder, _ in jobs if video.source in failed}
        for course, video, folder, info in jobs:
            if folder in failed_folders:
                continue
            meta = {"duration": info.duration, "width": info.width, "height": info.height,
                    "renditions": [{"height": h, "file": f"{h}p.mp4"} for h in target_heights(info.height)],
                    "poster": "poster.jpg", "seconds": round(time.perf_counter() - started, 2)}
            atomic_write_text(folder / "meta.json", json.dumps(meta), sync=False)
            course.video_outputs[video.name] = self._output(video.name, folder, meta)

    @staticmethod
    def _encode(video: Video, folder: Path, info: mediatools.Probe, height: int | None) -> None:
        if height is None:
            _run_checked(_poster_args(video.source, folder / "poster.jpg", min(1.0, info.duration / 3)), "poster")
            return
        partial = folder / f"{height}p.partial.mp4"
        _run_checked(encode_args(video.source, partial, height, info.audio_codec is not None), f"{height}p encode")
        os.replace(partial, folder / f"{height}p.mp4")

    @staticmethod
    def _meta(folder: Path) -> dict | None:
        try:
            meta = json.loads((folder / "meta.json").read_text())
        except (OSError, ValueError):
            return None
        files = [r["file"] for r in meta["renditions"]] + [meta["poster"]]
        return meta if all((folder / f).is_file() for f in files) else None

    @staticmethod
    def _output(name: str, folder: Path, meta: dict) -> VideoOutput:
        return VideoOutput(name, folder, meta["duration"], meta["width"], meta["height"], meta["renditions"],
                           meta["poster"])

    def prune(self, courses: list[Course]) -> None:
        """Forget cache entries that no video of this build uses (old versions of edited videos)."""
        import shutil
        used = {output.folder.name for course in courses for output in course.video_outputs.values()}
        if not self.cache_root.is_dir() or not used and not any(c.videos for c in courses):
            return
        self._stats = {path: known for path, known in self._stats.items() if known[2] in used}
        self._save_stats()
        for entry in self.cache_root.iterdir():
            if entry.is_dir() and entry.name not in used:
                shutil.rmtree(entry, ignore_errors=True)
