"""Graded attempts through the Flask test client, on SQLite and on PostgreSQL: grading against the
private bundle, the attempts limit, replay, shuffling, the explanations policy, isolation."""
import json

import pytest

from browser import browser, chromium_path

QUIZ = "/api/quizzes/example/m2-assessment"


def _answers(manifest: dict, right: bool = True) -> dict:
    """Answers to the example's graded quiz, read from the private manifest."""
    questions = {q["id"]: q for q in manifest["quizzes"]["m2-assessment"]["questions"]}
    correct_options = [o["id"] for o in questions["q2"]["options"] if o["correct"]]
    answers = {
        "q1": True, "q2": correct_options, "q3": "25", "q4": "Capacity",
        "q5": [i["id"] for i in questions["q5"]["items"]],
        "q6": {p["left_id"]: p["right_id"] for p in questions["q6"]["pairs"]},
        "q7": "I will agree a date for the next step.",
    }
    if not right:
        answers.update(q1=False, q3="3", q4="budget", q5=list(reversed(answers["q5"])))
        answers["q2"] = [o["id"] for o in questions["q2"]["options"] if not o["correct"]]
    return answers


def _manifest(built_example) -> dict:
    return json.loads((built_example / "server" / "example.json").read_text())


def _attempt(who, answers):
    started = who.api("post", f"{QUIZ}/attempts")
    assert started.status_code == 201, started.get_data(as_text=True)
    attempt = started.get_json()["id"]
    return attempt, who.api("post", f"{QUIZ}/attempts/{attempt}", {"answers": answers})


def test_a_right_attempt_passes_with_full_score_and_explanations(learner, built_example):
    ana = learner()
    attempt, response = _attempt(ana, _answers(_manifest(built_example)))
    result = response.get_json()
    assert response.status_code == 200, result
    assert result["passed"] is True and result["score"] == result["max_score"] == 7.0
    assert result["explanations_shown"] is True
    assert result["questions"]["q1"]["explanation"] == "Without a date the contact usually fades."
    status = ana.api("get", QUIZ).get_json()
    assert status["attempts_used"] == 1 and status["best_score"] == 7.0 and status["passed"] is True
    outcomes = ana.api("get", "/api/progress/example").get_json()["outcomes"]
    assert outcomes and all(score == 1.0 for score in outcomes.values())


def test_attempts_limit_and_explanations_only_on_the_last(learner, built_example):
    ana = learner()
    wrong = _answers(_manifest(built_example), right=False)
    for number in (1, 2, 3):
        _, response = _attempt(ana, wrong)
        result = response.get_json()
        assert result["passed"] is False and result["attempt"] == number
        assert result["attempts_left"] == 3 - number
        assert result["explanations_shown"] is (number == 3)
        assert ("explanation" in result["questions"]["q1"]) is (number == 3)
    response = ana.api("post", f"{QUIZ}/attempts")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "no_attempts_left"
    status = ana.api("get", QUIZ).get_json()
    assert status["attempts_left"] == 0 and status["passed"] is False
    assert 0 < status["best_score"] < 7


def test_partial_credit_and_best_and_latest_scores(learner, built_example):
    ana = learner()
    manifest = _manifest(built_example)
    _attempt(ana, _answers(manifest))
    _, response = _attempt(ana, {"q1": True})
    assert response.get_json()["score"] == 1.0
    status = ana.api("get", QUIZ).get_json()
    assert (status["best_score"], status["latest_score"]) == (7.0, 1.0)


def test_replayed_submission_is_refused(learner, built_example):
    ana = learner()
    attempt, first = _attempt(ana, _answers(_manifest(built_example), right=False))
    assert first.status_code == 200
    replay = ana.api("post", f"{QUIZ}/attempts/{attempt}", {"answers": _answers(_manifest(built_example))})
    assert replay.status_code == 409 and replay.get_json()["error"]["code"] == "attempt_submitted"
    assert ana.api("get", QUIZ).get_json()["best_score"] == first.get_json()["score"]


