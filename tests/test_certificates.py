"""Certificates, on SQLite and on PostgreSQL: eligibility at the exact thresholds, claiming once
with a checked Unicode name, the Open Badges 3.0 credential checked by an independent OB 3.0
verifier (openbadgeslib), a JOSE library (joserfc) and 1EdTech's official JSON Schemas,
tampering, revocation, the PDF, keys and rotation, credentials of the first (`vc` claim) form."""
import base64
import io
import json
import re
import shutil
import subprocess
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft201909Validator

from brokerlearn.cli import main
from brokerlearn.server.credentials.keys import create_key

SCHEMAS = Path(__file__).parent / "schemas"  # official 1EdTech copies: see schemas/README.md
CREDENTIAL_SCHEMA = json.loads((SCHEMAS / "ob3-achievementcredential.json").read_text())
PROFILE_SCHEMA = json.loads((SCHEMAS / "ob3-profile.json").read_text())
PUBLIC = "https://learn.example.org"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
LESSONS = ["finding-partners/cooperation-profiles", "finding-partners/assessing-candidates",
           "working-together/first-meeting"]
QUIZ = "/api/quizzes/example/m2-assessment"
UNICODE_NAME = "Žofie Πέτρου Иванова"


@pytest.fixture
def app(app):
    """The server with a signing key and a public address, as an agency would run it. After
    each test, every credential it issued is checked against the official OB 3.0 schema."""
    create_key(Path(app.instance_path))
    app.config.update(PUBLIC_URL=PUBLIC, ISSUER_NAME="Agentur Nord")
    yield app
    from brokerlearn.server import db
    from brokerlearn.server.credentials.badge import is_legacy
    from brokerlearn.server.models import Certificate
    with app.test_request_context():
        for certificate in db.session().query(Certificate):
            payload = decode_part(certificate.credential.split(".")[1])
            if not is_legacy(payload):  # the first form is checked in its own test
                validate(CREDENTIAL_SCHEMA, payload)


def manifest(built_example) -> dict:
    return json.loads((built_example / "server" / "example.json").read_text())


def answers(built_example, wrong=()) -> dict:
    qs = {q["id"]: q for q in manifest(built_example)["quizzes"]["m2-assessment"]["questions"]}
    right = {"q1": True, "q2": [o["id"] for o in qs["q2"]["options"] if o["correct"]], "q3": "25",
             "q4": "capacity", "q5": [i["id"] for i in qs["q5"]["items"]],
             "q6": {p["left_id"]: p["right_id"] for p in qs["q6"]["pairs"]}}
    return {k: v for k, v in right.items() if k not in wrong}


def complete_lessons(who, lessons=LESSONS):
    events = [{"event_id": f"done-{i:04}", "course": "example", "kind": "lesson_completed", "item": lesson}
              for i, lesson in enumerate(lessons)]
    assert who.api("post", "/api/progress", {"events": events}).status_code == 200


def take_quiz(who, given: dict):
    attempt = who.api("post", f"{QUIZ}/attempts").get_json()["id"]
    return who.api("post", f"{QUIZ}/attempts/{attempt}", {"answers": given}).get_json()


def claim(who, name=UNICODE_NAME):
    return who.form("/certificates/claim/example", {"name": name}, page="/dashboard")


def earn_and_claim(who, built_example, name=UNICODE_NAME) -> str:
    complete_lessons(who)
    take_quiz(who, answers(built_example))
    response = claim(who, name)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def with_rule(app, built_example, tmp_path, **requires):
    """Serve the example with a changed certificate rule (as a rebuild would)."""
    from brokerlearn.server.courses import CourseCatalog
    server_dir = tmp_path / "server-rule"
    shutil.copytree(built_example / "server", server_dir, dirs_exist_ok=True)
    data = manifest(built_example)
    data["profile"]["certificate"]["requires"].update(requires)
    (server_dir / "example.json").write_text(json.dumps(data))
    app.extensions["brokerlearn_courses"] = CourseCatalog(server_dir)


def validate(schema: dict, document: dict) -> None:
    Draft201909Validator(schema, format_checker=Draft201909Validator.FORMAT_CHECKER).validate(document)


def decode_part(part: str) -> dict:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def fetch(who):
    """A downloader for openbadgeslib that reaches the test server for the public address."""
    def download(url: str) -> bytes:
        assert url.startswith(PUBLIC + "/"), url
        response = who.client.get(url.removeprefix(PUBLIC))
        assert response.status_code == 200, (url, response.status_code)
        return response.data
    return download


