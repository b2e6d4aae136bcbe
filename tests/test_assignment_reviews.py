"""The learner's review steps of assessed work (issue 18, items 3 to 5 and 8), through the Flask
test client on SQLite and on PostgreSQL: practice on the trainer's example, peer reviews handed
out on demand, never one's own, anonymous both ways, a comment below the standard, who may read
the work under review, CSRF, the trainers' queue (disagreement, stranded, requested,
resubmitted), resubmission rules, and nothing of reviews or result before release."""
from __future__ import annotations

import dataclasses
from functools import partial
import io
import json
from datetime import timedelta

import pytest

BASE = "/api/assignments/example/meeting-plan"
TEXT = "Dear Ms Berg, " + " ".join(["word"] * 70)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# Ratings of the example's rubric (courses/example/rubrics/meeting-plan.yml).
GOOD = {"agenda": {"level": "meets"}, "next-step": {"checks": ["Says who does the next step.", "Gives a date for it."]},
        "tone": {"comment": "Clear and friendly."}}
POOR = {"agenda": {"level": "missing", "comment": "No times."}, "next-step": {"checks": [], "comment": "Who, when?"},
        "tone": {"comment": "Kind, but vague."}}
NAMES = {"ana@agency.org": "Ana Amsel", "ben@agency.org": "Ben Brandt", "cat@agency.org": "Cat Claus"}


def person(visitor, email: str):
    who = visitor()
    assert who.register(email, name=NAMES.get(email, "")).status_code == 302
    return who


def submit(who, text: str = TEXT, with_file: bool = False) -> int:
    who.api("put", f"{BASE}/draft", {"text": text})
    if with_file:
        attached = who.api("post", f"{BASE}/draft/files", data={"file": (io.BytesIO(PDF), "Ana Amsel agenda.pdf")},
                           content_type="multipart/form-data")
        assert attached.status_code == 201, attached.get_json()
    done = who.api("post", f"{BASE}/submit")
    assert done.status_code == 200, done.get_json()
    return done.get_json()["id"]


def practise(who, ratings=None):
    rated = who.api("post", f"{BASE}/practice/too-long",
                    {"ratings": ratings or {"agenda": {"level": "missing"}, "next-step": {"checks": []}}})
    assert rated.status_code == 200, rated.get_json()
    return rated.get_json()


def hand_out(who):
    return who.api("post", f"{BASE}/peer-reviews")


def release(app, submission_id: int, passed: bool = False, released: bool = True):
    """A trainer's result, as services/grading.py saves it (the grading engineer's), released or not."""
    from brokerlearn.server import db
    from brokerlearn.server.models import AssignmentResult, Submission, utcnow
    with app.app_context():
        session = db.session()
        work = session.get(Submission, submission_id)
        session.add(AssignmentResult(
            submission_id=work.id, user_id=work.user_id, course_id=work.course_id, assignment_id=work.assignment_id,
            rubric_version=work.rubric_version, score=4 if passed else 1, max_score=4, passed=passed,
            method="the trainer's grade", feedback="See the agenda.",
            criteria=[{"id": "agenda", "title": "A short agenda", "level": "partial", "score": 1, "max": 2,
                       "comment": "Add times.", "source": "trainer", "outcomes": ["U2.O1"]}],
            released_at=utcnow() if released else None))
        session.commit()


def tasks(app) -> dict[int, str]:
    from brokerlearn.server import db
    from brokerlearn.server.models import TrainerTask
    with app.app_context():
        return {t.submission_id: t.reason for t in db.session().query(TrainerTask)}


def test_practice_agrees_within_one_level_and_shows_the_reason_only_after_rating(learner):
    ana = learner()
    before = ana.api("get", f"{BASE}/practice")
    assert before.status_code == 200
    text = before.get_data(as_text=True)
    assert "Topics without times" not in text and "names neither who nor when" not in text  # no reason
    assert "Most first drafts" not in text  # nor the trainer's note
    example = before.get_json()["examples"][0]
    assert example["id"] == "too-long" and "Ms Berg" in example["text_html"] and "comparison" not in example
    assert "reference" not in text
    # One level off (partial for missing) is within the tolerance: agreed, with the reason where it differs.
    first = practise(ana, {"agenda": {"level": "partial"}, "next-step": {"checks": ["Gives a date for it."]}})
    assert first["agreed"] is True and first["passed"] is True and first["tries_left"] == 0
    agenda = next(c for c in first["comparison"] if c["criterion"] == "agenda")
    assert agenda["same"] is False and agenda["within"] is True and "Topics without times" in agenda["reason"]
    assert agenda["reference"]["level"] == "missing"
    assert ana.api("post", f"{BASE}/practice/too-long", {"ratings": GOOD}).status_code == 409  # done


