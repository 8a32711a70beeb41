"""Progress events the service can show: one small JSON file per build.

``<data>/builds/<build id>.json`` is rewritten atomically (write, then rename) as the build
goes, at most a few times a second, so a reader never sees half a file::

    {"id": "20250101-120000-ab12cd", "state": "running" | "done" | "failed",
     "started": "…Z", "updated": "…Z", "error": null | "one line",
     "scenes": {"script/scene": {"fraction": 0.4, "state": "encoding" | "done",
                                 "bundle_key": null | "…", "encoded": 0}}}

The service lists the folder and reads the newest files (headset_service.web.scripts).
"""

from __future__ import annotations

import json
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from zorgblik.errors import ZorgblikError
from zorgblik.private import private_dir

WRITE_EVERY_S = 0.25


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class BuildEvents:
    def __init__(self, builds_dir: Path, build_id: str | None = None) -> None:
        self.id = build_id or time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)
        self.path = Path(builds_dir) / f"{self.id}.json"
        self.state = {"id": self.id, "state": "running", "started": _now(), "updated": _now(), "error": None, "scenes": {}}
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
        private_dir(self.path.parent)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self.state, f, ensure_ascii=False)
        os.replace(tmp, self.path)