def ob3_verify(who, token: str, kid: str | None = None, **options):
    """Verify with openbadgeslib's OB3Verifier, the key found by dereferencing the JOSE kid."""
    from joserfc.jwk import JWKRegistry
    from openbadgeslib.ob3.verifier import OB3Verifier
    kid = kid or decode_part(token.split(".")[0])["kid"]
    jwk = json.loads(fetch(who)(kid))
    pem = JWKRegistry.import_key(jwk).as_pem(private=False)
    return OB3Verifier(pem).verify(token, download=fetch(who), **options)


def standing(app, email):
    from brokerlearn.server import db
    from brokerlearn.server.courses import catalog
    from brokerlearn.server.services.accounts import find_user
    from brokerlearn.server.services.certificates import eligibility
    with app.test_request_context():
        user = find_user(db.session(), email)
        return eligibility(db.session(), user.id, catalog().get("example"))


def test_eligibility_at_the_exact_thresholds(app, learner, built_example, tmp_path):
    """U1.O2 is assessed by q4 and q6 (1 point each): q4 right and q6 unanswered is exactly 50%."""
    ana = learner("ana@agency.org")
    complete_lessons(ana, LESSONS[:2])  # 2 of 3 lessons
    take_quiz(ana, answers(built_example, wrong=("q6",)))
    with_rule(app, built_example, tmp_path, min_outcome_score=0.5, lessons_completed=2 / 3)
    result = standing(app, "ana@agency.org")
    assert {o["id"]: o["score"] for o in result["outcomes"]}["U1.O2"] == 0.5
    assert result["eligible"] is True and result["missing"] == []

    with_rule(app, built_example, tmp_path, min_outcome_score=0.51, lessons_completed=2 / 3)
    result = standing(app, "ana@agency.org")
    assert result["eligible"] is False
    assert result["missing"] == ["U1.O2 “Compares candidate partners against explicit criteria.”: 50% of its "
                                 "graded points so far, 51% needed."]

    with_rule(app, built_example, tmp_path, min_outcome_score=0.5, lessons_completed=0.67)
    result = standing(app, "ana@agency.org")
    assert result["eligible"] is False
    assert result["missing"] == ["Lessons: 2 of 3 marked as complete, 3 needed."]
    html = ana.client.get("/dashboard").get_data(as_text=True)
    assert "Still missing:" in html and "Lessons: 2 of 3 marked as complete, 3 needed." in html


def test_claim_once_with_a_unicode_name_and_refusals(app, learner, built_example):
    from brokerlearn.server import db
    from brokerlearn.server.models import Certificate
    ana = learner("ana@agency.org")
    response = claim(ana)
    assert response.status_code == 403 and "Not yet" in response.get_data(as_text=True)
    complete_lessons(ana)
    take_quiz(ana, answers(built_example))
    assert "Claim the certificate" in ana.client.get("/dashboard").get_data(as_text=True)
    for bad, message in [("", "Enter the name"), ("   ", "Enter the name"), ("x" * 121, "too long"),
                         ("Ana\x07Bell", "control or invisible"), ("Ana\u200bNovak", "control or invisible")]:
        response = claim(ana, bad)
        assert response.status_code == 400 and message in response.get_data(as_text=True), bad
    with app.app_context():
        assert db.session().query(Certificate).count() == 0
    response = claim(ana, "  Žofie   Πέτρου Иванова ")
    assert response.status_code == 302
    certificate_id = response.headers["Location"].rsplit("/", 1)[1]
    assert re.fullmatch(r"[0-9a-f-]{36}", certificate_id)
    again = claim(ana, "Someone Else")
    assert again.status_code == 409 and "already" in again.get_data(as_text=True)
    page = ana.client.get(f"/certificates/{certificate_id}").get_data(as_text=True)
    assert "Valid." in page and UNICODE_NAME in page
    assert "You hold this certificate" in ana.client.get("/dashboard").get_data(as_text=True)
    with app.app_context():
        assert db.session().query(Certificate).count() == 1
    assert claim(ana).status_code == 409


