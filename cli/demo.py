"""``zorgblik demo``: build the example scripts, serve them, show where to look."""

from __future__ import annotations

import time
from dataclasses import replace

import click

from catalog import Catalog
from cli import cli
from cli.build import SceneProgress
from headset_service.server import service_in_thread
from cli.demo_steps import build_demo, check_service, demo_scripts, prepare_access
from zorgblik.settings import Settings


@cli.command("demo")
@click.option("--check", is_flag=True, help="Stop na de controle in plaats van door te blijven draaien.")
@click.pass_obj
def demo(settings: Settings, check: bool) -> None:
    """Bouw de voorbeeldscripts uit demo/, publiceer ze en start de service."""
    started = time.monotonic()
    if not settings.scripts_dir:  # the authors' page shows the scripts the demo builds
        settings = replace(settings, scripts_dir=str(demo_scripts()[0].parent))
    with Catalog(settings.catalog_url) as catalog:
        build_demo(settings, catalog, progress=SceneProgress(), say=lambda s: click.echo(s, err=True))
        access = prepare_access(catalog)
        with service_in_thread(settings, catalog) as service:
            scenes = check_service(service.base_url, access)
            click.echo(f"\nDe service antwoordt op {service.base_url} met {len(scenes)} gepubliceerde scènes "
                       f"(klaar in {time.monotonic() - started:.0f} s):")
            width = max(len(f"{s['script']}/{s['scene']}") for s in scenes)
            for s in scenes:
                name = f"{s['script']}/{s['scene']}"
                kind = "video" if s["media_kind"] == "video" else "foto"
                click.echo(f"  {name:<{width}}  {s['title']['nl']:<36} {kind}, {s['stereo']}")
            click.echo(f"\nVoor medewerkers:  {service.base_url}/  (inloggen als {access.username}, "
                       f"wachtwoord {access.password})")
            click.echo(f"Speler (2D):       {service.base_url}{scenes[0]['player_url']}")
            click.echo(f"API-beschrijving:  {service.base_url}/docs")
            click.echo(f"Headset koppelen:  open {service.base_url}/headset in de browser van de headset en voer code "
                       f"{access.pairing_code} in (15 minuten geldig); de headset krijgt de afspeellijst Demo intake")
            if check:
                return
            click.echo("\nDe service blijft draaien; stoppen met Ctrl-C.")
            try:
                while service.thread.is_alive():
                    service.thread.join(timeout=0.5)
            except KeyboardInterrupt:
                click.echo("\nGestopt.")
