"""The rendered bodies' HTML and search sections, kept between builds in one SQLite file
(OUT/.cache/bodies.sqlite), one row per body key.

One file, not a file per body: creating a file is the costliest thing a build does to its disk
(on the test VM 0.3 to 0.7 ms of CPU each under /work, three times a lesson's share of the bare
Markdown parse), and 2,000 entries as rows took 0.23 CPU s against 1.2 to 1.6 s as files
(bench/README.md). Build workers write their bodies' rows in their own connections (SQLite
locks the file between processes); a connection is never used across a fork.

Nothing here is needed for correctness: a missing, damaged or unreadable row or file is a body
rendered again, so writes are not synced to disk and a damaged file is replaced by an empty one.
"""
from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import orjson

_SCHEMA = "CREATE TABLE IF NOT EXISTS bodies (key TEXT PRIMARY KEY, entry BLOB NOT NULL)"  # entry: JSON (orjson)
_BUSY_SECONDS = 60  # another worker's write is a few milliseconds; a stuck one is not waited for long


class BodyStore:
    def __init__(self, path: Path):
        self.path = path
        self._connection: sqlite3.Connection | None = None
        self._pid = 0  # the process `_connection` was opened in

    def prepare(self) -> None:
        """Make the file ready for writers, in the main process before workers start: a file
        that is not a readable store is replaced by an empty one. The connection is closed again,
        so none is inherited by a forked worker."""
        try:
            self._connect().execute(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            self._discard(exc)
            self._connect().execute(_SCHEMA)
        self.close()

    def put(self, key: str, segments: list, sections: list) -> None:
        """Keep a body's HTML segments and search sections (from a build worker too)."""
        entry = orjson.dumps({"segments": segments, "sections": sections})
        try:
            self._connect().execute("INSERT OR REPLACE INTO bodies (key, entry) VALUES (?, ?)", (key, entry))
        except sqlite3.DatabaseError as exc:
            # A store that broke during the build: this body is rendered again when it is needed.
            print(f"warning: build cache: body not kept ({exc})", file=sys.stderr)

    def get(self, key: str) -> dict | None:
        """A body's entry ({"segments": ..., "sections": ...}), or None: the caller renders it again."""
        if not self._connected() and not self.path.exists():  # never made by reading it
            return None
        try:
            row = self._connect().execute("SELECT entry FROM bodies WHERE key = ?", (key,)).fetchone()
            entry = orjson.loads(row[0]) if row else None
        except (sqlite3.DatabaseError, orjson.JSONDecodeError, TypeError):
            return None
        return entry if isinstance(entry, dict) else None

    def keep_only(self, keys: set[str]) -> None:
        """Remove the bodies of every other key (at the end of a build, in the main process)."""
        if not self.path.exists():
            return
        try:
            connection = self._connect()
            unused = [(key,) for (key,) in connection.execute("SELECT key FROM bodies") if key not in keys]
            if unused:
                with connection:  # one transaction
                    connection.executemany("DELETE FROM bodies WHERE key = ?", unused)
        except sqlite3.DatabaseError as exc:
            self.close()
            self._discard(exc)
        finally:
            self.close()

    def close(self) -> None:
        if self._connected():
            self._connection.close()
        self._connection = None

    def _connected(self) -> bool:
        """Whether this process has its connection (never one opened before a fork)."""
        return self._connection is not None and self._pid == os.getpid()

    def _connect(self) -> sqlite3.Connection:
        if not self._connected():
            # Autocommit (isolation_level=None): each body is its own short write, so two workers
            # take turns on the file's lock instead of holding it for a whole chunk of lessons.
            connection = sqlite3.connect(self.path, timeout=_BUSY_SECONDS, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")  # readers and a writer at once
            connection.execute("PRAGMA synchronous=OFF")  # a body lost in a crash is rendered again
            self._connection, self._pid = connection, os.getpid()
        return self._connection

    def _discard(self, exc: Exception) -> None:
        print(f"warning: build cache: {self.path.name} unreadable ({exc}); its bodies are rendered again",
              file=sys.stderr)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