def test_credential_verifies_with_an_independent_library_and_matches_the_schema(app, learner, visitor,
                                                                               built_example):
    from joserfc import jwt as jose_jwt
    from joserfc.jwk import KeySet
    ana = learner("ana@agency.org")
    certificate_id = earn_and_claim(ana, built_example)
    token = ana.client.get(f"/certificates/{certificate_id}/credential.jwt").get_data(as_text=True)
    jwks = visitor().client.get("/.well-known/jwks.json").get_json()
    assert all("d" not in key and "p" not in key for key in jwks["keys"])  # public halves only
    decoded = jose_jwt.decode(token, KeySet.import_key_set(jwks), algorithms=["RS256"])
    assert set(decoded.header) == {"alg", "kid", "typ"} and decoded.header["alg"] == "RS256"
    # OB 3.0 §8.2.4.1: kid is a URL that dereferences to the JWK.
    kid = decoded.header["kid"]
    assert kid.startswith(f"{PUBLIC}/certificates/keys/")
    served_key = visitor().client.get(kid.removeprefix(PUBLIC)).get_json()
    assert served_key["kid"] == kid and served_key in jwks["keys"]
    # OB 3.0 §8.2.4.2 (VC data model 2.0): the payload is the credential, claims beside it.
    claims = credential = decoded.claims
    assert "vc" not in claims
    validate(CREDENTIAL_SCHEMA, credential)
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert claims["iss"] == credential["issuer"]["id"] == f"{PUBLIC}/certificates/issuer"
    assert claims["jti"] == credential["id"] == f"urn:uuid:{certificate_id}"
    assert claims["sub"] == credential["credentialSubject"]["id"]
    subject_uuid = credential["credentialSubject"]["id"].removeprefix("urn:uuid:")
    assert str(uuid.UUID(subject_uuid)) == subject_uuid  # a valid urn:uuid (RFC 9562 form)
    assert claims["nbf"] == int(datetime.fromisoformat(credential["validFrom"].replace("Z", "+00:00")).timestamp())
    assert "exp" not in claims and "validUntil" not in credential  # the example's certificate does not expire
    assert credential["credentialSubject"]["identifier"][0]["identityHash"] == UNICODE_NAME
    alignment = credential["credentialSubject"]["achievement"]["alignment"]
    assert [a["targetCode"] for a in alignment] == ["U1.O1", "U1.O2", "U2.O1"]
    assert alignment[0]["targetUrl"] == f"{PUBLIC}/example/qualification/#outcome-U1.O1"
    # An independent OB 3.0 verifier accepts it, its status list checked and that list's proof too.
    verified = ob3_verify(visitor(), token, check_status=True, verify_status_list=True)
    assert verified.issuer.id == claims["iss"]
    assert verified.achievement.name == credential["credentialSubject"]["achievement"]["name"]
    # The issuer profile: the official Profile schema, and OB 3.0 terms only.
    profile = visitor().client.get("/certificates/issuer").get_json()
    validate(PROFILE_SCHEMA, profile)
    assert profile["id"] == claims["iss"]
    assert set(profile) - {"@context"} <= set(PROFILE_SCHEMA["properties"]), profile
    status = visitor().client.get("/certificates/status/1").get_data(as_text=True)
    listed = jose_jwt.decode(status, KeySet.import_key_set(jwks), algorithms=["RS256"]).claims
    assert listed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    # Someone else can neither download it nor learn that it exists.
    bo = learner("bo@agency.org")
    assert bo.client.get(f"/certificates/{certificate_id}/credential.jwt").status_code == 404
    assert bo.client.get(f"/certificates/{certificate_id}/certificate.pdf").status_code == 404


def test_expiring_credential_carries_exp_and_validates(app, learner, visitor, built_example, tmp_path):
    from brokerlearn.server.courses import CourseCatalog
    with_rule(app, built_example, tmp_path)
    data = manifest(built_example)
    data["profile"]["certificate"]["valid_years"] = 3
    (tmp_path / "server-rule" / "example.json").write_text(json.dumps(data))
    app.extensions["brokerlearn_courses"] = CourseCatalog(tmp_path / "server-rule")
    ana = learner("ana@agency.org")
    certificate_id = earn_and_claim(ana, built_example)
    token = ana.client.get(f"/certificates/{certificate_id}/credential.jwt").get_data(as_text=True)
    payload = decode_part(token.split(".")[1])
    validate(CREDENTIAL_SCHEMA, payload)
    assert payload["exp"] == int(datetime.fromisoformat(payload["validUntil"].replace("Z", "+00:00")).timestamp())
    assert ob3_verify(visitor(), token).expiration_date is not None


