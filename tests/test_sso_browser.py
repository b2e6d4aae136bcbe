"""Single sign-on in headless Chromium: brokerlearn under waitress, the npm package oidc-provider
on 127.0.0.1 as the agency's identity provider. The sign-in page at 390 and 1366 px (with and
without the password form), a first sign-in with a department claim that enrols into a group,
and a first sign-in whose verified address has an account, confirmed by its password.
Screenshots go to /tmp/shots-h/oidc/ (or $SSO_SHOTS)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from browser import AXE, browser, chromium_path
from oidc import node
from server_fixtures import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed (scripts/setup --test)"),
]
SHOTS = Path(os.environ.get("SSO_SHOTS", "/tmp/shots-h/oidc"))


def _axe(page):
    """axe, in a context that lets its inline script run (the server's CSP blocks it)."""
    context = page.context.browser.new_context(bypass_csp=True, storage_state=page.context.storage_state())
    other = context.new_page()
    other.goto(page.url)
    other.add_script_tag(path=str(AXE))
    result = other.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa']})")
    context.close()
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in result["violations"]]


def _look(page, name: str) -> None:
    """Screenshots at a phone's and a laptop's width; nothing scrolls sideways."""
    for width in (390, 1366):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (name, width)
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)


def _at_provider(page, login: str) -> None:
    page.wait_for_selector("input[name=login]")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "anything")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Continue")
    page.click("text=Continue")


def test_sign_in_with_the_agency_identity_provider(served_app):
    from brokerlearn.server import db
    from brokerlearn.server.models import Group, GroupMember, User
    from brokerlearn.server.services.accounts import create_user
    from brokerlearn.server.services.enrolment import create_group
    from brokerlearn.server.sso import discovery, providers
    app, base = served_app
    SHOTS.mkdir(parents=True, exist_ok=True)
    discovery.forget()
    with node.provider([{"client_id": "brokerlearn", "redirect_uris": [base + "account/sso/agency-login/callback"]}]) as issuer:
        with app.app_context():
            session = db.session()
            provider = providers.add(session, "Agency Login", issuer, "brokerlearn", node.SECRET)
            create_group(session, "Innovation team")
            providers.set_enrolment(session, provider, "department", {"Innovation": "Innovation team"})
            create_user(session, "existing@agency.example", PASSWORD, "Erik Existing")
        with browser() as chromium:
            page = chromium.new_page(viewport={"width": 1366, "height": 900})
            errors = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(base + "account/login?next=/example/")
            button = page.get_by_role("link", name="Sign in with Agency Login")
            assert button.is_visible() and page.locator("#password").is_visible()
            _look(page, "sign-in")
            assert _axe(page) == []

            button.click()
            _at_provider(page, "dora")
            page.wait_for_url(base + "example/")
            me = page.request.get(base + "api/session").json()["user"]
            assert me["email"] == "dora@agency.example"

            # a verified address that has an account: confirmed with its password, in a new browser
            context = chromium.new_context(viewport={"width": 390, "height": 900})
            erik = context.new_page()
            erik.goto(base + "account/login")
            erik.get_by_role("link", name="Sign in with Agency Login").click()
            _at_provider(erik, "existing")
            erik.wait_for_url(base + "account/sso/link")
            _look(erik, "sso-link")
            erik.fill("#password", PASSWORD)
            erik.click("text=Link and sign in")
            erik.wait_for_url(base + "dashboard")
            assert erik.request.get(base + "api/session").json()["user"]["email"] == "existing@agency.example"
            context.close()

            # the administrators' page of the providers
            with app.app_context():
                create_user(db.session(), "boss@agency.example", PASSWORD, "Boss", role="admin")
            boss = chromium.new_page(viewport={"width": 1366, "height": 900})
            boss.goto(base + "account/login")
            boss.fill("#email", "boss@agency.example")
            boss.fill("#password", PASSWORD)
            boss.click("form.account-form button[type=submit]")
            boss.wait_for_url(base + "dashboard")
            boss.goto(base + "admin/sso")
            assert boss.locator("text=" + base + "account/sso/agency-login/callback").is_visible()
            _look(boss, "admin-sso")
            assert _axe(boss) == []

            # password sign-in off: the providers only
            app.config["PASSWORD_SIGNIN"] = False
            fresh = chromium.new_page(viewport={"width": 1366, "height": 900})
            fresh.goto(base + "account/login")
            assert fresh.locator("#password").count() == 0
            assert fresh.get_by_role("link", name="Sign in with Agency Login").is_visible()
            _look(fresh, "sign-in-sso-only")
            assert errors == []
    with app.app_context():
        session = db.session()
        dora = session.query(User).filter_by(email="dora@agency.example").one()
        group = session.query(Group).filter_by(name="Innovation team").one()
        assert session.get(GroupMember, (group.id, dora.id)) is not None
