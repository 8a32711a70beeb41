"""Progress events the service can show: one small JSON file per build.

``<data>/builds/<build id>.json`` is rewritten atomically (write, then rename) as the build
goes, at most a few times a second, so a reader never sees half a file::

    {"id": "20250101-120000-ab12cd", "state": "running" | "done" | "failed",
     "started": "…Z", "updated": "…Z", "error": null | "one line",
     "scenes": {"script/scene": {"fraction": 0.4, "state": "encoding" | "done",
                                 "bundle_key": null | "…", "encoded": 0}}}

The service lists the folder and reads the newest files (headset_service.builds).
Each file also names the process writing it (``pid``, ``pid_started``), so that the next start
(:func:`clear_abandoned_builds`) can tell a build killed with kill -9 from one still running.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from zorgblik.errors import ZorgblikError
from zorgblik.private import private_dir
from zorgblik.processes import process_alive, process_started

WRITE_EVERY_S = 0.25
ABANDONED = "afgebroken (de dienst of het proces stopte)"
BUILDING_PREFIX = ".building-"


def building_prefix() -> str:
    """The name start of a bundle being built by this process: ``.building-<pid>-``."""
    return f"{BUILDING_PREFIX}{os.getpid()}-"


def clear_abandoned_builds(bundles_dir: Path, builds_dir: Path, started: float) -> tuple[list[Path], list[Path]]:
    """Remove half bundles and fail progress files that a killed build left; what was removed and failed.

    A ``.building-*`` folder goes when it is older than ``started`` (this start) and no live
    process is building it; a ``running`` progress file fails with :data:`ABANDONED` when the
    process that wrote it is gone, so the page no longer says "bezig" for ever.
    """
    removed = []
    for folder in sorted(Path(bundles_dir).glob(BUILDING_PREFIX + "*")):
        pid = folder.name[len(BUILDING_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and process_alive(int(pid)):
            continue
        try:
            if folder.stat().st_mtime < started:
                shutil.rmtree(folder)
                removed.append(folder)
        except OSError:
            continue
    failed = []
    for path in sorted(Path(builds_dir).glob("*.json")):
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if state.get("state") != "running":
            continue
        pid = state.get("pid")
        if isinstance(pid, int) and process_alive(pid, state.get("pid_started")):
            continue
        state.update(state="failed", error=ABANDONED, updated=_now())
        _write_atomic(path, state)
        failed.append(path)
    return removed, failed


def _write_atomic(path: Path, state: dict) -> None:
    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(state, f, ensure_ascii=False)
    os.replace(tmp, path)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class BuildEvents:
    def __init__(self, builds_dir: Path, build_id: str | None = None) -> None:
        self.id = build_id or time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)
        self.path = Path(builds_dir) / f"{self.id}.json"
        self.state = {"id": self.id, "state": "running", "started": _now(), "updated": _now(), "error": None, "scenes": {},
                      "pid": os.getpid(), "pid_started": process_started(os.getpid())}
        self._lock = threading.Lock()
        self._written = 0.0
        self._write(force=True)

    def scene(self, key: str, fraction: float | None = None, **info: object) -> None:
        """Update one scene (``script/scene``); ``fraction`` alone is throttled, a state change is not."""
        with self._lock:
            entry = self.state["scenes"].setdefault(key, {"fraction": 0.0, "state": "waiting", "bundle_key": None, "encoded": 0})
            if fraction is not None:
                entry["fraction"] = round(fraction, 3)
                if entry["state"] == "waiting":
                    entry["state"] = "building"
            entry.update(info)
            self._write(force=bool(info) or fraction == 1.0)

    @contextmanager
    def running(self) -> Iterator[None]:
        """Finish the file however the block ends: done, or failed with the error's one line."""
        try:
            yield
        except ZorgblikError as error:
            self.finish(error=error.one_line())
            raise
        except Exception as error:
            self.finish(error=f"onverwachte fout: {error}")
            raise
        self.finish()

    def finish(self, error: str | None = None) -> None:
        with self._lock:
            self.state["state"] = "failed" if error else "done"
            self.state["error"] = error
            self._write(force=True)

    def _write(self, force: bool) -> None:
        now = time.monotonic()
        if not force and now - self._written < WRITE_EVERY_S:
            return
        self._written = now
        self.state["updated"] = _now()
        _write_atomic(self.path, self.state)