def test_verifier_documents_allow_any_origin_and_the_status_list_is_never_cached(app, visitor):
    client = visitor().client
    kid = client.get("/.well-known/jwks.json").get_json()["keys"][0]["kid"]
    for path in ("/.well-known/jwks.json", "/certificates/issuer", "/certificates/status/1",
                 kid.removeprefix(PUBLIC)):
        response = client.get(path, headers={"Origin": "https://verifier.example"})
        assert response.status_code == 200, path
        assert response.headers["Access-Control-Allow-Origin"] == "*", path
        assert "max-age=300" not in response.headers.get("Cache-Control", ""), path
    assert "no-store" in client.get("/certificates/status/1").headers["Cache-Control"]
    assert client.get("/certificates/keys/no-such-key").status_code == 404


def test_the_status_list_credential_is_not_a_certificate(app, visitor, tmp_path):
    status = visitor().client.get("/certificates/status/1").get_data(as_text=True)
    response = visitor().form("/certificates/verify", {"credential": status})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "<strong>Not a certificate.</strong>" in html
    status_file = tmp_path / "status.jwt"
    status_file.write_text(status)
    result = CliRunner().invoke(main, ["certs", "verify", str(status_file), "--instance", app.instance_path],
                                env={"DATABASE_URL": app.config["DATABASE_URL"], "BROKERLEARN_PUBLIC_URL": PUBLIC})
    assert result.exit_code == 1 and result.stdout.startswith("not_a_certificate:"), result.output


def _flip(text: str, index: int) -> str:
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1:]


