"""Running a cohort (issue 17, items 2 and 5): invitations mailed to a real SMTP server on
127.0.0.1 (aiosmtpd) with their status, resend and expiry; CSV enrolment of new and existing
people; members added and removed; a group's courses and dates on the learner's dashboard;
report downloads byte-equal to the command line's exports; questions flagged in the item
statistics."""
from __future__ import annotations

import email
import email.policy
import io
import re
import socket
from contextlib import contextmanager
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from brokerlearn.cli import main
from server_fixtures import PASSWORD

QUIZ = "/api/quizzes/example/m2-assessment"


class Mailbox:
    """What reached the SMTP server, as parsed messages."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"

    def link(self, index: int = -1) -> str:
        body = self.messages[index].get_body(("plain",)).get_content()
        return re.search(r"(http\S+/account/register\?invite=\S+)", body).group(1)


@contextmanager
def smtp_server():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture
def mailbox(app):
    """The application mails through a local SMTP server (in clear: it is this machine's)."""
    with smtp_server() as (box, port):
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_SECURITY="none", MAIL_FROM="learn@agency.org",
                          ISSUER_NAME="Agentur Nord")
        yield box


def invitation(app, address: str):
    from sqlalchemy import select

    from brokerlearn.server import db
    from brokerlearn.server.models import Invitation
    with app.app_context():
        row = db.session().scalar(select(Invitation).where(Invitation.email == address))
        db.session().expunge(row)
        return row


def members(app, group_id: int = 1) -> list[str]:
    from sqlalchemy import select

    from brokerlearn.server import db
    from brokerlearn.server.models import GroupMember, User
    with app.app_context():
        return list(db.session().scalars(select(User.email).join(GroupMember, GroupMember.user_id == User.id)
                                         .where(GroupMember.group_id == group_id).order_by(User.email)))


def local(link: str) -> str:
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def test_invitation_mail_in_german_resend_and_expiry(app, admin, visitor, mailbox):
    admin.form("/admin/groups/1/schedule", {"course": "example", "starts": "2027-01-11", "due": "2027-02-26"},
               page="/admin/groups/1")
    response = admin.form("/admin/groups/1", {"email": "nina@agency.org", "name": "Nina", "lang": "de", "send": "1"})
    assert response.status_code == 302
    assert "Invitation mailed to nina@agency.org" in admin.client.get("/admin/groups/1").get_data(as_text=True)
    [message] = mailbox.messages
    assert message["To"] == "nina@agency.org" and message["Subject"] == "Agentur Nord lädt Sie zum Online-Lernen ein"
    body = message.get_body(("plain",)).get_content()
    assert "Hallo Nina," in body and "Example: a partner search in three steps" in body and "Agentur Nord" in body
    assert invitation(app, "nina@agency.org").status == "sent"
    # Expired: a clear message with the date, and nothing else happens.
    from brokerlearn.server import db
    from brokerlearn.server.models import Invitation
    with app.app_context():
        row = db.session().get(Invitation, invitation(app, "nina@agency.org").id)
        row.expires_at = row.expires_at - timedelta(days=30)
        db.session().commit()
    newcomer = visitor()
    expired = newcomer.client.get(local(mailbox.link()))
    assert expired.status_code == 400 and "This invitation expired on" in expired.get_data(as_text=True)
    assert "Ask your agency to send it again" in expired.get_data(as_text=True)
    listed = admin.client.get("/admin/invitations").get_data(as_text=True)
    assert "expired" in listed and "nina@agency.org" in listed
    # Resent: a second mail, more days, and the link works (opened), then registers.
    resend = admin.form(f"/admin/invitations/{row.id}/resend", {}, page="/admin/invitations")
    assert resend.status_code == 302 and len(mailbox.messages) == 2
    again = invitation(app, "nina@agency.org")
    assert again.sends == 2 and again.status == "sent"
    page = newcomer.client.get(local(mailbox.link()))
    assert page.status_code == 200 and 'value="nina@agency.org"' in page.get_data(as_text=True)
    assert invitation(app, "nina@agency.org").status == "opened"
    token = mailbox.link().split("invite=", 1)[1]
    assert newcomer.form(f"/account/register?invite={token}", {"password": PASSWORD}).status_code == 302
    assert invitation(app, "nina@agency.org").status == "registered"
    assert "nina@agency.org" in members(app)
    used = visitor().client.get(local(mailbox.link()))
    assert used.status_code == 400 and "has been used" in used.get_data(as_text=True)


