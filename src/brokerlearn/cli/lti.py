"""`brokerlearn lti ...`: the LMS platforms brokerlearn is an LTI 1.3 tool of (the work is in
server/lti/registration.py; errors reach the boundary in cli/__init__.py)."""
from __future__ import annotations

from pathlib import Path

import click

from brokerlearn.cli.running import _cli_actor, _database, _instance_option
from brokerlearn.printable import printable


@click.group()
def lti() -> None:
    """LMS platforms that launch brokerlearn (LTI 1.3)."""


@lti.command("add-platform")
@click.option("--issuer", required=True, help="The platform's issuer (platform ID), e.g. https://moodle.example.org.")
@click.option("--client-id", required=True, help="The client ID the platform gave the tool.")
@click.option("--deployment-id", "deployment_ids", required=True, multiple=True,
              help="A deployment ID of the tool on the platform (may be given more than once).")
@click.option("--auth-login-url", required=True, help="The platform's OIDC authentication request URL.")
@click.option("--auth-token-url", required=True, help="The platform's OAuth 2 access token URL.")
@click.option("--keyset-url", required=True, help="The platform's public keyset (JWKS) URL.")
@click.option("--name", default="", help="A name for people (default: the issuer's host).")
@_instance_option
def add_platform(issuer: str, client_id: str, deployment_ids: tuple[str, ...], auth_login_url: str,
                 auth_token_url: str, keyset_url: str, name: str, instance: Path | None) -> None:
    """Register a platform (again: add deployment IDs, update its URLs)."""
    from brokerlearn.server.lti import registration
    with _database(instance) as (_, session):
        platform = registration.add_platform(session, issuer=issuer, client_id=client_id,
                                             deployment_ids=list(deployment_ids), auth_login_url=auth_login_url,
                                             auth_token_url=auth_token_url, keyset_url=keyset_url, name=name,
                                             actor=_cli_actor())
        click.echo(f"registered {platform.id} {printable(platform.issuer)} (client {printable(platform.client_id)})")


@lti.command("list")
@_instance_option
def list_platforms(instance: Path | None) -> None:
    """The registered platforms: ID, issuer, client ID, deployment IDs, name."""
    from brokerlearn.server.lti import registration
    with _database(instance) as (_, session):
        for p in registration.platforms(session):
            fields = (str(p.id), p.issuer, p.client_id, ",".join(p.deployment_ids), p.name)
            click.echo("  ".join(printable(f) for f in fields))


@lti.command("remove")
@click.argument("platform_id", type=int)
@_instance_option
def remove(platform_id: int, instance: Path | None) -> None:
    """Remove a platform: its launches stop; the accounts made by its launches stay."""
    from brokerlearn.server.lti import registration
    with _database(instance) as (_, session):
        platform = registration.remove_platform(session, platform_id, actor=_cli_actor())
        click.echo(f"removed {printable(platform.issuer)}")


@lti.command("sync-rosters")
@_instance_option
def sync_rosters(instance: Path | None) -> None:
    """Read every LMS course's roster (Names and Role Provisioning) into its group now."""
    from datetime import timedelta

    from brokerlearn.server.lti import nrps
    with _database(instance) as (installation, session):
        done = nrps.sync_due(session, installation.instance, every=timedelta(0))
        click.echo(f"read {done} roster(s)")


COMMANDS = [lti]
