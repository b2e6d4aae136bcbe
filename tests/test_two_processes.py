"""Deployment at scale, demonstrated: two `brokerlearn serve` processes on different ports share
one PostgreSQL database and one instance folder; a learner's session and progress continue from
one to the other."""
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from httpclient import HttpSession
from server_fixtures import PASSWORD


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_up(port: int, process) -> None:
    deadline = time.time() + 30
    while time.time() < deadline:
        assert process.poll() is None, process.stderr.read().decode()
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/session", timeout=2).read()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"the server on port {port} did not start")


def test_session_and_progress_continue_across_two_processes(postgres_cluster, built_example, tmp_path):
    url = postgres_cluster.url(postgres_cluster.create_database())
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "-m", "brokerlearn", "db", "upgrade", "--instance", str(tmp_path / "instance")],
                   env=env, check=True, capture_output=True)
    ports = [free_port(), free_port()]
    servers = [subprocess.Popen([sys.executable, "-m", "brokerlearn", "serve", str(built_example), "--port", str(port),
                                 "--instance", str(tmp_path / "instance")], env=env, stderr=subprocess.PIPE)
               for port in ports]
    try:
        for port, server in zip(ports, servers):
            wait_up(port, server)
        first = HttpSession("127.0.0.1", ports[0])
        status, _ = first.form("/account/register", {"email": "ana@agency.org", "password": PASSWORD})
        assert status == 302
        second = HttpSession("127.0.0.1", ports[1])
        second.cookies = dict(first.cookies)  # the same browser, now sent to the other process
        second.refresh_csrf()
        status, data = second.request("GET", "/api/session")
        assert json.loads(data)["user"]["email"] == "ana@agency.org"
        status, data = second.post_json("/api/progress", {"events": [
            {"event_id": "evt-across-01", "course": "example", "kind": "lesson_completed",
             "item": "finding-partners/cooperation-profiles"}]})
        assert status == 200 and json.loads(data)["recorded"] == 1
        status, data = first.request("GET", "/api/progress/example")
        assert json.loads(data)["completed_lessons"] == ["finding-partners/cooperation-profiles"]
        # And back: what either process records, both see.
        first.refresh_csrf()
        status, _ = first.post_json("/api/progress", {"events": [
            {"event_id": "evt-across-02", "course": "example", "kind": "lesson_viewed",
             "item": "finding-partners/cooperation-profiles", "value": 30}]})
        assert status == 200
        status, data = second.request("GET", "/api/progress/example")
        assert json.loads(data)["seconds_spent"] == 30
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
