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