def test_practice_two_levels_off_disagrees_and_gives_one_retry(learner):
    ben = learner("ben@agency.org")
    miss = practise(ben, {"agenda": {"level": "meets"}, "next-step": {"checks": []}})
    assert miss["agreed"] is False and miss["passed"] is False and miss["tries_left"] == 1
    agenda = next(c for c in miss["comparison"] if c["criterion"] == "agenda")
    assert agenda["within"] is False and "Topics without times" in agenda["reason"]
    assert "reference" not in agenda  # a retry is left: the reason, not the answer
    steps = next(c for c in miss["comparison"] if c["criterion"] == "next-step")
    assert steps["same"] is True and "reason" not in steps
    again = practise(ben, {"agenda": {"level": "meets"}, "next-step": {"checks": []}})
    assert again["tries_left"] == 0 and next(c for c in again["comparison"] if c["criterion"] == "agenda")["reference"]
    assert ben.api("post", f"{BASE}/practice/too-long", {"ratings": GOOD}).get_json()["error"]["code"] == "no_tries_left"
    assert ben.api("post", f"{BASE}/practice/nope", {"ratings": GOOD}).status_code == 404
    bad = ben.api("post", f"{BASE}/practice/too-long", {"ratings": {"agenda": {"level": "superb"}}})
    assert bad.status_code in (409, 422)


def test_peer_reviews_are_handed_out_on_demand_fewest_reviewed_first_never_ones_own(visitor, app):
    ana, ben, cat = (person(visitor, e) for e in NAMES)
    assert hand_out(ana).get_json()["error"]["code"] == "submit_first"
    ids = {"ana": submit(ana), "ben": submit(ben), "cat": submit(cat)}
    assert hand_out(ana).get_json()["error"]["code"] == "practice_first"
    for who in (ana, ben, cat):
        practise(who)
    got = hand_out(ana)
    assert got.status_code == 201, got.get_json()
    review = got.get_json()["review"]
    assert review["status"] == "open" and review["lease_ends"]
    assert hand_out(ana).get_json()["review"]["id"] == review["id"]  # the one held, not a second
    # Ben asks next: the least-reviewed work that is not his, so not the one Ana holds.
    ben_review = hand_out(ben).get_json()["review"]
    with app.app_context():
        from brokerlearn.server import db
        from brokerlearn.server.models import Review
        session = db.session()
        ana_work = session.get(Review, review["id"]).submission_id
        ben_work = session.get(Review, ben_review["id"]).submission_id
    assert ana_work != ids["ana"] and ben_work not in (ids["ben"], ana_work)
    finished = ana.api("post", f"/api/reviews/{review['id']}/finish", {"ratings": GOOD, "comment": "Good plan."})
    assert finished.status_code == 200 and finished.get_json()["status"] == "done"
    second = hand_out(ana).get_json()["review"]
    with app.app_context():
        work = db.session().get(Review, second["id"]).submission_id
    assert work not in (ids["ana"], ana_work)  # never her own, never one she reviewed
    steps = ana.api("get", f"{BASE}/steps").get_json()
    peer = next(s for s in steps["steps"] if s["step"] == "peer")
    assert peer["given"] == 1 and peer["needed"] == 2 and peer["open_review"] == second["id"]


