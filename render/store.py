"""The render store: where the workers of a Dask build read footage and leave what they make when
they share no disk with the caller (``zorgblik build --executor dask --store URL``; the setting
render_store). Any fsspec URL: a plain folder or ``file://`` (a folder every worker mounts),
``s3://bucket/prefix`` through s3fs (endpoint and keys from the usual ``AWS_ENDPOINT_URL``,
``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``), or another fsspec protocol. Under the URL::

    footage/<sha256><suffix>     a scene's footage, put once by the caller (named by its content)
    cache/<path in render cache> what a scene task made: renditions, face tracks, review sheet,
                                 summary, poster; the cache's own names, which are content keys
    chunks/<chunk folder>/…      a chunked scene's chunk files on their way to the join

The caller puts the footage in (:meth:`RenderStore.scene_task`); the scene task
(:func:`build_in_store`) copies it into the worker's own folder (checked against its sha256),
builds the scene in a cache of its own there and puts every result into the store with its
sha256; its chunk tasks (:func:`encode_chunk_in_store`) do the same with the footage and the face
tracks. The caller then takes the results into its render cache (:meth:`RenderStore.take`):
all fetched and checked first, then renamed into place, so the cache gets a scene's results whole
or not at all, and builds the bundle from its cache as always. No path of the caller's disk is in
a task: the plan's ``source_path`` is the footage's key in the store.
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

from render.cache import sha256_file
from render.chunks import ChunkDone, ChunkTask, encode_chunk
from render.errors import StoreIncomplete, StoreUnreachable
from render.plan import ScenePlan
from zorgblik.private import private_dir

#: Render cache folders whose files are facts about a path on one machine (render.cache.remembered),
#: or chunks on their way: never put into the store.
NOT_RESULTS = frozenset({"sha256", "checked", "footage-sha256", "chunks"})
#: fsspec options per protocol: a store that is not there is said within seconds, not after
#: botocore's retries with back-off.
OPTIONS = {"s3": {"config_kwargs": {"connect_timeout": 5, "retries": {"max_attempts": 2, "mode": "standard"}}}}
#: Tries of one store call by the fsspec implementation itself (s3fs), around the tries above.
RETRIES = 2
_HINT = "controleer de URL (--store of ZORGBLIK_RENDER_STORE), het netwerk en de toegangssleutels"


@functools.lru_cache(maxsize=8)
def _open(url: str):
    """(file system, root path) of ``url``, once per process."""
    import fsspec
    from fsspec.utils import get_protocol

    try:
        # an instance of its own (fsspec's are shared by their options, not by endpoint or keys)
        fs, root = fsspec.core.url_to_fs(url, skip_instance_cache=True, **OPTIONS.get(get_protocol(url), {}))
    except (ImportError, ValueError) as exc:  # an unknown protocol, or its package not installed
        raise StoreUnreachable(f"opslag {url} is niet te openen: {_first_line(exc)}", hint=_HINT) from None
    if isinstance(getattr(fs, "retries", None), int):  # s3fs tries each call 5 times itself, around botocore's tries
        fs.retries = min(fs.retries, RETRIES)
    return fs, root


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


def footage_key(plan: ScenePlan) -> str:
    """Where a scene's footage lives in the store: its sha256 (and its suffix, which tools read)."""
    return f"footage/{plan.source_sha256}{Path(plan.source_path).suffix.lower()}"


def worker_folder() -> Path:
    """This worker's own folder for footage copies and scratch work (Dask's local directory on a
    worker; the temp folder elsewhere)."""
    try:
        from distributed import get_worker

        base = Path(get_worker().local_directory)
    except (ImportError, ValueError):
        base = Path(tempfile.gettempdir())
    return private_dir(base / "zorgblik-store")


