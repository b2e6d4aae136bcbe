"""The progress API and the dashboard, on SQLite and on PostgreSQL: idempotent events, validation
with 4xx JSON errors, isolation between learners, progress surviving a rebuild."""
import json
import shutil

import pytest

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
    assert response.status_code == 200 and response.get_json() == {"recorded": 5, "duplicates": 0}
    replay = ana.api("post", "/api/progress", {"events": events[:2]})
    assert replay.get_json() == {"recorded": 0, "duplicates": 2}

    progress = ana.api("get", "/api/progress/example").get_json()
    assert progress["completed_lessons"] == [LESSON_A]
    assert progress["lessons"] == 3
    assert progress["seconds_spent"] == 180
    assert progress["resume"]["lesson"] == LESSON_B  # the last lesson viewed
    assert [m["completed"] for m in progress["modules"]] == [1, 0]
    assert progress["quizzes"][0]["quiz"] == "m2-assessment" and progress["quizzes"][0]["attempts"] == 0
    assert progress["videos"] == [{"name": "partner-call", "title": "A first call with a candidate partner "
                                   "(test pattern)", "share": 0.95, "watched": True}]


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
    assert response.get_json() == {"recorded": 1, "duplicates": 0}
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
    assert "not taken" in html


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
