"""Client secrets of identity providers at rest (server/sso/sealed.py, migration 0017): sealed
with BROKERLEARN_SECRETS_KEY (Fernet), never shown back, rotated with a second key; a missing
or wrong key is a message naming the setting, never a 500. The opening is checked against
cryptography's Fernet directly, not only through brokerlearn's own functions."""
from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from oidc import node
from server_fixtures import SECRETS_KEY


def _stored(app) -> list[str]:
    from brokerlearn.server import db
    with app.app_context():
        return [row[0] for row in db.session().execute(text("SELECT client_secret FROM sso_providers"))]


def _add(app, secret: str = node.SECRET, keys=None):
    from brokerlearn.server import db
    from brokerlearn.server.sso import providers
    with app.app_context():
        return providers.add(db.session(), "Agency Login", "https://login.example.org", "brokerlearn", secret,
                             keys=keys).slug


def test_the_database_keeps_the_secret_encrypted_with_the_settings_key(app):
    _add(app)
    [stored] = _stored(app)
    assert node.SECRET not in stored and stored.startswith("fernet:")
    assert Fernet(SECRETS_KEY).decrypt(stored.removeprefix("fernet:").encode()).decode() == node.SECRET


def test_a_provider_without_a_secret_needs_no_key(app):
    app.config["SECRETS_KEY"] = ""
    _add(app, secret="")
    assert _stored(app) == [""]


def test_without_the_key_adding_a_secret_names_the_setting(app):
    from brokerlearn.errors import UsageError
    app.config["SECRETS_KEY"] = ""
    with pytest.raises(UsageError, match="BROKERLEARN_SECRETS_KEY is not set"):
        _add(app)
    app.config["SECRETS_KEY"] = "not-a-fernet-key"
    with pytest.raises(UsageError, match="BROKERLEARN_SECRETS_KEY is not a list of Fernet keys"):
        _add(app)
    assert _stored(app) == []


def test_a_wrong_key_at_sign_in_is_a_page_naming_the_setting(app):
    slug = _add(app)
    app.config["SECRETS_KEY"] = Fernet.generate_key().decode()  # not the one it was sealed with
    answer = app.test_client().get(f"/account/sso/{slug}/start")
    assert answer.status_code == 503
    body = answer.get_data(as_text=True)
    assert "BROKERLEARN_SECRETS_KEY" in body and node.SECRET not in body


def test_the_admin_page_says_a_secret_is_set_and_never_shows_it(app, admin):
    _add(app)
    page = admin.client.get("/admin/sso").get_data(as_text=True)
    assert "set, kept encrypted" in page and node.SECRET not in page and _stored(app)[0] not in page


def test_a_new_key_first_still_opens_the_old_secrets_and_reseal_moves_them_to_it(app):
    from brokerlearn.server import db
    from brokerlearn.server.sso import providers
    _add(app)
    new = Fernet.generate_key().decode()
    both = f"{new},{SECRETS_KEY}"
    with app.app_context():
        provider = providers.find(db.session(), "agency-login")
        assert providers.client_secret(provider, both) == node.SECRET
        assert providers.reseal_all(db.session(), both) == 1
    [stored] = _stored(app)
    assert Fernet(new).decrypt(stored.removeprefix("fernet:").encode()).decode() == node.SECRET
    with app.app_context():
        assert providers.client_secret(providers.find(db.session(), "agency-login"), new) == node.SECRET


def test_migration_0017_encrypts_the_secrets_stored_before_and_refuses_without_the_key(tmp_path, monkeypatch):
    from alembic import command
    from brokerlearn.errors import UsageError
    from brokerlearn.server.db import alembic_config
    monkeypatch.delenv("BROKERLEARN_SECRETS_KEY", raising=False)
    monkeypatch.delenv("BROKERLEARN_SETTINGS", raising=False)
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    command.upgrade(alembic_config(url), "0016")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO sso_providers (slug, name, issuer, client_id, client_secret, scopes, "
                                "created_at) VALUES ('a', 'A', 'https://a.example', 'c', 'plain-secret', 'openid', "
                                "'2026-01-01 00:00:00'), ('b', 'B', 'https://b.example', 'c', '', 'openid', "
                                "'2026-01-01 00:00:00')"))
    with pytest.raises(UsageError, match="BROKERLEARN_SECRETS_KEY"):
        command.upgrade(alembic_config(url), "head")
    command.upgrade(alembic_config(url, SECRETS_KEY), "head")
    with engine.connect() as connection:
        stored = dict(connection.execute(text("SELECT slug, client_secret FROM sso_providers")).all())
    assert stored["b"] == "" and stored["a"].startswith("fernet:")
    assert Fernet(SECRETS_KEY).decrypt(stored["a"].removeprefix("fernet:").encode()) == b"plain-secret"
    command.downgrade(alembic_config(url, SECRETS_KEY), "0016")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT client_secret FROM sso_providers WHERE slug='a'")).scalar() == "plain-secret"
    engine.dispose()
