"""Assessed work counted into the qualification (issue 18, item 7): released results in the
per-outcome scores with the profile's weight, the certificate rule's `assignments`, its file:line
errors, and the Open Badges 3.0 credential's results, result descriptions, alignments and
evidence, checked against the official schema and an independent verifier; on SQLite and
PostgreSQL (the `app` fixture)."""
from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from brokerlearn.server.credentials.keys import create_key
from test_certificates import (CREDENTIAL_SCHEMA, PUBLIC, answers, complete_lessons, decode_part, manifest,
                               ob3_verify, take_quiz, validate)

ASSIGNMENT = "meeting-plan"
SECRET_TEXT = "Dear Ms Berg, my private agenda text that must never leave the server"


def ids(app, email):
    from brokerlearn.server import db
    from brokerlearn.server.services.accounts import find_user
    with app.app_context():
        return find_user(db.session(), email).id


def submit_row(app, user_id, attempt=1, status="submitted", days_ago=0.0):
    """A submission as services/submissions.py stores it (the contract of FLOW18.md)."""
    from brokerlearn.server import db
    from brokerlearn.server.models import Submission, utcnow
    with app.app_context():
        session = db.session()
        when = utcnow() - timedelta(days=days_ago)
        row = Submission(user_id=user_id, course_id="example", assignment_id=ASSIGNMENT, attempt=attempt,
                         status=status, text=SECRET_TEXT, rubric_version="v1", created_at=when, updated_at=when,
                         submitted_at=when if status == "submitted" else None)
        session.add(row)
        session.commit()
        return row.id


def result_row(app, submission_id, user_id, agenda="partial", checks=1, released=True, passed=None):
    """The grade of record as the grading engineer writes it: per criterion score, max, outcomes."""
    from brokerlearn.server import db
    from brokerlearn.server.models import AssignmentResult, utcnow
    points = {"missing": 0, "partial": 1, "meets": 2}[agenda]
    criteria = [{"id": "agenda", "title": "A short agenda", "outcomes": ["U2.O1"], "level": agenda,
                 "score": points, "max": 2, "comment": "see the times", "source": "trainer"},
                {"id": "next-step", "title": "A concrete next step", "outcomes": ["U2.O1"], "checks": checks,
                 "score": checks, "max": 2, "comment": "", "source": "trainer"},
                {"id": "tone", "title": "What would you tell the author?", "outcomes": [], "score": 0, "max": 0,
                 "comment": "friendly", "source": "trainer"}]
    score = points + checks
    with app.app_context():
        session = db.session()
        row = AssignmentResult(submission_id=submission_id, user_id=user_id, course_id="example",
                               assignment_id=ASSIGNMENT, rubric_version="v1", criteria=criteria, score=score,
                               max_score=4, passed=score / 4 >= 0.6 if passed is None else passed,
                               method="The trainer's grade per criterion.", feedback="Good start.",
                               released_at=utcnow() if released else None)
        session.add(row)
        session.commit()
        return row.id


def release(app, result_id):
    from brokerlearn.server import db
    from brokerlearn.server.models import AssignmentResult, utcnow
    with app.app_context():
        session = db.session()
        session.get(AssignmentResult, result_id).released_at = utcnow()
        session.commit()


def with_requires(app, built_example, tmp_path, **requires):
    """Serve the example with a changed certificate rule (as a rebuild would)."""
    from brokerlearn.server.courses import CourseCatalog
    server_dir = tmp_path / "server-counting"
    shutil.copytree(built_example / "server", server_dir, dirs_exist_ok=True)
    data = manifest(built_example)
    data["profile"]["certificate"]["requires"].update(requires)
    (server_dir / "example.json").write_text(json.dumps(data))
    app.extensions["brokerlearn_courses"] = CourseCatalog(server_dir)


def quiz_only(app, user_id):
    from brokerlearn.server import db
    from brokerlearn.server.courses import catalog
    from brokerlearn.server.services.attempts import outcome_scores
    with app.test_request_context():
        return outcome_scores(db.session(), user_id, catalog().get("example"))


