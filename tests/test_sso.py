"""Single sign-on (issue 22, item 2) against independent providers on 127.0.0.1: the npm package
oidc-provider (OpenID Certified) for the flow, and a provider that forges its ID tokens with
PyJWT (tests/oidc/forger.py) for the refusals, on SQLite and PostgreSQL. The learner's side is
the Flask test client; the provider's pages are driven with requests, as a browser would."""
from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import select

from oidc import forger as forging
from oidc import node
from server_fixtures import PASSWORD, Visitor

CALLBACK = "http://localhost/account/sso/{slug}/callback"


@pytest.fixture(scope="module")
def issuer():
    """oidc-provider with two clients: `brokerlearn`, and `slow`, whose codes last one second."""
    with node.provider([
        {"client_id": "brokerlearn", "redirect_uris": [CALLBACK.format(slug="test-idp")]},
        {"client_id": "slow", "redirect_uris": [CALLBACK.format(slug="slow-idp")], "code_ttl": 1},
    ]) as url:
        yield url


@pytest.fixture(autouse=True)
def _fresh_discovery():
    from brokerlearn.server.sso import discovery
    discovery.forget()
    yield
    discovery.forget()


def add_provider(app, name: str, issuer: str, client_id: str = "brokerlearn", secret: str = node.SECRET):
    from brokerlearn.server import db
    from brokerlearn.server.sso import providers
    with app.app_context():
        return providers.add(db.session(), name, issuer, client_id, secret).slug


@pytest.fixture
def idp(app, issuer):
    return add_provider(app, "Test IdP", issuer)


def query(app, statement):
    from brokerlearn.server import db
    with app.app_context():
        return list(db.session().execute(statement))


class AtProvider:
    """The person at the provider's pages: its cookies, its login and consent forms."""

    def __init__(self):
        self.http = requests.Session()

    def follow(self, url: str) -> requests.Response | str:
        """Follow redirects on the provider; returns the URL that leaves it (to brokerlearn)."""
        for _ in range(10):
            if url.startswith("http://localhost/"):
                return url
            response = self.http.get(url, allow_redirects=False, timeout=10)
            if response.status_code not in (302, 303):
                return response
            url = urljoin(url, response.headers["Location"])
        raise AssertionError("too many redirects")

    def submit(self, page: requests.Response, **fields) -> requests.Response | str:
        action = re.search(r'<form[^>]*action="([^"]+)"', page.text)[1]
        response = self.http.post(urljoin(page.url, action), data=fields, allow_redirects=False, timeout=10)
        assert response.status_code in (302, 303), response.text[:500]
        return self.follow(urljoin(page.url, response.headers["Location"]))

    def sign_in(self, authorization_url: str, login: str, consent: bool = True) -> str:
        page = self.follow(authorization_url)
        if isinstance(page, requests.Response) and 'name="login"' in page.text:
            page = self.submit(page, prompt="login", login=login, password="anything")
        if isinstance(page, requests.Response) and 'value="consent"' in page.text:
            if not consent:
                abort = re.search(r'href="([^"]*/abort)"', page.text)[1]
                return self.follow(urljoin(page.url, abort))
            page = self.submit(page, prompt="consent")
        assert isinstance(page, str), page.text[:500]
        return page


def start(visitor: Visitor, slug: str, next_path: str | None = None) -> str:
    response = visitor.client.get(f"/account/sso/{slug}/start" + (f"?next={next_path}" if next_path else ""))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def callback(visitor: Visitor, url: str):
    parts = urlsplit(url)
    return visitor.client.get(parts.path + "?" + parts.query)


def sso_sign_in(visitor: Visitor, slug: str, login: str, person: AtProvider | None = None):
    """The whole flow; returns brokerlearn's answer at the callback."""
    return callback(visitor, (person or AtProvider()).sign_in(start(visitor, slug), login))


def text(response) -> str:
    return response.get_data(as_text=True)


# -- the flow -----------------------------------------------------------------------------------

