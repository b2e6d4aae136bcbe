"""Finding the course's media: videos with their sidecars and captions, and other files.

Only kinds of file a browser does not run are published (an allowlist): whatever else lies
under media/ (an .html page with a .js beside it) would run on the learning server's origin.
No course file may be a symbolic link that leaves the course folder: the build would publish
whatever it points to (an instance's secret key).
"""
from __future__ import annotations

import os
from pathlib import Path

from brokerlearn.course import schema
from brokerlearn.course.decisions import link_branches, load_decisions
from brokerlearn.course.model import Video
from brokerlearn.course.webvtt import CaptionError, parse_clock, read_captions
from brokerlearn.course.yamlpos import load_yaml_file
from brokerlearn.errors import Diagnostics

VIDEO_SUFFIXES = {".mp4", ".m4v", ".mov", ".webm", ".mkv", ".avi", ".mpg", ".mpeg", ".ogv"}
CAPTION_SUFFIXES = {".vtt", ".srt"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".avif"}
AUDIO_SUFFIXES = {".mp3", ".m4a", ".aac", ".oga", ".ogg", ".opus", ".wav", ".flac"}
# Offered as downloads (the server sends them as attachments): nothing here runs in a browser.
DOWNLOAD_SUFFIXES = {".pdf", ".txt", ".csv", ".rtf", ".zip", ".odt", ".ods", ".odp", ".odg",
                     ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx"}
SIDECAR_SUFFIXES = {".yml", ".yaml"}
# Published as they are (SVG after its check); videos and captions go through the video pipeline.
PUBLISHED_SUFFIXES = IMAGE_SUFFIXES | AUDIO_SUFFIXES | DOWNLOAD_SUFFIXES
ALLOWED_SUFFIXES = PUBLISHED_SUFFIXES | VIDEO_SUFFIXES | CAPTION_SUFFIXES | SIDECAR_SUFFIXES


def list_media(media_dir: Path) -> list[Path]:
    """Every file under media/, dot files and dot folders left out, links not followed."""
    if not media_dir.is_dir():
        return []
    return sorted(Path(entry.path) for entry in _walk(media_dir) if entry.is_file())


def _walk(folder: Path | str, dot_files: bool = False):
    """Entries (os.DirEntry) under `folder`: files and links to folders, never entering a dot
    folder or a link; dot files only if asked for. The entries' types come from the folder
    listing itself: no file is stat'ed but links (thousands of lessons are walked each build)."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return  # a folder that cannot be listed is skipped, as os.walk does
    folders = [e for e in entries if e.is_dir() and not e.name.startswith(".")]  # dot folders: never read
    yield from (e for e in folders if e.is_symlink())
    yield from (e for e in entries if not e.is_dir() and (dot_files or not e.name.startswith(".")))
    for entry in folders:
        if not entry.is_symlink():
            yield from _walk(entry.path, dot_files)


def unpublishable_reason(path: Path) -> str | None:
    """Why a file under media/ may not be published, or None."""
    suffix = path.suffix.lower()
    if suffix in ALLOWED_SUFFIXES:
        return None
    kind = f"'{suffix}' files" if suffix else "files without an extension"
    return (f"{kind} are not published, as a browser could run them on the course's site. "
            "Media may be images (png, jpg, gif, webp, avif, svg), video with captions (mp4, webm, ... "
            "with .vtt), audio (mp3, m4a, ogg, wav, ...), PDF, office documents (odt, docx, xlsx, pptx, ...), "
            "plain text, CSV or zip: remove this file, or put it in a .zip to offer it as a download")


def check_links(root: Path, diags: Diagnostics) -> bool:
    """Report every symbolic link in the course folder that leaves it; True if there is one.

    Links that stay inside the course folder are allowed (they are read as their target)."""
    base = root.resolve()
    found = False
    for entry in _walk(root, dot_files=True):  # the loader finds lessons and quizzes by name, dot files too
        if not entry.is_symlink():
            continue
        path = Path(entry.path)
        target = path.resolve()
        if target != base and base not in target.parents:
            diags.error(path, 1, 1, f"'{path.name}' is a symbolic link to '{os.readlink(path)}', which is "
                        "outside the course folder: copy the file into the course instead (the build "
                        "never reads or publishes files from outside the course folder)")
            found = True
    return found


def load_videos(media_dir: Path, files: list[Path], diags: Diagnostics) -> dict[str, Video]:
    """Pair each video file with its sidecar `NAME.yml`, captions `NAME.LANG.vtt` and
    descriptions `NAME.descriptions.LANG.vtt`; link the decisions' branch clips."""
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
            video = Video(name, source, sidecar, captions)
            video.cues = {lang: cues for lang, path in captions.items()
                          if (cues := _read_captions(path, diags)) is not None}
            video.chapters = _chapters(sidecar, sidecar_path, diags)
            video.descriptions = {lang: cues for lang, path in _captions(f"{name}.descriptions", files, media_dir).items()
                                  if (cues := _read_captions(path, diags)) is not None}
            video.decisions = load_decisions(sidecar, sidecar_path, name, diags)
            videos[name] = video
    for name, source in sorted(sources.items()):
        if name not in sidecars:
            diags.error(source, 1, 1, f"video '{source.name}' has no sidecar: add media/{name}.yml "
                        "with title, license, attribution and language")
    link_branches(videos, sidecars, diags)
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


def _read_captions(path: Path, diags: Diagnostics):
    try:
        cues = read_captions(path)
    except CaptionError as exc:
        diags.error(path, exc.line, 1, f"captions: {exc.message}")
        return None
    except UnicodeDecodeError:
        diags.error(path, 1, 1, "captions must be UTF-8 text")
        return None
    if not cues:
        diags.error(path, 1, 1, "the captions file holds no cue")
        return None
    return cues


def _chapters(sidecar, path: Path, diags: Diagnostics) -> list[tuple[float, str]]:
    chapters = []
    for index, chapter in enumerate(sidecar["chapters"] or []):
        pos = sidecar["chapters"].pos_at(index) if hasattr(sidecar["chapters"], "pos_at") else None
        line = pos.line if pos else 1
        try:
            start = parse_clock(chapter["start"])
        except ValueError as exc:
            diags.error(path, line, 1, f"chapter {index + 1}: {exc}")
            continue
        if chapters and start <= chapters[-1][0]:
            diags.error(path, line, 1, f"chapter {index + 1} starts before or with the one before it")
            continue
        chapters.append((start, str(chapter["title"])))
    return chapters


def _captions(name: str, files: list[Path], media_dir: Path) -> dict[str, Path]:
    captions = {}
    for path in files:
        if path.parent != media_dir or path.suffix.lower() not in CAPTION_SUFFIXES:
            continue
        stem, _, language = path.stem.rpartition(".")
        if stem == name and language:
            captions[language] = path
    return captions
