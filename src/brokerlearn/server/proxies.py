"""Reverse proxies and the request log: the learner's address, never the proxy's, and never one
the learner wrote into a header.

X-Forwarded-For, -Proto and -Host are believed only on connections from a configured proxy
(BROKERLEARN_TRUSTED_PROXIES, by default this machine), and then only the last PROXIES entries
of each, the ones the trusted proxies added themselves (Werkzeug's ProxyFix). On any other
connection they are removed before the application sees them, so a learner who reaches the
server directly cannot choose the address the login rate limit counts. This layer is the one
gate, whichever WSGI server runs the application (`brokerlearn serve` tells waitress to leave
the headers alone and let it decide).
"""
from __future__ import annotations

import ipaddress
import logging
import re
import time

from werkzeug.middleware.proxy_fix import ProxyFix

from brokerlearn.errors import UsageError
from brokerlearn.printable import printable

FORWARDED = ("HTTP_X_FORWARDED_FOR", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_HOST",
             "HTTP_X_FORWARDED_PORT", "HTTP_X_FORWARDED_PREFIX", "HTTP_FORWARDED")
DEFAULT_TRUSTED = "127.0.0.1, ::1"
log = logging.getLogger("brokerlearn.requests")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def trusted_networks(text: str) -> tuple[Network, ...]:
    """'127.0.0.1, 10.0.0.0/8 ::1' -> the networks; a UsageError names what is not one."""
    networks = []
    for item in filter(None, re.split(r"[\s,]+", text or "")):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            raise UsageError(f"BROKERLEARN_TRUSTED_PROXIES: '{item}' is not an IP address or network "
                             "(e.g. 127.0.0.1, ::1 or 10.0.0.0/8)") from None
    return tuple(networks)


def _is_trusted(address: str | None, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").split("%", 1)[0])
    except ValueError:
        return False
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return any(ip in network for network in networks)


class TrustedProxies:
    """Apply ProxyFix (count proxies deep) to requests from a trusted peer; strip the forwarded
    headers from every other request."""

    def __init__(self, app, count: int, networks: tuple[Network, ...]):
        self.app, self.networks = app, networks
        self.fixed = ProxyFix(app, x_for=count, x_proto=count, x_host=count) if count else app

    def __call__(self, environ, start_response):
        if self.networks and _is_trusted(environ.get("REMOTE_ADDR"), self.networks):
            return self.fixed(environ, start_response)
        for key in FORWARDED:
            environ.pop(key, None)
        return self.app(environ, start_response)


def install(app) -> None:
    """Wrap app.wsgi_app with the request log and, outside it, the proxy gate (always: without
    PROXIES no peer is trusted and the headers are dropped)."""
    config = app.config
    count = config.get("PROXIES") or 0
    listed = (config.get("TRUSTED_PROXIES") or "").strip()
    if count < 0:
        raise UsageError("BROKERLEARN_PROXIES must be 0 or more")
    if listed and not count:
        raise UsageError("BROKERLEARN_TRUSTED_PROXIES is set but BROKERLEARN_PROXIES is 0: set "
                         "BROKERLEARN_PROXIES to the number of proxies in front of the server (1 for one nginx)")
    networks = trusted_networks(listed or DEFAULT_TRUSTED) if count else ()
    app.wsgi_app = TrustedProxies(RequestLog(app.wsgi_app), count, networks)


# Path segments that carry a live secret (a password-reset token); the log shows "…" instead.
_SECRET_PATH = re.compile(r"^(/account/reset/)[^/]+")


class RequestLog:
    """One line per request on the logger brokerlearn.requests (INFO), written when the response
    starts: client address, method, path (no query string, reset tokens hidden), status, size
    and milliseconds. Costs nothing while that logger is not enabled for INFO."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if not log.isEnabledFor(logging.INFO):
            return self.app(environ, start_response)
        started = time.perf_counter()

        def logged_start(status, headers, exc_info=None):
            length = next((value for name, value in headers if name.lower() == "content-length"), "-")
            path = _SECRET_PATH.sub(r"\1…", environ.get("PATH_INFO", ""))
            log.info('%s "%s %s" %s %s %.1fms', environ.get("REMOTE_ADDR", "-"), environ.get("REQUEST_METHOD", ""),
                     printable(path)[:300], status.split(" ", 1)[0], length, (time.perf_counter() - started) * 1000)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)
        return self.app(environ, logged_start)

