"""Each learner's timeline of assessed work (issue 18, item 3, services/timeline.py): the steps
and dates from the rows, pure over a simulated cohort (an early submitter waiting for peers, a
late one, a stranded one, the trainer's step, released feedback), then from the database on
SQLite and PostgreSQL through the API and the dashboard, and the reminder e-mails through a real
SMTP server on 127.0.0.1 (sent when due, not twice a day, never when there is nothing to do,
never to a deactivated account, in the learner's language)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from brokerlearn.course.assignment import Assignment, Criterion, Example, Rating, Rubric
from brokerlearn.server.services.timeline import Facts, Result, Task, Timeline, Work, steps, words

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=timezone.utc)
TODAY = NOW.date()
RUBRIC = Rubric("r", "Rubric", (Criterion("agenda", "Agenda", "points", max_points=4),))
PLAN = Assignment(
    id="plan", title="Plan a meeting", module="m2", brief="", outcomes=(), rubric=RUBRIC,
    text={"min_words": 1, "max_words": 100, "required": True}, peer_reviews=2, self_review=True,
    examples=(Example("ex1", "text", (Rating("agenda", 2, "why"),)), Example("ex2", "text", (Rating("agenda", 1, "why"),))),
    due={"submit": 7, "review": 5, "feedback": 10}, place="c/m2/l1/index.html#assignment-1")


def at(days: float) -> datetime:
    return NOW + timedelta(days=days)


def line(facts: Facts, assignment: Assignment = PLAN, now: datetime = NOW) -> Timeline:
    return Timeline(assignment, assignment.place, steps(assignment, facts, now), now.date())


def states(timeline: Timeline) -> dict[str, str]:
    return {s.key: s.state for s in timeline.steps}


def submitted(days: float = -1) -> Work:
    return Work(1, 1, "submitted", at(days))


def test_before_the_first_visit_the_submission_has_no_date_and_after_it_a_week():
    assert line(Facts()).next.key == "submit" and line(Facts()).next.due is None
    visited = line(Facts(first_visit=at(-2)))
    assert visited.next.due == date(2027, 3, 15)  # 8 March + 7 days
    assert [s.key for s in visited.steps] == ["submit", "practice", "peer", "self", "trainer", "feedback"]
    assert states(visited) == {"submit": "current", "practice": "upcoming", "peer": "upcoming", "self": "upcoming",
                               "trainer": "upcoming", "feedback": "upcoming"}
    # A group that starts later gives the later date.
    later = line(Facts(first_visit=at(-2), group_start=date(2027, 3, 12)))
    assert later.next.due == date(2027, 3, 19)
    assert words(visited, "en")["next"]["text"] == "Next: submit your work, by 15 March 2027."
    assert words(visited, "de")["next"]["text"] == "Als Nächstes: Ihre Arbeit abgeben, bis zum 15. März 2027."


def test_an_early_submitter_practises_while_waiting_for_peers():
    early = Facts(first_visit=at(-3), work=submitted(-1), attempts=1, work_to_review=False, self_done=True,
                  task=Task("trainer", at(9)))
    timeline = line(early)
    assert states(timeline)["submit"] == "done"
    assert states(timeline)["practice"] == "current" and states(timeline)["peer"] == "waiting"
    assert timeline.next.key == "practice" and timeline.next.left == 2 and timeline.next.due == date(2027, 3, 14)
    shown = words(timeline, "en")
    assert shown["next"]["text"] == "Next: rate 2 more of the trainer's examples, by 14 March 2027."
    peer = next(s for s in shown["steps"] if s["key"] == "peer")
    assert peer["note"] == "waiting for peers' work: practise on the examples meanwhile"
    # Practice passed (each example's latest rating agreed): the next step waits for peers.
    practised = line(Facts(**{**early.__dict__, "practice": {"ex1": [False, True], "ex2": [True]}}))
    assert states(practised)["practice"] == "done" and practised.next.key == "peer"
    assert practised.next.state == "waiting" and not practised.next.action
    assert words(practised, "en")["next"]["text"] == "Waiting for peers' work to review. Expected by 14 March 2027."
    assert practised.reminder() is None  # nothing the learner can do: no reminder
    # Peers' work arrives: two reviews to give, then one.
    two = line(Facts(**{**practised_facts(early), "work_to_review": True}))
    assert two.next.key == "peer" and two.next.action
    assert words(two, "en")["next"]["text"] == "Next: review 2 more peers' work, by 14 March 2027."
    one = line(Facts(**{**practised_facts(early), "work_to_review": True, "peer_done": 1}))
    assert words(one, "en")["next"]["text"] == "Next: review 1 more peer's work, by 14 March 2027."
    held = line(Facts(**{**practised_facts(early), "peer_open": True, "peer_done": 1}))
    assert words(held, "en")["next"]["text"] == "Next: finish the peer review you started, by 14 March 2027."


def practised_facts(facts: Facts) -> dict:
    return {**facts.__dict__, "practice": {"ex1": [True], "ex2": [True]}}


def test_practice_is_done_once_every_try_is_used_even_without_agreeing():
    used = Facts(first_visit=at(-3), work=submitted(), attempts=1, practice={"ex1": [False, False], "ex2": [True]})
    step = next(s for s in line(used).steps if s.key == "practice")
    assert step.state == "done" and step.note == "not_passed"  # one retry allowed by default
    peer = next(s for s in line(used).steps if s.key == "peer")
    assert peer.state == "waiting" and peer.note == "peers"  # no "practise meanwhile": no tries are left


def test_a_late_submitter_is_told_it_is_overdue_and_reminded():
    late = line(Facts(first_visit=at(-12), work=Work(1, 1, "draft")))
    assert late.next.key == "submit" and late.next.due == date(2027, 3, 5)
    shown = words(late, "en")
    assert shown["next"]["overdue"] is True
    assert shown["next"]["text"] == "Next: finish your draft and submit it (it was due on 5 March 2027)."
    assert late.reminder() is late.next
    # Due in two days: reminded; in three: not yet.
    assert line(Facts(first_visit=at(-5))).reminder() is not None
    assert line(Facts(first_visit=at(-4))).reminder() is None


def test_a_stranded_submission_goes_to_the_trainer_and_the_learner_is_told():
    stranded = Facts(first_visit=at(-12), work=submitted(-6), attempts=1, practice={"ex1": [True], "ex2": [True]},
                     peer_done=2, self_done=True, task=Task("stranded", at(4)))
    timeline = line(stranded)
    assert states(timeline) == {"submit": "done", "practice": "done", "peer": "done", "self": "done",
                                "trainer": "waiting", "feedback": "upcoming"}
    assert timeline.next.key == "trainer" and timeline.reminder() is None
    assert words(timeline, "en")["next"]["text"] == ("Too few peers reviewed your work in time, so a trainer "
                                                     "reviews it instead. Expected by 14 March 2027.")


def test_stranded_work_is_told_from_the_rows_before_the_trainers_queue_has_it():
    assignment = Assignment(**{**PLAN.__dict__, "trainer": False, "examples": (), "self_review": False})
    facts = Facts(first_visit=at(-12), work=submitted(-6), attempts=1, peer_done=2, stranded=True)
    timeline = line(facts, assignment)
    assert states(timeline)["trainer"] == "waiting" and timeline.next.note == "stranded"
    # Without peers' shortfall, an assignment without a trainer step has none.
    assert "trainer" not in states(line(Facts(**{**facts.__dict__, "stranded": False}), assignment))


def test_the_review_date_passed_with_nothing_left_to_review_ends_the_peer_step():
    past = Facts(first_visit=at(-20), work=submitted(-8), attempts=1, practice={"ex1": [True], "ex2": [True]},
                 peer_done=1, self_done=True, task=Task("trainer", at(2)))
    timeline = line(past)
    assert states(timeline)["peer"] == "done" and timeline.next.key == "trainer"


def test_the_trainer_step_says_nothing_of_a_grade_before_release_then_the_feedback_is_released():
    base = dict(first_visit=at(-12), work=submitted(-6), attempts=1, practice={"ex1": [True], "ex2": [True]},
                peer_done=2, self_done=True, task=Task("trainer", at(4), done_at=at(-1)))
    graded = line(Facts(**base, result=Result(None, True)))
    assert states(graded)["trainer"] == "waiting" and states(graded)["feedback"] == "upcoming"
    assert words(graded, "en")["next"]["text"] == "With the trainer. Expected by 14 March 2027."
    released = line(Facts(**base, result=Result(at(-0.5), False)))
    assert states(released)["trainer"] == "done" and states(released)["feedback"] == "done"
    assert released.next is None and released.reminder() is None
    shown = words(released, "en")
    assert shown["next"] is None and shown["summary"].startswith("Feedback released: not passed yet.")
    assert next(s for s in shown["steps"] if s["key"] == "feedback")["note"] == "not passed"


def test_until_pass_opens_a_resubmission_after_a_released_fail():
    again = Assignment(**{**PLAN.__dict__, "resubmit": "until-pass", "max_attempts": 2})
    base = dict(first_visit=at(-20), work=submitted(-12), attempts=1, practice={"ex1": [True], "ex2": [True]},
                peer_done=2, self_done=True, task=Task("trainer", at(-2), done_at=at(-2)))
    failed = line(Facts(**base, result=Result(at(-1), False)), again)
    assert failed.next.key == "resubmit" and failed.next.due == date(2027, 3, 16)
    assert words(failed, "en")["next"]["text"] == "Next: revise your work and submit it again, by 16 March 2027."
    passed = line(Facts(**base, result=Result(at(-1), True)), again)
    assert passed.next is None
    # The second attempt's draft: submit it again; the earlier steps are behind.
    draft = line(Facts(**{**base, "work": Work(2, 2, "draft")}), again)
    assert [s.key for s in draft.steps] == ["resubmit", "trainer", "feedback"] and draft.next.key == "resubmit"


def test_the_optional_self_review_is_never_the_reminded_step():
    only_self = Assignment(**{**PLAN.__dict__, "examples": (), "peer_reviews": 0})
    timeline = line(Facts(first_visit=at(-10), work=submitted(-4), attempts=1), only_self)
    assert timeline.next.key == "self" and timeline.next.optional and timeline.reminder() is None
    # An optional step to do comes before one that waits on others.
    waiting = line(Facts(first_visit=at(-3), work=submitted(-1), attempts=1, practice={"ex1": [True], "ex2": [True]}))
    assert states(waiting)["peer"] == "waiting" and waiting.next.key == "self"
    assert words(timeline, "en")["next"]["text"] == "Next: review your own work (optional), by 11 March 2027."


# ---- from the database (SQLite and PostgreSQL), the API and the dashboard ---------------------

LESSON = "working-together/first-meeting"
PATH = "/api/timeline/example"


def _rows(app, make):
    """Run make(session, models) in the application's database and commit."""
    from brokerlearn.server import db, models
    with app.app_context():
        session = db.session()
        make(session, models)
        session.commit()