def _reencode(part: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def test_altered_credentials_fail_with_the_right_reason(app, learner, visitor, built_example):
    ana = learner("ana@agency.org")
    certificate_id = earn_and_claim(ana, built_example)
    token = ana.client.get(f"/certificates/{certificate_id}/credential.jwt").get_data(as_text=True)
    header, payload, signature = token.split(".")
    claims = decode_part(payload)
    renamed = json.loads(json.dumps(claims))
    renamed["credentialSubject"]["identifier"][0]["identityHash"] = "Mallory"
    other_issuer = json.loads(json.dumps(claims))
    other_issuer["iss"] = other_issuer["issuer"]["id"] = "https://evil.example/certificates/issuer"
    cases = {
        "valid": token,
        "tampered": f"{header}.{_reencode(renamed)}.{signature}",
        "wrong_issuer": f"{header}.{_reencode(other_issuer)}.{signature}",
        "malformed": "not a credential at all",
    }
    cases["signature byte"] = f"{header}.{payload}.{_flip(signature, len(signature) // 2)}"
    # A kid on another host, or a bare thumbprint in a credential of the current form: not a key of ours.
    jose_header = decode_part(header)
    thumbprint = jose_header["kid"].rsplit("/", 1)[1]
    for name, kid in (("foreign kid", f"https://evil.example/certificates/keys/{thumbprint}"), ("bare kid", thumbprint)):
        cases[name] = f"{_reencode({**jose_header, 'kid': kid})}.{payload}.{signature}"
    cases["payload byte"] = f"{header}.{_flip(payload, len(payload) // 2)}.{signature}"
    expected = {"valid": "Valid", "tampered": "Altered", "wrong_issuer": "Wrong issuer",
                "malformed": "Not a credential", "signature byte": "Altered", "payload byte": "Altered",
                "foreign kid": "Unknown signing key", "bare kid": "Unknown signing key"}
    checker = visitor()
    for name, candidate in cases.items():
        response = checker.form("/certificates/verify", {"credential": candidate})
        verdict = re.search(r"<strong>(.*?)\.</strong>", response.get_data(as_text=True)).group(1)
        assert verdict == expected[name], name
    upload = checker.client.post("/certificates/verify", data={
        "csrf_token": checker.page_token("/certificates/verify"),
        "file": (io.BytesIO(token.encode()), "certificate.jwt")}, content_type="multipart/form-data")
    assert upload.status_code == 200 and "<strong>Valid.</strong>" in upload.get_data(as_text=True)


def test_revocation_shows_on_the_page_in_the_status_list_and_in_certs_verify(app, learner, visitor,
                                                                             built_example, tmp_path):
    from brokerlearn.server.credentials.status_list import is_set
    ana = learner("ana@agency.org")
    certificate_id = earn_and_claim(ana, built_example)
    token = ana.client.get(f"/certificates/{certificate_id}/credential.jwt").get_data(as_text=True)
    credential_file = tmp_path / "certificate.jwt"
    credential_file.write_text(token)
    env = {"DATABASE_URL": app.config["DATABASE_URL"], "BROKERLEARN_PUBLIC_URL": "https://learn.example.org",
           "BROKERLEARN_ISSUER_NAME": "Agentur Nord"}
    instance = app.instance_path
    runner = CliRunner()
    verified = runner.invoke(main, ["certs", "verify", str(credential_file), "--instance", instance], env=env)
    assert verified.exit_code == 0 and verified.stdout.startswith("valid:")
    # Revoked by an admin in the admin pages; learners may not.
    assert ana.form(f"/admin/certificates/{certificate_id}/revoke", {"reason": "x"},
                    page="/dashboard").status_code == 403
    boss = learner("boss@agency.org")
    runner.invoke(main, ["users", "set-role", "boss@agency.org", "admin", "--instance", instance], env=env)
    boss.login("boss@agency.org")
    response = boss.form(f"/admin/certificates/{certificate_id}/revoke", {"reason": "Issued by mistake.",
                                                                         "confirm": "yes"})
    assert response.status_code == 302
    page = visitor().client.get(f"/certificates/{certificate_id}").get_data(as_text=True)
    assert "Revoked</strong> on" in page and "Issued by mistake." in page
    verified = runner.invoke(main, ["certs", "verify", str(credential_file), "--instance", instance], env=env)
    assert verified.exit_code == 1 and verified.stdout.startswith("revoked:")
    assert "Issued by mistake." in verified.output
    status = visitor().client.get("/certificates/status/1").get_data(as_text=True)
    payload = status.split(".")[1]
    listed = decode_part(payload)
    index = int(decode_part(token.split(".")[1])["credentialStatus"]["statusListIndex"])
    assert is_set(listed["credentialSubject"]["encodedList"], index)
    # At once for an independent verifier too: the list is made afresh and not cached.
    from openbadgeslib.ob3.verifier import OB3VerificationError
    with pytest.raises(OB3VerificationError, match="revocation"):
        ob3_verify(visitor(), token, check_status=True)
    again = runner.invoke(main, ["certs", "revoke", certificate_id, "--reason", "twice", "--instance", instance], env=env)
    assert again.exit_code == 2 and "revoked already" in again.output
    unknown = visitor().client.get("/certificates/00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 404 and "Unknown certificate" in unknown.get_data(as_text=True)


def test_the_pdf_holds_the_name_outcomes_and_verification_url(app, learner, built_example):
    from pypdf import PdfReader
    ana = learner("ana@agency.org")
    certificate_id = earn_and_claim(ana, built_example)
    response = ana.client.get(f"/certificates/{certificate_id}/certificate.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    text = reader.pages[0].extract_text()
    for expected in (UNICODE_NAME, "U1.O1", "Writes a cooperation profile", "U2.O1", "AGENTUR NORD",
                     f"https://learn.example.org/certificates/{certificate_id}"):
        assert expected in text, expected
    ARTIFACTS.mkdir(exist_ok=True)
    pdf_path = ARTIFACTS / "certificate.pdf"
    pdf_path.write_bytes(response.data)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf_path),
                        str(ARTIFACTS / "certificate")], check=True)
        assert (ARTIFACTS / "certificate.png").stat().st_size > 10_000


def test_key_rotation_keeps_old_certificates_verifiable(app, learner, visitor, built_example):
    from brokerlearn.server.credentials.keys import load_keys
    ana = learner("ana@agency.org")
    old_id = earn_and_claim(ana, built_example)
    old_token = ana.client.get(f"/certificates/{old_id}/credential.jwt").get_data(as_text=True)
    new_key = create_key(Path(app.instance_path), "EdDSA")
    bo = learner("bo@agency.org")
    new_id = earn_and_claim(bo, built_example, "Bo Berg")
    new_token = bo.client.get(f"/certificates/{new_id}/credential.jwt").get_data(as_text=True)
    new_kid = f"{PUBLIC}/certificates/keys/{new_key.kid}"
    assert decode_part(new_token.split(".")[0])["kid"] == new_kid
    kids = {k["kid"] for k in visitor().client.get("/.well-known/jwks.json").get_json()["keys"]}
    assert len(kids) == 2 and new_kid in kids
    # RS256 and EdDSA, each through its own kid. (openbadgeslib would check the status list's own
    # proof only with the certificate's key, but the list is signed with the current key.)
    for token in (old_token, new_token):
        ob3_verify(visitor(), token, check_status=True, verify_status_list=False)
    for token in (old_token, new_token):
        response = visitor().form("/certificates/verify", {"credential": token})
        assert "<strong>Valid.</strong>" in response.get_data(as_text=True)
    keys_dir = Path(app.instance_path) / "keys"
    assert keys_dir.stat().st_mode & 0o077 == 0
    assert all(p.stat().st_mode & 0o077 == 0 for p in keys_dir.glob("*.pem"))
    assert len(load_keys(Path(app.instance_path))[1]) == 2