def test_reviews_are_anonymous_both_ways(visitor, app):
    ana, ben, cat = (person(visitor, e) for e in NAMES)
    ana_work = submit(ana, with_file=True)
    for who in (ben, cat):
        submit(who)
        practise(who)
    answers = []
    for who in (ben, cat):
        handed = hand_out(who)
        review = handed.get_json()["review"]
        answers += [handed, who.api("get", f"/api/reviews/{review['id']}")]
        if review["work"]["files"]:  # ana's: the file under a neutral name
            file_url = review["work"]["files"][0]["url"]
            got = who.client.get(file_url)
            assert got.status_code == 200 and got.data == PDF
            assert "Ana" not in got.headers["Content-Disposition"] and "file-1.pdf" in got.headers["Content-Disposition"]
        answers.append(who.api("put", f"/api/reviews/{review['id']}", {"ratings": {"agenda": {"level": "meets"}}}))
        answers.append(who.api("post", f"/api/reviews/{review['id']}/finish", {"ratings": GOOD}))
        answers.append(who.api("get", f"/api/submissions/{ana_work}"))
    for answer in answers:
        body = answer.get_data(as_text=True)
        if answer.status_code == 200 or answer.status_code == 201:
            assert "Ana Amsel" not in body and "ana@agency.org" not in body, body
            assert '"user_id"' not in body
    release(app, ana_work)
    back = [ana.api("get", f"{BASE}/feedback"), ana.api("get", f"{BASE}/steps")]
    assert back[0].get_json()["attempts"][0]["peer_reviews"]
    for answer in back:
        body = answer.get_data(as_text=True)
        for name, email in (("Ben Brandt", "ben@agency.org"), ("Cat Claus", "cat@agency.org")):
            assert name not in body and email not in body
        assert "reviewer_id" not in body


def test_a_comment_is_required_below_the_expected_level(visitor):
    ana, ben = person(visitor, "ana@agency.org"), person(visitor, "ben@agency.org")
    submit(ana)
    submit(ben)
    practise(ben)
    review = hand_out(ben).get_json()["review"]
    path = f"/api/reviews/{review['id']}"
    partial = ben.api("put", path, {"ratings": {"agenda": {"level": "missing"}}})
    assert partial.status_code == 200 and partial.get_json()["ratings"]["agenda"] == {"level": "missing"}  # kept
    incomplete = ben.api("post", f"{path}/finish", {"ratings": {"agenda": {"level": "meets"}}})
    assert incomplete.status_code == 422 and incomplete.get_json()["error"]["code"] == "incomplete"
    silent = {"agenda": {"level": "missing"}, "next-step": {"checks": []}, "tone": {"comment": "Friendly."}}
    refused = ben.api("post", f"{path}/finish", {"ratings": silent})
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "comment_required"
    message = refused.get_json()["error"]["message"]
    assert "A short agenda" in message and "A concrete next step" in message
    no_tone = {k: v for k, v in POOR.items() if k != "tone"}
    assert ben.api("post", f"{path}/finish", {"ratings": no_tone}).get_json()["error"]["code"] == "comment_required"
    done = ben.api("post", f"{path}/finish", {"ratings": POOR})
    assert done.status_code == 200 and done.get_json()["status"] == "done"
    assert ben.api("put", path, {"ratings": GOOD}).status_code == 409  # handed in: kept as it is
    wrong = ben.api("post", f"{BASE}/practice/too-long", {"ratings": {"agenda": {"level": "meets"}, "next-step": {
        "checks": ["Not an item"]}}})
    assert wrong.status_code in (409, 422)


def test_who_may_read_the_work_under_review_and_its_files(visitor, app):
    ana, ben, cat = (person(visitor, e) for e in NAMES)
    ana_work = submit(ana, with_file=True)
    submit(ben)
    practise(ben)
    review = hand_out(ben).get_json()["review"]
    file_url = review["work"]["files"][0]["url"]
    file_id = file_url.rsplit("/", 1)[1]
    # The assigned reviewer: yes, through the review and through the submission's own address.
    assert ben.api("get", f"/api/reviews/{review['id']}").status_code == 200
    assert ben.client.get(file_url).status_code == 200
    assert ben.api("get", f"/api/submissions/{ana_work}").status_code == 200
    assert ben.client.get(f"/api/submissions/{ana_work}/files/{file_id}").status_code == 200
    # Another learner: as if none of it existed.
    for path in (f"/api/reviews/{review['id']}", file_url, f"/api/submissions/{ana_work}",
                 f"/api/submissions/{ana_work}/files/{file_id}"):
        assert cat.client.get(path).status_code == 404, path
    assert cat.api("put", f"/api/reviews/{review['id']}", {"ratings": {}}).status_code == 404
    assert cat.api("post", f"/api/reviews/{review['id']}/finish", {"ratings": GOOD}).status_code == 404
    assert ana.api("get", f"/api/reviews/{review['id']}").status_code == 404  # the submitter: not the review
    # Signed out: 401.
    stranger = visitor()
    for path in (f"/api/reviews/{review['id']}", file_url, f"/api/submissions/{ana_work}"):
        assert stranger.client.get(path).status_code == 401, path


