"""The progress API and the dashboard, on SQLite and on PostgreSQL: idempotent events, validation
with 4xx JSON errors, each stale or invalid event of a batch rejected on its own, isolation between
learners, progress surviving a rebuild; and in Chromium, 450 events kept in the browser reaching
the account at sign-in, in batches, except the stale ones, with nothing lost on a server error."""
import json
import shutil

import pytest

from browser import browser, chromium_path
from serving import running
from server_fixtures import PASSWORD

LESSON_A = "finding-partners/cooperation-profiles"
LESSON_B = "finding-partners/assessing-candidates"
LESSON_C = "working-together/first-meeting"


def event(event_id, kind="lesson_completed", item=LESSON_A, **extra):
    return {"event_id": event_id, "course": "example", "kind": kind, "item": item, **extra}


def test_events_are_recorded_once_and_summed_up(learner):
    ana = learner()
    events = [event("evt-view-0001", "lesson_viewed", LESSON_A, value=120, at="2026-01-01T10:00:00Z"),
              event("evt-done-0001", "lesson_completed", LESSON_A),
              event("evt-view-0002", "lesson_viewed", LESSON_B, value=60, at="2026-01-01T11:00:00Z"),
              event("evt-video-001", "video_progress", "partner-call", value=0.95),
              event("evt-pract-001", "practice_answered", "assess-practice/p1", value=1)]
    response = ana.api("post", "/api/progress", {"events": events})
    assert response.status_code == 200 and response.get_json() == {"recorded": 5, "duplicates": 0, "rejected": []}
    replay = ana.api("post", "/api/progress", {"events": events[:2]})
    assert replay.get_json() == {"recorded": 0, "duplicates": 2, "rejected": []}

    progress = ana.api("get", "/api/progress/example").get_json()
    assert progress["completed_lessons"] == [LESSON_A]
    assert progress["lessons"] == 3
    assert progress["seconds_spent"] == 180
    assert progress["resume"]["lesson"] == LESSON_B  # the last lesson viewed
    assert [m["completed"] for m in progress["modules"]] == [1, 0]
    assert progress["quizzes"][0]["quiz"] == "m2-assessment" and progress["quizzes"][0]["attempts"] == 0
    assert progress["videos"] == [{"name": "partner-call", "title": "A first call with a candidate partner",
                                   "share": 0.95, "watched": True}]  # its decision's branch clip is not one to watch


@pytest.mark.parametrize("body, status, message", [
    ("{not json", 400, "not a JSON object"),
    ([1, 2], 400, "not a JSON object"),
    ({"events": "many"}, 422, "non-empty list"),
    ({"events": []}, 422, "non-empty list"),
    ({"events": [event("short")]}, 422, "event_id"),
    ({"events": [event("evt-0000001", kind="lesson_skipped")]}, 422, "'kind'"),
    ({"events": [{**event("evt-0000001"), "course": "other"}]}, 422, "unknown 'course'"),
    ({"events": [event("evt-0000001", item="finding-partners/no-such-lesson")]}, 422, "unknown lesson"),
    ({"events": [event("evt-0000001", item="../../etc/passwd x")]}, 422, "'item'"),
    ({"events": [event("evt-0000001", value="10")]}, 422, "'value' must be a number"),
    ({"events": [event("evt-0000001", value=True)]}, 422, "'value' must be a number"),
    ({"events": [event("evt-0000001", kind="video_progress", item="partner-call", value=3)]}, 422,
     "between 0 and 1"),
    ({"events": [event("evt-0000001", kind="video_progress", item="no-such-video", value=1)]}, 422,
     "unknown video"),
    ({"events": [event("evt-0000001", at="yesterday")]}, 422, "ISO 8601"),
    ({"events": [event("evt-0000001", at="2999-01-01T00:00:00Z")]}, 422, "in the future"),
    ({"events": [{**event("evt-0000001"), "user_id": 2}]}, 422, "unknown field 'user_id'"),
    ({"events": [event(f"evt-many-{i:04}") for i in range(201)]}, 413, "at most 200"),
])
def test_bad_input_gets_a_4xx_json_error(learner, body, status, message):
    ana = learner()
    data = body if isinstance(body, str) else json.dumps(body)
    response = ana.client.post("/api/progress", data=data, content_type="application/json",
                               headers={"X-CSRFToken": ana.csrf()})
    assert response.status_code == status, response.get_data(as_text=True)
    assert message in response.get_json()["error"]["message"]


def test_wrong_content_type_and_oversized_body(learner):
    ana = learner()
    token = ana.csrf()
    response = ana.client.post("/api/progress", data="events=1", headers={"X-CSRFToken": token})
    assert response.status_code == 415 and response.is_json
    huge = json.dumps({"events": [event("evt-0000001", item="x" * 300_000)]})
    response = ana.client.post("/api/progress", data=huge, content_type="application/json",
                               headers={"X-CSRFToken": token})
    assert response.status_code == 413 and response.is_json


