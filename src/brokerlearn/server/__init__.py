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

MAX_BODY = 256 * 1024


def instance_folder(path: Path | str | None = None) -> Path:
    """The instance folder: the one given, else BROKERLEARN_INSTANCE, else ./instance."""
    return Path(path or os.environ.get("BROKERLEARN_INSTANCE", "instance")).resolve()


def create_app(test_config: dict | None = None, build_dir: Path | str = "build",
               instance_path: Path | str | None = None) -> Flask:
    instance = instance_folder(instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, instance_path=str(instance), static_folder=None)
    build_dir = Path(build_dir).resolve()
    app.config.update(SITE_DIR=str(build_dir / "site"), SERVER_DIR=str(build_dir / "server"),
                      MAX_CONTENT_LENGTH=MAX_BODY, JSON_SORT_KEYS=False)
    app.config.update(settings.from_environment())
    if test_config:
        app.config.update(test_config)
    app.config.setdefault("DATABASE_URL", f"sqlite:///{instance / 'brokerlearn.db'}")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance)
    app.jinja_loader = FileSystemLoader(str(default_theme_dir() / "templates"))
    _wire(app)
    from brokerlearn.server.security import security_headers
    from brokerlearn.server.static_files import StaticFiles
    app.wsgi_app = StaticFiles(app.wsgi_app, app.config["SITE_DIR"],
                               security_headers(app.config.get("SECURE_COOKIES", False)))
    if app.config.get("PROXIES"):
        # Behind a proxy the client's address (for the login rate limit) and scheme come from it.
        from werkzeug.middleware.proxy_fix import ProxyFix
        n = app.config["PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    return app


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
    from brokerlearn.server.courses import CourseCatalog

    app.extensions["brokerlearn_courses"] = CourseCatalog(Path(app.config["SERVER_DIR"]))
    db.init_app(app)
    security.init_app(app)
    language.init_app(app)
    errors.init_app(app)
    for blueprint in (auth.bp, learn.bp, quiz.bp, openapi.bp, admin.bp, certificates.bp,
                      certificates.well_known, site.bp):
        app.register_blueprint(blueprint)
    from brokerlearn.server.pages import points
    app.jinja_env.filters["points"] = points
