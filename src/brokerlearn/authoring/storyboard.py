"""Storyboard videos: scenes of a slide and narration become a narrated case-study video.

Each scene's narration is spoken sentence by sentence (brokerlearn.authoring.narration: a Piper
neural voice, or espeak-ng as the fallback; loudness-normalised, cached per scene), so each
sentence's length is known to the sample: the captions are those sentences with their exact
times. Each scene is
drawn from the theme's scene templates (brokerlearn.authoring.scenes: title, key points, quote,
dialogue, screen, number, chart, image, timeline), shown for as long as its narration lasts,
with transitions between scenes, and joined with the narration into an H.264/AAC MP4. The
sidecar (title, licence, attribution, chapters, transcript) and the captions are written next
to it, so the course build picks the video up like any other.
"""
from __future__ import annotations

import os
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from brokerlearn import mediatools
from brokerlearn.authoring import scenes
from brokerlearn.authoring.narration import SCENE_PAUSE, SENTENCE_PAUSE, Narrator, espeak_exe, sentences  # noqa: F401
from brokerlearn.course import decisions, onscreen, schema
from brokerlearn.course.webvtt import Cue, to_vtt
from brokerlearn.course.yamlpos import load_yaml_file
from brokerlearn.errors import Diagnostics, UsageError
from brokerlearn.fs import atomic_write_text

FPS = scenes.FPS


@dataclass
class Rendered:
    video: Path
    captions: Path
    sidecar: Path
    duration: float
    cues: list[Cue]
    branches: list["Rendered"] = field(default_factory=list)  # a clip per decision's branch
    warnings: list = field(default_factory=list)  # what is shown but neither said nor described
    voices: list[str] = field(default_factory=list)  # who narrated, as "name (engine)"
    voice_warnings: list[str] = field(default_factory=list)  # e.g. no neural voice installed
    scenes_spoken: int = 0  # scenes whose audio was synthesised (not taken from the cache)


class StoryboardError(UsageError):
    pass


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
            for problem in scenes.check_scene(scene, path.parent):
                diags.error(path, line, 1, f"scene {index + 1}: {problem}")
        decisions.check_storyboard(values, path, diags)
        onscreen.check_storyboard(values, path, diags)
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


def render(storyboard_path: Path, media_dir: Path | None = None, resolution: str | None = None,
           cache: Path | None = None, _branch=None) -> Rendered:
    """Render a storyboard; `resolution` (720p, 1080p) overrides the storyboard's, `cache` the
    folder that keeps each scene's frames (default: the user's cache folder, video/)."""
    storyboard_path = Path(storyboard_path)
    values, diags = load_storyboard(storyboard_path)
    if diags.errors:
        raise StoryboardError("\n".join(f"{d.path}:{d.line}:{d.col}: error: {d.message}" for d in diags.errors))
    narrator = Narrator(values, storyboard_path.parent.parent)
    name = storyboard_path.stem
    media_dir = Path(media_dir) if media_dir else storyboard_path.parent.parent / "media"
    media_dir.mkdir(parents=True, exist_ok=True)
    if _branch is None:  # each decision's branch first: a short clip of its own, with its own captions
        clips = [render(storyboard_path, media_dir, resolution, cache, clip) for clip in decisions.branches(values, name)]
    else:
        name, values = _branch
    scene_times = []
    with tempfile.TemporaryDirectory(prefix="brokerlearn-storyboard-") as tmp:
        work = Path(tmp)
        audio_parts, cues, chapters, starts = [], [], [], []
        clock, spoken = 0.0, 0
        for index, scene in enumerate(values["scenes"]):
            scene_start = clock
            starts.append(scene_start)
            if scene["chapter"]:
                chapters.append({"start": _clock(scene_start), "title": str(scene["chapter"])})
            audio = narrator.scene(str(scene["narration"]))
            spoken += not audio.cached
            for line, (start, end) in zip(audio.lines, audio.spans):
                cues.append(Cue(round(clock + start, 3), round(clock + end, 3), line.caption))
            audio_parts.append((audio.wav, 0.0))
            clock += audio.length
            scene_times.append((scene_start, clock))
        narration = work / "narration.wav"
        total = _join_audio(audio_parts, narration)
        listing = scenes.picture(values, storyboard_path.parent, starts, total,
                                 resolution or values["resolution"] or "720p", work=work, root=cache)
        partial = media_dir / f".{name}.partial.mp4"
        result = mediatools.run(["-f", "concat", "-safe", "0", "-i", str(listing), "-i", str(narration),
                                 "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", "-b:a", "96k",
                                 "-movflags", "+faststart", "-t", f"{total:.3f}", "-y", str(partial)])
        if result.returncode != 0:
            partial.unlink(missing_ok=True)
            raise StoryboardError(f"ffmpeg could not make the video: {result.stderr.strip().splitlines()[-1:]}")
        captions = media_dir / f"{name}.{values['language']}.vtt"
        sidecar = media_dir / f"{name}.yml"
        atomic_write_text(captions, to_vtt(cues))
        _write_descriptions(media_dir / f"{name}.descriptions.{values['language']}.vtt", values, scene_times)
        extra = {"decisions": decisions.sidecar_decisions(values, scene_times, name, SCENE_PAUSE)} if _branch is None else {}
        atomic_write_text(sidecar, _sidecar_yaml(values, chapters, storyboard_path, extra))
        video = media_dir / f"{name}.mp4"
        os.replace(partial, video)
    voices = sorted({v.describe() for v in narrator.voices.values()})
    if _branch is not None:
        return Rendered(video, captions, sidecar, total, cues, voices=voices, voice_warnings=narrator.warnings,
                        scenes_spoken=spoken)
    return Rendered(video, captions, sidecar, total, cues, clips, diags.warnings, voices, narrator.warnings, spoken)


def _write_descriptions(path: Path, values, scene_times: list[tuple[float, float]]) -> None:
    """The descriptions track (WebVTT, kind="descriptions"): for each scene that shows what its
    narration does not say, a cue as long as the scene; none needed, no file."""
    cues = [Cue(round(start, 3), round(end, 3), text) for scene, (start, end) in zip(values["scenes"], scene_times)
            if (text := onscreen.description(scene))]
    if cues:
        atomic_write_text(path, to_vtt(cues))
    else:
        path.unlink(missing_ok=True)


def _sidecar_yaml(values, chapters: list[dict], source: Path, extra: dict | None = None) -> str:
    data = {"title": str(values["title"]), "license": str(values["license"]),
            "attribution": str(values["attribution"]), "language": str(values["language"])}
    if chapters:
        data["chapters"] = chapters
    data["transcript"] = "\n\n".join(" ".join(str(s["narration"]).split()) for s in values["scenes"])
    data.update({key: value for key, value in (extra or {}).items() if value})
    header = f"# Made by 'brokerlearn video render {source.name}': edit the storyboard, not this file.\n"
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
