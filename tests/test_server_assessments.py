"""The assessments' status (GET /api/assessments/<course>) and the dashboard's graded quizzes and
outcomes, on SQLite and on PostgreSQL: the status through attempts (not started, attempts left,
no attempts left, passed), only the signed-in learner's own, never a key; 401 when signed out."""
import json
import re

from test_server_attempts import QUIZ, _answers, _attempt, _manifest

API = "/api/assessments/example"


def _status(who) -> dict:
    response = who.api("get", API)
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["course"] == "example" and [a["quiz"] for a in body["assessments"]] == ["m2-assessment"]
    return body["assessments"][0]


def test_status_goes_from_not_started_through_attempts_left_to_passed(learner, built_example):
    ana = learner()
    first = _status(ana)
    assert first == {"quiz": "m2-assessment", "title": "Module 2 assessment", "module": "working-together",
                     "url": "example/working-together/first-meeting/index.html#qz0-m2-assessment",
                     "status": "not_started", "attempts_used": 0, "max_attempts": 3, "attempts_left": 3,
                     "best_score": None, "max_score": 7.0, "pass_mark": 0.7, "passed": False}
    manifest = _manifest(built_example)
    ana.api("post", f"{QUIZ}/attempts")  # an attempt started but not submitted counts for nothing
    assert _status(ana)["status"] == "not_started"
    _attempt(ana, {"q1": True})
    second = _status(ana)
    assert (second["status"], second["attempts_used"], second["attempts_left"], second["best_score"]) == \
        ("in_progress", 1, 2, 1.0)
    _attempt(ana, _answers(manifest))
    third = _status(ana)
    assert (third["status"], third["attempts_left"], third["best_score"], third["passed"]) == ("passed", 1, 7.0, True)


def test_status_with_every_attempt_used_and_none_passed(learner, built_example):
    ana = learner()
    wrong = _answers(_manifest(built_example), right=False)
    for _ in range(3):
        _attempt(ana, wrong)
    status = _status(ana)
    assert (status["status"], status["attempts_left"], status["passed"]) == ("no_attempts_left", 0, False)
    assert 0 < status["best_score"] < 7


def test_a_learner_sees_only_their_own_status_and_no_key(learner, built_example):
    manifest = _manifest(built_example)
    ana, bo = learner("ana@agency.org"), learner("bo@agency.org")
    _attempt(ana, _answers(manifest))
    assert _status(ana)["status"] == "passed"
    assert _status(bo)["status"] == "not_started" and _status(bo)["best_score"] is None
    text = bo.api("get", API).get_data(as_text=True)
    assert "ana@agency.org" not in text
    questions = manifest["quizzes"]["m2-assessment"]["questions"]
    secrets = {o["id"] for q in questions for o in q.get("options", [])} | {"correct", "explanation", "answer"}
    assert not any(secret in text for secret in secrets), text
    # The dashboard shows each learner theirs, as links to the quiz in its lesson.
    ana_page = ana.client.get("/dashboard").get_data(as_text=True)
    assert re.search(r'<a href="/example/working-together/first-meeting/index.html#qz0-m2-assessment">'
                     r'Module 2 assessment</a> — <span class="assessment-status">passed · best score 7 of 7', ana_page)
    bo_page = bo.client.get("/dashboard").get_data(as_text=True)
    assert "not started · 3 attempts · pass mark 70%" in bo_page and "passed ·" not in bo_page


def test_signed_out_is_401_and_an_unknown_course_404(visitor, learner):
    response = visitor().api("get", API)
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"
    assert learner().api("get", "/api/assessments/nope").status_code == 404


def test_the_status_call_is_in_the_openapi_document(visitor):
    spec = visitor().client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/assessments/{course_id}"]["get"]
    assert "401" in operation["responses"]
    schema = spec["components"]["schemas"]["AssessmentStatus"]
    assert set(schema["properties"]["status"]["enum"]) == {"not_started", "in_progress", "passed", "no_attempts_left"}
    assert set(schema["required"]) >= {"quiz", "status", "attempts_used", "best_score", "max_score"}


def test_the_dashboard_lists_each_outcome_once_by_unit(learner, built_example):
    ana = learner()
    page = ana.client.get("/dashboard").get_data(as_text=True)
    profile = json.loads((built_example / "server" / "example.json").read_text())["profile"]
    outcomes = [o for unit in profile["units"] for o in unit["outcomes"]]
    statements = json.loads((built_example / "server" / "example.json").read_text())["outcomes"]
    for oid in outcomes:
        assert page.count(statements[oid]["statement"]) == 1, oid  # once, not in a table and again in a list
    for unit in profile["units"]:
        assert f'<span class="outcome-id">{unit["id"]}</span> {unit["title"]}' in page
    assert f"{len(outcomes)} outcomes not yet reached" in page
