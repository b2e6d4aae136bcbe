"""Reports of assessed work (issue 18, item 7): submissions by status, overdue reviews, scores per
criterion, peers against the trainer, each reviewer's bias; the CSV and xAPI exports with
criterion-level results (checked by the independent xapi-validation); and the retention period
(`brokerlearn assignments purge`, item 8). On SQLite and PostgreSQL (the `app` fixture)."""
from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from brokerlearn.cli import main
from test_assignment_counting import ASSIGNMENT, SECRET_TEXT, ids, result_row, submit_row

REPO = Path(__file__).resolve().parents[1]
PUBLIC = "https://learn.example.org"


def peer_review(app, submission_id, reviewer_id, agenda, checks, status="done", set_aside=None, days_ago=0.0):
    from brokerlearn.server import db
    from brokerlearn.server.models import Review, utcnow
    with app.app_context():
        session = db.session()
        when = utcnow() - timedelta(days=days_ago)
        session.add(Review(submission_id=submission_id, course_id="example", assignment_id=ASSIGNMENT,
                           reviewer_id=reviewer_id, kind="peer", status=status, started_at=when,
                           finished_at=when if status == "done" else None,
                           ratings={"agenda": {"level": agenda}, "next-step": {"checks": list(range(checks))}},
                           comment="peer words", set_aside_reason=set_aside))
        session.commit()


def cohort(app, learner):
    """Three learners: ana and bo submitted 9 days ago and reviewed each other, cy 8 days ago
    and reviewed nothing (the example's reviews are due 5 days after one's own submission); a
    trainer graded and released ana's and bo's work, cy's waits in the queue past its date."""
    from brokerlearn.server import db
    from brokerlearn.server.models import Submission, utcnow
    from brokerlearn.server.services.trainer_queue import enqueue
    for email in ("ana@agency.org", "bo@agency.org", "cy@agency.org", "dee@agency.org"):
        learner(email)
    ana, bo, cy, dee = (ids(app, f"{n}@agency.org") for n in ("ana", "bo", "cy", "dee"))
    a = submit_row(app, ana, days_ago=9)
    b = submit_row(app, bo, days_ago=9)
    c = submit_row(app, cy, days_ago=8)
    submit_row(app, dee, status="draft")
    result_row(app, a, ana, agenda="partial", checks=1)  # trainer: partial, 1 of 2
    result_row(app, b, bo, agenda="meets", checks=2)  # trainer: meets, 2 of 2
    peer_review(app, a, bo, agenda="meets", checks=2)  # bo is generous: +1 level, +1 check on ana's
    peer_review(app, b, ana, agenda="missing", checks=2)  # ana is harsh on agenda: two levels below
    peer_review(app, b, cy, agenda="meets", checks=2, set_aside="copied the brief")  # left out
    with app.app_context():
        session = db.session()
        enqueue(session, session.get(Submission, c), "trainer", due_at=utcnow() - timedelta(days=1))
        session.commit()
    return {"ana": ana, "bo": bo, "cy": cy, "dee": dee, "submissions": (a, b, c)}


def report(app, scope=None):
    from brokerlearn.server import db
    from brokerlearn.server.courses import catalog
    from brokerlearn.server.services.assessed_reports import report as make
    with app.test_request_context():
        return make(db.session(), catalog().get("example"), scope)[0]


def test_the_report_counts_statuses_overdue_reviews_scores_agreement_and_bias(app, learner):
    people = cohort(app, learner)
    got = report(app)
    assert got["statuses"] == {"draft": 1, "submitted": 1, "graded": 0, "released": 2}
    overdue = got["overdue"]
    assert [(p["email"], p["done"], p["needed"]) for p in overdue["peer"]] == [
        ("ana@agency.org", 1, 2), ("bo@agency.org", 1, 2), ("cy@agency.org", 1, 2)]
    assert overdue["trainer"] == 1
    agenda, checklist = got["criteria"]
    assert [(b["label"], b["count"]) for b in agenda["bins"]] == [("Not yet", 0), ("On the way", 1),
                                                                   ("Meets the standard", 1)]
    assert agenda["mean"] == 0.75 and checklist["mean"] == 0.75
    assert [(b["label"], b["count"]) for b in checklist["bins"]] == [("1", 1), ("2", 1)]
    agreement = {c["id"]: c for c in got["agreement"]["criteria"]}
    # agenda: bo's "meets" vs "partial" is within one level (agrees); ana's "missing" vs "meets" is not.
    assert (agreement["agenda"]["pairs"], agreement["agenda"]["agreed"]) == (2, 0.5)
    # checklist: bo's 2 vs 1 is half the points apart (disagrees); ana's 2 vs 2 agrees.
    assert (agreement["next-step"]["pairs"], agreement["next-step"]["agreed"]) == (2, 0.5)
    bias = {r["email"]: r for r in got["agreement"]["reviewers"]}
    assert set(bias) == {"ana@agency.org", "bo@agency.org"}  # cy's review was set aside
    assert bias["bo@agency.org"]["bias"] == 0.5 and bias["bo@agency.org"]["ratings"] == 2  # (+1/2 + +1/2) / 2
    assert bias["ana@agency.org"]["bias"] == -0.5  # (-2/2 + 0/2) / 2
    # A trainer's view: the learners of their groups only, reviewers outside them unnamed.
    scoped = report(app, {people["ana"]})
    assert scoped["statuses"] == {"draft": 0, "submitted": 0, "graded": 0, "released": 1}
    assert [r["email"] for r in scoped["agreement"]["reviewers"]] == []  # bo reviewed ana's: not in scope
    assert [p["email"] for p in scoped["overdue"]["peer"]] == ["ana@agency.org"] and scoped["overdue"]["trainer"] == 0