def standing(app, user_id):
    from brokerlearn.server import db
    from brokerlearn.server.courses import catalog
    from brokerlearn.server.services.certificates import eligibility
    with app.test_request_context():
        return eligibility(db.session(), user_id, catalog().get("example"))


def test_released_results_count_toward_outcomes_with_the_profiles_weight(app, learner, built_example, tmp_path):
    ana = learner("ana@agency.org")
    uid = ids(app, "ana@agency.org")
    take_quiz(ana, answers(built_example, wrong=("q1", "q3")))
    quiz = quiz_only(app, uid)
    q = quiz["U2.O1"]
    assert 0 < q < 1
    submission = submit_row(app, uid)
    unreleased = result_row(app, submission, uid, agenda="meets", checks=2, released=False)
    # Graded but not released: nothing counts yet, the outcome is scored by its quizzes alone.
    assert ana.api("get", "/api/progress/example").get_json()["outcomes"]["U2.O1"] == pytest.approx(q)
    assert standing(app, uid)["outcomes"][2]["assessed"] is None
    release(app, unreleased)
    progress = ana.api("get", "/api/progress/example").get_json()["outcomes"]
    assert progress["U2.O1"] == pytest.approx(0.5 * q + 0.5 * 1.0)  # the format's default weight, 0.5
    assert progress["U1.O1"] == pytest.approx(quiz["U1.O1"])  # no criterion assesses it: unchanged
    # The weight stated in the profile decides the mix.
    with_requires(app, built_example, tmp_path, assessed_weight=0.25)
    figure = next(o for o in standing(app, uid)["outcomes"] if o["id"] == "U2.O1")
    assert figure["score"] == pytest.approx(0.75 * q + 0.25 * 1.0)
    assert (figure["quiz"], figure["assessed"]) == (pytest.approx(q), 1.0)
    # The dashboard shows both parts next to the score.
    page = ana.client.get("/dashboard").get_data(as_text=True)
    assert f"{round(0.75 * q * 100 + 25)}%: " in page
    assert f"quizzes {round(q * 100)}%, assessed work 100%" in page


def test_the_best_released_attempt_counts_and_an_outcome_only_assessed_by_work(app, learner, built_example, tmp_path):
    learner("ana@agency.org")
    uid = ids(app, "ana@agency.org")
    first = submit_row(app, uid, attempt=1, days_ago=3)
    result_row(app, first, uid, agenda="meets", checks=2)  # 4 of 4
    second = submit_row(app, uid, attempt=2)
    result_row(app, second, uid, agenda="missing", checks=0)  # 0 of 4, a worse resubmission
    figure = next(o for o in standing(app, uid)["outcomes"] if o["id"] == "U2.O1")
    assert figure["quiz"] == 0.0 and figure["assessed"] == 1.0  # no quiz taken: 0 of its quiz points
    assert figure["score"] == pytest.approx(0.5)
    # With weight 1 only the assessed work counts.
    with_requires(app, built_example, tmp_path, assessed_weight=1)
    assert next(o for o in standing(app, uid)["outcomes"] if o["id"] == "U2.O1")["score"] == 1.0