def test_every_write_needs_the_csrf_token(visitor):
    ana, ben = person(visitor, "ana@agency.org"), person(visitor, "ben@agency.org")
    submit(ana)
    ana_work = submit(ben)
    writes = [("post", f"{BASE}/practice/too-long", {"ratings": GOOD}), ("post", f"{BASE}/peer-reviews", None),
              ("put", f"{BASE}/self-review", {"ratings": GOOD}), ("post", f"{BASE}/trainer-request", None),
              ("post", f"{BASE}/attempts", None), ("put", "/api/reviews/1", {"ratings": GOOD}),
              ("post", "/api/reviews/1/finish", {"ratings": GOOD}), ("put", "/api/reviews/1/helpful", {"helpful": 5}),
              ("post", f"/api/submissions/{ana_work}/resubmit-grant", {"note": "x"})]
    for method, path, body in writes:
        assert ana.api(method, path, body, csrf=False).status_code == 400, path
    assert not ana.api("get", f"{BASE}/practice").get_json()["examples"][0]["tries"]


def test_the_trainers_queue_on_submit_request_and_disagreement(visitor, app):
    from brokerlearn.server import db
    from brokerlearn.server.models import TrainerTask
    ana, ben, cat = (person(visitor, e) for e in NAMES)
    ana_work = submit(ana)
    assert tasks(app) == {ana_work: "trainer"}  # the assignment has a trainer step
    for who in (ben, cat):
        submit(who)
        practise(who)
    with app.app_context():  # as if it had no trainer step: only disagreement or a request queues it
        db.session().query(TrainerTask).delete()
        db.session().commit()

    def review_next(who, ratings):
        review = hand_out(who).get_json()["review"]
        assert who.api("post", f"/api/reviews/{review['id']}/finish", {"ratings": ratings}).status_code == 200
        with app.app_context():
            from brokerlearn.server.models import Review
            return db.session().get(Review, review["id"]).submission_id
    assert review_next(ben, GOOD) == ana_work  # the oldest of the least reviewed
    assert tasks(app) == {}  # one review of two: nothing to compare yet
    assert review_next(cat, GOOD) != ana_work  # Ben's, reviewed by nobody yet
    assert review_next(cat, POOR) == ana_work  # two levels apart, and across the pass line
    assert tasks(app) == {ana_work: "disagreement"}
    requested = ben.api("post", f"{BASE}/trainer-request")
    assert requested.status_code == 200 and requested.get_json()["queued"]
    assert "requested" in tasks(app).values()


def test_disagreement_is_a_spread_of_two_levels_or_the_pass_line(app):
    from types import SimpleNamespace as Row

    from brokerlearn.server.courses import catalog
    from brokerlearn.server.services.grading import disagreement
    with app.app_context():
        assignment = catalog().get("example").assignments["meeting-plan"]
    Row = partial(Row, set_aside_reason=None)  # noqa: N806 - a peer review no trainer set aside
    full = {"agenda": {"level": "meets"}, "next-step": {"checks": GOOD["next-step"]["checks"]}}
    half = {"agenda": {"level": "partial"}, "next-step": {"checks": GOOD["next-step"]["checks"][:1]}}
    none = {"agenda": {"level": "missing"}, "next-step": {"checks": []}}
    assert disagreement(assignment, [Row(ratings=full), Row(ratings=none)])  # two levels apart
    assert not disagreement(assignment, [Row(ratings=full), Row(ratings=full)])
    assert not disagreement(assignment, [Row(ratings=full)])  # not all N in yet
    # 4/4 against 2/4 with a pass mark of 0.6: across the pass line, one level apart.
    assert disagreement(assignment, [Row(ratings=full), Row(ratings=half)])


