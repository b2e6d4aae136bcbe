"""SQLite writers take turns on a lock file beside the database (server/sqlite.py): a
connection holds the turn from its first write to its commit or rollback, so a writer of
another process waits for exactly that long, instead of sleeping in SQLite's busy handler."""
from __future__ import annotations

import fcntl
import os
import stat
import threading
import time

from sqlalchemy import text

from brokerlearn.server import sqlite


def _engine(tmp_path):
    engine = sqlite.make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
    return engine


def _turn_is_free(path) -> bool:
    """Whether another open file (another process, as far as flock is concerned) can take it."""
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)


def test_a_transaction_holds_the_turn_from_its_first_write_to_its_commit(tmp_path):
    engine = _engine(tmp_path)
    lock = tmp_path / "db.sqlite-lock"
    with engine.connect() as connection:
        connection.execute(text("SELECT count(*) FROM t"))
        assert not lock.exists() or _turn_is_free(lock)  # reading takes no turn
        connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
        assert not _turn_is_free(lock)
        connection.execute(text("INSERT INTO t (v) VALUES ('b')"))  # the same transaction: no second wait
        connection.commit()
        assert _turn_is_free(lock)
        connection.execute(text("UPDATE t SET v = 'c'"))
        assert not _turn_is_free(lock)
        connection.rollback()
        assert _turn_is_free(lock)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT group_concat(v) FROM t")) == "a,b"
    assert stat.S_IMODE(lock.stat().st_mode) == 0o600
    engine.dispose()


def test_an_autocommit_write_gives_the_turn_back_at_once_and_a_failed_one_too(tmp_path):
    engine = _engine(tmp_path)
    lock = tmp_path / "db.sqlite-lock"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
        assert _turn_is_free(lock)
        try:
            connection.execute(text("INSERT INTO t (id, v) VALUES (1, 'again')"))  # the same primary key
        except Exception:  # noqa: BLE001 - the IntegrityError is the point
            pass
        assert _turn_is_free(lock)
    engine.dispose()


def test_a_writer_waits_for_the_turn_and_goes_on_as_soon_as_it_is_given_back(tmp_path):
    engine = _engine(tmp_path)
    holder = engine.connect()
    holder.execute(text("INSERT INTO t (v) VALUES ('first')"))  # holds the turn (and SQLite's lock)
    done = {}

    def second_writer():
        with engine.connect() as connection:
            connection.execute(text("INSERT INTO t (v) VALUES ('second')"))
            connection.commit()
            done["at"] = time.monotonic()
    thread = threading.Thread(target=second_writer)
    thread.start()
    time.sleep(0.3)
    assert "at" not in done  # still waiting for its turn
    released = time.monotonic()
    holder.commit()
    thread.join(timeout=10)
    assert done["at"] - released < 0.1  # SQLite's busy handler alone would sleep up to 100 ms at a time
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT group_concat(v) FROM t")) == "first,second"
    holder.close()
    engine.dispose()


def test_a_thread_holding_a_turn_does_not_wait_for_itself_on_another_connection(tmp_path, monkeypatch):
    """Two connections of one thread (a nested session): waiting for the turn would wait for
    the thread itself; the second goes on to SQLite's own waiting at once, as without turns,
    while another thread does wait."""
    monkeypatch.setattr(sqlite, "TURN_WAIT", 5.0)
    file = tmp_path / "db.sqlite"
    first, second = sqlite.WriterTurn(file), sqlite.WriterTurn(file)
    first.take()
    started = time.monotonic()
    second.take()
    assert time.monotonic() - started < 0.5 and not second.held
    other = sqlite.WriterTurn(file)
    waited = {}
    thread = threading.Thread(target=lambda: (other.take(), waited.setdefault("held", other.held)))
    thread.start()
    time.sleep(0.3)
    assert "held" not in waited
    first.give_back()
    thread.join(timeout=10)
    assert waited == {"held": True}
    other.close(), first.close(), second.close()


def test_sqlite_in_memory_takes_no_turns():
    engine = sqlite.make_engine("sqlite://")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (v TEXT)"))
        connection.execute(text("INSERT INTO t VALUES ('a')"))
        assert connection.scalar(text("SELECT v FROM t")) == "a"
    engine.dispose()
