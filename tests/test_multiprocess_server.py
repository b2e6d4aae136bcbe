"""The server in several processes: `brokerlearn serve` with two gunicorn workers passes a
learner's whole flow, and a session that ends in one process (a new password, a new role, the
account deleted) ends in every other within about a second, although a signed-in request reads
no account from the database (counted here)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event

from httpclient import HttpSession
from server_fixtures import PASSWORD

QUIZ = "/api/quizzes/example/m2-assessment"
LESSON = "finding-partners/cooperation-profiles"
# A change in another process is seen after at most one poll (1 s); the rest is slack for a
# machine shared by many test runs.
ENDS_WITHIN = 4.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(instance: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "BROKERLEARN_SETTINGS")}
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    env["BROKERLEARN_INSTANCE"] = str(instance)
    return env


_serving_processes: dict[int, subprocess.Popen] = {}  # port -> `brokerlearn serve`


@contextmanager
def serving(build: Path, instance: Path, *options: str):
    """`brokerlearn serve BUILD` with OPTIONS on 127.0.0.1: yields the port, then stops it."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "brokerlearn", "serve", str(build), "--host", "127.0.0.1",
                                "--port", str(port), "--instance", str(instance), *options],
                               env=_environment(instance), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _serving_processes[port] = process
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, process.stderr.read().decode()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2).read()
                break
            except OSError:
                assert time.monotonic() < deadline, f"the server on port {port} did not start"
                time.sleep(0.2)
        yield port
    finally:
        _serving_processes.pop(port, None)
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _user(client: HttpSession) -> dict | None:
    status, data = client.request("GET", "/api/session")
    assert status == 200
    return json.loads(data)["user"]


def _signed_in(port: int, email: str, register: bool = False) -> HttpSession:
    client = HttpSession("127.0.0.1", port)
    status, _ = client.form("/account/register" if register else "/account/login",
                            {"email": email, "password": PASSWORD})
    assert status == 302
    client.refresh_csrf()
    return client


def _copy(client: HttpSession, port: int) -> HttpSession:
    """The same browser (its cookies), talking to another server process."""
    other = HttpSession("127.0.0.1", port)
    other.cookies = dict(client.cookies)
    other.refresh_csrf()
    return other


def _ended_within(client: HttpSession, seconds: float) -> float:
    """How long until the client's session is refused (fails past `seconds`)."""
    started = time.monotonic()
    while _user(client) is not None:
        assert time.monotonic() - started < seconds, "the session still works in the other process"
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.fixture
def instance(tmp_path) -> Path:
    """An instance folder with the SQLite database already at the current schema."""
    from brokerlearn.server.db import upgrade
    folder = tmp_path / "instance"
    folder.mkdir(mode=0o700)
    upgrade(f"sqlite:///{folder / 'brokerlearn.db'}")
    return folder


def _answers(build: Path) -> dict:
    manifest = json.loads((build / "server" / "example.json").read_text())
    questions = {q["id"]: q for q in manifest["quizzes"]["m2-assessment"]["questions"]}
    return {"q1": True, "q2": [o["id"] for o in questions["q2"]["options"] if o["correct"]], "q3": "25",
            "q4": "Capacity", "q5": [i["id"] for i in questions["q5"]["items"]],
            "q6": {p["left_id"]: p["right_id"] for p in questions["q6"]["pairs"]},
            "q7": "I will agree a date for the next step."}


