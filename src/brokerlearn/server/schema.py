"""Whether the database's schema is the one this version of brokerlearn needs (Alembic's
revision), so that a command on an un-migrated or older database says what to run instead of
failing later, mid-way, with a traceback about a missing table or column."""
from __future__ import annotations

from sqlalchemy.engine import Engine

UPGRADE = "run `brokerlearn db upgrade`"


def problem(engine: Engine) -> str | None:
    """None when the schema is current; else what is wrong and what to do. Raises SQLAlchemy's
    errors when the database cannot be reached."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from brokerlearn.server.db import alembic_config
    script = ScriptDirectory.from_config(alembic_config(engine.url.render_as_string(hide_password=False)))
    heads = set(script.get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current == heads:
        return None
    shown = engine.url.render_as_string(hide_password=True)
    if not current:
        return f"the database {shown} has no brokerlearn tables yet: {UPGRADE} first"
    known = {revision.revision for revision in script.walk_revisions()}
    if current <= known:
        return (f"the database {shown} is at schema revision {', '.join(sorted(current))}; this version of "
                f"brokerlearn needs {', '.join(sorted(heads))}: {UPGRADE} (with every server stopped or "
                "about to be restarted on this version)")
    return (f"the database {shown} is at schema revision {', '.join(sorted(current))}, which this version of "
            "brokerlearn does not know: it was migrated by a newer version; run that version")
