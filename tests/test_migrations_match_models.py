"""The migrations build exactly the tables the models declare: a column added to models.py
without a migration (or the other way round) fails here, not on an agency's database."""
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from brokerlearn.server.db import alembic_config
from brokerlearn.server.models import Base


def test_upgraded_database_matches_the_models(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []
