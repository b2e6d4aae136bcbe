"""Administration by role (issue 17): the way in, trainers who see only their groups, the actions
on a learner (password reset, role, extra attempts, deactivation, erasure), the learner's own
data download, and the audit trail, on the server and on the command line.

The role matrix asks every admin page and action as six visitors: an admin, the trainer of group
A, the trainer of group B, an author, a learner and someone signed out."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select, text

from server_fixtures import PASSWORD

QUIZ = "/api/quizzes/example/m2-assessment"
QUIZ_TITLE = "Module 2 assessment"
LEA, LEO = "lea@agency.org", "leo@agency.org"
LEA_NAME, LEO_NAME = "Lea Alpha", "Leo Beta"
SECRET_TEXT = "my private reflection about Ms Quillfeather"
LEA_ADDRESS = "203.0.113.77"


def _answers(built_example, reflection: str = SECRET_TEXT, right: bool = True) -> dict:
    manifest = json.loads((built_example / "server" / "example.json").read_text())
    questions = {q["id"]: q for q in manifest["quizzes"]["m2-assessment"]["questions"]}
    options = [o["id"] for o in questions["q2"]["options"] if o["correct"] == right]
    return {"q1": right, "q2": options, "q3": "25" if right else "31 minutes, said Lea",
            "q4": "Capacity" if right else "Lea's own words", "q5": [i["id"] for i in questions["q5"]["items"]],
            "q6": {p["left_id"]: p["right_id"] for p in questions["q6"]["pairs"]}, "q7": reflection}


def _attempt(who, answers):
    started = who.api("post", f"{QUIZ}/attempts")
    assert started.status_code == 201, started.get_data(as_text=True)
    return who.api("post", f"{QUIZ}/attempts/{started.get_json()['id']}", {"answers": answers})


class Cohort:
    """Two groups (A with Lea, B with Leo), a trainer for each, an admin, an author; each
    signed in with their own cookies; `ids` by e-mail, `group_a` and `group_b` the group IDs."""

    def __init__(self, app, visitor, learner):
        from brokerlearn.server import db
        from brokerlearn.server.models import GroupTrainer, User
        from brokerlearn.server.services.enrolment import add_member, create_group
        emails = {"admin": "boss@agency.org", "trainer_a": "tina@agency.org", "trainer_b": "tom@agency.org",
                  "author": "ada@agency.org", "learner": LEA, "other": LEO}
        names = {"learner": LEA_NAME, "other": LEO_NAME}
        roles = {"admin": "admin", "trainer_a": "trainer", "trainer_b": "trainer", "author": "author"}
        for key, email in emails.items():
            response = visitor().register(email, name=names.get(key, ""))
            assert response.status_code == 302, response.get_data(as_text=True)
        with app.app_context():
            session = db.session()
            users = {key: session.scalar(select(User).where(User.email == email)) for key, email in emails.items()}
            for key, role in roles.items():
                users[key].role = role
            self.group_a = create_group(session, "Office A").id
            self.group_b = create_group(session, "Office B").id
            add_member(session, self.group_a, users["learner"].id)
            add_member(session, self.group_b, users["other"].id)
            session.add_all([GroupTrainer(group_id=self.group_a, user_id=users["trainer_a"].id),
                             GroupTrainer(group_id=self.group_b, user_id=users["trainer_b"].id)])
            session.commit()
            self.ids = {email: users[key].id for key, email in emails.items()}
        self.visitors = {}
        for key, email in emails.items():
            signed_in = visitor()
            if key == "learner":
                signed_in.client.environ_base["REMOTE_ADDR"] = LEA_ADDRESS
            assert signed_in.login(email).status_code == 302
            self.visitors[key] = signed_in
        self.visitors["signed_out"] = visitor()
        self.app = app

    def __getitem__(self, key):
        return self.visitors[key]


@pytest.fixture
def cohort(app, visitor, learner):
    return Cohort(app, visitor, learner)


def audit_rows(app, action: str | None = None) -> list:
    from brokerlearn.server import db
    from brokerlearn.server.models import AuditEntry
    with app.app_context():
        statement = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            statement = statement.where(AuditEntry.action == action)
        return list(db.session().scalars(statement))


# -- the way in ------------------------------------------------------------------------------------

def test_session_reports_the_role_for_the_administration_entry(cohort):
    assert cohort["trainer_a"].user()["role"] == "trainer"
    assert cohort["admin"].user()["role"] == "admin"
    assert cohort["learner"].user()["role"] == "learner"
    assert cohort["signed_out"].user() is None


def test_admin_home_shows_the_figures_and_links_every_admin_page(cohort, built_example):
    assert _attempt(cohort["learner"], _answers(built_example)).status_code == 200
    html = cohort["admin"].client.get("/admin/").get_data(as_text=True)
    for link in ("/admin/learners", "/admin/groups", "/admin/grading", "/admin/import", "/admin/certificates", "/admin/audit",
                 "/admin/courses/example"):
        assert f'href="{link}"' in html, link
    figures = html[html.index('class="admin-figures"'):html.index("</ul>", html.index('class="admin-figures"'))]
    assert "<strong>1</strong> learners active in the last 7 days" in figures
    assert "of 6 accounts" in figures
    assert "<strong>0</strong> reviews waiting" in figures and "assessed work to review" in figures
    trainer = cohort["trainer_b"].client.get("/admin/").get_data(as_text=True)
    assert "<strong>0</strong> learners active" in trainer and "of 1 account<" in trainer  # Leo only
    assert 'href="/admin/audit"' not in trainer and "Office B" in trainer and "Office A" not in trainer
    assert cohort["admin"].client.get("/admin/?q=lea").headers["Location"].endswith("/admin/learners?q=lea")


# -- the role matrix -------------------------------------------------------------------------------

ROLES = ("admin", "trainer_a", "trainer_b", "author", "learner", "signed_out")
AS = {"learner": "other"}  # in the matrix, the learner asking is Leo; the learner acted on is Lea


def _cohort_rows(c) -> tuple[str, int]:
    """A certificate of Leo's (to revoke) and an invitation into group A (to resend)."""
    from brokerlearn.server import db
    from brokerlearn.server.models import Certificate, utcnow
    from brokerlearn.server.services.invitations import invite
    with c.app.app_context():
        session = db.session()
        if session.get(Certificate, "cert-leo-0001") is None:
            session.add(Certificate(id="cert-leo-0001", user_id=c.ids[LEO], course_id="example", profile_id="p",
                                    name=LEO_NAME, title="Partner broker", outcomes=[], issued_at=utcnow(),
                                    status_index=7, credential="jwt"))
            session.commit()
        return "cert-leo-0001", invite(session, "ivy@agency.org", "Ivy", c.group_a).id