def test_the_report_page_for_admins_and_the_trainers_of_a_group(app, learner, admin):
    from brokerlearn.server import db
    from brokerlearn.server.models import Group
    from brokerlearn.server.models import GroupTrainer
    from brokerlearn.server.services.accounts import find_user, set_role
    from brokerlearn.server.services.enrolment import add_member
    cohort(app, learner)
    page = admin.client.get("/admin/courses/example/assessed")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Submissions by status" in html and "Bias against the trainer" in html and "+50%" in html
    assert "bo@agency.org" in html  # (registered without a name: the address stands for it)
    assert "/admin/reports/assessed" in html
    assert "/admin/courses/example/assessed" in admin.client.get("/admin/reports").get_data(as_text=True)
    tina = learner("tina@agency.org")
    with app.app_context():
        session = db.session()
        set_role(session, find_user(session, "tina@agency.org"), "trainer")
        group = session.query(Group).filter_by(name="Office North").one()
        add_member(session, group.id, find_user(session, "ana@agency.org").id)
        session.add(GroupTrainer(group_id=group.id, user_id=find_user(session, "tina@agency.org").id))
        session.commit()
    tina.login("tina@agency.org")
    seen = tina.client.get("/admin/courses/example/assessed")
    assert seen.status_code == 200
    text = seen.get_data(as_text=True)
    assert "The learners of your groups only." in text and "/admin/reports/assessed" not in text
    assert "/admin/courses/example/assessed" in tina.client.get("/admin/").get_data(as_text=True)
    assert learner("lee@agency.org").client.get("/admin/courses/example/assessed").status_code == 403
    assert admin.client.get("/admin/courses/nope/assessed").status_code == 404


