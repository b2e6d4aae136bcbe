"""Web renditions of course videos: H.264/AAC MP4 with fast start at 360p and 720p (never
upscaled) and a poster image, cached by the source's content hash under OUT/.cache/media/, or in
a media cache that many builds share (`brokerlearn build --media-cache DIR`, or the environment
variable BROKERLEARN_MEDIA_CACHE).

A rebuild with unchanged videos starts no ffmpeg process: the cache entry's meta.json holds the
probe and the list of files. An entry is made in a folder of its own and renamed into place
whole, under a lock of its key, so two builds at once convert a video once and a reader never
sees half an entry. A source that already is what a rendition would be (H.264 in yuv420p, AAC
or no sound, in MP4, at the rendition's height and within its bit rate: the storyboard
renderer's 720p) is copied into that rendition without encoding it again.

The x264 preset (`--video-preset`, or BROKERLEARN_VIDEO_PRESET; default veryfast) trades file
size for encoding time: a machine that rebuilds often may take a faster one. It is part of each
entry's key, so renditions of two presets are never taken for one another.
"""
from __future__ import annotations

import hashlib
import json
import fcntl
import os
import shutil
import threading
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
MEDIA_CACHE_ENV = "BROKERLEARN_MEDIA_CACHE"
PRESET_ENV = "BROKERLEARN_VIDEO_PRESET"
# x264's presets, fastest first: each is slower to encode and makes smaller files at one quality.
PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow")
DEFAULT_PRESET = "veryfast"


def shared_cache(given: Path | None = None) -> Path | None:
    """The media cache that builds share: `given` (--media-cache), else BROKERLEARN_MEDIA_CACHE,
    else none (each build keeps its own under OUT/.cache/media/)."""
    if given:
        return Path(given).expanduser()
    named = os.environ.get(MEDIA_CACHE_ENV, "").strip()
    return Path(named).expanduser() if named else None


def encoder_preset(given: str | None = None) -> str:
    """The x264 preset of a build: `given` (--video-preset), else BROKERLEARN_VIDEO_PRESET, else
    veryfast. An unknown name is a usage error, before any video is converted."""
    from brokerlearn.errors import UsageError
    name = (given or os.environ.get(PRESET_ENV, "")).strip() or DEFAULT_PRESET
    if name not in PRESETS:
        raise UsageError(f"unknown video preset {name!r} (one of: {', '.join(PRESETS)})")
    return name


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


def entry_name(content: str, preset: str) -> str:
    """The cache entry of a video's content converted with `preset` (named so a person can tell)."""
    return f"{content}-{preset}"


def target_heights(source_height: int) -> list[int]:
    """360p and 720p, never above the source; a source below 360p keeps its own height."""
    heights = [h for h in HEIGHTS if h <= source_height]
    return heights or [source_height - source_height % 2]


def encode_args(source: Path, target: Path, height: int, has_audio: bool,
                preset: str = DEFAULT_PRESET) -> list[str]:
    """The ffmpeg arguments of one rendition (the benchmark runs the same line by hand)."""
    stream = ffmpeg.input(str(source))
    video = stream.video.filter("scale", -2, height)
    streams = [video, stream.audio] if has_audio else [video]
    options = {"vcodec": "libx264", "preset": preset, "crf": 23, "maxrate": BITRATES.get(height, "800k"),
               "bufsize": "4M", "pix_fmt": "yuv420p", "movflags": "+faststart"}
    if has_audio:
        options.update(acodec="aac", audio_bitrate="128k")
    return ffmpeg.output(*streams, str(target), **options).overwrite_output().get_args()


def can_copy(info: mediatools.Probe, height: int) -> bool:
    """Whether the source already is the rendition of `height`: H.264 in yuv420p with AAC or no
    sound, in MP4 (or QuickTime, its sibling), at that height with an even width and at most the
    rendition's bit rate. It is then copied stream by stream (with fast start), not encoded."""
    limit = int(BITRATES.get(height, "800k").rstrip("k"))
    return ("mp4" in info.container.split(",") and info.video_codec == "h264" and info.pixel_format == "yuv420p"
            and info.audio_codec in (None, "aac") and info.height == height and info.width % 2 == 0
            and info.video_kbps is not None and info.video_kbps <= limit)


def copy_args(source: Path, target: Path) -> list[str]:
    """A stream copy of the first video and audio stream into MP4 with its index first."""
    return ["-i", str(source), "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", "-movflags", "+faststart",
            "-y", str(target)]


def _poster_args(source: Path, target: Path, at: float) -> list[str]:
    return (ffmpeg.input(str(source), ss=at).output(str(target), vframes=1, **{"q:v": 3})
            .overwrite_output().get_args())


def _run_checked(args: list[str], what: str) -> None:
    result = mediatools.run(args)
    if result.returncode != 0:
        last = next((l for l in reversed(result.stderr.strip().splitlines()) if l.strip()), "")
        raise mediatools.ProbeError(f"{what} failed: {last}")


