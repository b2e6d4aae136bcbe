"""Storyboard videos: scenes of a slide and narration become a narrated case-study video.

Each scene's narration is spoken sentence by sentence (brokerlearn.authoring.narration: a Piper
neural voice, or espeak-ng as the fallback; loudness-normalised, cached per scene), so each
sentence's length is known to the sample: the captions are those sentences with their exact
times. Slides are drawn by ffmpeg (drawtext), shown for as long as their scene's narration lasts, and joined with the
narration into an H.264/AAC MP4. The sidecar (title, licence, attribution, chapters, transcript)
and the captions are written next to it, so the course build picks the video up like any other.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import textwrap
import wave
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from brokerlearn import mediatools
from brokerlearn.authoring.narration import SCENE_PAUSE, SENTENCE_PAUSE, Narrator, espeak_exe, sentences  # noqa: F401
from brokerlearn.course import schema
from brokerlearn.course.webvtt import Cue, to_vtt
from brokerlearn.course.yamlpos import load_yaml_file
from brokerlearn.errors import Diagnostics, UsageError

SIZE = (1280, 720)
FPS = 25
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts")


@dataclass
class Rendered:
    video: Path
    captions: Path
    sidecar: Path
    duration: float
    cues: list[Cue]
    voices: list[str] = field(default_factory=list)  # who narrated, as "name (engine)"
    warnings: list[str] = field(default_factory=list)
    scenes_spoken: int = 0  # scenes whose audio was synthesised (not taken from the cache)


class StoryboardError(UsageError):
    pass


def _font(bold: bool = False) -> str:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    for folder in FONT_DIRS:
        if (Path(folder) / name).is_file():
            return str(Path(folder) / name)
    found = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans:bold" if bold else "DejaVu Sans"],
                           capture_output=True, text=True).stdout.strip() if shutil.which("fc-match") else ""
    if found:
        return found
    raise StoryboardError("no TrueType font found for the slides: install fonts-dejavu-core")



def load_storyboard(path: Path):
    diags = Diagnostics()
    data = load_yaml_file(path, diags)
    if isinstance(data, dict):
        values = schema.STORYBOARD.validate(data, diags)
    else:
        if not diags.errors:
            diags.error(path, 1, 1, "a storyboard must be keys and values (title, license, scenes, ...)")
        values = None
    if values is not None:
        for index, scene in enumerate(values["scenes"] or []):
            line = values["scenes"].pos_at(index).line if hasattr(values["scenes"], "pos_at") else 1
            if len(str(scene["title"])) > 60:
                diags.error(path, line, 1, f"scene {index + 1}: the title is longer than 60 characters")
            if not sentences(str(scene["narration"])):
                diags.error(path, line, 1, f"scene {index + 1}: the narration is empty")
            if scene["image"] and not (path.parent / scene["image"]).is_file():
                diags.error(path, line, 1, f"scene {index + 1}: image '{scene['image']}' not found")
    return values, diags


def _join_audio(parts: list[tuple[Path | None, float]], target: Path) -> float:
    """Concatenate WAV files and silences (None, seconds); return the total length in seconds."""
    params = None
    frames = 0
    with wave.open(str(target), "wb") as out:
        for path, silence in parts:
            if path is not None:
                with wave.open(str(path), "rb") as part:
                    if params is None:
                        params = part.getparams()
                        out.setparams(params)
                    data = part.readframes(part.getnframes())
                    out.writeframes(data)
                    frames += part.getnframes()
            else:
                count = int(round(silence * params.framerate))
                out.writeframes(b"\0" * count * params.sampwidth * params.nchannels)
                frames += count
    return frames / params.framerate


def _clock(seconds: float) -> str:
    """mm:ss.sss (or hh:mm:ss.sss), exact to the millisecond, as sidecar chapters accept."""
    minutes, rest = divmod(round(seconds, 3), 60)
    hours, minutes = divmod(int(minutes), 60)
    return (f"{hours:02}:" if hours else "") + f"{minutes:02}:{rest:06.3f}"


def _slide(scene, storyboard, folder: Path, index: int, work: Path) -> Path:
    """A PNG slide: title, body lines or an image, and the credit line."""
    width, height = SIZE
    title = "\n".join(textwrap.wrap(str(scene["title"]), 34))
    body = "\n".join(line for raw in str(scene["body"] or "").splitlines()
                     for line in (textwrap.wrap(raw, 52) or [""]))
    credit = f"{storyboard['title']}  ·  {storyboard['license']}  ·  {storyboard['attribution']}"
    files = {}
    for key, text in (("title", title), ("body", body), ("credit", credit)):
        files[key] = work / f"scene{index}-{key}.txt"
        files[key].write_text(text, encoding="utf-8")
    bold, regular = _font(True), _font(False)

    def draw(key, font, size, x, y, colour):
        return (f"drawtext=fontfile='{font}':textfile='{files[key]}':fontsize={size}:fontcolor={colour}:"
                f"x={x}:y={y}:line_spacing=14")
    filters = [draw("title", bold, 56, 90, 90, "white")]
    inputs = ["-f", "lavfi", "-i", f"color=c=0x1f2a44:s={width}x{height}:d=1"]
    if scene["image"]:
        inputs += ["-i", str(folder / scene["image"])]
        graph = (f"[1:v]scale=w=min(iw\\,{width - 180}):h=min(ih\\,{height - 330}):force_original_aspect_ratio=decrease[img];"
                 f"[0:v][img]overlay=x=90:y=250[bg];[bg]")
    else:
        graph = "[0:v]"
    if body:
        filters.append(draw("body", regular, 36, 90, 250 if not scene["image"] else height - 120, "0xdde6f3"))
    filters.append(draw("credit", regular, 20, 90, height - 50, "0x9fb0c8"))
    target = work / f"scene{index}.png"
    result = mediatools.run([*inputs, "-filter_complex", graph + ",".join(filters), "-frames:v", "1", "-y", str(target)])
    if result.returncode != 0:
        raise StoryboardError(f"ffmpeg could not draw slide {index + 1}: {result.stderr.strip().splitlines()[-1:]}")
    return target


def render(storyboard_path: Path, media_dir: Path | None = None) -> Rendered:
    storyboard_path = Path(storyboard_path)
    values, diags = load_storyboard(storyboard_path)
    if diags.errors:
        raise StoryboardError("\n".join(f"{d.path}:{d.line}:{d.col}: error: {d.message}" for d in diags.errors))
    narrator = Narrator(values, storyboard_path.parent.parent)
    name = storyboard_path.stem
    media_dir = Path(media_dir) if media_dir else storyboard_path.parent.parent / "media"
    media_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="brokerlearn-storyboard-") as tmp:
        work = Path(tmp)
        audio_parts, cues, chapters, concat = [], [], [], []
        clock, spoken = 0.0, 0
        for index, scene in enumerate(values["scenes"]):
            scene_start = clock
            if scene["chapter"]:
                chapters.append({"start": _clock(scene_start), "title": str(scene["chapter"])})
            audio = narrator.scene(str(scene["narration"]))
            spoken += not audio.cached
            for line, (start, end) in zip(audio.lines, audio.spans):
                cues.append(Cue(round(clock + start, 3), round(clock + end, 3), line.caption))
            audio_parts.append((audio.wav, 0.0))
            clock += audio.length
            slide = _slide(scene, values, storyboard_path.parent, index, work)
            concat.append((slide, clock - scene_start))
        narration = work / "narration.wav"
        total = _join_audio(audio_parts, narration)
        listing = work / "slides.txt"
        lines = []
        for slide, seconds in concat:
            lines += [f"file '{slide}'", f"duration {seconds:.3f}"]
        lines.append(f"file '{concat[-1][0]}'")  # the concat demuxer needs the last file twice
        listing.write_text("\n".join(lines) + "\n")
        partial = media_dir / f".{name}.partial.mp4"
        result = mediatools.run(["-f", "concat", "-safe", "0", "-i", str(listing), "-i", str(narration),
                           "-vf", f"fps={FPS},format=yuv420p", "-c:v", "libx264", "-preset", "veryfast",
                           "-tune", "stillimage", "-crf", "30", "-c:a", "aac", "-b:a", "96k",
                           "-movflags", "+faststart", "-t", f"{total:.3f}", "-y", str(partial)])
        if result.returncode != 0:
            partial.unlink(missing_ok=True)
            raise StoryboardError(f"ffmpeg could not make the video: {result.stderr.strip().splitlines()[-1:]}")
        captions = media_dir / f"{name}.{values['language']}.vtt"
        sidecar = media_dir / f"{name}.yml"
        _write_atomic(captions, to_vtt(cues))
        _write_atomic(sidecar, _sidecar_yaml(values, chapters, storyboard_path))
        video = media_dir / f"{name}.mp4"
        os.replace(partial, video)
    return Rendered(video, captions, sidecar, total, cues, sorted({v.describe() for v in narrator.voices.values()}),
                    narrator.warnings, spoken)


def _sidecar_yaml(values, chapters: list[dict], source: Path) -> str:
    data = {"title": str(values["title"]), "license": str(values["license"]),
            "attribution": str(values["attribution"]), "language": str(values["language"])}
    if chapters:
        data["chapters"] = chapters
    data["transcript"] = "\n\n".join(" ".join(str(s["narration"]).split()) for s in values["scenes"])
    header = f"# Made by 'brokerlearn video render {source.name}': edit the storyboard, not this file.\n"
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
