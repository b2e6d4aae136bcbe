"""Accounts through the Flask test client, on SQLite and on PostgreSQL: register, sign in and out,
reset and change the password, delete the account, CSRF, rate limiting, roles."""
import json
import logging
import re

import pytest
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
    # Nothing revealed: the two pages are the same but for the CSRF token's signing time.
    import re
    token = re.compile(r'name="csrf_token" value="[^"]*"')
    assert token.sub("", unknown.get_data(as_text=True)) == token.sub("", response.get_data(as_text=True))
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
    assert boss.client.get("/admin/learners").status_code == 403  # an author has the home and reports only
    with app.app_context():
        set_role(db.session(), find_user(db.session(), "boss@agency.org"), "admin")
    boss.login("boss@agency.org")
    response = boss.client.get("/admin/learners?q=ana")
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


# --- issue 14: open redirects, logout, rate limit races, address checks, reset tokens, flash ---

OFFSITE = ["//evil.example/steal", "/\t/evil.example/", "/\\evil.example/", "/\\/evil.example/",
           "\t//evil.example/", "/\r\n/evil.example/", "/x\r\nSet-Cookie: a=b", "https://evil.example/",
           "javascript:alert(1)", "evil.example", "/\x00/evil.example", "/%0a".replace("%0a", "\n")]


def test_login_next_goes_nowhere_but_this_site(visitor, learner):
    learner("ana@agency.org").logout()
    for target in OFFSITE:
        ana = visitor()
        assert ana.client.get("/account/login", query_string={"next": target}).status_code == 200  # never a 500
        response = ana.form("/account/login", {"email": "ana@agency.org", "password": PASSWORD, "next": target},
                            page="/account/login")
        assert response.status_code == 302 and response.headers["Location"] == "/dashboard", repr(target)


def test_language_switch_goes_nowhere_but_this_site(visitor):
    for target in OFFSITE:
        response = visitor().form("/account/language", {"lang": "de", "next": target}, page="/account/login")
        assert response.status_code == 302 and response.headers["Location"] == "/", repr(target)


def test_same_site_targets_are_kept(visitor, learner):
    learner("ana@agency.org").logout()
    target = "/example/finding-partners/?x=1#top"
    response = visitor().form("/account/login", {"email": "ana@agency.org", "password": PASSWORD, "next": target},
                              page="/account/login")
    assert response.headers["Location"] == target
    response = visitor().form("/account/language", {"lang": "de", "next": target}, page="/account/login")
    assert response.headers["Location"] == target


def test_logout_ends_copied_session_and_remember_cookies(app, visitor, learner):
    learner("ana@agency.org").logout()
    ana = visitor()
    response = ana.form("/account/login", {"email": "ana@agency.org", "password": PASSWORD, "remember": "1"})
    assert response.status_code == 302
    session_cookie = ana.client.get_cookie("brokerlearn_session").value
    remember_cookie = ana.client.get_cookie("remember_token").value

    def signed_in_with(name: str, value: str) -> bool:
        thief = visitor()
        thief.client.set_cookie(name, value)
        return thief.user() is not None

    assert signed_in_with("brokerlearn_session", session_cookie)  # the copies work before logout...
    assert signed_in_with("remember_token", remember_cookie)
    assert ana.logout().status_code == 302 and ana.user() is None
    assert not signed_in_with("brokerlearn_session", session_cookie)  # ...and never after
    assert not signed_in_with("remember_token", remember_cookie)
    assert visitor().login("ana@agency.org").status_code == 302  # signing in again works


def _attempt(who, email: str, password: str) -> str:
    return who.form("/account/login", {"email": email, "password": password}).get_data(as_text=True)


def test_concurrent_wrong_passwords_check_at_most_the_limit(app, visitor, learner):
    import threading
    from concurrent.futures import ThreadPoolExecutor
    learner("ana@agency.org").logout()
    limit = app.config["LOGIN_ATTEMPTS"]
    guessers = [visitor() for _ in range(20)]
    tokens = [g.page_token("/account/login") for g in guessers]
    start = threading.Barrier(len(guessers))

    def guess(index: int) -> str:
        start.wait()
        return guessers[index].client.post("/account/login", data={
            "email": "ana@agency.org", "password": f"guess number {index}", "csrf_token": tokens[index]}
        ).get_data(as_text=True)

    with ThreadPoolExecutor(len(guessers)) as pool:
        answers = list(pool.map(guess, range(len(guessers))))
    checked = sum("password is not right" in text for text in answers)
    refused = sum("Too many failed sign-ins" in text for text in answers)
    # Every attempt is recorded before any is counted, so a burst that commits all its rows
    # before the first count is refused whole (PostgreSQL runs the 20 in parallel; SQLite
    # serialises them): the limit errs on refusing, and never lets more than `limit` through.
    assert 0 <= checked <= limit and checked + refused == len(guessers)
    # Refused attempts do not count: further guesses are checked until `limit` in all, then none.
    later = visitor()
    for _ in range(limit - checked):
        assert "password is not right" in _attempt(later, "ana@agency.org", "one more guess")
    assert "Too many failed sign-ins" in _attempt(later, "ana@agency.org", PASSWORD)


