"""Scene frames to video: one H.264 clip per scene and one per transition, joined without
re-encoding.

A scene covers whole frames [first, last) of the video. Where two scenes meet, a transition clip
(ffmpeg xfade) covers the frames around the cut, half from each side, so the picture changes at
the same frame the narration does. Clips are MPEG-TS with the same encoder settings, so the
concat demuxer joins them by copying; each is cached by what it shows, which makes a one-scene
edit re-encode that scene and the two transitions beside it only.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from brokerlearn import mediatools
from brokerlearn.errors import UsageError

FPS = 25
ENCODE = ["-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-crf", "26", "-pix_fmt", "yuv420p", "-r", str(FPS),
          "-g", "250", "-x264-params", "repeat-headers=1", "-an", "-f", "mpegts"]
ENCODES = {"clips": 0}  # clips encoded, for tests and benchmarks
ZOOM = 0.08  # how far an image zooms or pans over its scene, as a share of the frame


class ClipError(UsageError):
    pass


@dataclass(frozen=True)
class Still:
    """What a scene shows: one picture, or a moving background under a still foreground."""

    picture: Path  # the whole frame, or the background (drawn larger than the frame) if moving
    foreground: Path | None = None
    motion: str = "none"


def _progress(frames: int, offset: int) -> str:
    """Eased progress 0…1 through a scene of `frames` frames, at frame n + offset of it."""
    p = f"clip((n+{offset})/{max(frames - 1, 1)},0,1)"
    return f"(0.5-0.5*cos(PI*{p}))"


def _hold(index: int) -> str:
    """Input `index`, one decoded picture, repeated as frames (the PNG is read once, not per frame)."""
    return f"[{index}:v]loop=loop=-1:size=1:start=0,setpts=N/{FPS}/TB"


def source(still: Still, size: tuple[int, int], frames: int, offset: int, label: str, index: int) -> tuple[list, str]:
    """ffmpeg inputs and a filter graph giving `label`: the scene's frames from `offset` on."""
    width, height = size
    inputs = ["-i", str(still.picture)]
    if still.motion == "none" or still.foreground is None:
        graph = (f"[{index}:v]scale={width}:{height}:flags=lanczos,setsar=1,format=yuv420p[{label}s];"
                 f"[{label}s]loop=loop=-1:size=1:start=0,setpts=N/{FPS}/TB[{label}]")
        return inputs, graph
    inputs += ["-i", str(still.foreground)]
    p = _progress(frames, offset)
    zoom = {"zoom-in": f"(1+{ZOOM}*{p})", "zoom-out": f"(1+{ZOOM}*(1-{p}))"}.get(still.motion, f"(1+{ZOOM})")
    pan = {"pan-left": f"(1-{p})", "pan-right": p}.get(still.motion, "0.5")
    graph = (f"{_hold(index)},scale=w='trunc({width}*{zoom}/2)*2':h='trunc({height}*{zoom}/2)*2':eval=frame:"
             f"flags=bicubic,crop={width}:{height}:'(iw-{width})*{pan}':'(ih-{height})/2'[{label}bg];"
             f"[{index + 1}:v]scale={width}:{height}:flags=lanczos[{label}f1];"
             f"[{label}f1]loop=loop=-1:size=1:start=0,setpts=N/{FPS}/TB[{label}fg];"
             f"[{label}bg][{label}fg]overlay=0:0:format=auto,setsar=1,format=yuv420p[{label}]")
    return inputs, graph


def _encode(args: list, target: Path, what: str) -> None:
    partial = target.with_name(f".{target.name}.partial")
    result = mediatools.run([*args, *ENCODE, "-y", str(partial)])
    ENCODES["clips"] += 1
    if result.returncode != 0 or not partial.is_file():
        partial.unlink(missing_ok=True)
        raise ClipError(f"ffmpeg could not make {what}: {result.stderr.strip().splitlines()[-1:]}")
    os.replace(partial, target)


def scene_clip(still: Still, size, scene_frames: int, first: int, count: int, target: Path, what: str) -> None:
    """Frames [first, first + count) of a scene lasting `scene_frames` frames."""
    inputs, graph = source(still, size, scene_frames, first, "v", 0)
    _encode([*inputs, "-filter_complex", graph, "-map", "[v]", "-frames:v", str(count)], target, what)


def transition_clip(before: Still, before_frames: int, after: Still, after_frames: int, half: int,
                    kind: str, size, target: Path, what: str) -> None:
    """The 2 × half frames around a cut: the end of one scene turning into the start of the next."""
    inputs_a, graph_a = source(before, size, before_frames, before_frames - half, "a", 0)
    count_a = len([x for x in inputs_a if x == "-i"])
    inputs_b, graph_b = source(after, size, after_frames, -half, "b", count_a)
    seconds = 2 * half / FPS
    graph = f"{graph_a};{graph_b};[a][b]xfade=transition={kind}:duration={seconds:.3f}:offset=0[v]"
    _encode([*inputs_a, *inputs_b, "-filter_complex", graph, "-map", "[v]", "-frames:v", str(2 * half)], target, what)


def concat_list(clips: list[Path], target: Path) -> Path:
    target.write_text("".join(f"file '{clip}'\n" for clip in clips), encoding="utf-8")
    return target
