"""`brokerlearn assignments`: commands about assessed work for whoever runs a server, meant to run
once a day (cron, a systemd timer): `remind` mails each learner whose next step is due
(services/reminders.py; running it twice a day mails nobody twice), `digest` mails each trainer
what waits in the grading queue, `sweep` hands work short of peer reviews to the trainers, and
`purge` deletes submissions older than the retention period (BROKERLEARN_SUBMISSION_RETENTION_DAYS,
or --days), their files and reviews, keeping the results. Errors reach the boundary in
cli/__init__.py."""
from __future__ import annotations

from pathlib import Path

import click

from brokerlearn.cli.running import _build_dir_option, _courses, _cli_actor, _database, _instance_option, _link_base, _say
from brokerlearn.errors import UsageError
from brokerlearn.printable import printable


@click.group("assignments")
def assignments() -> None:
    """Assessed work: reminders, the trainers' digest, the stranding sweep, retention."""


@assignments.command("purge")
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Retention in days (default: BROKERLEARN_SUBMISSION_RETENTION_DAYS).")
@click.option("--dry-run", is_flag=True, help="Only say what would be deleted.")
@click.option("--instance", type=click.Path(path_type=Path), default=None,
              help="Instance folder (default: ./instance or BROKERLEARN_INSTANCE).")
def purge(days: int | None, dry_run: bool, instance: Path | None) -> None:
    """Delete submissions older than the retention period, with their files and reviews (the
    results, the scores, stay); recorded in the audit trail."""
    from brokerlearn.cli.running import _cli_actor, _database, _say
    from brokerlearn.server.services import retention
    with _database(instance) as (installation, session):
        days = days if days is not None else installation.config.get("SUBMISSION_RETENTION_DAYS")
        if days is None:
            raise UsageError("no retention period: set BROKERLEARN_SUBMISSION_RETENTION_DAYS (days), or give "
                             "--days; nothing was deleted")
        done = retention.purge(session, installation.instance, days, _cli_actor(), dry_run=dry_run)
    verb = "would delete" if dry_run else "deleted"
    _say(f"{verb} {done.submissions} submissions older than {days} days ({done.files} files, {done.reviews} "
         f"reviews); {done.results_kept} results kept; {done.waiting} still waiting for a trainer kept")


@assignments.command("remind")
@click.option("--dry-run", is_flag=True, help="List who would be reminded of what; send and store nothing.")
@click.option("--public-url", default=None, help="Server address for the links (default: BROKERLEARN_PUBLIC_URL).")
@_build_dir_option
@_instance_option
def remind(dry_run: bool, public_url: str | None, build_dir: Path, instance: Path | None) -> None:
    """Mail each learner whose next step of assessed work is due within two days or overdue
    (never when there is nothing to do; at most once a day per step)."""
    from brokerlearn.server import mail
    from brokerlearn.server.services import reminders
    courses = _courses(build_dir)
    with _database(instance) as (installation, session):
        config = installation.config
        if not dry_run and not config.get("SMTP_HOST"):
            raise UsageError("no SMTP server is set up (BROKERLEARN_SMTP_HOST): reminders need one "
                             "(--dry-run lists who would be reminded)")
        base = _link_base(installation, public_url, "the links use")
        outcome = reminders.send_reminders(
            session, courses, lambda message: mail.deliver(config, message), base, config.get("MAIL_FROM") or "",
            config.get("ISSUER_NAME") or "", actor=_cli_actor(), dry_run=dry_run)
    for reminder in outcome.planned:
        steps = ", ".join(f"{d.timeline.assignment.id}: {d.step.key} by {d.step.due}" for d in reminder.due)
        click.echo(f"{'would remind' if dry_run else 'reminded'} {printable(reminder.user.email)} ({steps})")
    for failure in outcome.failed:
        _say(f"not mailed: {printable(failure)}")
    if not dry_run:
        _say(f"{outcome.mailed} learner(s) reminded of {outcome.steps} step(s); "
             f"{outcome.skipped} step(s) reminded already today")
    if outcome.failed:
        raise UsageError(f"{len(outcome.failed)} reminder(s) could not be mailed; the next run tries again")


from brokerlearn.cli.running import assignments_digest, assignments_sweep  # noqa: E402 - beside their mail helpers

assignments.add_command(assignments_digest, "digest")
assignments.add_command(assignments_sweep, "sweep")

COMMANDS = (assignments,)
