"""Server settings, declared as data: each has an environment variable, a default and a doc.

docs/hosting.md lists them; a test fails if one is undocumented.
"""
from __future__ import annotations

import difflib
import os
import re
import secrets
from dataclasses import dataclass, replace
from pathlib import Path

from brokerlearn.errors import UsageError

# Where `brokerlearn serve` listens by default, and so the one public address that is known
# without BROKERLEARN_PUBLIC_URL: links and IDs that must be absolute fall back to it (this
# machine only), with a warning where a person will read them.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
LOCAL_URL = f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"

DB_NAME = "brokerlearn.db"
SECRET_FILE = "secret_key"
# Written by `db upgrade` and `serve` when the database is not the SQLite default: a command
# run later without the settings (a cron job) then refuses instead of using a stale SQLite file.
RECORDED_DATABASE = "database-url"


class SettingError(UsageError, ValueError):
    """A setting with a value brokerlearn cannot use (the message says what to set)."""


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
    Setting("PASSWORD_SIGNIN", "BROKERLEARN_PASSWORD_SIGNIN", True,
            "1: accounts may sign in with a password and register. 0: only through the identity providers "
            "(brokerlearn sso add-provider): the password form, registration and password reset go away; an "
            "administrator still gets in with a one-time link from `brokerlearn sso emergency-link EMAIL`.", bool),
    Setting("INVITATION_DAYS", "BROKERLEARN_INVITATION_DAYS", 14,
            "Days an invitation link stays valid (from when it was made or last resent).", int),
    Setting("STRANDED_DAYS", "BROKERLEARN_STRANDED_DAYS", 5,
            "Days after submitting that assessed work still short of its peer reviews goes to the trainers' queue "
            "(`brokerlearn assignments sweep`), and the learner is told.", int),
    Setting("LOGIN_ATTEMPTS", "BROKERLEARN_LOGIN_ATTEMPTS", 5,
            "Failed logins allowed per account from one address in 15 minutes before login is refused "
            "(one address may fail ten times as often across all accounts).", int),
    Setting("LRS_URL", "BROKERLEARN_LRS_URL", "",
            "xAPI endpoint of an external learning record store, e.g. https://lrs.example.org/xapi: every "
            "learning event is forwarded to it in the background (retried while it is down)."),
    Setting("LRS_USERNAME", "BROKERLEARN_LRS_USERNAME", "", "The LRS's basic-auth key or user name."),
    Setting("LRS_PASSWORD", "BROKERLEARN_LRS_PASSWORD", "", "The LRS's basic-auth secret or password."),
    Setting("LRS_INTERVAL", "BROKERLEARN_LRS_INTERVAL", 5, "Seconds between looks for new events to forward.", int),
    Setting("WORKERS", "BROKERLEARN_WORKERS", 0,
            "Worker processes of `brokerlearn serve` under gunicorn. 0: one per core the server may use.", int),
    Setting("THREADS", "BROKERLEARN_THREADS", 0,
            "Threads per process of `brokerlearn serve`. 0: 8 per gunicorn worker or waitress process "
            "(chosen by measurement, bench/README.md).", int),
    Setting("PROXIES", "BROKERLEARN_PROXIES", 0,
            "Number of reverse proxies (nginx, a load balancer) in front of the server whose "
            "X-Forwarded-For/-Proto/-Host headers are trusted. 0: none (the server faces clients itself): the "
            "headers are ignored. With 1 (one nginx), the last address in X-Forwarded-For is the client's.", int),
    Setting("TRUSTED_PROXIES", "BROKERLEARN_TRUSTED_PROXIES", "",
            "Addresses or networks of the proxies the X-Forwarded-* headers are taken from, separated by commas "
            "or spaces, e.g. 127.0.0.1, ::1 or 10.0.0.0/8. Default (when BROKERLEARN_PROXIES is 1 or more): "
            "127.0.0.1, ::1, a proxy on the same machine. On connections from any other address the headers "
            "are removed, so a client cannot choose its own address."),
    Setting("SUBMISSION_RETENTION_DAYS", "BROKERLEARN_SUBMISSION_RETENTION_DAYS", None,
            "Days a submission of assessed work is kept after it was submitted (a draft: last saved): "
            "`brokerlearn assignments purge` (run it daily from cron) then deletes it with its files and "
            "reviews, and records that in the audit trail; the result (the scores) stays. Default: kept.", int),
    Setting("SECRETS_KEY", "BROKERLEARN_SECRETS_KEY", "",
            "Fernet keys (comma-separated; the first encrypts, all decrypt) that keep the identity providers' "
            "client secrets encrypted in the database; make one with `brokerlearn sso make-key`. Needed as soon "
            "as a provider has a client secret."),
    Setting("REQUEST_LOG", "BROKERLEARN_REQUEST_LOG", True,
            "`brokerlearn serve` writes one line per request to standard error: client address, method, path "
            "(without the query, reset tokens hidden), status, bytes, milliseconds. 0 turns it off.", bool),
]


