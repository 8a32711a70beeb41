"""The installed ``zorgblik`` command itself (the console script, in its own process)."""

import subprocess
import sys
from pathlib import Path

ZORGBLIK = Path(sys.executable).parent / "zorgblik"


def zorgblik(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(ZORGBLIK), *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_the_command_runs_and_passes_on_its_exit_code(tmp_path):
    assert zorgblik("--version", cwd=tmp_path).returncode == 0
    broken = tmp_path / "kapot.yaml"
    broken.write_text("organisation: [\n", encoding="utf-8")
    done = zorgblik("--data", str(tmp_path / "data"), "build", str(broken), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1].startswith("zorgblik: fout: ")
