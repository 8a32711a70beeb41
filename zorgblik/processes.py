"""Whether a process that left something behind still runs: a killed build's half bundle, a
killed copy's partial file. Its pid is in the leftover's name or file; its start time tells it
from a later process that got the same pid."""

from __future__ import annotations

import os
from pathlib import Path


def _stat(pid: int) -> list[str]:
    """The fields of ``/proc/<pid>/stat`` after the name (Linux; empty elsewhere or when gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def process_started(pid: int) -> str | None:
    """When ``pid`` started (clock ticks since boot, Linux), to tell it from a later one with the same id."""
    fields = _stat(pid)
    return fields[19] if len(fields) > 19 else None


def process_alive(pid: int, started: str | None = None) -> bool:
    """Whether the process ``pid`` (that started at ``started``, when known) still runs.

    A zombie does not: it is dead, only not yet reaped, and where nothing reaps it (a container
    whose first process is no init) it stays, and so did the half bundle of a killed worker."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it lives
        pass
    if _stat(pid)[:1] == ["Z"]:
        return False
    return started is None or process_started(pid) in (None, started)