def export(app, built_example, *args) -> str:
    env = {"DATABASE_URL": app.config["DATABASE_URL"]}
    result = CliRunner().invoke(main, ["export", *args, "--build-dir", str(built_example),
                                       "--instance", app.instance_path], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_csv_and_xapi_carry_criterion_level_results_of_released_work_only(app, learner, built_example, tmp_path):
    people = cohort(app, learner)
    unreleased = submit_row(app, people["cy"], attempt=2)
    result_row(app, unreleased, people["cy"], released=False)
    rows = list(csv.DictReader(io.StringIO(export(app, built_example, "csv", "assessed"))))
    assert {r["email"] for r in rows} == {"ana@agency.org", "bo@agency.org"}  # released only
    ana = [r for r in rows if r["email"] == "ana@agency.org"]
    assert [(r["criterion"], r["level"], r["criterion_score"], r["criterion_max"], r["outcomes"]) for r in ana] == [
        ("agenda", "partial", "1", "2", "U2.O1"), ("next-step", "", "1", "2", "U2.O1"), ("tone", "", "0", "0", "")]
    assert ana[0]["score"] == "2.0" and ana[0]["passed"] == "no" and ana[0]["attempt"] == "1"
    assert SECRET_TEXT not in json.dumps(rows) and "see the times" not in json.dumps(rows)
    text = export(app, built_example, "xapi", "--public-url", PUBLIC)
    statements = [json.loads(line) for line in text.splitlines()]
    assessed = [s for s in statements if "/assignments/" in s["object"]["id"]]
    assert len(assessed) == 2
    lines = tmp_path / "statements.jsonl"
    lines.write_text(text)
    output = subprocess.run(["node", str(REPO / "tests/tools/validate_xapi.cjs"), str(lines)], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout
    assert json.loads(output) == {}
    bo = next(s for s in assessed if s["verb"]["display"]["en-US"] == "passed")
    assert bo["object"]["id"] == f"{PUBLIC}/example/assignments/{ASSIGNMENT}"
    assert bo["result"]["score"] == {"raw": 4.0, "min": 0, "max": 4.0, "scaled": 1.0}
    extensions = bo["result"]["extensions"]
    assert extensions[f"{PUBLIC}/xapi/extensions/criterion/agenda"] == {
        "score": 2, "max": 2, "outcomes": ["U2.O1"], "source": "trainer", "level": "meets"}
    assert bo["context"]["extensions"][f"{PUBLIC}/xapi/extensions/attempt"] == 1
    assert "@" not in json.dumps(bo["actor"]) and SECRET_TEXT not in text and "peer words" not in text
    again = [json.loads(line)["id"] for line in export(app, built_example, "xapi", "--public-url", PUBLIC).splitlines()]
    assert again == [s["id"] for s in statements]


def test_released_results_are_forwarded_to_the_lrs(app, learner, monkeypatch):
    from brokerlearn.server import lrs
    people = cohort(app, learner)
    sent = []
    monkeypatch.setattr(lrs, "post_statements", lambda url, user, password, statements: sent.extend(statements))
    app.config["LRS_URL"] = "http://127.0.0.1:9/xapi"
    while lrs.forward_once(app):
        pass
    assessed = [s for s in sent if "/assignments/" in s["object"]["id"]]
    assert len(assessed) == 2 and people  # ana's and bo's released results, once each
    assert lrs.forward_once(app) == 0


# -- retention ------------------------------------------------------------------------------------

def purge(app, built_example, *args, days_setting=None):
    env = {"DATABASE_URL": app.config["DATABASE_URL"]}
    if days_setting is not None:
        env["BROKERLEARN_SUBMISSION_RETENTION_DAYS"] = str(days_setting)
    return CliRunner().invoke(main, ["assignments", "purge", *args, "--instance", app.instance_path], env=env,
                              catch_exceptions=False)


def test_retention_deletes_old_submissions_files_and_reviews_and_keeps_the_results(app, learner, built_example):
    from brokerlearn.server import db
    from brokerlearn.server.models import AssignmentResult, AuditEntry, Review, Submission, SubmissionFile
    people = cohort(app, learner)
    a, b, c = people["submissions"]
    folder = Path(app.instance_path) / "submissions"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ("f" * 32)).write_bytes(b"%PDF-1.4 old")
    with app.app_context():
        db.session().add(SubmissionFile(submission_id=a, stored_name="f" * 32, name="agenda.pdf", kind="pdf",
                                        mime="application/pdf", size=12, sha256="0" * 64))
        db.session().commit()
    recent = submit_row(app, people["dee"], attempt=2, days_ago=1)
    unset = purge(app, built_example)
    assert unset.exit_code == 2 and "BROKERLEARN_SUBMISSION_RETENTION_DAYS" in unset.output
    dry = purge(app, built_example, "--dry-run", days_setting=7)
    assert dry.exit_code == 0 and "would delete 2 submissions" in dry.output, dry.output
    assert (folder / ("f" * 32)).exists()
    done = purge(app, built_example, days_setting=7)
    assert done.exit_code == 0, done.output
    assert "deleted 2 submissions older than 7 days (1 files, 3 reviews); 2 results kept; 1 still waiting" in done.output
    with app.app_context():
        session = db.session()
        left = set(session.scalars(__import__("sqlalchemy").select(Submission.id)))
        assert left == {c, recent} | {s.id for s in session.query(Submission).filter_by(status="draft")}
        assert session.query(Review).count() == 0 and session.query(SubmissionFile).count() == 0
        results = session.query(AssignmentResult).order_by(AssignmentResult.id).all()
        assert [(r.submission_id, r.score) for r in results] == [(None, 2.0), (None, 4.0)]  # the scores stay
        entry = session.query(AuditEntry).filter_by(action="submissions_purged").one()
        assert "2 submissions, 1 files, 3 reviews deleted" in entry.details and entry.actor_email.startswith("command line")
    assert not (folder / ("f" * 32)).exists()
    # The released results still count: the outcome figure is unchanged by the purge.
    from test_assignment_counting import standing
    assert next(o for o in standing(app, people["bo"])["outcomes"] if o["id"] == "U2.O1")["assessed"] == 1.0
    # The CSV still lists them, without an attempt number.
    rows = list(csv.DictReader(io.StringIO(export(app, built_example, "csv", "assessed"))))
    assert {r["attempt"] for r in rows} == {""} and len(rows) == 6
