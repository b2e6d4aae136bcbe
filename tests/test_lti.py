"""brokerlearn as an LTI 1.3 tool, against the tests' own platform (tests/lti_platform.py, on
PyJWT; brokerlearn's side uses joserfc): login initiation, the launch and each of its
refusals, accounts and roles, Deep Linking, grades through the outbox (with the platform down
for a while), the roster, Dynamic Registration, the admin page and the command line. On
SQLite and PostgreSQL (the `app` fixture)."""
from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import func, select, update

from lti_platform import INSTRUCTOR, LEARNER, LTI, Platform, new_key

QUIZ_ITEM = "quiz:example/m2-assessment"


@pytest.fixture
def platform(app):
    """The platform, registered with the tool, and the tool served on 127.0.0.1 (the platform
    fetches the tool's key set from it)."""
    from serving import running
    from brokerlearn.server import db
    from brokerlearn.server.lti import oauth, registration
    oauth.forget()
    lms = Platform()
    with running(app, threads=4) as port:
        app.config["PUBLIC_URL"] = lms.tool_base = f"http://127.0.0.1:{port}"
        with app.app_context():
            registration.add_platform(db.session(), name="Test LMS", **lms.registration())
        yield lms
    lms.close()


def login(client, lms: Platform, claims: dict) -> dict:
    """The platform's login initiation; returns the authentication request the tool made."""
    url = lms.prepare(claims)
    answer = client.get(url[len(lms.tool_base):])
    assert answer.status_code == 302, answer.get_data(as_text=True)
    location = answer.headers["Location"]
    assert location.startswith(lms.base + "/auth?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def launch(client, lms: Platform, claims: dict, **overrides):
    """Login, then the launch with an id_token of the platform (`overrides` change its claims;
    key=..., kid=... sign it otherwise; state=None leaves the state out)."""
    request = login(client, lms, claims)
    state = overrides.pop("state", request["state"])
    nonce = overrides.pop("nonce", request["nonce"])
    token = lms.id_token(claims, nonce, **overrides)
    form = {"id_token": token} | ({"state": state} if state else {})
    return client.post("/lti/launch", data=form), form


def link_of(page) -> str:
    return "/lti/enter/" + page.get_data(as_text=True).split('href="/lti/enter/', 1)[1].split('"', 1)[0]


def csrf_of(page) -> str:
    return page.get_data(as_text=True).split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def enter(client, page) -> str:
    """Follow the launched page's one-time link in a first-party window (without the frame's
    session) and confirm; returns where it led."""
    client.delete_cookie("brokerlearn_session")
    link = link_of(page)
    shown = client.get(link)
    assert shown.status_code == 200, shown.get_data(as_text=True)
    answer = client.post(link, data={"csrf_token": csrf_of(shown)})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return answer.headers["Location"]


def session_user(client):
    return client.get("/api/session").get_json()["user"]


def count(app, model) -> int:
    from brokerlearn.server import db
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model))


def test_login_initiation_sends_the_browser_to_the_platform_with_a_state_and_a_nonce(app, platform):
    request = login(app.test_client(), platform, platform.claims())
    assert request["client_id"] == platform.client_id and request["response_mode"] == "form_post"
    assert request["redirect_uri"] == platform.tool_base + "/lti/launch"
    assert len(request["state"]) >= 32 and len(request["nonce"]) >= 32 and request["state"] != request["nonce"]


def test_an_unregistered_issuer_cannot_start_a_login(app, platform):
    answer = app.test_client().get("/lti/login?iss=https://other.example&login_hint=x")
    assert answer.status_code == 400 and "not registered" in answer.get_data(as_text=True)


