"""Which sessions are still valid, known without a database read per request.

A signed-in session carries the account (id, session generation, role, name, e-mail) and when
that was last checked against the database (server/security.py). It is valid while its
generation is at least the account's floor in this process's cache of generations. The floors
come from the table of session changes, which accounts.end_sessions (the one way sessions end:
sign-out, a new password or role, deactivation, deletion) writes in the same transaction as the
account's new generation. Each process reads the rows new since its last look at most once a
second (POLL), on SQLite and on PostgreSQL alike (one small indexed query; no LISTEN/NOTIFY
connection to keep per process); the process that made the change knows it at once.

A session's account is read from the database again once it is older than VERIFY (and the
rows are kept for KEEP, longer than that), so the cache never needs rows older than KEEP: a
session checked before a pruned change has been checked again since.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from datetime import timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from brokerlearn.server.models import SessionChange, utcnow

POLL = 1.0  # seconds: how stale another process's change may be here
VERIFY = 12 * 3600  # seconds: a session's account is read from the database again after this
KEEP = timedelta(days=2)  # rows older than this are pruned; must exceed VERIFY
# PostgreSQL hands out ids when a row is inserted, not when it commits: a change committed a
# moment after one with a higher id is found by reading again from the ids seen LOOKBACK ago.
LOOKBACK = 10.0

_SINCE = (select(SessionChange.id, SessionChange.user_id, SessionChange.generation)
          .where(SessionChange.id > bindparam("after")).order_by(SessionChange.id))


def record_change(db: Session, user_id: int, generation: int) -> None:
    """Part of accounts.end_sessions (call that, not this): the row every process reads, and
    the pruning of rows no process needs any more. The caller commits."""
    db.add(SessionChange(user_id=user_id, generation=generation))
    db.execute(delete(SessionChange).where(SessionChange.changed_at < utcnow() - KEEP))


class Generations:
    """One process's floors: user id -> the lowest session generation still valid."""

    def __init__(self, poll: float = POLL):
        self.poll = poll
        self.floors: dict[int, int] = {}
        self.last_id = 0
        self.marks: deque[tuple[float, int]] = deque()  # (when read, highest id then)
        self.checked = float("-inf")  # time.monotonic() of the last successful read
        self._lock = threading.Lock()

    def floor(self, connect, user_id: int) -> int:
        """The account's floor, after reading new changes if the last read is POLL old.
        `connect()` gives a Connection; only called when a read is due. When the read fails,
        a cache read less than LOOKBACK ago still answers; else the error goes up (503)."""
        if time.monotonic() - self.checked >= self.poll and self._lock.acquire(blocking=False):
            try:
                self.read(connect())
            except Exception:
                if time.monotonic() - self.checked >= LOOKBACK:
                    raise
            finally:
                self._lock.release()
        return self.floors.get(user_id, 0)

    def known_floor(self, user_id: int) -> int | None:
        """The account's floor if this process read the changes less than POLL ago, else None
        (the caller that cannot read the database hands the request to one that can)."""
        if time.monotonic() - self.checked >= self.poll:
            return None
        return self.floors.get(user_id, 0)

    def read(self, connection: Connection) -> None:
        now = time.monotonic()
        while len(self.marks) > 1 and self.marks[1][0] <= now - LOOKBACK:
            self.marks.popleft()
        after = self.marks[0][1] if self.marks and self.marks[0][0] <= now - LOOKBACK else 0
        after = min(after, self.last_id)
        for row_id, user_id, generation in connection.execute(_SINCE, {"after": after}):
            self.learn(user_id, generation)
            self.last_id = max(self.last_id, row_id)
        self.marks.append((now, self.last_id))
        self.checked = now

    def learn(self, user_id: int, generation: int) -> None:
        if generation > self.floors.get(user_id, 0):
            self.floors[user_id] = generation


# One cache per database in this process (a test process has many), by the engine's URL.
_caches: dict[str, Generations] = {}
_caches_lock = threading.Lock()


def generations_for(url) -> Generations:
    key = str(url)
    with _caches_lock:
        cache = _caches.get(key)
        if cache is None:
            cache = _caches[key] = Generations()
        return cache


def ended_here(db: Session, user_id: int, generation: int) -> None:
    """After the commit: this process refuses the old sessions at once, without waiting to read."""
    generations_for(db.get_bind().url).learn(user_id, generation)
