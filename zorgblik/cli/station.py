"""``zorgblik station``: a PC with a tethered headset as a zorgblik headset."""

from __future__ import annotations

from pathlib import Path

import click

from zorgblik.cli import cli
from zorgblik.settings import Settings


@cli.command("station")
@click.option("--server", required=True, help="Adres van de headsetservice, bijv. http://192.168.1.10:8360")
@click.option("--pair", "code", default=None, help="Koppelcode van de begeleider (alleen de eerste keer)")
@click.option("--folder", type=click.Path(file_okay=False), default=None,
              help="Map voor token en scènes. Standaard: <data>/station")
@click.pass_obj
def station(settings: Settings, server: str, code: str | None, folder: str | None) -> None:
    """Speel scènes af op een headset aan deze pc (OpenXR: SteamVR, Meta Quest Link of Monado)."""
    from headset_service.station import SyncClient
    from headset_service.station.xr import open_instance

    instance = open_instance()  # first: without a runtime, a pairing code is not used up
    try:
        with SyncClient(server, Path(folder) if folder else settings.data_dir / "station") as client:
            if code:
                click.echo(f"gekoppeld als {client.pair(code)['name']}", err=True)
            result = client.sync()
            click.echo(f"{len(result.held)} scène(s) op schijf{' (offline)' if result.offline else ''}", err=True)
            raise click.ClickException("de OpenXR-weergave van het station is nog niet gebouwd")
    finally:
        import xr

        xr.destroy_instance(instance)
