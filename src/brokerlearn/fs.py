"""The file system, used the same way everywhere: writes a reader never sees half of, a folder
swapped into place whole, and values derived from files remembered until the file changes.

* `AtomicFile(path)` (and `atomic_write_text` / `atomic_write_bytes` on top of it) writes into
  a temporary file in the target's own folder (so the final rename never crosses file
  systems), flushes it to disk, and renames it over the target with `os.replace`. A reader,
  or a process killed half-way, sees the old file whole or the new one whole, never a mix.
  The new file keeps the mode of the file it replaces, or takes the `mode` given (created
  with it: a private file is never readable by others, not even while empty). If the write
  fails, the temporary file is removed and the old file is left as it was.
* `swap_folder(new, target)` puts a finished folder where an old one was: the old one is
  renamed aside first (`.old-NAME-PID` beside it, for a later run to remove if this one dies)
  and deleted only once the new one is in place.
* `StatMemo` remembers a value computed from a file (its content hash) with the file's size
  and modification time, and trusts it again only while both are unchanged and the file was
  already older than the file system's time grain when it was recorded.

Everything here stands on the standard library alone, so every layer may use it.
"""
from __future__ import annotations

import os
import secrets
import shutil
import stat as stat_module
import time
from pathlib import Path
from typing import IO, Callable

_TEMP_SUFFIX = ".tmp"
OLD_PREFIX = ".old-"  # folders renamed aside by swap_folder


class AtomicFile:
    """A binary file to write that replaces `path` only when the `with` block ends without error.

    The temporary file is opened here, so a folder that cannot be written fails before the
    block starts; `tell`, `seek` and the rest work, as zipfile and tarfile need.
    """

    def __init__(self, path: Path | str, mode: int | None = None, sync: bool = True):
        self.path = Path(path)
        self.sync = sync
        if mode is None:
            try:
                mode = stat_module.S_IMODE(os.stat(self.path).st_mode)  # keep the replaced file's
            except FileNotFoundError:
                mode = None  # a new file: what the umask gives, as open() would
        self.mode = mode
        self.temporary, fd = _open_temporary(self.path, 0o666 if mode is None else mode & 0o777)
        try:
            if mode is not None:
                os.fchmod(fd, mode)  # exactly, whatever the umask
            self.file: IO[bytes] = os.fdopen(fd, "wb")
        except BaseException:
            os.close(fd)
            self.temporary.unlink(missing_ok=True)
            raise

    def __enter__(self) -> IO[bytes]:
        return self.file

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()

    def commit(self) -> None:
        try:
            self.file.flush()
            if self.sync:
                os.fsync(self.file.fileno())
            self.file.close()
            os.replace(self.temporary, self.path)
        except BaseException:
            self.discard()
            raise
        if self.sync:
            _sync_folder(self.path.parent)

    def discard(self) -> None:
        self.file.close()
        self.temporary.unlink(missing_ok=True)


def atomic_write_bytes(path: Path | str, data: bytes, mode: int | None = None, sync: bool = True) -> None:
    """Replace `path` by `data` all at once (see AtomicFile)."""
    with AtomicFile(path, mode, sync) as handle:
        handle.write(data)


def atomic_write_text(path: Path | str, text: str, mode: int | None = None, sync: bool = True,
                      encoding: str = "utf-8") -> None:
    """Replace `path` by `text` all at once (see AtomicFile)."""
    atomic_write_bytes(path, text.encode(encoding), mode, sync)


def _open_temporary(path: Path, create_mode: int) -> tuple[Path, int]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    while True:
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}{_TEMP_SUFFIX}")
        try:
            return temporary, os.open(temporary, flags, create_mode)
        except FileExistsError:
            continue


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable; a file system that cannot sync a folder is let be."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def swap_folder(new: Path, target: Path) -> None:
    """Move the folder `new` to `target`, replacing a folder there (kept aside until the move is done)."""
    if target.exists():
        aside = target.with_name(f"{OLD_PREFIX}{target.name}-{os.getpid()}")
        os.rename(target, aside)
        os.rename(new, target)
        shutil.rmtree(aside, ignore_errors=True)
    else:
        os.rename(new, target)


class StatMemo:
    """Values computed from files, kept with each file's (size, mtime_ns) and trusted while they hold.

    `entries` maps str(path) to [size, mtime_ns, value, recorded_ns]: plain JSON, so a cache
    can store the dict as it is and hand it back to a new memo.

    File times are coarse (a few ms on many file systems): a file changed again within that
    grain keeps its time. As git does for its index, a recorded stat is trusted only if the file
    was already older than RACY_NS when it was recorded.
    """

    RACY_NS = 2_000_000_000

    def __init__(self, entries: dict | None = None):
        self.entries: dict = {} if entries is None else entries

    def get(self, path: Path | str, stat: os.stat_result):
        """The value recorded for `path` if the file is unchanged since, else None."""
        known = self.entries.get(str(path))
        if (known and known[0] == stat.st_size and known[1] == stat.st_mtime_ns
                and known[1] < known[3] - self.RACY_NS):
            return known[2]
        return None

    def put(self, path: Path | str, stat: os.stat_result, value) -> None:
        self.entries[str(path)] = [stat.st_size, stat.st_mtime_ns, value, time.time_ns()]

    def value(self, path: Path, compute: Callable[[Path], object]):
        """The remembered value for `path`, or `compute(path)` (then remembered)."""
        stat = path.stat()
        value = self.get(path, stat)
        if value is None:
            value = compute(path)
            self.put(path, stat, value)
        return value