def _pages(c):
    lea, leo = c.ids[LEA], c.ids[LEO]
    a, b = c.group_a, c.group_b
    cert, _invitation = _cohort_rows(c)
    #                                               admin trainer_a trainer_b author learner signed_out
    return [("/admin/",                              (200, 200, 200, 200, 403, 302)),
            ("/admin/learners",                      (200, 200, 200, 403, 403, 302)),
            (f"/admin/learners?group={a}",           (200, 200, 404, 403, 403, 302)),
            (f"/admin/learners?group={b}",           (200, 404, 200, 403, 403, 302)),
            (f"/admin/learners/{lea}",               (200, 200, 404, 403, 403, 302)),
            (f"/admin/learners/{leo}",               (200, 404, 200, 403, 403, 302)),
            (f"/admin/learners/{c.ids['boss@agency.org']}", (200, 404, 404, 403, 403, 302)),
            ("/admin/groups",                        (200, 200, 200, 403, 403, 302)),
            (f"/admin/groups/{a}",                   (200, 200, 404, 403, 403, 302)),
            (f"/admin/groups/{b}",                   (200, 404, 200, 403, 403, 302)),
            ("/admin/import",                        (200, 403, 403, 403, 403, 302)),
            ("/admin/groups/999",                    (404, 404, 404, 403, 403, 302)),
            ("/admin/invitations",                   (200, 403, 403, 403, 403, 302)),
            (f"/admin/invitations?group={a}",        (200, 403, 403, 403, 403, 302)),
            ("/admin/invitations.csv",               (200, 403, 403, 403, 403, 302)),
            (f"/admin/invitations.csv?group={a}",    (200, 403, 403, 403, 403, 302)),
            ("/admin/reports",                       (200, 403, 403, 403, 403, 302)),
            ("/admin/reports/learners",              (200, 403, 403, 403, 403, 302)),
            ("/admin/reports/progress",              (200, 403, 403, 403, 403, 302)),
            ("/admin/reports/results",               (200, 403, 403, 403, 403, 302)),
            ("/admin/reports/xapi",                  (200, 403, 403, 403, 403, 302)),
            ("/admin/reports/assessed",              (200, 403, 403, 403, 403, 302)),
            ("/admin/courses/example/assessed",      (200, 200, 200, 403, 403, 302)),
            ("/admin/reports/nothing",               (404, 403, 403, 403, 403, 302)),
            (f"/admin/certificates/{cert}/revoke",   (200, 403, 403, 403, 403, 302)),
            ("/admin/certificates/no-such/revoke",   (404, 403, 403, 403, 403, 302)),
            ("/admin/courses/example",               (200, 403, 403, 200, 403, 302)),
            ("/admin/certificates",                  (200, 403, 403, 403, 403, 302)),
            ("/admin/lti",                           (200, 403, 403, 403, 403, 302)),
            ("/admin/audit",                         (200, 403, 403, 403, 403, 302)),
            ("/admin/audit.csv",                     (200, 403, 403, 403, 403, 302))]


def test_role_matrix_of_every_admin_page(cohort):
    for path, expected in _pages(cohort):
        for role, status in zip(ROLES, expected):
            response = cohort[AS.get(role, role)].client.get(path)
            assert response.status_code == status, (path, role)
            if role == "trainer_b":  # never a name or address of group A's learner
                body = response.get_data(as_text=True)
                assert LEA not in body and LEA_NAME not in body and "Office A" not in body, path
            if role == "trainer_a" and status == 200:
                body = response.get_data(as_text=True)
                assert LEO not in body and LEO_NAME not in body, path
    listed = cohort["trainer_a"].client.get("/admin/learners").get_data(as_text=True)
    assert LEA in listed and "tom@agency.org" not in listed and "boss@agency.org" not in listed