def test_signed_out_and_unknown_course(visitor, learner):
    stranger = visitor()
    response = stranger.api("post", "/api/progress", {"events": [event("evt-0000001")]})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
    assert stranger.api("get", "/api/progress/example").status_code == 401
    assert learner().api("get", "/api/progress/nope").status_code == 404


def test_one_learner_never_sees_or_changes_anothers_progress(learner):
    ana, bo = learner("ana@agency.org"), learner("bo@agency.org")
    ana.api("post", "/api/progress", {"events": [event("evt-shared-id", item=LESSON_A)]})
    # The same event ID from another learner is their own event, not a duplicate of Ana's.
    response = bo.api("post", "/api/progress", {"events": [event("evt-shared-id", item=LESSON_C)]})
    assert response.get_json() == {"recorded": 1, "duplicates": 0, "rejected": []}
    assert ana.api("get", "/api/progress/example").get_json()["completed_lessons"] == [LESSON_A]
    assert bo.api("get", "/api/progress/example").get_json()["completed_lessons"] == [LESSON_C]
    assert "bo@agency.org" not in ana.client.get("/dashboard").get_data(as_text=True)


def test_dashboard_shows_modules_quizzes_and_time(learner):
    ana = learner()
    ana.api("post", "/api/progress", {"events": [event("evt-done-0001"),
                                                 event("evt-view-0001", "lesson_viewed", value=3900)]})
    html = ana.client.get("/dashboard").get_data(as_text=True)
    assert "1 of 3 lessons completed" in html
    assert "time spent 1 h 5 min" in html
    assert "1 of 2" in html  # the first module
    assert "Continue:" in html
    assert "not started · 3 attempts" in html  # the graded quiz, not taken yet


def test_progress_survives_a_rebuild_that_removes_a_lesson(app, learner, built_example, tmp_path):
    """Progress is keyed by stable IDs: a lesson that goes away stays in the history."""
    ana = learner()
    ana.api("post", "/api/progress", {"events": [event("evt-done-0001", item=LESSON_A),
                                                 event("evt-done-0002", item=LESSON_C)]})
    server_dir = tmp_path / "server"
    shutil.copytree(built_example / "server", server_dir)
    manifest = json.loads((server_dir / "example.json").read_text())
    manifest["modules"][0]["lessons"] = manifest["modules"][0]["lessons"][1:]  # cooperation-profiles removed
    (server_dir / "example.json").write_text(json.dumps(manifest))
    from brokerlearn.server.courses import CourseCatalog
    app.extensions["brokerlearn_courses"] = CourseCatalog(server_dir)
    progress = ana.api("get", "/api/progress/example").get_json()
    assert progress["completed_lessons"] == [LESSON_C]
    assert progress["removed_items_completed"] == [LESSON_A]
    app.extensions["brokerlearn_courses"] = CourseCatalog(built_example / "server")
    assert ana.api("get", "/api/progress/example").get_json()["completed_lessons"] == [LESSON_A, LESSON_C]


def _catalog_without(app, built_example, tmp_path, removed: str):
    """The server's catalog after a rebuild that removed the lesson `removed` ('module/lesson')."""
    from brokerlearn.server.courses import CourseCatalog
    server_dir = tmp_path / "server-rebuilt"
    shutil.copytree(built_example / "server", server_dir)
    manifest = json.loads((server_dir / "example.json").read_text())
    module, lesson = removed.split("/")
    for m in manifest["modules"]:
        if m["slug"] == module:
            m["lessons"] = [entry for entry in m["lessons"] if entry["slug"] != lesson]
    (server_dir / "example.json").write_text(json.dumps(manifest))
    app.extensions["brokerlearn_courses"] = CourseCatalog(server_dir)


def test_a_stale_or_invalid_event_is_rejected_on_its_own(app, learner, built_example, tmp_path):
    ana = learner()
    _catalog_without(app, built_example, tmp_path, LESSON_A)
    events = [event("evt-stale-001", item=LESSON_A), event("evt-good-0001", item=LESSON_B),
              event("short"), event("evt-video-01", "video_progress", "gone-video", value=1),
              {**event("evt-course-01"), "course": "removed-course"}, event("evt-good-0002", item=LESSON_C),
              "not an event"]
    response = ana.api("post", "/api/progress", {"events": events})
    assert response.status_code == 200
    answer = response.get_json()
    assert (answer["recorded"], answer["duplicates"]) == (2, 0)
    assert [(r["index"], r["event_id"], r["code"]) for r in answer["rejected"]] == [
        (0, "evt-stale-001", "stale"), (2, "short", "invalid"), (3, "evt-video-01", "stale"),
        (4, "evt-course-01", "stale"), (6, None, "invalid")]
    assert "unknown lesson 'finding-partners/cooperation-profiles'" in answer["rejected"][0]["message"]
    assert ana.api("get", "/api/progress/example").get_json()["completed_lessons"] == [LESSON_B, LESSON_C]
    # A batch of which nothing can be recorded is a 422, with the same per-event report.
    response = ana.api("post", "/api/progress", {"events": events[:1]})
    assert response.status_code == 422
    assert response.get_json()["rejected"][0]["code"] == "stale"
    assert "unknown lesson" in response.get_json()["error"]["message"]