def test_a_start_and_a_submit_each_send_three_statements_and_one_commit(app, learner, built_example):
    """Each statement is a round trip on PostgreSQL (bench/README.md): a new attempt is read and
    inserted, a submission stored and counted, without reading the attempt first."""
    from sqlalchemy import event
    ana = learner()
    sent = []
    engine = app.extensions["brokerlearn_engine"]
    def record(_connection, _cursor, statement, *_args):
        if "quiz_attempts" in statement or "attempt_grants" in statement:  # not the caches' periodic reads
            sent.append(" ".join(statement.split())[:40])
    commit = lambda _connection: sent.append("COMMIT")  # noqa: E731
    event.listen(engine, "before_cursor_execute", record)
    event.listen(engine, "commit", commit)
    try:
        started = ana.api("post", f"{QUIZ}/attempts")
        on_start, sent[:] = list(sent), []
        done = ana.api("post", f"{QUIZ}/attempts/{started.get_json()['id']}",
                       {"answers": _answers(_manifest(built_example))})
        on_submit = list(sent)
    finally:
        event.remove(engine, "before_cursor_execute", record)
        event.remove(engine, "commit", commit)
    assert started.status_code == 201 and done.status_code == 200 and done.get_json()["attempts_left"] == 2
    # The quiz has an attempt limit: each request also reads the extra attempts granted.
    assert len(on_start) == 4 and on_start[-1] == "COMMIT" and on_start[-2].startswith("INSERT"), on_start
    assert len(on_submit) == 4 and on_submit[-1] == "COMMIT" and on_submit[0].startswith("UPDATE"), on_submit


def test_submitting_an_unknown_attempt_or_anothers_is_404_and_a_submitted_one_409(learner, built_example):
    right = {"answers": _answers(_manifest(built_example))}
    ana, bob = learner(), learner("bob@agency.org")
    attempt, first = _attempt(ana, right["answers"])
    assert first.status_code == 200
    assert bob.api("post", f"{QUIZ}/attempts/{attempt}", right).status_code == 404
    assert ana.api("post", f"{QUIZ}/attempts/{attempt + 1000}", right).status_code == 404
    assert ana.api("post", f"/api/quizzes/example/other/attempts/{attempt}", right).status_code == 404
    assert ana.api("post", f"{QUIZ}/attempts/{attempt}", right).status_code == 409


def test_start_is_idempotent_while_an_attempt_is_open(learner):
    ana = learner()
    first = ana.api("post", f"{QUIZ}/attempts").get_json()
    second = ana.api("post", f"{QUIZ}/attempts").get_json()
    assert first["id"] == second["id"]
    assert ana.api("get", QUIZ).get_json()["open_attempt"]["id"] == first["id"]


def test_options_are_shuffled_per_attempt(learner, built_example):
    """The quiz has shuffle: true; over many attempts the order of q2's options must vary."""
    manifest = _manifest(built_example)
    authored = [o["id"] for o in manifest["quizzes"]["m2-assessment"]["questions"][1]["options"]]
    orders = set()
    for n in range(8):
        who = learner(f"learner{n}@agency.org")
        order = who.api("post", f"{QUIZ}/attempts").get_json()["option_order"]["q2"]
        assert sorted(order) == sorted(authored)
        orders.add(tuple(order))
    assert len(orders) > 1  # 8 draws of 6 orders: all equal with probability 6**-7


def test_bad_answers_get_4xx_and_wrong_shapes_score_zero(learner):
    ana = learner()
    attempt = ana.api("post", f"{QUIZ}/attempts").get_json()["id"]
    for body, status in [({"answers": "all"}, 422), ({"answers": {"q99": 1}}, 422), ({}, 422)]:
        response = ana.api("post", f"{QUIZ}/attempts/{attempt}", body)
        assert response.status_code == status and response.is_json
    result = ana.api("post", f"{QUIZ}/attempts/{attempt}", {"answers": {"q1": {"x": 1}, "q3": "many"}}).get_json()
    assert result["score"] == 0 and result["questions"]["q1"]["error"]


def test_unknown_quiz_practice_quiz_and_signed_out(visitor, learner):
    ana = learner()
    assert ana.api("post", "/api/quizzes/example/nope/attempts").status_code == 404
    # A practice quiz is checked in the page; it has no server attempts.
    assert ana.api("post", "/api/quizzes/example/assess-practice/attempts").status_code == 404
    assert ana.api("post", "/api/quizzes/nope/m2-assessment/attempts").status_code == 404
    assert visitor().api("post", f"{QUIZ}/attempts").status_code == 401