def _actions(c):
    """(path, data, statuses by role) for every admin action; the data of the allowed roles'
    requests are such that the action fails cleanly (422) or does no lasting harm."""
    lea, leo, a, b = c.ids[LEA], c.ids[LEO], c.group_a, c.group_b
    cert, invitation = _cohort_rows(c)
    #                                                                                    admin tA  tB   author learner out
    return [(f"/admin/learners/{lea}/reset", {},                                         (200, 422, 404, 403, 403, 302)),
            (f"/admin/learners/{lea}/attempts", {"quiz": f"example/{QUIZ_TITLE}", "extra": "1"},
                                                                                          (303, 303, 404, 403, 403, 302)),
            (f"/admin/learners/{lea}/attempts", {"quiz": "example/No such quiz", "extra": "1"},
                                                                                          (422, 422, 404, 403, 403, 302)),
            (f"/admin/learners/{lea}/role", {"role": "emperor"},                          (422, 403, 403, 403, 403, 302)),
            (f"/admin/learners/{lea}/reactivate", {},                                     (422, 403, 403, 403, 403, 302)),
            (f"/admin/learners/{lea}/erase", {"confirm": "not the address"},              (422, 403, 403, 403, 403, 302)),
            (f"/admin/learners/{lea}/deactivate", {},                                     (303, 403, 403, 403, 403, 302)),
            (f"/admin/learners/{lea}/reactivate", {},                                     (303, 403, 403, 403, 403, 302)),
            ("/admin/groups", {"name": "Office C"},                                       (302, 403, 403, 403, 403, 302)),
            (f"/admin/groups/{a}", {"email": "new@agency.org"},                           (200, 403, 404, 403, 403, 302)),
            (f"/admin/groups/{b}", {"email": "new@agency.org"},                           (200, 404, 403, 403, 403, 302)),
            (f"/admin/groups/{a}/members", {"user": "0"},                                 (302, 403, 403, 403, 403, 302)),
            (f"/admin/groups/{a}/members/{leo}/remove", {},                               (302, 403, 403, 403, 403, 302)),
            (f"/admin/groups/{a}/members/{lea}/remove", {},                               (None, 403, 403, 403, 403, 302)),
            (f"/admin/groups/{a}/schedule", {"starts": "not a date"},                     (422, 403, 403, 403, 403, 302)),
            (f"/admin/groups/{b}/schedule", {"starts": "not a date"},                     (422, 403, 403, 403, 403, 302)),
            (f"/admin/invitations/{invitation}/resend", {},                               (302, 403, 403, 403, 403, 302)),
            ("/admin/invitations/99999/resend", {},                                       (404, 403, 403, 403, 403, 302)),
            (f"/admin/groups/{a}/trainers", {"email": "nobody@agency.org"},               (303, 403, 403, 403, 403, 302)),
            ("/admin/import", {},                                                         (422, 403, 403, 403, 403, 302)),
            ("/admin/certificates/no-such/revoke", {"reason": "x"},                       (404, 403, 403, 403, 403, 302)),
            (f"/admin/certificates/{cert}/revoke", {"reason": "x"},                       (400, 403, 403, 403, 403, 302)),
            (f"/admin/certificates/{cert}/revoke", {"reason": "x", "confirm": "yes"},     (302, 403, 403, 403, 403, 302)),
            ("/admin/lti/platforms", {"issuer": "not a URL"},                             (422, 403, 403, 403, 403, 302)),
            ("/admin/lti/platforms/99999/remove", {},                                     (404, 403, 403, 403, 403, 302))]


def test_role_matrix_of_every_admin_action(cohort):
    """A status None: that visitor is not asked (the admin would remove Lea, whom later rows need)."""
    from brokerlearn.server import db
    from brokerlearn.server.models import Certificate
    for path, data, expected in _actions(cohort):
        for role, status in reversed(list(zip(ROLES, expected))):  # the admin last: their actions change state
            if status is None:
                continue
            response = cohort[AS.get(role, role)].form(path, data, page="/api/session")
            assert response.status_code == status, (path, role, response.get_data(as_text=True)[:300])
            if role == "trainer_b":
                assert LEA not in response.get_data(as_text=True)
        assert cohort["admin"].form(path, data, csrf=False).status_code == 400, path  # CSRF everywhere
    with cohort.app.app_context():  # revoked by the admin only, once
        assert db.session().get(Certificate, "cert-leo-0001").revocation_reason == "x"
    assert cohort["trainer_a"].client.get(f"/admin/learners/{cohort.ids[LEA]}").status_code == 200  # still hers


# -- each learner action, as a service and over HTTP ---------------------------------------------

def test_password_reset_link_shown_without_mail_and_it_works(cohort, visitor):
    response = cohort["admin"].form(f"/admin/learners/{cohort.ids[LEA]}/reset", {})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "pass this link on" in html
    link = html.split('<p class="url">', 1)[1].split("</p>", 1)[0]
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    assert visitor().client.get(path).status_code == 200  # the reset form
    assert visitor().form(path, {"password": "a brand new password"}).status_code == 302
    assert visitor().login(LEA, "a brand new password").status_code == 302
    assert [e.details for e in audit_rows(cohort.app, "password_reset")] == ["link shown to the actor"]


