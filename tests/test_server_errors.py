"""Requests a client may send that once gave a bare 500 (security review F11): each is a 4xx,
with a JSON error on the API."""
import pytest

QUIZ = "/api/quizzes/example/m2-assessment"


def test_deeply_nested_json_is_a_400(learner):
    ana = learner("ana@agency.org")
    for depth in (50_000, 100_000):
        body = "[" * depth + "]" * depth
        for path in ["/api/progress", f"{QUIZ}/attempts/1"]:
            response = ana.client.post(path, data=body, content_type="application/json",
                                       headers={"X-CSRFToken": ana.csrf()})
            assert response.status_code == 400, (path, response.status_code)
            assert response.get_json()["error"]["code"] == "malformed_json"


@pytest.mark.parametrize("number", ["99999999999999999999", str(2**31), str(2**63)])
def test_huge_attempt_ids_are_not_found(learner, number):
    ana = learner("ana@agency.org")
    response = ana.api("post", f"{QUIZ}/attempts/{number}", {"answers": {}})
    assert response.status_code == 404 and response.is_json


def test_largest_id_still_matches_its_route(learner):
    ana = learner("ana@agency.org")
    response = ana.api("post", f"{QUIZ}/attempts/{2**31 - 1}", {"answers": {}})
    assert response.status_code == 404 and response.get_json()["error"]["code"] != "not_found"  # the view ran


def test_control_characters_in_next_are_no_500(visitor):
    for query in ["next=%2F%0D%0ASet-Cookie:%20x=1", "next=%2F%0A%2Fevil.example", "next=%2F%09%2Fevil.example%2F"]:
        response = visitor().client.get(f"/account/login?{query}")
        assert response.status_code == 200
        assert '<input type="hidden" name="next" value="/dashboard">' in response.get_data(as_text=True)