def _user_id(app, address: str) -> int:
    from brokerlearn.server.services.accounts import find_user
    from brokerlearn.server import db
    with app.app_context():
        return find_user(db.session(), address).id


def _visit(app, user_id: int, when: datetime):
    def make(session, m):
        session.add(m.ProgressEvent(user_id=user_id, event_id=f"v{user_id}-{when.timestamp()}", course_id="example",
                                    kind="lesson_viewed", item_id=LESSON, value=30, occurred_at=when))
    _rows(app, make)


def _submit(app, user_id: int, when: datetime) -> int:
    found = {}

    def make(session, m):
        row = m.Submission(user_id=user_id, course_id="example", assignment_id="meeting-plan", attempt=1,
                           status="submitted", text="words " * 70, rubric_version="v", submitted_at=when)
        session.add(row)
        session.flush()
        found["id"] = row.id
    _rows(app, make)
    return found["id"]


def _next(who) -> dict:
    from jsonschema import Draft202012Validator

    from brokerlearn.server.openapi import SPEC
    answer = who.api("get", PATH)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    Draft202012Validator({"$ref": "#/components/schemas/Timelines", "components": SPEC["components"]}).validate(
        answer.get_json())  # as the API document says
    (assignment,) = answer.get_json()["assignments"]
    assert assignment["id"] == "meeting-plan" and assignment["url"].startswith(f"example/{LESSON}/index.html#")
    return assignment