def _from(who, address: str):
    who.client.environ_base["REMOTE_ADDR"] = address
    return who


def test_one_address_cannot_lock_out_others(app, visitor, learner):
    learner("ana@agency.org").logout()
    learner("bo@agency.org").logout()
    office = "198.51.100.7"
    attacker = _from(visitor(), office)
    for _ in range(app.config["LOGIN_ATTEMPTS"]):
        assert "password is not right" in _attempt(attacker, "ana@agency.org", "guess guess guess")
    assert "Too many failed sign-ins" in _attempt(attacker, "ana@agency.org", PASSWORD)
    # A colleague behind the same address, and Ana from elsewhere, still sign in.
    assert _from(visitor(), office).login("bo@agency.org").status_code == 302
    assert _from(visitor(), "192.0.2.44").login("ana@agency.org").status_code == 302


def test_one_address_guessing_across_accounts_is_stopped(app, visitor, learner):
    from brokerlearn.server.services.accounts import ADDRESS_FACTOR
    learner("bo@agency.org").logout()
    app.config["LOGIN_ATTEMPTS"] = 1
    sprayer = _from(visitor(), "203.0.113.9")
    for n in range(ADDRESS_FACTOR):  # one guess each at many accounts
        assert "password is not right" in _attempt(sprayer, f"user{n}@agency.org", "guess guess guess")
    assert "Too many failed sign-ins" in _attempt(sprayer, "bo@agency.org", PASSWORD)
    assert _from(visitor(), "192.0.2.44").login("bo@agency.org").status_code == 302


BAD_ADDRESSES = ["\x1b]0;PWNED\x07evil@test.local", "nul\x00@agency.org", "bell\x07@agency.org",
                 "del\x7f@agency.org", "tab\there@agency.org", "ana@agen\x1bcy.org", "rlo\u202e@agency.org",
                 "zero\u200bwidth@agency.org", "a b@agency.org", "<ana>@agency.org", '"ana"@agency.org',
                 "ana,bo@agency.org", "ana;bo@agency.org", "ana:bo@agency.org", "(ana)@agency.org",
                 "[ana]@agency.org", "ana\\bo@agency.org", ".ana@agency.org", "ana.@agency.org",
                 "an..a@agency.org", "ana@agency", "ana@-agency.org", "ana@agency-.org", "ana@agen_cy.org",
                 "ana@agency..org", "ana@[127.0.0.1]", "ana@@agency.org", "@agency.org", "ana@",
                 "x" * 65 + "@agency.org", "ana@" + "a" * 64 + ".org", "ana\u2028@agency.org"]
GOOD_ADDRESSES = ["ana@agency.org", "o'brien@agency.ie", "ana+news@agency.org", "a.b-c_d@sub.agency.co.uk",
                  "jürgen@müller.de", "zoë@例え.jp", "x1@a1.xn--p1ai"]


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_addresses_with_characters_out_of_place_are_refused(address):
    from brokerlearn.server.services.accounts import AccountError, normalise_email
    with pytest.raises(AccountError):
        normalise_email(address)


@pytest.mark.parametrize("address", GOOD_ADDRESSES)
def test_ordinary_addresses_are_accepted(address):
    from brokerlearn.server.services.accounts import normalise_email
    assert normalise_email(f"  {address.upper()} ") == address.upper().lower()


def test_registration_refuses_control_characters(visitor):
    who = visitor()
    response = who.register("\x1b]0;PWNED-TITLE\x07evil@test.local")
    assert response.status_code == 422 and "e-mail address" in response.get_data(as_text=True)
    for name in ["Ana\x1b[31m", "Ana\x00", "Ana\u202eevil", "Ana\tTab", "Ana\nLine"]:
        response = who.register("ana@agency.org", name=name)
        assert response.status_code == 422 and "control or invisible" in response.get_data(as_text=True), name
    assert who.register("ana@agency.org", name="  Ana   María  ").status_code == 302
    assert who.user()["name"] == "Ana María"