def test_a_first_sign_in_makes_an_account_and_the_next_signs_into_it(app, visitor, idp, issuer):
    from brokerlearn.server.models import SsoIdentity, SsoRequest, User
    ana = visitor()
    authorization = start(ana, idp, "/example/")
    asked = {k: v[0] for k, v in parse_qs(urlsplit(authorization).query).items()}
    assert asked["code_challenge_method"] == "S256" and asked["response_type"] == "code"
    assert len(asked["state"]) >= 32 and len(asked["nonce"]) >= 32 and asked["client_id"] == "brokerlearn"
    assert asked["redirect_uri"] == CALLBACK.format(slug="test-idp")
    answer = callback(ana, AtProvider().sign_in(authorization, "alice"))
    assert answer.status_code == 302 and answer.headers["Location"] == "/example/"
    assert ana.user()["email"] == "alice@agency.example"
    users = query(app, select(User.email, User.name))
    assert [tuple(u) for u in users] == [("alice@agency.example", "Alice Example")]
    [(found_issuer, subject)] = query(app, select(SsoIdentity.issuer, SsoIdentity.subject))
    assert (found_issuer, subject) == (issuer, "alice")
    assert query(app, select(SsoRequest.state)) == []  # the state, nonce and verifier were used once

    again = visitor()
    assert sso_sign_in(again, idp, "alice").status_code == 302
    assert again.user()["email"] == "alice@agency.example"
    assert len(query(app, select(User.id))) == 1
    data = again.client.get("/account/settings/data.json").get_json()  # GDPR Art. 15: the identity too
    assert [(i["issuer"], i["subject"]) for i in data["sign_in_identities"]] == [(issuer, "alice")]


def test_the_sign_in_page_offers_each_provider(app, visitor, idp, issuer):
    add_provider(app, "Agency Keycloak", issuer)
    page = text(visitor().client.get("/account/login?next=/example/"))
    assert "Sign in with Test IdP" in page and "Sign in with Agency Keycloak" in page
    assert 'href="/account/sso/test-idp/start?next=/example/"' in page
    assert 'name="password"' in page  # password sign-in stays on by default


def test_a_department_claim_enrols_into_its_group(app, visitor, idp):
    from brokerlearn.server import db
    from brokerlearn.server.models import AuditEntry, GroupMember, User
    from brokerlearn.server.services.enrolment import create_group
    from brokerlearn.server.sso import providers
    with app.app_context():
        group = create_group(db.session(), "Innovation team")
        create_group(db.session(), "Sales")
        providers.set_enrolment(db.session(), providers.find(db.session(), idp), "department",
                                {"Innovation": "Innovation team", "Sales": "Sales"})
        group_id = group.id
    assert sso_sign_in(visitor(), idp, "dora").status_code == 302
    assert sso_sign_in(visitor(), idp, "alice").status_code == 302
    members = query(app, select(User.email, GroupMember.group_id).join(GroupMember, GroupMember.user_id == User.id))
    assert [tuple(m) for m in members] == [("dora@agency.example", group_id)]
    assert [a for (a,) in query(app, select(AuditEntry.action))] == ["member_added"]


def test_a_verified_address_of_an_account_links_only_with_its_password(app, visitor, idp):
    from brokerlearn.server.models import AuditEntry, SsoIdentity, User
    erik = visitor()
    erik.register("existing@agency.example", name="Erik")
    erik.logout()
    answer = sso_sign_in(erik, idp, "existing")
    assert answer.status_code == 302 and answer.headers["Location"] == "/account/sso/link"
    assert erik.user() is None  # not signed in before the password
    page = text(erik.client.get("/account/sso/link"))
    assert "existing@agency.example" in page and "Test IdP" in page
    wrong = erik.form("/account/sso/link", {"password": "not the password at all"})
    assert wrong.status_code == 401 and erik.user() is None
    assert query(app, select(SsoIdentity.id)) == []
    right = erik.form("/account/sso/link", {"password": PASSWORD})
    assert right.status_code == 302 and erik.user()["email"] == "existing@agency.example"
    [(action, details)] = query(app, select(AuditEntry.action, AuditEntry.details))
    assert action == "sso_linked" and "subject existing" in details
    assert len(query(app, select(User.id))) == 1

    later = visitor()
    assert sso_sign_in(later, idp, "existing").headers["Location"] != "/account/sso/link"
    assert later.user()["email"] == "existing@agency.example"


