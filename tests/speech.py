"""Listening to rendered videos as a machine can: PocketSphinx (its bundled US-English model)
transcribes the audio, and the word error rate scores the transcript against the captions.
Used by tests/test_narration.py and bench/narration.py."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from brokerlearn import mediatools

_SPEAKER = re.compile(r"^\s*[A-Za-z][\w-]*:\s+")  # "Owner: " names who speaks; it is not spoken


def transcribe(video: Path) -> str:
    """What PocketSphinx hears in a file's audio (16 kHz mono, one utterance)."""
    from pocketsphinx import Decoder
    pcm = subprocess.run([mediatools.ffmpeg_exe(), "-v", "error", "-i", str(video), "-vn", "-ac", "1",
                          "-ar", "16000", "-f", "s16le", "-"], capture_output=True, check=True).stdout
    decoder = Decoder(samprate=16000, loglevel="FATAL")
    decoder.start_utt()
    decoder.process_raw(pcm, full_utt=True)
    decoder.end_utt()
    hypothesis = decoder.hyp()
    return hypothesis.hypstr if hypothesis else ""


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("-", " "))


def caption_words(captions: list[str]) -> list[str]:
    return [w for text in captions for w in words(_SPEAKER.sub("", text))]


def word_error_rate(reference: list[str], hypothesis: list[str]) -> float:
    """(substitutions + deletions + insertions) / reference words: Levenshtein distance over words."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i]
        for j, hyp in enumerate(hypothesis, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp)))
        previous = current
    return previous[-1] / max(1, len(reference))