def test_work_short_of_peer_reviews_goes_to_the_trainer_and_the_learner_is_told_once(visitor, app):
    from brokerlearn.server import db
    from brokerlearn.server.courses import catalog
    from brokerlearn.server.models import Submission, TrainerTask, utcnow
    from brokerlearn.server.services.reviews import check_stranded
    ana = person(visitor, "ana@agency.org")
    ana_work = submit(ana)
    told = []
    with app.app_context():
        session = db.session()
        session.query(TrainerTask).delete()
        session.commit()
        course = catalog().get("example")
        tell = lambda user, course, assignment: told.append((user.email, assignment.id))  # noqa: E731
        assert check_stranded(session, course, now=utcnow() + timedelta(days=4), tell=tell).stranded == []
        later = utcnow() + timedelta(days=6)
        first = check_stranded(session, course, now=later, tell=tell)
        session.commit()
        assert [w.id for w in first.stranded] == [w.id for w in first.queued] == [w.id for w in first.told] == [ana_work]
        again = check_stranded(session, course, now=later + timedelta(days=1), tell=tell)
        session.commit()
        assert [w.id for w in again.stranded] == [ana_work] and again.queued == again.told == []
        assert told == [("ana@agency.org", "meeting-plan")]  # once
        assert session.get(Submission, ana_work) is not None
    assert tasks(app) == {ana_work: "stranded"}
    ben = person(visitor, "ben@agency.org")  # stranded work is the trainer's: no longer handed out
    submit(ben)
    practise(ben)
    with app.app_context():
        from brokerlearn.server.models import User
        from brokerlearn.server.services.reviews import request_peer_review
        session = db.session()
        ben_id = session.query(User).filter_by(email="ben@agency.org").one().id
        assert request_peer_review(session, ben_id, catalog().get("example"), "meeting-plan",
                                   now=utcnow() + timedelta(days=6)) is None
        assert request_peer_review(session, ben_id, catalog().get("example"), "meeting-plan") is not None


def test_self_review_is_optional_and_ones_own(learner):
    ana = learner()
    assert ana.api("put", f"{BASE}/self-review", {"ratings": GOOD}).get_json()["error"]["code"] == "submit_first"
    submit(ana)
    steps = ana.api("get", f"{BASE}/steps").get_json()
    assert next(s for s in steps["steps"] if s["step"] == "self") == {"step": "self", "done": False, "optional": True}
    assert steps["next"] == "practice"
    saved = ana.api("put", f"{BASE}/self-review", {"ratings": POOR, "comment": "Too long."})
    assert saved.status_code == 200 and saved.get_json()["comment"] == "Too long."
    again = ana.api("put", f"{BASE}/self-review", {"ratings": GOOD})
    assert again.status_code == 200 and again.get_json()["id"] == saved.get_json()["id"]  # one, revised
    steps = ana.api("get", f"{BASE}/steps").get_json()
    assert next(s for s in steps["steps"] if s["step"] == "self")["done"]


def test_nothing_of_the_reviews_or_result_before_release(visitor, app):
    ana, ben = person(visitor, "ana@agency.org"), person(visitor, "ben@agency.org")
    ana_work = submit(ana)
    submit(ben)
    practise(ben)
    review = hand_out(ben).get_json()["review"]
    assert ben.api("post", f"/api/reviews/{review['id']}/finish", {"ratings": POOR, "comment": "SECRET-PEER"}).status_code == 200
    release(app, ana_work, released=False)  # graded, not yet released
    for path in (f"{BASE}/feedback", f"{BASE}/steps", BASE, f"/api/submissions/{ana_work}"):
        body = ana.api("get", path).get_data(as_text=True)
        assert "SECRET-PEER" not in body and "Add times" not in body and "See the agenda" not in body, path
        assert "No times" not in body
    assert ana.api("get", f"{BASE}/feedback").get_json() == {
        "course": "example", "assignment": "meeting-plan", "title": "Plan your first meeting with a new contact",
        "released": False, "attempts": []}
    assert ana.api("get", f"{BASE}/steps").get_json()["released"] is False
    assert ana.api("put", f"/api/reviews/{review['id']}/helpful", {"helpful": 4}).status_code == 404
    from brokerlearn.server import db
    from brokerlearn.server.models import AssignmentResult, utcnow
    with app.app_context():
        db.session().query(AssignmentResult).update({"released_at": utcnow()})
        db.session().commit()
    shown = ana.api("get", f"{BASE}/feedback").get_json()
    attempt = shown["attempts"][0]
    assert shown["released"] and attempt["result"]["method"] == "the trainer's grade"
    assert attempt["result"]["criteria"][0]["source"] == "trainer" and attempt["result"]["feedback"] == "See the agenda."
    peer = attempt["peer_reviews"][0]
    assert peer["comment"] == "SECRET-PEER" and peer["number"] == 1 and "reviewer_id" not in peer
    assert next(r for r in peer["ratings"] if r["criterion"] == "agenda")["level"] == "Not yet"
    assert ben.api("put", f"/api/reviews/{review['id']}/helpful", {"helpful": 4}).status_code == 404  # not ben's work
    assert ana.api("put", f"/api/reviews/{review['id']}/helpful", {"helpful": 9}).status_code == 422
    rated = ana.api("put", f"/api/reviews/{review['id']}/helpful", {"helpful": 4})
    assert rated.status_code == 200
    assert ana.api("get", f"{BASE}/feedback").get_json()["attempts"][0]["peer_reviews"][0]["helpful"] == 4
    assert ana.api("get", f"{BASE}/steps").get_json()["released"] is True