@dataclass(frozen=True)
class RenderStore:
    """The store at ``url``; only the URL travels to the workers (each opens it once)."""

    url: str

    @property
    def _fs(self):
        return _open(self.url)[0]

    @property
    def _local(self) -> bool:
        return bool({"file", "local"} & set(self._fs.protocol if isinstance(self._fs.protocol, tuple)
                                            else (self._fs.protocol,)))

    def _path(self, key: str) -> str:
        return f"{_open(self.url)[1].rstrip('/')}/{key}"

    def _failed(self, exc: Exception, doing: str, where: str | None = None) -> StoreUnreachable:
        return StoreUnreachable(f"opslag {self.url}: {doing} lukt niet: {_first_line(exc)}", where=where, hint=_HINT)

    def check(self) -> None:
        """Reach the store and write to it once, before any footage goes in."""
        probe = self._path(f"probe/{uuid.uuid4().hex}")
        try:
            if self._local:  # an object store has no folders (its bucket is made by whoever runs it)
                self._fs.makedirs(self._path("probe"), exist_ok=True)
            self._fs.pipe_file(probe, b"zorgblik")
            self._fs.rm_file(probe)
        except Exception as exc:  # noqa: BLE001 - every fsspec backend raises its own
            raise StoreUnreachable(f"opslag {self.url} is niet bereikbaar: {_first_line(exc)}", hint=_HINT) from None

    def _has(self, key: str, size: int) -> bool:
        try:
            return self._fs.size(self._path(key)) == size
        except FileNotFoundError:
            return False
        except Exception as exc:  # noqa: BLE001
            raise self._failed(exc, f"{key} opzoeken") from None

    def put(self, local: Path, key: str, where: str | None = None) -> None:
        """``local`` into the store at ``key``, whole: an object store shows an object once it is
        all there; on a file system it is written beside and renamed."""
        path = self._path(key)
        try:
            if self._local:
                part = f"{path}.part-{uuid.uuid4().hex}"
                self._fs.makedirs(path.rsplit("/", 1)[0], exist_ok=True)
                self._fs.put_file(str(local), part)
                self._fs.mv(part, path)
            else:
                self._fs.put_file(str(local), path)
        except Exception as exc:  # noqa: BLE001
            raise self._failed(exc, f"{key} wegschrijven", where) from None

    def fetch(self, key: str, local: Path, sha256: str, where: str | None = None) -> None:
        """``key`` from the store to ``local`` (a new file), checked against ``sha256``; a file that
        does not arrive whole is removed and named."""
        try:
            self._fs.get_file(self._path(key), str(local))
        except FileNotFoundError:
            raise StoreIncomplete(f"{key} ontbreekt in opslag {self.url}", where=where,
                                  hint="bouw opnieuw (de worker schreef zijn resultaat niet heel weg)") from None
        except Exception as exc:  # noqa: BLE001
            local.unlink(missing_ok=True)
            raise self._failed(exc, f"{key} ophalen", where) from None
        if sha256_file(local) != sha256:
            local.unlink(missing_ok=True)
            raise StoreIncomplete(f"{key} kwam niet heel uit opslag {self.url} (sha256 klopt niet)", where=where,
                                  hint="bouw opnieuw")

    def remove(self, prefix: str) -> None:
        try:
            self._fs.rm(self._path(prefix), recursive=True)
        except Exception:  # noqa: BLE001 - what is left is content-keyed, and found again next time
            pass

    # footage -------------------------------------------------------------------------------------
    def scene_task(self, plan: ScenePlan, cache_dir: Path, where: str | None = None) -> StoreScene:
        """Put the scene's footage into the store (once: skipped when it is there) and what the
        caller's cache already holds of the scene's privacy pass (face tracks, review sheet,
        summary, a photo's blurred picture, poster), and give the task that builds the rest
        there: the plan with the footage's key for its path and only the renditions the cache
        lacks (a new profile searches no faces again and encodes only itself)."""
        from render import privacy
        from render.cache import PrivacyFiles, cached_media, cached_posters, cached_tracks
        from render.stages import poster_seek

        key = footage_key(plan)
        source = Path(plan.source_path)
        if not self._has(key, source.stat().st_size):
            self.put(source, key, where)
        done = PrivacyFiles.of(plan, cache_dir)
        seed = {}
        tracks = cached_tracks(plan, cache_dir, privacy.detection(model=plan.face_model))
        for path in (tracks, done.sheet, done.summary, done.picture,
                     *cached_posters(plan, cache_dir, poster_seek(plan)).values()):
            if path.is_file():
                rel = path.relative_to(cache_dir).as_posix()
                seed[rel] = sha256_file(path)
                if not self._has(f"cache/{rel}", path.stat().st_size):
                    self.put(path, f"cache/{rel}", where)
        missing = tuple(r for r in plan.renditions if not cached_media(plan, r, cache_dir).exists())
        return StoreScene(replace(plan, source_path=key, renditions=missing or plan.renditions), self, seed)

    def footage(self, plan: ScenePlan, where: str | None = None) -> Path:
        """The footage whose key is ``plan.source_path``, copied into this worker's folder once
        and checked against its sha256."""
        key = plan.source_path
        local = worker_folder() / key
        if not local.exists():
            private_dir(local.parent)
            part = local.with_name(f".{local.name}.{uuid.uuid4().hex}")
            self.fetch(key, part, plan.source_sha256, where)
            os.replace(part, local)
        return local

    # results -------------------------------------------------------------------------------------
    def put_results(self, cache_dir: Path, where: str | None = None,
                    seed: dict[str, str] | None = None) -> dict[str, str]:
        """Every result file in a worker's cache into the store, but those it was given
        (``seed``, unchanged): {path in the cache: sha256}."""
        results, seed = {}, seed or {}
        for path in sorted(cache_dir.rglob("*")):
            rel = path.relative_to(cache_dir)
            if not path.is_file() or rel.parts[0] in NOT_RESULTS or any(p.startswith(".") for p in rel.parts):
                continue
            sha256 = sha256_file(path)
            if seed.get(rel.as_posix()) == sha256:
                continue
            results[rel.as_posix()] = sha256
            self.put(path, f"cache/{rel.as_posix()}", where)
        return results

    def take(self, results: dict[str, str], cache_dir: Path, where: str) -> None:
        """A scene's results from the store into ``cache_dir``: all fetched and checked in a temp
        folder there first, then renamed into place (the files that mark a finished pass last), so
        nothing half enters the cache."""
        private_dir(cache_dir)
        with tempfile.TemporaryDirectory(dir=cache_dir, prefix=".store-") as tmp:
            fetched = []
            for n, (rel, sha256) in enumerate(sorted(results.items(), key=lambda item: _marks_done(item[0]))):
                part = Path(tmp) / str(n)
                self.fetch(f"cache/{rel}", part, sha256, where)
                fetched.append((part, cache_dir / rel))
            for part, final in fetched:
                private_dir(final.parent)
                os.replace(part, final)


