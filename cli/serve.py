"""``zorgblik serve``: the headset service on the local network."""

from __future__ import annotations

import click

from cli import cli
from zorgblik.settings import Settings


@cli.command("serve")
@click.option("--host", default=None, help="Adres (0.0.0.0 voor headsets op het netwerk). Standaard: 127.0.0.1")
@click.option("--port", type=int, default=None, help="Poort. Standaard: 8360")
@click.pass_obj
def serve(settings: Settings, host: str | None, port: int | None) -> None:
    """Start de headsetservice (stoppen met Ctrl-C)."""
    import uvicorn

    from catalog import Catalog, accounts
    from headset_service import create_app

    host, port = host or settings.host, port or settings.port
    with Catalog(settings.catalog_url) as catalog, catalog.session() as db:
        if not accounts.list_users(db):
            click.echo("Nog geen medewerkersaccounts: maak de eerste beheerder met\n"
                       "  zorgblik admin create-user NAAM --role admin", err=True)
    click.echo(f"zorgblik draait op http://{host}:{port}/  (stoppen met Ctrl-C)", err=True)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
