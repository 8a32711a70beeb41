"""A tool (ffmpeg) must not outlive the process that started it: a killed build leaves no encoder behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")

PARENT = """
import sys
from zorgblik.tools import run_tool, stream_tool
if sys.argv[1] == "run":
    run_tool(["sleep", "60"], on_line=print if sys.argv[2] == "lines" else None)
else:
    with stream_tool(["sleep", "60"]):
        pass
"""


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie is dead, only not yet reaped (by init, not us)


@pytest.mark.parametrize("how", [("run", "plain"), ("run", "lines"), ("stream", "-")])
def test_a_tool_dies_with_the_process_that_started_it(how):
    root = Path(__file__).resolve().parents[2]
    parent = subprocess.Popen([sys.executable, "-c", PARENT, *how], cwd=root,
                              env={**os.environ, "PYTHONPATH": str(root)})
    try:
        deadline = time.monotonic() + 10
        while not (children := _children(parent.pid)):
            assert time.monotonic() < deadline, "the tool never started"
            time.sleep(0.05)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 5
        while any(_alive(c) for c in children):
            if time.monotonic() > deadline:
                for c in children:
                    os.kill(c, signal.SIGKILL)
                pytest.fail("the tool outlived the process that started it")
            time.sleep(0.05)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