def test_450_offline_events_arrive_in_batches_except_the_stale(app, learner, built_example, tmp_path):
    ana = learner()
    _catalog_without(app, built_example, tmp_path, LESSON_A)
    events = [event(f"evt-off-{i:04}", "lesson_viewed", LESSON_A if i % 45 == 0 else LESSON_B, value=10)
              for i in range(450)]
    stale = {e["event_id"] for e in events if e["item"] == LESSON_A}
    recorded, reported = 0, []
    for start in range(0, len(events), 200):
        answer = ana.api("post", "/api/progress", {"events": events[start:start + 200]}).get_json()
        recorded += answer["recorded"]
        reported += [r["event_id"] for r in answer["rejected"]]
    assert len(stale) == 10 and recorded == 440 and set(reported) == stale
    assert ana.api("get", "/api/progress/example").get_json()["seconds_spent"] == 4400


@pytest.fixture
def served_rebuilt(built_example, tmp_path):
    """`brokerlearn serve` under waitress, after a rebuild that removed LESSON_A."""
    from brokerlearn.server import create_app
    from brokerlearn.server.db import upgrade
    build_dir = tmp_path / "build"
    shutil.copytree(built_example, build_dir)
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url}, build_dir=build_dir, instance_path=tmp_path / "instance")
    _catalog_without(app, built_example, tmp_path, LESSON_A)
    with running(app, threads=4) as port:
        yield app, f"http://127.0.0.1:{port}/"


def _stored_events(app) -> list:
    from sqlalchemy import select
    from brokerlearn.server.models import ProgressEvent
    sessions = app.extensions["brokerlearn_sessions"]
    with app.app_context(), sessions() as db:
        return list(db.scalars(select(ProgressEvent.event_id)))


@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
def test_events_kept_in_the_browser_reach_the_account_at_sign_in(served_rebuilt):
    app, base = served_rebuilt
    lesson_page = base + "example/finding-partners/assessing-candidates/"
    offline = [event(f"evt-off-{i:04}", "lesson_viewed", LESSON_A if i % 45 == 0 else LESSON_B, value=10,
                     at="2026-11-01T10:00:00Z") for i in range(448)]
    offline += [event("evt-off-done-b", item=LESSON_B), event("evt-off-done-a", item=LESSON_A)]  # A: stale
    with browser() as chromium:
        page = chromium.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(lesson_page)
        page.wait_for_selector(".site-user >> text=Sign in")
        page.evaluate("events => localStorage.setItem('brokerlearn:pending-events', JSON.stringify(events))", offline)
        page.goto(base + "account/register")
        page.fill("#email", "ana@agency.org")
        page.fill("#password", PASSWORD)
        page.click("form.account-form button[type=submit]")
        page.wait_for_url("**/dashboard")
        # The second batch meets a server error: it and the rest stay in the browser.
        calls = []

        def flaky(route):
            if not route.request.post_data_json["events"][0]["event_id"].startswith("evt-off-"):
                return route.continue_()  # the page's own events (this lesson viewed)
            calls.append(route.request.post_data_json["events"][0]["event_id"])
            if len(calls) == 2:
                route.fulfill(status=503, content_type="application/json", body='{"error": {"message": "busy"}}')
            else:
                route.continue_()
        page.route("**/api/progress", flaky)
        reported = []

        def answered(response):
            if response.url.endswith("/api/progress") and response.status in (200, 422):
                reported.extend(r["event_id"] for r in response.json().get("rejected", []))
        page.on("response", answered)
        page.goto(lesson_page)
        page.wait_for_selector("[data-lesson-complete] button[aria-pressed=false]")  # the page goes on
        left = page.evaluate("JSON.parse(localStorage.getItem('brokerlearn:pending-events'))")
        assert len(calls) == 2 and len(left) == 250 and left[0]["event_id"] == "evt-off-0200"
        assert len([i for i in _stored_events(app) if i.startswith("evt-off-")]) == 200 - 5  # batch 1 but its 5 stale
        # The next page drains the rest, in batches, until nothing is left.
        page.unroute("**/api/progress")
        page.goto(lesson_page)
        page.wait_for_selector("[data-lesson-complete] button[aria-pressed=true]")  # merged, then shown
        assert page.evaluate("JSON.parse(localStorage.getItem('brokerlearn:pending-events'))") == []
        stored = set(_stored_events(app))
    stale = {e["event_id"] for e in offline if e["item"] == LESSON_A}
    assert len(stale) == 11
    assert {e["event_id"] for e in offline} - stored == stale  # all arrived but the stale
    assert sorted(reported) == sorted(stale)  # each reported to the page, once
    assert errors == []