class VideoPipeline:
    def __init__(self, cache_root: Path, workers: int | None = None, stats_path: Path | None = None,
                 shared: bool = False, preset: str = DEFAULT_PRESET):
        """`cache_root` holds one folder per content key and preset; `shared` says other builds
        use it too (prune then leaves it alone). `stats_path` is the build's own memo of its
        sources. `preset` is x264's (encoder_preset)."""
        self.cache_root = cache_root
        self.shared = shared
        self.preset = preset
        self.workers = workers or os.cpu_count() or 1
        self._stats_path = stats_path or cache_root.parent / "media-sources.json"  # beside the entries
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
        pending: dict[Path, list[tuple[Course, Video]]] = {}  # the same content under two names: once
        for course in courses:
            for video in course.videos.values():
                folder = self.cache_root / entry_name(self._key(video.source), self.preset)
                meta = self._meta(folder)
                if meta is not None:
                    course.video_outputs[video.name] = self._output(video.name, folder, meta)
                else:
                    pending.setdefault(folder, []).append((course, video))
        self._save_stats()
        if not pending:
            return
        self.cache_root.mkdir(parents=True, exist_ok=True)
        locks, busy = {}, []
        try:
            for folder in pending:  # the keys no other build is converting now are this build's
                lock = self._lock(folder, wait=False)
                if lock is None:
                    busy.append(folder)
                else:
                    locks[folder] = lock
            self._convert([f for f in pending if f in locks], pending, diags, show_progress)
            for folder in list(locks):
                self._unlock(locks.pop(folder))
            for folder in busy:  # then wait for the other builds, and use what they made
                locks[folder] = self._lock(folder, wait=True)
                self._convert([folder], pending, diags, show_progress)
                self._unlock(locks.pop(folder))
        finally:
            for lock in locks.values():
                self._unlock(lock)

    def _lock(self, folder: Path, wait: bool):
        """A lock of the key in a shared cache (FOLDER.lock, kept); a build's own cache is used
        by that build alone (its output folder's journal assumes so too) and needs none."""
        if not self.shared:
            return True
        handle = open(folder.with_name(folder.name + ".lock"), "a")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return None
        return handle

    @staticmethod
    def _unlock(handle) -> None:
        if handle is True:
            return
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()

    def _convert(self, folders: list[Path], pending: dict, diags: Diagnostics, show_progress) -> None:
        """Convert the videos of `folders` (their keys locked by this build) into entries, each
        made in a folder of its own and renamed into place whole, meta.json included."""
        jobs = []
        for folder in folders:
            meta = self._meta(folder)  # made by another build while this one waited
            if meta is not None:
                self._assign(pending[folder], folder, meta)
                continue
            source = pending[folder][0][1].source
            try:
                info = mediatools.probe(source)
            except mediatools.ProbeError as exc:
                for _, video in pending[folder]:
                    diags.error(video.source, 1, 1, f"video cannot be read: {exc}")
                continue
            work = folder.with_name(f"{folder.name}.partial-{os.getpid()}-{threading.get_ident()}")
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            jobs.append((folder, work, source, info))
        tasks = [(source, work, info, height) for _, work, source, info in jobs
                 for height in [*target_heights(info.height), None]]  # None: the poster
        failed: set[Path] = set()
        started = time.perf_counter()
        with progress_bar(len(tasks), "encoding video", show_progress) as bar, \
                ThreadPoolExecutor(self.workers) as pool:
            futures = {pool.submit(self._encode, *task): task for task in tasks}
            for future in as_completed(futures):
                work = futures[future][1]
                try:
                    future.result()
                except mediatools.ProbeError as exc:
                    folder = next(f for f, w, _, _ in jobs if w == work)
                    if folder not in failed:
                        for _, video in pending[folder]:
                            diags.error(video.source, 1, 1, f"video cannot be converted: {exc}")
                    failed.add(folder)
                bar.update(1)
        for folder, work, source, info in jobs:
            if folder in failed:
                shutil.rmtree(work, ignore_errors=True)
                continue
            meta = {"duration": info.duration, "width": info.width, "height": info.height,
                    "renditions": [{"height": h, "file": f"{h}p.mp4"} for h in target_heights(info.height)],
                    "poster": "poster.jpg", "seconds": round(time.perf_counter() - started, 2)}
            atomic_write_text(work / "meta.json", json.dumps(meta), sync=False)
            shutil.rmtree(folder, ignore_errors=True)  # an entry left half-made by an older version
            os.rename(work, folder)
            self._assign(pending[folder], folder, meta)

    def _assign(self, videos: list, folder: Path, meta: dict) -> None:
        for course, video in videos:
            course.video_outputs[video.name] = self._output(video.name, folder, meta)

    def _encode(self, source: Path, work: Path, info: mediatools.Probe, height: int | None) -> None:
        if height is None:
            _run_checked(_poster_args(source, work / "poster.jpg", min(1.0, info.duration / 3)), "poster")
        elif can_copy(info, height):
            _run_checked(copy_args(source, work / f"{height}p.mp4"), f"{height}p copy")
        else:
            _run_checked(encode_args(source, work / f"{height}p.mp4", height, info.audio_codec is not None,
                                     self.preset), f"{height}p encode")

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
        """Forget cache entries that no video of this build uses (old versions of edited videos);
        a shared cache keeps them, since other builds may use them."""
        used = {output.folder.name for course in courses for output in course.video_outputs.values()}
        if not self.cache_root.is_dir() or not used and not any(c.videos for c in courses):
            return
        self._stats = {path: known for path, known in self._stats.items() if known[2] in used}
        self._save_stats()
        if self.shared:
            return
        for entry in self.cache_root.iterdir():
            if entry.is_dir() and entry.name not in used:
                shutil.rmtree(entry, ignore_errors=True)

