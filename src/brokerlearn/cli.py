"""The command line: parses options and calls library functions; domain errors become exit
codes here, in one place."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from brokerlearn import __version__
from brokerlearn.printable import printable

EXIT_AUTHOR_ERRORS = 1
EXIT_USAGE = 2


def _fail_usage(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(EXIT_USAGE)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="brokerlearn")
def main() -> None:
    """Build self-paced online courses from YAML and Markdown, and serve them."""


@main.command()
@click.argument("courses_dir", default="courses", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out_dir", default="build", type=click.Path(path_type=Path),
              help="Output folder: OUT/site/ is public, OUT/server/ is private.", show_default=True)
@click.option("--theme", type=click.Path(path_type=Path), default=None,
              help="Theme folder; templates it lacks come from the default theme.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors, with the checks of 'brokerlearn check' (same courses pass).")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar (default: when writing to a terminal).")
def build(courses_dir: Path, out_dir: Path, theme: Path | None, strict: bool, progress) -> None:
    """Build the courses in COURSES_DIR (or one course folder) into OUT."""
    import time

    from brokerlearn.compiler.pipeline import build as run_build, print_diagnostics
    from brokerlearn.errors import BuildFailed, UsageError

    started = time.perf_counter()
    try:
        result = run_build(courses_dir, out_dir, theme, strict, progress)
    except UsageError as exc:
        _fail_usage(str(exc))
    except BuildFailed as exc:
        print_diagnostics(exc.diagnostics)
        found = exc.diagnostics
        what = (f"{len(found.errors)} error(s)" if found.errors
                else f"{len(found.warnings)} warning(s), which --strict counts as errors")
        click.echo(f"build failed: {what}; the previous output in {out_dir} is unchanged", err=True)
        sys.exit(EXIT_AUTHOR_ERRORS)
    print_diagnostics(result.diagnostics)
    report = result.report
    pages = sum(1 for p in report.written + report.reused if p.endswith(".html"))
    click.echo(f"built {len(result.courses)} course(s), {pages} pages into {out_dir}/site "
               f"({len(report.written)} files written, {len(report.reused)} unchanged, "
               f"{len(result.diagnostics.warnings)} warning(s)) in {time.perf_counter() - started:.2f}s",
               err=True)


@main.command()
@click.argument("courses_dir", default="courses", type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: path:line:column: level: message; json: one object for editors and CI.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit status 1).")
@click.option("--theme", type=click.Path(path_type=Path), default=None)
def check(courses_dir: Path, output_format: str, strict: bool, theme: Path | None) -> None:
    """Check COURSES_DIR (or one course folder) without building: errors and warnings."""
    import json

    from brokerlearn.compiler.pipeline import check as run_check
    from brokerlearn.errors import UsageError
    try:
        courses, diags = run_check(courses_dir, theme)
    except UsageError as exc:
        _fail_usage(str(exc))
    items = diags.sorted()
    errors = sum(1 for d in items if d.level == "error")
    warnings = len(items) - errors
    failed = diags.fail(strict)
    if output_format == "json":
        click.echo(json.dumps({"ok": not failed, "errors": errors, "warnings": warnings,
                               "courses": [c.id for c in courses],
                               "diagnostics": [d.as_dict() for d in items]}, indent=1))
    else:
        for diagnostic in items:
            click.echo(diagnostic.format(Path.cwd()))
        click.echo(f"{len(courses)} course(s) checked: {errors} error(s), {warnings} warning(s)", err=True)
    sys.exit(EXIT_AUTHOR_ERRORS if failed else 0)


@main.command()
@click.argument("courses_dir", default="courses", type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--theme", type=click.Path(path_type=Path), default=None)
def preview(courses_dir: Path, host: str, port: int, theme: Path | None) -> None:
    """Preview COURSES_DIR (or one course) on a local server that rebuilds on save and reloads the page."""
    from brokerlearn.errors import UsageError
    from brokerlearn.authoring.preview import Preview
    try:
        server = Preview(courses_dir, theme_dir=theme)
    except UsageError as exc:
        _fail_usage(str(exc))
    click.echo(f"previewing {courses_dir} on http://{host}:{port}/ (rebuilds on save; Ctrl+C to stop)", err=True)
    server.serve(host, port)


def _app(build_dir: Path, instance: Path | None, create: bool = False):
    """The server application for a command. Only the commands named for it (serve, db upgrade,
    users create, keys init, restore) pass create=True; the others refuse a folder that holds no
    installation ("no installation at ...") instead of making one."""
    from brokerlearn.errors import UsageError
    from brokerlearn.server import create_app, masked_url
    try:
        app = create_app(build_dir=build_dir, instance_path=instance, create=create)
    except (UsageError, ValueError) as exc:
        _fail_usage(str(exc))
    # Which database, every time: a command run without the settings (a cron job) shows it.
    click.echo(f"database: {masked_url(app.config['DATABASE_URL'])} ({app.config['DATABASE_SOURCE']})", err=True)
    return app


def _current_schema(app, starting: bool = False) -> None:
    """The embedded SQLite database is upgraded on its own; any other must have been migrated
    (`brokerlearn db upgrade`) to this version's schema. A server starting while the database
    is down starts anyway (it recovers when the database returns); a command stops."""
    url = app.config["DATABASE_URL"]
    if url.startswith("sqlite"):
        from alembic.util import CommandError
        from brokerlearn.server.db import upgrade
        try:
            upgrade(url)
        except CommandError as exc:
            _fail_usage(f"cannot upgrade the database {url}: {exc} (was it migrated by a newer version?)")
        return
    from sqlalchemy.exc import SQLAlchemyError
    from brokerlearn.server import masked_url, schema
    try:
        problem = schema.problem(app.extensions["brokerlearn_engine"])
    except SQLAlchemyError as exc:
        reason = _one_line(exc)
        if not starting:
            _fail_usage(f"cannot reach the database {masked_url(url)}: {reason}")
        click.echo(f"warning: cannot reach the database {masked_url(url)} to check its schema ({reason}); "
                   "starting anyway", err=True)
        return
    if problem:
        _fail_usage(problem)


def _one_line(exc: Exception) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _link_base(app, public_url: str | None, what: str = "the link uses") -> str:
    """--public-url, else BROKERLEARN_PUBLIC_URL, else this machine's default port, with a warning."""
    base = public_url or app.config.get("PUBLIC_URL")
    if not base:
        base = "http://127.0.0.1:8000"
        click.echo(f"warning: BROKERLEARN_PUBLIC_URL is not set: {what} {base}, which works on this machine "
                   "only (set it in the settings, or give --public-url)", err=True)
    return base.rstrip("/")


