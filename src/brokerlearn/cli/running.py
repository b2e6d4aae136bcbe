"""Commands for whoever runs a server: serve, db, users, keys, certs, backup, restore, export,
assignments.
They read the settings with server.settings.read (which creates nothing), open a database
session with server.db.session_for, and call the services; no SQL and no Flask application
here. Errors reach the boundary in cli/__init__.py."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import click

from brokerlearn.cli import EXIT_AUTHOR_ERRORS
from brokerlearn.cli.authoring import export_scorm
from brokerlearn.errors import UsageError
from brokerlearn.printable import printable

ROLES = ["learner", "author", "trainer", "admin"]
_instance_option = click.option("--instance", type=click.Path(path_type=Path), default=None,
                                help="Instance folder (default: ./instance or BROKERLEARN_INSTANCE).")
_public_url_option = click.option("--public-url", default=None,
                                  help="Server address for the link (default: BROKERLEARN_PUBLIC_URL).")
_build_dir_option = click.option("--build-dir", type=click.Path(path_type=Path), default=Path("build"),
                                 show_default=True)


def _say(line: str) -> None:
    click.echo(line, err=True)


def _installation(instance: Path | None, create: bool = False):
    """The settings of the instance folder. Only the commands named for it (serve, db upgrade,
    users create, restore) pass create=True; the others refuse a folder that holds no
    installation ("no installation at ...") instead of making one."""
    from brokerlearn.server import settings
    from brokerlearn.server.serve import database_line
    installation = settings.read(instance)
    installation = installation.created() if create else installation.existing()
    _say(database_line(installation.config))
    return installation


@contextmanager
def _database(instance: Path | None, create: bool = False):
    """(installation, session) on a database of this version's schema (the embedded SQLite
    default is upgraded on its own, as on serve)."""
    from brokerlearn.server.db import ensure_current_schema, session_for
    installation = _installation(instance, create)
    ensure_current_schema(installation.database_url)
    with session_for(installation.database_url) as session:
        yield installation, session


def _link_base(installation, public_url: str | None, what: str = "the link uses") -> str:
    """--public-url, else BROKERLEARN_PUBLIC_URL, else this machine's default address, with a warning."""
    from brokerlearn.server.settings import LOCAL_URL
    base = public_url or installation.config.get("PUBLIC_URL")
    if not base:
        base = LOCAL_URL
        _say(f"warning: BROKERLEARN_PUBLIC_URL is not set: {what} {base}, which works on this machine "
             "only (set it in the settings, or give --public-url)")
    return base.rstrip("/")


def _instance_folder(instance: Path | None, create: bool = False) -> Path:
    """As _installation, for the signing keys: an existing installation, or (create=True) the folder."""
    from brokerlearn.server.settings import instance_folder, make_instance_folder
    if create:
        return make_instance_folder(instance_folder(instance))
    return instance_folder(instance, must_exist=True)


@click.command()
@click.argument("build_dir", default="build", type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--instance", type=click.Path(path_type=Path), default=None,
              help="Instance folder (database, secret key). Default: ./instance or BROKERLEARN_INSTANCE.")
