"""WebVTT and SRT: reading captions with line-exact errors, converting SRT, writing VTT.

Only what captions and chapters need: cues with times and text. Cue settings are kept as text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_VTT_TIME = re.compile(r"^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})$")
_SRT_TIME = re.compile(r"^(\d{1,}):([0-5]\d):([0-5]\d)[,.](\d{3})$")


@dataclass
class Cue:
    start: float
    end: float
    text: str
    line: int = 0  # line of the timing line in the source
    ident: str | None = None
    settings: str = ""


class CaptionError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line, self.message = line, message


def parse_time(text: str, line: int, pattern=_VTT_TIME) -> float:
    match = pattern.match(text.strip())
    if not match:
        example = "00:01:02.500 or 01:02.500" if pattern is _VTT_TIME else "00:01:02,500"
        raise CaptionError(line, f"'{text.strip()}' is not a timestamp (write {example})")
    hours, minutes, seconds, millis = match.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def format_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02}:{minutes:02}:{secs:02}.{millis:03}"


def _blocks(text: str):
    """(first line number, lines) of each block separated by blank lines."""
    block, start = [], 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip() == "":
            if block:
                yield start, block
            block = []
        else:
            if not block:
                start = number
            block.append(line)
    if block:
        yield start, block


def _timing(line: str, number: int, pattern) -> tuple[float, float, str]:
    if "-->" not in line:
        raise CaptionError(number, "expected a timing line such as '00:00:01.000 --> 00:00:04.000'")
    left, _, right = line.partition("-->")
    end_text, _, settings = right.strip().partition(" ")
    start, end = parse_time(left, number, pattern), parse_time(end_text, number, pattern)
    if end <= start:
        raise CaptionError(number, "the cue ends before it starts")
    return start, end, settings.strip()


def parse_vtt(text: str) -> list[Cue]:
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or not (lines[0] == "WEBVTT" or lines[0].startswith(("WEBVTT ", "WEBVTT\t"))):
        raise CaptionError(1, "a WebVTT file must start with the line 'WEBVTT'")
    cues: list[Cue] = []
    for index, (start_line, block) in enumerate(_blocks(text)):
        if index == 0:
            if any("-->" in line for line in block):
                raise CaptionError(start_line + 1, "leave a blank line after the 'WEBVTT' header")
            continue
        if block[0].startswith(("NOTE", "STYLE", "REGION")) and "-->" not in block[0]:
            continue
        ident = None
        timing_at = 0
        if "-->" not in block[0]:
            ident, timing_at = block[0], 1
            if len(block) < 2:
                raise CaptionError(start_line, "a cue identifier without a timing line")
        number = start_line + timing_at
        start, end, settings = _timing(block[timing_at], number, _VTT_TIME)
        body = block[timing_at + 1:]
        for offset, line in enumerate(body, start=number + 1):
            if "-->" in line:
                raise CaptionError(offset, "cue text may not contain '-->' (is a blank line missing?)")
        if cues and start < cues[-1].start:
            raise CaptionError(number, "cues must be in order of their start time")
        cues.append(Cue(start, end, "\n".join(body), number, ident, settings))
    return cues


def parse_srt(text: str) -> list[Cue]:
    cues: list[Cue] = []
    for start_line, block in _blocks(text.lstrip("\ufeff")):
        timing_at = 1 if block[0].strip().isdigit() else 0
        if timing_at >= len(block):
            raise CaptionError(start_line, "a subtitle number without a timing line")
        number = start_line + timing_at
        start, end, _ = _timing(block[timing_at], number, _SRT_TIME)
        cues.append(Cue(start, end, "\n".join(block[timing_at + 1:]), number))
    cues.sort(key=lambda c: c.start)
    return cues


def read_captions(path) -> list[Cue]:
    from pathlib import Path
    text = Path(path).read_text(encoding="utf-8-sig", errors="strict")
    return parse_srt(text) if Path(path).suffix.lower() == ".srt" else parse_vtt(text)


def to_vtt(cues: list[Cue], header: str = "") -> str:
    out = ["WEBVTT" + (f" - {header}" if header else ""), ""]
    for cue in cues:
        if cue.ident:
            out.append(cue.ident)
        out.append(f"{format_time(cue.start)} --> {format_time(cue.end)}" + (f" {cue.settings}" if cue.settings else ""))
        out.append(cue.text.replace("-->", "->"))
        out.append("")
    return "\n".join(out)


def parse_clock(text: str) -> float:
    """Chapter starts in sidecars: 'mm:ss' or 'hh:mm:ss' (seconds may have decimals)."""
    parts = str(text).strip().split(":")
    if not 2 <= len(parts) <= 3 or not all(re.fullmatch(r"\d+(\.\d+)?", p) for p in parts):
        raise ValueError(f"'{text}' is not a time: write mm:ss or hh:mm:ss")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return seconds


def chapters_vtt(chapters: list[tuple[float, str]], duration: float) -> str:
    """A chapters track: each chapter lasts until the next one starts, the last until the end."""
    cues = []
    for index, (start, title) in enumerate(chapters):
        end = chapters[index + 1][0] if index + 1 < len(chapters) else duration
        cues.append(Cue(start, max(end, start + 0.001), title, ident=f"chapter-{index + 1}"))
    return to_vtt(cues)
