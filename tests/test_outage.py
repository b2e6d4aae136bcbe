"""A database outage handled like a product (issue 23 item 3, hosting review §3.4): while the
database cannot be reached, pages get a styled 503 in the learner's language and the API a 503
JSON error, both with Retry-After; the log gets one line per failed request, no traceback; the
next request after the database is back works, with no restart and nothing lost. On SQLite (a
database file that cannot be opened, a statement that fails in the middle of a request) and on
PostgreSQL stopped and started again, in process and under `brokerlearn serve`."""
import json
import logging
import os
import re
import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import event, exc as sa

from server_fixtures import PASSWORD, Visitor, migrated_sqlite, register_in_browser, start_private_cluster
from test_two_processes import free_port, wait_up

LESSON = "finding-partners/cooperation-profiles"
OTHER_LESSON = "finding-partners/assessing-candidates"


def completion(event_id: str, lesson: str = LESSON) -> dict:
    return {"event_id": event_id, "course": "example", "kind": "lesson_completed", "item": lesson}


def outage_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def assert_unavailable_page(response, lang: str, heading: str) -> str:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    assert f"<h1>{heading}</h1>" in html
    assert '<link rel="stylesheet" href="/_static/brokerlearn.css">' in html  # the site's layout
    assert 'class="site-header"' in html and 'class="site-footer"' in html
    return html


