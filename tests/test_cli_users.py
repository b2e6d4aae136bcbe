"""`brokerlearn users ...` and `brokerlearn db upgrade` on an instance folder; the commands
that only read create nothing; learner-chosen text is printed safely; the files are private."""
import os
import re
import stat
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from brokerlearn.cli import main


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env=env or {}, catch_exceptions=False)


def test_users_commands(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    instance = str(tmp_path / "instance")
    assert run("db", "upgrade", "--instance", instance).exit_code == 0
    created = run("users", "create", "Admin@Agency.org", "--role", "admin", "--name", "Ada", "--instance", instance,
                  env={"BROKERLEARN_PASSWORD": "a long enough password"})
    assert created.exit_code == 0 and "created admin@agency.org (admin)" in created.output
    duplicate = run("users", "create", "admin@agency.org", "--instance", instance,
                    env={"BROKERLEARN_PASSWORD": "a long enough password"})
    assert duplicate.exit_code == 2 and "exists already" in duplicate.output
    short = run("users", "create", "b@agency.org", "--instance", instance, env={"BROKERLEARN_PASSWORD": "short"})
    assert short.exit_code == 2 and "at least 10 characters" in short.output
    prompted = CliRunner().invoke(main, ["users", "create", "c@agency.org", "--instance", instance],
                                  input="another long password\nanother long password\n")
    assert prompted.exit_code == 0, prompted.output

    assert run("users", "set-role", "c@agency.org", "author", "--instance", instance).exit_code == 0
    assert run("users", "set-role", "nobody@agency.org", "author", "--instance", instance).exit_code == 2
    listing = run("users", "list", "--instance", instance).stdout.splitlines()
    assert [line.split("\t")[:2] for line in listing] == [["admin@agency.org", "admin"], ["c@agency.org", "author"]]

    link = run("users", "reset-password", "c@agency.org", "--public-url", "https://learn.example.org",
               "--instance", instance).stdout.strip()
    assert link.startswith("https://learn.example.org/account/reset/")
    invite = run("users", "invite", "new@agency.org", "--instance", instance).stdout.strip()
    assert "/account/register?invite=" in invite


def test_reset_link_from_the_cli_works_on_the_server(tmp_path, built_example, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    instance = tmp_path / "instance"
    run("db", "upgrade", "--instance", str(instance))
    run("users", "create", "ana@agency.org", "--instance", str(instance), env={"BROKERLEARN_PASSWORD": "x" * 12})
    link = run("users", "reset-password", "ana@agency.org", "--instance", str(instance)).stdout.strip()
    from brokerlearn.server import create_app
    app = create_app(build_dir=built_example, instance_path=instance)
    path = "/" + link.split("/", 3)[3]
    page = app.test_client().get(path)
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)


READ_ONLY = [
    ["users", "list"],
    ["users", "set-role", "ana@agency.org", "author"],
    ["users", "reset-password", "ana@agency.org"],
    ["users", "invite", "new@agency.org"],
    ["certs", "list"],
    ["certs", "revoke", "1", "--reason", "mistake"],
    ["certs", "verify", "credential.jwt"],
    ["keys", "list"],
    ["export", "csv", "learners"],
    ["export", "xapi"],
    ["backup", "-o", "backup.tar.gz"],
]


def files_under(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


@pytest.mark.parametrize("command", READ_ONLY, ids=lambda c: " ".join(c[:2]))
def test_commands_that_only_read_create_nothing(command, tmp_path, monkeypatch):
    """A mistyped --instance is refused, and no folder, database or key appears anywhere."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    (tmp_path / "credential.jwt").write_text("eyJ.e30.x")
    before = files_under(tmp_path)
    for folder in ("TYPO", "empty"):
        result = run(*command, "--instance", folder)
        assert result.exit_code == 2, result.output
        assert f"no installation at {tmp_path / folder}" in result.output
    assert files_under(tmp_path) == before


def test_an_installation_without_its_database_is_refused(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    instance = tmp_path / "instance"
    assert run("keys", "init", "--instance", str(instance)).exit_code == 0  # keys, no database yet
    before = files_under(tmp_path)
    result = run("users", "list", "--instance", str(instance))
    assert result.exit_code == 2 and f"no installation at {instance}" in result.output
    assert files_under(tmp_path) == before


def test_the_cli_module_runs_every_command():
    done = subprocess.run([sys.executable, "-m", "brokerlearn.cli", "keys", "--help"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "init" in done.stdout and "rotate" in done.stdout


HOSTILE = "\x1b]0;PWNED-TITLE\x07\x1b[2J\u202eevil@test.local"


def test_learner_chosen_text_is_printed_with_visible_escapes(tmp_path, monkeypatch):
    """An e-mail address or name with terminal controls (set the title, clear the screen, reverse
    the text) is shown escaped; the e-mail regex is not what keeps the terminal safe."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    instance = tmp_path / "instance"
    assert run("db", "upgrade", "--instance", str(instance)).exit_code == 0
    from brokerlearn.server.models import Certificate, User
    engine = create_engine(f"sqlite:///{instance / 'brokerlearn.db'}")
    with Session(engine) as session:
        session.add(User(email=HOSTILE, name=HOSTILE, password_hash="x", role="learner"))
        session.add(Certificate(id="c1", course_id="example", profile_id="p", name=HOSTILE, title="T\\x07 \x07",
                                outcomes=[], issued_at=datetime.now(timezone.utc), status_index=1, credential="x"))
        session.commit()
    engine.dispose()

    listing = run("users", "list", "--instance", str(instance)).stdout
    certificates = run("certs", "list", "--instance", str(instance)).stdout
    for output in (listing, certificates):
        assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f\u202e]", output), repr(output)
    assert listing.startswith(r"\x1b]0;PWNED-TITLE\x07\x1b[2J\u202eevil@test.local" + "\tlearner\t")
    # A backslash in the text is doubled, so the text "\x07" and the character BEL stay apart.
    assert "\tT\\\\x07 \\x07\n" in certificates


def test_the_database_and_the_instance_folder_are_private(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("BROKERLEARN_SECRET_KEY", raising=False)
    old_umask = os.umask(0o022)  # the usual one, under which SQLite makes its files 0644
    try:
        upgraded = tmp_path / "upgraded"
        assert run("db", "upgrade", "--instance", str(upgraded)).exit_code == 0
        served = tmp_path / "served" / "instance"  # made by the server itself, its parent too
        from brokerlearn.server import create_app, db
        app = create_app({"TESTING": True}, build_dir=tmp_path / "build", instance_path=served)
        with app.app_context():
            db.connection().exec_driver_sql("CREATE TABLE probe (x)")
            db.connection().exec_driver_sql("INSERT INTO probe VALUES (1)")
            modes = {name: stat.S_IMODE(os.stat(served / name).st_mode)
                     for name in ("brokerlearn.db", "brokerlearn.db-wal", "brokerlearn.db-shm", "brokerlearn.db-lock",
                                  "secret_key")}
        assert modes == dict.fromkeys(modes, 0o600)
        assert stat.S_IMODE(os.stat(upgraded / "brokerlearn.db").st_mode) == 0o600
        for folder in (upgraded, served):
            assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    finally:
        os.umask(old_umask)


def test_with_an_external_database_the_instance_folder_is_needed_for_keys_only(tmp_path, monkeypatch):
    """PostgreSQL and BROKERLEARN_SECRET_KEY: the database is the installation, and reading needs
    no instance folder; without the key setting, the instance's secret_key must be there."""
    from brokerlearn.errors import UsageError
    from brokerlearn.server import create_app
    external = {"DATABASE_URL": "postgresql+psycopg://reader@127.0.0.1:9/brokerlearn"}  # never connected here
    monkeypatch.delenv("BROKERLEARN_SECRET_KEY", raising=False)
    with pytest.raises(UsageError, match="no installation at .*no secret_key"):
        create_app(external, build_dir=tmp_path / "build", instance_path=tmp_path / "none", create=False)
    monkeypatch.setenv("BROKERLEARN_SECRET_KEY", "k" * 40)
    app = create_app(external, build_dir=tmp_path / "build", instance_path=tmp_path / "none", create=False)
    assert app.secret_key == "k" * 40 and not (tmp_path / "none").exists()
