"""``zorgblik build``: VR scripts to scene bundles, with progress per scene."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import click

from render.events import BuildEvents
from render.executors import EXECUTORS, get_executor
from render.profiles import DEFAULT_PROFILES, PROFILES
from cli import cli
from zorgblik.bundle import REVIEW_SHEET
from zorgblik.settings import Settings


class SceneProgress:
    """Per-scene progress on stderr. On a terminal one status line is redrawn with every scene
    still in progress (scenes encode in parallel); each scene gets its own line when done. In a
    log (not a terminal) only the finished lines."""

    def __init__(self) -> None:
        self.active: dict[str, int] = {}
        self.done: set[str] = set()  # said to be done: a second 100% for it stays unsaid
        self.live = sys.stderr.isatty()

    def __call__(self, scene: str, fraction: float) -> None:
        pct = int(fraction * 100)
        if self.active.get(scene) == pct or (pct >= 100 and scene in self.done):
            return
        if pct >= 100:
            self.active.pop(scene, None)
            self.done.add(scene)
            line = f"  {scene:<32} {'#' * 20} 100%"
            click.echo(f"\r\033[K{line}" if self.live else line, err=True)
        else:
            self.active[scene] = pct
            self.done.discard(scene)
        if self.live and self.active:
            status = "  ".join(f"{s} {p:3d}%" for s, p in self.active.items())
            click.echo(f"\r\033[K  {status}", err=True, nl=False)


def _say_built(path: Path, scene) -> None:
    encoded = f", {scene.encoded} gecodeerd" if scene.encoded else ""
    click.echo(f"{path.stem}/{scene.scene_slug}: versie {scene.version} ({scene.status}{encoded}) → {scene.bundle_dir}")
    for note in scene.privacy_notes:
        click.echo(f"  privacy: {note}")
    if scene.needs_signoff and scene.status != "published":
        click.echo(f"  privacy: bekijk {scene.bundle_dir / REVIEW_SHEET} en teken af met "
                   f"'zorgblik privacy signoff {path.stem}/{scene.scene_slug} --by NAAM' voor publicatie")


_PROFILE_HELP = "; ".join(f"{p.name}: {p.description}" for p in PROFILES.values())


@cli.command("build")
@click.argument("scripts", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--profile", "profiles", type=click.Choice(sorted(PROFILES)), multiple=True,
              help=f"Headsetprofiel, herhaalbaar (--profile quest2 --profile quest3). Zonder deze optie: "
                   f"{' + '.join(DEFAULT_PROFILES)} (elk extra profiel is een volledige codering erbij). {_PROFILE_HELP}.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Scènes die tegelijk gecodeerd worden (standaard de instelling jobs: ZORGBLIK_JOBS).")
@click.option("--executor", type=click.Choice(sorted(EXECUTORS)), default="local", show_default=True,
              help="Waar gecodeerd wordt: local = een pool van processen op deze machine; dask = een Dask-cluster "
                   "(--scheduler, of zonder: een tijdelijk cluster van --jobs processen hier).")
@click.option("--scheduler", default=None, metavar="tcp://HOST:8786",
              help="Het Dask-cluster voor --executor dask (workers: zorgblik worker --scheduler ...).")
@click.option("--store", default=None, metavar="URL",
              help="Opslag (fsspec-URL: een map, file://..., s3://bucket/pad) waar de workers van --executor dask "
                   "de opnames lezen en hun resultaten schrijven: dan hoeven ze niets van deze schijf te bereiken "
                   "(standaard de instelling render_store: ZORGBLIK_RENDER_STORE).")
@click.option("--face-model", default=None, metavar="MODEL",
              help="Het gezichtsmodel van de privacyronde: centerface-int8 (standaard, ongeveer de helft van de "
                   "rekentijd) of centerface (het meegeleverde fp32-model) (standaard de instelling face_model: "
                   "ZORGBLIK_FACE_MODEL).")
@click.option("--publish", is_flag=True, help="Publiceer de gebouwde scènes meteen.")
@click.pass_obj
def build(settings: Settings, scripts: tuple[Path, ...], profiles: tuple[str, ...], jobs: int | None, executor: str,
          scheduler: str | None, store: str | None, face_model: str | None, publish: bool) -> None:
    """Bouw scènebundels uit VR-scripts (alleen wat veranderd is wordt opnieuw gecodeerd).

    Voortgang staat ook in <data>/builds/<id>.json, voor de service."""
    from catalog import Catalog  # the catalog and the build itself: only when a build runs, not for --help
    from render.build import build_script, check_face_model

    if face_model is not None:
        settings = replace(settings, face_model=face_model)
    check_face_model(settings.face_model)  # before a build is recorded
    if store is None and executor == "dask":  # the setting serves Dask builds; a local build ignores it
        store = settings.render_store or None
    runner = get_executor(executor, jobs=jobs or settings.jobs, scheduler=scheduler, chunk_s=settings.chunk_s,
                          store=store)
    events = BuildEvents(settings.builds_dir)
    click.echo(f"bouw {events.id} (voortgang: {events.path})", err=True)
    with events.running(), Catalog(settings.catalog_url) as catalog:
        for path in scripts:
            click.echo(f"{path}:", err=True)
            build_script(path, settings=settings, catalog=catalog, profiles=profiles or DEFAULT_PROFILES,
                         publish=publish, progress=SceneProgress(), executor=runner, events=events,
                         on_scene=lambda scene, path=path: _say_built(path, scene))