def assert_unavailable_json(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    assert response.get_json() == {"error": {"code": "unavailable",
                                             "message": "the service is briefly unavailable: try again in a moment"}}


# --- SQLite ---------------------------------------------------------------------------------

@pytest.fixture
def sqlite_app(built_example, sqlite_template, tmp_path):
    """Not TESTING: errors are handled as in production (a bug would be a 500, not raised)."""
    from brokerlearn.server import create_app
    folder = tmp_path / "data"
    folder.mkdir()
    url = migrated_sqlite(sqlite_template, folder / "brokerlearn.db")
    app = create_app({"DATABASE_URL": url, "PUBLIC_URL": "http://localhost"}, build_dir=built_example,
                     instance_path=tmp_path / "instance")
    app.outage_folder = folder
    yield app
    app.extensions["brokerlearn_engine"].dispose()


def signed_in(app, email="ana@agency.org", lang="en") -> Visitor:
    visitor = Visitor(app)
    visitor.client.set_cookie("brokerlearn_lang", lang)
    assert visitor.register(email).status_code == 302
    assert visitor.api("post", "/api/progress", {"events": [completion("evt-before-0001")]}).status_code == 200
    return visitor


def sqlite_gone(app):
    """The database file can no longer be opened (its folder is gone: an unmounted disk); the
    pooled connections are closed, so the next request must open it anew."""
    app.outage_folder.rename(app.outage_folder.with_name("away"))
    app.extensions["brokerlearn_engine"].dispose()


def sqlite_back(app):
    app.outage_folder.with_name("away").rename(app.outage_folder)


def test_sqlite_that_cannot_be_opened_gives_the_503_page_in_the_learners_language(sqlite_app, caplog):
    ana = signed_in(sqlite_app, lang="de")
    csrf = ana.csrf()
    sqlite_gone(sqlite_app)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        page = ana.client.get("/dashboard")  # the signed-in learner: flask-login's user loader fails first
    html = assert_unavailable_page(page, "de", "Der Kursserver ist kurz nicht erreichbar")
    assert "Was Sie in diesem Browser getan haben, bleibt erhalten" in html
    assert '<a class="button" href="/dashboard">Erneut versuchen</a>' in html
    assert [r.getMessage() for r in outage_records(caplog)] == [
        "database unavailable: unable to open database file (GET /dashboard)"]
    assert caplog.records[-1].exc_info is None  # one line, no traceback
    # The page's style sheet needs no database.
    assert ana.client.get("/_static/brokerlearn.css").status_code == 200
    # An English browser, not signed in: the same page in English.
    stranger = Visitor(sqlite_app)
    page = stranger.client.get("/account/login", headers={"Accept-Language": "en"})
    assert page.status_code == 200  # the sign-in form itself needs no database
    page = stranger.client.post("/account/login", data={"email": "ana@agency.org", "password": PASSWORD,
                                                         "csrf_token": stranger.page_token("/account/login")},
                                headers={"Accept-Language": "en-GB"})
    html = assert_unavailable_page(page, "en", "The course server is briefly unavailable")
    assert "Try again" not in html  # a POST is not repeated by a link
    # After the outage: no restart, the same session, what was recorded before is there.
    sqlite_back(sqlite_app)
    assert ana.client.get("/dashboard").status_code == 200
    assert ana.client.post("/api/progress", json={"events": [completion("evt-after-00001", OTHER_LESSON)]},
                           headers={"X-CSRFToken": csrf}).status_code == 200
    progress = ana.client.get("/api/progress/example").get_json()
    assert sorted(progress["completed_lessons"]) == sorted([LESSON, OTHER_LESSON])


def test_sqlite_that_cannot_be_opened_gives_the_api_a_503_json_error(sqlite_app, caplog):
    ana = signed_in(sqlite_app)
    csrf = ana.csrf()
    sqlite_gone(sqlite_app)
    caplog.clear()
    # Who is signed in comes from the session and the cache of session changes, read less
    # than a few seconds ago: /api/session needs no database (server/services/sessions.py).
    assert ana.client.get("/api/session").get_json()["user"]["email"] == "ana@agency.org"
    calls = [("get", "/api/progress/example", None),
             ("post", "/api/progress", {"events": [completion("evt-during-0001", OTHER_LESSON)]}),
             ("post", "/api/quizzes/example/m2-assessment/attempts", {})]
    for method, path, body in calls:
        response = ana.client.open(path, method=method.upper(), json=body, headers={"X-CSRFToken": csrf})
        assert_unavailable_json(response)
    # As the API's document says: its Error schema, on every operation.
    from jsonschema import Draft202012Validator
    from brokerlearn.server.openapi import SPEC
    Draft202012Validator({"$ref": "#/components/schemas/Error", "components": SPEC["components"]}).validate(
        response.get_json())
    assert all("503" in op["responses"] for path, ops in SPEC["paths"].items() if path != "/api/openapi.json"
               for op in ops.values())
    lines = [r.getMessage() for r in outage_records(caplog)]
    assert lines == [f"database unavailable: unable to open database file ({m.upper()} {p})" for m, p, _ in calls]
    assert all(r.exc_info is None for r in outage_records(caplog))
    sqlite_back(sqlite_app)
    assert ana.client.get("/api/session").get_json()["user"]["email"] == "ana@agency.org"


def fail_statements(engine, which: set[int]):
    """Make the n-th statements (counted from 1) fail as a database that went away mid-request would."""
    count = {"n": 0}

    def before(conn, cursor, statement, parameters, context, executemany):
        count["n"] += 1
        if count["n"] in which:
            raise sa.OperationalError(statement, parameters, Exception("server closed the connection unexpectedly"))
    event.listen(engine, "before_cursor_execute", before)
    return lambda: event.remove(engine, "before_cursor_execute", before)


@pytest.mark.parametrize("failing, where", [(1, "the user loader"), (2, "the view's own query")])
def test_a_statement_failing_at_any_point_of_a_request_is_one_503(sqlite_app, caplog, failing, where):
    ana = signed_in(sqlite_app)
    engine = sqlite_app.extensions["brokerlearn_engine"]
    restore = fail_statements(engine, {failing})
    caplog.clear()
    try:
        assert_unavailable_json(ana.client.get("/api/progress/example"))
    finally:
        restore()
    assert [r.getMessage() for r in outage_records(caplog)] == [
        "database unavailable: server closed the connection unexpectedly (GET /api/progress/example)"], where
    assert ana.client.get("/api/progress/example").get_json()["completed_lessons"] == [LESSON]


def test_a_failure_outside_the_views_is_one_503_too(sqlite_app, caplog):
    """Raised where the views' error handlers do not reach (an after-request function): Flask's
    own handling would log a traceback; it logs the one line as well."""
    failures = []

    @sqlite_app.after_request
    def fail_once(response):
        if failures:
            raise failures.pop()
        return response
    ana = signed_in(sqlite_app)
    failures.append(sa.OperationalError("SELECT 1", {}, sqlite3.OperationalError("disk I/O error")))
    caplog.clear()
    # /api/progress/<course> (GET) goes through Flask; GET /api/session is answered below it
    # (server/thin_api.py), where no after-request function runs.
    assert_unavailable_json(ana.client.get("/api/progress/example"))
    assert [(r.getMessage(), r.exc_info) for r in outage_records(caplog)] == [
        ("database unavailable: disk I/O error (GET /api/progress/example)", None)]


def test_a_program_mistake_on_sqlite_stays_a_500_with_its_traceback(sqlite_app, caplog):
    """SQLite reports 'no such table' as an OperationalError too: that is a bug, not an outage."""
    ana = signed_in(sqlite_app)
    with sqlite_app.extensions["brokerlearn_engine"].begin() as connection:
        connection.exec_driver_sql("DROP TABLE progress_events")
    caplog.clear()
    response = ana.client.get("/api/progress/example")
    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert any(r.exc_info for r in caplog.records) and not any("unavailable" in r.getMessage() for r in caplog.records)


# --- PostgreSQL -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def outage_cluster():
    """A PostgreSQL server of this module's own: stopping it stops no other test's database.
    Its migrated template is copied for each test (as conftest's postgres_cluster does), not
    migrated again: a second and a half each under load."""
    from brokerlearn.server.db import upgrade
    cluster = start_private_cluster()
    cluster.template = cluster.create_database()
    upgrade(cluster.url(cluster.template))
    yield cluster
    cluster.stop()


@pytest.fixture
def postgres_url(outage_cluster):
    url = outage_cluster.url(outage_cluster.create_database(template=outage_cluster.template))
    yield url
    if not _running(outage_cluster):  # a failed test leaves it started for the next
        outage_cluster.start_server()


def _running(cluster) -> bool:
    try:
        cluster.execute("SELECT 1")
        return True
    except Exception:
        return False


def test_postgres_restarted_between_requests_needs_no_restart_of_the_server(built_example, tmp_path, outage_cluster,
                                                                             postgres_url, caplog):
    """The pooled connections die with the database server: pool_pre_ping finds that out before a
    request uses one, so the first request after PostgreSQL is back already works."""
    from brokerlearn.server import create_app
    app = create_app({"DATABASE_URL": postgres_url, "PUBLIC_URL": "http://localhost"}, build_dir=built_example,
                     instance_path=tmp_path / "instance")
    try:
        ana = signed_in(app)
        assert app.extensions["brokerlearn_engine"].pool.checkedin() >= 1  # a connection waits in the pool
        outage_cluster.stop_server()
        outage_cluster.start_server()
        caplog.clear()
        assert ana.client.get("/api/progress/example").get_json()["completed_lessons"] == [LESSON]
        assert outage_records(caplog) == []
    finally:
        app.extensions["brokerlearn_engine"].dispose()


def test_postgres_pool_pings_only_a_connection_that_waited(postgres_url, outage_cluster, monkeypatch):
    """A connection just back in the pool is handed out again without a round trip (the hot
    paths take one per statement); one that waited longer is pinged, and if PostgreSQL was
    restarted meanwhile the pool hands out a new one instead: the caller sees no error."""
    import time

    from sqlalchemy import text

    from brokerlearn.server import db
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.5)  # "just back" even on a busy machine
    engine = db.make_engine(postgres_url)
    pings = []
    ping = engine.dialect.do_ping
    monkeypatch.setattr(engine.dialect, "do_ping", lambda connection: pings.append(1) or ping(connection))
    try:
        for _ in range(3):  # a new connection, then the same one twice, each just checked in
            with engine.connect() as connection:
                assert connection.execute(text("SELECT 1")).scalar() == 1
        assert pings == []
        outage_cluster.stop_server()
        outage_cluster.start_server()
        time.sleep(0.6)
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
        assert len(pings) == 1
    finally:
        engine.dispose()


