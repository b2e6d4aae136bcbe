"""The command line: parses options and calls library functions. Its commands are split by
audience, authoring (cli/authoring.py) and running a server (cli/running.py); domain errors
become exit codes here, in one place, the boundary `Commands.invoke`.

Exit codes (docs/authoring.md and docs/hosting.md rely on them):

    0  done (for `check` and `certs verify`: the course passes, the credential is valid)
    1  the work given has errors: a course's or storyboard's (printed as path:line:col), a
       credential that does not verify, `check` failing (with --strict, on warnings too)
    2  a usage error: how the command was called, the settings, the installation, the
       database, a missing tool; click's own usage errors exit 2 as well
"""
from __future__ import annotations

import sys

import click

from brokerlearn import __version__

EXIT_AUTHOR_ERRORS = 1
EXIT_USAGE = 2
# What a command's failure leaves behind, said after the count of errors (ctx.meta key).
FAILURE_NOTE = "brokerlearn.failure_note"

# The domain errors that become a one-line message, by module and class, so that the boundary
# imports nothing heavy: an error of a module that is not imported cannot have been raised.
# The first that matches wins (StoryboardError is a UsageError about the author's file).
DOMAIN_ERRORS = (
    ("brokerlearn.authoring.storyboard", "StoryboardError", EXIT_AUTHOR_ERRORS),
    ("brokerlearn.authoring.narration", "NarrationError", EXIT_AUTHOR_ERRORS),
    ("brokerlearn.errors", "UsageError", EXIT_USAGE),
    ("brokerlearn.server.services.accounts", "AccountError", EXIT_USAGE),
    ("brokerlearn.server.services.certificates", "CertificateError", EXIT_USAGE),
    ("brokerlearn.server.lti.oauth", "PlatformError", EXIT_USAGE),
)


def exit_code_of(exc: BaseException) -> int | None:
    """The exit code of a domain error, None for anything else (a bug keeps its traceback)."""
    for module, name, code in DOMAIN_ERRORS:
        kind = getattr(sys.modules.get(module), name, None)
        if kind is not None and isinstance(exc, kind):
            return code
    return None


class Commands(click.Group):
    """The group whose invoke is the error boundary of every command under it."""

    def invoke(self, ctx: click.Context):
        from brokerlearn.errors import BuildFailed
        try:
            return super().invoke(ctx)
        except BuildFailed as exc:
            _report_failed_build(ctx, exc)
            ctx.exit(EXIT_AUTHOR_ERRORS)
        except Exception as exc:
            code = exit_code_of(exc)
            if code is None:
                raise
            click.echo(f"error: {exc}", err=True)
            ctx.exit(code)


def _report_failed_build(ctx: click.Context, exc) -> None:
    from brokerlearn.compiler.pipeline import print_diagnostics
    print_diagnostics(exc.diagnostics)
    found = exc.diagnostics
    what = (f"{len(found.errors)} error(s)" if found.errors
            else f"{len(found.warnings)} warning(s), which --strict counts as errors")
    note = ctx.meta.get(FAILURE_NOTE)
    click.echo(f"{ctx.invoked_subcommand} failed: {what}" + (f"; {note}" if note else ""), err=True)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="brokerlearn")
def main() -> None:
    """Build self-paced online courses from YAML and Markdown, and serve them."""


from brokerlearn.cli import assignments, authoring, lti, running, sso  # noqa: E402 - they use the names above

for _command in (*authoring.COMMANDS, *running.COMMANDS, *assignments.COMMANDS, *sso.COMMANDS, *lti.COMMANDS):
    main.add_command(_command)
