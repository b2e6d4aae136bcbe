"""Preview latency: from saving one lesson of a 500-lesson course (the build benchmark's realistic
lessons) to the open page receiving its reload event, through the real preview server on
127.0.0.1. See README.md.

    .venv/bin/python bench/preview_latency.py [--lessons 500] [--saves 20]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_speed import generate, one_change_lesson  # noqa: E402 (the same corpus as the build benchmark)

from brokerlearn.authoring.preview import Preview  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lessons", type=int, default=500)
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--compare", type=int, default=10, help="rebuilds of each kind in the kept/whole-load comparison")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    import waitress.server
    work = Path(tempfile.mkdtemp(prefix="brokerlearn-preview-bench-"))
    try:
        courses = generate(work / "src", args.lessons)
        preview = Preview(courses, work / "out")
        started = time.perf_counter()
        preview.rebuild()
        first = time.perf_counter() - started
        server = waitress.server.create_server(preview.app(), host="127.0.0.1", port=0, threads=8)
        threading.Thread(target=server.run, daemon=True).start()
        threading.Thread(target=preview.watch, daemon=True).start()
        preview.watching.wait(30)  # the watcher is in place
        events = urllib.request.urlopen(f"http://127.0.0.1:{server.effective_port}/__preview/events", timeout=30)
        events.readline()  # ": connected"
        lesson = one_change_lesson(courses)
        original = lesson.read_text()
        latencies, rebuilds, cpu, rendered = [], [], [], []
        for n in range(args.saves):
            saved = time.perf_counter()
            lesson.write_text(original + f"\nEdit number {n}.\n")
            line = b""
            while not line.startswith(b"data:"):
                line = events.readline()
            latencies.append(time.perf_counter() - saved)
            snapshot = json.loads(line[5:])
            rebuilds.append(snapshot["seconds"])
            cpu.append(snapshot["cpu_seconds"])
            rendered.append(len(snapshot["rendered"]))
            time.sleep(0.2)
        ms = sorted(x * 1000 for x in latencies)
        print(f"{args.lessons} lessons: first build {first:.2f} s; save to reload event over {args.saves} saves: "
              f"median {statistics.median(ms):.0f} ms, p90 {ms[int(0.9 * (len(ms) - 1))]:.0f} ms, max {ms[-1]:.0f} ms; "
              f"of which rebuild median {statistics.median(rebuilds) * 1000:.0f} ms (CPU {statistics.median(cpu) * 1000:.0f} ms); "
              f"lessons re-rendered per save: "
              f"{sorted(set(rendered))}")
        preview.stop()
        events.close()
        time.sleep(1.0)  # the watcher and the event stream have stopped: the rebuilds below are the only ones
        server.close()
        kept, whole = compare_loads(preview, lesson, original, args.compare)
        print(f"same run, {args.compare} one-lesson rebuilds each, alternating: rebuild CPU median "
              f"{kept * 1000:.0f} ms with the course kept loaded, {whole * 1000:.0f} ms loading it again "
              f"(ratio {kept / whole:.2f}); load average (1 min) {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def compare_loads(preview: Preview, lesson: Path, original: str, rebuilds: int) -> tuple[float, float]:
    """Median rebuild CPU seconds after a one-lesson save, with the loaded course kept and with
    it loaded again (as before course/kept.py), interleaved so both see the same machine."""
    cpu: dict[bool, list] = {True: [], False: []}
    for n in range(2 * rebuilds):
        keep = n % 2 == 1
        lesson.write_text(original + f"\nComparison edit {n}.\n")
        preview.kept.changed([lesson])
        if not keep:
            preview.kept.forget()
        preview.rebuild()
        cpu[keep].append(preview.state.last_cpu_seconds)
    return statistics.median(cpu[True]), statistics.median(cpu[False])


if __name__ == "__main__":
    main()