def test_mail_failure_shows_the_link_and_the_reason(app, admin):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1, SMTP_SECURITY="none")  # nothing listens there
    response = admin.form("/admin/groups/1", {"email": "kim@agency.org", "send": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 502 and "The invitation was not mailed" in html
    assert re.search(r'<span class="url">http://localhost/account/register\?invite=', html)
    assert invitation(app, "kim@agency.org").error


def test_links_download_as_csv(app, admin):
    admin.form("/admin/groups/1", {"email": "a@agency.org", "name": "=cmd()"})
    admin.form("/admin/groups/1", {"email": "b@agency.org"})
    response = admin.client.get("/admin/invitations.csv?group=1")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "email,name,group,status,expires,link"
    assert {line.split(",")[0] for line in lines[1:]} == {"a@agency.org", "b@agency.org"}
    assert ",'=cmd()," in lines[1] + lines[2]  # a formula neutralised
    link = next(line for line in lines if line.startswith("b@")).rsplit(",", 1)[1]
    assert local(link).startswith("/account/register?invite=")
    assert admin.client.get("/admin/invitations.csv?group=999").status_code == 404


def upload(who, content: str, send: bool = True, dry_run: bool = False):
    data = {"csrf_token": who.page_token("/admin/import"), "file": (io.BytesIO(content.encode()), "staff.csv")}
    if send:
        data["send"] = "1"
    if dry_run:
        data["dry_run"] = "1"
    return who.client.post("/admin/import", data=data, content_type="multipart/form-data")


def test_csv_enrolment_invites_new_people_and_enrols_existing_accounts(app, admin, learner, mailbox):
    learner("ana@agency.org")
    learner("bo@agency.org")
    admin.form("/admin/groups/1", {"email": "bo@agency.org"})  # bo is in the group already
    content = ("email,name,group\n"
               "ana@agency.org,Ana,Office North\n"
               "bo@agency.org,Bo,Office North\n"
               "new@agency.org,Nina New,Office North\n"
               "solo@agency.org,Solo,\n"
               "broken-address,X,Office North\n"
               "lost@agency.org,Lost,Office West\n"
               "new@agency.org,Twice,\n")
    dry = upload(admin, content, dry_run=True).get_data(as_text=True)
    assert "7 rows: 4 good, 3 with a problem (dry run" in dry and mailbox.messages == []
    assert "ready: has an account, will be added to the group" in dry
    response = upload(admin, content)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "has an account: added to Office North" in html  # ana
    assert "has an account and is in Office North already" in html  # bo
    assert html.count("invitation mailed") == 2  # new and solo
    assert "&#39;broken-address&#39; is not an e-mail address" in html
    assert "no group called &#39;Office West&#39;" in html and "the same address as row 4" in html
    assert sorted(m["To"] for m in mailbox.messages) == ["new@agency.org", "solo@agency.org"]
    assert members(app) == ["ana@agency.org", "bo@agency.org"]
    assert invitation(app, "new@agency.org").group_id == 1 and invitation(app, "solo@agency.org").group_id is None
    listed = admin.client.get("/admin/invitations").get_data(as_text=True)
    assert listed.count("status-sent") == 2


def test_members_added_by_search_and_removed(app, admin, learner):
    learner("ana@agency.org")
    learner("anton@agency.org")
    learner("zoe@agency.org")
    page = admin.client.get("/admin/groups/1?q=an").get_data(as_text=True)
    found = dict(re.findall(r'name="user" value="(\d+)" checked> (\S+@agency.org)', page))
    assert set(found.values()) == {"ana@agency.org", "anton@agency.org"}  # zoe does not match
    ids = {email: id_ for id_, email in found.items()}
    added = admin.form("/admin/groups/1/members", {"user": [ids["ana@agency.org"], ids["anton@agency.org"]]},
                       page="/admin/groups/1")
    assert added.status_code == 302 and members(app) == ["ana@agency.org", "anton@agency.org"]
    assert "ana@agency.org" not in admin.client.get("/admin/groups/1?q=an").get_data(as_text=True).split("</h3>")[1]
    removed = admin.form(f"/admin/groups/1/members/{ids['ana@agency.org']}/remove", {}, page="/admin/groups/1")
    assert removed.status_code == 302 and members(app) == ["anton@agency.org"]
    assert "is no longer in the group" in admin.client.get("/admin/groups/1").get_data(as_text=True)
    assert admin.form("/admin/groups/1/members/99999/remove", {}, page="/admin/groups/1").status_code == 404
    ana = learner("ana2@agency.org")
    assert ana.form("/admin/groups/1/members", {"user": "1"}, page="/dashboard").status_code == 403


def test_group_courses_and_dates_on_the_dashboard(app, admin, learner):
    ana = learner("ana@agency.org")
    admin.form("/admin/groups/1", {"email": "ana@agency.org"})  # an account: joins at once
    assert "Office North" not in ana.client.get("/dashboard").get_data(as_text=True)  # no courses, no dates yet
    bad = admin.form("/admin/groups/1/schedule", {"starts": "2027-03-01", "due": "2027-02-01"}, page="/admin/groups/1")
    assert bad.status_code == 422 and "The due date is before the start date." in bad.get_data(as_text=True)
    bad = admin.form("/admin/groups/1/schedule", {"starts": "next week"}, page="/admin/groups/1")
    assert bad.status_code == 422 and "is not a date" in bad.get_data(as_text=True)
    saved = admin.form("/admin/groups/1/schedule", {"course": ["example", "no-such-course"], "starts": "2027-01-11",
                                                     "due": "2027-02-26"}, page="/admin/groups/1")
    assert saved.status_code == 302
    dashboard = ana.client.get("/dashboard").get_data(as_text=True)
    section = dashboard.split('class="card group-dates"', 1)[1].split("</section>", 1)[0]
    assert "Office North" in section and "Starts 11 January 2027" in section and "Due 26 February 2027" in section
    assert "Example: a partner search in three steps" in section
    ana.client.set_cookie("brokerlearn_lang", "de")
    assert "Fällig am 26. Februar 2027" in ana.client.get("/dashboard").get_data(as_text=True)


def _activity(learner):
    ana, bo = learner("ana@agency.org"), learner("bo@agency.org")
    ana.api("post", "/api/progress", {"events": [
        {"event_id": "evt-a-1", "course": "example", "kind": "lesson_completed",
         "item": "finding-partners/cooperation-profiles"},
        {"event_id": "evt-a-2", "course": "example", "kind": "video_progress", "item": "partner-call", "value": 0.92}]})
    attempt = ana.api("post", f"{QUIZ}/attempts").get_json()["id"]
    ana.api("post", f"{QUIZ}/attempts/{attempt}", {"answers": {"q1": True}})
    bo.api("post", "/api/progress", {"events": [{"event_id": "evt-b-1", "course": "example",
                                                 "kind": "lesson_viewed", "item": "working-together/first-meeting"}]})


@pytest.mark.parametrize("what,args", [("learners", ["csv", "learners"]), ("progress", ["csv", "progress"]),
                                       ("results", ["csv", "results"]), ("xapi", ["xapi"])])
def test_report_downloads_equal_the_command_line(app, admin, learner, built_example, tmp_path, what, args):
    _activity(learner)
    target = tmp_path / "export.out"
    env = {"DATABASE_URL": app.config["DATABASE_URL"], "BROKERLEARN_PUBLIC_URL": "http://localhost"}
    result = CliRunner().invoke(main, ["export", *args, "-o", str(target), "--build-dir", str(built_example),
                                       "--instance", app.instance_path], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    response = admin.client.get(f"/admin/reports/{what}")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    assert len(response.data) > 100 and response.data == target.read_bytes()
    assert f'href="/admin/reports/{what}"' in admin.client.get("/admin/reports").get_data(as_text=True)
    assert learner("cy@agency.org").client.get(f"/admin/reports/{what}").status_code == 403


def test_flagged_questions_say_why(app, admin, learner, built_example):
    """Facility 0.20 on q2, where 4 of 5 learners chose the same wrong option."""
    import json
    manifest = json.loads((built_example / "server/example.json").read_text())
    q2 = next(q for q in manifest["quizzes"]["m2-assessment"]["questions"] if q["id"] == "q2")
    right = [o["id"] for o in q2["options"] if o["correct"]]
    wrong = next(o for o in q2["options"] if not o["correct"])
    for n in range(5):
        who = learner(f"l{n}@agency.org")
        attempt = who.api("post", f"{QUIZ}/attempts").get_json()["id"]
        answers = {"q1": True, "q2": right if n == 0 else [wrong["id"]], "q3": "25"}
        who.api("post", f"{QUIZ}/attempts/{attempt}", {"answers": answers})
    from brokerlearn.server import db
    from brokerlearn.server.courses import catalog
    from brokerlearn.server.services.statistics import item_statistics
    with app.test_request_context():
        stats = item_statistics(db.session(), catalog().get("example"), "m2-assessment")
    by_id = {q["id"]: q for q in stats["questions"]}
    assert by_id["q2"]["facility"] == pytest.approx(0.20)
    assert len(by_id["q2"]["flags"]) == 2  # hard, and a wrong option drew most answers
    assert any("only 20% of its points" in f for f in by_id["q2"]["flags"])
    assert any(f"4 of 5 learners chose the same wrong option, '{wrong['text']}'" in f for f in by_id["q2"]["flags"])
    assert any("above 95%" in f for f in by_id["q1"]["flags"])  # everyone right: too easy
    assert by_id["q7"]["flags"] == []  # a reflection is not scored
    html = admin.client.get("/admin/courses/example").get_data(as_text=True)
    assert '<details class="quiz-stats"' in html and "questions to look at" in html
    assert "4 of 5 learners chose the same wrong option, &#39;" in html
    admin.client.set_cookie("brokerlearn_lang", "de")
    german = admin.client.get("/admin/courses/example").get_data(as_text=True)
    assert "4 von 5 Lernenden wählten dieselbe falsche Antwort" in german


def test_chart_labels_are_never_cut():
    from brokerlearn.server.charts import bar_chart
    label = "Finding and assessing cooperation partners across borders, with a very long module title indeed"
    html = str(bar_chart("Modules", [(label, [("started", 3), ("completed", 1)]), ("Short", [("started", 0),
                                                                                           ("completed", 0)])]))
    assert f'<p class="chart-label">{label}</p>' in html  # whole, as text that wraps
    assert 'width="85.0%"' in html and 'width="28.3%"' in html  # bars scale with the row


def test_every_cohort_page_and_action_is_checked_on_the_server(app, admin, visitor, learner):
    admin.form("/admin/groups/1", {"email": "new@agency.org"})  # invitation 1
    ana = learner("ana@agency.org")
    author = learner("author@agency.org")
    from brokerlearn.server import db
    from brokerlearn.server.services.accounts import find_user, set_role
    with app.app_context():
        set_role(db.session(), find_user(db.session(), "author@agency.org"), "author")
    author.login("author@agency.org")
    pages = ["/admin/groups/1?q=an", "/admin/invitations", "/admin/invitations.csv", "/admin/reports",
             "/admin/reports/learners", "/admin/reports/xapi"]
    for path in pages:
        assert visitor().client.get(path).status_code == 302, path  # to sign in
        assert ana.client.get(path).status_code == 403, path
        assert author.client.get(path).status_code == 403, path
        assert admin.client.get(path).status_code == 200, path
    actions = [("/admin/groups/1/members", {"user": "2"}), ("/admin/groups/1/members/2/remove", {}),
               ("/admin/groups/1/schedule", {"course": "example"}), ("/admin/invitations/1/resend", {})]
    for path, data in actions:
        assert ana.form(path, data, page="/dashboard").status_code == 403, path
        assert author.form(path, data, page="/dashboard").status_code == 403, path
        assert admin.form(path, data, page="/admin/groups/1", csrf=False).status_code == 400, path  # CSRF
    assert admin.client.get("/admin/reports/passwords").status_code == 404
    assert admin.form("/admin/groups/7/schedule", {}, page="/admin/groups/1").status_code == 404
    assert admin.form("/admin/invitations/77/resend", {}, page="/admin/invitations").status_code == 404


# -- the audit trail of the cohort and certificate actions ----------------------------------------

def audit_entries(app) -> list[tuple[str, str, str, str, str]]:
    """(action, actor, address, target, details) of every entry, oldest first."""
    from sqlalchemy import select

    from brokerlearn.server import db
    from brokerlearn.server.models import AuditEntry
    with app.app_context():
        return [(e.action, e.actor_email, e.address, e.target, e.details)
                for e in db.session().scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_every_cohort_and_certificate_action_is_recorded_once(app, admin, learner, mailbox):
    from brokerlearn.server import db
    from brokerlearn.server.models import Certificate, utcnow
    ana = learner("ana@agency.org")
    learner("bo@agency.org")
    with app.app_context():
        from brokerlearn.server.services.accounts import find_user
        ana_id = find_user(db.session(), "ana@agency.org").id
        db.session().add(Certificate(id="cert-ana-1", user_id=ana_id, course_id="example", profile_id="p",
                                     name="Ana", title="Partner broker", outcomes=[], issued_at=utcnow(),
                                     status_index=3, credential="jwt"))
        db.session().commit()
    assert admin.form("/admin/groups", {"name": "Office South"}).status_code == 302
    assert admin.form("/admin/groups", {"name": "Office South"}).status_code == 422  # refused: no entry
    assert admin.form("/admin/groups/1", {"email": "nina@agency.org", "send": "1"}).status_code == 302  # mailed
    assert admin.form("/admin/groups/1", {"email": "lou@agency.org"}).status_code == 200  # a link to copy
    assert admin.form("/admin/groups/1", {"email": "ana@agency.org"}).status_code == 302  # joins at once
    assert admin.form("/admin/groups/1", {"email": "ana@agency.org"}).status_code == 302  # a member already: no entry
    nina = invitation(app, "nina@agency.org").id
    assert admin.form(f"/admin/invitations/{nina}/resend", {}, page="/admin/invitations").status_code == 302
    assert admin.client.get("/admin/invitations.csv?group=1").status_code == 200
    bo = re.search(r'name="user" value="(\d+)" checked> bo@agency.org',
                   admin.client.get("/admin/groups/1?q=bo").get_data(as_text=True)).group(1)
    assert admin.form("/admin/groups/1/members", {"user": bo}, page="/admin/groups/1").status_code == 302
    assert admin.form(f"/admin/groups/1/members/{bo}/remove", {}, page="/admin/groups/1").status_code == 302
    assert admin.form("/admin/groups/1/schedule", {"course": "example", "starts": "2027-01-11"},
                      page="/admin/groups/1").status_code == 302
    assert admin.form("/admin/groups/1/schedule", {"starts": "soon"}, page="/admin/groups/1").status_code == 422
    content = "email,name,group\nbo@agency.org,Bo,Office North\nnew@agency.org,New,Office North\nx,X,\n"
    assert upload(admin, content, dry_run=True).status_code == 200  # a dry run changes nothing: no entry
    assert upload(admin, content).status_code == 200
    assert admin.form("/admin/certificates/cert-ana-1/revoke", {"reason": "Issued by mistake"},
                      page="/admin/certificates/cert-ana-1/revoke").status_code == 400  # not confirmed: no entry
    assert admin.form("/admin/certificates/cert-ana-1/revoke",
                      {"reason": "Issued by mistake", "note": "Ticket 4711", "confirm": "yes"},
                      page="/admin/certificates/cert-ana-1/revoke").status_code == 302
    assert admin.client.get("/admin/reports/results").status_code == 200
    assert ana.client.get("/admin/reports/results").status_code == 403  # refused: no entry
    entries = audit_entries(app)
    assert all(actor == "boss@agency.org" and address == "127.0.0.1" for _a, actor, address, _t, _d in entries)
    assert [(a, t, d) for a, _actor, _address, t, d in entries] == [
        ("group_created", "Office South", "Office South"),
        ("invitation_sent", "nina@agency.org", "Office North"),
        ("invitation_made", "lou@agency.org", "Office North (link shown)"),
        ("member_added", "ana@agency.org", "Office North"),
        ("invitation_resent", "nina@agency.org", ""),
        ("invitation_links_downloaded", "Office North", "2 links of Office North"),
        ("member_added", "bo@agency.org", "Office North"),
        ("member_removed", "bo@agency.org", "Office North"),
        ("schedule_set", "Office North", "Office North; courses: example; starts: 2027-01-11; due: -"),
        ("csv_enrolment", "bo@agency.org", "added to Office North"),
        ("csv_enrolment", "new@agency.org", "invited into Office North (mailed)"),
        ("certificate_revoked", "ana@agency.org",
         "certificate cert-ana-1 (Partner broker); reason: Issued by mistake; private note: Ticket 4711"),
        ("report_downloaded", "results.csv", "results")]
    assert len(mailbox.messages) == 3  # nina, nina again, new
    # the audit page names each action in words, in German too
    page = admin.client.get("/admin/audit?action=certificate_revoked").get_data(as_text=True)
    assert "revoked a certificate" in page and "Ticket 4711" in page
    admin.client.set_cookie("brokerlearn_lang", "de")
    assert "hat ein Zertifikat widerrufen" in admin.client.get("/admin/audit").get_data(as_text=True)


def test_mail_failures_are_recorded_with_the_reason(app, admin):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1, SMTP_SECURITY="none")  # nothing listens there
    assert admin.form("/admin/groups/1", {"email": "kim@agency.org", "send": "1"}).status_code == 502
    kim = invitation(app, "kim@agency.org").id
    assert admin.form(f"/admin/invitations/{kim}/resend", {}, page="/admin/invitations").status_code == 302
    (made, _, _, target, details), (resent, _, _, target2, details2) = audit_entries(app)
    assert (made, target, resent, target2) == ("invitation_made", "kim@agency.org", "invitation_resent", "kim@agency.org")
    assert details.startswith("Office North (not mailed: ") and details2.startswith("not mailed: ")


def test_command_line_revocation_invitation_and_exports_are_recorded(app, admin, learner, built_example, tmp_path):
    from brokerlearn.server import db
    from brokerlearn.server.models import Certificate, utcnow
    learner("ana@agency.org")
    with app.app_context():
        from brokerlearn.server.services.accounts import find_user
        db.session().add(Certificate(id="cert-ana-2", user_id=find_user(db.session(), "ana@agency.org").id,
                                     course_id="example", profile_id="p", name="Ana", title="Partner broker",
                                     outcomes=[], issued_at=utcnow(), status_index=4, credential="jwt"))
        db.session().commit()
    env = {"DATABASE_URL": app.config["DATABASE_URL"], "BROKERLEARN_PUBLIC_URL": "http://localhost"}
    common = ["--instance", app.instance_path]
    for args in (["certs", "revoke", "cert-ana-2", "--reason", "Wrong name", "--note", "asked by phone", *common],
                 ["users", "invite", "Pat@Agency.org", *common],
                 ["export", "csv", "learners", "-o", str(tmp_path / "l.csv"), "--build-dir", str(built_example), *common],
                 ["export", "xapi", "-o", str(tmp_path / "x.jsonl"), "--build-dir", str(built_example), *common]):
        result = CliRunner().invoke(main, args, env=env, catch_exceptions=False)
        assert result.exit_code == 0, (args, result.output)
    entries = audit_entries(app)
    assert all(actor.startswith("command line") and address == "command line" for _a, actor, address, _t, _d in entries)
    assert [(a, t, d) for a, _actor, _address, t, d in entries] == [
        ("certificate_revoked", "ana@agency.org",
         "certificate cert-ana-2 (Partner broker); reason: Wrong name; private note: asked by phone"),
        ("invitation_made", "pat@agency.org", "link printed on the command line"),
        ("report_downloaded", "learners.csv", "learners"),
        ("report_downloaded", "xapi-statements.jsonl", "xapi")]
