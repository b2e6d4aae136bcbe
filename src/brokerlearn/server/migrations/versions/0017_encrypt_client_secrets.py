"""Client secrets at rest (issue 22): the identity providers' client secrets, stored in plain
text until now, are sealed with BROKERLEARN_SECRETS_KEY (server/sso/sealed.py). Rows without a
secret need no key; rows with one need the setting, or the upgrade stops with a message that
names it. The downgrade opens them again (with the same key).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import context, op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

_providers = sa.table("sso_providers", sa.column("id", sa.Integer), sa.column("client_secret", sa.String))


def _keys() -> str | None:
    import os
    given = context.config.attributes.get("secrets_key") or os.environ.get("BROKERLEARN_SECRETS_KEY")
    if given:
        return given
    try:
        from brokerlearn.server import settings
        return settings.read().config.get("SECRETS_KEY") or None
    except Exception:  # no settings to read here: the rows decide whether a key is needed
        return None


def _change(how) -> None:
    connection = op.get_bind()
    rows = connection.execute(sa.select(_providers.c.id, _providers.c.client_secret)
                              .where(_providers.c.client_secret != "")).all()
    if not rows:
        return
    keys = _keys()
    for row_id, stored in rows:
        connection.execute(_providers.update().where(_providers.c.id == row_id)
                           .values(client_secret=how(stored, keys)))


def upgrade() -> None:
    from brokerlearn.server.sso import sealed
    _change(lambda stored, keys: stored if sealed.is_sealed(stored) else sealed.seal(stored, keys))


def downgrade() -> None:
    from brokerlearn.server.sso import sealed
    _change(lambda stored, keys: sealed.unseal(stored, keys) if sealed.is_sealed(stored) else stored)
