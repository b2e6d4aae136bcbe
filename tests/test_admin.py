"""Administration on SQLite and PostgreSQL: every admin page checked on the server, groups and
invitations, CSV enrolment with a dry run (duplicates, bad addresses, BOM, semicolons), the
completion funnel and item statistics."""
import io
import re

import pytest

from server_fixtures import PASSWORD

PAGES = ["/admin/", "/admin/learners", "/admin/learners/1", "/admin/groups", "/admin/groups/1", "/admin/import",
         "/admin/courses/example", "/admin/certificates"]
QUIZ = "/api/quizzes/example/m2-assessment"


def test_every_admin_page_is_checked_on_the_server(admin, visitor, learner):
    ana = learner("ana@agency.org")
    for path in PAGES:
        assert visitor().client.get(path).status_code == 302, path  # to sign in
        assert ana.client.get(path).status_code == 403, path
        assert admin.client.get(path).status_code == 200, path
    for path, data in [("/admin/groups", {"name": "X"}), ("/admin/groups/1", {"email": "x@agency.org"})]:
        assert ana.form(path, data, page="/dashboard").status_code == 403
    assert admin.form("/admin/groups", {"name": "Y"}, csrf=False).status_code == 400  # CSRF


def test_group_invitation_enrols_into_the_group(admin, visitor):
    response = admin.form("/admin/groups/1", {"email": "new@agency.org", "name": "Nina New"})
    link = re.search(r'<span class="url">(\S+?)</span>', response.get_data(as_text=True)).group(1)
    newcomer = visitor()
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = newcomer.client.get("/" + path).get_data(as_text=True)
    assert 'value="new@agency.org"' in page and 'value="Nina New"' in page
    token = path.split("invite=", 1)[1]
    assert newcomer.form(f"/account/register?invite={token}", {"password": PASSWORD}).status_code == 302
    group_page = admin.client.get("/admin/groups/1").get_data(as_text=True)
    assert "new@agency.org" in group_page
    listed = admin.client.get("/admin/learners?group=1").get_data(as_text=True)
    assert "new@agency.org" in listed and "boss@agency.org" not in listed.split("<tbody>")[1]


def upload(who, content: bytes, dry_run: bool):
    data = {"csrf_token": who.page_token("/admin/import"), "file": (io.BytesIO(content), "staff.csv")}
    if dry_run:
        data["dry_run"] = "1"
    return who.client.post("/admin/import", data=data, content_type="multipart/form-data")