@main.command()
@click.argument("build_dir", default="build", type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--instance", type=click.Path(path_type=Path), default=None,
              help="Instance folder (database, secret key). Default: ./instance or BROKERLEARN_INSTANCE.")
@click.option("--threads", type=int, default=None, help="Worker threads (default: BROKERLEARN_THREADS or 8).")
def serve(build_dir: Path, host: str, port: int, instance: Path | None, threads: int | None) -> None:
    """Serve BUILD_DIR/site/ with accounts, progress and graded quizzes (waitress WSGI server)."""
    if not (build_dir / "site" / "index.html").is_file():
        _fail_usage(f"no built site in {build_dir / 'site'}: run 'brokerlearn build' first")
    app = _app(build_dir, instance, create=True)
    _current_schema(app, starting=True)  # the embedded SQLite default is upgraded on its own
    from brokerlearn.server.settings import public_url_at_start
    if notice := public_url_at_start(app.config, host, port):
        click.echo(notice, err=True)
    from brokerlearn.server import remember_database
    remember_database(app)
    import waitress
    # Waitress's I/O thread and the request threads share the GIL. A request thread that waits on
    # the database gives the GIL up and, by default, may wait 5 ms to get it back, several times
    # per request; 0.5 ms cuts signed-in request latency under load severalfold (bench/README.md).
    sys.setswitchinterval(0.0005)
    # Waitress warns "Task queue depth is N" on every request while clients outnumber threads,
    # which is normal under load and costs a log write per request.
    import logging
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    if app.config["REQUEST_LOG"]:
        logging.getLogger("brokerlearn.requests").setLevel(logging.INFO)  # one line per request
    from brokerlearn.server.lrs import start_forwarder
    if start_forwarder(app):
        click.echo(f"forwarding learning events to the LRS at {app.config['LRS_URL']}", err=True)
    click.echo(f"serving {build_dir / 'site'} on http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    # Waitress would drop X-Forwarded-* itself, before the application could honour them from a
    # configured proxy; the application's own gate (server/proxies.py) decides whom to believe.
    waitress.serve(app, host=host, port=port, threads=threads or app.config["THREADS"], ident="brokerlearn",
                   clear_untrusted_proxy_headers=False)


@main.group()
def db() -> None:
    """The server's database."""


@db.command("upgrade")
@click.option("--instance", type=click.Path(path_type=Path), default=None)
def db_upgrade(instance: Path | None) -> None:
    """Create or migrate the database to the current schema (DATABASE_URL, or SQLite in the instance)."""
    app = _app(Path("build"), instance, create=True)
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError
    from brokerlearn.server import masked_url, remember_database
    from brokerlearn.server.db import upgrade
    try:
        upgrade(app.config["DATABASE_URL"])
    except SQLAlchemyError as exc:
        _fail_usage(f"cannot upgrade the database {masked_url(app.config['DATABASE_URL'])}: {_one_line(exc)}")
    except CommandError as exc:
        _fail_usage(f"cannot upgrade the database: {exc} (was it migrated by a newer version of brokerlearn?)")
    remember_database(app)
    click.echo("database is up to date", err=True)


@main.group()
def users() -> None:
    """Manage accounts from the command line."""


def _with_db(instance: Path | None, action, build_dir: Path = Path("build"), create: bool = False):
    app = _app(build_dir, instance, create)
    _current_schema(app)  # the embedded default keeps itself current, as on serve
    with app.app_context():
        from sqlalchemy.exc import OperationalError
        from brokerlearn.server import db as server_db, masked_url
        from brokerlearn.errors import UsageError
        from brokerlearn.server.services.accounts import AccountError
        try:
            return action(app, server_db.session())
        except (AccountError, UsageError) as exc:
            _fail_usage(str(exc))
        except OperationalError as exc:
            _fail_usage(f"the database {masked_url(app.config['DATABASE_URL'])} failed: {_one_line(exc)}")


_instance_option = click.option("--instance", type=click.Path(path_type=Path), default=None,
                                help="Instance folder (default: ./instance or BROKERLEARN_INSTANCE).")


@users.command("create")
@click.argument("email")
@click.option("--name", default="")
@click.option("--role", type=click.Choice(["learner", "author", "admin"]), default="learner", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for when not given (give it via the BROKERLEARN_PASSWORD variable in scripts).",
              envvar="BROKERLEARN_PASSWORD")
@_instance_option
def users_create(email: str, name: str, role: str, password: str, instance: Path | None) -> None:
    """Create an account."""
    from brokerlearn.server.services import accounts
    user = _with_db(instance, lambda app, s: accounts.create_user(s, email, password, name, role), create=True)
    click.echo(f"created {printable(user.email)} ({user.role})")


@users.command("list")
@_instance_option
def users_list(instance: Path | None) -> None:
    """List accounts: e-mail, role, created."""
    from sqlalchemy import select
    from brokerlearn.server.models import User

    def show(app, s):
        for user in s.scalars(select(User).order_by(User.email)):
            click.echo(f"{printable(user.email)}\t{user.role}\t{user.created_at:%Y-%m-%d}")
    _with_db(instance, show)


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(["learner", "author", "admin"]))
@_instance_option
def users_set_role(email: str, role: str, instance: Path | None) -> None:
    """Give an account a role (learner, author, admin)."""
    from brokerlearn.server.services import accounts

    def act(app, s):
        user = accounts.find_user(s, email)
        if user is None:
            _fail_usage(f"no account for {email}")
        accounts.set_role(s, user, role)
    _with_db(instance, act)
    click.echo(f"{email} is now {role}")


