"""Storyboard videos: scenes of a slide and narration become a narrated case-study video.

Each sentence of the narration is spoken by espeak-ng into its own WAV file, so its length is
known to the sample: the captions are those sentences with their exact times. Each scene is
drawn from the theme's scene templates (brokerlearn.authoring.scenes: title, key points, quote,
dialogue, screen, number, chart, image, timeline), shown for as long as its narration lasts,
with transitions between scenes, and joined with the narration into an H.264/AAC MP4. The
sidecar (title, licence, attribution, chapters, transcript) and the captions are written next
to it, so the course build picks the video up like any other.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from brokerlearn import mediatools
from brokerlearn.authoring import scenes
from brokerlearn.course import decisions, onscreen, schema
from brokerlearn.course.webvtt import Cue, to_vtt
from brokerlearn.course.yamlpos import load_yaml_file
from brokerlearn.errors import Diagnostics, UsageError

FPS = scenes.FPS
SENTENCE_PAUSE = 0.35  # seconds of silence after each sentence
SCENE_PAUSE = 0.6  # and after each scene
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'“(])")


@dataclass
class Rendered:
    video: Path
    captions: Path
    sidecar: Path
    duration: float
    cues: list[Cue]
    branches: list["Rendered"] = field(default_factory=list)  # a clip per decision's branch
    warnings: list = field(default_factory=list)  # what is shown but neither said nor described


class StoryboardError(UsageError):
    pass


def espeak_exe() -> str:
    found = shutil.which("espeak-ng")
    if not found:
        raise StoryboardError("espeak-ng is needed to speak the narration and is not installed: "
                              "apt-get install espeak-ng (Debian, Ubuntu), brew install espeak-ng (macOS), "
                              "or see https://github.com/espeak-ng/espeak-ng")
    return found


def sentences(narration: str) -> list[str]:
    text = " ".join(narration.split())
    return [s for s in _SENTENCE_END.split(text) if s]


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


def _speak(voice: str, text: str, target: Path) -> None:
    result = subprocess.run([espeak_exe(), "-v", voice, "-s", "155", "-w", str(target), text],
                            capture_output=True, text=True)
    if result.returncode != 0 or not target.is_file():
        raise StoryboardError(f"espeak-ng could not speak with voice '{voice}': {result.stderr.strip()}")


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


def _wav_seconds(path: Path) -> float:
    with wave.open(str(path), "rb") as part:
        return part.getnframes() / part.getframerate()


def render(storyboard_path: Path, media_dir: Path | None = None, resolution: str | None = None,
           cache: Path | None = None, _branch=None) -> Rendered:
    """Render a storyboard; `resolution` (720p, 1080p) overrides the storyboard's, `cache` the
    folder that keeps each scene's frames (default: the user's cache folder, video/)."""
    storyboard_path = Path(storyboard_path)
    values, diags = load_storyboard(storyboard_path)
    if diags.errors:
        raise StoryboardError("\n".join(f"{d.path}:{d.line}:{d.col}: error: {d.message}" for d in diags.errors))
    espeak_exe()
    name = storyboard_path.stem
    media_dir = Path(media_dir) if media_dir else storyboard_path.parent.parent / "media"
    media_dir.mkdir(parents=True, exist_ok=True)
    if _branch is None:  # each decision's branch first: a short clip of its own, with its own captions
        clips = [render(storyboard_path, media_dir, resolution, cache, clip) for clip in decisions.branches(values, name)]
    else:
        name, values = _branch
    scene_times = []
    voice = values["voice"] or values["language"]
    with tempfile.TemporaryDirectory(prefix="brokerlearn-storyboard-") as tmp:
        work = Path(tmp)
        audio_parts, cues, chapters, starts = [], [], [], []
        clock = 0.0
        for index, scene in enumerate(values["scenes"]):
            scene_start = clock
            starts.append(scene_start)
            if scene["chapter"]:
                chapters.append({"start": _clock(scene_start), "title": str(scene["chapter"])})
            for number, sentence in enumerate(sentences(str(scene["narration"]))):
                wav = work / f"s{index}-{number}.wav"
                _speak(voice, sentence, wav)
                length = _wav_seconds(wav)
                cues.append(Cue(round(clock, 3), round(clock + length, 3), sentence))
                audio_parts += [(wav, 0.0), (None, SENTENCE_PAUSE)]
                clock += length + SENTENCE_PAUSE
            audio_parts.append((None, SCENE_PAUSE))
            clock += SCENE_PAUSE
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
        _write_atomic(captions, to_vtt(cues))
        _write_descriptions(media_dir / f"{name}.descriptions.{values['language']}.vtt", values, scene_times)
        extra = {"decisions": decisions.sidecar_decisions(values, scene_times, name, SCENE_PAUSE)} if _branch is None else {}
        _write_atomic(sidecar, _sidecar_yaml(values, chapters, storyboard_path, extra))
        video = media_dir / f"{name}.mp4"
        os.replace(partial, video)
    if _branch is not None:
        return Rendered(video, captions, sidecar, total, cues)
    return Rendered(video, captions, sidecar, total, cues, clips, diags.warnings)


def _write_descriptions(path: Path, values, scene_times: list[tuple[float, float]]) -> None:
    """The descriptions track (WebVTT, kind="descriptions"): for each scene that shows what its
    narration does not say, a cue as long as the scene; none needed, no file."""
    cues = [Cue(round(start, 3), round(end, 3), text) for scene, (start, end) in zip(values["scenes"], scene_times)
            if (text := onscreen.description(scene))]
    if cues:
        _write_atomic(path, to_vtt(cues))
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


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