def test_an_unverified_address_of_an_account_is_not_linked(app, visitor, idp):
    from brokerlearn.server.models import SsoIdentity, User
    visitor().register("existing@agency.example")
    answer = sso_sign_in(visitor(), idp, "unverified")
    assert answer.status_code == 409 and "does not confirm that this address is verified" in text(answer)
    assert query(app, select(SsoIdentity.id)) == [] and len(query(app, select(User.id))) == 1


def test_a_provider_that_shares_no_address_makes_no_account(app, visitor, idp):
    from brokerlearn.server.models import User
    answer = sso_sign_in(visitor(), idp, "noaddress")
    assert answer.status_code == 400 and "e-mail address" in text(answer)
    assert query(app, select(User.id)) == []


# -- password sign-in switched off ---------------------------------------------------------------

@pytest.fixture
def sso_only(app):
    app.config["PASSWORD_SIGNIN"] = False
    return app


def test_with_password_sign_in_off_only_the_providers_remain(sso_only, visitor, idp):
    ana = visitor()
    page = text(ana.client.get("/account/login"))
    assert "Sign in with Test IdP" in page and 'name="password"' not in page and "/account/register" not in page
    assert ana.form("/account/login", {"email": "a@agency.org", "password": PASSWORD}).status_code == 403
    assert ana.client.get("/account/register").status_code == 403
    assert ana.form("/account/register", {"email": "a@agency.org", "password": PASSWORD}).status_code == 403
    assert ana.client.get("/account/reset").status_code == 403
    assert sso_sign_in(ana, idp, "alice").status_code == 302 and ana.user()["email"] == "alice@agency.example"


def test_with_password_sign_in_off_an_address_match_is_left_to_the_admin(sso_only, visitor, idp):
    from brokerlearn.server import db
    from brokerlearn.server.services.accounts import create_user
    with sso_only.app_context():
        create_user(db.session(), "existing@agency.example", PASSWORD)
    answer = sso_sign_in(visitor(), idp, "existing")
    assert answer.status_code == 409
    assert "Password sign-in is switched off" in text(answer) and "brokerlearn sso link" in text(answer)


# -- refusals at the callback --------------------------------------------------------------------

def test_access_denied_at_the_provider_is_a_clear_message(app, visitor, idp):
    from brokerlearn.server.models import SsoRequest, User
    ana = visitor()
    answer = callback(ana, AtProvider().sign_in(start(ana, idp), "alice", consent=False))
    assert answer.status_code == 401 and "cancelled" in text(answer) and ana.user() is None
    assert query(app, select(User.id)) == [] and query(app, select(SsoRequest.state)) == []


@pytest.mark.parametrize("state", ["", "a-state-this-server-never-made", "another browser's"])
def test_a_missing_or_wrong_state_is_refused(app, visitor, idp, state):
    ana, other = visitor(), visitor()
    back = AtProvider().sign_in(start(other if state == "another browser's" else ana, idp), "alice")
    parts = urlsplit(back)
    args = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if state != "another browser's":
        args["state"] = state
    answer = ana.client.get(parts.path, query_string=args)
    assert answer.status_code == 400 and "not started in this browser" in text(answer)
    assert ana.user() is None


def test_an_answer_used_twice_is_refused(visitor, idp):
    ana = visitor()
    back = AtProvider().sign_in(start(ana, idp), "alice")
    assert callback(ana, back).status_code == 302
    ana.logout()
    again = callback(ana, back)
    assert again.status_code == 400 and ana.user() is None


