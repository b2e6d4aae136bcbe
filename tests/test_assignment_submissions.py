"""Submissions on the server (issue 18, items 3 and 8): drafts, files, submitting, who may read
what, and the upload attacks, through the Flask test client on SQLite and on PostgreSQL."""
from __future__ import annotations

import io
import zipfile

import pytest

BASE = "/api/assignments/example/meeting-plan"
TEXT = " ".join(["word"] * 70) + "\n\n**Agenda**: <script>alert(1)</script> [x](javascript:alert(2))"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def docx(extra: dict | None = None, big: int = 0) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
        if big:
            archive.writestr("word/media/zeros.bin", b"\0" * big)
    return out.getvalue()


def upload(who, data: bytes, name: str):
    return who.api("post", f"{BASE}/draft/files", data={"file": (io.BytesIO(data), name)},
                   content_type="multipart/form-data")


def test_a_learner_drafts_attaches_submits_and_reads_it_back(learner, app):
    ana = learner()
    assert ana.api("get", BASE).get_json()["status"] == "not_started"
    saved = ana.api("put", f"{BASE}/draft", {"text": "first words"})
    assert saved.status_code == 200 and saved.get_json()["words"] == 2
    assert ana.api("get", BASE).get_json()["status"] == "draft"
    too_short = ana.api("post", f"{BASE}/submit")
    assert too_short.status_code == 422 and "at least 60" in too_short.get_json()["error"]["message"]
    ana.api("put", f"{BASE}/draft", {"text": TEXT})
    attached = upload(ana, PDF, "agenda.pdf")
    assert attached.status_code == 201, attached.get_json()
    submitted = ana.api("post", f"{BASE}/submit")
    assert submitted.status_code == 200, submitted.get_json()
    body = submitted.get_json()
    assert body["status"] == "submitted" and body["submitted_at"] and len(body["files"]) == 1
    assert "<script" not in body["text_html"] and "&lt;script&gt;" in body["text_html"]  # shown, never run
    assert 'href="javascript' not in body["text_html"]
    assert "<strong>Agenda</strong>" in body["text_html"]
    state = ana.api("get", BASE).get_json()
    assert state["status"] == "submitted" and state["submission"]["id"] == body["id"]
    again = ana.api("put", f"{BASE}/draft", {"text": "a change after submitting"})
    assert again.status_code == 409  # no second attempt until a trainer opens one
    # The file is stored under a name of the server's, and served as an attachment only.
    stored = list((app.instance_path and __import__("pathlib").Path(app.instance_path) / "submissions").iterdir())
    assert len(stored) == 1 and stored[0].name != "agenda.pdf" and len(stored[0].name) == 32
    got = ana.client.get(body["files"][0]["url"])
    assert got.status_code == 200 and got.data == PDF
    assert got.headers["Content-Disposition"].startswith("attachment;") and "agenda.pdf" in got.headers["Content-Disposition"]
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in got.headers["Content-Security-Policy"] and "default-src 'none'" in got.headers["Content-Security-Policy"]


def _submitted(learner, email="ana@agency.org") -> tuple:
    who = learner(email)
    who.api("put", f"{BASE}/draft", {"text": TEXT})
    file_url = upload(who, PNG, "agenda.png").get_json()["url"]
    body = who.api("post", f"{BASE}/submit").get_json()
    return who, body["id"], file_url


def test_who_may_read_a_submission_and_its_files(learner, visitor, admin, app):
    ana, submission_id, file_url = _submitted(learner)
    path = f"/api/submissions/{submission_id}"
    assert ana.api("get", path).status_code == 200  # the submitter
    assert ana.client.get(file_url).status_code == 200
    ben = learner("ben@agency.org")  # another learner: as if it did not exist
    assert ben.api("get", path).status_code == 404 and ben.client.get(file_url).status_code == 404
    assert ben.api("get", "/api/submissions/999999").status_code == 404
    stranger = visitor()  # signed out
    assert stranger.api("get", path).status_code == 401 and stranger.client.get(file_url).status_code == 401
    read = admin.api("get", path)
    assert read.status_code == 200 and read.get_json()["words"] >= 60  # an administrator
    assert admin.client.get(file_url).status_code == 200


def test_the_one_access_rule(app):
    from types import SimpleNamespace as User

    from brokerlearn.server import db
    from brokerlearn.server.models import Review, Submission
    from brokerlearn.server.models import User as Account
    from brokerlearn.server.services.submissions import can_read_submission
    with app.app_context():
        session = db.session()
        for uid in (7, 8, 9):
            session.add(Account(id=uid, email=f"u{uid}@agency.org", name="", password_hash="x"))
        session.flush()
        work = Submission(user_id=7, course_id="example", assignment_id="meeting-plan", rubric_version="v")
        session.add(work)
        session.flush()
        assert can_read_submission(User(id=7, role="learner", is_authenticated=True), work, session)
        assert not can_read_submission(User(id=8, role="learner", is_authenticated=True), work, session)
        assert not can_read_submission(User(id=8, role="author", is_authenticated=True), work, session)
        assert not can_read_submission(User(id=8, role="trainer", is_authenticated=True), work, session)  # no group
        assert can_read_submission(User(id=8, role="admin", is_authenticated=True), work, session)
        assert not can_read_submission(None, work, session)
        session.add(Review(submission_id=work.id, course_id="example", assignment_id="meeting-plan",
                           reviewer_id=9, kind="peer"))
        session.flush()
        assert can_read_submission(User(id=9, role="learner", is_authenticated=True), work, session)  # handed to 9
        assert not can_read_submission(User(id=8, role="learner", is_authenticated=True), work, session)
        session.rollback()