def test_deleting_the_account_revokes_and_erases_the_name(app, learner, visitor, built_example):
    from server_fixtures import PASSWORD
    ana = learner("ana@agency.org")
    certificate_id = earn_and_claim(ana, built_example)
    ana.form("/account/delete", {"password": PASSWORD})
    page = visitor().client.get(f"/certificates/{certificate_id}").get_data(as_text=True)
    assert "Revoked</strong>" in page and "deleted their account" in page and UNICODE_NAME not in page


def test_keys_cli(tmp_path):
    runner = CliRunner()
    instance = str(tmp_path / "instance")
    first = runner.invoke(main, ["keys", "init", "--instance", instance])
    assert first.exit_code == 0 and "created RS256 key" in first.output
    assert runner.invoke(main, ["keys", "init", "--instance", instance]).exit_code == 2
    assert runner.invoke(main, ["keys", "init", "--if-missing", "--instance", instance]).exit_code == 0
    assert runner.invoke(main, ["keys", "rotate", "--alg", "EdDSA", "--instance", instance]).exit_code == 0
    listing = runner.invoke(main, ["keys", "list", "--instance", instance]).output.splitlines()
    assert len(listing) == 2 and sum(line.startswith("*") for line in listing) == 1
    assert any(line.startswith("*") and line.endswith("EdDSA") for line in listing)