@users.command("reset-password")
@click.argument("email")
@click.option("--public-url", default=None, help="Server address for the link (default: BROKERLEARN_PUBLIC_URL).")
@_instance_option
def users_reset_password(email: str, public_url: str | None, instance: Path | None) -> None:
    """Print a one-time link (valid one hour) with which the user sets a new password."""
    from brokerlearn.server.services import accounts

    def act(app, s):
        user = accounts.find_user(s, email)
        if user is None:
            _fail_usage(f"no account for {email}")
        base = _link_base(app, public_url)
        return f"{base}/account/reset/{accounts.make_reset_token(app.secret_key, user)}"
    click.echo(_with_db(instance, act))


@users.command("invite")
@click.argument("email")
@click.option("--public-url", default=None, help="Server address for the link (default: BROKERLEARN_PUBLIC_URL).")
@_instance_option
def users_invite(email: str, public_url: str | None, instance: Path | None) -> None:
    """Print an invitation link (valid 7 days) for registering EMAIL when registration is by invitation."""
    from brokerlearn.server.services import accounts

    def act(app, s):
        base = _link_base(app, public_url)
        return f"{base}/account/register?invite={accounts.make_invitation(app.secret_key, email)}"
    click.echo(_with_db(instance, act))


@main.group()
def new() -> None:
    """Create a new course, ready to build."""


