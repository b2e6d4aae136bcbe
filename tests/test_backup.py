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


# --- crafted archives (security review F11 case 7, F14) ---

import hashlib
import io
import json
import os


def craft(path: Path, files: dict, links: dict | None = None, extra: dict | None = None,
          manifest_files=None) -> Path:
    """A backup-shaped archive: `files` {instance path: bytes} listed in the manifest with their
    checksums; `links` {member name: (type, target)}; `extra` {member name: bytes} not listed."""
    listed = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    for name, (_kind, _target, data) in (links or {}).items():
        if name.startswith("instance/"):
            listed[name.removeprefix("instance/")] = hashlib.sha256(data).hexdigest()
    manifest = {"format": 1, "generator": "test", "created": "2026-12-01T00:00:00+00:00", "database": "sqlite",
                "files": listed if manifest_files is None else manifest_files}
    with tarfile.open(path, "w:gz") as archive:
        def add(name: str, data: bytes) -> None:
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            archive.addfile(info, io.BytesIO(data))
        add("manifest.json", json.dumps(manifest).encode())
        for name, data in files.items():
            add(f"instance/{name}", data)
        for name, (kind, target, _data) in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, target
            archive.addfile(info)
        for name, data in (extra or {}).items():
            add(name, data)
    return path


SECRET = b"f" * 64


def test_restore_refuses_links_and_unlisted_files(tmp_path):
    canary = tmp_path / "canary-target.txt"  # beside the instance: a file restore must never touch
    canary.write_bytes(b"outside")
    os.chmod(canary, 0o644)
    pem = b"-----BEGIN PRIVATE KEY-----\n"
    cases = {
        # the review's 05: secret_key -> ../canary-target.txt (with the target in the archive too)
        "secret-key-link": dict(files={}, links={"instance/secret_key": (tarfile.SYMTYPE, "../canary-target.txt",
                                                                          b"outside")},
                                extra={"canary-target.txt": b"outside"}),
        # 06: a signing key linked out of the instance
        "key-link": dict(files={"secret_key": SECRET},
                         links={"instance/keys/aaaa.pem": (tarfile.SYMTYPE, "../../canary-target.txt", b"outside")},
                         extra={"canary-target.txt": b"outside"}),
        # 07: the database linked beside the instance
        "database-link": dict(files={"secret_key": SECRET},
                              links={"instance/brokerlearn.db": (tarfile.SYMTYPE, "../x.db", b"")},
                              extra={"x.db": b""}),
        # a hard link inside the archive
        "hard-link": dict(files={"secret_key": SECRET},
                          links={"instance/keys/bbbb.pem": (tarfile.LNKTYPE, "instance/secret_key", SECRET)}),
        # 13: a file the manifest does not list
        "unlisted-file": dict(files={"secret_key": SECRET}, extra={"instance/keys/attacker.pem": pem}),
    }
    expected = {"secret-key-link": "a symbolic link", "key-link": "a symbolic link",
                "database-link": "a symbolic link", "hard-link": "a hard link",
                "unlisted-file": "a file its manifest does not list"}
    for label, spec in cases.items():
        archive = craft(tmp_path / f"{label}.tar.gz", **spec)
        instance = tmp_path / label / "instance"
        result = run("restore", str(archive), "--instance", str(instance))
        assert result.exit_code == 2, (label, result.output)
        assert expected[label] in result.output and "nothing restored" in result.output, (label, result.output)
        assert "Traceback" not in result.output
        restored = [p for p in instance.rglob("*")] if instance.exists() else []
        assert not any(p.is_symlink() for p in restored), label
        assert not (instance / "keys" / "attacker.pem").exists()
        assert not (tmp_path / label / "x.db").exists()
        assert canary.stat().st_mode & 0o777 == 0o644 and canary.read_bytes() == b"outside", label


def test_restore_of_a_clean_crafted_archive_still_works(tmp_path):
    archive = craft(tmp_path / "clean.tar.gz", {"secret_key": SECRET, "keys/aaaa.pem": b"key"})
    instance = tmp_path / "instance"
    result = run("restore", str(archive), "--instance", str(instance))
    assert result.exit_code == 0, result.output
    assert (instance / "secret_key").read_bytes() == SECRET
    assert (instance / "secret_key").stat().st_mode & 0o777 == 0o600
    assert (instance / "keys" / "aaaa.pem").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("files", [["secret_key"], "secret_key", 42, {"../escape": "0" * 64},
                                   {"secret_key": 7}])
def test_restore_refuses_a_malformed_manifest(tmp_path, files):
    archive = craft(tmp_path / "odd.tar.gz", {"secret_key": SECRET}, manifest_files=files)
    result = run("restore", str(archive), "--instance", str(tmp_path / "instance"))
    assert result.exit_code == 2 and "malformed manifest" in result.output, result.output
    secret = tmp_path / "instance" / "secret_key"
    assert not secret.exists() or secret.read_bytes() != SECRET  # nothing restored


def test_restore_never_changes_modes_through_a_link(tmp_path):
    canary = tmp_path / "canary-target.txt"
    canary.write_bytes(b"outside")
    os.chmod(canary, 0o644)
    instance = tmp_path / "instance"
    (instance / "keys").mkdir(parents=True)
    (instance / "keys" / "old.pem").symlink_to(canary)  # left in the instance by someone else
    archive = craft(tmp_path / "clean.tar.gz", {"secret_key": SECRET})
    assert run("restore", str(archive), "--instance", str(instance)).exit_code == 0
    assert canary.stat().st_mode & 0o777 == 0o644


def test_backup_into_a_missing_or_unwritable_folder_says_so(tmp_path):
    """The review's cron `brokerlearn backup -o /backups/...` on a machine without /backups ended
    in a traceback; now it is a message, and nothing is made."""
    instance = str(tmp_path / "instance")
    assert run("db", "upgrade", "--instance", instance).exit_code == 0
    missing = tmp_path / "backups"
    result = run("backup", "-o", str(missing / "b.tar.gz"), "--instance", instance)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"the folder {missing} does not exist" in result.stderr and f"install -d -m 700 {missing}" in result.stderr
    assert not missing.exists()
    result = run("backup", "-o", str(tmp_path), "--instance", instance)
    assert result.exit_code == 2 and "is a directory" in result.stderr  # click says so
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    import os
    if os.geteuid() != 0:  # root may write anywhere
        result = run("backup", "-o", str(locked / "b.tar.gz"), "--instance", instance)
        assert result.exit_code == 2 and f"cannot write the backup into {locked}" in result.stderr
    made = tmp_path / "made"
    made.mkdir()
    result = run("backup", "-o", str(made / "b.tar.gz"), "--instance", instance)
    assert result.exit_code == 0, result.output
    assert (made / "b.tar.gz").stat().st_mode & 0o777 == 0o600
