"""What an employer sees of a certificate, and how an administrator revokes one: the PDF on one
A4 page (the flagship profile, 30 long outcomes, 45 outcomes summarised by unit) with its frame
intact; the public page naming holder, qualification, level, issuer, course, dates and status;
revocation in two steps with a public reason and a private note that never leaves the admin
pages; a revoked certificate marked as such everywhere and its PDF no longer given out."""
import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from brokerlearn.server.credentials.keys import create_key
from test_certificates import PUBLIC, UNICODE_NAME, decode_part, earn_and_claim

REPO = Path(__file__).resolve().parents[1]
FLAGSHIP = REPO / "courses" / "online-collaboration"
NUMBER = "3f2b8c1e-0d7a-4c55-9a61-2b7e0f4d9c10"
NOTE = "Ticket 4711: the learner's manager asked us; see the e-mail of 30 November."


@pytest.fixture
def app(app):
    create_key(Path(app.instance_path))
    app.config.update(PUBLIC_URL=PUBLIC, ISSUER_NAME="Agentur Nord")
    return app


# The PDF ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf_app(tmp_path_factory):
    """Enough of the server to render the certificate template (no database is touched)."""
    from brokerlearn.server import create_app
    folder = tmp_path_factory.mktemp("pdf")
    return create_app({"DATABASE_URL": "sqlite://", "TESTING": True}, build_dir=folder,
                      instance_path=folder / "instance")


def flagship_profile():
    from brokerlearn.compiler.manifest import build_manifest
    from brokerlearn.course.loader import load_course
    from brokerlearn.errors import Diagnostics
    manifest = build_manifest(load_course(FLAGSHIP, Diagnostics()))
    outcomes = [{"id": oid, "statement": o.statement, "score": 0.87} for oid, o in manifest.outcomes.items()]
    return outcomes, manifest.profile, manifest.title


