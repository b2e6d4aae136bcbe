"""Server settings, declared as data: each has an environment variable, a default and a doc.

docs/hosting.md lists them; a test fails if one is undocumented.
"""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Setting:
    key: str  # the Flask config key
    env: str  # the environment variable
    default: object
    doc: str
    kind: type = str


SETTINGS = [
    Setting("SECRET_KEY", "BROKERLEARN_SECRET_KEY", None,
            "Signs sessions and tokens. Default: generated on first start and kept in INSTANCE/secret_key."),
    Setting("DATABASE_URL", "DATABASE_URL", None,
            "SQLAlchemy URL, e.g. postgresql+psycopg://user:pass@host/db. Default: SQLite in INSTANCE/brokerlearn.db."),
    Setting("REGISTRATION", "BROKERLEARN_REGISTRATION", "open",
            "'open': anyone may register; 'invite': only with an invitation link (brokerlearn users invite)."),
    Setting("PUBLIC_URL", "BROKERLEARN_PUBLIC_URL", "",
            "The public address of the server, e.g. https://learn.example.org: used in links sent by email, and as "
            "the issuer of certificates (set it before issuing the first one; it must not change after). Never taken "
            "from a request's Host header: while it is unset, reset mail and certificates are refused (except that "
            "`brokerlearn serve` bound to a loopback address without proxies uses http://HOST:PORT)."),
    Setting("SECURE_COOKIES", "BROKERLEARN_SECURE_COOKIES", False,
            "Set to 1 behind HTTPS: cookies get the Secure flag and pages send HSTS.", bool),
    Setting("ISSUER_NAME", "BROKERLEARN_ISSUER_NAME", "brokerlearn",
            "The issuing agency's name, printed on certificates and named as their issuer."),
    Setting("SMTP_HOST", "BROKERLEARN_SMTP_HOST", "",
            "SMTP server for password-reset mail. Without it, reset links are written to the server log."),
    Setting("SMTP_PORT", "BROKERLEARN_SMTP_PORT", 587, "SMTP port (587 for STARTTLS, 465 for implicit TLS).", int),
    Setting("SMTP_SECURITY", "BROKERLEARN_SMTP_SECURITY", "starttls",
            "'starttls': STARTTLS is required, nothing is sent if the server does not offer it; 'tls': implicit TLS "
            "(SMTPS). Both check the server's certificate against the system's CAs. 'none': send in clear "
            "(only for a relay on the same machine)."),
    Setting("SMTP_USER", "BROKERLEARN_SMTP_USER", "", "SMTP user name."),
    Setting("SMTP_PASSWORD", "BROKERLEARN_SMTP_PASSWORD", "", "SMTP password."),
    Setting("MAIL_FROM", "BROKERLEARN_MAIL_FROM", "brokerlearn@localhost", "Sender address of mail."),
    Setting("LOGIN_ATTEMPTS", "BROKERLEARN_LOGIN_ATTEMPTS", 5,
            "Failed logins allowed per account from one address in 15 minutes before login is refused "
            "(one address may fail ten times as often across all accounts).", int),
    Setting("LRS_URL", "BROKERLEARN_LRS_URL", "",
            "xAPI endpoint of an external learning record store, e.g. https://lrs.example.org/xapi: every "
            "learning event is forwarded to it in the background (retried while it is down)."),
    Setting("LRS_USERNAME", "BROKERLEARN_LRS_USERNAME", "", "The LRS's basic-auth key or user name."),
    Setting("LRS_PASSWORD", "BROKERLEARN_LRS_PASSWORD", "", "The LRS's basic-auth secret or password."),
    Setting("LRS_INTERVAL", "BROKERLEARN_LRS_INTERVAL", 5, "Seconds between looks for new events to forward.", int),
    Setting("THREADS", "BROKERLEARN_THREADS", 8, "Worker threads of `brokerlearn serve`.", int),
    Setting("PROXIES", "BROKERLEARN_PROXIES", 0,
            "Number of reverse proxies (nginx, a load balancer) in front of the server whose "
            "X-Forwarded-For/-Proto/-Host headers are trusted. 0: none (the server faces clients itself): the "
            "headers are ignored. With 1 (one nginx), the last address in X-Forwarded-For is the client's.", int),
    Setting("TRUSTED_PROXIES", "BROKERLEARN_TRUSTED_PROXIES", "",
            "Addresses or networks of the proxies the X-Forwarded-* headers are taken from, separated by commas "
            "or spaces, e.g. 127.0.0.1, ::1 or 10.0.0.0/8. Default (when BROKERLEARN_PROXIES is 1 or more): "
            "127.0.0.1, ::1, a proxy on the same machine. On connections from any other address the headers "
            "are removed, so a client cannot choose its own address."),
    Setting("REQUEST_LOG", "BROKERLEARN_REQUEST_LOG", True,
            "`brokerlearn serve` writes one line per request to standard error: client address, method, path "
            "(without the query, reset tokens hidden), status, bytes, milliseconds. 0 turns it off.", bool),
]


def from_environment(environ=os.environ) -> dict:
    values = {}
    for setting in SETTINGS:
        raw = environ.get(setting.env)
        if raw is None or raw == "":
            if setting.default is not None:
                values[setting.key] = setting.default
            continue
        if setting.kind is bool:
            values[setting.key] = raw.strip().lower() in ("1", "true", "yes", "on")
        elif setting.kind is int:
            try:
                values[setting.key] = int(raw)
            except ValueError:
                raise ValueError(f"{setting.env} must be a whole number, not '{raw}'") from None
        else:
            values[setting.key] = raw
    _check_secret_key(values.get("SECRET_KEY"))
    return values


SECRET_KEY_LENGTH = 32
MAKE_A_KEY = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


def _check_secret_key(key: str | None) -> None:
    """A key someone typed must be long enough not to be guessed (the generated one is 64 hex digits)."""
    if key is not None and len(key.strip()) < SECRET_KEY_LENGTH:
        raise ValueError(f"BROKERLEARN_SECRET_KEY is {len(key.strip())} characters long: it must be at least "
                         f"{SECRET_KEY_LENGTH} random characters; make one with: {MAKE_A_KEY} "
                         "(or leave it unset: a key is then made in INSTANCE/secret_key)")


LOOPBACK = ("127.0.0.1", "localhost", "::1")


def public_url_at_start(config: dict, host: str, port: int) -> str | None:
    """At `brokerlearn serve`: give a server bound to a loopback address without proxies (local
    development) the public address http://HOST:PORT, since only this machine can reach it.
    Returns a warning to print, or None. Behind a proxy the real address is unknown: nothing is
    guessed, reset mail and certificates are refused until BROKERLEARN_PUBLIC_URL is set."""
    if config.get("PUBLIC_URL"):
        return None
    if host in LOOPBACK and not config.get("PROXIES"):
        shown = f"[{host}]" if ":" in host else host
        config["PUBLIC_URL"] = f"http://{shown}:{port}"
        return (f"warning: BROKERLEARN_PUBLIC_URL is not set: using {config['PUBLIC_URL']} (this machine only) "
                "in reset links and as the issuer of certificates; set it before issuing real ones")
    return ("warning: BROKERLEARN_PUBLIC_URL is not set: password-reset mail and certificates are refused "
            "until it is (e.g. BROKERLEARN_PUBLIC_URL=https://learn.example.org)")