def test_a_launch_signs_into_an_account_linked_to_the_platform_user(app, platform):
    from brokerlearn.server.models import LtiAccount, User
    client = app.test_client()
    page, _ = launch(client, platform, platform.claims(custom={"brokerlearn_target": "/example/"}))
    assert page.status_code == 200
    framed = session_user(client)  # in the iframe: the session, in a partitioned cookie
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("brokerlearn_session=") and all(
        part in cookie for part in ("; Partitioned", "; Secure", "; SameSite=None", "; HttpOnly"))
    assert enter(client, page) == "/example/"  # the fallback, a first-party window (the frame's cookie gone)
    user = session_user(client)
    assert (user["email"], user["name"]) == ("ana.lima@school.example", "Ana Lima") and framed == user
    again = app.test_client()
    page, _ = launch(again, platform, platform.claims())
    assert enter(again, page) == "/"
    assert session_user(again)["email"] == user["email"]  # the same account: linked by (issuer, sub)
    assert count(app, LtiAccount) == 1 and count(app, User) == 1


def test_the_frames_session_ends_like_any_other_and_needs_the_csrf_token(app, platform):
    from brokerlearn.server import db
    from brokerlearn.server.services.accounts import end_sessions, find_user
    client = app.test_client()
    launch(client, platform, platform.claims())
    assert session_user(client)["email"] == "ana.lima@school.example"
    event = {"events": [{"event_id": "a" * 32, "course": "example", "kind": "lesson_viewed",
                         "item": "working-together/first-meeting", "at": "2026-12-01T10:00:00Z"}]}
    assert client.post("/api/progress", json=event).status_code == 400  # a cookie session: CSRF as ever
    csrf = client.get("/api/session").get_json()["csrf_token"]
    assert client.post("/api/progress", json=event, headers={"X-CSRFToken": csrf}).status_code == 200
    with app.app_context():
        end_sessions(db.session(), find_user(db.session(), "ana.lima@school.example").id)
    assert session_user(client) is None


def test_the_launch_link_works_once(app, platform):
    client = app.test_client()
    page, _ = launch(client, platform, platform.claims())
    second = app.test_client()  # the same link, opened in a second window before the first confirmed
    shown = second.get(link_of(page))
    enter(client, page)
    again = app.test_client().get(link_of(page))
    assert again.status_code == 410 and "used already" in again.get_data(as_text=True)
    again = second.post(link_of(page), data={"csrf_token": csrf_of(shown)})
    assert again.status_code == 410 and "used already" in again.get_data(as_text=True)
    assert session_user(second) is None


def test_the_launch_link_shows_whom_it_signs_in_and_needs_a_confirming_post(app, platform):
    """Login CSRF: a link passed on to someone else signs nobody in unseen."""
    page, _ = launch(app.test_client(), platform, platform.claims())
    other = app.test_client()
    shown = other.get(link_of(page))
    assert "Continue as Ana Lima, from Test LMS" in shown.get_data(as_text=True)
    assert shown.headers["Referrer-Policy"] == "no-referrer" and shown.headers["Cache-Control"] == "no-store"
    assert session_user(other) is None  # looking at it signs nobody in
    assert other.post(link_of(page)).status_code == 400  # no CSRF token: refused, and the link still works
    assert session_user(other) is None
    confirmed = other.post(link_of(page), data={"csrf_token": csrf_of(shown)})
    assert confirmed.status_code == 302 and session_user(other)["name"] == "Ana Lima"
    cookie = confirmed.headers["Set-Cookie"]  # a first-party session: the cookie as ever
    assert "SameSite=Lax" in cookie and "Partitioned" not in cookie


def test_the_launch_link_is_refused_after_two_minutes(app, platform):
    from brokerlearn.server import db
    from brokerlearn.server.models import LtiLaunchToken, utcnow
    page, _ = launch(app.test_client(), platform, platform.claims())
    client = app.test_client()
    shown = client.get(link_of(page))
    with app.app_context():
        db.session().execute(update(LtiLaunchToken).values(expires_at=utcnow() - timedelta(seconds=1)))
        db.session().commit()
    for answer in (client.get(link_of(page)), client.post(link_of(page), data={"csrf_token": csrf_of(shown)})):
        assert answer.status_code == 410 and "expired" in answer.get_data(as_text=True)
    assert session_user(client) is None