def test_password_reset_by_mail_for_the_groups_trainer(cohort, monkeypatch):
    from brokerlearn.server import mail
    sent = []
    monkeypatch.setattr(mail, "deliver", lambda config, message: sent.append(message))
    cohort.app.config.update(SMTP_HOST="127.0.0.1", MAIL_FROM="learn@agency.org")
    response = cohort["trainer_a"].form(f"/admin/learners/{cohort.ids[LEA]}/reset", {})
    assert response.status_code == 303
    assert [m["To"] for m in sent] == [LEA] and "http://localhost/account/reset/" in sent[0].get_content()
    page = cohort["trainer_a"].client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"has been sent to {LEA}" in page
    entry, = audit_rows(cohort.app, "password_reset")
    assert (entry.actor_email, entry.target, entry.details) == ("tina@agency.org", LEA, "sent by e-mail")


def test_change_role_ends_the_sessions_and_keeps_one_admin(cohort):
    admin, lea = cohort["admin"], cohort["learner"]
    response = admin.form(f"/admin/learners/{cohort.ids[LEA]}/role", {"role": "trainer"})
    assert response.status_code == 303
    assert lea.user() is None  # signed out everywhere
    assert lea.login(LEA).status_code == 302 and lea.user()["role"] == "trainer"
    last = admin.form(f"/admin/learners/{cohort.ids['boss@agency.org']}/role", {"role": "learner"})
    assert last.status_code == 422 and "last administrator" in last.get_data(as_text=True)
    entry, = audit_rows(cohort.app, "role_changed")
    assert entry.details == "learner → trainer" and entry.address == "127.0.0.1"


def test_extra_attempts_chosen_by_title_count_in_the_attempts_service(cohort, built_example):
    lea, trainer = cohort["learner"], cohort["trainer_a"]
    for _ in range(3):
        assert _attempt(lea, _answers(built_example, right=False)).status_code == 200
    assert lea.api("post", f"{QUIZ}/attempts").status_code == 409  # all 3 used
    page = trainer.client.get(f"/admin/learners/{cohort.ids[LEA]}").get_data(as_text=True)
    assert page.count(f'<td data-label="Quiz">{QUIZ_TITLE}</td>') == 3 and ">m2-assessment</td>" not in page  # by title
    for extra in ("0", "abc", "999", ""):
        assert trainer.form(f"/admin/learners/{cohort.ids[LEA]}/attempts",
                            {"quiz": f"example/{QUIZ_TITLE}", "extra": extra}).status_code == 422
    response = trainer.form(f"/admin/learners/{cohort.ids[LEA]}/attempts",
                            {"quiz": f"example/{QUIZ_TITLE.upper()}", "extra": "2"})
    assert response.status_code == 303
    status = lea.api("get", QUIZ).get_json()
    assert status["max_attempts"] == 5 and status["attempts_left"] == 2
    assert _attempt(lea, _answers(built_example)).status_code == 200
    entry, = audit_rows(cohort.app, "attempts_granted")
    assert entry.details == f"2 × {QUIZ_TITLE} (Example: a partner search in three steps)"


def test_deactivate_ends_sessions_and_refuses_sign_in_until_reactivated(cohort):
    admin, lea = cohort["admin"], cohort["learner"]
    assert admin.form(f"/admin/learners/{cohort.ids[LEA]}/deactivate", {}).status_code == 303
    assert lea.user() is None
    refused = lea.login(LEA)
    assert refused.status_code == 401 and "deactivated" in refused.get_data(as_text=True)
    again = admin.form(f"/admin/learners/{cohort.ids[LEA]}/deactivate", {})
    assert again.status_code == 422 and "already" in again.get_data(as_text=True)
    own = admin.form(f"/admin/learners/{cohort.ids['boss@agency.org']}/deactivate", {})
    assert own.status_code == 422
    assert admin.form(f"/admin/learners/{cohort.ids[LEA]}/reactivate", {}).status_code == 303
    assert lea.login(LEA).status_code == 302
    assert [e.action for e in audit_rows(cohort.app)] == ["deactivated", "reactivated"]


def test_bad_input_is_a_message_not_an_error(cohort):
    admin = cohort["admin"]
    lea = cohort.ids[LEA]
    for path, data in [(f"/admin/learners/{lea}/attempts", {"quiz": "", "extra": "1"}),
                       (f"/admin/learners/{lea}/attempts", {}),
                       (f"/admin/learners/{lea}/role", {}),
                       (f"/admin/learners/{lea}/erase", {})]:
        assert admin.form(path, data).status_code == 422, path
    assert admin.form("/admin/learners/99999/role", {"role": "admin"}).status_code == 404
    assert admin.form(f"/admin/groups/{cohort.group_a}/trainers", {"email": LEA}).status_code == 303  # not a trainer
    for query in ("since=yesterday", "until=2026-13-40", "action=nonsense", "actor=%25", "target=_"):
        assert admin.client.get(f"/admin/audit?{query}").status_code == 200, query
    assert audit_rows(cohort.app) == []