@click.option("--server", "server", type=click.Choice(["auto", "gunicorn", "waitress"]), default="auto",
              show_default=True, help="auto: gunicorn where it runs (Linux and other POSIX systems), else waitress.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="gunicorn worker processes (default: BROKERLEARN_WORKERS, else one per core this process may use).")
@click.option("--threads", type=click.IntRange(min=1), default=None,
              help="Threads per process (default: BROKERLEARN_THREADS, else 8 per gunicorn worker or waitress process).")
def serve(build_dir: Path, host: str, port: int, instance: Path | None, server: str, workers: int | None,
          threads: int | None) -> None:
    """Serve BUILD_DIR/site/ with accounts, progress and graded quizzes (gunicorn with one worker
    process per core, or waitress)."""
    from brokerlearn.server.serve import serve as run_server
    run_server(build_dir, host, port, instance, threads, _say, workers=workers, server=server)


# -- the database and accounts --------------------------------------------------------------------

@click.group()
def db() -> None:
    """The server's database."""


@db.command("upgrade")
@_instance_option
def db_upgrade(instance: Path | None) -> None:
    """Create or migrate the database to the current schema (DATABASE_URL, or SQLite in the instance)."""
    from brokerlearn.server.db import upgrade_to_current
    from brokerlearn.server.settings import record_database
    installation = _installation(instance, create=True)
    upgrade_to_current(installation.database_url, installation.config.get("SECRETS_KEY"))
    record_database(installation.instance, installation.database_url)
    _say("database is up to date")


@click.group()
def users() -> None:
    """Manage accounts from the command line."""


@users.command("create")
@click.argument("email")
@click.option("--name", default="")
@click.option("--role", type=click.Choice(ROLES), default="learner", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for when not given (give it via the BROKERLEARN_PASSWORD variable in scripts).",
              envvar="BROKERLEARN_PASSWORD")
@_instance_option
def users_create(email: str, name: str, role: str, password: str, instance: Path | None) -> None:
    """Create an account."""
    from brokerlearn.server.services import accounts
    with _database(instance, create=True) as (_, session):
        user = accounts.create_user(session, email, password, name, role)
    click.echo(f"created {printable(user.email)} ({user.role})")


@users.command("list")
@_instance_option
def users_list(instance: Path | None) -> None:
    """List accounts: e-mail, role, created."""
    from brokerlearn.server.services import accounts
    with _database(instance) as (_, session):
        for user in accounts.list_users(session):
            click.echo(f"{printable(user.email)}\t{user.role}\t{user.created_at:%Y-%m-%d}")


def _account(session, email: str):
    from brokerlearn.server.services import accounts
    user = accounts.find_user(session, email)
    if user is None:
        raise UsageError(f"no account for {email}")
    return user


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
@_instance_option
def users_set_role(email: str, role: str, instance: Path | None) -> None:
    """Give an account a role (learner, author, trainer, admin); its sessions end."""
    from brokerlearn.server.services import learner_actions
    with _database(instance) as (_, session):
        learner_actions.set_role(session, _cli_actor(), _account(session, email), role)
    click.echo(f"{email} is now {role}")


def _cli_actor():
    from brokerlearn.server.services.audit import Actor
    return Actor.command_line()


@users.command("reset-password")
@click.argument("email")
@click.option("--send", is_flag=True, help="Mail the link to the account (SMTP settings) instead of printing it.")
@_public_url_option
@_instance_option
def users_reset_password(email: str, send: bool, public_url: str | None, instance: Path | None) -> None:
    """Print (or --send) a one-time link (valid one hour) with which the user sets a new password."""
    from brokerlearn.server.services import learner_actions
    with _database(instance) as (installation, session):
        user = _account(session, email)
        base = _link_base(installation, public_url)
        link, sent = learner_actions.password_reset(session, _cli_actor(), user, installation.secret_key, base,
                                                    _mailer(installation.config) if send else None)
    click.echo(f"sent a reset link to {printable(email)}" if sent else link)


def _mailer(config):
    """send(to, link) over the installation's SMTP server; a failure is a UsageError."""
    from brokerlearn.server import mail
    if not config.get("SMTP_HOST"):
        raise UsageError("no SMTP server is set up (BROKERLEARN_SMTP_HOST): leave out --send to print the link")

    def send(to: str, link: str) -> None:
        try:
            mail.deliver(config, mail.reset_message(to, link, config["MAIL_FROM"]))
        except mail.MailError as exc:
            raise UsageError(f"the mail was not sent: {exc}") from None
    return send


@users.command("grant-attempts")
@click.argument("email")
@click.option("--quiz", "title", required=True, help="The quiz's title, as learners see it.")
@click.option("--course", "course_id", default=None, help="The course's ID, when several have a quiz of that title.")
@click.option("--extra", type=int, default=1, show_default=True, help="How many more attempts.")
@_build_dir_option
@_instance_option
def users_grant_attempts(email: str, title: str, course_id: str | None, extra: int, build_dir: Path,
                         instance: Path | None) -> None:
    """Grant EMAIL extra attempts at one graded quiz, chosen by its title."""
    from brokerlearn.server.services import learner_actions
    with _database(instance) as (_, session):
        course, quiz = learner_actions.grant_attempts(session, _cli_actor(), _account(session, email),
                                                      _courses(build_dir), title, extra, course_id)
    click.echo(f"granted {printable(email)} {extra} more attempt(s) at {printable(quiz.title)} ({course.id})")


@users.command("deactivate")
@click.argument("email")
@_instance_option
def users_deactivate(email: str, instance: Path | None) -> None:
    """The account can no longer sign in; its sessions end now. Its data stay."""
    from brokerlearn.server.services import learner_actions
    with _database(instance) as (_, session):
        learner_actions.deactivate(session, _cli_actor(), _account(session, email))
    click.echo(f"deactivated {printable(email)}")


@users.command("reactivate")
@click.argument("email")
@_instance_option
def users_reactivate(email: str, instance: Path | None) -> None:
    """A deactivated account can sign in again."""
    from brokerlearn.server.services import learner_actions
    with _database(instance) as (_, session):
        learner_actions.reactivate(session, _cli_actor(), _account(session, email))
    click.echo(f"reactivated {printable(email)}")


@users.command("erase")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@_build_dir_option
@_instance_option
def users_erase(email: str, yes: bool, build_dir: Path, instance: Path | None) -> None:
    """Erase a person's data on request (GDPR Art. 17): name, address, typed answers, memberships
    and sign-in records go, certificates are revoked; the anonymous attempts stay in the figures."""
    from brokerlearn.server.services import learner_actions
    if not yes:
        click.confirm(f"Erase every personal datum of {email}? This cannot be undone", abort=True, err=True)
    with _database(instance) as (_, session):
        label = learner_actions.erase(session, _cli_actor(), _account(session, email), _courses(build_dir))
    click.echo(f"erased {printable(email)}: the account remains as {label}")


@users.command("export-data")
@click.argument("email")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write (default: standard output).")
@_build_dir_option
@_instance_option
def users_export_data(email: str, output: Path | None, build_dir: Path, instance: Path | None) -> None:
    """Everything recorded about EMAIL as JSON (GDPR Art. 15 and 20), as on their settings page."""
    import json

    from brokerlearn.server.services.personal_data import export
    with _database(instance) as (_, session):
        data = export(session, _account(session, email), _courses(build_dir))
    _write(json.dumps(data, ensure_ascii=False, indent=2) + "\n", output)


@users.command("trainer")
@click.argument("email")
@click.argument("group")
@click.option("--remove", is_flag=True, help="Remove the trainer from the group instead.")
@_instance_option
def users_trainer(email: str, group: str, remove: bool, instance: Path | None) -> None:
    """Assign the trainer EMAIL to the group named GROUP (or --remove them)."""
    from brokerlearn.server.services import learner_actions
    with _database(instance) as (_, session):
        found = learner_actions.group_named(session, group)
        learner_actions.set_trainer(session, _cli_actor(), found, _account(session, email), not remove)
    click.echo(f"{printable(email)} {'no longer trains' if remove else 'now trains'} {printable(group)}")


@users.command("invite")
@click.argument("email")
@_public_url_option
@_instance_option
def users_invite(email: str, public_url: str | None, instance: Path | None) -> None:
    """Print an invitation link (valid 7 days) for registering EMAIL when registration is by invitation."""
    from brokerlearn.server.services import accounts, audit
    with _database(instance) as (installation, session):
        base = _link_base(installation, public_url)
        link = f"{base}/account/register?invite={accounts.make_invitation(installation.secret_key, email)}"
        audit.record(session, _cli_actor(), "invitation_made", target=email.strip().lower(),
                     details="link printed on the command line")
        session.commit()
        click.echo(link)


# -- signing keys and certificates ----------------------------------------------------------------

def _algorithm_option(**extra):
    """--alg: the signing algorithms are the server's (credentials/keys.py), read when the
    option is used, so that the command line does not import the server to start."""

    class Algorithms(click.Choice):
        def __init__(self):  # choices are read lazily, below
            self.case_sensitive = True

        @property
        def choices(self):
            from brokerlearn.server.credentials.keys import ALGORITHMS
            return ALGORITHMS

    return click.option("--alg", type=Algorithms(), default=None, **extra)


@click.group()
def keys() -> None:
    """The agency's keys for signing certificates (kept in INSTANCE/keys/, never published)."""


@keys.command("init")
@_algorithm_option(help="Default: the first, which every Open Badges 3.0 verifier supports.")
@click.option("--if-missing", is_flag=True, help="Do nothing (and succeed) when a key exists already.")
@_instance_option
def keys_init(alg: str | None, if_missing: bool, instance: Path | None) -> None:
    """Create the signing key."""
    from brokerlearn.server.credentials.keys import DEFAULT_ALGORITHM, create_key, load_keys
    folder = _instance_folder(instance, create=True)
    current, _ = load_keys(folder)
    if current is not None:
        if if_missing:
            return
        raise UsageError(f"a signing key exists already ({current.kid}): use 'brokerlearn keys rotate' for a new one")
    key = create_key(folder, alg or DEFAULT_ALGORITHM)
    click.echo(f"created {key.alg} key {key.kid} in {folder / 'keys'}")


@keys.command("rotate")
@_algorithm_option(help="Default: the first.")
@_instance_option
def keys_rotate(alg: str | None, instance: Path | None) -> None:
    """Sign new certificates with a new key; the old keys stay published, so old certificates verify."""
    from brokerlearn.server.credentials.keys import DEFAULT_ALGORITHM, create_key
    key = create_key(_instance_folder(instance, create=True), alg or DEFAULT_ALGORITHM)
    click.echo(f"new current key {key.kid} ({key.alg}); earlier keys are kept for verification")


@keys.command("list")
@_instance_option
def keys_list(instance: Path | None) -> None:
    """The keys, the current one marked with *."""
    from brokerlearn.server.credentials.keys import load_keys
    current, all_keys = load_keys(_instance_folder(instance))
    for key in all_keys:
        click.echo(f"{'*' if current and key.kid == current.kid else ' '} {key.kid}\t{key.alg}")


@click.group()
def certs() -> None:
    """Issued certificates: verify, revoke, list."""


@certs.command("verify")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--public-url", default=None, help="The issuer's address (default: BROKERLEARN_PUBLIC_URL).")
@_instance_option
def certs_verify(file: Path, public_url: str | None, instance: Path | None) -> None:
    """Check a credential file: signature, issuer, dates, revocation. Exit 0 only when valid."""
    from brokerlearn.server.credentials.badge import issuer_profile
    from brokerlearn.server.credentials.keys import load_keys
    from brokerlearn.server.credentials.verify import verify_credential
    from brokerlearn.server.services.certificates import revocation_lookup
    try:
        token = file.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:  # not a domain error, so the boundary would let it through
        raise UsageError(f"cannot read {file}: {exc.strerror}") from None
    with _database(instance) as (installation, session):
        base = _link_base(installation, public_url, "the issuer checked for is the one at")
        _, all_keys = load_keys(installation.instance)
        issuer = issuer_profile(base, installation.config["ISSUER_NAME"])["id"]
        verdict = verify_credential(token, issuer, all_keys, revocation_lookup(session))
    click.echo(f"{verdict.status}: {printable(verdict.message)}")
    click.get_current_context().exit(0 if verdict.valid else EXIT_AUTHOR_ERRORS)


@certs.command("revoke")
@click.argument("certificate_id")
@click.option("--reason", required=True, help="Public: shown to whoever checks the certificate.")
@click.option("--note", default=None, help="Private, for the record: shown to administrators only.")
@_instance_option
def certs_revoke(certificate_id: str, reason: str, note: str | None, instance: Path | None) -> None:
    """Revoke a certificate (it then fails every check, with the date and the public reason)."""
    from brokerlearn.server.services.certificates import revoke
    with _database(instance) as (_, session):
        certificate = revoke(session, certificate_id, reason, note, _cli_actor())
    holder = printable(certificate.name or "account deleted")
    click.echo(f"revoked {certificate.id} ({printable(certificate.title)}, {holder})")


@certs.command("list")
@_instance_option
def certs_list(instance: Path | None) -> None:
    """Certificates: number, issued, status, holder, title."""
    from brokerlearn.server.services.certificates import list_certificates
    with _database(instance) as (_, session):
        for c in list_certificates(session):
            state = f"revoked {c.revoked_at:%Y-%m-%d}" if c.revoked_at else "valid"
            click.echo(f"{c.id}\t{c.issued_at:%Y-%m-%d}\t{state}\t{printable(c.name)}\t{printable(c.title)}")


# -- backups and exports --------------------------------------------------------------------------

@click.command("backup")
@click.option("-o", "--output", "target", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Archive to write (default: brokerlearn-backup-YYYYmmdd-HHMMSS.tar.gz).")
@_instance_option
def backup_command(target: Path | None, instance: Path | None) -> None:
    """Back up the instance folder and the SQLite database (safe while the server runs)."""
    import time

    from brokerlearn.server.backup import backup
    installation = _installation(instance)
    target = target or Path(f"brokerlearn-backup-{time.strftime('%Y%m%d-%H%M%S')}.tar.gz")
    manifest = backup(installation.instance, installation.database_url, target)
    click.echo(f"wrote {target}: {len(manifest['files'])} files, database: {manifest['database']}")


@click.command("restore")
@click.argument("archive", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--force", is_flag=True, help="Replace an existing database (stop the server first).")
@_instance_option
def restore_command(archive: Path, force: bool, instance: Path | None) -> None:
    """Restore a backup made by 'brokerlearn backup' into the instance folder."""
    from brokerlearn.server.backup import restore
    installation = _installation(instance, create=True)
    manifest = restore(archive, installation.instance, installation.database_url, force)
    click.echo(f"restored {len(manifest['files'])} files from {archive} (made {printable(str(manifest['created'])[:19])})")


@click.group("export")
def export_group() -> None:
    """Exports: CSV of learners, progress and results; xAPI statements; a SCORM package."""


def _catalog(build_dir: Path):
    from brokerlearn.server.courses import CourseCatalog
    return CourseCatalog(Path(build_dir).resolve() / "server")


def _courses(build_dir: Path) -> list:
    """Every course of the build (their quizzes name what attempts hold); none is a usage error."""
    courses = _catalog(build_dir)
    courses.check()
    if not courses.all():
        raise UsageError(f"no course in {Path(build_dir) / 'server'}: build the courses, or give --build-dir")
    return courses.all()


def _write(text: str, output: Path | None) -> None:
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def _record_export(session, what: str) -> None:
    """The same audit entry as a download from /admin/reports, by the command line."""
    from brokerlearn.server.services import audit
    from brokerlearn.server.services.reports import EXPORTS
    audit.record(session, _cli_actor(), "report_downloaded", target=EXPORTS[what][0], details=what)
    session.commit()


@export_group.command("csv")
@click.argument("what", type=click.Choice(["learners", "progress", "results", "assessed"]))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write (default: standard output).")
@_build_dir_option
@_instance_option
def export_csv(what: str, output: Path | None, build_dir: Path, instance: Path | None) -> None:
    """Learners, progress per course, graded results, or released results of assessed work (one row
    per rubric criterion), as CSV (UTF-8, one header row)."""
    from brokerlearn.server.services import reports as exports
    with _database(instance) as (_, session):
        text = exports.export(session, what, _catalog(build_dir), "")
        _record_export(session, what)
    _write(text, output)


@export_group.command("xapi")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="JSON lines file to write (default: standard output).")
@click.option("--public-url", default=None, help="Base of the activity IDs (default: BROKERLEARN_PUBLIC_URL).")
@_build_dir_option
@_instance_option
def export_xapi(output: Path | None, public_url: str | None, build_dir: Path, instance: Path | None) -> None:
    """Every learning event as an xAPI 1.0.3 statement, one JSON object per line."""
    from brokerlearn.server.services import reports as exports
    with _database(instance) as (installation, session):
        base = _link_base(installation, public_url, "the activity IDs use")
        text = exports.export(session, "xapi", _catalog(build_dir), base)
        _record_export(session, "xapi")
    _write(text, output)
    if output:
        _say(f"wrote {text.count(chr(10))} statements to {output}")


export_group.add_command(export_scorm)


def _smtp_config(installation, dry_run: bool) -> dict:
    config = installation.config
    if not dry_run and not config.get("SMTP_HOST"):
        raise UsageError("no SMTP server is set up (BROKERLEARN_SMTP_HOST): give --dry-run to print the mail instead")
    return config


def _send(config, message, dry_run: bool) -> None:
    from brokerlearn.server import mail
    if dry_run:
        click.echo(message.as_string())
        return
    try:
        mail.deliver(config, message)
    except mail.MailError as exc:
        raise UsageError(f"the mail to {printable(message['To'])} was not sent: {exc}") from None


@click.command("digest")
@click.option("--dry-run", is_flag=True, help="Print the mails instead of sending them.")
@_public_url_option
@_build_dir_option
@_instance_option
def assignments_digest(dry_run: bool, public_url: str | None, build_dir: Path, instance: Path | None) -> None:
    """Mail each trainer what waits for them in the grading queue (by course, overdue first);
    nothing to a trainer with nothing waiting."""
    from brokerlearn.server.services import trainer_queue
    with _database(instance) as (installation, session):
        config = _smtp_config(installation, dry_run)
        link = _link_base(installation, public_url) + "/admin/grading"
        found = trainer_queue.digests(session, _catalog(build_dir))
        for digest in found:
            _send(config, trainer_queue.digest_message(digest, link, config["MAIL_FROM"]), dry_run)
            _say(f"{printable(digest.trainer.email)}: {digest.count} waiting")
    _say(f"{'printed' if dry_run else 'sent'} {len(found)} digest(s)")


@click.command("sweep")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help="Days after submitting (default: BROKERLEARN_STRANDED_DAYS, 5).")
@click.option("--dry-run", is_flag=True, help="Print the learners' mails instead of sending them.")
@_public_url_option
@_build_dir_option
@_instance_option
def assignments_sweep(days: int | None, dry_run: bool, public_url: str | None, build_dir: Path,
                      instance: Path | None) -> None:
    """Put work still short of peer reviews after the stranding days in the trainers' queue and
    tell its learner (once, by mail when SMTP is set up); queue work whose peers disagree widely."""
    from brokerlearn.server.services import reminders, reviews, trainer_queue
    with _database(instance) as (installation, session):
        config = installation.config
        days = days or int(config.get("STRANDED_DAYS") or 5)
        mailing = dry_run or bool(config.get("SMTP_HOST"))
        links: list[str] = []  # the dashboard's address, made (and warned about) only if a mail goes

        def tell(learner, course, assignment) -> None:
            if mailing:
                links or links.append(_link_base(installation, public_url) + "/dashboard")
                _send(config, trainer_queue.stranded_message(learner, assignment.title, links[0], config["MAIL_FROM"],
                                                             lang=reminders.language_of(session, learner, course)),
                      dry_run)

        swept = reviews.sweep(session, _catalog(build_dir), days, tell=tell)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    _say(f"{len(swept.stranded)} stranded, {len(swept.disagreement)} with wide disagreement put in the queue; "
         f"{len(swept.told)} learner(s) told" + ("" if mailing else " on their page (no SMTP: no mail)"))


COMMANDS = (serve, db, users, keys, certs, backup_command, restore_command, export_group)  # `assignments digest|sweep`: in cli/assignments.py
