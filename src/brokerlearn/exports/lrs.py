"""Sending xAPI statements to a learning record store: one POST to its statements resource
(xAPI 1.0.3 Communication 2.1), with the LRS's basic-auth credentials when it has them."""
from __future__ import annotations

import base64
import json
import urllib.error
import urllib.request


class LrsError(Exception):
    """The LRS refused the statements or could not be reached: nothing was stored there."""


def post_statements(url: str, username: str, password: str, statements: list[dict], timeout: float = 15) -> None:
    request = urllib.request.Request(url.rstrip("/") + "/statements", data=json.dumps(statements).encode(),
                                     method="POST", headers={"Content-Type": "application/json",
                                                             "X-Experience-API-Version": "1.0.3"})
    if username:
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            if response.status not in (200, 204):
                raise LrsError(f"the LRS answered {response.status}")
    except urllib.error.HTTPError as exc:
        raise LrsError(f"the LRS answered {exc.code}: {exc.read(200)!r}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise LrsError(f"the LRS cannot be reached: {exc}") from None