# The settings file: KEY=VALUE lines, as systemd's EnvironmentFile= reads them.
SETTINGS_VARIABLE = "BROKERLEARN_SETTINGS"
INSTANCE_VARIABLE = "BROKERLEARN_INSTANCE"
INSTANCE_FILE = "settings.env"
# Variables a settings file may hold besides SETTINGS (others not starting BROKERLEARN_ are
# kept for the tools that read them, e.g. a PG* variable, and ignored here).
OTHER_VARIABLES = {INSTANCE_VARIABLE, "BROKERLEARN_QUIZ_KEY"}
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Environment:
    """What the settings are read from: the process's environment over the one settings file."""
    values: dict
    instance: Path
    file: Path | None  # the settings file read, if any
    from_file: frozenset  # the variables whose value came from it


def environment(instance_path=None, environ=os.environ) -> Environment:
    """The variables in effect. The settings file is BROKERLEARN_SETTINGS when that is set, else
    INSTANCE/settings.env when it exists (one file, never two); a variable set (non-empty) in the
    environment wins over the file. The instance folder: the one given, else BROKERLEARN_INSTANCE
    (which BROKERLEARN_SETTINGS's file may set), else ./instance."""
    given = {key: value for key, value in environ.items() if value != ""}
    named = given.get(SETTINGS_VARIABLE)
    file_values, file = {}, None
    if named:
        file = Path(named)
        if not file.is_file():
            raise UsageError(f"{SETTINGS_VARIABLE} names {file}, which is not a file")
        file_values = read_file(file)
    instance = Path(instance_path or given.get(INSTANCE_VARIABLE) or file_values.get(INSTANCE_VARIABLE)
                    or "instance").resolve()
    own = instance / INSTANCE_FILE
    if own.is_file():
        if file is not None and own.resolve() != file.resolve():
            raise UsageError(f"two settings files: {file} ({SETTINGS_VARIABLE}) and {own}; keep one of them")
        if file is None:
            file, file_values = own, read_file(own)
            inside = file_values.get(INSTANCE_VARIABLE)
            if inside and Path(inside).resolve() != instance:
                raise UsageError(f"{own}: {INSTANCE_VARIABLE} names another folder than the one this file is in")
    values = {**file_values, **given}
    return Environment(values, instance, file, frozenset(k for k in file_values if k not in given))


def read_file(path: Path) -> dict:
    """KEY=VALUE per line; blank lines and lines starting with # or ; are skipped; a value may be
    quoted ("..." with \\" and \\\\ inside, or '...'). A misspelt BROKERLEARN_ variable is an
    error, not a setting silently left at its default."""
    known = {setting.env for setting in SETTINGS} | OTHER_VARIABLES
    values = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the settings file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", ";")):
            continue
        key, equals, value = stripped.partition("=")
        key = key.strip()
        if not equals or not _KEY.fullmatch(key):
            raise UsageError(f"{path}:{number}: expected KEY=VALUE, not {stripped[:40]!r}")
        if key.startswith("BROKERLEARN_") and key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise UsageError(f"{path}:{number}: unknown setting {key}{hint}")
        values[key] = _unquoted(value.strip())
    return values


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r'\\(["\\$`])', r"\1", value[1:-1])
    return value


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
                raise SettingError(f"{setting.env} must be a whole number, not '{raw}'") from None
        else:
            values[setting.key] = raw
    _check_secret_key(values.get("SECRET_KEY"))
    return values


SECRET_KEY_LENGTH = 32
MAKE_A_KEY = "python3 -c 'import secrets; print(secrets.token_hex(32))'"