def test_resubmission_when_the_trainer_asks_up_to_the_attempts_allowed(visitor, admin, app):
    ana = person(visitor, "ana@agency.org")
    first = submit(ana)
    refused = ana.api("post", f"{BASE}/attempts")
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "trainer_decides"
    ben = person(visitor, "ben@agency.org")
    assert ben.api("post", f"/api/submissions/{first}/resubmit-grant", {"note": "x"}).status_code == 404  # a learner
    granted = admin.api("post", f"/api/submissions/{first}/resubmit-grant", {"note": "Add times to the agenda."})
    assert granted.status_code == 201, granted.get_json()
    steps = ana.api("get", f"{BASE}/steps").get_json()
    assert steps["resubmit"]["open"] and steps["resubmit"]["attempts_left"] == 1
    opened = ana.api("post", f"{BASE}/attempts")
    assert opened.status_code == 201 and opened.get_json()["attempt"] == 2 and opened.get_json()["text"] == TEXT
    assert ana.api("post", f"{BASE}/attempts").get_json()["error"]["code"] == "draft_open"
    second = submit(ana, TEXT + " with times")
    assert tasks(app)[second] == "resubmitted" and tasks(app)[first] == "trainer"
    assert ana.api("get", BASE).get_json()["submission"]["attempt"] == 2
    assert admin.api("post", f"/api/submissions/{second}/resubmit-grant", {}).status_code == 409  # 2 of 2
    assert ana.api("post", f"{BASE}/attempts").get_json()["error"]["code"] == "no_attempts_left"


@pytest.mark.parametrize("rule", ["never", "until-pass", "trainer"])
def test_the_resubmit_rules(visitor, app, rule):
    from brokerlearn.server import db
    from brokerlearn.server.courses import catalog
    from brokerlearn.server.models import ResubmitGrant, Submission
    from brokerlearn.server.services.resubmission import attempts_open
    ana = person(visitor, "ana@agency.org")
    work = submit(ana)
    with app.app_context():
        assignment = dataclasses.replace(catalog().get("example").assignments["meeting-plan"], resubmit=rule,
                                         max_attempts=3)
        session = db.session()
        rows = [session.get(Submission, work)]
        before = attempts_open(session, assignment, rows)
    release(app, work, passed=False)
    with app.app_context():
        session = db.session()
        rows = [session.get(Submission, work)]
        failed = attempts_open(session, assignment, rows)
        session.add(ResubmitGrant(submission_id=work, note=""))
        session.commit()
        granted = attempts_open(session, assignment, rows)
    expected = {"never": (False, False, False), "until-pass": (False, True, True), "trainer": (False, False, True)}
    assert (before.open, failed.open, granted.open) == expected[rule]
    if rule == "until-pass":
        assert before.reason == "not_released"


def test_until_pass_stops_at_a_pass(visitor, app):
    from brokerlearn.server import db
    from brokerlearn.server.courses import catalog
    from brokerlearn.server.models import Submission
    from brokerlearn.server.services.resubmission import attempts_open
    ana = person(visitor, "ana@agency.org")
    work = submit(ana)
    release(app, work, passed=True)
    with app.app_context():
        assignment = dataclasses.replace(catalog().get("example").assignments["meeting-plan"], resubmit="until-pass")
        state = attempts_open(db.session(), assignment, [db.session().get(Submission, work)])
    assert (state.open, state.reason) == (False, "passed")


def test_the_steps_say_what_is_next(visitor):
    ana, ben = person(visitor, "ana@agency.org"), person(visitor, "ben@agency.org")
    assert ana.api("get", f"{BASE}/steps").get_json()["next"] == "submit"
    submit(ana)
    assert ana.api("get", f"{BASE}/steps").get_json()["next"] == "practice"
    practise(ana)
    steps = ana.api("get", f"{BASE}/steps").get_json()
    peer = next(s for s in steps["steps"] if s["step"] == "peer")
    assert peer["waiting_for_work"] and steps["next"] == "trainer"  # nobody else has submitted yet
    submit(ben)
    steps = ana.api("get", f"{BASE}/steps").get_json()
    assert steps["next"] == "peer" and not next(s for s in steps["steps"] if s["step"] == "peer")["waiting_for_work"]
    assert json.dumps(steps).count("ben@") == 0


