"""Writing the build output so that a failed or interrupted build never leaves it half-written.

Every changed file is first written into a staging folder beside the output; files that did
not change are not touched at all. Only when all of them are there is the change committed:
a journal (`COMMIT`) is written into the staging folder, then each file is moved into place
and files that no longer belong to the site are removed. If the process dies before the
journal exists, the staging folder is discarded and the previous output is exactly as it
was; if it dies after, the next build finishes the commit (rolls forward). The first build
of an output folder moves whole folders into place.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from brokerlearn.compiler.parallel import map_items
from brokerlearn.errors import UsageError
from brokerlearn.fs import OLD_PREFIX, atomic_write_text, swap_folder

PARTS = ("server", "site")  # server first: a site never points at keys that are not there yet
_STAGING_PREFIX = ".staging-"
_JOURNAL = "COMMIT"


@dataclass
class PlannedFile:
    fingerprint: str
    produce: Callable[[], bytes] | None = None  # rendered content
    copy_from: Path | None = None  # or a file copied as it is
    private: bool = False  # readable by the build's user alone from the moment it exists (a key)


@dataclass
class WriteReport:
    written: list[str] = field(default_factory=list)  # paths relative to OUT
    reused: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.written or self.removed)


def recover(out_dir: Path) -> set[str]:
    """Finish or discard what an interrupted build left behind; return the paths it changed,
    whose recorded fingerprints are no longer to be trusted."""
    touched: set[str] = set()
    if not out_dir.is_dir():
        return touched
    for entry in sorted(out_dir.iterdir()):
        if entry.name.startswith(_STAGING_PREFIX):
            journal_path = entry / _JOURNAL
            if journal_path.is_file():
                journal = json.loads(journal_path.read_text(encoding="utf-8"))
                _apply(out_dir, entry, journal)
                touched.update(journal["written"], journal["removed"])
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(OLD_PREFIX):  # left by swap_folder
            shutil.rmtree(entry, ignore_errors=True)
    return touched


def write_output(out_dir: Path, plan: dict[str, PlannedFile], previous: dict[str, str],
                 progress=None, jobs: int | None = 1) -> WriteReport:
    """Write the files of `plan` that changed (produced on `jobs` processes) and commit them."""
    report = WriteReport()
    # Without a record of the previous build, replace whole folders so no stale file survives.
    first_build = not previous or not all((out_dir / part).is_dir() for part in PARTS)
    prefix = f"{out_dir}{os.sep}"
    existing = set() if first_build else {p for p in previous if os.path.isfile(prefix + p)}
    report.removed = sorted(existing - set(plan))
    for path, planned in plan.items():
        unchanged = path in existing and previous.get(path) == planned.fingerprint
        (report.reused if unchanged else report.written).append(path)
    if not report.changed:
        return report  # nothing changed: write nothing at all
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=out_dir))
    try:
        _stage(staging, plan, report.written, progress, jobs)
        if first_build:
            _move_whole_parts(staging, out_dir)
        else:
            journal = {"written": report.written, "removed": report.removed}
            _write_journal(staging, journal)
            _apply(out_dir, staging, journal)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return report


def _stage(staging: Path, plan: dict[str, PlannedFile], paths: list[str], progress, jobs: int | None) -> None:
    for folder in sorted({os.path.dirname(path) for path in paths}):
        (staging / folder).mkdir(parents=True, exist_ok=True)

    def stage(path: str) -> None:  # in a worker: only the staged file crosses back, on disk
        _produce(plan[path], staging / path)
    map_items(stage, paths, jobs, progress.update if progress else None)


def _produce(planned: PlannedFile, target: Path) -> None:
    if planned.copy_from is not None:
        _copy_no_links(planned.copy_from, target)
    elif planned.private:
        with os.fdopen(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as writer:
            writer.write(planned.produce())
    else:
        target.write_bytes(planned.produce())


def _copy_no_links(source: Path, target: Path) -> None:
    """Copy a file's bytes, refusing a symbolic link (put there after the build checked the course)."""
    try:
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError as exc:
        if os.path.islink(source):
            raise UsageError(f"{source}: a symbolic link, not copied into the site") from None
        raise exc
    with os.fdopen(fd, "rb") as reader, open(target, "wb") as writer:
        shutil.copyfileobj(reader, writer, 1024 * 1024)


def _write_journal(staging: Path, journal: dict) -> None:
    atomic_write_text(staging / _JOURNAL, json.dumps(journal))  # from here on, the commit is decided


def _apply(out_dir: Path, staging: Path, journal: dict) -> None:
    """Move staged files into place and remove dropped ones; safe to repeat."""
    for path in sorted(journal["written"], key=_commit_order):
        source = staging / path
        if source.is_file():  # already moved if an earlier attempt got this far
            (out_dir / path).parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, out_dir / path)
    for path in journal["removed"]:
        (out_dir / path).unlink(missing_ok=True)
        _remove_empty_parents(out_dir, (out_dir / path).parent)


def _commit_order(path: str) -> tuple:
    return (not path.startswith("server/"), path)


def _move_whole_parts(staging: Path, out_dir: Path) -> None:
    for part in PARTS:
        (staging / part).mkdir(exist_ok=True)
        swap_folder(staging / part, out_dir / part)  # a half-present earlier output is replaced whole


def _remove_empty_parents(out_dir: Path, folder: Path) -> None:
    while folder != out_dir and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
