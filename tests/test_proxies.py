"""Behind a reverse proxy, under the real `brokerlearn serve` (waitress): the X-Forwarded-*
headers are honoured from the configured proxies only, so the login rate limit and the request
log count the learner's address, and a learner who reaches the server directly cannot choose one."""
from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from urllib.parse import urlencode

import pytest

from httpclient import HttpSession
from server_fixtures import PASSWORD

LEARNER = "198.51.100.7"  # what nginx appends to X-Forwarded-For: the address it saw
SPOOFED = "203.0.113.9"  # what a learner wrote into X-Forwarded-For themselves


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _cli(*args, env):
    return subprocess.run([sys.executable, "-m", "brokerlearn", *args], env=env, capture_output=True, text=True,
                          timeout=120)


def _environment(**settings) -> dict:
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("BROKERLEARN_") and key != "DATABASE_URL"}
    env["BROKERLEARN_QUIZ_KEY"] = os.environ.get("BROKERLEARN_QUIZ_KEY", "")
    env.update({f"BROKERLEARN_{key}": str(value) for key, value in settings.items()})
    return env


@contextmanager
def serving(built_example, tmp_path, **settings):
    """`brokerlearn serve` on 127.0.0.1 with these settings; yields (port, instance, log file)."""
    env = _environment(**settings)
    instance = tmp_path / "instance"
    port = _free_port()
    log = tmp_path / f"serve-{port}.log"
    with open(log, "w") as stderr:
        server = subprocess.Popen([sys.executable, "-m", "brokerlearn", "serve", str(built_example), "--host",
                                   "127.0.0.1", "--port", str(port), "--instance", str(instance)],
                                  env=env, stderr=stderr)
    try:
        deadline = time.time() + 30
        while True:
            assert server.poll() is None, log.read_text()
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/api/session", timeout=2).read()
                break
            except OSError:
                assert time.time() < deadline, "the server did not start"
                time.sleep(0.2)
        yield port, instance, log
    finally:
        server.terminate()
        server.wait(timeout=20)


def _post_form(client: HttpSession, path: str, fields: dict, headers: dict):
    status, data = client.request("GET", "/api/session", headers=headers)
    token = re.search(rb'"csrf_token":\s*"([^"]+)"', data).group(1).decode()
    body = urlencode({**fields, "csrf_token": token}).encode()
    return client.request("POST", path, body, {**headers, "Content-Type": "application/x-www-form-urlencoded"})


def _failed_login(port: int, headers: dict) -> None:
    client = HttpSession("127.0.0.1", port)
    status, _ = _post_form(client, "/account/login", {"email": "nobody@example.org", "password": "wrong password"},
                           headers)
    client.close()
    assert status == 401


def _counted_addresses(instance) -> set[str]:
    """The addresses the login rate limit has counted failures for."""
    with sqlite3.connect(instance / "brokerlearn.db") as database:
        keys = [key for (key,) in database.execute("SELECT key FROM login_failures")]
    return {key.removeprefix("address:") for key in keys if key.startswith("address:")}


def test_forwarded_for_from_the_trusted_proxy_is_the_learners_address(built_example, tmp_path):
    with serving(built_example, tmp_path, PROXIES=1) as (port, instance, log):
        # nginx's $proxy_add_x_forwarded_for: whatever the learner sent, then the address nginx saw.
        _failed_login(port, {"X-Forwarded-For": f"{SPOOFED}, {LEARNER}", "X-Forwarded-Proto": "https",
                             "X-Forwarded-Host": "learn.example.org"})
        assert _counted_addresses(instance) == {LEARNER}
    lines = [line for line in log.read_text().splitlines() if "/account/login" in line]
    assert len(lines) == 1 and f'{LEARNER} "POST /account/login" 401' in lines[0], log.read_text()


def test_a_client_that_is_not_a_configured_proxy_cannot_choose_its_address(built_example, tmp_path):
    # Proxies configured, but the test's connection (from 127.0.0.1) is not from one of them.
    with serving(built_example, tmp_path, PROXIES=1, TRUSTED_PROXIES="10.0.0.0/8") as (port, instance, log):
        _failed_login(port, {"X-Forwarded-For": SPOOFED})
        assert _counted_addresses(instance) == {"127.0.0.1"}
    assert '127.0.0.1 "POST /account/login" 401' in log.read_text()


def test_without_proxies_forwarded_headers_change_nothing(built_example, tmp_path):
    with serving(built_example, tmp_path) as (port, instance, log):
        _failed_login(port, {"X-Forwarded-For": SPOOFED})
        assert _counted_addresses(instance) == {"127.0.0.1"}
    assert SPOOFED not in log.read_text()


