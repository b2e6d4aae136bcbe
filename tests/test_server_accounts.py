"""Accounts through the Flask test client, on SQLite and on PostgreSQL: register, sign in and out,
reset and change the password, delete the account, CSRF, rate limiting, roles."""
import logging
import re

from sqlalchemy import func, select

from server_fixtures import PASSWORD


def test_register_signs_in_and_rejects_bad_fields(visitor):
    ana = visitor()
    response = ana.register("Ana@Agency.org", name="Ana")
    assert response.status_code == 302 and response.headers["Location"].endswith("/dashboard")
    assert ana.user() == {"email": "ana@agency.org", "name": "Ana", "role": "learner"}

    other = visitor()
    for email, password, message in [("not-an-email", PASSWORD, "e-mail address"),
                                     ("bo@agency.org", "short", "at least 10 characters"),
                                     ("ANA@agency.org", PASSWORD, "exists already")]:
        response = other.register(email, password)
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    assert other.user() is None


def test_passwords_are_hashed(app, learner):
    from brokerlearn.server import db
    from brokerlearn.server.models import User
    learner("ana@agency.org")
    with app.app_context():
        stored = db.session().scalar(select(User.password_hash))
    assert PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_login_logout_and_safe_redirect(visitor, learner):
    learner("ana@agency.org").logout()
    ana = visitor()
    assert ana.login("ana@agency.org", "wrong password!").status_code == 401
    response = ana.form("/account/login", {"email": "ana@agency.org", "password": PASSWORD,
                                            "next": "//evil.example/steal"})
    assert response.status_code == 302 and response.headers["Location"] == "/dashboard"
    assert ana.user()["email"] == "ana@agency.org"
    ana.logout()
    assert ana.user() is None
    assert ana.client.get("/dashboard").status_code == 302  # back to the sign-in page


def test_forms_and_api_calls_without_csrf_token_are_rejected(visitor, learner):
    stranger = visitor()
    response = stranger.form("/account/register", {"email": "x@agency.org", "password": PASSWORD}, csrf=False)
    assert response.status_code == 400
    ana = learner("ana@agency.org")
    event = {"event_id": "evt-00000001", "course": "example", "kind": "lesson_viewed",
             "item": "finding-partners/cooperation-profiles"}
    response = ana.api("post", "/api/progress", {"events": [event]}, csrf=False)
    assert response.status_code == 400 and response.is_json
    assert "csrf" in response.get_json()["error"]["message"].lower()
    response = ana.api("post", "/api/progress", {"events": [event]}, headers={"X-CSRFToken": "forged"}, csrf=False)
    assert response.status_code == 400
    assert ana.form("/account/logout", {}, csrf=False).status_code == 400
    assert ana.user() is not None  # the forged logout did nothing


def test_login_is_rate_limited_per_account(app, visitor, learner):
    learner("ana@agency.org")
    attacker = visitor()
    for _ in range(app.config["LOGIN_ATTEMPTS"]):
        assert attacker.login("ana@agency.org", "guess guess guess").status_code == 401
    response = attacker.login("ana@agency.org", PASSWORD)  # even the right password now
    assert response.status_code == 401 and "Too many failed sign-ins" in response.get_data(as_text=True)


def test_password_reset_token_is_single_use(app, visitor, learner, caplog):
    learner("ana@agency.org").logout()
    ana = visitor()
    with caplog.at_level(logging.WARNING, logger="brokerlearn.mail"):
        response = ana.form("/account/reset", {"email": "ana@agency.org"})
        unknown = ana.form("/account/reset", {"email": "nobody@agency.org"})
    assert response.status_code == 200
    assert unknown.get_data(as_text=True) == response.get_data(as_text=True)  # nothing revealed
    links = re.findall(r"http://\S+/account/reset/(\S+)", caplog.text)
    assert len(links) == 1
    token = links[0]
    response = ana.form(f"/account/reset/{token}", {"password": "a brand new password"})
    assert response.status_code == 302 and ana.user()["email"] == "ana@agency.org"
    again = visitor().form(f"/account/reset/{token}", {"password": "yet another password"})
    assert again.status_code == 400 and "used already" in again.get_data(as_text=True)
    assert visitor().form("/account/reset/forged.token.value", {"password": "x" * 12}).status_code == 400
    assert visitor().login("ana@agency.org", "a brand new password").status_code == 302


