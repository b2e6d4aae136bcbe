"""Running tests/oidc/provider.mjs (the npm package oidc-provider) on 127.0.0.1 for a test."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
MODULE = HERE.parents[1] / "node_modules" / "oidc-provider"
SECRET = "a-client-secret-for-the-tests-only"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def provider(clients: list[dict]):
    """Yields the issuer URL. clients: [{"client_id", "redirect_uris", "code_ttl"?}] (secret: SECRET)."""
    import os
    if shutil.which("node") is None or not MODULE.is_dir():
        if os.environ.get("CI"):
            pytest.fail("node or the npm package oidc-provider is missing: scripts/setup --test installs them")
        pytest.skip("node or the npm package oidc-provider is missing (scripts/setup --test installs them)")
    port = _free_port()
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as config:
        json.dump({"port": port, "clients": [{"client_secret": SECRET, **c} for c in clients]}, config)
    process = subprocess.Popen(["node", str(HERE / "provider.mjs"), config.name], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        if not line.startswith("ready "):
            process.kill()
            raise RuntimeError(f"oidc-provider did not start: {line}{process.stderr.read()}")
        yield line.split()[1]
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        Path(config.name).unlink(missing_ok=True)