def test_postgres_stopped_in_the_middle_of_a_request_is_one_503(built_example, tmp_path, outage_cluster,
                                                                postgres_url, caplog):
    """The user is loaded, then PostgreSQL stops before the view's query: the connection the
    request holds dies under it. One 503, one line; nothing else logged while the request's
    connections are closed; the next request after the restart works."""
    from brokerlearn.server import create_app
    app = create_app({"DATABASE_URL": postgres_url, "PUBLIC_URL": "http://localhost"}, build_dir=built_example,
                     instance_path=tmp_path / "instance")
    engine = app.extensions["brokerlearn_engine"]
    try:
        ana = signed_in(app)
        count = {"n": 0}

        def stop_before_second(conn, cursor, statement, parameters, context, executemany):
            count["n"] += 1
            if count["n"] == 2:
                outage_cluster.stop_server()
        event.listen(engine, "before_cursor_execute", stop_before_second)
        caplog.clear()
        with caplog.at_level(logging.DEBUG, logger="sqlalchemy.pool"):
            assert_unavailable_json(ana.client.get("/api/progress/example"))
        event.remove(engine, "before_cursor_execute", stop_before_second)
        records = [r for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(records) == 1 and records[0].exc_info is None, [r.getMessage() for r in records]
        assert re.fullmatch(r"database unavailable: .+ \(GET /api/progress/example\)", records[0].getMessage())
        outage_cluster.start_server()
        assert ana.client.get("/api/progress/example").get_json()["completed_lessons"] == [LESSON]
    finally:
        engine.dispose()


def test_brokerlearn_serve_while_postgres_is_stopped_and_after(built_example, tmp_path, outage_cluster, postgres_url):
    """The real thing: `brokerlearn serve` (waitress) on PostgreSQL; PostgreSQL stopped with
    `pg_ctl -m fast stop` as an admin would, then started again. The server's stderr gets one line
    per failed request."""
    from httpclient import HttpSession
    env = {**os.environ, "DATABASE_URL": postgres_url, "BROKERLEARN_PUBLIC_URL": "http://127.0.0.1"}
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "brokerlearn", "serve", str(built_example), "--port", str(port),
                               "--instance", str(tmp_path / "instance")], env=env, stderr=subprocess.PIPE)
    try:
        wait_up(port, server)
        ana = HttpSession("127.0.0.1", port)
        assert ana.form("/account/register", {"email": "ana@agency.org", "password": PASSWORD})[0] == 302
        ana.refresh_csrf()
        assert ana.post_json("/api/progress", {"events": [completion("evt-before-0001")]})[0] == 200
        outage_cluster.stop_server()
        failed = []
        # Who is signed in comes from the session and each process's cache of session changes
        # (server/services/sessions.py): /api/session still answers while the database is down.
        status, data = ana.request("GET", "/api/session")
        assert status == 200 and json.loads(data)["user"]["email"] == "ana@agency.org"
        assert ana.request("GET", "/account/settings")[0] == 200  # the account's own page, from the session too
        for path in ["/dashboard", "/api/progress/example"]:
            status, data = ana.request("GET", path, headers={"Accept-Language": "de-DE,de;q=0.9"})
            assert status == 503, (path, data[:300])
            failed.append(f"GET {path}")
            if path.startswith("/api/"):
                assert json.loads(data)["error"]["code"] == "unavailable"
            else:
                assert b'<html lang="de"' in data and b"Der Kursserver ist kurz nicht erreichbar" in data
        status, data = ana.post_json("/api/progress", {"events": [completion("evt-during-0001", OTHER_LESSON)]})
        assert status == 503
        failed.append("POST /api/progress")
        response_headers = _headers_of(port, "/dashboard", ana.cookies)
        failed.append("GET /dashboard")
        assert response_headers["retry-after"] == "30"
        outage_cluster.start_server()
        # Back: no restart; the session, the progress from before, and what the page sends again.
        assert json.loads(ana.request("GET", "/api/session")[1])["user"]["email"] == "ana@agency.org"
        assert ana.post_json("/api/progress", {"events": [completion("evt-during-0001", OTHER_LESSON)]})[0] == 200
        progress = json.loads(ana.request("GET", "/api/progress/example")[1])
        assert sorted(progress["completed_lessons"]) == sorted([LESSON, OTHER_LESSON])
    finally:
        if not _running(outage_cluster):
            outage_cluster.start_server()
        server.terminate()
        _, stderr = server.communicate(timeout=20)
    lines = stderr.decode().splitlines()
    outage = [line for line in lines if "database unavailable" in line]
    assert len(outage) == len(failed), lines
    for line, request in zip(outage, failed):
        assert re.search(r"database unavailable: .*(Connection refused|terminating connection|server closed)"
                         rf".* \({re.escape(request)}\)$", line), line
    assert not any("Traceback" in line for line in lines), lines