def test_the_certificate_rule_can_require_assessed_work(app, learner, built_example, tmp_path):
    create_key(Path(app.instance_path))
    app.config.update(PUBLIC_URL=PUBLIC)
    with_requires(app, built_example, tmp_path, assignments="all")
    ana = learner("ana@agency.org")
    uid = ids(app, "ana@agency.org")
    complete_lessons(ana)
    take_quiz(ana, answers(built_example))
    title = "Plan your first meeting with a new contact"

    def state():
        got = standing(app, uid)
        return got["eligible"], [(a["id"], a["status"]) for a in got["assignments"]], got["missing"]

    eligible, rows, missing = state()
    assert not eligible and rows == [(ASSIGNMENT, "not_started")]
    assert missing == [f"Assignment “{title}”: not started yet."]
    page = ana.client.get("/dashboard").get_data(as_text=True)
    assert "Assessed work the certificate requires" in page and "1 required assignment not yet passed" in page
    refused = ana.form("/certificates/claim/example", {"name": "Ana"}, page="/dashboard")
    assert refused.status_code == 403
    first = submit_row(app, uid, days_ago=2)
    assert state()[1] == [(ASSIGNMENT, "waiting")]
    failed = result_row(app, first, uid, agenda="missing", checks=1, released=False)
    assert state()[1] == [(ASSIGNMENT, "waiting")]  # graded, not released: the learner is not told yet
    release(app, failed)
    eligible, rows, missing = state()
    assert not eligible and rows == [(ASSIGNMENT, "not_passed")]
    assert any("below the pass mark: a new attempt is needed" in line for line in missing)
    second = submit_row(app, uid, attempt=2)
    result_row(app, second, uid, agenda="meets", checks=1)  # 3 of 4, passed, released
    eligible, rows, missing = state()
    assert eligible and rows == [(ASSIGNMENT, "passed")] and missing == []
    assert "You have reached everything the certificate requires" in ana.client.get("/dashboard").get_data(as_text=True)
    # A list of IDs works the same way; an ID the course lacks is refused by the build (below).
    with_requires(app, built_example, tmp_path, assignments=[ASSIGNMENT])
    assert state()[0]


def test_the_credential_says_per_outcome_what_was_evidenced_and_how(app, learner, visitor, built_example, tmp_path):
    create_key(Path(app.instance_path))
    app.config.update(PUBLIC_URL=PUBLIC, ISSUER_NAME="Agentur Nord")
    with_requires(app, built_example, tmp_path, assignments="all")
    ana = learner("ana@agency.org")
    uid = ids(app, "ana@agency.org")
    complete_lessons(ana)
    take_quiz(ana, answers(built_example))
    unreleased_sub = submit_row(app, uid, attempt=1, days_ago=1)
    result_row(app, unreleased_sub, uid, agenda="missing", checks=0, released=False, passed=False)
    counted = submit_row(app, uid, attempt=2)
    result_row(app, counted, uid, agenda="partial", checks=2)  # 3 of 4
    claimed = ana.form("/certificates/claim/example", {"name": "Ana Berg"}, page="/dashboard")
    assert claimed.status_code == 302, claimed.get_data(as_text=True)
    certificate_id = claimed.headers["Location"].rsplit("/", 1)[1]
    token = ana.client.get(f"/certificates/{certificate_id}/credential.jwt").get_data(as_text=True)
    credential = decode_part(token.split(".")[1])
    validate(CREDENTIAL_SCHEMA, credential)  # the official OB 3.0 JSON schema
    ob3_verify(visitor(), token, check_status=True)  # and an independent verifier (openbadgeslib)
    achievement = credential["credentialSubject"]["achievement"]
    descriptions = {d["id"]: d for d in achievement["resultDescription"]}
    base = achievement["id"]
    agenda = descriptions[f"{base}#assignment-{ASSIGNMENT}-agenda"]
    assert agenda["resultType"] == "RubricCriterionLevel"
    assert [(l["name"], l["points"]) for l in agenda["rubricCriterionLevel"]] == [
        ("Not yet", "0"), ("On the way", "1"), ("Meets the standard", "2")]
    assert agenda["requiredLevel"] == f"{base}#assignment-{ASSIGNMENT}-agenda-meets"
    assert [a["targetCode"] for a in agenda["alignment"]] == ["U2.O1"]
    checklist = descriptions[f"{base}#assignment-{ASSIGNMENT}-next-step"]
    assert (checklist["resultType"], checklist["valueMax"]) == ("RawScore", "2")
    assert f"{base}#assignment-{ASSIGNMENT}-tone" not in descriptions  # comment-only: no result
    results = credential["credentialSubject"]["result"]
    for result in results:  # every result points at a description of the achievement (OB 3.0 §B.1.17)
        assert result["resultDescription"] in descriptions
        if "achievedLevel" in result:
            levels = descriptions[result["resultDescription"]]["rubricCriterionLevel"]
            assert result["achievedLevel"] in [l["id"] for l in levels]
    by_description = {r["resultDescription"]: r for r in results}
    assert by_description[agenda["id"]]["achievedLevel"] == f"{base}#assignment-{ASSIGNMENT}-agenda-partial"
    assert by_description[checklist["id"]]["value"] == "2"
    assert by_description[f"{base}#assignment-{ASSIGNMENT}"]["value"] == "3"
    outcome = by_description[f"{base}#outcome-U2.O1"]
    quiz = quiz_only(app, uid)["U2.O1"]
    assert float(outcome["value"]) == pytest.approx(round((0.5 * quiz + 0.5 * 0.75) * 100, 1))  # weight 0.5
    assert descriptions[outcome["resultDescription"]]["alignment"][0]["targetCode"] == "U2.O1"
    # Evidence: the released result only (not the unreleased first attempt), and no learner text.
    assert [e["name"] for e in credential["evidence"]] == ["Plan your first meeting with a new contact"]
    evidence = credential["evidence"][0]
    assert "3 of 4 points, passed" in evidence["description"] and "Graded by a trainer" in evidence["description"]
    assert "A short agenda: “On the way”, 1 of 2 points" in evidence["narrative"]
    text = json.dumps(credential)
    assert SECRET_TEXT not in text and "see the times" not in text and "Good start" not in text


