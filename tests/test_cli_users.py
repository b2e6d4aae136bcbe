"""`brokerlearn users ...` and `brokerlearn db upgrade` on an instance folder."""
from click.testing import CliRunner

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
    listing = run("users", "list", "--instance", instance).output.splitlines()
    assert [line.split("\t")[:2] for line in listing] == [["admin@agency.org", "admin"], ["c@agency.org", "author"]]

    link = run("users", "reset-password", "c@agency.org", "--public-url", "https://learn.example.org",
               "--instance", instance).output.strip()
    assert link.startswith("https://learn.example.org/account/reset/")
    invite = run("users", "invite", "new@agency.org", "--instance", instance).output.strip()
    assert "/account/register?invite=" in invite


def test_reset_link_from_the_cli_works_on_the_server(tmp_path, built_example, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    instance = tmp_path / "instance"
    run("db", "upgrade", "--instance", str(instance))
    run("users", "create", "ana@agency.org", "--instance", str(instance), env={"BROKERLEARN_PASSWORD": "x" * 12})
    link = run("users", "reset-password", "ana@agency.org", "--instance", str(instance)).output.strip()
    from brokerlearn.server import create_app
    app = create_app(build_dir=built_example, instance_path=instance)
    path = "/" + link.split("/", 3)[3]
    page = app.test_client().get(path)
    assert page.status_code == 200 and "Choose a new password" in page.get_data(as_text=True)
