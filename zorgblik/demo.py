"""The demo: the two example scripts in demo/scripts, built from the real footage in
demo/footage, published, served, and checked over HTTP like a headset would."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from catalog import Catalog
from render import build_script
from render.stages import Progress
from zorgblik.errors import ZorgblikError
from zorgblik.settings import Settings

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"


class DemoError(ZorgblikError):
    """The demo could not run."""


def demo_scripts() -> list[Path]:
    scripts = sorted((DEMO_DIR / "scripts").glob("*.yaml"))
    if not scripts:
        raise DemoError(f"geen demoscripts in {DEMO_DIR / 'scripts'}", hint="draai de demo vanuit een volledige checkout")
    return scripts


def build_demo(settings: Settings, catalog: Catalog, progress: Progress | None = None,
               say: Callable[[str], None] = print) -> None:
    for script in demo_scripts():
        say(f"Bouwen: {script.name}")
        build_script(script, settings=settings, catalog=catalog, profile="quest2", publish=True, progress=progress)


def check_service(base_url: str) -> list[dict]:
    """Ask the running service what a headset would ask: the scenes, and a byte range of one."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        client.get("/api/health").raise_for_status()
        scenes = client.get("/api/scenes").raise_for_status().json()
        if not scenes:
            raise DemoError("de service geeft geen gepubliceerde scènes")
        manifest = client.get(scenes[0]["manifest_url"]).raise_for_status().json()
        media = next(f for f in manifest["files"] if f["role"] == "media")
        part = client.get(f"/bundles/{scenes[0]['bundle_key']}/{media['name']}", headers={"Range": "bytes=0-1023"})
        if part.status_code != 206 or len(part.content) != 1024:
            raise DemoError(f"bundelbestand niet in delen op te halen (HTTP {part.status_code})")
        client.get("/").raise_for_status()
    return scenes