def test_a_cohort_from_the_rows_through_the_api_and_the_dashboard(app, learner, visitor):
    now = datetime.now(timezone.utc)
    ana, ben = learner("ana@agency.org"), learner("ben@agency.org")
    ana_id, ben_id = _user_id(app, "ana@agency.org"), _user_id(app, "ben@agency.org")
    assert visitor().api("get", PATH).status_code == 401  # signed out: nothing
    # Ana opened the lesson three days ago: submit within a week of that.
    _visit(app, ana_id, now - timedelta(days=3))
    first = _next(ana)
    assert first["next"]["key"] == "submit" and first["next"]["due"] == (now - timedelta(days=3) + timedelta(days=7)).date().isoformat()
    # She submits first: nobody's work to review yet, she practises meanwhile.
    ana_work = _submit(app, ana_id, now - timedelta(hours=2))
    _rows(app, lambda s, m: s.add(m.TrainerTask(submission_id=ana_work, course_id="example", assignment_id="meeting-plan",
                                                reason="trainer", due_at=now + timedelta(days=10))))
    early = _next(ana)
    assert early["next"]["key"] == "practice"
    assert {s["key"]: s["state"] for s in early["steps"]}["peer"] == "waiting"
    # She rates the example in agreement and reviews her own work: she waits for peers.
    _rows(app, lambda s, m: s.add_all([
        m.Review(kind="practice", example_id="too-long", course_id="example", assignment_id="meeting-plan",
                 reviewer_id=ana_id, status="done", agreed=True, finished_at=now),
        m.Review(kind="self", submission_id=ana_work, course_id="example", assignment_id="meeting-plan",
                 reviewer_id=ana_id, status="done", finished_at=now)]))
    waiting = _next(ana)
    assert waiting["next"]["key"] == "peer" and not waiting["next"]["action"]
    assert waiting["next"]["text"].startswith("Waiting for peers' work to review.")
    # Ben submits: his work is there for Ana to review (allocation.next_review), two to give.
    _visit(app, ben_id, now - timedelta(days=1))
    _submit(app, ben_id, now - timedelta(hours=1))
    ready = _next(ana)
    assert ready["next"]["key"] == "peer" and ready["next"]["action"]
    assert ready["next"]["text"].startswith("Next: review 2 more peers' work, by ")
    # In German (the language switch's cookie), and on the dashboard with its link.
    ana.client.set_cookie("brokerlearn_lang", "de")
    assert _next(ana)["next"]["text"].startswith("Als Nächstes: die Arbeit von 2 weiteren Teilnehmenden begutachten")
    ana.client.set_cookie("brokerlearn_lang", "en")
    page = ana.client.get("/dashboard").get_data(as_text=True)
    assert "Next: review 2 more peers&#39; work, by " in page and f'href="/example/{LESSON}/index.html#assignment-' in page
    # One module's assignments only.
    assert len(ana.api("get", PATH + "?module=working-together").get_json()["assignments"]) == 1
    assert ana.api("get", PATH + "?module=getting-started").get_json()["assignments"] == []
    # Cai submitted six days ago and nobody reviewed it: past the stranding days (5), the trainer's.
    cai = learner("cai@agency.org")
    cai_id = _user_id(app, "cai@agency.org")
    _visit(app, cai_id, now - timedelta(days=9))
    _submit(app, cai_id, now - timedelta(days=6))
    trainer = next(s for s in _next(cai)["steps"] if s["key"] == "trainer")
    assert trainer["state"] == "waiting" and trainer["note"].startswith("too few peers reviewed your work in time")
    # The trainer grades: nothing shows until the result is released; then the feedback is there.
    ben_waits = _next(ben)
    assert ben_waits["next"]["key"] == "practice"

    def graded(session, m):
        session.add(m.AssignmentResult(submission_id=ana_work, user_id=ana_id, course_id="example",
                                       assignment_id="meeting-plan", rubric_version="v", criteria=[], score=8,
                                       max_score=10, passed=True, method="trainer"))
    _rows(app, graded)
    assert {s["key"]: s["state"] for s in _next(ana)["steps"]}["trainer"] == "waiting"

    def release(session, m):
        from sqlalchemy import update
        session.execute(update(m.AssignmentResult).values(released_at=now))
    _rows(app, release)
    done = _next(ana)
    assert done["next"] is None and done["summary"].startswith("Feedback released: you passed.")


