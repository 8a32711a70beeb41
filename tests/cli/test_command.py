"""The installed ``zorgblik`` command itself (the console script, in its own process)."""

import os
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


def test_help_lists_every_command_with_its_own_line_without_importing_them():
    import importlib

    import click

    from cli import COMMANDS, cli

    for name, line in COMMANDS.items():
        importlib.import_module(f"cli.{name}")
        command = cli.commands[name]
        for limit in (45, 200):
            assert click.Command(name, help=line).get_short_help_str(limit) == command.get_short_help_str(limit), name
    probe = ("import sys; from cli import main; main(['--help']); "
             "print(sorted(m for m in ('cv2', 'fastapi', 'sqlalchemy', 'cli.serve') if m in sys.modules))")
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60).stdout
    assert all(f"  {name} " in shown for name in COMMANDS)
    assert shown.strip().splitlines()[-1] == "[]"


def test_an_unknown_face_model_is_one_line_before_anything_is_built(tmp_path):
    script = Path(__file__).resolve().parents[2] / "demo" / "scripts" / "de-linde-ouderenzorg.yaml"
    data = tmp_path / "data"
    by_flag = zorgblik("--data", str(data), "build", "--face-model", "snel", str(script), cwd=tmp_path)
    assert by_flag.returncode != 0
    assert by_flag.stderr.strip().splitlines() == [
        "zorgblik: fout: onbekend gezichtsmodel 'snel' — kies uit centerface, centerface-int8 "
        "(build --face-model of de instelling ZORGBLIK_FACE_MODEL)"]
    assert not data.exists()  # no build recorded, no catalog made
    by_setting = subprocess.run([str(ZORGBLIK), "--data", str(data), "build", str(script)], cwd=tmp_path,
                                capture_output=True, text=True, timeout=60,
                                env={**os.environ, "ZORGBLIK_FACE_MODEL": "snel"})
    assert by_setting.returncode != 0
    assert by_setting.stderr.strip().splitlines()[-1].startswith("zorgblik: fout: onbekend gezichtsmodel 'snel'")
    assert not data.exists()