@new.command("course")
@click.argument("name")
@click.option("--dir", "parent", default="courses", type=click.Path(path_type=Path), show_default=True,
              help="Folder to create the course in.")
@click.option("--title", default=None, help="Course title (default: from NAME).")
@click.option("--language", default="en", show_default=True, help="Language (BCP 47).")
def new_course(name: str, parent: Path, title: str | None, language: str) -> None:
    """Scaffold a course NAME with one module and one lesson, valid as it is."""
    from brokerlearn.errors import UsageError
    from brokerlearn.authoring.scaffold import scaffold_course

    try:
        root = scaffold_course(parent, name, title, language)
    except UsageError as exc:
        _fail_usage(str(exc))
    click.echo(f"created {root}; build it with: brokerlearn build {parent}")


def _scaffolded(action, describe) -> None:
    from brokerlearn.errors import UsageError
    try:
        path = action()
    except UsageError as exc:
        _fail_usage(str(exc))
    click.echo(describe(path))


@new.command("module")
@click.argument("title")
@click.option("--course", "course", default=".", type=click.Path(path_type=Path, file_okay=False),
              show_default=True, help="The course folder (holding course.yml).")
def new_module(title: str, course: Path) -> None:
    """A module with the next number and one lesson, added to course.yml."""
    from brokerlearn.authoring.scaffold import scaffold_module
    _scaffolded(lambda: scaffold_module(course, title),
                lambda path: f"created {path} and added it to {course / 'course.yml'}")


@new.command("lesson")
@click.argument("title")
@click.option("--module", "module", default=".", type=click.Path(path_type=Path, file_okay=False),
              show_default=True, help="The module folder (holding module.yml).")