def test_password_change_signs_out_other_sessions(visitor, learner):
    laptop = learner("ana@agency.org")
    phone = visitor()
    phone.login("ana@agency.org")
    assert phone.user() is not None
    wrong = laptop.form("/account/settings/password", {"current_password": "not it at all", "password": "x" * 12})
    assert wrong.status_code == 422
    response = laptop.form("/account/settings/password",
                           {"current_password": PASSWORD, "password": "a changed password"})
    assert response.status_code == 302
    assert laptop.user() is not None
    assert phone.user() is None


def test_delete_account_removes_all_data(app, learner):
    from brokerlearn.server import db
    from brokerlearn.server.models import ProgressEvent, QuizAttempt, User
    ana = learner("ana@agency.org")
    bo = learner("bo@agency.org")
    for who in (ana, bo):
        who.api("post", "/api/progress", {"events": [
            {"event_id": "evt-deleteme", "course": "example", "kind": "lesson_completed",
             "item": "finding-partners/cooperation-profiles"}]})
        who.api("post", "/api/quizzes/example/m2-assessment/attempts")
    assert ana.form("/account/delete", {"password": "not my password"}).status_code == 422
    response = ana.form("/account/delete", {"password": PASSWORD})
    assert response.status_code == 200 and "deleted" in response.get_data(as_text=True)
    assert ana.user() is None
    with app.app_context():
        session = db.session()
        assert session.scalars(select(User.email)).all() == ["bo@agency.org"]
        assert session.scalar(select(func.count(ProgressEvent.id))) == 1
        assert session.scalar(select(func.count(QuizAttempt.id))) == 1


def test_invite_only_registration(app, visitor):
    from brokerlearn.server.services.accounts import make_invitation
    app.config["REGISTRATION"] = "invite"
    stranger = visitor()
    assert stranger.client.get("/account/register").status_code == 403
    assert stranger.register("x@agency.org").status_code == 403
    token = make_invitation(app.secret_key, "invited@agency.org")
    invited = visitor()
    response = invited.form(f"/account/register?invite={token}",
                            {"email": "someone-else@agency.org", "password": PASSWORD})
    assert response.status_code == 302
    assert invited.user()["email"] == "invited@agency.org"  # the invitation fixes the address
    assert visitor().client.get("/account/register?invite=tampered").status_code == 400


def test_admin_pages_are_checked_on_the_server(app, visitor, learner):
    from brokerlearn.server import db
    from brokerlearn.server.services.accounts import find_user, set_role
    assert visitor().client.get("/admin/").status_code == 302  # to sign in
    ana = learner("ana@agency.org")
    assert ana.client.get("/admin/").status_code == 403
    boss = learner("boss@agency.org")
    with app.app_context():
        set_role(db.session(), find_user(db.session(), "boss@agency.org"), "author")
    boss.login("boss@agency.org")  # a role change signs the account out
    assert boss.client.get("/admin/").status_code == 403
    with app.app_context():
        set_role(db.session(), find_user(db.session(), "boss@agency.org"), "admin")
    boss.login("boss@agency.org")
    response = boss.client.get("/admin/?q=ana")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "ana@agency.org" in text and "boss@agency.org" not in text.split("<tbody>")[1]


def test_session_cookie_flags(app, visitor):
    ana = visitor()
    response = ana.register("ana@agency.org")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    app.config["SESSION_COOKIE_SECURE"] = True
    cookie = visitor().register("bo@agency.org").headers["Set-Cookie"]
    assert "Secure" in cookie
