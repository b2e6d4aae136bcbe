"""`brokerlearn assignments purge`: delete submissions of assessed work older than the retention
period (BROKERLEARN_SUBMISSION_RETENTION_DAYS, or --days), their files and reviews; the results
stay. The work is server.services.retention; errors reach the boundary in cli/__init__.py."""
from __future__ import annotations

from pathlib import Path

import click

from brokerlearn.errors import UsageError


@click.group("assignments")
def assignments() -> None:
    """Assessed work: the retention of submissions."""


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


COMMANDS = (assignments,)
