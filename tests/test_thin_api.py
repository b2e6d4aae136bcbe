"""The thin layer below Flask (server/thin_api.py) answers GET /api/session and POST
/api/progress for a plain signed-in session exactly as Flask's views do, and leaves every other
request to Flask: each case is sent through Flask's path and through the layer, and the
status, body and headers must be the same; whether Flask ran is counted by its
request_started signal."""
from __future__ import annotations

import itertools

import pytest
from flask import request_started

from brokerlearn.server.services import sessions

LESSON = "finding-partners/cooperation-profiles"
_ids = itertools.count()


def events(*kinds_items):
    run = next(_ids)
    return {"events": [{"event_id": f"evt-thin-{run:04d}-{n}", "course": "example", "kind": kind, "item": item}
                       for n, (kind, item) in enumerate(kinds_items)]}


# name, request (method, path, JSON body or raw bytes, extra headers, use the session's CSRF token), thin answers
CASES = [
    ("session signed in", ("GET", "/api/session", None, {}, False), True),
    ("progress, all valid", ("POST", "/api/progress", lambda: events(("lesson_viewed", LESSON),
                                                                      ("lesson_completed", LESSON)), {}, True), True),
    ("progress, one stale", ("POST", "/api/progress", lambda: events(("lesson_viewed", LESSON),
                                                                      ("lesson_viewed", "gone/lesson")), {}, True), True),
    ("progress, all refused (422)", ("POST", "/api/progress", lambda: events(("lesson_viewed", "gone/lesson")),
                                     {}, True), True),
    ("progress, no CSRF token", ("POST", "/api/progress", lambda: events(("lesson_viewed", LESSON)), {}, False), False),
    ("progress, a forged CSRF token", ("POST", "/api/progress", lambda: events(("lesson_viewed", LESSON)),
                                       {"X-CSRFToken": "IjEyMyI.forged.token"}, False), False),
    ("progress, not JSON (415)", ("POST", "/api/progress", b"events=1",
                                  {"Content-Type": "application/x-www-form-urlencoded"}, True), False),
    ("progress, malformed JSON", ("POST", "/api/progress", b"{\"events\": [", {}, True), False),
    ("progress, events not a list", ("POST", "/api/progress", {"events": "x"}, {}, True), False),
    ("progress, too many events", ("POST", "/api/progress", lambda: events(*[("lesson_viewed", LESSON)] * 201), {},
                                   True), False),
    ("session, another browser (session protection)", ("GET", "/api/session", None,
                                                       {"User-Agent": "Another/1.0"}, False), False),
    ("session, a bearer token", ("GET", "/api/session", None, {"Authorization": "Bearer abc"}, False), False),
    ("session, HEAD", ("HEAD", "/api/session", None, {}, False), False),
]


@pytest.fixture
def signed_in(app, learner):
    ana = learner()
    ana.csrf()  # Flask's path signs the session's token once in this process
    cache = sessions.generations_for(app.extensions["brokerlearn_engine"].url)
    cache.poll = 3600  # the cache was read just now and stays fresh for the test
    yield ana
    cache.poll = sessions.POLL


def send(visitor, spec, token):
    method, path, body, headers, with_csrf = spec
    headers = {**headers, **({"X-CSRFToken": token} if with_csrf else {})}
    if isinstance(body, bytes):
        headers.setdefault("Content-Type", "application/json")
        return visitor.client.open(path, method=method, data=body, headers=headers)
    return visitor.client.open(path, method=method, json=body, headers=headers)


def answered(app, visitor, spec, token, thin: bool):
    app.extensions["brokerlearn_thin_api"].enabled = thin
    started = []

    def count(sender, **_extra):
        started.append(1)
    with request_started.connected_to(count, app):
        response = send(visitor, spec, token)
    app.extensions["brokerlearn_thin_api"].enabled = True
    body = response.get_json(silent=True)
    return (response.status_code, body, sorted(response.headers.items())), bool(started)


@pytest.mark.parametrize("name,spec,thin_answers", CASES, ids=[c[0] for c in CASES])
def test_the_thin_layer_answers_as_flask_does(app, signed_in, name, spec, thin_answers):
    """Each request twice through Flask (the first does what it changes: events stored, a
    session marked), then through the layer: the layer's answer is Flask's second one."""
    token = signed_in.csrf()
    spec = (*spec[:2], spec[2]() if callable(spec[2]) else spec[2], *spec[3:])  # the same events each time
    answered(app, signed_in, spec, token, thin=False)  # what a request changes (a new event, a session) is done
    reference, flask_ran = answered(app, signed_in, spec, token, thin=False)
    assert flask_ran
    mine, flask_ran = answered(app, signed_in, spec, token, thin=True)
    assert mine == reference
    assert flask_ran is not thin_answers


def test_the_thin_layer_stores_the_events_once_and_acknowledges_replays(app, signed_in):
    token = signed_in.csrf()
    body = events(("lesson_viewed", LESSON), ("lesson_completed", LESSON))
    (status, first, _), flask_ran = answered(app, signed_in, ("POST", "/api/progress", body, {}, True), token, True)
    assert (status, first, flask_ran) == (200, {"recorded": 2, "duplicates": 0, "rejected": []}, False)
    (status, again, _), flask_ran = answered(app, signed_in, ("POST", "/api/progress", body, {}, True), token, True)
    assert (status, again, flask_ran) == (200, {"recorded": 0, "duplicates": 2, "rejected": []}, False)
    progress = signed_in.client.get("/api/progress/example").get_json()
    assert progress["completed_lessons"] == [LESSON]


def test_an_ended_session_is_refused_by_the_thin_layer_at_once(app, signed_in, visitor):
    """Signing out elsewhere ends this session: the layer leaves it to Flask, which refuses it."""
    token = signed_in.csrf()
    assert signed_in.client.get("/api/session").get_json()["user"]["email"] == "ana@agency.org"
    other = visitor()
    other.login("ana@agency.org")
    other.form("/account/settings/password", {"current_password": "a long enough password",
                                              "password": "another long password"})
    assert signed_in.client.get("/api/session").get_json()["user"] is None
    refused = signed_in.client.post("/api/progress", json=events(("lesson_viewed", LESSON)),
                                    headers={"X-CSRFToken": token})
    assert refused.status_code in (400, 401)