def generated_profile(count: int, length: int, per_unit: int = 5):
    from brokerlearn.course.manifest import Profile, Unit
    units, outcomes = [], []
    for u in range(-(-count // per_unit)):
        ids = [f"U{u + 1}.O{i + 1}" for i in range(per_unit) if u * per_unit + i < count]
        units.append(Unit(f"U{u + 1}", f"Unit {u + 1}: keeping a network of partners alive at a distance", ids))
        for n, oid in enumerate(ids):
            text = (f"Outcome {oid} (number {n}): plans and carries out with the client a documented, proportionate "
                    "and fair procedure for finding, assessing and keeping partners over several years " * 4)
            outcomes.append({"id": oid, "statement": text[:length], "score": 0.91})
    return outcomes, Profile("generated", "Generated qualification with a title as long as real ones are",
                             "generated/qualification/index.html", "EQF 5", units=units), "A generated course"


def laid_out(pdf_app, outcomes, profile, course_title):
    from brokerlearn.paths import default_theme_dir
    from brokerlearn.server.contexts import CertificateDocument
    from brokerlearn.server.credentials.pdf import by_unit, certificate_document
    context = CertificateDocument(
        lang="en", title="Certificate of qualification", name=UNICODE_NAME, issuer_name="Agentur Nord",
        profile_title=profile.title, level=profile.level, course_title=course_title, outcomes=outcomes,
        units=by_unit(outcomes, profile), issued="1 December 2026", valid_until="1 December 2029",
        certificate_id=NUMBER, verify_url=f"{PUBLIC}/certificates/{NUMBER}")
    with pdf_app.test_request_context():
        layout, document = certificate_document(context, default_theme_dir() / "static")
    return layout, document


def frame_intact(document) -> None:
    """Everything inside the frame; the outcomes end above the footer; the QR code beside the
    header, above the outcomes."""
    boxes = {}
    for box in document.pages[0]._page_box.descendants():
        element = getattr(box, "element", None)
        if element is not None and box.element_tag in ("main", "section", "footer", "img", "header"):
            boxes[box.element_tag] = (box.border_box_y(), box.border_box_y() + box.border_height())
    frame, outcomes, footer, qr = boxes["main"], boxes["section"], boxes["footer"], boxes["img"]
    assert frame[0] <= qr[0] and qr[1] <= outcomes[0]
    assert outcomes[1] <= footer[0] and footer[1] <= frame[1], (outcomes, footer, frame)


def one_page_text(document) -> str:
    reader = PdfReader(io.BytesIO(document.write_pdf()))
    assert len(reader.pages) == 1
    assert (round(float(reader.pages[0].mediabox.width)), round(float(reader.pages[0].mediabox.height))) == (842, 595)
    return reader.pages[0].extract_text()


def assert_facts_on_page_one(text: str, profile, course_title: str) -> None:
    flat = " ".join(text.split())
    for expected in (UNICODE_NAME, "AGENTUR NORD", "Certificate of qualification", profile.title,
                     *([profile.level] if profile.level else []), course_title, "1 December 2026", "1 December 2029", NUMBER, f"{PUBLIC}/certificates/{NUMBER}"):
        assert expected in flat, expected


def test_the_flagship_certificate_is_one_page_listing_every_outcome_under_its_unit(pdf_app):
    outcomes, profile, course_title = flagship_profile()
    assert len(outcomes) == 20
    layout, document = laid_out(pdf_app, outcomes, profile, course_title)
    assert layout == "list"
    text = one_page_text(document)
    assert_facts_on_page_one(text, profile, course_title)
    flat = " ".join(text.split())
    for outcome in outcomes:
        assert outcome["id"] in flat
    assert "U6 · Running a fair and effective service" in flat and "87%" in flat
    frame_intact(document)


def test_thirty_long_outcomes_stay_on_one_page(pdf_app):
    outcomes, profile, course_title = generated_profile(30, 180)
    layout, document = laid_out(pdf_app, outcomes, profile, course_title)
    assert layout in ("list", "compact")  # listed in full: 30 is within LIST_MAX
    text = " ".join(one_page_text(document).split())
    assert_facts_on_page_one(text, profile, course_title)
    assert all(o["id"] in text for o in outcomes)
    frame_intact(document)


def test_forty_five_outcomes_are_summarised_by_unit_on_one_page(pdf_app):
    outcomes, profile, course_title = generated_profile(45, 120)
    layout, document = laid_out(pdf_app, outcomes, profile, course_title)
    assert layout == "units"
    text = " ".join(one_page_text(document).split())
    assert_facts_on_page_one(text, profile, course_title)
    assert "45 learning outcomes achieved, by unit" in text
    assert all(f"U{u} Unit {u}: keeping a network" in text for u in range(1, 10))
    assert text.count("5 outcomes") == 9
    assert outcomes[0]["statement"][:40] not in text  # summarised, not listed
    assert "listed in full at the verification address" in text
    frame_intact(document)


def test_even_a_profile_too_long_for_a_unit_list_gets_one_page(pdf_app):
    outcomes, profile, course_title = generated_profile(200, 60, per_unit=2)  # 100 units
    layout, document = laid_out(pdf_app, outcomes, profile, course_title)
    assert layout == "count"
    text = " ".join(one_page_text(document).split())
    assert "200 learning outcomes achieved" in text and NUMBER in text


# Helpers for the server tests -----------------------------------------------------------------

def promote(app, who, email: str, role: str) -> None:
    """Give the account a role; it signs in again (a role change ends its sessions)."""
    from brokerlearn.server import db
    from brokerlearn.server.services.accounts import find_user, set_role
    with app.app_context():
        set_role(db.session(), find_user(db.session(), email), role)
    who.login(email)


def stored(app, certificate_id: str):
    from brokerlearn.server import db
    from brokerlearn.server.models import Certificate
    with app.app_context():
        certificate = db.session().get(Certificate, certificate_id)
        db.session().expunge(certificate)
        return certificate


def revoke_page(who, certificate_id: str, **data):
    return who.form(f"/admin/certificates/{certificate_id}/revoke", data)


# The public page ------------------------------------------------------------------------------

def test_the_public_page_says_what_was_certified_to_whom_by_whom(app, learner, visitor, built_example):
    ana = learner("ana@agency.org")
    certificate_id = earn_and_claim(ana, built_example)
    response = visitor().client.get(f"/certificates/{certificate_id}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    for expected in ("<dt>Holder</dt><dd>" + UNICODE_NAME,
                     '<dt>Qualification</dt><dd><a href="/example/qualification/index.html">Partner search assistant (example)</a>',
                     "<dt>Level</dt><dd>EQF 5</dd>", "<dt>Issued by</dt><dd>Agentur Nord</dd>",
                     '<dt>Course</dt><dd><a href="/example/index.html">Example: a partner search in three steps</a>',
                     "<dt>Status</dt>", ">valid</span>", "<strong>Valid.</strong>", "3 learning outcomes certified",
                     "U1 · Finding partners", '<a href="/example/qualification/index.html#outcome-U1.O1">U1.O1</a>',
                     "Writes a cooperation profile that a stranger can act on."):
        assert expected in page, expected
    assert "%)" not in page  # no scores for a visitor
    # The outcome anchors exist on the qualification page the links go to.
    qualification = (built_example / "site" / "example" / "qualification" / "index.html").read_text()
    assert 'id="outcome-U1.O1"' in qualification


def test_revocation_asks_first_and_keeps_the_private_note_private(app, learner, visitor, built_example, tmp_path):
    ana = learner("ana@agency.org")
    certificate_id = earn_and_claim(ana, built_example)
    token = ana.client.get(f"/certificates/{certificate_id}/credential.jwt").get_data(as_text=True)
    boss = learner("boss@agency.org")
    promote(app, boss, "boss@agency.org", "admin")
    # The list links to the confirmation page, which says the reason is public and revokes nothing.
    listing = boss.client.get("/admin/certificates").get_data(as_text=True)
    assert f'href="/admin/certificates/{certificate_id}/revoke"' in listing
    confirm = boss.client.get(f"/admin/certificates/{certificate_id}/revoke?reason=x&confirm=yes")
    text = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "The reason is public." in text and "verification page" in text
    assert 'name="note"' in text and 'name="reason"' in text and "required" in text
    assert stored(app, certificate_id).revoked_at is None  # a GET never revokes
    # Without the confirmation, without a reason, without the CSRF token: nothing is revoked.
    unconfirmed = revoke_page(boss, certificate_id, reason="Issued by mistake.")
    assert unconfirmed.status_code == 400 and "Nothing was revoked yet" in unconfirmed.get_data(as_text=True)
    assert 'value="Issued by mistake."' in unconfirmed.get_data(as_text=True)  # kept for the second step
    assert revoke_page(boss, certificate_id, reason="  ", confirm="yes").status_code == 422
    forged = boss.client.post(f"/admin/certificates/{certificate_id}/revoke",
                              data={"reason": "forged", "confirm": "yes"})
    assert forged.status_code == 400
    assert stored(app, certificate_id).revoked_at is None
    assert "<strong>Valid.</strong>" in visitor().client.get(f"/certificates/{certificate_id}").get_data(as_text=True)

    done = revoke_page(boss, certificate_id, reason="Issued by mistake.", note=NOTE, confirm="yes")
    assert done.status_code == 302
    row = stored(app, certificate_id)
    assert row.revoked_at is not None and row.revocation_reason == "Issued by mistake." and row.revocation_note == NOTE

    public = visitor().client.get(f"/certificates/{certificate_id}").get_data(as_text=True)
    assert "verdict-revoked" in public and "Revoked</strong> on" in public and "Issued by mistake." in public
    assert "status-revoked" in public and "revoked on" in public
    # The holder: no downloads offered, the PDF route answers with a page that says why.
    own = ana.client.get(f"/certificates/{certificate_id}").get_data(as_text=True)
    assert "certificate.pdf" not in own and "credential.jwt" not in own and "no longer offered" in own
    refused = ana.client.get(f"/certificates/{certificate_id}/certificate.pdf")
    assert refused.status_code == 410 and refused.mimetype == "text/html"
    assert "Issued by mistake." in refused.get_data(as_text=True)
    dashboard = ana.client.get("/dashboard").get_data(as_text=True)
    assert "Revoked on" in dashboard and "Issued by mistake." in dashboard
    assert "download the PDF" not in dashboard
    # The admin list: revoked, the public reason and the private note (for the record).
    listing = boss.client.get("/admin/certificates").get_data(as_text=True)
    assert "status-revoked" in listing and "Issued by mistake." in listing and "Ticket 4711" in listing
    assert f'href="/admin/certificates/{certificate_id}/revoke"' not in listing
    # The note is nowhere outside the admin pages: public page, holder's page, credential,
    # status list, the verify form's answer.
    assert "Ticket 4711" not in public and "Ticket 4711" not in own and "Ticket 4711" not in dashboard
    assert "Ticket 4711" not in json.dumps(decode_part(token.split(".")[1]))
    assert "Ticket 4711" not in ana.client.get(f"/certificates/{certificate_id}/credential.jwt").get_data(as_text=True)
    status_list = visitor().client.get("/certificates/status/1").get_data(as_text=True)
    assert "Ticket 4711" not in json.dumps(decode_part(status_list.split(".")[1]))
    checker = visitor()
    verdict = checker.form("/certificates/verify", {"credential": token}).get_data(as_text=True)
    assert "Issued by mistake." in verdict and "Ticket 4711" not in verdict
    # Twice: the confirmation page is not offered again.
    assert boss.client.get(f"/admin/certificates/{certificate_id}/revoke").status_code == 302


@pytest.mark.parametrize("role", ["learner", "author", "trainer"])
def test_only_an_administrator_may_revoke(app, learner, visitor, built_example, role):
    from brokerlearn.server.models import ROLES
    if role not in ROLES:
        pytest.skip(f"no {role} role in this version")
    ana = learner("ana@agency.org")
    certificate_id = earn_and_claim(ana, built_example)
    other = learner("someone@agency.org")
    promote(app, other, "someone@agency.org", role)
    assert other.client.get(f"/admin/certificates/{certificate_id}/revoke").status_code == 403
    assert other.form(f"/admin/certificates/{certificate_id}/revoke", {"reason": "x", "confirm": "yes"},
                      page="/dashboard").status_code == 403
    assert ana.form(f"/admin/certificates/{certificate_id}/revoke", {"reason": "x", "confirm": "yes"},
                    page="/dashboard").status_code == 403  # not the holder either
    signed_out = visitor().client.get(f"/admin/certificates/{certificate_id}/revoke")
    assert signed_out.status_code in (302, 401)
    assert stored(app, certificate_id).revoked_at is None


def test_erasing_the_account_erases_the_private_note(app, learner, built_example):
    from brokerlearn.server import db
    from brokerlearn.server.services.accounts import find_user
    from brokerlearn.server.services.certificates import revoke, withdraw_for_deleted_account
    ana = learner("ana@agency.org")
    certificate_id = earn_and_claim(ana, built_example)
    with app.app_context():
        revoke(db.session(), certificate_id, "Issued by mistake.", NOTE)
        withdraw_for_deleted_account(db.session(), find_user(db.session(), "ana@agency.org").id)
        db.session().commit()
    row = stored(app, certificate_id)
    assert row.revocation_note is None and row.name == "" and row.revocation_reason == "Issued by mistake."


# In a browser: the public page at a phone's and a desktop's width, valid and revoked ------------

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
WCAG = "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22a', 'wcag22aa']"


@pytest.fixture
def served_certificates(built_example, tmp_path):
    """The example under waitress with two certificates issued, one of them revoked: the base
    URL, the valid one's number, the revoked one's."""
    from brokerlearn.server import create_app
    from brokerlearn.server.db import upgrade
    from server_fixtures import Visitor
    from serving import running
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    application = create_app({"DATABASE_URL": url}, build_dir=built_example, instance_path=tmp_path / "instance")
    create_key(tmp_path / "instance")
    application.config.update(PUBLIC_URL=PUBLIC, ISSUER_NAME="Agentur Nord")
    numbers = []
    for email, name in (("ana@agency.org", UNICODE_NAME), ("bo@agency.org", "Bo Lindqvist-Andersson")):
        who = Visitor(application)
        assert who.register(email).status_code == 302
        numbers.append(earn_and_claim(who, built_example, name))
    boss = Visitor(application)
    boss.register("boss@agency.org")
    promote(application, boss, "boss@agency.org", "admin")
    assert revoke_page(boss, numbers[1], reason="The final assessment was taken by someone else.", note=NOTE,
                       confirm="yes").status_code == 302
    with running(application, threads=4) as port:
        yield f"http://127.0.0.1:{port}/", numbers[0], numbers[1]


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1366])
def test_the_public_page_reads_well_on_a_phone_and_a_desktop_and_passes_axe(served_certificates, width):
    from browser import AXE, browser, chromium_path
    if chromium_path() is None or not AXE.is_file():
        pytest.skip("chromium or axe-core is not installed (scripts/setup --test, npm ci)")
    base, valid, revoked = served_certificates
    ARTIFACTS.mkdir(exist_ok=True)
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": width, "height": 900}, bypass_csp=True)  # to inject axe
        for state, number in (("valid", valid), ("revoked", revoked)):
            page.goto(f"{base}certificates/{number}")
            page.screenshot(path=str(ARTIFACTS / f"certificate-{state}-{width}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            facts = page.locator("dl.facts").inner_text()
            for label in ("Holder", "Qualification", "Level", "Issued by", "Course", "Issued", "Status"):
                assert label in facts
            banner = page.locator(".verdict").first
            if state == "revoked":
                assert "REVOKED" in banner.inner_text() and "someone else" in banner.inner_text()
                box = banner.bounding_box()
                assert box["y"] < 600  # above the fold, on a phone too
                assert "Ticket 4711" not in page.content()
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(f"async () => await axe.run(document, {{runOnly: {{type: 'tag', values: {WCAG}}}}})")
            violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
            assert violations == [], (state, violations)
            assert len(result["passes"]) > 10


def sign_in_browser(page, base: str, email: str) -> None:
    from server_fixtures import PASSWORD
    page.goto(base + "account/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form.account-form button[type=submit]")
    page.wait_for_url("**/dashboard")


@pytest.mark.browser
def test_the_revocation_pages_and_the_holders_dashboard_in_a_browser(served_certificates):
    """The admin list and the confirmation page (no JavaScript needed: a page and a form), and
    the revoked holder's dashboard, at 390 and 1366 px: no sideways scrolling, axe finds nothing."""
    from browser import AXE, browser, chromium_path
    if chromium_path() is None or not AXE.is_file():
        pytest.skip("chromium or axe-core is not installed (scripts/setup --test, npm ci)")
    base, valid, revoked = served_certificates
    ARTIFACTS.mkdir(exist_ok=True)
    with browser() as chromium:
        for email, pages in (("boss@agency.org", ("admin/certificates", f"admin/certificates/{valid}/revoke")),
                             ("bo@agency.org", ("dashboard", f"certificates/{revoked}"))):
            context = chromium.new_context(bypass_csp=True, java_script_enabled=email != "boss@agency.org")
            page = context.new_page()
            sign_in_browser(page, base, email)  # a plain form: no JavaScript needed
            for width in (390, 1366):
                page.set_viewport_size({"width": width, "height": 900})
                for path in pages:
                    page.goto(base + path)
                    name = path.split("/")[0] + ("-revoke" if path.endswith("/revoke") else "")
                    if path.startswith("certificates/"):
                        name = "holder-revoked"
                    page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
                    assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, width)
            context.close()
    # axe needs JavaScript: the same pages once more with it.
    with browser() as chromium:
        for email, paths in (("boss@agency.org", ("admin/certificates", f"admin/certificates/{valid}/revoke")),
                             ("bo@agency.org", ("dashboard",))):
            page = chromium.new_context(bypass_csp=True).new_page()
            sign_in_browser(page, base, email)
            for path in paths:
                page.goto(base + path)
                page.add_script_tag(path=str(AXE))
                result = page.evaluate(f"async () => await axe.run(document, {{runOnly: {{type: 'tag', values: {WCAG}}}}})")
                violations = [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
                assert violations == [], (path, violations)

