"""Fixtures for the learning server: the example course built once, a database on SQLite or on
a private PostgreSQL server, and a test client that behaves like a learner's browser."""
from __future__ import annotations

import os
import re
import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

from pgcluster import PostgresCluster, find_bindir

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "a long enough password"
SECRETS_KEY = "rNrGvRtL4Kz8o6V3Hq2d1xT0bWc9yEaUmPsJfZkQnDg="  # a Fernet key for the tests: client secrets at rest
_TOKEN_INPUT = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]+)">')
# Forms whose page is not the address they post to.
_FORM_PAGES = {"/account/logout": "/account/settings", "/account/delete": "/account/settings",
               "/account/settings/password": "/account/settings"}


def run_folder(tmp_path_factory) -> Path:
    """A folder of this run that every pytest-xdist worker of it shares (the parent of their
    own temporary folders); without xdist, the run's temporary folder."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(tmp_path_factory, name: str, make) -> Path:
    """run_folder/name, made by make(folder) once per run, by whichever worker asks first
    while the others wait (a lock file), then read by all. What is made this way is shared:
    a test that changes it works on a copy."""
    import fcntl
    shared = run_folder(tmp_path_factory)
    out, done = shared / name, shared / f"{name}.done"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not done.exists():
                shutil.rmtree(out, ignore_errors=True)  # a worker that failed half-way
                make(out)
                done.touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return out


@pytest.fixture(scope="session")
def built_example(tmp_path_factory) -> Path:
    """BUILD_DIR of the example course (site/ and server/), built once per run (and shared by
    the run's xdist workers): tests read it, never change it."""
    from brokerlearn.compiler.pipeline import build
    return built_once(tmp_path_factory, "example-build",
                      lambda out: build(REPO / "courses" / "example", out, show_progress=False))


def start_private_cluster() -> PostgresCluster:
    """A PostgreSQL server of the caller's own; without PostgreSQL a skip, or a failure in CI."""
    bindir = find_bindir()
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: scripts/setup --test installs it")
        pytest.skip("PostgreSQL is not installed (scripts/setup --test installs it)")
    return PostgresCluster(bindir).start()


def register_in_browser(page, served: str, email: str, name: str) -> None:
    """Fill in and send the registration form as a learner does; ends on the dashboard."""
    page.goto(served + "account/register")
    page.fill("#email", email)
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("form.account-form button[type=submit]")
    page.wait_for_url("**/dashboard")


def register_over_http(context, served: str, email: str, name: str) -> None:
    """Register a learner with the requests of browser context `context` (its cookie jar, no page
    drawn): the same form post as register_in_browser, for tests whose subject is not the form."""
    form = context.request.get(served + "account/register")
    token = _TOKEN_INPUT.search(form.text()).group(1)
    sent = context.request.post(served + "account/register", form={
        "email": email, "name": name, "password": PASSWORD, "csrf_token": token})
    assert sent.ok and sent.url.endswith("/dashboard"), (sent.status, sent.url)


@pytest.fixture(scope="session")
def postgres_cluster():
    cluster = start_private_cluster()
    from brokerlearn.server.db import upgrade
    template = cluster.create_database()
    upgrade(cluster.url(template))
    cluster.template = template
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """An SQLite database file with every migration applied, made once per run; tests get a copy
    of it (as they get a copy of the PostgreSQL template): the same file `upgrade` makes, in
    milliseconds instead of a fifth of a second of CPU each."""
    from brokerlearn.server.db import upgrade

    def make(folder: Path) -> None:
        folder.mkdir(parents=True)
        upgrade(f"sqlite:///{folder / 'brokerlearn.db'}")
    return built_once(tmp_path_factory, "sqlite-template", make) / "brokerlearn.db"


def migrated_sqlite(template: Path, path: Path) -> str:
    """The URL of a fresh migrated SQLite database at `path` (a copy of the template, with its
    owner-only mode)."""
    shutil.copy(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return migrated_sqlite(request.getfixturevalue("sqlite_template"), tmp_path / "brokerlearn.db")
    cluster = request.getfixturevalue("postgres_cluster")
    return cluster.url(cluster.create_database(template=cluster.template))


@pytest.fixture
def app(built_example, database_url, tmp_path):
    from brokerlearn.server import create_app
    application = create_app({"DATABASE_URL": database_url, "TESTING": True, "PUBLIC_URL": "http://localhost",
                              "SECRETS_KEY": SECRETS_KEY},
                             build_dir=built_example,
                             instance_path=tmp_path / "instance")
    yield application
    application.extensions["brokerlearn_engine"].dispose()


class Visitor:
    """A test client with the habits of the pages: it fetches the CSRF token from /api/session
    and sends it with forms and API calls, as server.js does."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()

    def csrf(self) -> str:
        return self.client.get("/api/session").get_json()["csrf_token"]

    def form(self, path: str, data: dict, csrf: bool = True, page: str | None = None, **kwargs):
        """Post a form with the CSRF token its page carries, as a browser would."""
        if csrf:
            data = {**data, "csrf_token": self.page_token(page or _FORM_PAGES.get(path.split("?")[0], path))}
        return self.client.post(path, data=data, **kwargs)

    def page_token(self, path: str) -> str:
        found = _TOKEN_INPUT.search(self.client.get(path).get_data(as_text=True))
        return found.group(1) if found else self.csrf()  # a page without a form: the API's token

    def api(self, method: str, path: str, json=None, csrf: bool = True, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if csrf and method.upper() != "GET":
            headers["X-CSRFToken"] = self.csrf()
        return self.client.open(path, method=method.upper(), json=json, headers=headers, **kwargs)

    def register(self, email: str, password: str = PASSWORD, name: str = ""):
        return self.form("/account/register", {"email": email, "password": password, "name": name})

    def login(self, email: str, password: str = PASSWORD):
        return self.form("/account/login", {"email": email, "password": password})

    def logout(self):
        return self.form("/account/logout", {})

    def user(self) -> dict | None:
        return self.client.get("/api/session").get_json()["user"]


@pytest.fixture
def visitor(app):
    """visitor() -> a new, signed-out visitor with its own cookies."""
    return lambda: Visitor(app)


@pytest.fixture
def learner(visitor):
    """learner(email) -> a Visitor signed in to a new account."""
    def make(email: str = "ana@agency.org") -> Visitor:
        visitor_ = visitor()
        response = visitor_.register(email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return visitor_
    return make


@pytest.fixture
def admin(app, learner):
    """A signed-in administrator (boss@agency.org), with one group, Office North."""
    from brokerlearn.server import db
    from brokerlearn.server.services.accounts import find_user, set_role
    from brokerlearn.server.services.enrolment import create_group
    boss = learner("boss@agency.org")
    with app.app_context():
        set_role(db.session(), find_user(db.session(), "boss@agency.org"), "admin")
        create_group(db.session(), "Office North")
    boss.login("boss@agency.org")
    return boss


@pytest.fixture
def served(served_app):
    """The example course under waitress, as `brokerlearn serve` runs it, on SQLite with a
    signing key: the base URL, for browser tests."""
    yield served_app[1]


@pytest.fixture
def served_app(built_example, sqlite_template, tmp_path):
    """As `served`: (the application, its base URL), for tests that also set it up."""
    with _serving(built_example, sqlite_template, tmp_path) as served:
        yield served


@pytest.fixture(scope="module")
def module_served(built_example, sqlite_template, tmp_path_factory):
    """As `served`, one server for a module's tests: for tests that need no fresh database (each
    registers a learner of its own, for example)."""
    with _serving(built_example, sqlite_template, tmp_path_factory.mktemp("served")) as (_, base):
        yield base


@contextmanager
def _serving(built: Path, sqlite_template: Path, folder: Path):
    from brokerlearn.server import create_app
    from brokerlearn.server.credentials.keys import create_key
    from serving import running
    url = migrated_sqlite(sqlite_template, folder / "db.sqlite")
    app = create_app({"DATABASE_URL": url, "SECRETS_KEY": SECRETS_KEY}, build_dir=built,
                     instance_path=folder / "instance")
    create_key(folder / "instance")
    with running(app, threads=4) as port:
        app.config["PUBLIC_URL"] = f"http://127.0.0.1:{port}"  # as serve does on loopback
        yield app, f"http://127.0.0.1:{port}/"
