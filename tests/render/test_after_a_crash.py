"""What a killed build leaves behind (half bundles, progress files stuck 'running') is cleared at the next start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from catalog import Catalog
from headset_service.server import service_in_thread
from render.events import ABANDONED, BuildEvents, clear_abandoned_builds
from support import wait_for
from zorgblik.settings import Settings


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def left_by_a_kill(settings: Settings) -> dict[str, Path]:
    """The files a build killed with kill -9 leaves: a half bundle and progress files still 'running'."""
    half = settings.bundles_dir / ".building-x"
    (half / "video").mkdir(parents=True)
    (half / "video" / "quest2.mp4").write_bytes(b"half")
    old = time.time() - 60
    os.utime(half, (old, old))
    settings.builds_dir.mkdir(parents=True)
    files = {"half": half}
    for name, owner in (("dead", {"pid": dead_pid()}), ("old", {})):  # 'old': written before pids were kept
        state = {"id": name, "state": "running", "started": "2025-01-01T12:00:00Z", "updated": "2025-01-01T12:00:00Z",
                 "error": None, "scenes": {"s/a": {"fraction": 0.4, "state": "building"}}, **owner}
        files[name] = settings.builds_dir / f"{name}.json"
        files[name].write_text(json.dumps(state))
    files["live"] = BuildEvents(settings.builds_dir, build_id="live").path  # this process: still building
    return files


def test_start_up_clears_what_a_killed_build_left(tmp_path):
    settings = Settings.from_env({}, data_dir=tmp_path, port=0)
    files = left_by_a_kill(settings)
    with Catalog(settings.catalog_url) as catalog, service_in_thread(settings, catalog):
        pass
    assert not files["half"].exists()
    for name in ("dead", "old"):
        state = json.loads(files[name].read_text())
        assert state["state"] == "failed" and state["error"] == ABANDONED == "afgebroken (de dienst of het proces stopte)"
    assert json.loads(files["live"].read_text())["state"] == "running"


def test_a_building_folder_of_a_live_build_is_kept(tmp_path):
    settings = Settings.from_env({}, data_dir=tmp_path)
    fresh = settings.bundles_dir / ".building-y"
    fresh.mkdir(parents=True)  # made after the start: a build that began just now
    clear_abandoned_builds(settings.bundles_dir, settings.builds_dir, started=time.time() - 60)
    assert fresh.exists()


def test_a_half_bundle_of_a_dead_but_unreaped_process_is_cleared(tmp_path):
    """A killed worker whose parent died too waits for init to reap it; in a container without an
    init, for ever. Dead is dead: its half bundle goes."""
    settings = Settings.from_env({}, data_dir=tmp_path)
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        wait_for(lambda: Path(f"/proc/{zombie.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z",
                 "the child to end (not reaped: a zombie)")
        half = settings.bundles_dir / f".building-{zombie.pid}-x"
        half.mkdir(parents=True)
        clear_abandoned_builds(settings.bundles_dir, settings.builds_dir, started=time.time() + 1)
        assert not half.exists()
    finally:
        zombie.wait()
