"""Where scene bundles are built: a small interface, and a registry of implementations.

    executor = get_executor("local", jobs=2)
    results = executor.map(build_one, items, progress)   # results in the order of items

``fn`` is a module-level function (it travels to worker processes by name) called as
``fn(item, progress)``; ``progress(scene, fraction)`` from inside a worker reaches the
``progress`` given to :meth:`Executor.map` in the calling process. A worker only builds files;
recording results (the catalog) is the caller's job, in the calling process.

:class:`DaskExecutor` runs the same on a Dask cluster: ``client.map`` for the work, a
``distributed.Queue`` for the progress. Its workers reach the same data folder and render cache
(the same machine, or a folder they all mount), or with ``store`` (an fsspec URL) none of the
caller's disk: footage and results then travel through the store (render.store). On a cluster a
clip scene's task spreads its encode: :func:`chunk_map` gives the stage a :class:`ChunkMap`, whose chunk tasks (render.chunks)
go to any worker while the scene's task waits outside the worker's thread count (``secede``),
each retried when it fails or its worker dies. In the other executors :func:`chunk_map` is None
and a scene is encoded in its one pass.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
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


#: Tries of a chunk task after the first, when it raises or its worker dies (a killed worker's tasks
#: are also given to another by the scheduler: distributed.scheduler.allowed-failures).
CHUNK_RETRIES = 2
#: Seconds of a scene per chunk task when the caller gives none (Settings.chunk_s).
CHUNK_S = 4.0


@dataclass(frozen=True)
class ChunkMap:
    """How a scene task on a Dask worker spreads its chunks over the cluster."""

    chunk_s: float = CHUNK_S
    # the chunk task (None: render.chunks.encode_chunk; with a store render.store.encode_chunk_in_store's
    # item reaches it); tests put a wrapper here
    work: Callable | None = None
    retries: int = CHUNK_RETRIES
    store: str | None = None  # the render store's URL: the chunk tasks read and write through it (render.store)

    def map(self, fn: Callable[[T], R], items: Sequence[T], done: Callable[[int], None]) -> list[R]:
        """``fn`` on every item as tasks of the cluster (results in order); ``done(count)`` after
        each one that finishes; the first error raised, the rest cancelled."""
        from distributed import as_completed, worker_client

        fn = self.work or fn
        with worker_client() as client:  # secedes: the scene's task waits without holding a thread
            futures = client.map(fn, list(items), pure=False, retries=self.retries)
            try:
                for count, future in enumerate(as_completed(futures), 1):
                    future.result()
                    done(count)
                return client.gather(futures)
            except BaseException:
                client.cancel(futures)
                raise


_chunk_map: ContextVar[ChunkMap | None] = ContextVar("zorgblik_chunk_map", default=None)


def chunk_map() -> ChunkMap | None:
    """The cluster's chunk map inside a scene task on a Dask worker; None elsewhere (the local
    and inline executors: a scene is encoded in its one pass)."""
    return _chunk_map.get()


#: At most this often a worker on a Dask cluster sends a scene's progress (each is a message to the
#: scheduler), besides the start and the end.
DASK_PROGRESS_S = 0.5


def _run_on_dask(fn, item, queue_name: str, chunks: ChunkMap | None = None):
    """A task on a Dask worker: ``fn(item, progress)`` with progress sent back through the queue,
    and ``chunks`` (when given) for the stages that spread a scene's encode."""
    from distributed import Queue

    q = Queue(queue_name)
    sent: dict[str, float] = {}

    def progress(scene: str, fraction: float) -> None:
        now = time.monotonic()
        if fraction >= 1.0 or now - sent.get(scene, -DASK_PROGRESS_S) >= DASK_PROGRESS_S:
            sent[scene] = now
            q.put((scene, fraction))

    token = _chunk_map.set(chunks)
    try:
        return fn(item, progress)
    finally:
        _chunk_map.reset(token)


class DaskExecutor:
    """Scenes as tasks on a Dask cluster: the one at ``scheduler`` (``tcp://host:8786``, its
    workers started with ``zorgblik worker``), or with none a ``LocalCluster`` of ``jobs``
    single-threaded worker processes on this machine for the length of one build. A clip scene's
    encode is spread in chunks of ``chunk_s`` seconds (render.chunks; 0: never). With ``store``
    (an fsspec URL) the workers read footage and write results there, not in the caller's folders
    (render.build.make_bundles sends them render.store's tasks)."""

    def __init__(self, jobs: int = 1, scheduler: str | None = None, chunk_s: float | None = CHUNK_S,
                 chunk_work: Callable | None = None, store: str | None = None) -> None:
        self.jobs = max(1, int(jobs))
        self.scheduler = scheduler
        self.store = store or None
        self.chunks = ChunkMap(float(chunk_s), chunk_work, store=self.store) if chunk_s else None

    def _client(self):
        from distributed import Client, LocalCluster

        if self.scheduler:
            try:
                return Client(self.scheduler, timeout="10s"), None
            except OSError as exc:
                raise RenderError(f"geen Dask-scheduler op {self.scheduler}: {exc}",
                                  hint="start er een met 'dask scheduler' en workers met 'zorgblik worker'") from None
        # no dashboard; the scheduler's HTTP server (metrics) on a free port, not 8787: another
        # cluster on the machine (a second build, a test) has that one
        cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True, dashboard_address=None,
                               scheduler_kwargs={"dashboard_address": ":0"})
        return Client(cluster), cluster

    def map(self, fn, items, progress=None):
        items = list(items)
        if not items:
            return []
        import uuid

        from distributed import Queue

        client, cluster = self._client()
        stop = threading.Event()
        try:
            name = f"zorgblik-progress-{uuid.uuid4().hex}"
            q = Queue(name, client=client)

            def drain() -> None:
                # what is waiting, every 0.2 s (a get that waits and times out is an error in the
                # scheduler's log each time)
                while True:
                    done = stop.wait(0.2)
                    for scene, fraction in q.get(batch=True):
                        if progress:
                            progress(scene, fraction)
                    if done:
                        return

            reader = threading.Thread(target=drain, name="render-progress", daemon=True)
            reader.start()
            futures = client.map(_run_on_dask, [fn] * len(items), items, [name] * len(items),
                                 [self.chunks] * len(items), pure=False)
            try:
                return client.gather(futures)
            finally:
                stop.set()
                reader.join()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


EXECUTORS: dict[str, Callable[..., Executor]] = {
    "inline": lambda jobs=1, scheduler=None, chunk_s=None, store=None: InlineExecutor(),
    "local": lambda jobs=1, scheduler=None, chunk_s=None, store=None: LocalExecutor(jobs),
    "dask": DaskExecutor,
}


def get_executor(name: str = "local", *, jobs: int = 1, scheduler: str | None = None,
                 chunk_s: float | None = CHUNK_S, store: str | None = None) -> Executor:
    """The executor called ``name``; ``chunk_s``: seconds of a scene per encode task, ``store``:
    the URL the workers read footage from and write results to (dask only)."""
    try:
        factory = EXECUTORS[name]
    except KeyError:
        raise RenderError(f"onbekende uitvoerder '{name}'", hint="kies uit " + ", ".join(EXECUTORS)) from None
    if scheduler and name != "dask":
        raise RenderError("--scheduler hoort bij --executor dask", hint="laat --scheduler weg of kies --executor dask")
    if store and name != "dask":
        raise RenderError("--store hoort bij --executor dask", hint="laat --store (of ZORGBLIK_RENDER_STORE) weg of "
                          "kies --executor dask")
    return factory(jobs=jobs, scheduler=scheduler, chunk_s=chunk_s, store=store)
