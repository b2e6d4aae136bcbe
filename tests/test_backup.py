"""`brokerlearn backup` and `restore`: a backup taken while the server writes is consistent and
restores into a working installation; damaged archives and existing databases are refused."""
import sqlite3
import tarfile
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from brokerlearn.cli import main
from brokerlearn.server.credentials.keys import create_key
from httpclient import HttpSession
from serving import running
from server_fixtures import PASSWORD


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env or {"DATABASE_URL": ""}, catch_exceptions=False)


@pytest.fixture
def served_instance(built_example, tmp_path, monkeypatch):
    from brokerlearn.server import create_app
    from brokerlearn.server.db import upgrade
    monkeypatch.delenv("DATABASE_URL", raising=False)
    instance = tmp_path / "instance"
    app = create_app(build_dir=built_example, instance_path=instance)
    upgrade(app.config["DATABASE_URL"])
    create_key(instance)
    with running(app) as port:
        yield instance, port, app


def count_events(db: Path) -> int:
    with sqlite3.connect(db) as connection:
        return connection.execute("SELECT count(*) FROM progress_events").fetchone()[0]


def test_backup_under_write_load_restores_a_working_installation(served_instance, tmp_path, built_example):
    instance, port, app = served_instance
    learner = HttpSession("127.0.0.1", port)
    assert learner.form("/account/register", {"email": "ana@agency.org", "password": PASSWORD})[0] == 302
    learner.refresh_csrf()
    stop, written = threading.Event(), []

    def write():  # a learner keeps the server busy while the backup is taken
        session = HttpSession("127.0.0.1", port)
        session.cookies, session.csrf = dict(learner.cookies), learner.csrf
        n = 0
        while not stop.is_set():
            status, _ = session.post_json("/api/progress", {"events": [
                {"event_id": f"evt-load-{n:06}", "course": "example", "kind": "lesson_viewed",
                 "item": "finding-partners/cooperation-profiles", "value": 1}]})
            assert status == 200
            written.append(n)
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.5)
    before = count_events(instance / "brokerlearn.db")
    archive = tmp_path / "backup.tar.gz"
    result = run("backup", "-o", str(archive), "--instance", str(instance))
    after_backup = count_events(instance / "brokerlearn.db")
    time.sleep(0.3)
    stop.set()
    writer.join()
    assert result.exit_code == 0, result.output
    assert archive.stat().st_mode & 0o077 == 0  # it holds the signing keys
    assert before > 0 and len(written) > after_backup

    restored = tmp_path / "restored"
    result = run("restore", str(archive), "--instance", str(restored))
    assert result.exit_code == 0, result.output
    db = restored / "brokerlearn.db"
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert before <= count_events(db) <= after_backup
    assert (restored / "secret_key").read_bytes() == (instance / "secret_key").read_bytes()
    assert sorted(p.name for p in (restored / "keys").iterdir()) == sorted(p.name for p in (instance / "keys").iterdir())
    # The restored installation knows the learner: the same cookie is still a valid session.
    from brokerlearn.server import create_app
    client = create_app(build_dir=built_example, instance_path=restored).test_client()
    client.set_cookie("brokerlearn_session", learner.cookies["brokerlearn_session"])
    assert client.get("/api/session").get_json()["user"]["email"] == "ana@agency.org"


def test_restore_refuses_damage_and_existing_databases(served_instance, tmp_path):
    instance, port, app = served_instance
    archive = tmp_path / "backup.tar.gz"
    assert run("backup", "-o", str(archive), "--instance", str(instance)).exit_code == 0
    result = run("restore", str(archive), "--instance", str(instance))
    assert result.exit_code == 2 and "--force" in result.output
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None
            if member.name == "instance/secret_key":
                data = b"0" * len(data)
            target.addfile(member, __import__("io").BytesIO(data) if data is not None else None)
    fresh = tmp_path / "fresh"
    result = run("restore", str(damaged), "--instance", str(fresh))
    assert result.exit_code == 2 and "does not match its checksum" in result.output
    assert not (fresh / "brokerlearn.db").exists()
    (tmp_path / "junk.tar.gz").write_bytes(b"not an archive")
    assert "not a readable backup" in run("restore", str(tmp_path / "junk.tar.gz"), "--instance", str(fresh)).output
