"""Graded attempts through the Flask test client, on SQLite and on PostgreSQL: grading against the
private bundle, the attempts limit, replay, shuffling, the explanations policy, isolation."""
import json

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