def test_once_released_the_feedback_is_next_until_each_review_is_rated(visitor, app):
    ana, ben = person(visitor, "ana@agency.org"), person(visitor, "ben@agency.org")
    work = submit(ana)
    submit(ben)
    practise(ben)
    review = hand_out(ben).get_json()["review"]
    ben.api("post", f"/api/reviews/{review['id']}/finish", {"ratings": GOOD})
    release(app, work)
    steps = ana.api("get", f"{BASE}/steps").get_json()
    assert steps["released"] and steps["next"] == "feedback"
    assert next(s for s in steps["steps"] if s["step"] == "trainer")["done"]
    ana.api("put", f"/api/reviews/{review['id']}/helpful", {"helpful": 5})
    steps = ana.api("get", f"{BASE}/steps").get_json()
    assert steps["next"] is None and all(s["done"] for s in steps["steps"] if s["step"] in ("trainer", "feedback"))


def test_the_answers_match_the_openapi_document(visitor, app):
    from jsonschema import Draft202012Validator
    spec = app.test_client().get("/api/openapi.json").get_json()

    def check(name, instance):
        Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": spec["components"]}).validate(instance)
    ana, ben = person(visitor, "ana@agency.org"), person(visitor, "ben@agency.org")
    ana_work = submit(ana, with_file=True)
    submit(ben)
    check("AssignmentSteps", ben.api("get", f"{BASE}/steps").get_json())
    check("Practice", ben.api("get", f"{BASE}/practice").get_json())
    check("PracticeResult", practise(ben))
    handed = hand_out(ben).get_json()
    check("PeerReviewHandedOut", handed)
    check("PeerReview", ben.api("post", f"/api/reviews/{handed['review']['id']}/finish", {"ratings": GOOD}).get_json())
    check("TrainerRequested", ana.api("post", f"{BASE}/trainer-request").get_json())
    release(app, ana_work)
    check("Feedback", ana.api("get", f"{BASE}/feedback").get_json())
    check("Helpful", ana.api("put", f"/api/reviews/{handed['review']['id']}/helpful", {"helpful": 3}).get_json())


def test_a_trainer_of_another_group_cannot_ask_for_a_revision(visitor, app):
    from brokerlearn.server import db
    from brokerlearn.server.models import GroupTrainer, User
    from brokerlearn.server.services.enrolment import add_member, create_group
    ana, tina, tom = (person(visitor, e) for e in ("ana@agency.org", "tina@agency.org", "tom@agency.org"))
    work = submit(ana)
    with app.app_context():
        session = db.session()
        users = {u.email: u for u in session.query(User)}
        mine, other = create_group(session, "Office A").id, create_group(session, "Office B").id
        add_member(session, mine, users["ana@agency.org"].id)
        users["tina@agency.org"].role = users["tom@agency.org"].role = "trainer"
        session.add_all([GroupTrainer(group_id=mine, user_id=users["tina@agency.org"].id),
                         GroupTrainer(group_id=other, user_id=users["tom@agency.org"].id)])
        session.commit()
    tina.login("tina@agency.org")
    tom.login("tom@agency.org")
    assert tom.api("post", f"/api/submissions/{work}/resubmit-grant", {"note": "x"}).status_code == 404
    assert tina.api("post", f"/api/submissions/{work}/resubmit-grant", {"note": "Add times."}).status_code == 201
    assert ana.api("get", f"{BASE}/steps").get_json()["resubmit"]["open"]


def test_one_open_lease_per_reviewer_when_two_requests_cross(visitor, app):
    from brokerlearn.server import db
    from brokerlearn.server.models import Review, Submission, User
    from brokerlearn.server.services.reviews import _one_open
    ana, ben, cat = (person(visitor, e) for e in NAMES)
    for who in (ana, ben, cat):
        submit(who)
    practise(cat)
    first = hand_out(cat).get_json()["review"]["id"]
    with app.app_context():  # a second request that read "nothing held" before the first wrote
        session = db.session()
        held = session.get(Review, first)
        cat_id = session.query(User).filter_by(email="cat@agency.org").one().id
        other = session.query(Submission.id).filter(Submission.user_id != cat_id,
                                                    Submission.id != held.submission_id).scalar()
        late = Review(kind="peer", submission_id=other, course_id="example", assignment_id="meeting-plan",
                      reviewer_id=cat_id, status="open", ratings={})
        session.add(late)
        session.commit()
        assert _one_open(session, cat_id, "example", "meeting-plan", late).id == first
        assert session.query(Review).filter_by(reviewer_id=cat_id, kind="peer").count() == 1


