"""An LTI 1.3 platform (an LMS) of the tests' own, on 127.0.0.1, written on PyJWT and the
standard library: none of brokerlearn's code is on this side (brokerlearn's LTI work is done
with joserfc). It serves:

* /jwks: its public key; /auth: the OIDC authorization endpoint, which answers a tool's login
  with an auto-posted form of a signed id_token (form_post), as Moodle and Canvas do;
* /course/<id>: a course page that frames the tool's login initiation in an iframe;
* /token: OAuth 2 client credentials, checking the tool's signed client assertion against the
  tool's published key set;
* /lineitems/<id>/scores: AGS scores, kept in `scores` (or refused while `down`);
* /memberships: an NRPS roster (`roster`);
* /deep-link-return: where a Deep Linking response goes, checked and kept in `deep_links`;
* /.well-known/openid-configuration and /register: LTI Dynamic Registration.

The platform is addressed as http://localhost:PORT, and the tool as http://127.0.0.1:PORT:
two different sites, so the tool's iframe is a third-party context for the browser.
"""
from __future__ import annotations

import html
import json
import secrets
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class Platform:
    def __init__(self, client_id: str = "tool-client-1", deployment_id: str = "dep-1"):
        self.key, self.kid = new_key(), "platform-key-1"
        self.client_id, self.deployment_id = client_id, deployment_id
        self.tool_base = ""  # the tool's address, set by the test
        self.pending: dict[str, dict] = {}  # lti_message_hint -> claims of the launch to make
        self.scores: list[dict] = []
        self.score_posts = 0
        self.down = False
        self.tokens: dict[str, str] = {}  # access token -> scope
        self.deep_links: list[dict] = []
        self.registrations: list[dict] = []
        self.roster: list[dict] = []
        self.auth_requests: list[dict] = []
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                platform._get(self)

            def do_POST(self):
                platform._post(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.base = f"http://localhost:{self.server.server_address[1]}"
        self.issuer = self.base

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # what the tool is told ------------------------------------------------------------------
    def registration(self) -> dict:
        return {"issuer": self.issuer, "client_id": self.client_id, "deployment_ids": [self.deployment_id],
                "auth_login_url": self.base + "/auth", "auth_token_url": self.base + "/token",
                "keyset_url": self.base + "/jwks"}

    def jwks(self) -> dict:
        jwk = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    # launches -------------------------------------------------------------------------------
    def claims(self, sub: str = "lms-user-1", roles=(LEARNER,), message_type: str = "LtiResourceLinkRequest",
               custom: dict | None = None, lineitem: str | None = None, context: str = "course-7",
               name: str = "Ana Lima", email: str = "ana.lima@school.example", document_target: str = "iframe") -> dict:
        claims = {"sub": sub, "name": name, "email": email,
                  LTI + "message_type": message_type, LTI + "version": "1.3.0",
                  LTI + "deployment_id": self.deployment_id, LTI + "roles": list(roles),
                  LTI + "target_link_uri": self.tool_base + "/lti/launch",
                  LTI + "context": {"id": context, "title": "Partner search 2026", "label": "PS26"},
                  LTI + "launch_presentation": {"document_target": document_target},
                  "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                      "context_memberships_url": self.base + "/memberships", "service_versions": ["2.0"]}}
        if message_type == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": "link-" + sub + str(custom), "title": "Activity"}
        else:
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": self.base + "/deep-link-return",
                "accept_types": ["ltiResourceLink"], "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True, "data": "opaque-platform-data"}
        if custom:
            claims[LTI + "custom"] = custom
        if lineitem:
            claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"], "lineitem": lineitem,
                "lineitems": self.base + "/lineitems"}
        return claims

    def id_token(self, claims: dict, nonce: str, key=None, kid: str | None = None, **overrides) -> str:
        now = int(time.time())
        payload = {"iss": self.issuer, "aud": self.client_id, "iat": now, "exp": now + 300, "nonce": nonce,
                   **claims, **overrides}
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(payload, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})

    def prepare(self, claims: dict) -> str:
        """A launch the platform will make: the login initiation URL of the tool for it."""
        hint = secrets.token_hex(8)
        self.pending[hint] = claims
        return self.tool_base + "/lti/login?" + urlencode({
            "iss": self.issuer, "login_hint": claims["sub"], "lti_message_hint": hint, "client_id": self.client_id,
            "target_link_uri": self.tool_base + "/lti/launch", "lti_deployment_id": self.deployment_id})

    def course_page(self, claims: dict) -> str:
        hint = self.prepare(claims)
        self.pending["page:" + str(len(self.pending))] = {"src": hint}
        return self.base + "/course/" + str(len(self.pending) - 1)

    # HTTP -------------------------------------------------------------------------------------
    def _send(self, handler, status: int, body, content_type: str = "application/json", headers=None):
        data = body if isinstance(body, bytes) else (json.dumps(body) if not isinstance(body, str) else body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(data)

    def _get(self, handler):
        parts = urlsplit(handler.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/jwks":
            return self._send(handler, 200, self.jwks())
        if parts.path == "/auth":
            return self._authorize(handler, query)
        if parts.path.startswith("/course/"):
            src = self.pending.get("page:" + parts.path.rsplit("/", 1)[1], {}).get("src", "")
            page = (f"<!doctype html><html><head><meta charset=utf-8><title>LMS course</title><style>body{{margin:0;font:16px sans-serif}}"
                    f"header{{background:#f98012;color:#fff;padding:8px 16px}}iframe{{width:100%;height:520px;border:0}}"
                    f"</style></head><body><header>Moodle-like LMS · Partner search 2026</header>"
                    f"<iframe id='tool' title='brokerlearn' src='{html.escape(src)}'></iframe></body></html>")
            return self._send(handler, 200, page, "text/html")
        if parts.path == "/memberships":
            if not self._authorized(handler, "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"):
                return self._send(handler, 401, {"error": "unauthorized"})
            return self._send(handler, 200, {"id": self.base + "/memberships", "context": {"id": "course-7"},
                                             "members": self.roster},
                              "application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
        if parts.path == "/.well-known/openid-configuration":
            return self._send(handler, 200, {
                "issuer": self.issuer, "authorization_endpoint": self.base + "/auth",
                "token_endpoint": self.base + "/token", "jwks_uri": self.base + "/jwks",
                "registration_endpoint": self.base + "/register",
                "scopes_supported": ["openid", "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                                     "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                    "product_family_code": "testlms", "version": "1.0"}})
        return self._send(handler, 404, {"error": "not found"})

    def _authorize(self, handler, query: dict):
        self.auth_requests.append(query)
        claims = self.pending.get(query.get("lti_message_hint", ""))
        expected = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post",
                    "prompt": "none", "client_id": self.client_id}
        if claims is None or any(query.get(k) != v for k, v in expected.items()) \
                or query.get("redirect_uri") != self.tool_base + "/lti/launch" or not query.get("nonce") \
                or query.get("login_hint") != claims["sub"]:
            return self._send(handler, 400, "bad authorization request", "text/plain")
        token = self.id_token(claims, query["nonce"])
        page = (f"<!doctype html><html><body onload='document.forms[0].submit()'>"
                f"<form method='post' action='{html.escape(query['redirect_uri'])}'>"
                f"<input type='hidden' name='id_token' value='{token}'>"
                f"<input type='hidden' name='state' value='{html.escape(query.get('state', ''))}'></form></body></html>")
        return self._send(handler, 200, page, "text/html")

    def _authorized(self, handler, scope: str) -> bool:
        header = handler.headers.get("Authorization", "")
        granted = self.tokens.get(header.removeprefix("Bearer "), "")
        return header.startswith("Bearer ") and scope in granted.split()

    def _body(self, handler) -> bytes:
        return handler.rfile.read(int(handler.headers.get("Content-Length") or 0))

    def _post(self, handler):
        parts = urlsplit(handler.path)
        body = self._body(handler)
        if parts.path == "/token":
            return self._token(handler, {k: v[0] for k, v in parse_qs(body.decode()).items()})
        if parts.path.startswith("/lineitems/") and parts.path.endswith("/scores"):
            self.score_posts += 1
            if self.down:
                return self._send(handler, 503, {"error": "down for maintenance"})
            if not self._authorized(handler, "https://purl.imsglobal.org/spec/lti-ags/scope/score") \
                    or handler.headers.get("Content-Type") != "application/vnd.ims.lis.v1.score+json":
                return self._send(handler, 401, {"error": "unauthorized"})
            self.scores.append({"lineitem": parts.path.removesuffix("/scores"), **json.loads(body)})
            return self._send(handler, 204, b"")
        if parts.path == "/deep-link-return":
            form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
            claims = jwt.decode(form["JWT"], self._tool_key(form["JWT"]), algorithms=["RS256"],
                                audience=self.issuer, issuer=self.client_id)
            self.deep_links.append(claims)
            return self._send(handler, 200, "<!doctype html><title>Added</title><p id='added'>Activity added.</p>",
                              "text/html")
        if parts.path == "/register":
            if handler.headers.get("Authorization") != "Bearer reg-token-1":
                return self._send(handler, 401, {"error": "bad registration token"})
            request = json.loads(body)
            self.registrations.append(request)
            return self._send(handler, 200, {**request, "client_id": "dyn-client-9",
                                             "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                                                 **request["https://purl.imsglobal.org/spec/lti-tool-configuration"],
                                                 "deployment_id": "dyn-dep-1"}})
        return self._send(handler, 404, {"error": "not found"})

    def _tool_key(self, token: str):
        return jwt.PyJWKClient(self.tool_base + "/.well-known/lti-jwks.json").get_signing_key_from_jwt(token).key

    def _token(self, handler, form: dict):
        try:
            assert form["grant_type"] == "client_credentials"
            assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            claims = jwt.decode(form["client_assertion"], self._tool_key(form["client_assertion"]),
                                algorithms=["RS256"], audience=self.base + "/token", issuer=self.client_id)
            assert claims["sub"] == self.client_id and claims["jti"]
        except Exception as exc:  # noqa: BLE001 - any fault is the client's
            return self._send(handler, 400, {"error": "invalid_client", "error_description": str(exc)})
        token = uuid.uuid4().hex
        self.tokens[token] = form.get("scope", "")
        return self._send(handler, 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                                         "scope": form.get("scope", "")})