# ---- reminders by e-mail, through a real SMTP server on 127.0.0.1 ------------------------------

def _remind(app, mailbox_port: int, now: datetime | None = None):
    from brokerlearn.server import db, mail
    from brokerlearn.server.courses import catalog
    from brokerlearn.server.services import reminders
    from brokerlearn.server.services.audit import Actor
    config = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": mailbox_port, "SMTP_SECURITY": "none"}
    with app.app_context():
        return reminders.send_reminders(db.session(), catalog().all(), lambda m: mail.deliver(config, m),
                                        "https://learn.agency.org", "learn@agency.org", "Agentur Nord", now=now,
                                        actor=Actor.command_line())


def test_reminders_are_mailed_when_due_once_a_day_and_never_with_nothing_to_do(app, learner):
    from test_admin_cohorts import smtp_server
    # Noon today (UTC), so that "three hours later" is the same day at any time the suite runs.
    now = datetime.now(timezone.utc).replace(hour=12, minute=0, second=0, microsecond=0)
    for address in ("due@agency.org", "later@agency.org", "done@agency.org", "gone@agency.org"):
        learner(address)
    due, later, done, gone = (_user_id(app, a) for a in ("due@agency.org", "later@agency.org", "done@agency.org",
                                                        "gone@agency.org"))
    _visit(app, due, now - timedelta(days=6))  # submit due tomorrow
    _visit(app, later, now - timedelta(hours=1))  # due in a week: not yet
    _visit(app, gone, now - timedelta(days=9))  # overdue, but the account is deactivated
    _visit(app, done, now - timedelta(days=9))
    done_work = _submit(app, done, now - timedelta(days=2))  # submitted; practice and self done; waits for peers

    def rows(session, m):
        session.add_all([m.Review(kind="practice", example_id="too-long", course_id="example", reviewer_id=done,
                                  assignment_id="meeting-plan", status="done", agreed=True),
                         m.Review(kind="self", submission_id=done_work, course_id="example", reviewer_id=done,
                                  assignment_id="meeting-plan", status="done")])
        session.get(m.User, gone).deactivated_at = now
        # The German learner was invited in German.
        session.add(m.Invitation(email="due@agency.org", lang="de", status="registered", user_id=due,
                                 expires_at=now + timedelta(days=1)))
    _rows(app, rows)
    with smtp_server() as (mailbox, port):
        outcome = _remind(app, port, now)
        assert (outcome.mailed, outcome.steps, outcome.failed) == (1, 1, [])
        (message,) = mailbox.messages
        assert message["To"] == "due@agency.org" and message["Subject"] == "Agentur Nord: Ihr nächster Schritt bei Ihren bewerteten Arbeiten"
        body = message.get_body(("plain",)).get_content()
        assert "Hallo," in body and "Als Nächstes: Ihre Arbeit abgeben, bis zum " in body
        assert f"https://learn.agency.org/example/{LESSON}/index.html#assignment-" in body
        # The same day again: nobody twice.
        again = _remind(app, port, now + timedelta(hours=3))
        assert (again.mailed, again.skipped) == (0, 1) and len(mailbox.messages) == 1
        # The next day, still due (overdue now): reminded again.
        assert _remind(app, port, now + timedelta(days=1)).mailed == 1 and len(mailbox.messages) == 2
    # Nobody reachable: the step is not marked as reminded, the next run tries again.
    failed = _remind(app, port, now + timedelta(days=2))
    assert failed.mailed == 0 and len(failed.failed) == 1 and failed.failed[0].startswith("due@agency.org: ")
    with smtp_server() as (mailbox, port):
        assert _remind(app, port, now + timedelta(days=2)).mailed == 1
    # The runs that mailed are in the audit trail, as the command line's.
    from sqlalchemy import select

    from brokerlearn.server import db
    from brokerlearn.server.models import AuditEntry, ReminderSent
    with app.app_context():
        entries = db.session().scalars(select(AuditEntry).where(AuditEntry.action == "reminders_sent")).all()
        assert len(entries) == 3 and entries[0].actor_email.startswith("command line")
        assert {r.user_id for r in db.session().scalars(select(ReminderSent))} == {due}


