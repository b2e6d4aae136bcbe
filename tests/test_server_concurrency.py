"""16 threads post 2,000 progress events to an instance served by waitress on 127.0.0.1; every
event the server acknowledged must be in the database, once."""
import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from httpclient import HttpSession
from serving import running
from server_fixtures import PASSWORD

THREADS = 16
EVENTS = 2000
LESSONS = ["finding-partners/cooperation-profiles", "finding-partners/assessing-candidates",
           "working-together/first-meeting"]


@pytest.fixture
def served(app):
    with running(app) as port:
        yield port


def test_every_acknowledged_event_is_stored_once(app, served):
    per_thread = EVENTS // THREADS

    def learner(n: int) -> dict:
        session = HttpSession("127.0.0.1", served)
        status, _ = session.form("/account/register", {"email": f"learner{n}@agency.org", "password": PASSWORD})
        assert status == 302
        session.refresh_csrf()
        acknowledged, errors = set(), []
        for i in range(per_thread):
            event_id = f"evt-{n:02}-{i:05}"
            event = {"event_id": event_id, "course": "example", "kind": "lesson_viewed",
                     "item": LESSONS[i % len(LESSONS)], "value": 1}
            status, data = session.post_json("/api/progress", {"events": [event]})
            if status == 200 and json.loads(data)["recorded"] == 1:
                acknowledged.add(event_id)
            else:
                errors.append((status, data[:200]))
            if i % 25 == 0:  # a replay now and then must be acknowledged without a second row
                status, data = session.post_json("/api/progress", {"events": [event]})
                assert status == 200 and json.loads(data) == {"recorded": 0, "duplicates": 1, "rejected": []}
        session.close()
        return {"email": f"learner{n}@agency.org", "acknowledged": acknowledged, "errors": errors}

    with ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(learner, range(THREADS)))

    from brokerlearn.server import db
    from brokerlearn.server.models import ProgressEvent, User
    assert [r["errors"] for r in results] == [[]] * THREADS
    with app.app_context():
        session = db.session()
        for result in results:
            user_id = session.scalar(select(User.id).where(User.email == result["email"]))
            stored = session.scalars(select(ProgressEvent.event_id).where(ProgressEvent.user_id == user_id)).all()
            assert len(stored) == len(set(stored)) == per_thread
            assert set(stored) == result["acknowledged"]
        assert session.scalar(select(func.count(ProgressEvent.id))) == EVENTS
