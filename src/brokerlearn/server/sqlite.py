"""SQLite as the server uses it: the file made private, the pragmas of every connection, the
writers taking turns across processes, and the writer connection of the hot write."""
from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, event, make_url
from sqlalchemy.engine import Engine

from brokerlearn.server.writer_connection import WriterConnection


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL; None for other databases and for SQLite in memory."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:") \
            or parsed.query.get("mode") == "memory" or parsed.database.startswith("file:"):
        return None
    return Path(parsed.database)


def create_private(url: str) -> None:
    """Make a new SQLite database file readable by its owner only, before SQLite creates it with
    the umask (0644 as a rule). SQLite gives its -wal and -shm files the database file's mode."""
    path = sqlite_file(url)
    if path is None or path.exists() or not path.parent.is_dir():
        return  # an existing file keeps its mode; a missing folder is SQLite's error to report
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass  # another process made it first


SQLITE_CONNECT_ARGS = {"timeout": 30, "check_same_thread": False}


def make_engine(url: str) -> Engine:
    path = sqlite_file(url)
    factory = WriterTurn.connection_class(path) if path else sqlite3.Connection
    engine = create_engine(url, connect_args={**SQLITE_CONNECT_ARGS, "factory": factory})
    # Just before SQLite would create a missing file on the first connection, not before:
    # an application that is never used to write (restore) leaves no file behind.
    event.listen(engine, "do_connect", lambda *_args: create_private(url))
    event.listen(engine, "connect", _sqlite_pragmas)
    if path:
        event.listen(engine, "before_cursor_execute", _before_statement)
        event.listen(engine, "after_cursor_execute", _after_statement)
        event.listen(engine, "handle_error", lambda context: _after_statement(context.connection))
    return engine


# -- writers take turns ---------------------------------------------------------------------------
#
# SQLite has one writer at a time. One that finds the file locked sleeps in SQLite's busy
# handler, 1, 2, 5, 10, 15, 20, 25 ... up to 100 ms between tries: under load a writer of one
# process can keep missing the moments another process's writers release the lock, and a graded
# attempt waited half a second (bench/README.md). So each connection first takes its turn on a
# lock file beside the database (flock: every process and thread, each connection on its own
# open file), looked at every TURN_POLL seconds, before it starts a transaction that writes;
# it gives the turn back when that transaction ends. A connection already in a transaction
# never waits for a turn (it may hold SQLite's lock: it goes on as before), and one that has
# waited TURN_WAIT seconds, or cannot open the lock file, goes on to SQLite's own waiting.

TURN_POLL = 0.001
TURN_WAIT = 30.0
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLAC")


class WriterTurn:
    """A connection's turn among the writers of one SQLite file (the lock file PATH-lock). A
    thread that holds a turn on the file through another connection does not wait for one (it
    would wait for itself): that connection goes on to SQLite's waiting, as without turns."""

    _threads_holding: dict[tuple[Path, int], int] = {}  # (lock file, thread) -> turns held

    def __init__(self, file: Path):
        self.file, self.path = file, Path(f"{file}-lock")
        self.fd: int | None = None
        self.held = False
        self._holder: tuple[Path, int] | None = None

    @staticmethod
    def connection_class(path: Path) -> type:
        """The sqlite3.Connection of an engine on PATH: it gives its turn back when it commits,
        rolls back or closes."""
        class TakingTurns(sqlite3.Connection):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.turn = WriterTurn(path)

            def commit(self):
                try:
                    super().commit()
                finally:
                    self.turn.give_back()

            def rollback(self):
                try:
                    super().rollback()
                finally:
                    self.turn.give_back()

            def close(self):
                try:
                    super().close()
                finally:
                    self.turn.close()
        return TakingTurns

    def take(self) -> None:
        me = (self.path, threading.get_ident())
        if self.held or WriterTurn._threads_holding.get(me):
            return
        try:
            if self.fd is None:
                self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            deadline = time.monotonic() + TURN_WAIT
            while True:
                try:
                    fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    self.held, self._holder = True, me
                    WriterTurn._threads_holding[me] = WriterTurn._threads_holding.get(me, 0) + 1
                    return
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        return  # SQLite's busy timeout decides from here
                    time.sleep(TURN_POLL)
        except OSError:
            return  # no lock file (the folder is gone): SQLite reports what it finds

    def give_back(self) -> None:
        if self.held:
            self.held = False
            holder, self._holder = self._holder, None
            left = WriterTurn._threads_holding.pop(holder, 1) - 1
            if left:
                WriterTurn._threads_holding[holder] = left
            fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.give_back()
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _before_statement(connection, _cursor, statement, *_args) -> None:
    dbapi = connection.connection.dbapi_connection
    turn = getattr(dbapi, "turn", None)
    if turn is not None and not dbapi.in_transaction and statement.lstrip()[:6].upper() in _WRITES:
        turn.take()


def _after_statement(connection, *_args) -> None:
    """An autocommit statement, or one that failed outside a transaction, has ended its own."""
    try:
        dbapi = connection.connection.dbapi_connection
    except Exception:  # noqa: BLE001 - no connection, or an invalidated one: it gives back on close
        return
    turn = getattr(dbapi, "turn", None)
    if turn is not None and turn.held and not dbapi.in_transaction:
        turn.give_back()


def _sqlite_pragmas(connection, _record) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer
    cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged write survives a power cut
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


class SqliteWriter(WriterConnection):
    """The writer connection on an SQLite file: the pool's pragmas, and it takes its turn among
    the file's writers around each statement."""

    def __init__(self, engine: Engine):
        super().__init__(engine)
        self._turn = WriterTurn(sqlite_file(str(engine.url)))

    def _connect(self):
        create_private(str(self._url))
        args, kwargs = self._dialect.create_connect_args(self._url)
        connection = self._dialect.loaded_dbapi.connect(*args, **{**kwargs, **SQLITE_CONNECT_ARGS})
        connection.isolation_level = None  # autocommit: the driver opens no transaction
        _sqlite_pragmas(connection, None)
        return connection

    def _forked(self) -> None:
        super()._forked()
        WriterConnection._inherited.append(self._turn)  # its open lock file is the parent's too
        self._turn = WriterTurn(self._turn.file)

    def _run(self, connection, sql: str, parameters: tuple) -> list:
        self._turn.take()
        try:
            return super()._run(connection, sql, parameters)
        finally:
            self._turn.give_back()