def test_an_address_another_account_has_is_not_taken_over(app, platform, learner):
    learner("ana.lima@school.example")
    client = app.test_client()
    page, _ = launch(client, platform, platform.claims())
    enter(client, page)
    assert session_user(client)["email"].endswith("@lti.invalid")


@pytest.mark.parametrize("case, expected", [
    ("wrong issuer", "another issuer"),
    ("wrong audience", "another audience"),
    ("expired token", "expired"),
    ("replayed nonce", "used already"),
    ("unknown deployment", "deployment"),
    ("bad signature", "signature"),
    ("missing state", "no state"),
    ("other nonce", "nonce"),
    ("unknown kid", "signature"),
])
def test_a_launch_is_refused(app, platform, case, expected):
    from brokerlearn.server.models import LtiAccount
    client = app.test_client()
    claims = platform.claims()
    now = int(time.time())
    overrides = {"wrong issuer": {"iss": "http://localhost:1"},
                 "wrong audience": {"aud": "someone-else"},
                 "expired token": {"exp": now - 600, "iat": now - 900},
                 "unknown deployment": {LTI + "deployment_id": "dep-unknown"},
                 "bad signature": {"key": new_key()},
                 "unknown kid": {"key": new_key(), "kid": "no-such-key"},
                 "missing state": {"state": None},
                 "other nonce": {"nonce": "a-nonce-of-another-login-0000000000"}}.get(case, {})
    if case == "replayed nonce":
        first, form = launch(client, platform, claims)
        assert first.status_code == 200
        client = app.test_client()  # the replay, from another browser
        answer = client.post("/lti/launch", data=form)
    else:
        answer, _ = launch(client, platform, claims, **overrides)
        assert count(app, LtiAccount) == 0  # no account made for a refused launch
    assert answer.status_code == 400
    assert expected in answer.get_data(as_text=True)
    assert "/lti/enter/" not in answer.get_data(as_text=True) and session_user(client) is None


def test_pages_framed_by_a_platform_may_be_framed_by_registered_platforms_only(app, platform):
    page, _ = launch(app.test_client(), platform, platform.claims())
    policy = page.headers["Content-Security-Policy"]
    assert f"frame-ancestors {platform.base}" in policy and "'none'" not in policy.split("frame-ancestors")[1].split(";")[0]
    assert "frame-ancestors 'none'" in app.test_client().get("/account/login").headers["Content-Security-Policy"]


def _ancestors(response) -> str:
    return response.headers["Content-Security-Policy"].split("frame-ancestors ", 1)[1].split(";")[0]


def test_every_page_served_into_the_frame_names_only_the_registered_platforms(app, platform):
    """Lessons (the built site, served in front of Flask), the dashboard and the launch: framed
    by the registered platform and no one else; administration and account pages by no one;
    a removed platform at once by no one."""
    from brokerlearn.server import db
    from brokerlearn.server.lti import registration
    client = app.test_client()
    page, _ = launch(client, platform, platform.claims())
    lesson = client.get("/example/")
    assert lesson.status_code == 200 and "lesson" in lesson.get_data(as_text=True).lower()
    for response in (page, lesson, client.get("/dashboard"), client.get("/_static/server.js")):
        assert _ancestors(response) == platform.base, response.request.path
        assert "X-Frame-Options" not in response.headers or page is response
    for path in ("/admin/lti", "/account/login", "/account/settings"):
        assert _ancestors(client.get(path)) == "'none'", path
    with app.app_context():
        registration.remove_platform(db.session(), registration.platforms(db.session())[0].id)
    lesson = client.get("/example/")
    assert _ancestors(lesson) == "'none'" and lesson.headers["X-Frame-Options"] == "DENY"