def _headers_of(port: int, path: str, cookies: dict) -> dict:
    import http.client
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())})
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 503
    return {k.lower(): v for k, v in response.getheaders()}


# --- In Chromium ----------------------------------------------------------------------------

QUIZ_LESSON = "example/working-together/first-meeting/"


@pytest.fixture
def served_on_postgres(built_example, tmp_path, postgres_url, monkeypatch):
    """`brokerlearn serve`'s application under waitress, on the module's PostgreSQL; the pages are
    asked to try again after 2 s rather than 30, so the test need not wait."""
    from brokerlearn.server import create_app, errors
    from serving import running
    monkeypatch.setattr(errors, "RETRY_AFTER", 2)
    app = create_app({"DATABASE_URL": postgres_url}, build_dir=built_example, instance_path=tmp_path / "instance")
    try:
        with running(app, threads=4) as port:
            app.config["PUBLIC_URL"] = f"http://127.0.0.1:{port}"
            yield f"http://127.0.0.1:{port}/"
    finally:
        app.extensions["brokerlearn_engine"].dispose()


@pytest.mark.browser
def test_in_chromium_a_signed_in_learner_keeps_what_she_does_during_an_outage(served_on_postgres, built_example,
                                                                              outage_cluster):
    from browser import browser, chromium_path
    if chromium_path() is None:
        pytest.skip("Debian's chromium is not installed (scripts/setup --test)")
    from pathlib import Path
    artifacts = Path(__file__).resolve().parent / "artifacts"
    artifacts.mkdir(exist_ok=True)
    served = served_on_postgres
    lesson_a, lesson_b = f"example/{LESSON}/", f"example/{OTHER_LESSON}/"
    manifest = json.loads((built_example / "server" / "example.json").read_text())
    q1 = manifest["quizzes"]["m2-assessment"]["questions"][0]
    assert q1["id"] == "q1"
    with browser() as chromium:
        context = chromium.new_context(viewport={"width": 1200, "height": 900})
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        register_in_browser(page, served, "ana@agency.org", "Ana Novak")

        # Two pages open before the outage: a lesson, and a graded quiz with its attempt started.
        page.goto(served + lesson_a)
        page.wait_for_selector(".site-user >> text=Ana Novak")  # the user menu's button
        button = page.locator("[data-lesson-complete] button")
        button.wait_for()
        quiz_page = context.new_page()
        quiz_page.goto(served + QUIZ_LESSON)
        quiz = quiz_page.locator("section.quiz[data-graded]")
        quiz.locator("button[type=submit]:not([disabled])").wait_for()

        outage_cluster.stop_server()
        try:
            # The lesson marked complete: kept in the browser, and the page says so truthfully.
            button.click()
            status = page.locator("[data-lesson-complete] [role=status]")
            status.filter(has_text="Saved in this browser.").wait_for()
            assert status.inner_text() == ("Saved in this browser. The server is briefly unavailable: "
                                           "it will be sent when the server is back.")
            assert "Sign in" not in status.inner_text()
            assert button.get_attribute("aria-pressed") == "true"
            kept = json.loads(page.evaluate("localStorage.getItem('brokerlearn:pending-events')"))
            assert [(e["kind"], e["item"]) for e in kept] == [("lesson_completed", LESSON)]
            # A video's share watched (reported by video.js) is kept too, not dropped.
            page.evaluate("""window.dispatchEvent(new CustomEvent('brokerlearn:video-progress',
                {detail: {course: 'example', video: 'partner-call', share: 0.95, final: false}}))""")
            _wait_until(lambda: any(e["kind"] == "video_progress" and e["item"] == "partner-call" for e in json.loads(
                page.evaluate("localStorage.getItem('brokerlearn:pending-events')"))))

            # The graded quiz submitted now: the answers stay in the form, the page says to try again.
            quiz.locator("fieldset[data-question=q1] input[value=true]").check()
            quiz.locator("button[type=submit]").click()
            result = quiz.locator(".quiz-result")
            result.filter(has_text="Not submitted").wait_for()
            assert result.inner_text() == ("Not submitted: the server is briefly unavailable. "
                                           "Your answers are still here: try again in a moment.")
            assert quiz.locator("fieldset[data-question=q1] input[value=true]").is_checked()
            assert quiz.locator("button[type=submit]").is_enabled()

            # A lesson page opened during the outage: who is signed in is unknown, the message the same.
            other = context.new_page()
            other.goto(served + lesson_b)
            other.locator("[data-lesson-complete] button").click()
            other.locator("[data-lesson-complete] [role=status]").filter(has_text="Saved in this browser.").wait_for()

            # A graded quiz opened during the outage says why it cannot be submitted, and what to do.
            quiz_later = context.new_page()
            quiz_later.goto(served + QUIZ_LESSON)
            note = quiz_later.locator("section.quiz[data-graded] [data-needs-server]")
            note.filter(has_text="briefly unavailable").wait_for()
            assert note.inner_text() == ("The quiz could not be started: the server is briefly unavailable. "
                                         "Reload the page in a moment.")
            assert quiz_later.locator("section.quiz[data-graded] button[type=submit]").is_disabled()
            quiz_later.close()

            # The server's own pages: the 503 page, at a phone's width and a laptop's.
            for width, height in [(390, 844), (1366, 768)]:
                shot = context.new_page()
                shot.set_viewport_size({"width": width, "height": height})
                response = shot.goto(served + "dashboard")
                assert response.status == 503 and response.headers["retry-after"] == "2"
                assert shot.locator("h1").inner_text() == "The course server is briefly unavailable"
                # Styled by the site's sheet: the header's colour band, not the browser's defaults.
                assert shot.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor") \
                    not in ("rgba(0, 0, 0, 0)", "transparent")
                shot.screenshot(path=str(artifacts / f"outage-503-{width}.png"), full_page=True)
                shot.close()
        finally:
            outage_cluster.start_server()

        # Back: both pages send what they kept (after Retry-After), and say so.
        status.filter(has_text="Saved.").wait_for(timeout=30_000)
        other.locator("[data-lesson-complete] [role=status]").filter(has_text="Saved.").wait_for(timeout=30_000)
        assert page.evaluate("localStorage.getItem('brokerlearn:pending-events')") == "[]"
        progress = context.request.get(served + "api/progress/example").json()
        assert sorted(progress["completed_lessons"]) == sorted([LESSON, OTHER_LESSON])
        assert {v["name"]: v["watched"] for v in progress["videos"]}["partner-call"] is True
        # The quiz, sent again from the same page, is marked; the failed submission counted nothing.
        quiz.locator("button[type=submit]").click()
        result.filter(has_text="You scored").wait_for()
        assert "Attempts used: 1 of 3." == quiz.locator("[data-needs-server]").inner_text()
        assert errors == []