def test_an_expired_code_is_a_clear_message(app, visitor, issuer):
    slow = add_provider(app, "Slow IdP", issuer, client_id="slow")
    ana = visitor()
    back = AtProvider().sign_in(start(ana, slow), "alice")
    time.sleep(2.2)  # the client's codes last one second
    answer = callback(ana, back)
    assert answer.status_code == 400 and "did not accept the sign-in code" in text(answer)
    assert ana.user() is None


def test_the_code_is_worth_nothing_without_the_pkce_verifier(app, visitor, idp, issuer):
    from sqlalchemy import update

    from brokerlearn.server import db
    from brokerlearn.server.models import SsoRequest
    ana = visitor()
    back = AtProvider().sign_in(start(ana, idp), "alice")
    code = parse_qs(urlsplit(back).query)["code"][0]
    # The provider itself refuses the code without the verifier (so brokerlearn did send a challenge) ...
    token = requests.post(issuer + "/token", data={"grant_type": "authorization_code", "code": code,
                                                   "redirect_uri": CALLBACK.format(slug="test-idp")},
                          auth=("brokerlearn", node.SECRET), timeout=10)
    assert token.status_code == 400 and token.json()["error"] == "invalid_grant"
    # ... and so does it from brokerlearn when the verifier kept for the sign-in is not the one.
    ana2 = visitor()
    back = AtProvider().sign_in(start(ana2, idp), "alice")
    with app.app_context():
        db.session().execute(update(SsoRequest).values(code_verifier="x" * 64))
        db.session().commit()
    answer = callback(ana2, back)
    assert answer.status_code == 400 and "did not accept the sign-in code" in text(answer)
    assert ana2.user() is None


# -- forged ID tokens ----------------------------------------------------------------------------

@pytest.fixture
def forged(app):
    with forging.Forger("brokerlearn") as provider:
        slug = add_provider(app, "Forged IdP", provider.issuer)
        provider.slug = slug
        yield provider


def test_the_forging_provider_signs_in_when_it_behaves(forged, visitor):
    ana = visitor()
    answer = callback(ana, AtProvider().follow(start(ana, forged.slug)))
    assert answer.status_code == 302 and ana.user()["email"] == forged.email
    # PKCE S256: the verifier sent with the code is the one the challenge was made from
    [asked], [sent] = forged.authorizations, forged.token_requests
    assert forging.s256(sent["code_verifier"]) == asked["code_challenge"] and sent["authorization"].startswith("Basic ")


@pytest.mark.parametrize("mode", ["wrong-issuer", "wrong-audience", "expired", "bad-signature", "unknown-key",
                                  "alg-none", "no-nonce", "replayed-nonce", "unknown-crit"])
def test_a_forged_id_token_is_refused(app, forged, visitor, mode):
    from brokerlearn.server.models import SsoIdentity, User
    if mode == "replayed-nonce":  # a first sign-in, whose token's nonce is then sent again
        first = visitor()
        assert callback(first, AtProvider().follow(start(first, forged.slug))).status_code == 302
    forged.mode = mode
    ana = visitor()
    answer = callback(ana, AtProvider().follow(start(ana, forged.slug)))
    assert answer.status_code == 400 and "could not be verified" in text(answer), text(answer)
    assert ana.user() is None
    expected = 1 if mode == "replayed-nonce" else 0
    assert len(query(app, select(User.id))) == expected == len(query(app, select(SsoIdentity.id)))


def test_a_provider_whose_discovery_names_another_issuer_is_refused(app, visitor):
    with forging.Forger("brokerlearn") as provider:
        slug = add_provider(app, "Mixed Up", provider.issuer)
        provider.metadata = lambda: {**forging.Forger.metadata(provider), "issuer": "http://127.0.0.1:9/other"}
        answer = visitor().client.get(f"/account/sso/{slug}/start")
    assert answer.status_code == 502 and "does not match" in text(answer)


def test_an_unreachable_provider_is_a_message_not_an_error(app, visitor):
    slug = add_provider(app, "Down", "http://127.0.0.1:9")
    answer = visitor().client.get(f"/account/sso/{slug}/start")
    assert answer.status_code == 502 and "cannot be reached" in text(answer)


