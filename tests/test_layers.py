"""The layers of the house hold: imports run from the command down to the shared bottom, never
back up (import-linter's layers contract in pyproject.toml), and render takes from capture only
its store, consent records and ingest: probing, 360° metadata and frames are the media layer's
(the forbidden contract, #18)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_imports_run_down_the_layers_only():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 kept, 0 broken" in done.stdout