def test_a_course_without_assignments_has_no_assessed_parts():
    from brokerlearn.server.credentials import badge
    plain = badge.build_credential(certificate_id="00000000-0000-4000-8000-000000000000", base_url=PUBLIC,
                                   issuer_name="x", holder_name="y",
                                   achievement={"id": f"{PUBLIC}/a/", "title": "t", "description": "d",
                                                "criteria": "c", "level": None, "framework": "f"},
                                   outcomes=[], issued_at=__import__("datetime").datetime(2026, 1, 1),
                                   valid_until=None, status_index=1)
    assert "evidence" not in plain and "result" not in plain["credentialSubject"]
    assert "resultDescription" not in plain["credentialSubject"]["achievement"]


# -- the format: file:line errors ----------------------------------------------------------------

def _load(root):
    from brokerlearn.course.loader import load_course
    from brokerlearn.errors import Diagnostics
    diags = Diagnostics()
    course = load_course(root, diags)
    return course, [f"{Path(d.path).name}:{d.line}:{d.col}: {d.message}" for d in diags.errors]


def _rule(example_course, text: str) -> None:
    profile = example_course / "profile.yml"
    source = profile.read_text()
    profile.write_text(source.replace("    lessons_completed: 0.9", "    lessons_completed: 0.9\n" + text))


def test_an_unknown_assignment_in_the_rule_is_an_error_at_its_line(example_course):
    _rule(example_course, "    assignments: [meeting-plan, meeting-plam, essay]\n")
    _, errors = _load(example_course)
    line = next(i for i, l in enumerate((example_course / "profile.yml").read_text().splitlines(), 1)
                if "assignments:" in l)
    assert errors == [
        f"profile.yml:{line}:33: the certificate requires an unknown assignment 'meeting-plam' "
        "(did you mean 'meeting-plan'?)",
        f"profile.yml:{line}:47: the certificate requires an unknown assignment 'essay' "
        "(the course's assignments: meeting-plan)"]


@pytest.mark.parametrize("text, message", [
    ("    assessed_weight: 1.5\n", "'assessed_weight'"),
    ("    assignments: some\n", "'assignments'"),
])
def test_the_new_keys_are_validated(example_course, text, message):
    _rule(example_course, text)
    _, errors = _load(example_course)
    assert len(errors) == 1 and message in errors[0] and errors[0].startswith("profile.yml:")


def test_the_rule_in_words_states_the_weight_and_the_assignments(example_course):
    from brokerlearn.course.profile import certificate_rule, rule_in_words
    _rule(example_course, "    assignments: all\n    assessed_weight: 0.4\n")
    course, errors = _load(example_course)
    assert errors == []
    rule = certificate_rule(course.profile)
    assert rule["requires"]["assignments"] == "all" and rule["requires"]["assessed_weight"] == 0.4
    words = rule_in_words(rule["requires"], 3, assessed=True)
    assert "60% from its quiz points and 40% from the assignments' rubric points" in words[1]
    assert words[2] == "Every assignment passed, its result released by a trainer."