# -- the command line ----------------------------------------------------------------------------

def run(*args, env=None, **kwargs):
    from brokerlearn.cli import main
    return CliRunner().invoke(main, list(args), env=env or {}, catch_exceptions=False, **kwargs)


def test_the_sso_commands(tmp_path, monkeypatch, built_example, issuer):
    from brokerlearn.server import create_app
    from server_fixtures import SECRETS_KEY
    monkeypatch.delenv("DATABASE_URL", raising=False)
    instance = str(tmp_path / "instance")
    assert run("db", "upgrade", "--instance", instance).exit_code == 0
    keyless = run("sso", "add-provider", "--name", "Agency Login", "--issuer", issuer, "--client-id", "brokerlearn",
                  "--instance", instance, input=node.SECRET + "\n")
    assert keyless.exit_code == 2 and "BROKERLEARN_SECRETS_KEY is not set" in keyless.output
    monkeypatch.setenv("BROKERLEARN_SECRETS_KEY", SECRETS_KEY)
    run("users", "create", "boss@agency.org", "--role", "admin", "--instance", instance,
        env={"BROKERLEARN_PASSWORD": PASSWORD})
    run("users", "create", "erik@agency.org", "--instance", instance, env={"BROKERLEARN_PASSWORD": PASSWORD})
    added = run("sso", "add-provider", "--name", "Agency Login", "--issuer", issuer, "--client-id", "brokerlearn",
                "--public-url", "https://learn.example.org", "--instance", instance, input=node.SECRET + "\n")
    assert added.exit_code == 0, added.output
    assert "https://learn.example.org/account/sso/agency-login/callback" in added.output
    wrong = run("sso", "add-provider", "--name", "Nowhere", "--issuer", "http://127.0.0.1:9", "--client-id", "x",
                "--client-secret", "y", "--instance", instance)
    assert wrong.exit_code == 2 and "not found" in wrong.output
    plain = run("sso", "add-provider", "--name", "Plain", "--issuer", "http://idp.example.org", "--client-id", "x",
                "--client-secret", "y", "--no-check", "--instance", instance)
    assert plain.exit_code == 2 and "must be an https:// URL" in plain.output
    assert run("sso", "enrol", "agency-login", "--claim", "department", "--group", "Innovation=Nope",
               "--instance", instance).exit_code == 2  # no such group
    listing = run("sso", "list", "--instance", instance, "--public-url", "https://learn.example.org").stdout
    assert listing.split("\t")[:5] == ["agency-login", "Agency Login", issuer, "brokerlearn", "secret set (encrypted)"]
    assert node.SECRET not in listing

    linked = run("sso", "link", "erik@agency.org", "--provider", "Agency Login", "--subject", "existing",
                 "--instance", instance)
    assert linked.exit_code == 0, linked.output
    assert run("sso", "link", "boss@agency.org", "--provider", "agency-login", "--subject", "existing",
               "--instance", instance).exit_code == 2  # that identity is linked already
    assert "unlinked 1 identity" in run("sso", "unlink", "erik@agency.org", "--instance", instance).stdout
    assert run("sso", "emergency-link", "erik@agency.org", "--instance", instance).exit_code == 2  # not an admin
    link = run("sso", "emergency-link", "boss@agency.org", "--public-url", "http://localhost",
               "--instance", instance).stdout.strip()
    assert link.startswith("http://localhost/account/sso/emergency/")

    # The break-glass way in, with password sign-in off: once.
    app = create_app({"PASSWORD_SIGNIN": False, "TESTING": True}, build_dir=built_example, instance_path=instance)
    boss = Visitor(app)
    path = urlsplit(link).path
    assert "Emergency sign-in" in text(boss.client.get(path)) and boss.user() is None
    used = boss.form(path, {})
    assert used.status_code == 302 and used.headers["Location"] == "/admin/" and boss.user()["email"] == "boss@agency.org"
    other = Visitor(app)
    assert other.form(path, {}).status_code == 400 and other.user() is None  # used already
    assert boss.user()["email"] == "boss@agency.org"
    from brokerlearn.server import db
    from brokerlearn.server.models import AuditEntry
    with app.app_context():
        actions = [e.action for e in db.session().scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert actions == ["sso_provider_added", "sso_linked", "sso_unlinked", "emergency_sign_in", "emergency_sign_in"]
    assert run("sso", "remove", "agency-login", "--instance", instance).exit_code == 0
    assert run("sso", "list", "--instance", instance).stdout == ""
    app.extensions["brokerlearn_engine"].dispose()


# -- the admin page ------------------------------------------------------------------------------

def test_the_admin_page_adds_sets_the_rule_of_and_removes_a_provider(app, admin, learner, issuer):
    from brokerlearn.server.models import AuditEntry, SsoProvider
    ana = learner("ana@agency.org")
    assert ana.client.get("/admin/sso").status_code == 403
    assert ana.form("/admin/sso", {"name": "Mine", "issuer": issuer, "client_id": "x"}, page="/account/settings"
                    ).status_code == 403
    assert "No provider is set up yet" in text(admin.client.get("/admin/sso"))
    wrong = admin.form("/admin/sso", {"name": "Nowhere", "issuer": "http://127.0.0.1:9", "client_id": "x"})
    assert wrong.status_code == 422 and "was not found" in text(wrong)
    added = admin.form("/admin/sso", {"name": "Agency Login", "issuer": issuer, "client_id": "brokerlearn",
                                      "client_secret": node.SECRET})
    assert added.status_code == 302
    page = text(admin.client.get("/admin/sso"))
    assert "http://localhost/account/sso/agency-login/callback" in page and node.SECRET not in page
    assert "Sign in with Agency Login" in text(ana.client.get("/account/login"))
    bad = admin.form("/admin/sso/agency-login/enrolment", {"claim": "department", "rules": "Innovation = Nope"},
                     page="/admin/sso")
    assert bad.status_code == 422 and "no group" in text(bad)
    rule = admin.form("/admin/sso/agency-login/enrolment",
                      {"claim": "department", "rules": "Innovation = Office North\n"}, page="/admin/sso")
    assert rule.status_code == 302
    [(claim, groups)] = query(app, select(SsoProvider.enrol_claim, SsoProvider.enrol_groups))
    assert (claim, groups) == ("department", {"Innovation": "Office North"})
    assert admin.form("/admin/sso/agency-login/remove", {}, page="/admin/sso").status_code == 302
    assert query(app, select(SsoProvider.id)) == []
    actions = [a for (a,) in query(app, select(AuditEntry.action).order_by(AuditEntry.id))]
    assert actions == ["sso_provider_added", "sso_enrolment_set", "sso_provider_removed"]


def test_two_first_sign_ins_at_once_make_one_account(app, visitor, idp, monkeypatch):
    """The other tab's sign-in linked the subject between this one's look and its insert: the
    unique (issuer, subject) refuses the second account, and this sign-in opens the first."""
    from brokerlearn.server.models import SsoIdentity, User
    from brokerlearn.server.sso import accounts
    assert sso_sign_in(visitor(), idp, "alice").status_code == 302
    real, calls = accounts.identity, []

    def not_yet(db, issuer, subject):
        calls.append(subject)
        return None if len(calls) == 1 else real(db, issuer, subject)
    monkeypatch.setattr(accounts, "identity", not_yet)
    monkeypatch.setattr(accounts, "find_user", lambda db, email: None)  # neither saw the other's account
    second = visitor()
    answer = sso_sign_in(second, idp, "alice")
    assert answer.status_code == 302 and answer.headers["Location"] != "/account/sso/link"
    assert second.user()["email"] == "alice@agency.example" and len(calls) == 2
    assert len(query(app, select(User.id))) == 1 == len(query(app, select(SsoIdentity.id)))