def test_one_learner_cannot_submit_or_read_anothers_attempt(learner, built_example):
    ana, bo = learner("ana@agency.org"), learner("bo@agency.org")
    attempt = ana.api("post", f"{QUIZ}/attempts").get_json()["id"]
    response = bo.api("post", f"{QUIZ}/attempts/{attempt}", {"answers": _answers(_manifest(built_example))})
    assert response.status_code == 404
    assert bo.api("get", QUIZ).get_json()["open_attempt"] is None
    assert ana.api("get", QUIZ).get_json()["open_attempt"]["id"] == attempt


def test_answer_keys_are_not_served(visitor, built_example):
    stranger = visitor()
    assert stranger.client.get("/../server/example.json").status_code == 404
    assert stranger.client.get("/%2e%2e/server/example.json").status_code == 404
    for path in ("/example/", "/example/working-together/first-meeting/"):
        html = stranger.client.get(path).get_data(as_text=True)
        assert "Without a date the contact usually fades" not in html


def _former(question: dict) -> dict:
    """Today's ID -> the ID a build before sealing gave it."""
    return {new: old for old, new in question["former_ids"].items()}


def test_attempts_from_before_sealing_still_grade(app, learner, built_example):
    """A learner who opened an attempt (or kept a page) from a build before the IDs were sealed:
    the attempt resumes with today's IDs, and answers under the old IDs still count."""
    from brokerlearn.server import db
    from brokerlearn.server.models import QuizAttempt
    from brokerlearn.server.services.statistics import item_statistics
    from brokerlearn.server.courses import catalog
    manifest = _manifest(built_example)
    questions = {q["id"]: q for q in manifest["quizzes"]["m2-assessment"]["questions"]}
    ana = learner()
    attempt = ana.api("post", f"{QUIZ}/attempts").get_json()["id"]
    old_q2 = [_former(questions["q2"])[o["id"]] for o in questions["q2"]["options"]]
    with app.app_context():  # as a build before sealing would have left it
        session = db.session()
        row = session.get(QuizAttempt, attempt)
        row.option_order = {"q2": old_q2}
        session.commit()
    resumed = ana.api("post", f"{QUIZ}/attempts").get_json()
    assert resumed["id"] == attempt
    assert sorted(resumed["option_order"]["q2"]) == sorted(o["id"] for o in questions["q2"]["options"])
    answers = _answers(manifest)
    old = {**answers, "q2": [_former(questions["q2"])[i] for i in answers["q2"]],
           "q5": [_former(questions["q5"])[i] for i in answers["q5"]],
           "q6": {_former(questions["q6"])[l]: _former(questions["q6"])[r] for l, r in answers["q6"].items()}}
    result = ana.api("post", f"{QUIZ}/attempts/{attempt}", {"answers": old}).get_json()
    assert result["score"] == result["max_score"] == 7.0, result
    with app.app_context():  # the item statistics count the old IDs' choices too
        stats = item_statistics(db.session(), catalog().get("example"), "m2-assessment")
        chosen = {o["id"]: o["chosen"] for o in stats["questions"][1]["options"]}
        assert chosen == {o["id"]: int(o["correct"]) for o in questions["q2"]["options"]}


MARKDOWN_QUIZ = (
    "id: g\ntitle: G\nmode: graded\nquestions:\n  - id: q1\n    type: single\n    prompt: P\n"
    "    options:\n      - text: A\n        correct: true\n        feedback: \"**Yes**, see <script>x</script>\"\n"
    "      - text: B\n    explanation: \"Because of *this*.\"\n  - id: q2\n    type: multiple\n    prompt: Q\n"
    "    options:\n      - text: A\n        correct: true\n      - text: B\n        correct: true\n"
    "      - text: C\n        correct: true\n")