def test_writes_need_the_csrf_token(learner):
    ana = learner()
    assert ana.api("put", f"{BASE}/draft", {"text": "x"}, csrf=False).status_code == 400
    assert ana.api("post", f"{BASE}/submit", csrf=False).status_code == 400
    refused = ana.client.post(f"{BASE}/draft/files", data={"file": (io.BytesIO(PDF), "a.pdf")},
                              content_type="multipart/form-data")
    assert refused.status_code == 400
    assert ana.api("get", BASE).get_json()["status"] == "not_started"


def test_a_draft_is_removed_file_by_file(learner, app):
    from pathlib import Path
    ana = learner()
    found = upload(ana, PDF, "a.pdf").get_json()
    assert upload(ana, PDF, "b.pdf").status_code == 409  # one file at most
    assert ana.api("delete", f"{BASE}/draft/files/{found['id']}").status_code == 204
    assert not list((Path(app.instance_path) / "submissions").iterdir())
    ben = learner("ben@agency.org")
    kept = upload(ana, PDF, "a.pdf").get_json()
    assert ben.api("delete", f"{BASE}/draft/files/{kept['id']}").status_code == 404  # not ben's


ATTACKS = {
    "html with script": (b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>", "agenda.pdf",
                         "active_content"),
    "svg with script": (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
                        "agenda.png", "active_content"),
    "a pdf that is also a page": (b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>", "a.pdf",
                                  "active_content"),
    "a png with a zip appended": (PNG + docx(), "a.png", "polyglot"),
    "a zip bomb dressed as docx": (docx(big=150 * 1024 * 1024), "plan.docx", "zip_bomb"),
    "a docx with macros": (docx({"word/vbaProject.bin": b"macro"}), "plan.docx", "active_content"),
    "an executable named pdf": (b"MZ\x90\x00\x03" + b"\x00" * 200 + b"This program cannot be run in DOS mode",
                                "agenda.pdf", "type_not_allowed"),
    "a path in the name": (PDF, "../../etc/passwd.pdf", "bad_file_name"),
    "a windows path in the name": (PDF, "C:\\Users\\ana\\agenda.pdf", "bad_file_name"),
    "a name that hides its extension": (PDF, "agenda.pdf\u202egpj.exe", "bad_file_name"),
    "content that disagrees with the name": (PNG, "agenda.pdf", "name_disagrees"),
    "a type the assignment does not take": (b"plain words only\n", "notes.txt", "type_not_allowed"),
    "an empty file": (b"", "a.pdf", "empty_file"),
}


@pytest.mark.parametrize("attack", ATTACKS, ids=list(ATTACKS))
def test_each_upload_attack_is_refused_and_nothing_is_stored(learner, app, attack):
    from pathlib import Path
    data, name, code = ATTACKS[attack]
    ana = learner()
    refused = upload(ana, data, name)
    assert refused.status_code in (413, 422), refused.get_json()
    assert refused.get_json()["error"]["code"] == code, refused.get_json()
    folder = Path(app.instance_path) / "submissions"
    assert not folder.exists() or not list(folder.iterdir())


def test_an_oversized_file_is_refused_before_it_is_read_whole(learner, app):
    ana = learner()
    big = PDF + b"0" * (5_000_000 + 100_000)  # the example takes at most 5 MB
    refused = upload(ana, big, "agenda.pdf")
    assert refused.status_code == 413 and refused.get_json()["error"]["code"] == "too_large"


def test_office_documents_and_images_are_accepted(learner):
    for data, name, kind in ((docx(), "plan.docx", "docx"), (PNG, "agenda.png", "png"),
                             (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "photo.jpeg", "jpg")):
        who = learner(f"{kind}@agency.org")
        found = upload(who, data, name)
        assert found.status_code == 201 and found.get_json()["kind"] == kind, found.get_json()


def test_a_file_larger_than_an_api_body_but_within_the_limit_is_accepted(learner):
    ana = learner()
    found = upload(ana, PDF + b"%" + b"0" * 3_000_000, "scan.pdf")  # 3 MB: past the 256 KB of JSON bodies
    assert found.status_code == 201, found.get_json()
    assert found.get_json()["size"] > 3_000_000


def test_deleting_the_account_erases_the_submissions_and_their_files(learner, app):
    from pathlib import Path

    from brokerlearn.server import db
    from brokerlearn.server.models import Submission, SubmissionFile
    ana, submission_id, _ = _submitted(learner)
    folder = Path(app.instance_path) / "submissions"
    assert len(list(folder.iterdir())) == 1
    deleted = ana.form("/account/delete", {"password": "a long enough password"})
    assert deleted.status_code in (200, 302), deleted.get_data(as_text=True)
    assert not list(folder.iterdir())
    with app.app_context():
        assert db.session().get(Submission, submission_id) is None
        assert not db.session().query(SubmissionFile).count()


def test_erasing_a_learner_removes_their_submissions_and_files(learner, app):
    """GDPR erasure by an admin (services/learner_actions.erase) takes the submitted text and
    the stored files, as deleting one's own account does."""
    from pathlib import Path

    from brokerlearn.server import db
    from brokerlearn.server.courses import catalog
    from brokerlearn.server.models import Submission, SubmissionFile, User
    from brokerlearn.server.services import learner_actions
    from brokerlearn.server.services.audit import Actor
    _ana, submission_id, _ = _submitted(learner)
    folder = Path(app.instance_path) / "submissions"
    assert len(list(folder.iterdir())) == 1
    with app.test_request_context():
        session = db.session()
        ana = session.query(User).filter_by(email="ana@agency.org").one()
        learner_actions.erase(session, Actor.command_line(), ana, catalog().all())
        assert session.get(Submission, submission_id) is None
        assert not session.query(SubmissionFile).count()
    assert not list(folder.iterdir())
