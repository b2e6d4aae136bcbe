"""`brokerlearn sso ...`: the identity providers accounts sign in with (OpenID Connect), the
links between accounts and their identities, and the administrators' emergency link for when
password sign-in is off and the provider cannot sign anyone in. The work is in server/sso/."""
from __future__ import annotations

from pathlib import Path

import click

from brokerlearn.cli.running import _account, _cli_actor, _database, _instance_option, _link_base, _public_url_option
from brokerlearn.errors import UsageError
from brokerlearn.printable import printable


@click.group()
def sso() -> None:
    """Sign-in through identity providers (OpenID Connect: Entra ID, Keycloak, Google, ...)."""


def _check_discovery(issuer: str) -> dict:
    from brokerlearn.server.sso import discovery
    from brokerlearn.server.sso.errors import SsoError
    try:
        return discovery.metadata(issuer)
    except SsoError as exc:
        raise UsageError(f"the provider's configuration was not found at {issuer}/.well-known/openid-configuration "
                         f"({exc.detail}); check --issuer, or give --no-check") from None


@sso.command("add-provider")
@click.option("--name", required=True, help="Shown as 'Sign in with NAME'; also names its redirect URI.")
@click.option("--issuer", required=True, help="The provider's issuer URL (its discovery document is ISSUER/.well-known/openid-configuration).")
@click.option("--client-id", required=True, help="The client (application) ID the provider gave brokerlearn.")
@click.option("--client-secret", prompt="Client secret", hide_input=True, default="", show_default=False,
              help="The client secret (asked for when not given, so it stays out of the shell's history).")
@click.option("--scopes", default="openid email profile", show_default=True)
@click.option("--no-check", is_flag=True, help="Do not fetch the provider's configuration now.")
@_public_url_option
@_instance_option
def add_provider(name, issuer, client_id, client_secret, scopes, no_check, public_url, instance: Path | None) -> None:
    """Add an identity provider; prints the redirect URI to register at the provider."""
    from brokerlearn.server.sso import providers
    if not no_check:
        _check_discovery(issuer)
    with _database(instance) as (installation, session):
        provider = providers.add(session, name, issuer, client_id, client_secret, scopes, _cli_actor(),
                                 keys=installation.config.get("SECRETS_KEY"))
        base = _link_base(installation, public_url, "the redirect URI uses")
        click.echo(f"added {printable(provider.name)}; its redirect URI: {providers.redirect_uri(base, provider)}")


@sso.command("list")
@_public_url_option
@_instance_option
def list_providers(public_url, instance: Path | None) -> None:
    """The identity providers, one a line: name, issuer, client ID, client secret (only whether
    there is one: it is kept encrypted), redirect URI, enrolment rule."""
    from brokerlearn.server.sso import providers, sealed
    with _database(instance) as (installation, session):
        base = _link_base(installation, public_url, "the redirect URIs use")
        for p in providers.all_providers(session):
            rule = " enrol by " + providers.describe_rule(p) if providers.describe_rule(p) else ""
            fields = (p.slug, p.name, p.issuer, p.client_id, "secret " + sealed.shown(p.client_secret),
                      providers.redirect_uri(base, p) + rule)
            click.echo("\t".join(printable(field) for field in fields))


@sso.command("make-key")
def make_key() -> None:
    """Print a new key for BROKERLEARN_SECRETS_KEY (the client secrets are kept encrypted with it)."""
    from brokerlearn.server.sso import sealed
    click.echo(sealed.make_key())


@sso.command("reseal")
@_instance_option
def reseal(instance: Path | None) -> None:
    """Encrypt every client secret with the first key of BROKERLEARN_SECRETS_KEY (after putting a
    new key first, with the old one after it; then the old one may go)."""
    from brokerlearn.server.sso import providers
    with _database(instance) as (installation, session):
        count = providers.reseal_all(session, installation.config.get("SECRETS_KEY"))
    click.echo(f"resealed {count} client secret(s) with the first key")


@sso.command("remove")
@click.argument("name")
@_instance_option
def remove_provider(name: str, instance: Path | None) -> None:
    """Remove a provider (its accounts stay; adding it again signs them in again)."""
    from brokerlearn.server.sso import providers
    with _database(instance) as (_, session):
        provider = providers.existing(session, name)
        providers.remove(session, provider, _cli_actor())
    click.echo(f"removed {printable(name)}")


@sso.command("enrol")
@click.argument("name")
@click.option("--claim", default="", help="The ID token's claim, e.g. department (empty: no rule).")
@click.option("--group", "rules", multiple=True, metavar="VALUE=GROUP",
              help="A value of the claim and the group it puts the account in (again for more).")
@_instance_option
def enrol_rule(name: str, claim: str, rules: tuple[str, ...], instance: Path | None) -> None:
    """Put accounts into groups by a claim at every sign-in, e.g. --claim department --group Innovation='Innovation team'."""
    from brokerlearn.server.sso import providers
    pairs = {}
    for rule in rules:
        value, equals, group = rule.partition("=")
        if not equals or not value or not group:
            raise UsageError(f"--group takes VALUE=GROUP, not {rule!r}")
        pairs[value] = group
    if claim and not pairs:
        raise UsageError("give at least one --group VALUE=GROUP with --claim")
    with _database(instance) as (_, session):
        providers.set_enrolment(session, providers.existing(session, name), claim, pairs, _cli_actor())
    click.echo(f"{printable(name)}: " + (f"enrols by {claim}" if claim else "enrols nobody"))


@sso.command("link")
@click.argument("email")
@click.option("--provider", "name", required=True)
@click.option("--subject", required=True, help="The person's subject (sub) at the provider, as the refusal said.")
@_instance_option
def link(email: str, name: str, subject: str, instance: Path | None) -> None:
    """Link an account to its identity at a provider (when the person cannot confirm it themselves)."""
    from brokerlearn.server.sso import accounts, providers
    from brokerlearn.server.sso.errors import SsoError
    with _database(instance) as (_, session):
        try:
            accounts.link(session, _cli_actor(), providers.existing(session, name), _account(session, email), subject,
                          "by the command line")
        except SsoError as exc:
            raise UsageError(str(exc)) from None
    click.echo(f"linked {printable(email)} to {printable(subject)} at {printable(name)}")


@sso.command("unlink")
@click.argument("email")
@click.option("--provider", "name", default=None, help="Only this provider's identity (default: all).")
@_instance_option
def unlink(email: str, name: str | None, instance: Path | None) -> None:
    """Unlink an account from its identities: the provider then no longer signs it in."""
    from brokerlearn.server.sso import accounts, providers
    with _database(instance) as (_, session):
        provider = providers.existing(session, name) if name else None
        count = accounts.unlink(session, _cli_actor(), _account(session, email), provider)
    click.echo(f"unlinked {count} identit{'y' if count == 1 else 'ies'} of {printable(email)}")


@sso.command("emergency-link")
@click.argument("email")
@_public_url_option
@_instance_option
def emergency_link(email: str, public_url: str | None, instance: Path | None) -> None:
    """Print a link that signs an administrator in once, within 15 minutes (the way in when
    password sign-in is off and the identity provider cannot sign anyone in)."""
    from brokerlearn.server.sso import emergency
    with _database(instance) as (installation, session):
        link = emergency.make_link(session, installation.secret_key, _link_base(installation, public_url),
                                   _account(session, email), _cli_actor())
    click.echo(link)


COMMANDS = (sso,)
