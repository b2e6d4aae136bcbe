"""A process's own DBAPI connection for the one hot write (progress.GroupCommit), in autocommit
(each statement its own transaction). SQLAlchemy's pool checkout and statement execution cost
about twenty times SQLite's own work for that one INSERT (bench/README.md); this runs SQL text
on the driver's connection. Opened on first use, and anew after the engine's pool was replaced
(engine.dispose(): a restore, the database moved), after a fork (a connection is never used
across one) and after any error; a driver error comes as SQLAlchemy's, so an outage stays one
503. It holds no reference to the engine, so it goes when the engine goes (`for_engine`)."""
from __future__ import annotations

import os
import threading
import weakref

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError


class WriterConnection:
    _inherited: list = []  # what was the parent's across a fork: never used, never closed here
    _writers: "weakref.WeakKeyDictionary[Engine, WriterConnection]" = weakref.WeakKeyDictionary()
    _lock = threading.Lock()

    def __init__(self, engine: Engine):
        self._url, self._dialect = engine.url, engine.dialect
        self._connection = None
        self._pool = lambda: None
        self._pid = os.getpid()

    @property
    def placeholder(self) -> str:
        """The driver's positional parameter marker."""
        return "?" if self._dialect.loaded_dbapi.paramstyle == "qmark" else "%s"

    def execute(self, engine: Engine, sql: str, parameters: tuple) -> list:
        """The statement's rows."""
        if self._pid != os.getpid():
            self._forked()
        if self._connection is not None and self._pool() is not engine.pool:
            self.close()
        error = self._dialect.loaded_dbapi.Error
        try:
            if self._connection is None:
                self._connection, self._pool = self._connect(), weakref.ref(engine.pool)
            return self._run(self._connection, sql, parameters)
        except error as exc:
            self.close()
            raise DBAPIError.instance(sql, parameters, exc, error, dialect=self._dialect) from exc

    def _connect(self):
        args, kwargs = self._dialect.create_connect_args(self._url)
        connection = self._dialect.loaded_dbapi.connect(*args, **kwargs)
        connection.autocommit = True
        return connection

    def _run(self, connection, sql: str, parameters: tuple) -> list:
        return connection.execute(sql, parameters).fetchall()

    def _forked(self) -> None:
        WriterConnection._inherited.append(self._connection)
        self._connection, self._pid = None, os.getpid()

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except self._dialect.loaded_dbapi.Error:
                pass  # closing a connection that failed: nothing more to lose

    @classmethod
    def for_engine(cls, engine: Engine) -> "WriterConnection | None":
        """The engine's writer; None for SQLite in memory (a connection of its own would be
        another database) and for drivers other than sqlite3 and psycopg."""
        writer = cls._writers.get(engine)
        if writer is None:
            kind = _kind(engine)
            if kind is None:
                return None
            with cls._lock:
                writer = cls._writers.get(engine) or cls._writers.setdefault(engine, kind(engine))
        return writer


def _kind(engine: Engine):
    if engine.dialect.name == "sqlite":
        from brokerlearn.server.sqlite import SqliteWriter, sqlite_file
        return SqliteWriter if sqlite_file(str(engine.url)) else None
    if engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg":
        return WriterConnection
    return None