def test_admin_assigns_and_removes_trainers_of_a_group(cohort):
    admin, tom = cohort["admin"], cohort["trainer_b"]
    path = f"/admin/groups/{cohort.group_a}/trainers"
    assert admin.form(path, {"email": "tom@agency.org"}).status_code == 303
    assert tom.client.get(f"/admin/learners/{cohort.ids[LEA]}").status_code == 200
    page = admin.client.get(f"/admin/groups/{cohort.group_a}").get_data(as_text=True)
    assert "tom@agency.org" in page and "tina@agency.org" in page
    assert admin.form(path, {"email": "tom@agency.org", "action": "remove"}).status_code == 303
    assert tom.client.get(f"/admin/learners/{cohort.ids[LEA]}").status_code == 404
    assert [(e.action, e.target, e.details) for e in audit_rows(cohort.app)] == [
        ("trainer_assigned", "tom@agency.org", "Office A"), ("trainer_removed", "tom@agency.org", "Office A")]


# -- erasure ---------------------------------------------------------------------------------------

def _figures(app):
    from brokerlearn.server import db
    from brokerlearn.server.courses import catalog
    from brokerlearn.server.services.statistics import item_statistics, module_funnel
    with app.app_context():
        course = catalog().get("example")
        return ([item_statistics(db.session(), course, q.id) for q in course.graded_quizzes()],
                module_funnel(db.session(), course))


def _every_value(app):
    """(table, column, text) for every value of every column of every table."""
    from brokerlearn.server import db
    with app.app_context():
        connection = db.session().connection()
        for table in inspect(connection).get_table_names():
            columns = [c["name"] for c in inspect(connection).get_columns(table)]
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                for column, value in zip(columns, row):
                    if value is not None:
                        yield table, column, value if isinstance(value, str) else json.dumps(value, default=str)


def _learner_produces_everything(cohort, built_example):
    """Lea's footprint: progress, two attempts with typed answers, a certificate, a failed
    sign-in from her address, an admin's action on her account, invitations of her address
    (the one she registered with, and an older one into group B pointing at no account)."""
    from datetime import timedelta

    from brokerlearn.server import db
    from brokerlearn.server.models import Certificate, Invitation, utcnow
    lea = cohort["learner"]
    events = [{"event_id": f"lea-event-{i:04d}", "course": "example", "kind": "lesson_completed",
               "item": lesson} for i, lesson in enumerate(["finding-partners/cooperation-profiles",
                                                           "finding-partners/assessing-candidates"])]
    assert lea.api("post", "/api/progress", {"events": events}).status_code == 200
    assert _attempt(lea, _answers(built_example, right=False)).status_code == 200
    assert _attempt(lea, _answers(built_example)).status_code == 200
    leo = cohort["other"]
    assert _attempt(leo, _answers(built_example, reflection="Leo's thoughts")).status_code == 200
    stranger = type(lea)(cohort.app)
    stranger.client.environ_base["REMOTE_ADDR"] = LEA_ADDRESS
    assert stranger.login(LEA, "not her password").status_code == 401
    with cohort.app.app_context():
        db.session().add(Certificate(id="cert-lea-0001", user_id=cohort.ids[LEA], course_id="example",
                                     profile_id="p", name=LEA_NAME, title="Partner broker", outcomes=[],
                                     issued_at=utcnow(), status_index=41, credential=f"jwt naming {LEA_NAME}"))
        db.session().add_all([
            Invitation(email=LEA, name=LEA_NAME, group_id=cohort.group_a, status="registered", sends=1,
                       expires_at=utcnow() + timedelta(days=3), user_id=cohort.ids[LEA]),
            Invitation(email=LEA, name=f"{LEA_NAME} (old)", group_id=cohort.group_b, status="sent", sends=2,
                       expires_at=utcnow() - timedelta(days=3)),
            Invitation(email=LEO, name=LEO_NAME, group_id=cohort.group_b, status="sent", sends=1,
                       expires_at=utcnow() + timedelta(days=3))])
        db.session().commit()
    assert cohort["admin"].form(f"/admin/learners/{cohort.ids[LEA]}/attempts",
                                {"quiz": f"example/{QUIZ_TITLE}", "extra": "1"}).status_code == 303


def test_erasure_leaves_no_personal_data_in_any_column_and_the_figures_unchanged(cohort, built_example):
    _learner_produces_everything(cohort, built_example)
    needles = [LEA, LEA_NAME, SECRET_TEXT, "31 minutes, said Lea", "Lea's own words", LEA_ADDRESS]
    found = {(t, c) for t, c, v in _every_value(cohort.app) for n in needles if n.lower() in v.lower()}
    assert {"users", "quiz_attempts", "certificates", "login_failures", "audit_entries",
            "invitations"} <= {t for t, _ in found}
    before = _figures(cohort.app)
    admin = cohort["admin"]
    response = admin.form(f"/admin/learners/{cohort.ids[LEA]}/erase", {"confirm": LEA.upper()})
    assert response.status_code == 303
    assert f"remains as erased account #{cohort.ids[LEA]}" in admin.client.get(response.headers["Location"]).get_data(as_text=True)
    left = [(t, c, v[:80]) for t, c, v in _every_value(cohort.app) for n in needles if n.lower() in v.lower()]
    assert left == []
    assert _figures(cohort.app) == before  # item statistics and the funnel
    assert cohort["learner"].user() is None and cohort["learner"].login(LEA).status_code == 401
    from brokerlearn.server import db
    from brokerlearn.server.models import Certificate, GroupMember
    with cohort.app.app_context():
        certificate = db.session().get(Certificate, "cert-lea-0001")
        assert certificate.revoked_at is not None and certificate.revocation_reason == "Withdrawn."
        assert db.session().scalar(select(GroupMember).where(GroupMember.user_id == cohort.ids[LEA])) is None
    assert any("Leo's thoughts" in v for _t, _c, v in _every_value(cohort.app))  # others' answers stay
    assert any(t == "invitations" and v == LEO for t, _c, v in _every_value(cohort.app))  # and their invitations
    erased, = audit_rows(cohort.app, "erased")
    assert erased.target == f"erased account #{cohort.ids[LEA]}" and erased.actor_email == "boss@agency.org"
    again = admin.form(f"/admin/learners/{cohort.ids[LEA]}/erase", {"confirm": "x"})
    assert again.status_code == 422


