"""A minimal HTTP client for tests against a served instance: one keep-alive connection, cookies,
the CSRF token in a header. (The standard library only, so it runs in many threads cheaply.)"""
from __future__ import annotations

import http.client
import json
from urllib.parse import urlencode


class HttpSession:
    def __init__(self, host: str, port: int):
        self.connection = http.client.HTTPConnection(host, port, timeout=60)
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data

    def refresh_csrf(self) -> None:
        status, data = self.request("GET", "/api/session")
        self.csrf = json.loads(data)["csrf_token"]

    def form(self, path: str, fields: dict):
        self.refresh_csrf()
        body = urlencode({**fields, "csrf_token": self.csrf}).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def post_json(self, path: str, payload):
        return self.request("POST", path, json.dumps(payload).encode(),
                            {"Content-Type": "application/json", "X-CSRFToken": self.csrf})

    def close(self) -> None:
        self.connection.close()
