"""Forwarding to an external LRS: with the endpoint down nothing is lost, once it is up every
event arrives once; the learner's request never waits for it."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select, update

from brokerlearn.server.lrs import Forwarder, LrsError, forward_once

QUIZ = "/api/quizzes/example/m2-assessment"


class FakeLrs:
    """An LRS on 127.0.0.1 that can be down (503), hang, or up (stores statements by ID)."""

    def __init__(self):
        self.mode, self.statements, self.posts = "down", {}, 0
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                lrs.posts += 1
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if lrs.mode == "hang":
                    time.sleep(3)
                if lrs.mode != "up" or self.headers.get("X-Experience-API-Version") != "1.0.3" \
                        or self.headers.get("Authorization") != "Basic a2V5OnNlY3JldA==":
                    self.send_response(503)
                    self.end_headers()
                    return
                for statement in body:
                    lrs.statements[statement["id"]] = statement  # an LRS keeps one statement per ID
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps([s["id"] for s in body]).encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/xapi"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def lrs(app):
    fake = FakeLrs()
    app.config.update(LRS_URL=fake.url, LRS_USERNAME="key", LRS_PASSWORD="secret",
                      PUBLIC_URL="https://learn.example.org")
    yield fake
    fake.close()


def unsent(app) -> int:
    from brokerlearn.server.models import ProgressEvent
    with app.extensions["brokerlearn_sessions"]() as db:
        return db.scalar(select(func.count(ProgressEvent.id)).where(ProgressEvent.lrs_sent_at.is_(None)))


def test_down_then_up_loses_nothing_and_duplicates_nothing(app, lrs, learner):
    ana = learner()
    ana.api("post", "/api/progress", {"events": [
        {"event_id": f"evt-lrs-{n:04}", "course": "example", "kind": "lesson_viewed",
         "item": "finding-partners/cooperation-profiles", "value": 10} for n in range(120)]})
    attempt = ana.api("post", f"{QUIZ}/attempts").get_json()["id"]
    ana.api("post", f"{QUIZ}/attempts/{attempt}", {"answers": {"q1": True}})
    with pytest.raises(LrsError):
        forward_once(app)
    assert unsent(app) == 120 and lrs.statements == {}
    lrs.mode = "up"
    total = 0
    while (sent := forward_once(app)):
        total += sent
    assert total == 121 and unsent(app) == 0
    assert len(lrs.statements) == 121
    assert sum(1 for s in lrs.statements.values() if s["verb"]["display"]["en-US"] == "failed") == 1
    assert forward_once(app) == 0  # nothing is sent twice
    # A crash between sending and marking: the batch goes again, with the same statement IDs.
    from brokerlearn.server.models import ProgressEvent
    with app.extensions["brokerlearn_sessions"]() as db:
        db.execute(update(ProgressEvent).values(lrs_sent_at=None))
        db.commit()
    while forward_once(app):
        pass
    assert len(lrs.statements) == 121


def test_the_learners_request_never_waits_for_the_lrs(app, lrs, learner):
    lrs.mode = "hang"
    app.config["LRS_INTERVAL"] = 0
    forwarder = Forwarder(app, interval=0.05)
    forwarder.start()
    try:
        ana = learner()
        time.sleep(0.2)  # the forwarder is now waiting on the hanging LRS
        started = time.perf_counter()
        response = ana.api("post", "/api/progress", {"events": [
            {"event_id": "evt-quick-01", "course": "example", "kind": "lesson_completed",
             "item": "finding-partners/cooperation-profiles"}]})
        assert response.status_code == 200 and time.perf_counter() - started < 1.0
        lrs.mode = "up"
        deadline = time.time() + 20
        while unsent(app) and time.time() < deadline:
            time.sleep(0.1)
        assert unsent(app) == 0 and len(lrs.statements) == 1
    finally:
        forwarder.stop()
        forwarder.join(timeout=10)


def test_nothing_is_sent_while_a_manifest_cannot_be_read(app, lrs, learner, built_example, tmp_path):
    """Statements made without the course's manifest would carry IDs for names, in the LRS for good."""
    import shutil

    from brokerlearn.course.manifest import ManifestError
    from brokerlearn.server.courses import CourseCatalog
    ana = learner()
    ana.api("post", "/api/progress", {"events": [{"event_id": "evt-old-0001", "course": "example",
                                                  "kind": "lesson_completed",
                                                  "item": "finding-partners/cooperation-profiles"}]})
    server_dir = tmp_path / "server"
    shutil.copytree(built_example / "server", server_dir)
    data = json.loads((server_dir / "example.json").read_text())
    (server_dir / "example.json").write_text(json.dumps({**data, "format": 1}))
    app.extensions["brokerlearn_courses"] = CourseCatalog(server_dir)
    lrs.mode = "up"
    with pytest.raises(ManifestError, match="rebuild the course with `brokerlearn build`"):
        forward_once(app)
    assert unsent(app) == 1 and lrs.posts == 0
    app.extensions["brokerlearn_courses"] = CourseCatalog(built_example / "server")
    assert forward_once(app) == 1