def test_erasing_a_trainer_removes_them_from_the_trail_they_made(cohort):
    tina = cohort["trainer_a"]
    assert tina.form(f"/admin/learners/{cohort.ids[LEA]}/attempts",
                     {"quiz": f"example/{QUIZ_TITLE}", "extra": "1"}).status_code == 303
    assert cohort["admin"].form(f"/admin/learners/{cohort.ids['tina@agency.org']}/erase",
                                {"confirm": "tina@agency.org"}).status_code == 303
    granted, _erased = audit_rows(cohort.app)
    assert granted.actor_email == f"erased account #{cohort.ids['tina@agency.org']}" and granted.address == ""
    assert granted.target == LEA  # the learner's side of the entry stays
    assert not any("tina@agency.org" in v for _t, _c, v in _every_value(cohort.app))


# -- the learner's data download -----------------------------------------------------------------

def test_data_download_holds_everything_the_learner_produced(cohort, built_example):
    _learner_produces_everything(cohort, built_example)
    response = cohort["learner"].client.get("/account/settings/data.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert data["account"]["email"] == LEA and data["account"]["name"] == LEA_NAME
    assert data["groups"] == [{"name": "Office A"}]
    assert {e["event_id"] for e in data["progress_events"]} == {"lea-event-0000", "lea-event-0001"}
    assert [a["quiz_title"] for a in data["quiz_attempts"]] == [QUIZ_TITLE, QUIZ_TITLE]
    assert data["quiz_attempts"][1]["answers"]["q7"] == SECRET_TEXT
    assert data["quiz_attempts"][0]["answers"]["q4"] == "Lea's own words"
    assert data["quiz_attempts"][1]["results"]["q1"]["score"] == 1
    assert data["certificates"][0]["id"] == "cert-lea-0001" and data["certificates"][0]["credential"]
    assert data["extra_attempts"][0]["quiz_title"] == QUIZ_TITLE
    assert data["actions_on_the_account"][0]["action"] == "attempts_granted"
    assert "Leo's thoughts" not in response.get_data(as_text=True)
    settings = cohort["learner"].client.get("/account/settings").get_data(as_text=True)
    assert 'href="/account/settings/data.json"' in settings
    assert cohort["signed_out"].client.get("/account/settings/data.json").status_code == 302


# -- the audit trail -------------------------------------------------------------------------------

def test_every_action_is_recorded_once_filtered_exported_and_kept_when_the_actor_goes(cohort, built_example):
    admin, tina = cohort["admin"], cohort["trainer_a"]
    lea = cohort.ids[LEA]
    assert tina.form(f"/admin/learners/{lea}/attempts", {"quiz": f"example/{QUIZ_TITLE}", "extra": "1"}).status_code == 303
    steps = [(f"/admin/learners/{lea}/reset", {}), (f"/admin/learners/{lea}/role", {"role": "author"}),
             (f"/admin/learners/{lea}/deactivate", {}), (f"/admin/learners/{lea}/reactivate", {}),
             (f"/admin/groups/{cohort.group_b}/trainers", {"email": "tina@agency.org"}),
             (f"/admin/groups/{cohort.group_b}/trainers", {"email": "tina@agency.org", "action": "remove"})]
    for path, data in steps:
        assert admin.form(path, data).status_code in (200, 303), path
    assert admin.form(f"/admin/learners/{lea}/erase", {"confirm": LEA}).status_code == 303
    actions = [e.action for e in audit_rows(cohort.app)]
    assert sorted(actions) == sorted(["attempts_granted", "password_reset", "role_changed", "deactivated",
                                      "reactivated", "trainer_assigned", "trainer_removed", "erased"])
    def table(query):
        return admin.client.get(f"/admin/audit?{query}").get_data(as_text=True).split("<tbody>")[1]
    page = table("actor=tina")
    assert "granted extra attempts" in page and "deactivated the account" not in page
    assert "deactivated the account" in table("action=deactivated") and "granted" not in table("action=deactivated")
    assert "sent a password-reset link" in table("target=erased+account")  # the learner's entries, by her label
    none = table("since=2000-01-01&until=2000-01-02")
    assert "Nothing recorded matches." in none
    exported = admin.client.get("/admin/audit.csv?action=trainer_assigned")
    rows = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert [(r["actor"], r["action"], r["target"], r["details"], r["address"]) for r in rows] == [
        ("boss@agency.org", "trainer_assigned", "tina@agency.org", "Office B", "127.0.0.1")]
    # tina deletes her own account: what she did stays, under her e-mail as it was
    assert tina.form("/account/delete", {"password": PASSWORD}).status_code == 200
    granted, = audit_rows(cohort.app, "attempts_granted")
    assert granted.actor_id is None and granted.actor_email == "tina@agency.org" and granted.actor_role == "trainer"
    assert len(audit_rows(cohort.app)) == 8


# -- the command line ------------------------------------------------------------------------------

def run(*args, input=None):
    from brokerlearn.cli import main
    return CliRunner().invoke(main, list(args), input=input, env={"BROKERLEARN_PASSWORD": PASSWORD},
                              catch_exceptions=False)


def test_users_commands_for_learner_actions(tmp_path, built_example, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    from brokerlearn.server.db import session_for
    from brokerlearn.server.models import AttemptGrant, AuditEntry, Group, User
    instance = str(tmp_path / "instance")
    common = ["--instance", instance]
    build = ["--build-dir", str(built_example)]
    assert run("users", "create", LEA, "--name", LEA_NAME, *common).exit_code == 0
    assert run("users", "create", "tina@agency.org", "--role", "trainer", *common).exit_code == 0
    url = f"sqlite:///{tmp_path / 'instance' / 'brokerlearn.db'}"
    with session_for(url) as session:
        session.add(Group(name="Office A"))
        session.commit()
    assert run("users", "trainer", "tina@agency.org", "Office A", *common).exit_code == 0
    assert run("users", "trainer", LEA, "Office A", *common).exit_code == 2  # not a trainer
    granted = run("users", "grant-attempts", LEA, "--quiz", QUIZ_TITLE.lower(), "--extra", "2", *build, *common)
    assert granted.exit_code == 0 and f"2 more attempt(s) at {QUIZ_TITLE} (example)" in granted.output
    unknown = run("users", "grant-attempts", LEA, "--quiz", "Nope", *build, *common)
    assert unknown.exit_code == 2 and "No graded quiz" in unknown.output
    assert run("users", "grant-attempts", LEA, "--quiz", QUIZ_TITLE, "--build-dir", str(tmp_path), *common).exit_code == 2
    link = run("users", "reset-password", LEA, "--public-url", "https://learn.example.org", *common)
    assert link.exit_code == 0 and link.stdout.strip().startswith("https://learn.example.org/account/reset/")
    assert run("users", "reset-password", LEA, "--send", *common).exit_code == 2  # no SMTP set up
    assert run("users", "deactivate", LEA, *common).exit_code == 0
    assert run("users", "deactivate", LEA, *common).exit_code == 2
    assert run("users", "reactivate", LEA, *common).exit_code == 0
    assert run("users", "set-role", LEA, "trainer", *common).exit_code == 0
    exported = run("users", "export-data", LEA, *build, *common)
    data = json.loads(exported.stdout)
    assert data["account"]["name"] == LEA_NAME and data["extra_attempts"][0]["quiz_title"] == QUIZ_TITLE
    assert run("users", "erase", LEA, *build, *common, input="n\n").exit_code == 1  # not confirmed
    erased = run("users", "erase", LEA, "--yes", *build, *common)
    assert erased.exit_code == 0 and "erased account #1" in erased.output
    with session_for(url) as session:
        user = session.get(User, 1)
        assert user.email == "erased-1@erased.invalid" and user.name == "" and user.erased_at is not None
        assert session.scalars(select(AttemptGrant)).all() == []
        entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["trainer_assigned", "attempts_granted", "password_reset", "deactivated",
                                           "reactivated", "role_changed", "erased"]
    assert all(e.actor_email.startswith("command line") and e.address == "command line" for e in entries)
    assert all(LEA not in (e.target + e.details) for e in entries)


# -- in a browser: the admin pages at a desktop's and a phone's width -------------------------------

SHOTS = __import__("pathlib").Path("/tmp/shots-h/admin")


@pytest.fixture
def served_cohort(built_example, tmp_path):
    """The example under waitress with the cohort's accounts, Lea's attempts and audit entries."""
    from brokerlearn.server import create_app, db
    from brokerlearn.server.db import upgrade
    from brokerlearn.server.models import Group, GroupMember, GroupTrainer, User
    from brokerlearn.server.services import accounts, learner_actions
    from brokerlearn.server.services.audit import Actor
    from serving import running
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    app = create_app({"DATABASE_URL": url}, build_dir=built_example, instance_path=tmp_path / "instance")
    with app.app_context():
        session = db.session()
        boss = accounts.create_user(session, "boss@agency.org", PASSWORD, "Birgit Boss", "admin")
        tina = accounts.create_user(session, "tina@agency.org", PASSWORD, "Tina Trainer", "trainer")
        lea = accounts.create_user(session, LEA, PASSWORD, "Lea Alpha-Lindqvist")
        accounts.create_user(session, LEO, PASSWORD, LEO_NAME)
        group = Group(name="Office A")
        session.add(group)
        session.commit()
        session.add_all([GroupMember(group_id=group.id, user_id=lea.id), GroupTrainer(group_id=group.id, user_id=tina.id)])
        session.commit()
        from brokerlearn.server.models import QuizAttempt, utcnow
        session.add(QuizAttempt(user_id=lea.id, course_id="example", quiz_id="m2-assessment", number=1,
                                status="submitted", responses={}, results={}, score=6.5, max_score=8,
                                passed=True, submitted_at=utcnow()))
        session.commit()
        actor = Actor.of(boss, "198.51.100.23")
        learner_actions.grant_attempts(session, actor, lea, app.extensions["brokerlearn_courses"].all(), QUIZ_TITLE, 1)
        learner_actions.deactivate(session, actor, session.get(User, lea.id))
        learner_actions.reactivate(session, actor, session.get(User, lea.id))
    with running(app, threads=4) as port:
        yield f"http://127.0.0.1:{port}/", lea.id


def _sign_in(page, base, email):
    page.goto(base + "account/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("form.account-form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.parametrize("width", [1366, 390])
def test_admin_pages_in_a_browser_fit_the_screen(served_cohort, width):
    from browser import browser, chromium_path
    if chromium_path() is None:
        pytest.skip("Debian's chromium is not installed (scripts/setup --test)")
    base, lea = served_cohort
    SHOTS.mkdir(parents=True, exist_ok=True)
    with browser() as chromium:
        page = chromium.new_page(viewport={"width": width, "height": 900})
        _sign_in(page, base, "boss@agency.org")
        for name, path in [("home", "admin/"), ("learners", "admin/learners"), ("learner", f"admin/learners/{lea}"),
                           ("audit", "admin/audit")]:
            page.goto(base + path)
            page.wait_for_selector("nav.admin-nav")
            page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= width, name  # nothing widens the page
            links = page.locator("nav.admin-nav a")
            for i in range(links.count()):  # every menu entry on screen and big enough to tap
                box = links.nth(i).bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= width and box["height"] >= 24, (name, i)
            assert page.locator('nav.admin-nav a[aria-current="page"]').count() == 1, name
            if name == "learner":
                assert page.locator(f"td >> text={QUIZ_TITLE}").count() == 1  # the attempt, by the quiz's title
        page.goto(base + f"admin/learners/{lea}")
        page.fill("#erase-confirm", "wrong@agency.org")
        page.click("text=Erase this person's data")
        page.wait_for_selector(".form-error")
        assert "type its e-mail address exactly" in page.inner_text(".form-error")
        page.screenshot(path=str(SHOTS / f"learner-refused-{width}.png"))
        page.close()
        trainer = chromium.new_page(viewport={"width": width, "height": 900})
        _sign_in(trainer, base, "tina@agency.org")
        trainer.goto(base + "admin/")
        trainer.screenshot(path=str(SHOTS / f"home-trainer-{width}.png"), full_page=True)
        menu = trainer.inner_text("nav.admin-nav")
        assert "Learners" in menu and "Audit trail" not in menu
        trainer.goto(base + "admin/learners")
        assert LEA in trainer.content() and LEO not in trainer.content()
        trainer.goto(base + "admin/groups")
        trainer.click("text=Office A")
        trainer.wait_for_selector("dl.facts")
        trainer.screenshot(path=str(SHOTS / f"group-trainer-{width}.png"), full_page=True)
        assert trainer.evaluate("document.documentElement.scrollWidth") <= width
        assert trainer.locator("main form").count() == 0  # nothing to submit that the server would refuse
        trainer.click(f"text={LEA}")
        trainer.wait_for_load_state()
        assert trainer.url.endswith(f"/admin/learners/{lea}")


def test_group_page_offers_a_trainer_only_what_they_may_do(cohort):
    """A trainer sees the members (linked to the learner pages they may open) and the courses and
    dates; the forms the server refuses them (add, remove, invite, schedule) are not offered."""
    from brokerlearn.server import db
    from brokerlearn.server.models import Group
    a, lea = cohort.group_a, cohort.ids[LEA]
    assert cohort["admin"].form(f"/admin/groups/{a}/schedule", {"course": "example", "starts": "2027-01-11",
                                                                "due": "2027-02-26"}).status_code == 302
    refused = [f'action="/admin/groups/{a}/members"', f'action="/admin/groups/{a}/members/{lea}/remove"',
               f'action="/admin/groups/{a}/schedule"', f'action="/admin/groups/{a}"', 'name="q"',
               f'href="/admin/invitations?group={a}"', f'action="/admin/groups/{a}/trainers"']
    admin_page = cohort["admin"].client.get(f"/admin/groups/{a}?q=le").get_data(as_text=True)
    assert all(form in admin_page for form in refused)
    page = cohort["trainer_a"].client.get(f"/admin/groups/{a}?q=le").get_data(as_text=True)
    assert [form for form in refused if form in page] == []
    assert f'<a href="/admin/learners/{lea}">{LEA}</a>' in page and LEO not in page
    assert cohort["trainer_a"].client.get(f"/admin/learners/{lea}").status_code == 200  # the link works
    schedule = page.split('class="facts"', 1)[1].split("</dl>", 1)[0]
    assert "Example: a partner search in three steps" in schedule
    assert "11 January 2027" in schedule and "26 February 2027" in schedule
    with cohort.app.app_context():
        group = db.session().get(Group, a)
        group.starts_on = group.due_on = None
        db.session().commit()
    cohort["trainer_a"].client.set_cookie("brokerlearn_lang", "de")
    german = cohort["trainer_a"].client.get(f"/admin/groups/{a}").get_data(as_text=True)
    assert german.count("nicht festgelegt") == 2
