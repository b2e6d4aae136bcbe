"""The command line's shape: one error boundary that maps domain errors to exit codes, settings
read without side effects, one home for the default public address and the signing algorithms,
and a start that imports neither the server nor the compiler."""
import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from brokerlearn.cli import EXIT_AUTHOR_ERRORS, EXIT_USAGE, Commands, main


def _raising(exc):
    @click.group(cls=Commands)
    def group():
        pass

    @group.group()
    def inner():
        pass

    @inner.command()
    def fail():
        raise exc
    return group


def _domain_errors():
    from brokerlearn.authoring.storyboard import StoryboardError
    from brokerlearn.errors import UsageError
    from brokerlearn.server.services.accounts import AccountError
    from brokerlearn.server.services.certificates import CertificateError
    from brokerlearn.server.settings import SettingError
    return [(UsageError("no installation at x"), EXIT_USAGE), (SettingError("bad value"), EXIT_USAGE),
            (AccountError("exists already"), EXIT_USAGE), (CertificateError("no certificate"), EXIT_USAGE),
            (StoryboardError("bad.yml:6:1: error: narration"), EXIT_AUTHOR_ERRORS)]


@pytest.mark.parametrize("index", range(5))
def test_domain_errors_become_a_message_and_an_exit_code_in_one_place(index):
    exc, code = _domain_errors()[index]
    result = CliRunner().invoke(_raising(exc), ["inner", "fail"], catch_exceptions=False)
    assert result.exit_code == code
    assert result.stderr == f"error: {exc}\n" and result.stdout == ""


def test_a_failed_build_prints_its_diagnostics_and_counts_them():
    from brokerlearn.errors import BuildFailed, Diagnostics
    diags = Diagnostics()
    diags.error("course.yml", 3, 1, "unknown key 'sumary'")
    result = CliRunner().invoke(_raising(BuildFailed(diags)), ["inner", "fail"], catch_exceptions=False)
    assert result.exit_code == EXIT_AUTHOR_ERRORS
    assert result.stderr.splitlines() == ["course.yml:3:1: error: unknown key 'sumary'", "inner failed: 1 error(s)"]


def test_a_bug_keeps_its_traceback():
    with pytest.raises(ZeroDivisionError):
        CliRunner().invoke(_raising(ZeroDivisionError("bug")), ["inner", "fail"], catch_exceptions=False)


def test_reading_the_settings_creates_nothing(tmp_path, monkeypatch):
    from brokerlearn.errors import UsageError
    from brokerlearn.server import settings
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("BROKERLEARN_SECRET_KEY", raising=False)
    folder = tmp_path / "instance"
    installation = settings.read(folder)
    assert installation.instance == folder and installation.database_url == f"sqlite:///{folder / 'brokerlearn.db'}"
    assert installation.config["DATABASE_SOURCE"] == "the default: DATABASE_URL is not set"
    with pytest.raises(UsageError, match="no installation at"):
        installation.existing()
    assert not folder.exists()
    made = installation.created()
    assert sorted(p.name for p in folder.iterdir()) == ["secret_key"] and len(made.secret_key) == 64
    assert settings.read(folder).created().secret_key == made.secret_key  # kept, not made again


def test_a_session_without_an_application(tmp_path, monkeypatch):
    from brokerlearn.server import settings
    from brokerlearn.server.db import ensure_current_schema, session_for
    from brokerlearn.server.services.accounts import create_user, list_users
    monkeypatch.delenv("DATABASE_URL", raising=False)
    installation = settings.read(tmp_path / "instance").created()
    ensure_current_schema(installation.database_url)
    with session_for(installation.database_url) as session:
        create_user(session, "b@agency.org", "a long enough password")
        create_user(session, "a@agency.org", "a long enough password")
    with session_for(installation.database_url) as session:
        assert [u.email for u in list_users(session)] == ["a@agency.org", "b@agency.org"]


def test_the_signing_algorithms_and_the_default_address_have_one_home(tmp_path):
    from brokerlearn.server.credentials import keys, verify
    from brokerlearn.server.settings import DEFAULT_HOST, DEFAULT_PORT, LOCAL_URL
    assert verify.ACCEPTED_ALGORITHMS is keys.ALGORITHMS
    init = main.commands["keys"].commands["init"]
    alg = next(p for p in init.params if p.name == "alg")
    assert tuple(alg.type.choices) == keys.ALGORITHMS
    result = CliRunner().invoke(main, ["keys", "init", "--instance", str(tmp_path)])
    assert result.exit_code == 0 and f"created {keys.DEFAULT_ALGORITHM} key" in result.output
    refused = CliRunner().invoke(main, ["keys", "rotate", "--alg", "HS256", "--instance", str(tmp_path)])
    assert refused.exit_code == 2 and "HS256" in refused.output
    serve = {p.name: p.default for p in main.commands["serve"].params}
    assert (serve["host"], serve["port"]) == (DEFAULT_HOST, DEFAULT_PORT)
    assert LOCAL_URL == f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"


def test_the_command_line_starts_without_the_server_or_the_compiler():
    code = ("import sys, brokerlearn.cli; "
            "print(sorted(m for m in ('flask', 'sqlalchemy', 'brokerlearn.server', 'brokerlearn.compiler') "
            "if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_python_m_brokerlearn_runs_the_same_commands():
    done = subprocess.run([sys.executable, "-m", "brokerlearn", "export", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and all(name in done.stdout for name in ("csv", "scorm", "xapi"))