def test_a_damaged_key_file_is_a_clear_error(tmp_path):
    runner = CliRunner()
    instance = tmp_path / "instance"
    assert runner.invoke(main, ["keys", "init", "--instance", str(instance)]).exit_code == 0
    key = next((instance / "keys").glob("*.pem"))
    key.write_text("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    for command in (["keys", "list"], ["keys", "init", "--if-missing"]):
        result = runner.invoke(main, [*command, "--instance", str(instance)])
        assert result.exit_code == 2 and "is not a readable private key" in result.output, result.output


def from_host(who, host: str) -> dict:
    """A request sent to this server with another Host header (as curl can), the visitor's
    cookies kept."""
    for cookie in list(who.client._cookies.values()):
        who.client.set_cookie(cookie.key, cookie.value, domain=host)
    return {"headers": {"Host": host}}


def make_legacy(app, certificate_id: str) -> str:
    """Put the certificate's credential back into the first form (as the database of an earlier
    version holds it): the credential in a `vc` claim, a bare thumbprint as kid, the old subject id."""
    import jwt
    from brokerlearn.server import db
    from brokerlearn.server.credentials import badge
    from brokerlearn.server.credentials.keys import load_keys
    from brokerlearn.server.models import Certificate
    key = load_keys(Path(app.instance_path))[0]
    with app.test_request_context():
        session = db.session()
        certificate = session.get(Certificate, certificate_id)
        credential = badge.credential_of(decode_part(certificate.credential.split(".")[1]))
        credential["credentialSubject"]["id"] = f"urn:uuid:{certificate_id}:subject"
        token = jwt.encode({"vc": credential, **badge.claims_of(credential)}, key.private_key, algorithm=key.alg,
                           headers={"kid": key.kid, "typ": "JWT"})
        certificate.credential = token
        session.commit()
    return token


def test_credentials_of_the_first_form_still_verify_and_are_re_signed_on_request(app, learner, visitor,
                                                                                built_example, tmp_path):
    from openbadgeslib.ob3.verifier import OB3VerificationError
    ana = learner("ana@agency.org")
    certificate_id = earn_and_claim(ana, built_example)
    old = make_legacy(app, certificate_id)
    assert ana.client.get(f"/certificates/{certificate_id}/credential.jwt").get_data(as_text=True) == old
    with pytest.raises(OB3VerificationError, match="not an OpenBadgeCredential"):
        # why the holder is offered a re-signed copy (its bare kid cannot be dereferenced either)
        ob3_verify(visitor(), old, kid=f"{PUBLIC}/certificates/keys/{decode_part(old.split('.')[0])['kid']}")
    checked = visitor().form("/certificates/verify", {"credential": old}).get_data(as_text=True)
    assert "<strong>Valid.</strong>" in checked and "format of earlier versions" in checked
    old_file = tmp_path / "old.jwt"
    old_file.write_text(old)
    env = {"DATABASE_URL": app.config["DATABASE_URL"], "BROKERLEARN_PUBLIC_URL": PUBLIC,
           "BROKERLEARN_ISSUER_NAME": "Agentur Nord"}
    result = CliRunner().invoke(main, ["certs", "verify", str(old_file), "--instance", app.instance_path], env=env)
    assert result.exit_code == 0 and result.stdout.startswith("valid:"), result.output
    # Only the holder is offered, and may use, the re-signing.
    assert "Re-sign the digital credential" in ana.client.get(f"/certificates/{certificate_id}").get_data(as_text=True)
    assert "Re-sign" not in visitor().client.get(f"/certificates/{certificate_id}").get_data(as_text=True)
    bo = learner("bo@agency.org")
    assert bo.form(f"/certificates/{certificate_id}/reissue", {}, page="/dashboard").status_code == 404
    response = ana.form(f"/certificates/{certificate_id}/reissue", {}, page=f"/certificates/{certificate_id}")
    assert response.status_code == 302
    new = ana.client.get(f"/certificates/{certificate_id}/credential.jwt").get_data(as_text=True)
    assert new != old
    verified = ob3_verify(visitor(), new, check_status=True, verify_status_list=True)
    before, after = decode_part(old.split(".")[1])["vc"], decode_part(new.split(".")[1])
    validate(CREDENTIAL_SCHEMA, after)
    for same in ("id", "validFrom", "credentialStatus", "issuer", "name"):
        assert after[same] == before[same], same
    assert after["credentialSubject"]["achievement"] == before["credentialSubject"]["achievement"]
    assert after["credentialSubject"]["id"] != before["credentialSubject"]["id"]
    assert str(uuid.UUID(after["credentialSubject"]["id"].removeprefix("urn:uuid:"))) in after["credentialSubject"]["id"]
    assert verified.issuer.id == after["iss"]
    assert "Re-sign" not in ana.client.get(f"/certificates/{certificate_id}").get_data(as_text=True)
    again = ana.form(f"/certificates/{certificate_id}/reissue", {}, page="/dashboard")
    assert again.status_code == 409
    # The old copy the holder may have handed out keeps checking here.
    assert "<strong>Valid.</strong>" in visitor().form("/certificates/verify", {"credential": old}).get_data(as_text=True)


def test_without_a_public_url_nothing_is_issued_and_the_host_header_decides_nothing(app, learner, visitor,
                                                                                    built_example, caplog):
    from brokerlearn.server import db
    from brokerlearn.server.models import Certificate
    app.config["PUBLIC_URL"] = ""
    ana = learner("ana@agency.org")
    complete_lessons(ana)
    take_quiz(ana, answers(built_example))
    token = ana.page_token("/dashboard")
    response = ana.client.post("/certificates/claim/example", data={"name": "Ana", "csrf_token": token},
                               **from_host(ana, "evil.example"))
    assert response.status_code == 503 and "BROKERLEARN_PUBLIC_URL" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session().query(Certificate).count() == 0
    for path in ("/certificates/issuer", "/certificates/status/1", "/.well-known/jwks.json"):
        response = visitor().client.get(path, headers={"Host": "evil.example"})
        assert response.status_code == 503 and b"evil.example" not in response.data, path
    checked = visitor().form("/certificates/verify", {"credential": "a.b.c"})
    assert checked.status_code == 422 and "BROKERLEARN_PUBLIC_URL" in checked.get_data(as_text=True)
    # Reset mail: refused with a message, no link written anywhere.
    who = visitor()
    with caplog.at_level("WARNING", logger="brokerlearn.mail"):
        token = who.page_token("/account/reset")
        response = who.client.post("/account/reset", **from_host(who, "evil.example"),
                                   data={"email": "ana@agency.org", "csrf_token": token})
    assert response.status_code == 503 and "BROKERLEARN_PUBLIC_URL" in response.get_data(as_text=True)
    assert "/account/reset/" not in caplog.text


def test_with_a_public_url_the_host_header_is_ignored(app, learner, built_example, caplog):
    ana = learner("ana@agency.org")
    complete_lessons(ana)
    take_quiz(ana, answers(built_example))
    token = ana.page_token("/dashboard")
    response = ana.client.post("/certificates/claim/example", **from_host(ana, "evil.example"),
                               data={"name": "Ana", "csrf_token": token})
    assert response.status_code == 302
    certificate_id = response.headers["Location"].rsplit("/", 1)[1]
    payload = decode_part(ana.client.get(f"/certificates/{certificate_id}/credential.jwt")
                          .get_data(as_text=True).split(".")[1])
    assert payload["iss"] == f"{PUBLIC}/certificates/issuer"
    assert payload["credentialStatus"]["statusListCredential"] == f"{PUBLIC}/certificates/status/1"
    with caplog.at_level("WARNING", logger="brokerlearn.mail"):
        token = ana.page_token("/account/reset")
        response = ana.client.post("/account/reset", **from_host(ana, "evil.example"),
                                   data={"email": "ana@agency.org", "csrf_token": token})
    assert response.status_code == 200
    assert f"{PUBLIC}/account/reset/" in caplog.text and "evil.example" not in caplog.text


def test_scores_are_shown_to_the_holder_only(app, learner, visitor, built_example):
    ana = learner("ana@agency.org")
    certificate_id = earn_and_claim(ana, built_example)
    public = visitor().client.get(f"/certificates/{certificate_id}").get_data(as_text=True)
    assert "Writes a cooperation profile" in public and "%)" not in public
    own = ana.client.get(f"/certificates/{certificate_id}").get_data(as_text=True)
    assert "(100%)" in own and "Only you" in own


def test_serve_takes_the_public_address_only_from_configuration():
    from brokerlearn.server.settings import public_url_at_start
    local = {"PUBLIC_URL": "", "PROXIES": 0}
    assert "this machine only" in public_url_at_start(local, "127.0.0.1", 8000)
    assert local["PUBLIC_URL"] == "http://127.0.0.1:8000"
    ipv6 = {"PUBLIC_URL": ""}
    public_url_at_start(ipv6, "::1", 8001)
    assert ipv6["PUBLIC_URL"] == "http://[::1]:8001"
    for config, host in (({"PUBLIC_URL": ""}, "0.0.0.0"), ({"PUBLIC_URL": "", "PROXIES": 1}, "127.0.0.1")):
        warning = public_url_at_start(config, host, 8000)
        assert "refused until it is" in warning and config["PUBLIC_URL"] == ""
    configured = {"PUBLIC_URL": PUBLIC}
    assert public_url_at_start(configured, "0.0.0.0", 8000) is None and configured["PUBLIC_URL"] == PUBLIC


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_verifier_in_a_browser_on_another_origin_can_fetch_the_issuers_documents(app, tmp_path):
    from browser import browser, chromium_path, serve_dir
    from serving import running
    if chromium_path() is None:
        pytest.skip("Debian's chromium is not installed (scripts/setup --test)")
    (tmp_path / "verifier").mkdir()
    (tmp_path / "verifier" / "index.html").write_text("<!doctype html><title>A verifier</title>")
    script = """async (base) => {
        const read = async (path) => { try { const r = await fetch(base + path); return [r.status, await r.text()]; }
                                       catch (e) { return ["blocked", String(e)]; } };
        return Object.fromEntries(await Promise.all(
            ["/.well-known/jwks.json", "/certificates/issuer", "/certificates/status/1", "/api/session"]
            .map(async (p) => [p, await read(p)])));
    }"""
    with running(app, threads=2) as port, serve_dir(tmp_path / "verifier") as verifier_url, browser() as chromium:
        page = chromium.new_page()
        page.goto(verifier_url)  # http://127.0.0.1:OTHER/: another origin than the server's
        results = page.evaluate(script, f"http://127.0.0.1:{port}")
    assert results["/.well-known/jwks.json"][0] == 200 and '"keys"' in results["/.well-known/jwks.json"][1]
    assert results["/certificates/issuer"][0] == 200 and '"Profile"' in results["/certificates/issuer"][1]
    assert results["/certificates/status/1"][0] == 200 and results["/certificates/status/1"][1].count(".") == 2
    assert results["/api/session"][0] == "blocked"  # the control: what is not for verifiers stays same-origin
