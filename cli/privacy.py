"""``zorgblik privacy``: blur faces in one 360° photo or clip, make the review sheet, and sign a
built scene's review sheet off so it may be published."""

from __future__ import annotations

from pathlib import Path

import click

from catalog import Catalog, signoffs
from render.privacy import blur_image, blur_video, is_photo, write_review_sheet
from cli import cli
from cli.build import SceneProgress
from zorgblik.bundle import REVIEW_SHEET
from zorgblik.settings import Settings


def _blur(src: Path, dst: Path | None):
    if is_photo(src):
        return blur_image(src, dst)
    show = SceneProgress()  # the build's progress lines, for one clip
    return blur_video(src, dst, progress=lambda fraction: show(src.name, fraction))


def _describe(report) -> str:
    return (f"{report.count('face')} gezicht(en) vervaagd, {report.count('kept')} onvervaagd, "
            f"{report.count('region')} handmatige vlakken")


@cli.group("privacy")
def privacy() -> None:
    """Gezichten onherkenbaar maken in 360°-beeld, met een reviewblad om af te tekenen."""


@privacy.command("blur")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Uitvoerbestand (foto: .jpg/.png, clip: .mp4).")
@click.option("--review-sheet", "sheet", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Schrijf ook het reviewblad (PNG).")
def blur_cmd(file: Path, out: Path, sheet: Path | None) -> None:
    """Vervaag elk gezicht in een equirectangulaire 360°-foto of -clip."""
    report = _blur(file, out)
    if sheet is not None:
        write_review_sheet(report, sheet)
    click.echo(f"{file} → {out}: {_describe(report)}" + (f"; reviewblad {sheet}" if sheet else ""))


@privacy.command("sheet")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Het reviewblad (PNG).")
def sheet_cmd(file: Path, out: Path) -> None:
    """Maak het reviewblad van een 360°-foto of -clip: elk vervaagd vlak, met tijd en richting."""
    report = _blur(file, None)
    write_review_sheet(report, out)
    click.echo(f"{file}: {_describe(report)}; reviewblad {out}")


@privacy.command("signoff")
@click.argument("scene_ref", metavar="SCRIPT/SCENE")
@click.option("--by", "by", required=True, help="Wie het reviewblad bekeek (naam).")
@click.pass_obj
def signoff_cmd(settings: Settings, scene_ref: str, by: str) -> None:
    """Teken de privacycontrole van de nieuwste versie van een scène af, na het reviewblad
    (review.png in de bundelmap) bekeken te hebben; daarna kan die versie gepubliceerd worden."""
    with Catalog(settings.catalog_url) as catalog, catalog.session() as db:
        version = signoffs.latest_version(db, scene_ref)
        done = signoffs.sign_off(db, version, by=by)
        line = (f"{signoffs.scene_ref(version)}: privacycontrole afgetekend door {done.signed_by} "
                f"op {done.signed_at:%Y-%m-%d %H:%M}" + (f" ({'; '.join(done.reasons)})" if done.reasons else ""))
        sheet = settings.bundles_dir / version.bundle_key / REVIEW_SHEET
    click.echo(line)
    click.echo(f"  reviewblad: {sheet}")