def test_teachers_train_the_course_group_and_learners_join_it(app, platform):
    from brokerlearn.server import db
    from brokerlearn.server.models import GroupMember, GroupTrainer, LtiContext, User
    teacher = app.test_client()
    enter(teacher, launch(teacher, platform, platform.claims(sub="t1", roles=(INSTRUCTOR,), name="Tess Teacher",
                                                             email="tess@school.example"))[0])
    student = app.test_client()
    enter(student, launch(student, platform, platform.claims())[0])
    with app.app_context():
        session = db.session()
        context = session.scalar(select(LtiContext))
        tess = session.scalar(select(User).where(User.email == "tess@school.example"))
        ana = session.scalar(select(User).where(User.email == "ana.lima@school.example"))
        assert tess.role == "trainer" and ana.role == "learner"  # never admin; trainers see their groups only
        assert session.get(GroupTrainer, (context.group_id, tess.id)) is not None
        assert session.get(GroupMember, (context.group_id, ana.id)) is not None
        assert session.get(GroupMember, (context.group_id, tess.id)) is None


def test_deep_linking_returns_signed_resource_links_with_line_items_for_graded_items(app, platform):
    client = app.test_client()
    claims = platform.claims(sub="t1", roles=(INSTRUCTOR,), message_type="LtiDeepLinkingRequest")
    picker, _ = launch(client, platform, claims)
    text = picker.get_data(as_text=True)
    assert picker.status_code == 200 and 'value="quiz:example/m2-assessment"' in text
    assert 'value="lesson:example/01-finding-partners/01-where-to-look"' in text or "lesson:example/" in text
    settings = text.split('name="settings" value="', 1)[1].split('"', 1)[0]
    lesson = next(v for v in text.split('value="')[1:] if v.startswith("lesson:")).split('"')[0]
    answer = client.post("/lti/deep-link", data={"settings": settings, "item": [lesson, QUIZ_ITEM]})
    page = answer.get_data(as_text=True)
    assert f'action="{platform.base}/deep-link-return"' in page
    assert platform.base in answer.headers["Content-Security-Policy"].split("form-action")[1]
    jwt_value = page.split('name="JWT" value="', 1)[1].split('"', 1)[0]
    assert requests.post(platform.base + "/deep-link-return", data={"JWT": jwt_value}, timeout=10).ok
    claims_back = platform.deep_links[-1]  # verified by the platform with the tool's published key set
    assert claims_back[LTI + "message_type"] == "LtiDeepLinkingResponse"
    assert claims_back[LTI + "deployment_id"] == platform.deployment_id
    assert claims_back["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-platform-data"
    items = claims_back["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert [i["type"] for i in items] == ["ltiResourceLink", "ltiResourceLink"]
    assert "lineItem" not in items[0] and items[1]["lineItem"]["resourceId"] == QUIZ_ITEM
    assert items[1]["custom"]["brokerlearn_item"] == QUIZ_ITEM


def test_learners_get_no_picker(app, platform):
    answer, _ = launch(app.test_client(), platform, platform.claims(message_type="LtiDeepLinkingRequest"))
    assert answer.status_code == 400 and "teachers" in answer.get_data(as_text=True)


def _submit_quiz(app, client) -> None:
    csrf = client.get("/api/session").get_json()["csrf_token"]
    attempt = client.post("/api/quizzes/example/m2-assessment/attempts", headers={"X-CSRFToken": csrf}).get_json()
    done = client.post(f"/api/quizzes/example/m2-assessment/attempts/{attempt['id']}", json={"answers": {}},
                       headers={"X-CSRFToken": csrf})
    assert done.status_code == 200, done.get_data(as_text=True)


def _send(app):
    from brokerlearn.server import db
    from brokerlearn.server.lti import ags
    with app.app_context():
        ags.enqueue(db.session())
        return ags.send_due(db.session(), Path(app.instance_path))


def _due_now(app):
    from brokerlearn.server import db
    from brokerlearn.server.models import LtiScore, utcnow
    with app.app_context():
        db.session().execute(update(LtiScore).values(next_try_at=utcnow() - timedelta(seconds=1)))
        db.session().commit()


def test_a_graded_quiz_reaches_the_gradebook_and_a_platform_down_loses_nothing(app, platform):
    from brokerlearn.server import db
    from brokerlearn.server.models import LtiScore
    client = app.test_client()
    lineitem = platform.base + "/lineitems/41"
    claims = platform.claims(custom={"brokerlearn_target": "/example/", "brokerlearn_item": QUIZ_ITEM},
                             lineitem=lineitem)
    enter(client, launch(client, platform, claims)[0])
    _submit_quiz(app, client)
    platform.down = True
    assert _send(app) == (0, 1)
    with app.app_context():
        row = db.session().scalar(select(LtiScore))
        assert row.sent_at is None and row.tries == 1 and "503" in row.last_error
    assert _send(app) == (0, 0)  # not due yet: it waits (1 s, then doubling)
    platform.down = False
    _due_now(app)
    assert _send(app) == (1, 0)
    assert _send(app) == (0, 0)  # sent once
    [score] = platform.scores
    assert score["lineitem"] == "/lineitems/41" and score["userId"] == "lms-user-1"
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"
    assert score["scoreGiven"] == 0 and score["scoreMaximum"] > 0 and score["timestamp"]
    assert platform.score_posts == 2


def test_the_sender_thread_delivers_once_the_platform_is_back(app, platform):
    from brokerlearn.server.lti.ags import Sender
    client = app.test_client()
    claims = platform.claims(custom={"brokerlearn_item": QUIZ_ITEM}, lineitem=platform.base + "/lineitems/42")
    enter(client, launch(client, platform, claims)[0])
    platform.down = True
    sender = Sender(app, interval=0.2)
    sender.start()
    try:
        _submit_quiz(app, client)
        deadline = time.time() + 30
        while platform.score_posts < 1 and time.time() < deadline:
            time.sleep(0.1)
        assert platform.score_posts >= 1 and not platform.scores
        platform.down = False
        deadline = time.time() + 30
        while not platform.scores and time.time() < deadline:
            time.sleep(0.1)
    finally:
        sender.stop()
        sender.join(5)
    assert len(platform.scores) == 1


def test_the_roster_becomes_the_group_with_teachers_as_trainers(app, platform):
    from brokerlearn.server import db
    from brokerlearn.server.lti import nrps
    from brokerlearn.server.models import GroupMember, GroupTrainer, LtiContext, User
    platform.roster = [
        {"user_id": "t1", "name": "Tess Teacher", "email": "tess@school.example", "roles": ["Instructor"],
         "status": "Active"},
        {"user_id": "lms-user-1", "name": "Ana Lima", "email": "ana.lima@school.example",
         "roles": [LEARNER], "status": "Active"},
        {"user_id": "s2", "name": "Bo Berg", "roles": ["Learner"], "status": "Active"},
        {"user_id": "s3", "name": "Gone", "roles": ["Learner"], "status": "Inactive"}]
    client = app.test_client()
    enter(client, launch(client, platform, platform.claims())[0])
    with app.app_context():
        session = db.session()
        assert nrps.sync_due(session, Path(app.instance_path)) == 1
        context = session.scalar(select(LtiContext))
        members = {session.get(User, m.user_id).name for m in session.scalars(
            select(GroupMember).where(GroupMember.group_id == context.group_id))}
        trainers = {session.get(User, t.user_id).name for t in session.scalars(
            select(GroupTrainer).where(GroupTrainer.group_id == context.group_id))}
        assert members == {"Ana Lima", "Bo Berg"} and trainers == {"Tess Teacher"}
        assert nrps.sync_due(session, Path(app.instance_path)) == 0  # read again only later
    assert count(app, User) == 3


def test_dynamic_registration_registers_the_platform(app, platform, admin):
    from brokerlearn.server import db
    from brokerlearn.server.models import LtiPlatform
    page = admin.client.get("/admin/lti").get_data(as_text=True)
    url = page.split("/lti/register/", 1)[1].split("<", 1)[0]
    answer = app.test_client().get(f"/lti/register/{url}", query_string={
        "openid_configuration": platform.base + "/.well-known/openid-configuration",
        "registration_token": "reg-token-1"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    [request] = platform.registrations
    assert request["jwks_uri"] == platform.tool_base + "/.well-known/lti-jwks.json"
    assert request["initiate_login_uri"] == platform.tool_base + "/lti/login"
    assert request["token_endpoint_auth_method"] == "private_key_jwt"
    with app.app_context():
        made = db.session().scalar(select(LtiPlatform).where(LtiPlatform.client_id == "dyn-client-9"))
        assert made.deployment_ids == ["dyn-dep-1"] and made.issuer == platform.issuer
    forged = app.test_client().get("/lti/register/not-a-token", query_string={
        "openid_configuration": platform.base + "/.well-known/openid-configuration"})
    assert forged.status_code == 403


def test_the_admin_page_registers_and_removes_platforms_with_audit_entries(app, platform, admin, learner):
    from brokerlearn.server import db
    from brokerlearn.server.models import AuditEntry, LtiPlatform
    fields = {"name": "Canvas", "issuer": "https://canvas.example", "client_id": "10000000000001",
              "deployment_id": "7:abc", "auth_login_url": "https://canvas.example/api/lti/authorize_redirect",
              "auth_token_url": "https://canvas.example/login/oauth2/token",
              "keyset_url": "https://canvas.example/api/lti/security/jwks"}
    assert admin.form("/admin/lti/platforms", fields, page="/admin/lti").status_code == 302
    assert admin.form("/admin/lti/platforms", fields, csrf=False).status_code == 400  # CSRF
    bad = admin.form("/admin/lti/platforms", {**fields, "issuer": "canvas"}, page="/admin/lti")
    assert bad.status_code == 422
    with app.app_context():
        made = db.session().scalar(select(LtiPlatform).where(LtiPlatform.client_id == "10000000000001"))
    page = admin.client.get("/admin/lti").get_data(as_text=True)
    assert "https://canvas.example" in page and "/.well-known/lti-jwks.json" in page
    assert admin.form(f"/admin/lti/platforms/{made.id}/remove", {}, page="/admin/lti").status_code == 302
    with app.app_context():
        actions = list(db.session().scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        assert db.session().get(LtiPlatform, made.id) is None
    assert actions[-2:] == ["lti_platform_added", "lti_platform_removed"]
    assert learner("someone@agency.org").client.get("/admin/lti").status_code == 403


def test_the_tool_publishes_its_key_set_and_configuration(app, platform):
    import jwt
    client = app.test_client()
    keys = client.get("/.well-known/lti-jwks.json").get_json()["keys"]
    assert keys and all("d" not in k and k["alg"] == "RS256" and k["use"] == "sig" and "key_ops" not in k
                        for k in keys)
    assert jwt.PyJWK(keys[0]).key is not None
    config = client.get("/lti/config.json").get_json()
    assert config["oidc_initiation_url"] == platform.tool_base + "/lti/login"
    assert config["public_jwk_url"] == platform.tool_base + "/.well-known/lti-jwks.json"


def test_the_command_line_adds_lists_and_removes_platforms(tmp_path, monkeypatch):
    from click.testing import CliRunner
    from brokerlearn.cli import main
    monkeypatch.delenv("BROKERLEARN_DATABASE_URL", raising=False)
    instance = str(tmp_path / "instance")
    runner = CliRunner()
    args = ["lti", "add-platform", "--issuer", "https://moodle.example", "--client-id", "abc",
            "--deployment-id", "1", "--auth-login-url", "https://moodle.example/mod/lti/auth.php",
            "--auth-token-url", "https://moodle.example/mod/lti/token.php",
            "--keyset-url", "https://moodle.example/mod/lti/certs.php", "--name", "Moodle", "--instance", instance]
    runner.invoke(main, ["db", "upgrade", "--instance", instance], catch_exceptions=False)
    done = runner.invoke(main, args, catch_exceptions=False)
    assert done.exit_code == 0, done.output
    listed = runner.invoke(main, ["lti", "list", "--instance", instance], catch_exceptions=False)
    assert "https://moodle.example" in listed.output and "abc" in listed.output
    wrong = runner.invoke(main, [*args[:3], "not-a-url", *args[4:]])
    assert wrong.exit_code == 2 and "issuer" in wrong.output
    platform_id = listed.stdout.split()[0]
    removed = runner.invoke(main, ["lti", "remove", platform_id, "--instance", instance], catch_exceptions=False)
    assert removed.exit_code == 0, removed.output
    assert "moodle.example" not in runner.invoke(main, ["lti", "list", "--instance", instance]).output


def test_a_released_assignment_result_reaches_the_gradebook_and_an_unreleased_one_does_not(app, platform):
    from brokerlearn.server import db
    from brokerlearn.server.models import AssignmentResult, Submission, User, utcnow
    client = app.test_client()
    claims = platform.claims(custom={"brokerlearn_item": "assignment:example/meeting-plan"},
                             lineitem=platform.base + "/lineitems/77")
    enter(client, launch(client, platform, claims)[0])
    with app.app_context():
        session = db.session()
        ana = session.scalar(select(User).where(User.email == "ana.lima@school.example"))
        work = Submission(user_id=ana.id, course_id="example", assignment_id="meeting-plan", status="submitted",
                          rubric_version="v1", submitted_at=utcnow())
        session.add(work)
        session.flush()
        result = AssignmentResult(submission_id=work.id, user_id=ana.id, course_id="example",
                                  assignment_id="meeting-plan", rubric_version="v1", score=7, max_score=10, passed=True)
        session.add(result)
        session.commit()
        result_id = result.id
    assert _send(app) == (0, 0)  # graded, not released: nothing goes
    with app.app_context():
        db.session().execute(update(AssignmentResult).where(AssignmentResult.id == result_id)
                             .values(released_at=utcnow()))
        db.session().commit()
    assert _send(app) == (1, 0)
    [score] = platform.scores
    assert (score["lineitem"], score["scoreGiven"], score["scoreMaximum"]) == ("/lineitems/77", 7, 10)


def test_a_course_cannot_take_the_lti_endpoints_address(make_course):
    from brokerlearn.course.loader import load_courses
    from brokerlearn.errors import Diagnostics
    root = make_course({"course.yml": "id: lti\ntitle: Mini\nlanguage: en\nmodules: [01-intro]\n"})
    diags = Diagnostics()
    load_courses(root.parent, diags)
    assert any("reserved" in d.message for d in diags.errors)


def test_a_platform_that_rotates_its_key_is_followed(app, platform):
    first, _ = launch(app.test_client(), platform, platform.claims())
    assert first.status_code == 200  # the tool now holds the platform's key set
    platform.key, platform.kid = new_key(), "platform-key-2"
    again, _ = launch(app.test_client(), platform, platform.claims())
    assert again.status_code == 200, again.get_data(as_text=True)  # an unknown kid: the key set is read again


def _sender_after_its_first_round(app):
    """A grade sender with a minute's rescan, started, once it has made its first look and gone
    to sleep."""
    from brokerlearn.server.lti.ags import Sender
    sender = Sender(app, interval=60.0)
    sender.start()
    deadline = time.time() + 30
    while sender.rounds < 1 and time.time() < deadline:
        time.sleep(0.05)
    if sender.rounds != 1:
        sender.stop()
        pytest.fail(f"the sender made {sender.rounds} rounds before sleeping, not one")
    return sender


def test_a_graded_quiz_wakes_the_sender_at_once_and_a_slow_rescan_finds_the_rest(app, platform):
    """The sender sleeps up to its rescan (here a minute): a quiz submitted in this process
    wakes it, so the score is sent within moments, not at the next rescan."""
    client = app.test_client()
    claims = platform.claims(custom={"brokerlearn_item": QUIZ_ITEM}, lineitem=platform.base + "/lineitems/43")
    enter(client, launch(client, platform, claims)[0])
    sender = _sender_after_its_first_round(app)
    try:
        started = time.monotonic()
        _submit_quiz(app, client)
        while not platform.scores and time.monotonic() - started < 20:
            time.sleep(0.05)
        assert len(platform.scores) == 1 and time.monotonic() - started < 20  # far before the minute's rescan
        assert sender.rounds <= 3
    finally:
        sender.stop()
        sender.join(5)
    assert not sender.is_alive()


def test_without_a_line_item_grading_does_not_wake_the_sender_and_a_bound_one_does(app, platform):
    """A round costs a graded submission several statements: where no platform grades (no line
    item), a submission wakes nothing; a line item bound by a launch in this process makes the
    next graded submission wake it."""
    client = app.test_client()
    sender = _sender_after_its_first_round(app)
    try:
        assert not sender.line_items
        enter(client, launch(client, platform, platform.claims())[0])  # no line item in its claims
        _submit_quiz(app, client)
        time.sleep(0.5)
        assert sender.rounds == 1  # not woken
        claims = platform.claims(custom={"brokerlearn_item": QUIZ_ITEM}, lineitem=platform.base + "/lineitems/44")
        enter(client, launch(client, platform, claims)[0])
        assert sender.line_items
        _submit_quiz(app, client)
        deadline = time.time() + 20
        while not platform.scores and time.time() < deadline:
            time.sleep(0.05)
        assert platform.scores  # sent by the woken sender's second round, far before its rescan
    finally:
        sender.stop()
        sender.join(5)


def test_the_sender_sleeps_until_the_first_retry_is_due(app):
    from datetime import timedelta
    from brokerlearn.server import db
    from brokerlearn.server.lti import ags
    from brokerlearn.server.models import utcnow
    with app.app_context():
        session = db.session()
        assert ags.next_due_in(session) is None
        now = utcnow()
        score = _bare_score(session, now + timedelta(seconds=8))
        assert 7.5 < ags.next_due_in(session, now) <= 8
        score.next_try_at = now - timedelta(seconds=3)
        session.commit()
        assert ags.next_due_in(session, now) == 0


def _bare_score(session, due):
    from brokerlearn.server.models import LtiAccount, LtiLineItem, LtiPlatform, LtiScore, User, utcnow
    platform = LtiPlatform(issuer="https://lms.example", client_id="c", deployment_ids=["d"], auth_login_url="https://lms.example/a",
                           auth_token_url="https://lms.example/t", keyset_url="https://lms.example/k")
    user = User(email="s@example.org", name="S", password_hash="!", role="learner", session_version=0)
    session.add_all([platform, user])
    session.flush()
    item = LtiLineItem(platform_id=platform.id, url="https://lms.example/li/1", course_id="example", kind="quiz", item_id="q")
    account = LtiAccount(platform_id=platform.id, sub="s", user_id=user.id)
    session.add_all([item, account])
    session.flush()
    score = LtiScore(line_item_id=item.id, account_id=account.id, source="quiz", source_id=1, score_given=1,
                     score_maximum=1, timestamp=utcnow(), activity_progress="Completed",
                     grading_progress="FullyGraded", next_try_at=due, tries=0)
    session.add(score)
    session.commit()
    return score