def _payload(token: str) -> dict:
    from itsdangerous import URLSafeSerializer
    return URLSafeSerializer("unused").load_payload(token.rsplit(".", 2)[0].encode())


def test_reset_token_shows_nothing_of_the_password_hash(app, learner):
    from brokerlearn.server import db
    from brokerlearn.server.services import accounts
    learner("ana@agency.org")
    with app.app_context():
        session = db.session()
        user = accounts.find_user(session, "ana@agency.org")
        token = accounts.make_reset_token(app.secret_key, user)
        readable = json.dumps(_payload(token))
        digest = user.password_hash.rsplit("$", 1)[-1]
        salt = user.password_hash.split("$")[1]
        for secret_part in (digest, salt):
            assert not any(secret_part[i:i + 8] in readable for i in range(len(secret_part) - 7)), readable
        assert accounts.user_for_reset_token(session, app.secret_key, token).id == user.id
        accounts.set_password(session, user, "a changed password")  # a new password spends the token
        with pytest.raises(accounts.AccountError, match="used already"):
            accounts.user_for_reset_token(session, app.secret_key, token)


def test_flashed_messages_are_shown_once(app, visitor, learner):
    from brokerlearn.server import db
    from brokerlearn.server.services import accounts
    learner("ana@agency.org").logout()
    with app.app_context():
        user = accounts.find_user(db.session(), "ana@agency.org")
        tokens = [accounts.make_reset_token(app.secret_key, user)]
    for lang, text in [("en", "Your new password is set."), ("de", "Ihr neues Passwort ist gesetzt.")]:
        ana = visitor()
        response = ana.form(f"/account/reset/{tokens[-1]}", {"password": f"a new password in {lang}"},
                            headers={"Accept-Language": lang})
        assert response.status_code == 302
        page = ana.client.get(response.headers["Location"]).get_data(as_text=True)
        assert re.search(r'<div class="wrap flash-messages" role="status"><p class="form-done">'
                         + re.escape(text) + "</p></div>", page), page[:2000]
        assert text not in ana.client.get("/dashboard").get_data(as_text=True)  # shown once, then gone
        with app.app_context():
            tokens.append(accounts.make_reset_token(app.secret_key, accounts.find_user(db.session(), "ana@agency.org")))


def test_failures_older_than_the_window_are_purged(app, visitor, learner):
    from datetime import timedelta
    from brokerlearn.server import db
    from brokerlearn.server.models import LoginFailure, utcnow
    from brokerlearn.server.services.accounts import RATE_WINDOW
    learner("ana@agency.org").logout()
    with app.app_context():
        session = db.session()
        session.add(LoginFailure(key="address:192.0.2.1", created_at=utcnow() - RATE_WINDOW - timedelta(minutes=1)))
        session.commit()
    assert "password is not right" in _attempt(visitor(), "ana@agency.org", "guess guess guess")
    assert visitor().login("ana@agency.org").status_code == 302
    with app.app_context():
        keys = db.session().scalars(select(LoginFailure.key)).all()
    assert keys == ["address:127.0.0.1"]  # the recent failure stays, the old row is gone


@pytest.mark.parametrize("asked, lands", [("/example/finding-partners/", "/example/finding-partners/?welcome"),
                                          ("/example/search/?q=profile#top", "/example/search/?q=profile&welcome#top"),
                                          ("//evil.example/", "/dashboard?welcome")])
def test_create_an_account_returns_where_the_learner_came_from(visitor, asked, lands):
    """Issue 16: registration kept no `next` and landed on the dashboard without a word; now it
    goes back (marked ?welcome, for the page's script to greet), never to another host."""
    from urllib.parse import quote

    from markupsafe import escape

    from brokerlearn.server.security import same_site_path
    ana = visitor()
    page = ana.client.get("/account/register?next=" + quote(asked)).get_data(as_text=True)
    assert f'name="next" value="{escape(same_site_path(asked, "/dashboard"))}"' in page
    response = ana.form("/account/register?next=" + quote(asked),
                        {"email": "ana@agency.org", "password": PASSWORD, "name": "Ana"}, page="/account/register")
    assert response.status_code == 302 and response.headers["Location"] == lands


def test_create_an_account_without_next_greets_on_the_dashboard(visitor):
    ana = visitor()
    response = ana.register("ana@agency.org", name="Ana")
    assert response.headers["Location"] == "/dashboard"
    assert "Welcome, Ana — your account is ready." in ana.client.get("/dashboard").get_data(as_text=True)
