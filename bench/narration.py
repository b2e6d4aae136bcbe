"""Storyboard render benchmark: a 5-minute storyboard from scratch, after a one-scene edit and
unchanged, with where the time goes; and (--wer) the intelligibility of Piper's and espeak-ng's
narration of a flagship storyboard, scored by PocketSphinx against the captions. See README.md.

    .venv/bin/python bench/narration.py            # about 5-10 minutes on 2 cores
    .venv/bin/python bench/narration.py --wer      # the WER of both voices instead (slow: it listens)
"""
from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
FLAGSHIP = REPO / "courses/online-collaboration/storyboards"
# Two flagship cases back to back: real narration, about five minutes.
PARTS = ("case-partner-search.yml", "case-online-workshop.yml")


def five_minute_board(folder: Path) -> Path:
    parts = [yaml.safe_load((FLAGSHIP / name).read_text()) for name in PARTS]
    board = dict(parts[0])
    board["title"] = "Bench: two cases back to back"
    board["scenes"] = [scene for part in parts for scene in part["scenes"]]
    path = folder / "course/storyboards/bench-five-minutes.yml"
    with_media(folder)
    path.write_text(yaml.safe_dump(board, allow_unicode=True, sort_keys=False))
    return path


def with_media(folder: Path) -> None:
    """course/storyboards/ and course/media/ (the flagship's images, which scenes may show)."""
    (folder / "course/storyboards").mkdir(parents=True)
    (folder / "course/media").mkdir()
    for image in (FLAGSHIP.parent / "media").glob("*.svg"):
        (folder / "course/media" / image.name).symlink_to(image)


class Stopwatch:
    """Seconds spent in the narration (synthesis, loudness, cache), the rest being frames and muxing."""

    def __init__(self):
        from brokerlearn.authoring import narration
        self.seconds = 0.0
        original = narration.Narrator.scene

        def timed(narrator, text):
            started = time.perf_counter()
            try:
                return original(narrator, text)
            finally:
                self.seconds += time.perf_counter() - started
        narration.Narrator.scene = timed


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed_render(board: Path, watch: Stopwatch):
    """The render, its wall seconds, the narration's share of them, and CPU seconds (this process and
    its ffmpeg and espeak-ng children): on a machine shared with other work, wall time overstates."""
    from brokerlearn.authoring.storyboard import render
    watch.seconds = 0.0
    started, cpu = time.perf_counter(), _cpu()
    result = render(board)
    return result, time.perf_counter() - started, watch.seconds, _cpu() - cpu


def speed(args) -> None:
    with tempfile.TemporaryDirectory(prefix="brokerlearn-bench-narration-") as tmp:
        os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")  # from scratch: an empty cache
        board = five_minute_board(Path(tmp))
        watch = Stopwatch()
        rows = [("from scratch", *timed_render(board, watch))]
        data = yaml.safe_load(board.read_text())
        data["scenes"][3]["narration"] += " This sentence is new."
        board.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        rows.append(("one scene edited", *timed_render(board, watch)))
        rows.append(("unchanged", *timed_render(board, watch)))
    print(f"storyboard: {len(data['scenes'])} scenes, voices: {', '.join(rows[0][1].voices)}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print("| render | video s | wall s | × running time | narration s (wall) | frames + mux s (wall) | CPU s | scenes spoken |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    assert [row[1].scenes_spoken for row in rows] == [len(data["scenes"]), 1, 0], "the edit did not reach the cache"
    for label, result, seconds, audio, cpu in rows:
        print(f"| {label} | {result.duration:.1f} | {seconds:.1f} | {seconds / result.duration:.2f} | "
              f"{audio:.1f} | {seconds - audio:.1f} | {cpu:.1f} | {result.scenes_spoken} |", flush=True)


def wer(args) -> None:
    from brokerlearn.authoring import narration
    from brokerlearn.authoring.storyboard import render
    from speech import caption_words, transcribe, word_error_rate, words
    source = FLAGSHIP / args.storyboard
    print("| voice | video s | LUFS | dBTP | WER |")
    print("|---|---:|---:|---:|---:|")
    for engine in ("piper", "espeak-ng"):
        with tempfile.TemporaryDirectory(prefix="brokerlearn-bench-wer-") as tmp:
            os.environ["XDG_CACHE_HOME"] = str(Path(tmp) / "cache")
            board = Path(tmp) / "course/storyboards" / source.name
            with_media(Path(tmp))
            board.write_text(source.read_text())
            if engine == "espeak-ng":
                narration.installed_piper_voices = lambda: ()
            result = render(board)
            loudness, peak = narration.measure(result.video)
            heard = transcribe(result.video)
            score = word_error_rate(caption_words([c.text for c in result.cues]), words(heard))
            print(f"| {', '.join(result.voices)} | {result.duration:.1f} | {loudness} | {peak} | {score:.2f} |",
                  flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wer", action="store_true", help="measure intelligibility instead of speed")
    parser.add_argument("--storyboard", default="case-partner-search.yml", help="flagship storyboard for --wer")
    args = parser.parse_args()
    (wer if args.wer else speed)(args)


if __name__ == "__main__":
    main()
