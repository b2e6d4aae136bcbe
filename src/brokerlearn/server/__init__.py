"""The learning server: a Flask application over a built site and its private manifests."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from jinja2 import FileSystemLoader

from brokerlearn.errors import UsageError
from brokerlearn.paths import default_theme_dir
from brokerlearn.server import settings
from brokerlearn.server.db import sqlite_file

MAX_BODY = 256 * 1024
DB_NAME = "brokerlearn.db"


def instance_folder(path: Path | str | None = None, must_exist: bool = False) -> Path:
    """The instance folder: the one given, else BROKERLEARN_INSTANCE, else ./instance.

    must_exist: for the commands that only read or change what is there. They refuse a folder
    that holds no installation (a mistyped --instance) instead of making a new one in it."""
    folder = settings.environment(path).instance
    if must_exist and not is_installation(folder):
        raise UsageError(f"no installation at {folder} (make one with: brokerlearn db upgrade --instance {folder})")
    return folder


def is_installation(folder: Path) -> bool:
    """What the commands that create an installation leave: its secret key, database or signing keys."""
    return folder.is_dir() and any((folder / name).exists() for name in ("secret_key", DB_NAME, "keys"))


def make_instance_folder(folder: Path) -> Path:
    """Create the instance folder readable by its owner only (it holds keys and the database)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def create_app(test_config: dict | None = None, build_dir: Path | str = "build",
               instance_path: Path | str | None = None, create: bool = True) -> Flask:
    """The application. create=False (the commands that only read): the installation's SQLite
    database and secret key must exist, and nothing is made, neither folder nor key nor database.
    (With PostgreSQL and BROKERLEARN_SECRET_KEY, the instance folder is needed for keys only.)"""
    environment = settings.environment(instance_path)
    instance = environment.instance
    if create:  # the commands that set up or run an installation: no server starts on manifests it cannot read
        from brokerlearn.server.courses import CourseCatalog
        CourseCatalog(Path(build_dir) / "server").check()
        make_instance_folder(instance)
    app = Flask(__name__, instance_path=str(instance), static_folder=None)
    build_dir = Path(build_dir).resolve()
    app.config.update(SITE_DIR=str(build_dir / "site"), SERVER_DIR=str(build_dir / "server"),
                      MAX_CONTENT_LENGTH=MAX_BODY, JSON_SORT_KEYS=False)
    app.config.update(settings.from_environment(environment.values))
    if test_config:
        app.config.update(test_config)
    app.config["DATABASE_SOURCE"] = _database_source(environment, test_config)
    if not app.config.get("DATABASE_URL"):
        _check_recorded_database(instance)
        app.config["DATABASE_URL"] = f"sqlite:///{instance / DB_NAME}"
    app.config["SETTINGS_FILE"] = str(environment.file) if environment.file else None
    if not create:
        _check_installation(instance, app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance)
    app.jinja_loader = FileSystemLoader(str(default_theme_dir() / "templates"))
    _wire(app)
    from brokerlearn.server.security import security_headers
    from brokerlearn.server.static_files import StaticFiles
    app.wsgi_app = StaticFiles(app.wsgi_app, app.config["SITE_DIR"],
                               security_headers(app.config.get("SECURE_COOKIES", False)))
    # Behind a proxy the client's address (for the login rate limit and the request log) and
    # scheme come from it, on connections from a trusted proxy only.
    from brokerlearn.server import proxies
    proxies.install(app)
    return app


# Written by `db upgrade` and `serve` when the database is not the SQLite default: a command
# run later without the settings (a cron job) then refuses instead of using a stale SQLite file.
RECORDED_DATABASE = "database-url"


def _database_source(environment, test_config: dict | None) -> str:
    if test_config and test_config.get("DATABASE_URL"):
        return "given"
    if "DATABASE_URL" in environment.from_file:
        return f"from {environment.file}"
    if environment.values.get("DATABASE_URL"):
        return "from the environment's DATABASE_URL"
    return "the default: DATABASE_URL is not set"


def masked_url(url: str) -> str:
    """A database URL safe to print: the password as ***."""
    from sqlalchemy import make_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a URL SQLAlchemy cannot parse is shown by its scheme only
        return url.split(":", 1)[0] + ":..."


def remember_database(app: Flask) -> None:
    """Record in the instance folder which database it belongs to, unless that is the default."""
    path = Path(app.instance_path) / RECORDED_DATABASE
    if app.config["DATABASE_URL"] == f"sqlite:///{Path(app.instance_path) / DB_NAME}":
        return
    text = masked_url(app.config["DATABASE_URL"]) + "\n"
    try:
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
    except OSError:
        pass  # a read-only instance folder: nothing is recorded, nothing else changes


def _check_recorded_database(instance: Path) -> None:
    """No DATABASE_URL here, yet the installation recorded another database: refuse the SQLite default."""
    path = instance / RECORDED_DATABASE
    if not path.is_file():
        return
    recorded = path.read_text(encoding="utf-8", errors="replace").strip()
    raise UsageError(
        f"the installation at {instance} uses the database {recorded} (recorded in {path}), but DATABASE_URL "
        f"is not set here, so this would use the SQLite file {instance / DB_NAME} instead: read the settings "
        f"(BROKERLEARN_SETTINGS=FILE, or put them in {instance / settings.INSTANCE_FILE}) or set DATABASE_URL; "
        f"to go back to SQLite on purpose, delete {path}")


def _check_installation(instance: Path, config: dict) -> None:
    """What an application that must not create needs is there: the SQLite database (SQLite would
    make a missing file) and the secret key (else one would be generated)."""
    hint = f"(make one with: brokerlearn db upgrade --instance {instance})"
    database = sqlite_file(config["DATABASE_URL"])
    if database is not None and not database.is_file():
        elsewhere = "" if database.resolve().parent == instance else f": no database {database}"
        raise UsageError(f"no installation at {instance}{elsewhere} {hint}")
    if not config.get("SECRET_KEY") and not (instance / "secret_key").is_file():
        raise UsageError(f"no installation at {instance}: no secret_key, and BROKERLEARN_SECRET_KEY is not set {hint}")


def _instance_secret(instance: Path) -> str:
    """Generated once and kept: there is no default key to forget to change."""
    path = instance / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    key = path.read_text().strip()
    if len(key) < 32:
        raise UsageError(f"{path} holds a key that is too short: delete it to have a new one made")
    return key


def _wire(app: Flask) -> None:
    from brokerlearn.server import admin, auth, certificates, db, errors, language, learn, openapi, quiz, security, site
    from brokerlearn.server import health
    from brokerlearn.server.courses import CourseCatalog

    app.extensions["brokerlearn_courses"] = CourseCatalog(Path(app.config["SERVER_DIR"]))
    db.init_app(app)
    security.init_app(app)
    language.init_app(app)
    errors.init_app(app)
    for blueprint in (auth.bp, learn.bp, quiz.bp, openapi.bp, admin.bp, certificates.bp,
                      certificates.well_known, health.bp, site.bp):
        app.register_blueprint(blueprint)
    from brokerlearn.server.pages import points
    app.jinja_env.filters["points"] = points
