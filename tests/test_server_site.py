"""The server as a web server for the built site: paths, caching, security headers, the OpenAPI
document, settings documentation."""
import re
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def client(app):
    return app.test_client()


def test_site_pages_are_served_with_revalidation_and_assets_cached(client):
    page = client.get("/example/finding-partners/cooperation-profiles/")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-cache" and page.headers["ETag"]
    again = client.get("/example/finding-partners/cooperation-profiles/",
                       headers={"If-None-Match": page.headers["ETag"]})
    assert again.status_code == 304
    asset = client.get("/_static/brokerlearn.css")
    assert asset.status_code == 200 and "max-age=3600" in asset.headers["Cache-Control"]
    redirect = client.get("/example/finding-partners")
    assert redirect.status_code == 308 and redirect.headers["Location"].endswith("/example/finding-partners/")
    assert client.get("/").status_code == 200
    assert client.get("/no/such/page.html").status_code == 404


@pytest.mark.parametrize("path", [
    "/../server/example.json", "/%2e%2e/server/example.json", "/%2E%2E%2Fserver%2Fexample.json",
    "/example/..%2f..%2fserver/example.json", "/..%5cserver%5cexample.json", "/%252e%252e/server/example.json",
    "/etc/passwd", "//etc/passwd", "/_static/../../server/example.json", "/%00/index.html",
])
def test_no_path_reaches_outside_the_site(client, path):
    response = client.get(path)
    assert response.status_code in (400, 404), path
    assert b'"questions"' not in response.data


def test_security_headers_on_every_kind_of_response(client):
    for path in ("/", "/account/login", "/api/session", "/no/such/page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "unsafe-inline" not in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
    assert client.get("/api/session").headers["Cache-Control"] == "no-store"


def test_secure_cookies_setting_adds_hsts(built_example, tmp_path):
    from brokerlearn.server import create_app
    app = create_app({"SECURE_COOKIES": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'db'}"},
                     build_dir=built_example, instance_path=tmp_path / "instance")
    response = app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]


def test_secret_key_is_generated_once_and_private(built_example, tmp_path):
    from brokerlearn.server import create_app
    first = create_app(build_dir=built_example, instance_path=tmp_path / "i").secret_key
    second = create_app(build_dir=built_example, instance_path=tmp_path / "i").secret_key
    assert first == second and len(first) >= 32
    assert (tmp_path / "i" / "secret_key").stat().st_mode & 0o077 == 0


def test_openapi_document_is_valid_and_describes_real_responses(app, learner):
    from openapi_spec_validator import validate
    spec = app.test_client().get("/api/openapi.json").get_json()
    validate(spec)

    def check(schema_name, instance):
        schema = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
        Draft202012Validator(schema).validate(instance)

    ana = learner()
    check("Session", ana.client.get("/api/session").get_json())
    events = {"events": [{"event_id": "evt-openapi-1", "course": "example", "kind": "lesson_completed",
                          "item": "finding-partners/cooperation-profiles"}]}
    check("Events", events)
    check("Recorded", ana.api("post", "/api/progress", events).get_json())
    check("Progress", ana.api("get", "/api/progress/example").get_json())
    check("Attempt", ana.api("post", "/api/quizzes/example/m2-assessment/attempts").get_json())
    check("Error", ana.api("post", "/api/progress", {"events": []}).get_json())
    # Every route under /api/ is described.
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/")}
    assert routes == set(spec["paths"])


def test_openapi_document_is_in_the_docs():
    from brokerlearn.server.openapi import render_markdown
    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    assert text == render_markdown(), "run: python -m brokerlearn.server.openapi docs/api.md"


def test_every_setting_is_documented_in_the_hosting_guide():
    from brokerlearn.server.settings import SETTINGS
    guide = (REPO / "docs" / "hosting.md").read_text()
    missing = [s.env for s in SETTINGS if f"`{s.env}`" not in guide]
    assert not missing, f"docs/hosting.md does not document {missing}"
