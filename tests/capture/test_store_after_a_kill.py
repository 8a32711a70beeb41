"""A copy into the footage store killed half-way (kill -9 of 'capture add' or of the service
during an upload's processing) left a partial copy of unblurred footage in ``.incoming`` for ever;
the next start of the service removes it, and leaves a live copy alone (#14, 19)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from catalog import Catalog
from capture.store import FootageStore
from headset_service.server import service_in_thread
from support import ROOT, wait_for
from zorgblik.settings import Settings

COPY = """
import sys
from pathlib import Path
from capture.store import FootageStore
FootageStore(Path(sys.argv[1])).put(Path(sys.argv[2]), ".mp4")
"""


def test_a_killed_copy_leaves_no_partial_footage_after_the_next_start(tmp_path):
    settings = Settings.from_env({}, data_dir=tmp_path / "data", port=0)
    source = tmp_path / "camera.mp4"
    os.mkfifo(source)  # a source that stops half-way: the copy waits in the middle
    copy = subprocess.Popen([sys.executable, "-c", COPY, str(settings.store_dir), str(source)],
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    with open(source, "wb") as camera:
        camera.write(b"\0" * (3 << 20))
        camera.flush()
        incoming = settings.store_dir / ".incoming"
        wait_for(lambda: any(p.stat().st_size > 0 for p in incoming.glob("*.part")), "a partial copy on disk")
        [part] = incoming.glob("*.part")
        assert part.name.startswith(f"{copy.pid}-")
        live = FootageStore(settings.store_dir)
        assert live.clear_abandoned() == [] and part.exists(), "a copy still running is left alone"
        copy.send_signal(signal.SIGKILL)
        copy.wait()
    with Catalog(settings.catalog_url) as catalog, service_in_thread(settings, catalog):
        pass
    assert not part.exists(), "the killed copy's partial footage is gone after the service started"