@pytest.mark.skipif(os.name != "posix", reason="gunicorn runs on POSIX systems only")
def test_a_learners_flow_on_two_gunicorn_workers(built_example, instance):
    with serving(built_example, instance, "--server", "gunicorn", "--workers", "2", "--threads", "2") as port:
        ana = _signed_in(port, "ana@agency.org", register=True)
        assert _user(ana)["email"] == "ana@agency.org"
        status, _ = ana.form("/account/logout", {})
        assert status == 302 and _user(ana) is None
        ana = _signed_in(port, "ana@agency.org")
        # Many connections, so that both workers serve this account's requests.
        clients = [_copy(ana, port) for _ in range(6)]
        for number, client in enumerate(clients):
            status, data = client.post_json("/api/progress", {"events": [
                {"event_id": f"evt-multi-{number:02d}", "course": "example", "kind": "lesson_viewed",
                 "item": LESSON, "value": 10}]})
            assert status == 200 and json.loads(data)["recorded"] == 1, data
        status, data = ana.post_json("/api/progress", {"events": [
            {"event_id": "evt-multi-done", "course": "example", "kind": "lesson_completed", "item": LESSON}]})
        assert status == 200
        status, data = ana.post_json(f"{QUIZ}/attempts", {})
        assert status == 201, data
        attempt = json.loads(data)["id"]
        status, data = ana.post_json(f"{QUIZ}/attempts/{attempt}", {"answers": _answers(built_example)})
        assert status == 200 and json.loads(data)["passed"] is True, data
        for client in clients:
            status, data = client.request("GET", "/api/progress/example")
            progress = json.loads(data)
            assert progress["seconds_spent"] == 60 and progress["completed_lessons"] == [LESSON]
        status, page = ana.request("GET", "/dashboard")
        assert status == 200 and b"Your learning" in page
        status, page = ana.request("GET", "/example/")
        assert status == 200


def _sockets_on(port: int, state: str) -> set[str]:
    """The inodes of the sockets on local PORT in STATE (/proc/net/tcp: 01 ESTABLISHED, 0A LISTEN)."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state:
            inodes.add(fields[9])
    return inodes


def _wait_for_listening_sockets(port: int, count: int) -> None:
    """Each gunicorn worker opens its own listening socket once forked (reuse_port), and the
    master forks them one after the other: the server answers as soon as the first listens."""
    deadline = time.monotonic() + 30
    while len(_sockets_on(port, "0A")) < count:
        assert time.monotonic() < deadline, f"{count} workers did not all listen on port {port}"
        time.sleep(0.05)


def _connections_per_worker(server_pid: int, port: int) -> list[int]:
    """How many established connections to PORT each worker process of the server holds
    (Linux: the sockets in /proc/net/tcp, each worker's open files in /proc)."""
    established = _sockets_on(port, "01")
    workers = [int(p) for p in Path(f"/proc/{server_pid}/task/{server_pid}/children").read_text().split()]
    counts = []
    for worker in workers:
        inodes = {os.readlink(fd)[len("socket:["):-1] for fd in Path(f"/proc/{worker}/fd").iterdir()
                  if os.readlink(fd).startswith("socket:[")}
        counts.append(len(inodes & established))
    return counts


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc")
def test_keep_alive_connections_are_spread_over_the_workers(built_example, instance):
    """Connections opened at once go to both workers, not all to the first to wake (on one
    shared listening socket, one worker took all 64 connections of the benchmark)."""
    with serving(built_example, instance, "--server", "gunicorn", "--workers", "2", "--threads", "2") as port:
        _wait_for_listening_sockets(port, 2)
        # Connected all at once, as a load balancer or wrk does, before any is accepted.
        clients = [socket.create_connection(("127.0.0.1", port)) for _ in range(24)]
        for client in clients:
            client.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        for client in clients:
            assert client.recv(4096).startswith(b"HTTP/1.1 200")  # and kept alive
        counts = _connections_per_worker(_serving_processes[port].pid, port)
        assert sum(counts) == 24 and len(counts) == 2
        assert min(counts) >= 4, counts  # the kernel's hash of each connection: 12 each, give or take
        for client in clients:
            client.close()


def test_a_second_server_on_the_same_port_fails_rather_than_sharing_it(built_example, instance, tmp_path):
    with serving(built_example, instance, "--server", "gunicorn", "--workers", "1") as port:
        second = subprocess.run([sys.executable, "-m", "brokerlearn", "serve", str(built_example), "--host",
                                 "127.0.0.1", "--port", str(port), "--instance", str(tmp_path / "other")],
                                env=_environment(tmp_path / "other"), capture_output=True, text=True, timeout=120)
        assert second.returncode != 0
        assert f"cannot listen on 127.0.0.1:{port}" in second.stderr
        assert urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=5).status == 200


