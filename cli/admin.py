"""``zorgblik admin``: staff accounts from the command line (the first admin is made here)."""

from __future__ import annotations

import os
import sys

import click

from catalog import Catalog, accounts
from cli import cli
from zorgblik.settings import Settings
from zorgblik.terms import STAFF_ROLES

PASSWORD_ENV = "ZORGBLIK_NEW_PASSWORD"


@cli.group("admin")
def admin() -> None:
    """Beheer: medewerkersaccounts."""


def read_password(from_stdin: bool) -> str:
    """From stdin (``--password-stdin``), the environment (ZORGBLIK_NEW_PASSWORD), or a prompt
    without echo, asked twice."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if os.environ.get(PASSWORD_ENV):
        return os.environ[PASSWORD_ENV]
    return click.prompt("Wachtwoord", hide_input=True, confirmation_prompt="Nog een keer")


@admin.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(list(STAFF_ROLES)), required=True,
              help="admin: alles; comms: opnames; author: scripts en afspeellijsten; "
                   "intake / hr / teacher: headsets en sessies in hun context.")
@click.option("--name", "display_name", default="", help="Naam zoals de pagina's hem tonen.")
@click.option("--password-stdin", is_flag=True, help=f"Lees het wachtwoord van stdin (voor scripts; of zet {PASSWORD_ENV}).")
@click.pass_obj
def create_user(settings: Settings, username: str, role: str, display_name: str, password_stdin: bool) -> None:
    """Maak een medewerkersaccount (de eerste beheerder: --role admin)."""
    password = read_password(password_stdin)
    with Catalog(settings.catalog_url) as catalog, catalog.session() as db:
        user = accounts.create_user(db, username=username, role=role, password=password, display_name=display_name)
        click.echo(f"Account {user.username} ({user.role}) aangemaakt.")


@admin.command("list-users")
@click.pass_obj
def list_users(settings: Settings) -> None:
    """Alle medewerkersaccounts met hun rol."""
    with Catalog(settings.catalog_url) as catalog, catalog.session() as db:
        users = accounts.list_users(db)
        if not users:
            click.echo("Nog geen accounts; maak de eerste beheerder met: zorgblik admin create-user NAAM --role admin")
        for user in users:
            state = "" if user.active else "  (uitgezet)"
            click.echo(f"{user.username:<24} {user.role:<8} {user.display_name}{state}")