def test_csv_import_dry_run_and_edge_cases(admin, learner):
    learner("ana@agency.org")
    content = ("\ufeffemail;name;group\n"
               "lena@agency.org;Lena Berg;Office North\n"
               "not-an-address;Bad Row;\n"
               "LENA@agency.org;Lena again;\n"
               "ana@agency.org;Ana;\n"
               "tom@agency.org;Tom;Office South\n"
               ";;\n"
               "jo@agency.org;Jo Žák;\n").encode("utf-8")
    response = upload(admin, content, dry_run=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "6 rows: 3 good, 3 with a problem (dry run" in html  # the empty row is skipped
    assert "&#39;not-an-address&#39; is not an e-mail address" in html
    assert "the same address as row 2" in html
    assert "has an account; no group given" in html  # an existing account is enrolled, not refused
    assert "no group called &#39;Office South&#39;" in html
    assert "/account/register?invite=" not in html  # a dry run makes no links
    response = upload(admin, content, dry_run=False)
    links = re.findall(r"/account/register\?invite=[\w.-]+", response.get_data(as_text=True))
    assert len(links) == 2  # lena and jo (ana has an account; no mail is sent without the box ticked)
    comma = upload(admin, b"email,name\nkim@agency.org,Kim\n", dry_run=True).get_data(as_text=True)
    assert "1 row: 1 good, 0 with a problem" in comma
    broken = upload(admin, b"name\nno email column\n", dry_run=True)
    assert broken.status_code == 422 and "at least &#39;email&#39;" in broken.get_data(as_text=True)
    latin1 = upload(admin, "email\nzoë@agency.org\n".encode("latin-1"), dry_run=True)
    assert latin1.status_code == 422 and "not UTF-8" in latin1.get_data(as_text=True)


def test_funnel_and_item_statistics(app, admin, learner, built_example):
    import json
    manifest = json.loads((built_example / "server/example.json").read_text())
    q2 = next(q for q in manifest["quizzes"]["m2-assessment"]["questions"] if q["id"] == "q2")
    right = [o["id"] for o in q2["options"] if o["correct"]]
    wrong = [o["id"] for o in q2["options"] if not o["correct"]]
    # Three learners: strong, middling, weak; q1 right for the strong two, q2 right only for the strongest.
    for n, answers in enumerate([{"q1": True, "q2": right, "q3": "25"}, {"q1": True, "q2": wrong, "q3": "25"},
                                 {"q1": False, "q2": wrong}]):
        who = learner(f"l{n}@agency.org")
        who.api("post", "/api/progress", {"events": [{"event_id": f"e-{n}-view", "course": "example",
                "kind": "lesson_completed", "item": "finding-partners/cooperation-profiles"}]})
        attempt = who.api("post", f"{QUIZ}/attempts").get_json()["id"]
        who.api("post", f"{QUIZ}/attempts/{attempt}", {"answers": answers})
    from brokerlearn.server import db
    from brokerlearn.server.courses import catalog
    from brokerlearn.server.services.statistics import item_statistics, module_funnel
    with app.app_context():
        course = catalog().get("example")
        stats = item_statistics(db.session(), course, "m2-assessment")
        funnel = module_funnel(db.session(), course)
    assert stats["learners"] == 3
    by_id = {q["id"]: q for q in stats["questions"]}
    assert by_id["q1"]["facility"] == pytest.approx(2 / 3)
    assert by_id["q3"]["facility"] == pytest.approx(2 / 3)
    assert by_id["q1"]["discrimination"] > 0.5  # the strong learners got it right
    assert by_id["q7"]["facility"] is None  # a reflection is not scored
    chosen = {o["id"]: o["chosen"] for o in by_id["q2"]["options"]}
    assert [chosen[i] for i in right] == [1, 1] and sum(chosen[i] for i in wrong) == 2
    assert funnel[0] == {"slug": "finding-partners", "title": "Finding partners", "started": 3, "completed": 0}
    html = admin.client.get("/admin/courses/example").get_data(as_text=True)
    assert '<figure class="chart"' in html and "0.67" in html


HUGE = ["99999999999999999999", str(2**31), str(2**63)]


def test_huge_ids_are_not_found(admin):
    for number in HUGE:
        for path in [f"/admin/learners/{number}", f"/admin/groups/{number}", f"/admin/learners?group={number}"]:
            assert admin.client.get(path).status_code == 404, path
        assert admin.form(f"/admin/groups/{number}", {"email": "x@agency.org"}, page="/admin/groups").status_code == 404
    assert admin.client.get("/admin/learners?group=7777").status_code == 404  # no such group
    assert admin.client.get("/admin/learners?group=").status_code == 200  # "all groups" in the filter form


def test_csv_import_problems_are_shown_not_raised(admin):
    huge = ("email,name\nkim@agency.org," + "x" * 140_000 + "\n").encode()
    response = upload(admin, huge, dry_run=True)
    assert response.status_code == 422
    assert "Line 2 of the file cannot be read as CSV" in response.get_data(as_text=True)
    content = "email,name\nkim@agency.org,Kim\x1b]0;title\x07\nnul@agency.org,Nu\x00ll\nok@agency.org,Ok\n".encode()
    html = upload(admin, content, dry_run=True).get_data(as_text=True)
    assert "3 rows: 1 good, 2 with a problem" in html
    assert html.count("control or invisible characters") == 2


def test_import_problems_and_chart_in_german(admin, learner):
    learner("ana@agency.org")
    admin.client.set_cookie("brokerlearn_lang", "de")
    content = "email;name;group\nkein-adresse;X;\nana@agency.org;Ana;\nbo@agency.org;Bo;Nirgendwo\nbo@agency.org;Bo;\n"
    html = upload(admin, content.encode(), dry_run=True).get_data(as_text=True)
    for german in ["„kein-adresse“ ist keine E-Mail-Adresse",
                   "keine Gruppe namens „Nirgendwo“", "dieselbe Adresse wie Zeile 4"]:
        assert german in html, german
    report = admin.client.get("/admin/courses/example").get_data(as_text=True)
    assert "Lernende, die jedes Modul von" in report and "begonnen</span> · " in report and "abgeschlossen</span>" in report