def test_a_session_ended_in_one_process_ends_in_the_other_at_once(built_example, instance):
    """Two server processes on one SQLite database, as two gunicorn workers are: each change is
    made through the first (or the command line), and the second refuses a copy of the session
    within a second or so: a new password, a new role, the account deleted."""
    with serving(built_example, instance, "--server", "waitress", "--threads", "2") as first_port, \
            serving(built_example, instance, "--server", "waitress", "--threads", "2") as second_port:
        for change in ("password", "role", "deletion"):
            email = f"{change}@agency.org"
            laptop = _signed_in(first_port, email, register=True)
            phone = _copy(_signed_in(first_port, email), second_port)
            for _ in range(3):  # known in the second process, from the session and its cache
                assert _user(phone)["email"] == email
            if change == "password":
                status, _ = laptop.form("/account/settings/password",
                                        {"current_password": PASSWORD, "password": "a changed password"})
                assert status == 302 and _user(laptop) is not None  # the session that changed it goes on
            elif change == "role":
                subprocess.run([sys.executable, "-m", "brokerlearn", "users", "set-role", email, "author",
                                "--instance", str(instance)], env=_environment(instance), check=True,
                               capture_output=True)
            else:
                status, _ = laptop.form("/account/delete", {"password": PASSWORD})
                assert status == 200
            _ended_within(phone, ENDS_WITHIN)
            assert _user(phone) is None, change  # and stays ended


def test_a_signed_in_request_reads_no_account_from_the_database(app, learner, monkeypatch):
    from brokerlearn.server.services import sessions
    from brokerlearn.server.writer_connection import WriterConnection
    engine = app.extensions["brokerlearn_engine"]
    ana = learner("ana@agency.org")
    assert ana.user()["email"] == "ana@agency.org"
    sessions.generations_for(engine.url).poll = 3600  # the once-a-second read of changes is not what is counted
    ana.csrf()
    statements = []
    listener = lambda _conn, _cursor, sql, *_args: statements.append(sql)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    execute = WriterConnection.execute  # the progress insert's own connection
    monkeypatch.setattr(WriterConnection, "execute", lambda writer, engine, sql, parameters: (
        statements.append(sql), execute(writer, engine, sql, parameters))[1])
    try:
        assert ana.user() == {"email": "ana@agency.org", "name": "", "role": "learner"}
        assert statements == []
        response = ana.api("post", "/api/progress", {"events": [
            {"event_id": "evt-no-read-1", "course": "example", "kind": "lesson_viewed", "item": LESSON, "value": 5}]})
        assert response.status_code == 200
        assert len(statements) == 1 and statements[0].lstrip().upper().startswith("INSERT")
    finally:
        event.remove(engine, "before_cursor_execute", listener)
        sessions.generations_for(engine.url).poll = sessions.POLL


def test_a_session_is_checked_against_the_database_again_after_a_while(app, learner, monkeypatch):
    """The cache trusts a session's account for sessions.VERIFY; after that the account is read
    again, so a change the cache cannot know of (made before the rows it keeps) still ends it."""
    from sqlalchemy import update

    from brokerlearn.server import db
    from brokerlearn.server.models import User
    from brokerlearn.server.services import sessions
    ana = learner("ana@agency.org")
    assert ana.user() is not None
    with app.app_context():
        db.session().execute(update(User).values(session_version=User.session_version + 5))
        db.session().commit()
    assert ana.user() is not None  # no change row: the cache does not know
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + sessions.VERIFY + 1)
    assert ana.user() is None


def test_the_csrf_token_is_signed_once_per_session_and_still_accepted(learner, monkeypatch):
    ana = learner("ana@agency.org")
    first = ana.csrf()
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + 60)  # a signature made now would differ
    assert ana.csrf() == first
    response = ana.client.post("/api/progress", json={"events": [
        {"event_id": "evt-csrf-once", "course": "example", "kind": "lesson_viewed", "item": LESSON, "value": 1}]},
        headers={"X-CSRFToken": first})
    assert response.status_code == 200