def test_the_stranded_mail_names_the_assignment(app, caplog):
    from types import SimpleNamespace as User

    from brokerlearn.server.courses import catalog
    from brokerlearn.server.reviews import tell_stranded
    with app.test_request_context():
        course = catalog().get("example")
        with caplog.at_level("WARNING", logger="brokerlearn.reviews"):
            tell_stranded(User(id=0, email="ana@agency.org", name="Ana"), course, course.assignments["meeting-plan"])
    assert "ana@agency.org" in caplog.text and "meeting-plan" in caplog.text  # no SMTP here: logged


def test_a_self_review_comes_back_to_its_author(learner):
    ana = learner()
    submit(ana)
    ana.api("put", f"{BASE}/self-review", {"ratings": POOR, "comment": "Shorter next time."})
    own = next(s for s in ana.api("get", f"{BASE}/steps").get_json()["steps"] if s["step"] == "self")
    assert own["comment"] == "Shorter next time." and own["ratings"]["agenda"]["level"] == "missing"


def test_a_cohort_is_reviewed_evenly_through_the_api(visitor, app):
    """Five learners submit, practise and each write their two reviews as they come: every
    submission gets its two, nobody reviews their own or one work twice."""
    from collections import Counter

    from brokerlearn.server import db
    from brokerlearn.server.models import Review, Submission
    people = [person(visitor, f"l{i}@agency.org") for i in range(5)]
    for who in people:
        submit(who)
        practise(who)
    for _round in range(2):
        for who in people:
            review = hand_out(who).get_json()["review"]
            assert review is not None
            assert who.api("post", f"/api/reviews/{review['id']}/finish", {"ratings": GOOD}).status_code == 200
    with app.app_context():
        session = db.session()
        authors = {s.id: s.user_id for s in session.query(Submission)}
        rows = session.query(Review).filter_by(kind="peer").all()
        assert Counter(r.submission_id for r in rows) == {s: 2 for s in authors}
        assert all(authors[r.submission_id] != r.reviewer_id for r in rows)
        assert len({(r.reviewer_id, r.submission_id) for r in rows}) == len(rows) == 10
    assert all(hand_out(who).get_json()["review"] is None for who in people)  # nothing left to give


def test_a_lease_not_finished_in_24_hours_goes_back_to_the_queue(visitor, app):
    from brokerlearn.server import db
    from brokerlearn.server.courses import catalog
    from brokerlearn.server.models import User, utcnow
    from brokerlearn.server.services.reviews import request_peer_review
    ana, ben, cat = (person(visitor, e) for e in NAMES)
    ana_work = submit(ana)
    for who in (ben, cat):
        submit(who)
        practise(who)
    with app.app_context():
        session = db.session()
        ids = {u.email: u.id for u in session.query(User)}
        course = catalog().get("example")
        held = request_peer_review(session, ids["ben@agency.org"], course, "meeting-plan")
        assert held.submission_id == ana_work
        later = request_peer_review(session, ids["cat@agency.org"], course, "meeting-plan",
                                    now=utcnow() + timedelta(hours=25))
        assert later.submission_id == ana_work  # Ben's lease lapsed: Ana's is the least reviewed again


def test_the_steps_call_sends_stranded_work_to_the_trainer_and_says_so(visitor, app, caplog):
    from brokerlearn.server import db
    from brokerlearn.server.models import ReminderSent, Submission, TrainerTask, utcnow
    ana = person(visitor, "ana@agency.org")
    work = submit(ana)
    with app.app_context():
        session = db.session()
        session.get(Submission, work).submitted_at = utcnow() - timedelta(days=6)
        session.query(TrainerTask).delete()
        session.commit()
    with caplog.at_level("WARNING", logger="brokerlearn.reviews"):
        steps = ana.api("get", f"{BASE}/steps").get_json()
        again = ana.api("get", f"{BASE}/steps").get_json()
    assert steps["stranded"] and again["stranded"]
    assert caplog.text.count("stranded-work notice for ana@agency.org") == 1  # told once (no SMTP: logged)
    assert tasks(app) == {work: "stranded"}
    with app.app_context():
        assert db.session().query(ReminderSent).filter_by(step="stranded").count() == 1
