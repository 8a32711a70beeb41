"""The one place that runs external tools (ffmpeg, ffprobe); what they are asked to do is built
in the media layer (:mod:`zorgblik.media.ffmpeg`, :mod:`zorgblik.media.probe`).

On Linux a tool dies with the process that started it (PR_SET_PDEATHSIG), so a killed build
leaves no ffmpeg behind. Every call logs the exact command, captures stderr, and on failure raises :class:`ToolError`
carrying the tool's last line, so a user sees why an encode failed without a wall of text.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from zorgblik.errors import ToolError

log = logging.getLogger(__name__)

INSTALL_HINT = "voer ./setup.sh uit; dat installeert ffmpeg en ffprobe"


def find_tool(name: str) -> str:
    """The path of ``name`` on PATH, or a ToolError that says how to install it."""
    path = shutil.which(name)
    if path is None:
        raise ToolError(f"{name} niet gevonden", hint=INSTALL_HINT)
    return path


_PR_SET_PDEATHSIG = 1


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()  # looked up here: the child between fork and exec should do as little as possible


def _die_with_parent() -> Callable[[], None] | None:
    """A ``preexec_fn`` that has the kernel SIGKILL the tool when its parent dies.

    A build killed with kill -9 must not leave ffmpeg encoding into a folder nobody will use.
    (The signal follows the thread that spawned the tool; run_tool and stream_tool wait for the
    tool in that same thread.) None where the platform has no such thing.
    """
    if _PRCTL is None:
        return None
    parent = os.getpid()

    def preexec() -> None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before the line above: do what it would have done
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


#: ffmpeg's closing words that only repeat that something failed; the line before says what.
_GENERIC = ("Conversion failed!", "Error reinitializing filters!", "Failed to inject frame into filter network",
            "Error while processing the decoded data", "Error while filtering", "Exiting normally")


def _last_line(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    telling = [line for line in lines if not line.startswith(_GENERIC)]
    return (telling or lines or ["geen uitvoer"])[-1]


def run_tool(
    args: Sequence[str | Path],
    *,
    where: str | None = None,
    on_line: Callable[[str], None] | None = None,
) -> str:
    """Run a tool to completion and return its stdout.

    ``on_line`` receives each stdout line as it arrives (ffmpeg's ``-progress pipe:1``).
    """
    argv = [str(a) for a in args]
    argv[0] = find_tool(argv[0])
    log.debug("run: %s", shlex.join(argv))
    name = Path(argv[0]).name
    if on_line is None:
        proc = subprocess.run(argv, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              preexec_fn=_die_with_parent())
        stdout, stderr, code = proc.stdout, proc.stderr, proc.returncode
    else:
        with subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            bufsize=1,
            preexec_fn=_die_with_parent(),
        ) as proc:
            err_chunks: list[str] = []
            reader = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()))
            reader.start()
            out_lines = []
            for line in proc.stdout:
                out_lines.append(line)
                on_line(line.rstrip("\n"))
            reader.join()
            code = proc.wait()
        stdout, stderr = "".join(out_lines), "".join(err_chunks)
    if code != 0:
        raise ToolError(f"{name} mislukte: {_last_line(stderr)}", where=where)
    return stdout


@contextmanager
def stream_tool(
    args: Sequence[str | Path],
    *,
    where: str | None = None,
    stdin: bool = False,
    stdout: bool = False,
) -> Iterator[subprocess.Popen]:
    """Run a tool whose stdin and/or stdout are binary pipes the caller feeds or drains.

    For raw frames in and out of ffmpeg. Leaving the block closes the pipes, waits for the tool
    and raises ToolError with its last line if it failed (also when it died while being fed, or
    was cut off because its ``stdout`` was not read to the end). An exception inside the block
    stops the tool.
    """
    argv = [str(a) for a in args]
    argv[0] = find_tool(argv[0])
    log.debug("stream: %s", shlex.join(argv))
    name = Path(argv[0]).name
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
        stdout=subprocess.PIPE if stdout else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=_die_with_parent(),
    )
    err_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: err_chunks.append(proc.stderr.read()), daemon=True)
    reader.start()

    def failure() -> ToolError:
        reader.join()
        stderr = b"".join(err_chunks).decode(errors="replace")
        return ToolError(f"{name} mislukte: {_last_line(stderr)}", where=where)

    try:
        yield proc
        if proc.stdin:
            proc.stdin.close()
    except BrokenPipeError:
        if proc.wait() != 0:
            raise failure() from None
        raise
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        for pipe in (proc.stdout, proc.stdin):   # an unread stdout must not leave the tool blocked
            if pipe:
                try:
                    pipe.close()
                except OSError:
                    pass
        code = proc.wait()
        reader.join()
        proc.stderr.close()
    if code != 0:
        raise failure()