def _marks_done(rel: str) -> tuple[int, str]:
    """Order of renaming: the privacy summary and the poster mark a finished pass or pair, last."""
    last = rel.startswith("privacy/") and rel.endswith(".json") or rel.endswith(".poster.jpg")
    return (1 if last else 0, rel)


@dataclass(frozen=True)
class StoreScene:
    """A scene task for a worker that shares no disk with the caller."""

    plan: ScenePlan  # source_path: the footage's key in the store; renditions: those to make
    store: RenderStore
    seed: dict[str, str] = field(default_factory=dict)  # what the caller's cache holds already: path in it -> sha256


@dataclass(frozen=True)
class StoreResult:
    scene_slug: str
    results: dict[str, str]  # path in the render cache -> sha256, in the store under cache/
    encoded: int = 0  # renditions the worker encoded
    privacy_pass_ran: bool = False  # whether the worker searched faces (False: the tracks came with the task)


def build_in_store(item: StoreScene, progress) -> StoreResult:
    """A Dask task: the scene built in a cache of this worker's own, from the store's footage;
    every result put into the store. The bundle it makes here is thrown away: the caller builds
    its own from its cache once it has taken the results."""
    from render.stages import build_bundle

    store, where = item.store, f"scène {item.plan.scene_slug}"
    plan = replace(item.plan, source_path=str(store.footage(item.plan, where)))
    scratch = Path(tempfile.mkdtemp(dir=worker_folder(), prefix="scene-"))
    try:
        cache = scratch / "cache"
        for rel, sha256 in item.seed.items():
            private_dir((cache / rel).parent)
            store.fetch(f"cache/{rel}", cache / rel, sha256, where)
        built = build_bundle(plan, scratch / "bundles", cache, progress)
        return StoreResult(plan.scene_slug, store.put_results(cache, where, item.seed), built.encoded,
                           built.privacy_pass_ran)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# chunks ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class StoreChunk:
    """A chunk task for a worker that shares no disk with the scene's task: the chunk's task with
    the footage's key and the face tracks' path in the cache (the chunk folder is named alone)."""

    task: ChunkTask
    tracks: str  # the face tracks' path in the render cache (in the store under cache/)
    tracks_sha256: str
    store: RenderStore


