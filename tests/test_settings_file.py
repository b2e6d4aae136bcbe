"""Settings: checked when read, and read alike by the servers and every command."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from brokerlearn.cli import main


def run(*args, env=None):
    return CliRunner().invoke(main, list(args), env={"DATABASE_URL": "", **(env or {})}, catch_exceptions=False)


@pytest.mark.parametrize("key", ["abc", "x" * 31, " " * 40])
def test_a_short_secret_key_is_refused_with_a_recipe(key, built_example, tmp_path):
    for args in (["serve", str(built_example)], ["db", "upgrade"]):
        result = run(*args, "--instance", str(tmp_path / "instance"), env={"BROKERLEARN_SECRET_KEY": key})
        assert result.exit_code == 2, result.output
        assert "at least 32 random characters" in result.stderr
        assert "secrets.token_hex(32)" in result.stderr and "Traceback" not in result.output


def test_a_secret_key_of_32_characters_is_accepted(tmp_path):
    result = run("db", "upgrade", "--instance", str(tmp_path / "instance"), env={"BROKERLEARN_SECRET_KEY": "k" * 32})
    assert result.exit_code == 0, result.output


# -- the settings file ------------------------------------------------------------------------

def _pg_url(cluster, database: str) -> str:
    """With a password in it (trust authentication ignores it), to see that it is never printed."""
    return cluster.url(database).replace(f"{cluster.USER}@", f"{cluster.USER}:hunter2-secret@")


def test_read_file_reads_what_systemd_environmentfile_reads(tmp_path):
    from brokerlearn.server.settings import read_file
    path = tmp_path / "brokerlearn.env"
    path.write_text("# brokerlearn\n; also a comment\n\nBROKERLEARN_PUBLIC_URL=https://learn.example.org\n"
                    "  BROKERLEARN_ISSUER_NAME = \"Agency \\\"North\\\"\"  \n"
                    "BROKERLEARN_MAIL_FROM='learn@agency.org'\nDATABASE_URL=postgresql+psycopg://u:p%40ss@db/x\n"
                    "PGSSLMODE=require\n", encoding="utf-8")
    assert read_file(path) == {"BROKERLEARN_PUBLIC_URL": "https://learn.example.org",
                               "BROKERLEARN_ISSUER_NAME": 'Agency "North"', "BROKERLEARN_MAIL_FROM": "learn@agency.org",
                               "DATABASE_URL": "postgresql+psycopg://u:p%40ss@db/x", "PGSSLMODE": "require"}


@pytest.mark.parametrize("line, message", [
    ("BROKERLEARN_PUBLIC_ULR=https://x", "brokerlearn.env:2: unknown setting BROKERLEARN_PUBLIC_ULR "
                                         "(did you mean BROKERLEARN_PUBLIC_URL?)"),
    ("export DATABASE_URL=x", "brokerlearn.env:2: expected KEY=VALUE"),
    ("just words", "brokerlearn.env:2: expected KEY=VALUE"),
])
def test_a_wrong_line_in_the_settings_file_stops_every_command(line, message, tmp_path):
    path = tmp_path / "brokerlearn.env"
    path.write_text(f"# settings\n{line}\n", encoding="utf-8")
    result = run("users", "list", "--instance", str(tmp_path / "instance"), env={"BROKERLEARN_SETTINGS": str(path)})
    assert result.exit_code == 2 and message in result.stderr and "Traceback" not in result.output


def test_the_settings_file_is_read_by_the_commands_and_the_environment_wins(postgres_cluster, tmp_path):
    database = postgres_cluster.create_database(template=postgres_cluster.template)
    url = _pg_url(postgres_cluster, database)
    settings = tmp_path / "etc" / "brokerlearn.env"
    settings.parent.mkdir()
    instance = tmp_path / "srv" / "instance"
    settings.write_text(f"DATABASE_URL={url}\nBROKERLEARN_INSTANCE={instance}\n"
                        f"BROKERLEARN_SECRET_KEY={'s' * 40}\n", encoding="utf-8")
    env = {"BROKERLEARN_SETTINGS": str(settings), "BROKERLEARN_PASSWORD": "a long enough password"}
    created = run("users", "create", "admin@agency.org", "--role", "admin", env=env)
    assert created.exit_code == 0, created.output
    shown = f"database: postgresql+psycopg://brokerlearn:***@127.0.0.1:{postgres_cluster.port}/{database} " \
            f"(from {settings})"
    assert shown in created.stderr and "hunter2-secret" not in created.output
    listing = run("users", "list", env=env)
    assert listing.stdout.startswith("admin@agency.org\tadmin"), listing.output
    # A variable set in the environment wins over the file (a one-off, or systemd's own Environment=).
    other = tmp_path / "other.db"
    assert run("db", "upgrade", env={**env, "DATABASE_URL": f"sqlite:///{other}"}).exit_code == 0
    override = run("users", "list", env={**env, "DATABASE_URL": f"sqlite:///{other}"})
    assert override.exit_code == 0 and override.stdout == "" and f"database: sqlite:///{other} (from the " \
           "environment's DATABASE_URL)" in override.stderr


def test_the_instance_settings_file_is_read_with_the_instance_alone(postgres_cluster, tmp_path):
    database = postgres_cluster.create_database(template=postgres_cluster.template)
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o700)
    (instance / "settings.env").write_text(f"DATABASE_URL={_pg_url(postgres_cluster, database)}\n")
    env = {"BROKERLEARN_PASSWORD": "a long enough password"}
    assert run("users", "create", "ana@agency.org", "--instance", str(instance), env=env).exit_code == 0
    listing = run("users", "list", "--instance", str(instance))
    assert listing.stdout.startswith("ana@agency.org\t") and f"(from {instance / 'settings.env'})" in listing.stderr
    assert not (instance / "brokerlearn.db").exists()  # never a word to SQLite
    # One file, never two: with BROKERLEARN_SETTINGS naming another, the command refuses.
    elsewhere = tmp_path / "brokerlearn.env"
    elsewhere.write_text("BROKERLEARN_PUBLIC_URL=https://learn.example.org\n")
    both = run("users", "list", "--instance", str(instance), env={"BROKERLEARN_SETTINGS": str(elsewhere)})
    assert both.exit_code == 2 and "two settings files" in both.stderr
    missing = run("users", "list", "--instance", str(instance), env={"BROKERLEARN_SETTINGS": str(tmp_path / "no")})
    assert missing.exit_code == 2 and "BROKERLEARN_SETTINGS names" in missing.stderr


def test_a_command_without_the_settings_refuses_the_stale_sqlite_file(postgres_cluster, tmp_path):
    """The review's path: the first admin went into SQLite, then the installation moved to
    PostgreSQL; a cron `backup` (and any command) without DATABASE_URL used the stale SQLite file
    and reported success. Now db upgrade records the database and such a command refuses."""
    instance = str(tmp_path / "instance")
    env = {"BROKERLEARN_PASSWORD": "a long enough password"}
    assert run("users", "create", "admin@agency.org", "--role", "admin", "--instance", instance, env=env).exit_code == 0
    url = _pg_url(postgres_cluster, postgres_cluster.create_database())
    upgraded = run("db", "upgrade", "--instance", instance, env={"DATABASE_URL": url})
    assert upgraded.exit_code == 0, upgraded.output
    for args in (["backup", "-o", str(tmp_path / "b.tar.gz")], ["users", "list"], ["certs", "list"],
                 ["export", "csv", "learners"]):
        result = run(*args, "--instance", instance)
        assert result.exit_code == 2, (args, result.output)
        assert f"uses the database postgresql+psycopg://brokerlearn:***@127.0.0.1:{postgres_cluster.port}/" \
               in result.stderr and "DATABASE_URL is not set here" in result.stderr
        assert "hunter2-secret" not in result.output and result.stdout == ""
    assert not (tmp_path / "b.tar.gz").exists()
    # With the settings, the same commands work; going back to SQLite is an explicit choice.
    assert run("users", "list", "--instance", instance, env={"DATABASE_URL": url}).exit_code == 0
    explicit = run("users", "list", "--instance", instance,
                   env={"DATABASE_URL": f"sqlite:///{tmp_path / 'instance' / 'brokerlearn.db'}"})
    assert explicit.exit_code == 0 and explicit.stdout.startswith("admin@agency.org")


def test_local_development_needs_no_settings(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("db", "upgrade").exit_code == 0
    result = run("users", "list")
    assert result.exit_code == 0
    assert f"database: sqlite:///{tmp_path / 'instance' / 'brokerlearn.db'} (the default: DATABASE_URL is not set)" \
        in result.stderr


# -- the schema -------------------------------------------------------------------------------

def test_commands_on_an_unmigrated_or_older_database_say_run_db_upgrade(postgres_cluster, built_example, tmp_path):
    from alembic import command
    from brokerlearn.server.db import alembic_config
    empty = postgres_cluster.url(postgres_cluster.create_database())
    older = postgres_cluster.url(postgres_cluster.create_database())
    command.upgrade(alembic_config(older), "0003")
    from alembic.script import ScriptDirectory
    head = ScriptDirectory.from_config(alembic_config(older)).get_current_head()  # the newest migration
    instance = str(tmp_path / "instance")
    key = {"BROKERLEARN_SECRET_KEY": "k" * 40, "BROKERLEARN_PASSWORD": "a long enough password"}
    for url, expected in ((empty, "has no brokerlearn tables yet: run `brokerlearn db upgrade` first"),
                          (older, f"is at schema revision 0003; this version of brokerlearn needs {head}: "
                                  "run `brokerlearn db upgrade`")):
        for args in (["users", "create", "ana@agency.org"], ["users", "list"], ["serve", str(built_example)]):
            result = run(*args, "--instance", instance, env={"DATABASE_URL": url, **key})
            assert result.exit_code == 2, (args, result.output)
            assert expected in result.stderr and "Traceback" not in result.output, (args, result.output)
            assert len(result.output.splitlines()) == 2  # the database line, the error
    assert run("db", "upgrade", "--instance", instance, env={"DATABASE_URL": older, **key}).exit_code == 0
    assert run("users", "list", "--instance", instance, env={"DATABASE_URL": older, **key}).exit_code == 0


def test_an_unreachable_database_is_one_line_for_a_command(tmp_path):
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+psycopg://brokerlearn:pw@127.0.0.1:{port}/brokerlearn"
    result = run("users", "list", "--instance", str(tmp_path / "i"),
                 env={"DATABASE_URL": url, "BROKERLEARN_SECRET_KEY": "k" * 40})
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert f"error: cannot reach the database postgresql+psycopg://brokerlearn:***@127.0.0.1:{port}/brokerlearn" \
        in result.stderr


# -- links printed by commands ------------------------------------------------------------------

def test_printed_links_warn_while_the_public_url_is_not_set(tmp_path):
    instance = str(tmp_path / "instance")
    assert run("users", "create", "ana@agency.org", "--instance", instance,
               env={"BROKERLEARN_PASSWORD": "a long enough password"}).exit_code == 0
    unset = run("users", "reset-password", "ana@agency.org", "--instance", instance)
    assert unset.stdout.startswith("http://127.0.0.1:8000/account/reset/")
    assert "warning: BROKERLEARN_PUBLIC_URL is not set" in unset.stderr
    invite = run("users", "invite", "new@agency.org", "--instance", instance)
    assert "warning: BROKERLEARN_PUBLIC_URL is not set" in invite.stderr
    configured = run("users", "reset-password", "ana@agency.org", "--instance", instance,
                     env={"BROKERLEARN_PUBLIC_URL": "https://learn.example.org"})
    assert configured.stdout.startswith("https://learn.example.org/account/reset/")
    assert "warning" not in configured.stderr


def test_the_documented_forms_read_the_same_as_a_shell_reads_them(tmp_path):
    """Plain values and single-quoted ones (the guide's advice for spaces and shell characters)
    give brokerlearn what `set -a; . FILE` gives a shell, an independent reader."""
    import subprocess
    from brokerlearn.server.settings import read_file
    path = tmp_path / "brokerlearn.env"
    path.write_text("# comment\n\nDATABASE_URL=postgresql+psycopg://u:p%40ss@127.0.0.1:5432/db\n"
                    "BROKERLEARN_ISSUER_NAME='Agency $HOME \"North\" & Co; #1'\n"
                    "BROKERLEARN_SMTP_PASSWORD='a\\b`c`'\nBROKERLEARN_PROXIES=1\n", encoding="utf-8")
    ours = read_file(path)
    shell = subprocess.run(["sh", "-c", f"set -a; . '{path}'; env -0"], capture_output=True, check=True,
                           env={"PATH": "/usr/bin:/bin"}).stdout.decode()
    theirs = dict(item.split("=", 1) for item in shell.split("\0") if "=" in item)
    assert ours == {key: theirs[key] for key in ours}
    assert ours["BROKERLEARN_ISSUER_NAME"] == 'Agency $HOME "North" & Co; #1'
