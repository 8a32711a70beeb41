"""``zorgblik script``: new, lint, freshness and approve for VR scripts. Parses, then calls :mod:`scripts_vr`."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime
from pathlib import Path

import click

import scripts_vr
from cli import cli
from zorgblik.settings import Settings
from zorgblik.terms import APPROVAL_SIDES


@cli.group("script")
def script() -> None:
    """VR-scripts: een nieuw script maken, controleren en nagaan wat verouderd is."""


@script.command("new")
@click.option("--category", required=True, type=click.Choice((*scripts_vr.TEMPLATE_CATEGORIES, "custom")),
              help="Zorgcategorie van het sjabloon; custom voor een eigen categorie (met --name).")
@click.option("--name", help="Naam van de eigen zorgcategorie, alleen bij --category custom (bijv. 'Revalidatie').")
@click.option("--organisation", help="Naam van de organisatie (anders een verzonnen voorbeeld).")
@click.option("--team", help="Naam van het team (anders een verzonnen voorbeeld).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Schrijf naar dit bestand in plaats van stdout.")
@click.option("--force", is_flag=True, help="Overschrijf een bestaand bestand.")
def new_cmd(category: str, name: str | None, organisation: str | None, team: str | None, output: str | None,
            force: bool) -> None:
    """Een ingevuld voorbeeldscript voor een zorgcategorie, om zelf aan te passen."""
    try:
        text = scripts_vr.new_script(category, organisation=organisation, team=team, name=name)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    if output is None:
        click.echo(text, nl=False)
        return
    scripts_vr.write_script(text, output, force=force)
    click.echo(f"{output}: geschreven; controleer het met 'zorgblik script lint {output}'", err=True)


@script.command("lint")
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.pass_obj
def lint_cmd(settings: Settings, files: tuple[str, ...]) -> int:
    """Controleer VR-scripts: elke fout op een eigen regel als bestand:regel:kolom: veld: wat er mis is.

    Met een datamap (--data) worden ook de opnames gecontroleerd: staan ze in de catalogus, liggen in
    en out binnen de opname, en heeft een foto geen tijden. Exitcode 0: alles in orde; 1: fouten
    gevonden; 2: een bestand is niet te lezen.
    """
    with ExitStack() as stack:
        footage = None
        if has_catalog(settings):
            from catalog import Catalog
            from render.build import footage_lookup

            footage = footage_lookup(stack.enter_context(Catalog(settings.catalog_url)))
        results = scripts_vr.lint_files(files, max_bytes=settings.max_script_bytes, footage=footage)
    for result in results:
        for line in result.lines():
            click.echo(line)
    return scripts_vr.exit_code(results)


def has_catalog(settings: Settings) -> bool:
    """Whether there is a catalog to check footage against: a database URL, or the data folder's
    database file (linting never makes one)."""
    return bool(settings.database_url) or Path(settings.data_dir, "zorgblik.db").is_file()


@script.command("freshness")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--days", type=click.IntRange(min=0), default=None,
              help="Wat binnen zoveel dagen nagekeken moet worden telt als 'binnenkort' (standaard: ZORGBLIK_FRESHNESS_DAYS).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Reken vanaf deze datum (JJJJ-MM-DD) in plaats van vandaag.")
@click.pass_obj
def freshness_cmd(settings: Settings, paths: tuple[str, ...], days: int | None, today: datetime | None) -> None:
    """Wisselende feiten die verlopen zijn of binnenkort nagekeken moeten worden, per eigenaar."""
    report = scripts_vr.freshness(
        paths,
        today=today.date() if today else None,
        days=settings.freshness_days if days is None else days,
        max_bytes=settings.max_script_bytes,
    )
    for line in report.lines():
        click.echo(line)


@script.command("approve")
@click.argument("name")
@click.option("--side", required=True, type=click.Choice(list(APPROVAL_SIDES)),
              help="Namens wie: opleiding (school) of praktijk (zorgorganisatie).")
@click.option("--by", "by", required=True, help="Wie goedkeurt (naam).")
@click.option("--role", required=True, help="De rol van wie goedkeurt, bijv. 'docent zorg' of 'praktijkopleider'.")
@click.pass_obj
def approve_cmd(settings: Settings, name: str, side: str, by: str, role: str) -> None:
    """Keur het profiel van een script goed namens de opleiding of de praktijk. NAME is de
    bestandsnaam zonder .yaml in de scriptmap, of een pad naar het bestand. Publiceren kan als
    beide kanten het profiel zoals het nu is hebben goedgekeurd."""
    from catalog import Catalog, approvals
    from scripts_vr.digest import profile_sha256_of_text

    from scripts_vr.loader import read_text

    path = Path(name) if name.endswith((".yaml", ".yml")) else settings.scripts_path / f"{name}.yaml"
    text = read_text(path, max_bytes=settings.max_script_bytes)  # a FIFO is refused, not waited on
    profile = profile_sha256_of_text(text, file=str(path))
    with Catalog(settings.catalog_url) as catalog, catalog.session() as db:
        approvals.profile_seen(db, path.stem, profile, reason="het profiel in het scriptbestand is gewijzigd")
        done = approvals.approve(db, path.stem, side=side, by=by, role=role, profile_sha256=profile)
        missing = approvals.missing_sides(db, path.stem, profile)
        line = (f"{path.stem}: profiel goedgekeurd namens de {APPROVAL_SIDES[side]} door {done.approved_by} "
                f"({done.role}) op {done.approved_at:%Y-%m-%d}")
    click.echo(line)
    click.echo("  beide kanten hebben goedgekeurd: publiceren kan" if not missing else
               f"  wacht nog op: {', '.join(APPROVAL_SIDES[s] for s in missing)}")
