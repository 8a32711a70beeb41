"""``zorgblik capture``: take footage in, list it, show one item, record and withdraw consent."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from pathlib import Path

import click

from capture import FootageStore, add_dual_fisheye, add_footage
from capture.consent import consent_state, record_consent
from capture.level_estimate import describe as describe_level
from catalog import Catalog, queries
from cli import cli
from zorgblik.settings import Settings
from zorgblik.terms import CONSENT_STATES, CONSENT_STATUSES, CUBEMAP_LAYOUTS, FILMED_ROLES

#: Files smaller than this are copied in a blink: no progress bar.
PROGRESS_FROM_BYTES = 64 * 1024 * 1024


@cli.group()
def capture() -> None:
    """360°-opnames toevoegen en bekijken, en toestemming van gefilmde personen vastleggen."""


def _progress_bar(path: Path, size: int):
    """A progress bar on a terminal for large files; nothing at all in logs and pipes."""
    err = sys.stderr
    if size < PROGRESS_FROM_BYTES or not err.isatty():
        return nullcontext(None)
    return click.progressbar(length=size, label=path.name, file=err)


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
            with _progress_bar(path, path.stat().st_size) as bar:
                done = [0]

                def progress(n: int) -> None:
                    bar.update(n - done[0])
                    done[0] = n

                result = add_footage(path, catalog=catalog, store=store, category=category, location=location,
                                     team=team, progress=progress if bar is not None else None,
                                     max_bytes=settings.max_footage_bytes)
            f = result.footage
            state = "toegevoegd" if result.created else "was er al"
            click.echo(f"footage:{f.id} {state}: {path.name} — {f.media_kind}, {f.width}×{f.height}, "
                       f"{f.projection} {f.stereo} ({f.confidence:.0%} zeker)")
            if result.converted_from is not None:
                click.echo(f"  omgezet: {CUBEMAP_LAYOUTS[result.converted_from.layout]} → equirectangular; "
                           "het origineel is bewaard")
            if result.classification.needs_stitching:
                click.echo("  let op: dual-fisheye; stitch het met de lenskalibratie: "
                           f"zorgblik capture stitch {path.name} --lens-front VOOR.yaml --lens-back ACHTER.yaml")


@capture.command("stitch")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--lens-front", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Kalibratie van de voorste lens (Mei-model, YAML).")
@click.option("--lens-back", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Kalibratie van de achterste lens (Mei-model, YAML).")
@click.option("--width", "out_width", type=int, help="Breedte van het gestitchte beeld (standaard: zo scherp als de bron).")
@click.option("--category", help="Zorgcategorie, bijv. ouderenzorg.")
@click.option("--location", help="Locatie waar gefilmd is.")
@click.option("--team", help="Team of afdeling.")
@click.pass_obj
def capture_stitch(settings: Settings, paths: tuple[Path, ...], lens_front: Path, lens_back: Path,
                   out_width: int | None, category: str | None, location: str | None, team: str | None) -> None:
    """Stitch een dual-fisheye-opname (één bestand met beide cirkels, of het voorste en achterste
    lensbeeld) tot een 360°-beeld en voeg dat toe; de originelen blijven bewaard."""
    with Catalog(settings.catalog_url) as catalog:
        result = add_dual_fisheye(list(paths), front_lens=lens_front, back_lens=lens_back, catalog=catalog,
                                  store=FootageStore(settings.store_dir), out_width=out_width, category=category,
                                  location=location, team=team, preset=settings.encoder_preset)
    f = result.footage
    state = "toegevoegd" if result.created else "was er al"
    click.echo(f"footage:{f.id} {state}: {f.original_name} — {f.media_kind}, {f.width}×{f.height}, {f.projection}")
    for reason in f.reasons[-2:]:
        click.echo(f"  {reason}")


@capture.command("list")
@click.pass_obj
def capture_list(settings: Settings) -> None:
    """Alle opnames in de catalogus (zonder namen van gefilmde personen)."""
    with Catalog(settings.catalog_url) as catalog, catalog.session() as db:
        rows = queries.list_footage(db)
        if not rows:
            click.echo("Nog geen opnames. Voeg er een toe met: zorgblik capture add BESTAND")
        for f in rows:
            length = f"{f.duration_s:.1f} s" if f.duration_s else "foto"
            click.echo(f"footage:{f.id:<4} {f.original_name:<40} {f.width}×{f.height:<6} {length:<8} "
                       f"{f.projection} {f.stereo}  toestemming: {consent_state(f)}")


@capture.command("show")
@click.argument("footage_id", type=int)
@click.pass_obj
def capture_show(settings: Settings, footage_id: int) -> None:
    """Alles over één opname: probe, projectie, zekerheid, redenen, stand en toestemming."""
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
        if (level := describe_level(f.level_estimate)) is not None:
            click.echo(f"  waterpas    {level}")
        click.echo(f"  toestemming {consent_state(f)}: {CONSENT_STATES[consent_state(f)]}")
        for c in f.consents:
            line = f"    - {c.person} ({FILMED_ROLES[c.role]}): {CONSENT_STATUSES[c.status]}"
            if c.withdrawn_at:
                line += f" op {c.withdrawn_at:%Y-%m-%d}"
            if c.form_ref:
                line += f", formulier {c.form_ref}"
            click.echo(line)


@capture.command("consent")
@click.argument("footage_id", type=int)
@click.option("--person", required=True, help="Referentie van de gefilmde persoon (zoals in het toestemmingsregister).")
@click.option("--role", required=True, help="Rol in beeld: " + ", ".join(FILMED_ROLES) + ".")
@click.option("--status", required=True, help="Toestemming: given, refused of unknown (intrekken: capture withdraw).")
@click.option("--form", "form_ref", help="Referentie van het getekende toestemmingsformulier.")
@click.pass_obj
def capture_consent(settings: Settings, footage_id: int, person: str, role: str, status: str, form_ref: str | None) -> None:
    """Leg vast wie herkenbaar in beeld is en of die toestemming gaf."""
    with Catalog(settings.catalog_url) as catalog, catalog.session() as db:
        record_consent(db, footage_id, person=person, role=role, status=status, form_ref=form_ref)
        state = consent_state(queries.get_footage(db, footage_id))
    click.echo(f"footage:{footage_id}: toestemming vastgelegd ({FILMED_ROLES[role]}, {CONSENT_STATUSES[status]}); "
               f"stand nu: {CONSENT_STATES[state]}")


@capture.command("withdraw")
@click.argument("footage_id", type=int)
@click.option("--person", required=True, help="Referentie van de persoon die de toestemming intrekt.")
@click.pass_obj
def capture_withdraw(settings: Settings, footage_id: int, person: str) -> None:
    """Trek de toestemming van een persoon in voor een opname: elke scèneversie met die opname
    wordt teruggetrokken (headsets wissen ze bij de volgende synchronisatie) en opnieuw, vervaagd,
    als concept gebouwd; publiceren vraagt daarna eerst een privacy-aftekening."""
    from render.withdrawal import withdraw_consent

    with Catalog(settings.catalog_url) as catalog:
        done = withdraw_consent(person, footage_id=footage_id, settings=settings, catalog=catalog)
    ids = ", ".join(f"footage:{i}" for i in done.footage_ids)
    click.echo(f"toestemming ingetrokken voor {ids}")
    if not done.withdrawn:
        click.echo("  geen scèneversies gemaakt van deze opname")
    for version in done.withdrawn:
        click.echo(f"  teruggetrokken: {version}")
    for script, scene in done.rebuilt:
        click.echo(f"  opnieuw gebouwd: {script}/{scene.scene_slug} versie {scene.version} ({scene.status}); "
                   f"teken af na het reviewblad: zorgblik privacy signoff {script}/{scene.scene_slug} --by NAAM")
