"""Progress events of concurrent requests are written together (one INSERT, one commit, one
fsync), and each request still learns how many of its own events were new; nothing is
acknowledged before its statement has committed."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

from sqlalchemy import create_engine, func, select

from brokerlearn.server.db import upgrade
from brokerlearn.server.writer_connection import WriterConnection
from brokerlearn.server.models import ProgressEvent
from brokerlearn.server.services.progress import GroupCommit


def _event(user_id: int, event_id: str) -> dict:
    now = datetime.now(timezone.utc)
    return {"event_id": event_id, "course_id": "example", "kind": "lesson_viewed", "item_id": "m/l", "value": 1.0,
            "occurred_at": now, "user_id": user_id, "recorded_at": now}


def test_concurrent_requests_share_one_insert_and_each_gets_its_own_count(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    from brokerlearn.server.models import Base, User  # a user row for the foreign key
    engine = create_engine(url, connect_args={"check_same_thread": False})
    Base.metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(User.__table__.insert(), [{"id": n, "email": f"u{n}@x.org", "name": "", "role": "learner",
                                                      "password_hash": "x", "session_version": 0,
                                                      "created_at": datetime.now(timezone.utc)} for n in (1, 2)])
        connection.execute(ProgressEvent.__table__.insert(), [_event(1, "already-there")])
    inserts = []
    execute = WriterConnection.execute

    def slow_first(writer, engine, sql, parameters):  # the statements of the process's writer connection
        if sql.lstrip().upper().startswith("INSERT"):
            inserts.append(sql)
            if len(inserts) == 1:
                time.sleep(0.5)  # the others queue behind the first write meanwhile
        return execute(writer, engine, sql, parameters)
    monkeypatch.setattr(WriterConnection, "execute", slow_first)
    group = GroupCommit()
    requests = {0: [_event(1, "first-one")]}
    requests.update({n: [_event(1 + n % 2, f"event-{n}"), _event(1 + n % 2, f"event-{n}-b")] for n in range(1, 12)})
    requests[12] = [_event(1, "already-there"), _event(1, "new-with-an-old")]  # one replayed, one new
    results: dict[int, int] = {}

    def send(number: int) -> None:
        results[number] = group.insert(engine, requests[number])
    first = threading.Thread(target=send, args=(0,))
    first.start()
    time.sleep(0.1)
    others = [threading.Thread(target=send, args=(n,)) for n in range(1, 13)]
    for thread in others:
        thread.start()
    for thread in [first, *others]:
        thread.join(timeout=30)
    assert results == {0: 1, **{n: 2 for n in range(1, 12)}, 12: 1}
    assert len(inserts) == 2  # the first request's, then everything queued meanwhile together
    with engine.connect() as connection:
        assert connection.scalar(select(func.count(ProgressEvent.id))) == 1 + 1 + 22 + 1
    engine.dispose()


def _database(path) -> "tuple[str, object]":
    from brokerlearn.server.db import make_engine
    from brokerlearn.server.models import User
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(User.__table__.insert(), [{"id": 1, "email": "u1@x.org", "name": "", "role": "learner",
                                                      "password_hash": "x", "session_version": 0,
                                                      "created_at": datetime.now(timezone.utc)}])
    return url, engine


def test_the_writer_connection_stores_events_exactly_as_the_orm_does(database_url):
    """The group commit writes SQL text on a connection of its own: each column's value must be
    stored as SQLAlchemy's own insert stores it, and read back the same (SQLite and PostgreSQL)."""
    from brokerlearn.server.db import make_engine
    from brokerlearn.server.models import User
    engine = make_engine(database_url)
    with engine.begin() as connection:
        user_id = connection.execute(User.__table__.insert().returning(User.__table__.c.id), [{
            "email": "u1@x.org", "name": "", "role": "learner", "password_hash": "x", "session_version": 0,
            "created_at": datetime.now(timezone.utc)}]).scalar()
    when = datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=timezone.utc)
    written = {**_event(user_id, "by-the-writer"), "occurred_at": when, "recorded_at": when, "value": 0.25}
    assert GroupCommit().insert(engine, [written]) == 1
    assert GroupCommit().insert(engine, [written]) == 0  # a replay
    typed = "CAST(value AS TEXT), CAST(occurred_at AS TEXT), CAST(recorded_at AS TEXT)"
    with engine.begin() as connection:
        connection.execute(ProgressEvent.__table__.insert(), [{**written, "event_id": "by-the-orm"}])
        stored = connection.exec_driver_sql(
            f"SELECT user_id, course_id, kind, item_id, {typed} FROM progress_events ORDER BY event_id").all()
        read = connection.execute(select(ProgressEvent.occurred_at, ProgressEvent.value)
                                  .where(ProgressEvent.event_id == "by-the-writer")).one()
    assert len(stored) == 2 and stored[0] == stored[1]
    assert read.value == 0.25 and read.occurred_at.replace(tzinfo=read.occurred_at.tzinfo or timezone.utc) == when
    engine.dispose()


def test_the_writer_connection_follows_the_engine_to_a_new_database_file(tmp_path):
    """After engine.dispose() (a restore, the disk remounted) the file at the URL may be another
    one: the next write must go there, not to the file the writer had open."""
    import shutil

    from brokerlearn.server.db import make_engine
    path = tmp_path / "db.sqlite"
    url, engine = _database(path)
    group = GroupCommit()
    assert group.insert(engine, [_event(1, "in-the-first-file")]) == 1
    engine.dispose()
    (tmp_path / "old").mkdir()
    for name in ("db.sqlite", "db.sqlite-wal", "db.sqlite-shm"):
        if (tmp_path / name).exists():
            shutil.move(tmp_path / name, tmp_path / "old" / name)
    _url, other = _database(path)
    other.dispose()
    assert group.insert(engine, [_event(1, "in-the-second-file")]) == 1
    with engine.connect() as connection:
        assert connection.scalars(select(ProgressEvent.event_id)).all() == ["in-the-second-file"]
    engine.dispose()


def test_a_failing_write_is_sqlalchemys_error_and_the_next_one_reconnects(tmp_path):
    """The views turn SQLAlchemy's OperationalError into a 503 (server/errors.py): the writer's
    own DBAPI errors must come as that, and a write after the database returned must succeed."""
    import pytest
    from sqlalchemy.exc import OperationalError
    path = tmp_path / "data" / "db.sqlite"
    path.parent.mkdir()
    _url, engine = _database(path)
    group = GroupCommit()
    assert group.insert(engine, [_event(1, "before")]) == 1
    engine.dispose()
    path.parent.rename(tmp_path / "away")  # the folder is gone: the file cannot be opened
    with pytest.raises(OperationalError):
        group.insert(engine, [_event(1, "during")])
    (tmp_path / "away").rename(path.parent)
    assert group.insert(engine, [_event(1, "after")]) == 1
    with engine.connect() as connection:
        assert sorted(connection.scalars(select(ProgressEvent.event_id))) == ["after", "before"]
    engine.dispose()