def encode_chunk_in_store(item: StoreChunk) -> tuple[ChunkDone, tuple[str, ...]]:
    """A Dask task: the chunk encoded from the store's footage and tracks; its files put into the
    store. Returns the chunk's note (with its files' keys) and their sha256."""
    store, task = item.store, item.task
    where = f"scène {task.plan.scene_slug} (stuk {task.chunk.index + 1})"
    plan = replace(task.plan, source_path=str(store.footage(task.plan, where)))
    scratch = Path(tempfile.mkdtemp(dir=worker_folder(), prefix="chunk-"))
    try:
        tracks = scratch / "cache" / item.tracks
        private_dir(tracks.parent)
        store.fetch(f"cache/{item.tracks}", tracks, item.tracks_sha256, where)
        cache = scratch / "cache"
        here = replace(task, plan=plan, cache_dir=cache, folder=cache / "chunks" / task.folder.name)
        done = encode_chunk(here)
        keys, sums = [], []
        for path in done.files:
            key = f"chunks/{task.folder.name}/{path.name}"
            sums.append(sha256_file(path))
            store.put(path, key, where)
            keys.append(key)
        return replace(done, files=tuple(Path(k) for k in keys)), tuple(sums)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def chunks_through_store(store: RenderStore, spread, tasks: list[ChunkTask], tracks: Path, cache_dir: Path,
                         done) -> list[ChunkDone]:
    """The chunk tasks through the store (``spread``: the cluster's ChunkMap): the scene's face
    tracks put in first; each chunk's files fetched back into its folder here (checked) for the
    join, and removed from the store."""
    where = f"scène {tasks[0].plan.scene_slug}"
    rel, tracks_sha256 = tracks.relative_to(cache_dir).as_posix(), sha256_file(tracks)
    store.put(tracks, f"cache/{rel}", where)
    remote = [StoreChunk(replace(t, plan=replace(t.plan, source_path=footage_key(t.plan)), cache_dir=Path("cache"),
                                 folder=Path(t.folder.name)), rel, tracks_sha256, store) for t in tasks]
    out = []
    try:
        for task, (chunk_done, sums) in zip(tasks, spread.map(encode_chunk_in_store, remote, done)):
            private_dir(task.folder)
            files = []
            for key, sha256, final in zip(chunk_done.files, sums, task.files):
                part = final.with_name(f".{final.name}.part")
                store.fetch(str(key), part, sha256, where)
                os.replace(part, final)
                files.append(final)
            out.append(replace(chunk_done, files=tuple(files)))
    finally:
        store.remove(f"chunks/{tasks[0].folder.name}")
    return out
