"""``zorgblik station``: a PC with a tethered headset as a zorgblik headset."""

from __future__ import annotations

from pathlib import Path

import click

from cli import cli
from zorgblik.settings import Settings


@cli.command("station")
@click.option("--server", required=True, help="Adres van de headsetservice, bijv. http://192.168.1.10:8360")
@click.option("--pair", "code", default=None, help="Koppelcode van de begeleider (alleen de eerste keer)")
@click.option("--folder", type=click.Path(file_okay=False), default=None,
              help="Map voor token en scènes. Standaard: <data>/station")
@click.pass_obj
def station(settings: Settings, server: str, code: str | None, folder: str | None) -> None:
    """Speel scènes af op een headset aan deze pc (OpenXR: SteamVR, Meta Quest Link of Monado)."""
    from headset_service.station.xr import open_instance

    instance = open_instance()  # first: without a runtime, a pairing code is not used up
    try:
        play(instance, server, Path(folder) if folder else settings.data_dir / "station", code)
    finally:
        import xr

        xr.destroy_instance(instance)


def play(instance, server: str, folder: Path, code: str | None) -> None:
    """Pair (once), sync, then show the sessions staff start until the headset's runtime ends
    ours or Ctrl-C; commands and events travel on a background thread."""
    import queue
    import threading

    from headset_service.station import EventLog, Session, SyncClient
    from headset_service.station.sync import CommandFeed, kept_manifest
    from headset_service.station.xr import run
    from scripts_vr.profile_view import panel_lines

    with SyncClient(server, folder) as client:
        if code:
            click.echo(f"gekoppeld als {client.pair(code)['name']}", err=True)
        result = client.sync()
        click.echo(f"{len(result.held)} scène(s) op schijf{' (offline)' if result.offline else ''}", err=True)
        log = EventLog(client.folder / "events.jsonl", http=client.http)
        session = Session(log, manifest=lambda: kept_manifest(client.folder),
                          on_panel=lambda panel: click.echo("\n".join(panel_lines(panel)) + "\n(Verder: volgende scène)",
                                                            err=True))
        inbox: queue.Queue = queue.Queue()

        def status() -> dict:
            log.flush()  # events leave with each round of the command channel
            return {"state": session.state, "session_id": session.id, "bundle_key": session.scene}

        feed = CommandFeed(client, inbox.put, status)
        stop = threading.Event()
        feed.start()
        click.echo("klaar: wacht op de begeleider (Ctrl-C stopt)", err=True)
        try:
            run(instance, session, inbox, client.bundle_dir, stop)
        except KeyboardInterrupt:
            stop.set()
        finally:
            feed.stop()
            session.finish("station afgesloten")
            log.flush()
