"""Progress events of concurrent requests are written together (one INSERT, one commit, one
fsync), and each request still learns how many of its own events were new; nothing is
acknowledged before its statement has committed."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

from sqlalchemy import create_engine, event, func, select

from brokerlearn.server.db import upgrade
from brokerlearn.server.models import ProgressEvent
from brokerlearn.server.services.progress import GroupCommit


def _event(user_id: int, event_id: str) -> dict:
    now = datetime.now(timezone.utc)
    return {"event_id": event_id, "course_id": "example", "kind": "lesson_viewed", "item_id": "m/l", "value": 1.0,
            "occurred_at": now, "user_id": user_id, "recorded_at": now}


def test_concurrent_requests_share_one_insert_and_each_gets_its_own_count(tmp_path):
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

    def slow_first(_conn, _cursor, sql, *_args):
        if sql.lstrip().upper().startswith("INSERT"):
            inserts.append(sql)
            if len(inserts) == 1:
                time.sleep(0.5)  # the others queue behind the first write meanwhile
    event.listen(engine, "before_cursor_execute", slow_first)
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