@click.option("--outcome", "outcomes", multiple=True, help="An outcome ID the lesson teaches (repeatable).")
def new_lesson(title: str, module: Path, outcomes: tuple[str, ...]) -> None:
    """A lesson with the next number and its front matter, added to module.yml."""
    from brokerlearn.authoring.scaffold import scaffold_lesson
    _scaffolded(lambda: scaffold_lesson(module, title, list(outcomes)),
                lambda path: f"created {path} and added it to {module / 'module.yml'}")


@new.command("quiz")
@click.argument("quiz_id")
@click.option("--module", "module", default=".", type=click.Path(path_type=Path, file_okay=False), show_default=True)
@click.option("--mode", type=click.Choice(["graded", "practice"]), default="practice", show_default=True)
def new_quiz(quiz_id: str, module: Path, mode: str) -> None:
    """A quiz file with one example question; place it in a lesson with ::: quiz ID."""
    from brokerlearn.authoring.scaffold import scaffold_quiz
    _scaffolded(lambda: scaffold_quiz(module, quiz_id, mode),
                lambda path: f"created {path}; place it in a lesson with:\n::: quiz {path.stem}\n:::")


@new.command("video")
@click.argument("name")
@click.option("--course", "course", default=".", type=click.Path(path_type=Path, file_okay=False), show_default=True)
def new_video(name: str, course: Path) -> None:
    """A storyboard for a case-study video; render it with brokerlearn video render."""
    from brokerlearn.authoring.scaffold import scaffold_storyboard
    _scaffolded(lambda: scaffold_storyboard(course, name),
                lambda path: f"created {path}; write the scenes, then: brokerlearn video render {path}\n"
                             f"and place it in a lesson with:\n::: video {path.stem}\n:::")


def _usage_errors(command):
    """A problem the operator must fix (a damaged key file, ...) is a message, not a traceback."""
    import functools

    @functools.wraps(command)
    def checked(*args, **kwargs):
        from brokerlearn.errors import UsageError
        try:
            return command(*args, **kwargs)
        except UsageError as exc:
            _fail_usage(str(exc))
    return checked


def _instance_folder(instance: Path | None, create: bool = False) -> Path:
    """As _app: an existing installation, or (create=True) the folder, made if need be."""
    from brokerlearn.server import instance_folder, make_instance_folder
    if create:
        return make_instance_folder(instance_folder(instance))
    return instance_folder(instance, must_exist=True)


@main.group()
def keys() -> None:
    """The agency's keys for signing certificates (kept in INSTANCE/keys/, never published)."""


@keys.command("init")
@click.option("--alg", type=click.Choice(["RS256", "EdDSA"]), default="RS256", show_default=True,
              help="RS256 is what every Open Badges 3.0 verifier supports.")
@click.option("--if-missing", is_flag=True, help="Do nothing (and succeed) when a key exists already.")
@_instance_option
@_usage_errors
def keys_init(alg: str, if_missing: bool, instance: Path | None) -> None:
    """Create the signing key."""
    from brokerlearn.server.credentials.keys import create_key, load_keys
    folder = _instance_folder(instance, create=True)
    current, _ = load_keys(folder)
    if current is not None:
        if if_missing:
            return
        _fail_usage(f"a signing key exists already ({current.kid}): use 'brokerlearn keys rotate' for a new one")
    key = create_key(folder, alg)
    click.echo(f"created {alg} key {key.kid} in {folder / 'keys'}")


@keys.command("rotate")
@click.option("--alg", type=click.Choice(["RS256", "EdDSA"]), default="RS256", show_default=True)
@_instance_option
@_usage_errors
def keys_rotate(alg: str, instance: Path | None) -> None:
    """Sign new certificates with a new key; the old keys stay published, so old certificates verify."""
    from brokerlearn.server.credentials.keys import create_key
    key = create_key(_instance_folder(instance, create=True), alg)
    click.echo(f"new current key {key.kid} ({alg}); earlier keys are kept for verification")