def test_the_remind_command_mails_and_a_second_run_mails_nobody(tmp_path, built_example, monkeypatch):
    from click.testing import CliRunner
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from brokerlearn.cli import main
    from brokerlearn.server.models import ProgressEvent, User
    from test_admin_cohorts import smtp_server
    monkeypatch.delenv("DATABASE_URL", raising=False)
    instance = tmp_path / "instance"

    def run(*args, env=None):
        return CliRunner().invoke(main, [*args, "--instance", str(instance)], env=env or {}, catch_exceptions=False)
    assert run("db", "upgrade").exit_code == 0
    run("users", "create", "ana@agency.org", "--name", "Ana", env={"BROKERLEARN_PASSWORD": "x" * 12})
    engine = create_engine(f"sqlite:///{instance / 'brokerlearn.db'}")
    with Session(engine) as session:
        ana = session.query(User).one()
        session.add(ProgressEvent(user_id=ana.id, event_id="e1", course_id="example", kind="lesson_viewed",
                                  item_id=LESSON, value=10, occurred_at=datetime.now(timezone.utc) - timedelta(days=8)))
        session.commit()
    engine.dispose()
    build = ["--build-dir", str(built_example), "--public-url", "https://learn.agency.org"]
    dry = run("assignments", "remind", "--dry-run", *build)
    assert dry.exit_code == 0 and "would remind ana@agency.org (meeting-plan: submit by " in dry.stdout
    no_smtp = run("assignments", "remind", *build)
    assert no_smtp.exit_code == 2 and "no SMTP server" in no_smtp.output
    with smtp_server() as (mailbox, port):
        env = {"BROKERLEARN_SMTP_HOST": "127.0.0.1", "BROKERLEARN_SMTP_PORT": str(port),
               "BROKERLEARN_SMTP_SECURITY": "none"}
        first = run("assignments", "remind", *build, env=env)
        assert first.exit_code == 0, first.output
        assert "1 learner(s) reminded of 1 step(s)" in first.output and len(mailbox.messages) == 1
        body = mailbox.messages[0].get_body(("plain",)).get_content()
        assert body.startswith("Hello Ana,") and "(it was due on " in body
        second = run("assignments", "remind", *build, env=env)
        assert "0 learner(s) reminded" in second.output and len(mailbox.messages) == 1