def _wait_until(condition, seconds: float = 10.0) -> None:
    """Poll from Python: the server's CSP forbids the eval that page.wait_for_function needs
    when its condition is not true at once."""
    import time
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def _static_site(site, session_status: int):
    """The built site on a plain static server whose /api/session answers `session_status` with an
    HTML page, as a static host (200 or 404) or a proxy whose backend is down (502) would."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Handler(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path.startswith("/api/"):
                body = b"<!doctype html><title>Not here</title>"
                self.send_response(session_status)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            super().do_GET()
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.browser
@pytest.mark.parametrize("session_status, message", [
    (200, "Kept in this browser. Sign in to keep it in your account."),  # a static host's catch-all page
    (404, "Kept in this browser. Sign in to keep it in your account."),  # a static host
    (502, "Saved in this browser. The server is briefly unavailable: it will be sent when the server is back."),
])
def test_in_chromium_a_site_without_a_server_is_told_apart_from_a_server_that_is_down(built_example, session_status,
                                                                                     message):
    from browser import browser, chromium_path
    if chromium_path() is None:
        pytest.skip("Debian's chromium is not installed (scripts/setup --test)")
    server = _static_site(built_example / "site", session_status)
    try:
        with browser() as chromium:
            page = chromium.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/example/{LESSON}/")
            page.locator("[data-lesson-complete] button").click()
            status = page.locator("[data-lesson-complete] [role=status]")
            status.filter(has_text="in this browser").wait_for()
            assert status.inner_text() == message
    finally:
        server.shutdown()
        server.server_close()
