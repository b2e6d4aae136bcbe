"""A provider that misbehaves on purpose, for the refusals: it speaks enough OpenID Connect
(discovery, JWKS, an authorization endpoint that answers at once, a token endpoint) and forges
the ID token as its `mode` says, signed with PyJWT (a JOSE library that is not the one
brokerlearn verifies with). It records each token request, so a test can check the PKCE
verifier against the challenge of the authorization request."""
from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

MODES = ("good", "wrong-issuer", "wrong-audience", "expired", "bad-signature", "replayed-nonce",
         "alg-none", "unknown-key", "no-nonce", "unknown-crit")


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(private_key, kid: str) -> dict:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
    return {**jwk, "kid": kid, "use": "sig", "alg": "RS256"}


class Forger:
    def __init__(self, client_id: str):
        self.client_id = client_id
        self.mode = "good"
        self.key, self.other_key = _key(), _key()
        self.authorizations: list[dict] = []  # the query of each authorization request
        self.token_requests: list[dict] = []  # the form of each token request
        self.sub = "forged-subject"
        self.email = "forged@agency.example"
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def metadata(self) -> dict:
        return {"issuer": self.issuer, "authorization_endpoint": self.issuer + "/auth",
                "token_endpoint": self.issuer + "/token", "jwks_uri": self.issuer + "/jwks",
                "response_types_supported": ["code"], "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"]}

    def id_token(self) -> str:
        now = int(time.time())
        nonce = self.authorizations[-1]["nonce"]
        if self.mode == "replayed-nonce":  # a token of an earlier sign-in, sent again
            nonce = self.authorizations[-2]["nonce"] if len(self.authorizations) > 1 else "an-old-nonce"
        claims = {"iss": self.issuer, "sub": self.sub, "aud": self.client_id, "iat": now, "exp": now + 300,
                  "nonce": nonce, "email": self.email, "email_verified": True, "name": "Forged Person"}
        if self.mode == "wrong-issuer":
            claims["iss"] = "http://127.0.0.1:9/another-provider"
        if self.mode == "wrong-audience":
            claims["aud"] = "another-client"
        if self.mode == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 600
        if self.mode == "no-nonce":
            del claims["nonce"]
        if self.mode == "alg-none":
            return jwt.encode(claims, None, algorithm="none")
        key = self.other_key if self.mode in ("bad-signature", "unknown-key") else self.key
        kid = "other" if self.mode == "unknown-key" else "main"
        headers = {"kid": kid, "x5t": "a-thumbprint"}  # x5t, as Entra ID sends it, is fine
        if self.mode == "unknown-crit":  # a critical header parameter nobody here understands
            headers.update(crit=["exp2"], exp2=1)
        return jwt.encode(claims, key, algorithm="RS256", headers=headers)

    def _handler(self):
        forger = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, data: dict, status: int = 200):
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                parts = urlsplit(self.path)
                if parts.path == "/.well-known/openid-configuration":
                    return self._json(forger.metadata())
                if parts.path == "/jwks":
                    return self._json({"keys": [_jwk(forger.key, "main")]})
                if parts.path == "/auth":
                    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                    forger.authorizations.append(query)
                    target = query["redirect_uri"] + "?" + urlencode({"code": "forged-code", "state": query["state"]})
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.end_headers()
                    return None
                return self._json({"error": "not_found"}, 404)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                form["authorization"] = self.headers.get("Authorization", "")
                forger.token_requests.append(form)
                return self._json({"access_token": "forged-access", "token_type": "Bearer", "expires_in": 300,
                                   "id_token": forger.id_token()})

        return Handler


def s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