def _check_secret_key(key: str | None) -> None:
    """A key someone typed must be long enough not to be guessed (the generated one is 64 hex digits)."""
    if key is not None and len(key.strip()) < SECRET_KEY_LENGTH:
        raise SettingError(f"BROKERLEARN_SECRET_KEY is {len(key.strip())} characters long: it must be at least "
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


# -- an installation: the settings of one instance folder -----------------------------------------

@dataclass(frozen=True)
class Installation:
    """The settings in effect for one instance folder, as the server's config keys. Reading
    them creates nothing; `created()` and `existing()` say which of the two a command wants."""
    instance: Path
    config: dict  # SETTINGS' keys, and DATABASE_URL, DATABASE_SOURCE, SETTINGS_FILE

    @property
    def database_url(self) -> str:
        return self.config["DATABASE_URL"]

    @property
    def secret_key(self) -> str:
        return self.config["SECRET_KEY"]

    def existing(self) -> "Installation":
        """For the commands that only read or change what is there: the SQLite database (SQLite
        would make a missing file) and the secret key (else one would be made) must exist."""
        from brokerlearn.server.db import sqlite_file
        hint = f"(make one with: brokerlearn db upgrade --instance {self.instance})"
        database = sqlite_file(self.database_url)
        if database is not None and not database.is_file():
            elsewhere = "" if database.resolve().parent == self.instance else f": no database {database}"
            raise UsageError(f"no installation at {self.instance}{elsewhere} {hint}")
        if not self.config.get("SECRET_KEY") and not (self.instance / SECRET_FILE).is_file():
            raise UsageError(f"no installation at {self.instance}: no {SECRET_FILE}, and BROKERLEARN_SECRET_KEY "
                             f"is not set {hint}")
        return self._with_secret()

    def created(self) -> "Installation":
        """For the commands named for it (serve, db upgrade, users create, restore): the instance
        folder, readable by its owner only, and its secret key, made if need be."""
        make_instance_folder(self.instance)
        return self._with_secret()

    def _with_secret(self) -> "Installation":
        if self.config.get("SECRET_KEY"):
            return self
        return replace(self, config={**self.config, "SECRET_KEY": _instance_secret(self.instance)})


def read(instance_path=None, overrides: dict | None = None, environ=os.environ) -> Installation:
    """The settings, read from the environment and the settings file, checked, with nothing
    created: no folder, no key, no database (what `create_app` and every command start from)."""
    env = environment(instance_path, environ)
    config = from_environment(env.values)
    config.update(overrides or {})
    config["DATABASE_SOURCE"] = _database_source(env, overrides)
    if not config.get("DATABASE_URL"):
        check_recorded_database(env.instance)
        config["DATABASE_URL"] = f"sqlite:///{env.instance / DB_NAME}"
    config["SETTINGS_FILE"] = str(env.file) if env.file else None
    return Installation(env.instance, config)


def _database_source(env: Environment, overrides: dict | None) -> str:
    if overrides and overrides.get("DATABASE_URL"):
        return "given"
    if "DATABASE_URL" in env.from_file:
        return f"from {env.file}"
    if env.values.get("DATABASE_URL"):
        return "from the environment's DATABASE_URL"
    return "the default: DATABASE_URL is not set"


def instance_folder(path: Path | str | None = None, must_exist: bool = False) -> Path:
    """The instance folder: the one given, else BROKERLEARN_INSTANCE, else ./instance.

    must_exist: for the commands that only read or change what is there. They refuse a folder
    that holds no installation (a mistyped --instance) instead of making a new one in it."""
    folder = environment(path).instance
    if must_exist and not is_installation(folder):
        raise UsageError(f"no installation at {folder} (make one with: brokerlearn db upgrade --instance {folder})")
    return folder


def is_installation(folder: Path) -> bool:
    """What the commands that create an installation leave: its secret key, database or signing keys."""
    return folder.is_dir() and any((folder / name).exists() for name in (SECRET_FILE, DB_NAME, "keys"))


def make_instance_folder(folder: Path) -> Path:
    """Create the instance folder readable by its owner only (it holds keys and the database)."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _instance_secret(instance: Path) -> str:
    """Generated once and kept: there is no default key to forget to change."""
    path = instance / SECRET_FILE
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    key = path.read_text().strip()
    if len(key) < 32:
        raise UsageError(f"{path} holds a key that is too short: delete it to have a new one made")
    return key


def check_recorded_database(instance: Path) -> None:
    """No DATABASE_URL here, yet the installation recorded another database: refuse the SQLite default."""
    path = instance / RECORDED_DATABASE
    if not path.is_file():
        return
    recorded = path.read_text(encoding="utf-8", errors="replace").strip()
    raise UsageError(
        f"the installation at {instance} uses the database {recorded} (recorded in {path}), but DATABASE_URL "
        f"is not set here, so this would use the SQLite file {instance / DB_NAME} instead: read the settings "
        f"(BROKERLEARN_SETTINGS=FILE, or put them in {instance / INSTANCE_FILE}) or set DATABASE_URL; "
        f"to go back to SQLite on purpose, delete {path}")


def record_database(instance: Path, url: str) -> None:
    """Record in the instance folder which database it belongs to, unless that is the default."""
    from brokerlearn.server.db import masked_url
    path = Path(instance) / RECORDED_DATABASE
    if url == f"sqlite:///{Path(instance) / DB_NAME}":
        return
    text = masked_url(url) + "\n"
    try:
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
    except OSError:
        pass  # a read-only instance folder: nothing is recorded, nothing else changes