def _invitation_link(port: int, headers: dict) -> str:
    """An admin's invitation link: built from the address the admin's browser used (no public URL set)."""
    admin = HttpSession("127.0.0.1", port)
    status, _ = _post_form(admin, "/account/login", {"email": "admin@agency.org", "password": PASSWORD}, headers)
    assert status == 302
    status, _ = _post_form(admin, "/admin/groups", {"name": "Spring intake"}, headers)
    assert status == 302
    status, page = admin.request("GET", "/admin/groups", headers=headers)
    group = re.search(rb'href="/admin/groups/(\d+)"', page).group(1).decode()
    status, page = _post_form(admin, f"/admin/groups/{group}", {"email": "new@agency.org"}, headers)
    assert status == 200, page
    return re.search(rb'(https?://[^"<\s]+/account/register\?invite=)', page).group(1).decode()


@pytest.mark.parametrize("trusted", [True, False])
def test_forwarded_proto_and_host_give_the_proxys_https_address(built_example, tmp_path, trusted):
    settings = {"PROXIES": 1} if trusted else {"PROXIES": 1, "TRUSTED_PROXIES": "192.0.2.1"}
    env = _environment(PASSWORD=PASSWORD)
    assert _cli("users", "create", "admin@agency.org", "--role", "admin", "--instance", str(tmp_path / "instance"),
                env=env).returncode == 0
    headers = {"X-Forwarded-For": LEARNER, "X-Forwarded-Proto": "https", "X-Forwarded-Host": "learn.example.org"}
    with serving(built_example, tmp_path, **settings) as (port, _, _):
        link = _invitation_link(port, headers)
    expected = "https://learn.example.org" if trusted else f"http://127.0.0.1:{port}"
    assert link == f"{expected}/account/register?invite="


def test_trusted_proxies_without_proxies_is_refused(built_example, tmp_path):
    done = _cli("serve", str(built_example), "--instance", str(tmp_path / "instance"),
                env=_environment(TRUSTED_PROXIES="127.0.0.1"))
    assert done.returncode == 2 and "BROKERLEARN_PROXIES" in done.stderr and "Traceback" not in done.stderr
    done = _cli("serve", str(built_example), "--instance", str(tmp_path / "instance"),
                env=_environment(PROXIES=1, TRUSTED_PROXIES="nginx.local"))
    assert done.returncode == 2 and "'nginx.local' is not an IP address" in done.stderr


def test_serve_takes_the_proxy_settings_from_the_settings_file(built_example, tmp_path):
    settings = tmp_path / "brokerlearn.env"
    settings.write_text("# as systemd's EnvironmentFile= reads it\nBROKERLEARN_PROXIES=1\n", encoding="utf-8")
    with serving(built_example, tmp_path, SETTINGS=settings) as (port, instance, log):
        _failed_login(port, {"X-Forwarded-For": f"{SPOOFED}, {LEARNER}"})
        assert _counted_addresses(instance) == {LEARNER}
    assert f"(from {settings})" not in log.read_text()  # the database is the default one
    assert "database: sqlite:///" in log.read_text()


def test_signing_in_over_the_proxys_https_needs_the_host_with_its_port(built_example, tmp_path):
    """With Secure cookies, a form posted over HTTPS must come with a Referer of the same origin
    (Flask-WTF's strict check); the origin is built from X-Forwarded-Proto and -Host, so nginx
    must send the host with its port ($http_host): $host drops it and every sign-in fails."""
    env = _environment(PASSWORD=PASSWORD)
    assert _cli("users", "create", "ana@agency.org", "--instance", str(tmp_path / "instance"), env=env).returncode == 0
    public = "https://learn.example.org:8443"
    fields = {"email": "ana@agency.org", "password": PASSWORD}
    with serving(built_example, tmp_path, PROXIES=1, SECURE_COOKIES=1, PUBLIC_URL=public) as (port, _, _):
        for host, expected in (("learn.example.org:8443", 302), ("learn.example.org", 400)):
            headers = {"X-Forwarded-For": LEARNER, "X-Forwarded-Proto": "https", "X-Forwarded-Host": host,
                       "Referer": f"{public}/account/login"}
            client = HttpSession("127.0.0.1", port)
            status, page = _post_form(client, "/account/login", fields, headers)
            assert status == expected, (host, page[:300])
            if expected == 302:
                assert "brokerlearn_session" in client.cookies
            else:
                assert b"The referrer does not match the host" in page
            client.close()
