"""The example course's built output, kept as a stored tree (tests/golden/example/) that
tests/test_golden.py compares a fresh build with, so that a change to what the compiler
writes is seen in review, on purpose, file by file.

Text files are stored as they are, under their name plus ".golden" (so that tools that read
source by its ending do not take the copies for code); binary files (video renditions, posters) by their SHA-256
in BINARIES.sha256. The build's private part is kept too (the manifest the server reads),
except the quiz key, a secret. Builds are reproducible given the quiz key, which the tests fix
(tests/conftest.py).

To accept a change on purpose:  bash scripts/golden
"""
from __future__ import annotations

import difflib
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "courses" / "example"
STORED = REPO / "tests" / "golden" / "example"
SUFFIX = ".golden"
BINARY_LIST = "BINARIES.sha256"
BINARY_SUFFIXES = {".mp4", ".webm", ".jpg", ".jpeg", ".png", ".gif", ".webp", ".pdf", ".zip", ".docx", ".woff", ".woff2"}
LEFT_OUT = {"server/quiz-key"}  # a secret, even the tests' one
TEST_QUIZ_KEY = "tests-quiz-key-" + "0" * 32  # as in tests/conftest.py


def build_example(out_dir: Path) -> None:
    env = dict(os.environ, BROKERLEARN_QUIZ_KEY=os.environ.get("BROKERLEARN_QUIZ_KEY", TEST_QUIZ_KEY))
    done = subprocess.run([sys.executable, "-m", "brokerlearn", "build", str(EXAMPLE), "-o", str(out_dir)],
                          capture_output=True, text=True, env=env, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"the example course did not build:\n{done.stderr}")


def snapshot(out_dir: Path) -> dict[str, str | bytes]:
    """relative path -> text, for every file of site/ and server/; binaries by their digest."""
    files: dict[str, str | bytes] = {}
    digests = []
    for path in sorted(p for part in ("site", "server") for p in (out_dir / part).rglob("*") if p.is_file()):
        name = path.relative_to(out_dir).as_posix()
        if name in LEFT_OUT:
            continue
        if path.suffix.lower() in BINARY_SUFFIXES:
            digests.append(f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {name}\n")
        else:
            files[name] = path.read_text(encoding="utf-8")
    files[BINARY_LIST] = "".join(digests)
    return files


def stored() -> dict[str, str]:
    return {p.relative_to(STORED).as_posix().removesuffix(SUFFIX): p.read_text(encoding="utf-8")
            for p in sorted(STORED.rglob("*")) if p.is_file()}


def differences(expected: dict[str, str], actual: dict[str, str], most_lines: int = 60) -> list[str]:
    """Readable differences: files missing and extra, then a unified diff of each changed one
    (at most `most_lines` lines each)."""
    report = [f"missing from the build: {name}" for name in sorted(set(expected) - set(actual))]
    report += [f"new in the build: {name}" for name in sorted(set(actual) - set(expected))]
    for name in sorted(set(expected) & set(actual)):
        if expected[name] != actual[name]:
            diff = list(difflib.unified_diff(expected[name].splitlines(), actual[name].splitlines(),
                                             f"stored/{name}", f"built/{name}", lineterm="", n=1))
            report.append("\n".join(diff[:most_lines] + (["…"] if len(diff) > most_lines else [])))
    return report


def update(scratch: Path) -> int:
    build_example(scratch)
    files = snapshot(scratch)
    if STORED.exists():
        shutil.rmtree(STORED)
    for name, text in files.items():
        target = STORED / (name + SUFFIX)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return len(files)


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        count = update(Path(scratch) / "out")
    print(f"stored {count} files of the example course's build in {STORED.relative_to(REPO)}")