@keys.command("list")
@_instance_option
@_usage_errors
def keys_list(instance: Path | None) -> None:
    """The keys, the current one marked with *."""
    from brokerlearn.server.credentials.keys import load_keys
    current, all_keys = load_keys(_instance_folder(instance))
    for key in all_keys:
        click.echo(f"{'*' if current and key.kid == current.kid else ' '} {key.kid}\t{key.alg}")


@main.group()
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
    except OSError as exc:
        _fail_usage(f"cannot read {file}: {exc.strerror}")

    def act(app, session):
        base = _link_base(app, public_url, "the issuer checked for is the one at")
        _, all_keys = load_keys(Path(app.instance_path))
        issuer = issuer_profile(base, app.config["ISSUER_NAME"])["id"]
        return verify_credential(token, issuer, all_keys, revocation_lookup(session))
    verdict = _with_db(instance, act)
    click.echo(f"{verdict.status}: {printable(verdict.message)}")
    sys.exit(0 if verdict.valid else EXIT_AUTHOR_ERRORS)


@certs.command("revoke")
@click.argument("certificate_id")
@click.option("--reason", required=True, help="Shown to whoever checks the certificate.")
@_instance_option
def certs_revoke(certificate_id: str, reason: str, instance: Path | None) -> None:
    """Revoke a certificate (it then fails every check, with the date and the reason)."""
    from brokerlearn.server.services.certificates import CertificateError, revoke

    def act(app, session):
        try:
            return revoke(session, certificate_id, reason)
        except CertificateError as exc:
            _fail_usage(str(exc))
    certificate = _with_db(instance, act)
    holder = printable(certificate.name or "account deleted")
    click.echo(f"revoked {certificate.id} ({printable(certificate.title)}, {holder})")


@certs.command("list")
@_instance_option
def certs_list(instance: Path | None) -> None:
    """Certificates: number, issued, status, holder, title."""
    from sqlalchemy import select
    from brokerlearn.server.models import Certificate

    def show(app, session):
        for c in session.scalars(select(Certificate).order_by(Certificate.issued_at)):
            state = f"revoked {c.revoked_at:%Y-%m-%d}" if c.revoked_at else "valid"
            click.echo(f"{c.id}\t{c.issued_at:%Y-%m-%d}\t{state}\t{printable(c.name)}\t{printable(c.title)}")
    _with_db(instance, show)


@main.group()
def video() -> None:
    """Videos: render storyboards into narrated case-study videos."""


