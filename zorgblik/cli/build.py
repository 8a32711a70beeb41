"""``zorgblik build``: VR scripts to scene bundles, with progress per scene."""

from __future__ import annotations

from pathlib import Path

import click

from catalog import Catalog
from render import PROFILES, build_script
from zorgblik.cli import cli
from zorgblik.settings import Settings


class SceneProgress:
    """One line per scene on stderr, redrawn as ffmpeg reports progress on a terminal; in a log
    (not a terminal) only the finished line."""

    def __init__(self) -> None:
        self.last: tuple[str, int] | None = None
        self.live = click.get_text_stream("stderr").isatty()

    def __call__(self, scene: str, fraction: float) -> None:
        pct = int(fraction * 100)
        if self.last == (scene, pct) or (not self.live and pct < 100):
            return
        line = f"  {scene:<32} {'#' * (pct // 5):<20} {pct:3d}%"
        click.echo(f"\r{line}" if self.live else line, err=True, nl=pct >= 100)
        self.last = (scene, pct)


@cli.command("build")
@click.argument("scripts", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--profile", type=click.Choice(sorted(PROFILES)), default="quest2", show_default=True,
              help="Headsetprofiel waarvoor gecodeerd wordt.")
@click.option("--publish", is_flag=True, help="Publiceer de gebouwde scènes meteen.")
@click.pass_obj
def build(settings: Settings, scripts: tuple[Path, ...], profile: str, publish: bool) -> None:
    """Bouw scènebundels uit VR-scripts (alleen wat veranderd is wordt opnieuw gecodeerd)."""
    with Catalog(settings.catalog_url) as catalog:
        for path in scripts:
            click.echo(f"{path}:", err=True)
            built = build_script(path, settings=settings, catalog=catalog, profile=profile, publish=publish,
                                 progress=SceneProgress())
            for scene in built:
                click.echo(f"{path.stem}/{scene.scene_key}: versie {scene.version} ({scene.status}) → {scene.bundle_dir}")
