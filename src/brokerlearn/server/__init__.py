"""The learning server: a Flask application over a built site and its private manifests."""
from __future__ import annotations

from pathlib import Path

from flask import Flask
from jinja2 import FileSystemLoader

from brokerlearn.paths import default_theme_dir
from brokerlearn.server import settings
from brokerlearn.server.db import masked_url  # noqa: F401 - where callers have found it
from brokerlearn.server.settings import (DB_NAME, RECORDED_DATABASE, instance_folder,  # noqa: F401
                                         is_installation, make_instance_folder)

MAX_BODY = 256 * 1024


def create_app(test_config: dict | None = None, build_dir: Path | str = "build",
               instance_path: Path | str | None = None, create: bool = True) -> Flask:
    """The application. create=False (the commands that only read): the installation's SQLite
    database and secret key must exist, and nothing is made, neither folder nor key nor database.
    (With PostgreSQL and BROKERLEARN_SECRET_KEY, the instance folder is needed for keys only.)
    The settings are read by settings.read, which the command line uses without an application."""
    installation = settings.read(instance_path, test_config)
    installation = installation.created() if create else installation.existing()
    app = Flask(__name__, instance_path=str(installation.instance), static_folder=None)
    build_dir = Path(build_dir).resolve()
    app.config.update(SITE_DIR=str(build_dir / "site"), SERVER_DIR=str(build_dir / "server"),
                      MAX_CONTENT_LENGTH=MAX_BODY, JSON_SORT_KEYS=False)
    app.config.update(installation.config)
    app.jinja_loader = FileSystemLoader(str(default_theme_dir() / "templates"))
    _wire(app)
    from brokerlearn.server.security import security_headers
    from brokerlearn.server.static_files import StaticFiles
    app.wsgi_app = StaticFiles(app.wsgi_app, app.config["SITE_DIR"],
                               security_headers(app.config.get("SECURE_COOKIES", False)),
                               app.extensions.get("brokerlearn_frame_ancestors"))  # LTI: the platforms may frame pages
    from brokerlearn.server.thin_api import ThinApi  # /api/session and /api/progress below Flask
    app.wsgi_app = app.extensions["brokerlearn_thin_api"] = ThinApi(app, app.wsgi_app)
    # Behind a proxy the client's address (for the login rate limit and the request log) and
    # scheme come from it, on connections from a trusted proxy only.
    from brokerlearn.server import proxies
    proxies.install(app)
    return app


def remember_database(app: Flask) -> None:
    """Record in the instance folder which database it belongs to, unless that is the default."""
    settings.record_database(Path(app.instance_path), app.config["DATABASE_URL"])


def _wire(app: Flask) -> None:
    from brokerlearn.server import admin, admin_cohorts, auth, certificate_pages, db, errors, language, learn, openapi, quiz, security, site
    from brokerlearn.server import admin_people, assignments, grading, health, reviews  # noqa: F401 - admin_people adds views to admin.bp
    from brokerlearn.server.courses import CourseCatalog
    from brokerlearn.server.sso import admin_views as sso_admin, views as sso

    app.extensions["brokerlearn_courses"] = CourseCatalog(Path(app.config["SERVER_DIR"]))
    db.init_app(app)
    security.init_app(app)
    language.init_app(app)
    errors.init_app(app)
    for blueprint in (auth.bp, learn.bp, quiz.bp, openapi.bp, admin.bp, admin_cohorts.bp, certificate_pages.bp,
                      certificate_pages.well_known, health.bp, assignments.bp, reviews.bp, grading.bp, sso.bp, sso_admin.bp, site.bp):
        app.register_blueprint(blueprint)
    from brokerlearn.server import lti
    lti.init_app(app)  # LTI 1.3 (issue 22)
    from brokerlearn.server import rendering
    rendering.init_app(app)  # the theme's context processor and filters
