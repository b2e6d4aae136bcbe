"""The database: one engine per application, one session per request, migrations by Alembic."""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import create_engine, event, exc, make_url
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from brokerlearn.server import sqlite
from brokerlearn.server.sqlite import create_private, sqlite_file  # noqa: F401 - the callers' names

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# A pooled connection back in the pool for less than this is taken as alive; one that waited
# longer is pinged before it is handed out (a database restarted meanwhile is found out then).
PING_AFTER_IDLE_SECONDS = 0.1


def masked_url(url: str) -> str:
    """A database URL safe to print: the password as ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL SQLAlchemy cannot parse is shown by its scheme only
        return url.split(":", 1)[0] + ":..."


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return sqlite.make_engine(url)
    # LIFO: under load the same few connections stay in use (and need no ping); the others age.
    engine = create_engine(url, pool_size=10, max_overflow=20, pool_use_lifo=True)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """pool_pre_ping, but only for a connection that has waited in the pool: pinging every
    checkout cost a round trip on every request that reads or writes (it halved PostgreSQL's
    progress throughput while the group commit still took a pooled connection per batch;
    bench/README.md). A database that restarts within PING_AFTER_IDLE_SECONDS of a connection's last
    use costs the one request that finds it out a 503, after which SQLAlchemy discards the pool."""
    @event.listens_for(engine, "connect")
    @event.listens_for(engine, "checkin")
    def _stamp(_dbapi_connection, record, *_args) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping(dbapi_connection, record, _proxy) -> None:
        if time.monotonic() - record.info.get("idle_since", 0.0) < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)  # the ping pool_pre_ping sends (no transaction left open)
        except engine.dialect.loaded_dbapi.Error as error:
            # The pool drops this connection and hands out another (a new one, if it must).
            raise exc.DisconnectionError(str(error)) from error


def init_app(app: Flask) -> None:
    app.extensions["brokerlearn_engine"] = engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["brokerlearn_sessions"] = sessionmaker(engine, expire_on_commit=False)
    app.teardown_appcontext(_close_session)


@contextmanager
def session_for(url: str) -> Iterator[Session]:
    """A session on the database at URL without an application (the command line): its own
    engine, closed afterwards. Objects stay readable after it ends (expire_on_commit=False); the
    database failing on the way is a UsageError that names it."""
    from sqlalchemy.exc import OperationalError

    from brokerlearn.errors import UsageError
    engine = make_engine(url)
    try:
        with sessionmaker(engine, expire_on_commit=False)() as db_session:
            yield db_session
    except OperationalError as exc:
        raise UsageError(f"the database {masked_url(url)} failed: {one_line(exc)}") from None
    finally:
        engine.dispose()


def one_line(exc: Exception) -> str:
    """A database error as the first line of the driver's message (no SQL, no traceback)."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def ensure_current_schema(url: str, starting: bool = False) -> str | None:
    """The embedded SQLite database is upgraded on its own; any other must have been migrated
    (`brokerlearn db upgrade`) to this version's schema, else UsageError says what to run. A
    server starting while the database is down starts anyway (it recovers when the database
    returns): then the warning to print is returned; a command stops."""
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from brokerlearn.errors import UsageError
    from brokerlearn.server import schema
    if url.startswith("sqlite"):
        try:
            upgrade(url)
        except CommandError as exc:
            raise UsageError(f"cannot upgrade the database {url}: {exc} (was it migrated by a newer version?)") from None
        return None
    engine = make_engine(url)
    try:
        problem = schema.problem(engine)
    except SQLAlchemyError as exc:
        if not starting:
            raise UsageError(f"cannot reach the database {masked_url(url)}: {one_line(exc)}") from None
        return (f"warning: cannot reach the database {masked_url(url)} to check its schema ({one_line(exc)}); "
                "starting anyway")
    finally:
        engine.dispose()
    if problem:
        raise UsageError(problem)
    return None


def upgrade_to_current(url: str, secrets_key: str | None = None) -> None:
    """`brokerlearn db upgrade`: every migration, with the database's failures as UsageError."""
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from brokerlearn.errors import UsageError
    try:
        upgrade(url, secrets_key)
    except SQLAlchemyError as exc:
        raise UsageError(f"cannot upgrade the database {masked_url(url)}: {one_line(exc)}") from None
    except CommandError as exc:
        raise UsageError(f"cannot upgrade the database: {exc} (was it migrated by a newer version of "
                         "brokerlearn?)") from None


def session() -> Session:
    if "db_session" not in g:
        g.db_session = current_app.extensions["brokerlearn_sessions"]()
    return g.db_session


def engine() -> Engine:
    """The application's engine (one per application; each worker process has its own pool)."""
    return current_app.extensions["brokerlearn_engine"]


def connection() -> Connection:
    """The request's autocommit Core connection, for the hot paths: reading the signed-in account
    and recording progress (one statement each, so each is its own transaction). Lighter than an
    ORM session, and an SQLite write holds the lock only inside one C call."""
    if "db_connection" not in g:
        engine = current_app.extensions["brokerlearn_engine"]
        g.db_connection = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    return g.db_connection


def _close_session(_exc) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.close()
    db_connection = g.pop("db_connection", None)
    if db_connection is not None:
        db_connection.close()


def alembic_config(url: str, secrets_key: str | None = None):
    from alembic.config import Config
    config = Config()
    config.attributes["secrets_key"] = secrets_key  # migration 0017 seals the client secrets with it
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, secrets_key: str | None = None) -> None:
    """Apply every migration (idempotent)."""
    from alembic import command
    create_private(url)
    command.upgrade(alembic_config(url, secrets_key), "head")
