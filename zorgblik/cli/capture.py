"""``zorgblik capture``: take footage in, list it, show one item."""

from __future__ import annotations

from pathlib import Path

import click

from capture import FootageStore, add_footage
from catalog import Catalog, queries
from zorgblik.cli import cli
from zorgblik.settings import Settings


@cli.group()
def capture() -> None:
    """360°-opnames toevoegen en bekijken."""


@capture.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--category", help="Zorgcategorie, bijv. ouderenzorg.")
@click.option("--location", help="Locatie waar gefilmd is.")
@click.option("--team", help="Team of afdeling.")
@click.pass_obj
def capture_add(settings: Settings, paths: tuple[Path, ...], category: str | None, location: str | None, team: str | None) -> None:
    """Voeg opnames toe aan de opslag (dezelfde opname twee keer toevoegen doet niets)."""
    store = FootageStore(settings.store_dir)
    with Catalog(settings.catalog_url) as catalog:
        for path in paths:
            size = path.stat().st_size
            with click.progressbar(length=size, label=path.name, file=click.get_text_stream("stderr")) as bar:
                done = [0]

                def progress(n: int) -> None:
                    bar.update(n - done[0])
                    done[0] = n

                result = add_footage(path, catalog=catalog, store=store, category=category, location=location,
                                     team=team, progress=progress)
            f = result.footage
            state = "toegevoegd" if result.created else "was er al"
            click.echo(f"footage:{f.id} {state}: {path.name} — {f.media_kind}, {f.width}×{f.height}, "
                       f"{f.projection} {f.stereo} ({f.confidence:.0%} zeker)")


@capture.command("list")
@click.pass_obj
def capture_list(settings: Settings) -> None:
    """Alle opnames in de catalogus."""
    with Catalog(settings.catalog_url) as catalog, catalog.session() as db:
        rows = queries.list_footage(db)
        if not rows:
            click.echo("Nog geen opnames. Voeg er een toe met: zorgblik capture add BESTAND")
        for f in rows:
            length = f"{f.duration_s:.1f} s" if f.duration_s else "foto"
            click.echo(f"footage:{f.id:<4} {f.original_name:<40} {f.width}×{f.height:<6} {length:<8} {f.projection} {f.stereo}")


@capture.command("show")
@click.argument("footage_id", type=int)
@click.pass_obj
def capture_show(settings: Settings, footage_id: int) -> None:
    """Alles over één opname: probe, projectie, zekerheid en redenen."""
    with Catalog(settings.catalog_url) as catalog, catalog.session() as db:
        f = queries.get_footage(db, footage_id)
        click.echo(f"footage:{f.id}  {f.original_name}")
        click.echo(f"  sha256      {f.sha256}")
        click.echo(f"  soort       {f.media_kind}, {f.codec}, {f.width}×{f.height}"
                   + (f", {f.fps:.2f} fps, {f.duration_s:.2f} s" if f.duration_s else "")
                   + (", met geluid" if f.has_audio else ""))
        click.echo(f"  projectie   {f.projection}, {f.stereo} ({f.confidence:.0%} zeker)")
        for reason in f.reasons:
            click.echo(f"    - {reason}")
        click.echo(f"  stand       yaw {f.pose_yaw:+.1f}°, pitch {f.pose_pitch:+.1f}°, roll {f.pose_roll:+.1f}°")