@pytest.fixture
def markdown_course(make_course, tmp_path):
    """A course whose graded quiz has Markdown feedback and partial credit, built and served."""
    from brokerlearn.compiler.pipeline import build
    from brokerlearn.server import create_app
    from brokerlearn.server.db import upgrade
    root = make_course({"modules/01-intro/graded.yml": MARKDOWN_QUIZ,
                        "modules/01-intro/02-next.md": "---\ntitle: Next\n---\n\n::: quiz g\n:::\n"})
    build(root.parent, tmp_path / "out", show_progress=False)
    url = f"sqlite:///{tmp_path / 'b.db'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url, "TESTING": True}, build_dir=tmp_path / "out", instance_path=tmp_path / "i")
    yield app, json.loads((tmp_path / "out/server/mini.json").read_text())["quizzes"]["g"]["questions"]
    app.extensions["brokerlearn_engine"].dispose()


def test_feedback_and_explanations_come_back_rendered(markdown_course):
    """The server sends the HTML the build rendered (sanitized, as practice quizzes show it)."""
    from server_fixtures import Visitor
    app, (q1, q2) = markdown_course
    ana = Visitor(app)
    assert ana.register("ana@agency.org").status_code == 302
    attempt = ana.api("post", "/api/quizzes/mini/g/attempts").get_json()["id"]
    result = ana.api("post", f"/api/quizzes/mini/g/attempts/{attempt}", {"answers": {
        "q1": q1["options"][0]["id"], "q2": [o["id"] for o in q2["options"][:2]]}}).get_json()
    feedback = result["questions"]["q1"]["feedback"][0]
    assert "<strong>Yes</strong>" in feedback["html"] and "<script>" not in feedback["html"]
    assert feedback["text"].startswith("**Yes**")  # the source stays for other clients
    assert "<em>this</em>" in result["questions"]["q1"]["explanation_html"]
    assert result["questions"]["q2"]["score"] == 0.666667


@pytest.mark.browser
@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed (scripts/setup --test)")
def test_graded_feedback_shows_as_html_and_points_as_practice_writes_them(markdown_course):
    from server_fixtures import PASSWORD
    from serving import running
    app, (q1, q2) = markdown_course
    with running(app, threads=4) as port, browser() as chromium:
        served = f"http://127.0.0.1:{port}/"
        page = chromium.new_page()
        page.goto(served + "account/register")
        page.fill("#email", "ana@agency.org")
        page.fill("#password", PASSWORD)
        page.click("form.account-form button[type=submit]")
        page.wait_for_url("**/dashboard")
        page.goto(served + "mini/intro/next/")
        quiz = page.locator("section.quiz[data-graded]")
        quiz.locator("button[type=submit]:not([disabled])").wait_for()
        quiz.locator(f"input[value={q1['options'][0]['id']}]").check()
        for option in q2["options"][:2]:
            quiz.locator(f"input[value={option['id']}]").check()
        quiz.locator("button[type=submit]").click()
        quiz.locator(".quiz-result").filter(has_text="You scored").wait_for()
        assert "You scored 1.67 of 2 points" in quiz.locator(".quiz-result").inner_text()
        second = quiz.locator("fieldset[data-question=q2] .question-feedback").inner_text()
        assert "Partly correct. 0.67 of 1 point." in second
        first = quiz.locator("fieldset[data-question=q1] .question-feedback")
        assert first.locator("strong").inner_text() == "Yes"
        assert first.locator(".explanation em").inner_text() == "this"


def test_the_reviews_crashing_answers_are_wrong_answers_not_500s(learner, built_example):
    """Security review F11 cases 2 and 3: unhashable match answers and 10**400."""
    manifest = _manifest(built_example)
    left = manifest["quizzes"]["m2-assessment"]["questions"][5]["pairs"][0]["left_id"]
    ana = learner()
    for answers in ({"q6": {left: []}, "q3": 10**400, "q5": [[1], {}, None], "q2": [["x"]]}, {"q6": {left: {}}}):
        attempt = ana.api("post", f"{QUIZ}/attempts").get_json()["id"]
        response = ana.api("post", f"{QUIZ}/attempts/{attempt}", {"answers": answers})
        assert response.status_code == 200, response.get_data(as_text=True)
        result = response.get_json()
        assert result["score"] == 0 and all(result["questions"][q]["error"] for q in answers)
