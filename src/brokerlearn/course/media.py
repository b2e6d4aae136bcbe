"""Finding the course's media: videos with their sidecars and captions, and other files."""
from __future__ import annotations

from pathlib import Path

from brokerlearn.course import schema
from brokerlearn.course.model import Video
from brokerlearn.course.yamlpos import load_yaml_file
from brokerlearn.errors import Diagnostics

VIDEO_SUFFIXES = {".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", ".mpg", ".mpeg", ".ogv"}
CAPTION_SUFFIXES = {".vtt", ".srt"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif"}


def list_media(media_dir: Path) -> list[Path]:
    if not media_dir.is_dir():
        return []
    return sorted(p for p in media_dir.rglob("*") if p.is_file() and not p.name.startswith("."))


def load_videos(media_dir: Path, files: list[Path], diags: Diagnostics) -> dict[str, Video]:
    """Pair each video file with its sidecar `NAME.yml` and captions `NAME.LANG.vtt`."""
    sources = {p.stem: p for p in files if p.suffix.lower() in VIDEO_SUFFIXES and p.parent == media_dir}
    sidecars = {p.stem: p for p in files if p.suffix.lower() in (".yml", ".yaml") and p.parent == media_dir
                and not is_image_sidecar(p)}
    videos: dict[str, Video] = {}
    for name, sidecar_path in sorted(sidecars.items()):
        sidecar = _load_sidecar(sidecar_path, diags)
        source = sources.get(name)
        if source is None:
            diags.error(sidecar_path, 1, 1, f"sidecar for a video '{name}' that does not exist: "
                        f"put the video next to it as media/{name}.mp4 (or another format ffmpeg reads)")
            continue
        captions = _captions(name, files, media_dir)
        if not captions:
            diags.error(sidecar_path, 1, 1, f"video '{name}' has no captions: add media/{name}.en.vtt "
                        "(WebVTT; .srt is accepted), one file per language")
        if sidecar is not None:
            videos[name] = Video(name, source, sidecar, captions)
    for name, source in sorted(sources.items()):
        if name not in sidecars:
            diags.error(source, 1, 1, f"video '{source.name}' has no sidecar: add media/{name}.yml "
                        "with title, license, attribution and language")
    return videos


def is_image_sidecar(path: Path) -> bool:
    """`diagram.png.yml` states the licence of `diagram.png`."""
    return Path(path.stem).suffix.lower() in IMAGE_SUFFIXES


def load_image_credits(files: list[Path], diags: Diagnostics) -> dict[Path, object]:
    credits = {}
    for path in files:
        if path.suffix.lower() in (".yml", ".yaml") and is_image_sidecar(path):
            image = path.with_suffix("")
            data = load_yaml_file(path, diags)
            if not image.exists():
                diags.error(path, 1, 1, f"licence file for an image '{image.name}' that does not exist")
            elif isinstance(data, dict):
                credits[image] = schema.IMAGE.validate(data, diags)
            else:
                diags.error(path, 1, 1, "an image's licence file must be keys and values "
                            "(title, license, attribution)")
    return credits


def _load_sidecar(path: Path, diags: Diagnostics):
    data = load_yaml_file(path, diags)
    if not isinstance(data, dict):
        if data is not None or path.read_text(encoding="utf-8", errors="replace").strip() == "":
            diags.error(path, 1, 1, "a video sidecar must be keys and values (title, license, ...)")
        return None
    return schema.VIDEO.validate(data, diags)


def _captions(name: str, files: list[Path], media_dir: Path) -> dict[str, Path]:
    captions = {}
    for path in files:
        if path.parent != media_dir or path.suffix.lower() not in CAPTION_SUFFIXES:
            continue
        stem, _, language = path.stem.rpartition(".")
        if stem == name and language:
            captions[language] = path
    return captions