@video.command("render")
@click.argument("storyboards", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("-o", "--media-dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Where the video, captions and sidecar go (default: the course's media/ folder).")
def video_render(storyboards: tuple[Path, ...], media_dir: Path | None) -> None:
    """Render STORYBOARD.yml files: slides by ffmpeg, narration by Piper (or espeak-ng), exact captions."""
    from brokerlearn.authoring.storyboard import render
    from brokerlearn.errors import UsageError
    for path in storyboards:
        if not path.is_file():
            _fail_usage(f"no storyboard {path}")
        try:
            result = render(path, media_dir)
        except UsageError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(EXIT_AUTHOR_ERRORS)
        for warning in result.warnings:
            click.echo(f"{path}: warning: {warning}", err=True)
        click.echo(f"rendered {result.video} ({result.duration:.1f} s, {len(result.cues)} captions; "
                   f"voices: {', '.join(result.voices)}; {result.scenes_spoken} scene(s) spoken, the rest cached)")


@main.command("backup")
@click.option("-o", "--output", "target", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="Archive to write (default: brokerlearn-backup-YYYYmmdd-HHMMSS.tar.gz).")
@_instance_option
def backup_command(target: Path | None, instance: Path | None) -> None:
    """Back up the instance folder and the SQLite database (safe while the server runs)."""
    import time as clock

    from brokerlearn.errors import UsageError
    from brokerlearn.server.backup import backup
    app = _app(Path("build"), instance)
    target = target or Path(f"brokerlearn-backup-{clock.strftime('%Y%m%d-%H%M%S')}.tar.gz")
    try:
        manifest = backup(Path(app.instance_path), app.config["DATABASE_URL"], target)
    except UsageError as exc:
        _fail_usage(str(exc))
    click.echo(f"wrote {target}: {len(manifest['files'])} files, database: {manifest['database']}")


@main.command("restore")
@click.argument("archive", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--force", is_flag=True, help="Replace an existing database (stop the server first).")
@_instance_option
def restore_command(archive: Path, force: bool, instance: Path | None) -> None:
    """Restore a backup made by 'brokerlearn backup' into the instance folder."""
    from brokerlearn.errors import UsageError
    from brokerlearn.server.backup import restore
    app = _app(Path("build"), instance, create=True)
    try:
        manifest = restore(archive, Path(app.instance_path), app.config["DATABASE_URL"], force)
    except UsageError as exc:
        _fail_usage(str(exc))
    click.echo(f"restored {len(manifest['files'])} files from {archive} (made {printable(str(manifest['created'])[:19])})")


@main.group("export")
def export_group() -> None:
    """Exports: CSV of learners, progress and results; xAPI statements."""


@export_group.command("csv")
@click.argument("what", type=click.Choice(["learners", "progress", "results"]))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write (default: standard output).")
@click.option("--build-dir", type=click.Path(path_type=Path), default=Path("build"), show_default=True)
@_instance_option
def export_csv(what: str, output: Path | None, build_dir: Path, instance: Path | None) -> None:
    """Learners, progress per course, or graded results, as CSV (UTF-8, one header row)."""
    from brokerlearn.server import exports
    from brokerlearn.server.courses import catalog

    def act(app, session):
        if what == "learners":
            return exports.learners_csv(session)
        if what == "results":
            return exports.results_csv(session)
        return exports.progress_csv(session, catalog())
    text = _with_db(instance, act, build_dir)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


@export_group.command("scorm")
@click.argument("course_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True,
              help="The package to write, e.g. course.zip.")
@click.option("--theme", type=click.Path(path_type=Path), default=None)
def export_scorm_command(course_dir: Path, output: Path, theme: Path | None) -> None:
    """A SCORM 1.2 package of one course (one SCO per module) for an existing LMS."""
    from brokerlearn.compiler.pipeline import print_diagnostics
    from brokerlearn.compiler.scorm import export_scorm
    from brokerlearn.errors import BuildFailed, UsageError
    try:
        summary = export_scorm(course_dir, output, theme)
    except UsageError as exc:
        _fail_usage(str(exc))
    except BuildFailed as exc:
        print_diagnostics(exc.diagnostics)
        sys.exit(EXIT_AUTHOR_ERRORS)
    click.echo(f"wrote {output}: course {summary['course']}, {summary['modules']} SCOs, {summary['files']} files")


@export_group.command("xapi")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="JSON lines file to write (default: standard output).")
@click.option("--public-url", default=None, help="Base of the activity IDs (default: BROKERLEARN_PUBLIC_URL).")
@click.option("--build-dir", type=click.Path(path_type=Path), default=Path("build"), show_default=True)
@_instance_option
def export_xapi(output: Path | None, public_url: str | None, build_dir: Path, instance: Path | None) -> None:
    """Every learning event as an xAPI 1.0.3 statement, one JSON object per line."""
    import json

    from brokerlearn.server import exports
    from brokerlearn.server.courses import catalog

    def act(app, session):
        base = _link_base(app, public_url, "the activity IDs use")
        return [json.dumps(s, ensure_ascii=False) for s in exports.xapi_statements(session, catalog(), base)]
    lines = _with_db(instance, act, build_dir)
    text = "".join(line + "\n" for line in lines)
    if output:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {len(lines)} statements to {output}", err=True)
    else:
        click.echo(text, nl=False)


if __name__ == "__main__":
    main()
