"""Build jobs of the service: a build of one script runs in a thread of the service (render does
the heavy work in its own executor); its progress is the JSON file :class:`render.BuildEvents`
rewrites under ``<data>/builds``, which the build page reads. The build id starts with the
script's name, so the script page finds its recent builds by listing that folder."""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
from pathlib import Path

from catalog import Catalog
from render import BuildEvents, build_script
from zorgblik.errors import ZorgblikError
from zorgblik.settings import Settings

log = logging.getLogger(__name__)

BUILD_ID = re.compile(r"^[A-Za-z0-9_.-]+-\d{8}-\d{6}-[0-9a-f]{6}$")


def new_build_id(name: str) -> str:
    return f"{name}-{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(3)}"


def run_build(path: Path, settings: Settings, catalog: Catalog, events: BuildEvents) -> None:
    """The build thread: build every scene (unpublished), and always leave the progress file finished."""
    try:
        with events.running():
            build_script(path, settings=settings, catalog=catalog, events=events, publish=False)
    except ZorgblikError:
        pass  # the progress file says what went wrong, in one line
    except Exception:  # noqa: BLE001 - a bug: the file says the build stopped; the log has the rest
        log.warning("build %s stopped", events.id, exc_info=True)


def start_build(path: Path, settings: Settings, catalog: Catalog) -> str:
    events = BuildEvents(settings.builds_dir, build_id=new_build_id(path.stem))
    threading.Thread(target=run_build, args=(path, settings, catalog, events), name=f"build-{events.id}",
                     daemon=True).start()
    return events.id


def read_build(settings: Settings, build_id: str) -> dict | None:
    if not BUILD_ID.match(build_id):
        return None
    try:
        return json.loads((settings.builds_dir / f"{build_id}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def recent_builds(settings: Settings, name: str, limit: int = 5) -> list[dict]:
    folder = settings.builds_dir
    if not folder.is_dir():
        return []
    ids = sorted((p.stem for p in folder.glob(f"{name}-*.json") if p.stem[len(name) + 1:][:1].isdigit()), reverse=True)
    return [b for b in (read_build(settings, i) for i in ids[:limit]) if b]
