"""Where scene bundles are built: a small interface, and a registry of implementations.

    executor = get_executor("local", jobs=2)
    results = executor.map(build_one, items, progress)   # results in the order of items

``fn`` is a module-level function (it travels to worker processes by name) called as
``fn(item, progress)``; ``progress(scene, fraction)`` from inside a worker reaches the
``progress`` given to :meth:`Executor.map` in the calling process. A worker only builds files;
recording results (the catalog) is the caller's job, in the calling process.

A Dask executor fits the same interface later: ``client.map`` for the work, a
``distributed.Queue`` (or pub/sub) for the progress.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol, TypeVar

from render.errors import RenderError
from zorgblik.processes import process_alive, process_started

T = TypeVar("T")
R = TypeVar("R")
Progress = Callable[[str, float], None]


class Executor(Protocol):
    def map(self, fn: Callable[[T, Progress], R], items: Sequence[T], progress: Progress | None = None) -> list[R]:
        """Run ``fn`` on every item; results in the order of ``items``; the first error raised."""
        ...


def _no_progress(scene: str, fraction: float) -> None:
    pass


class InlineExecutor:
    """Everything in the calling process, one after another (``--jobs 1``, and in tests)."""

    def map(self, fn, items, progress=None):
        return [fn(item, progress or _no_progress) for item in items]


_worker_queue: Any = None
CALLER_CHECK_S = 0.25


def _init_worker(q, caller: tuple[int, str | None]) -> None:
    global _worker_queue
    _worker_queue = q
    threading.Thread(target=_exit_with_caller, args=caller, name="render-caller", daemon=True).start()


def _exit_with_caller(pid: int, started: str | None) -> None:
    """End this worker once the process that made the pool is gone (a build killed with kill -9).

    A worker's parent is the fork server, not the build, so nothing else stops it: it finished its
    encode for nobody and then waited for work for ever, and with it the fork server. Its ffmpeg
    dies with it (zorgblik.tools)."""
    while process_alive(pid, started):
        time.sleep(CALLER_CHECK_S)
    os._exit(1)


def _worker_progress(scene: str, fraction: float) -> None:
    _worker_queue.put((scene, fraction))


def _run_in_worker(fn, item):
    return fn(item, _worker_progress)


class LocalExecutor:
    """A pool of worker processes on this machine.

    Workers come from a fork server that imported ``render`` once (``forkserver``): they start in
    milliseconds, yet inherit no threads, locks or database connections from the caller."""

    def __init__(self, jobs: int = 1) -> None:
        self.jobs = max(1, int(jobs))

    def map(self, fn, items, progress=None):
        items = list(items)
        if self.jobs == 1 or len(items) <= 1:
            return InlineExecutor().map(fn, items, progress)
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["render.build"])
        q = ctx.Queue()
        stop = threading.Event()

        def drain() -> None:
            while not stop.is_set() or not q.empty():
                try:
                    scene, fraction = q.get(timeout=0.1)
                except queue.Empty:
                    continue
                if progress:
                    progress(scene, fraction)

        reader = threading.Thread(target=drain, name="render-progress", daemon=True)
        reader.start()
        try:
            with ProcessPoolExecutor(min(self.jobs, len(items)), mp_context=ctx, initializer=_init_worker,
                                     initargs=(q, (os.getpid(), process_started(os.getpid())))) as pool:
                futures = [pool.submit(_run_in_worker, fn, item) for item in items]
                try:
                    return [f.result() for f in futures]
                except BaseException:
                    for f in futures:
                        f.cancel()
                    raise
        finally:
            stop.set()
            reader.join()
            q.close()


EXECUTORS: dict[str, Callable[..., Executor]] = {
    "inline": lambda jobs=1: InlineExecutor(),
    "local": LocalExecutor,
}


def get_executor(name: str = "local", *, jobs: int = 1) -> Executor:
    try:
        factory = EXECUTORS[name]
    except KeyError:
        raise RenderError(f"onbekende uitvoerder '{name}'", hint="kies uit " + ", ".join(EXECUTORS)) from None
    return factory(jobs=jobs)
