"""Dask for render (#16): overhead of the Dask executor, and a scene encoded in chunks.

Input: demo/footage/video/testroom_1920x960_mono.mp4 (30 fps; for a longer scene the fixture on
repeat, by stream copy). Every figure comes from ``zorgblik build`` as a user runs it, in one run:

* **six scenes**: six 2 s scenes (different ranges of the clip, so six face searches), every cache
  empty, ``zorgblik build --executor dask --jobs 2`` (a LocalCluster of 2 single-threaded worker
  processes, started by the build) against ``--executor local --jobs 2``; wall time ratio
  dask / local. Scenes this short are not chunked: this is the cost of Dask itself. Target ≤ 1.15.
* **one scene, chunked**: one ``--seconds`` scene whose face tracks, review and poster are cached
  (a first build for ``web``), then the ``quest2`` rendition on the Dask LocalCluster of 2
  workers: in one task (``ZORGBLIK_CHUNK_S=0``, the one pass) against chunked
  (``ZORGBLIK_CHUNK_S=4``); wall time ratio. Then the same chunked encode in this process, the
  chunks one after another (no contention), for the cost of one chunk and of the join (concat,
  sound, metadata, check), which docs/scale.md extrapolates from.

    PYTHONPATH=. .venv/bin/python bench/dask_chunks.py [--seconds 20] [--preset veryfast]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts_vr.templates import minimal_script

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "demo/footage/video/testroom_1920x960_mono.mp4"
SCENE = """\
  - id: {slug}
    title: {{nl: {slug}}}
    footage: {footage}
    in: {in_s}
    out: {out_s}
    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
"""


def script(folder: Path, source: Path, scenes: list[tuple[str, float, float]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.yaml"
    path.write_text(minimal_script("".join(SCENE.format(slug=s, footage=os.path.relpath(source, folder), in_s=a, out_s=b)
                                           for s, a, b in scenes)), encoding="utf-8")
    return path


def zorgblik(data: Path, *args: str, env: dict) -> float:
    began = time.monotonic()
    subprocess.run([str(Path(sys.executable).parent / "zorgblik"), "--data", str(data), *args], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.monotonic() - began


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def six_scenes(tmp: Path, env: dict) -> dict:
    scenes = [(f"s{n}", 2.0 * n, 2.0 * n + 2.0) for n in range(6)]
    path = script(tmp / "six", SOURCE, scenes)
    out = {}
    for executor in ("local", "dask"):
        out[executor] = zorgblik(tmp / f"six-{executor}", "build", str(path), "--profile", "web", "--executor", executor,
                                 "--jobs", "2", env=env)
        print(f"six scenes, {executor}: {out[executor]:.1f} s (load {load()})", flush=True)
    out["ratio"] = out["dask"] / out["local"]
    return out


def looped(seconds: float, tmp: Path) -> Path:
    out = tmp / f"testroom_{seconds:.0f}s.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", "-1", "-i", str(SOURCE), "-t", f"{seconds + 1:.3f}",
                    "-c", "copy", str(out)], check=True)
    return out


class _Timed:
    """The chunks in this process one after another, each timed; the join timed too."""

    def __init__(self) -> None:
        self.chunks: list[tuple[int, float]] = []
        self.joins: list[float] = []


def in_process(data: Path, path: Path, preset: str, timed: _Timed) -> float:
    import render.stages
    from catalog import Catalog
    from render import build_script
    from render.executors import ChunkMap, InlineExecutor, _chunk_map
    from zorgblik.settings import Settings

    class Here(ChunkMap):
        def map(self, fn, items, done):
            out = []
            for count, item in enumerate(items, 1):
                began = time.monotonic()
                out.append(fn(item))
                timed.chunks.append((out[-1].frames, time.monotonic() - began))
                done(count)
            return out

    join = render.stages.join_rendition

    def timed_join(*args, **kwargs):
        began = time.monotonic()
        try:
            return join(*args, **kwargs)
        finally:
            timed.joins.append(time.monotonic() - began)

    settings = Settings.from_env({}, data_dir=data, encoder_preset=preset, render_cache_dir="")
    render.stages.join_rendition = timed_join
    token = _chunk_map.set(Here(chunk_s=4.0))
    began = time.monotonic()
    try:
        with Catalog(settings.catalog_url) as catalog:
            build_script(path, settings=settings, catalog=catalog, profiles=["web", "quest2"], executor=InlineExecutor())
    finally:
        _chunk_map.reset(token)
        render.stages.join_rendition = join
    return time.monotonic() - began


def one_scene(tmp: Path, seconds: float, env: dict, preset: str) -> dict:
    source = looped(seconds, tmp)
    path = script(tmp / "one", source, [("lang", 0.0, seconds)])
    seed = tmp / "one-seed"
    searched = zorgblik(seed, "build", str(path), "--profile", "web", env=env)
    print(f"one scene: face search + web encode (local) {searched:.1f} s (load {load()})", flush=True)
    out = {"seed": searched}
    for name, chunk_s in (("whole", "0"), ("chunked", "4")):
        data = tmp / f"one-{name}"
        shutil.copytree(seed, data)
        out[name] = zorgblik(data, "build", str(path), "--profile", "web", "--profile", "quest2", "--executor", "dask",
                             "--jobs", "2", env={**env, "ZORGBLIK_CHUNK_S": chunk_s})
        print(f"one scene, quest2 on 2 Dask workers, {name}: {out[name]:.1f} s (load {load()})", flush=True)
    out["ratio"] = out["chunked"] / out["whole"]
    data = tmp / "one-serial"
    shutil.copytree(seed, data)
    timed = _Timed()
    out["serial"] = in_process(data, path, preset, timed)
    out["chunks"], out["joins"] = timed.chunks, timed.joins
    per = [s / f * 120 for f, s in timed.chunks]  # seconds per 4 s chunk
    print(f"one scene, chunks in this process one after another: {out['serial']:.1f} s; per chunk "
          + ", ".join(f"{f} frames {s:.2f} s" for f, s in timed.chunks)
          + f"; per 4 s chunk {min(per):.2f}–{max(per):.2f} s; join {', '.join(f'{j:.2f}' for j in timed.joins)} s",
          flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the chunked scene (default 20)")
    parser.add_argument("--preset", default="veryfast", help="x264 preset (default veryfast)")
    args = parser.parse_args()
    print(f"{platform.machine()}, {os.cpu_count()} cores, load {load()}, preset {args.preset}", flush=True)
    env = {**os.environ, "ZORGBLIK_ENCODER_PRESET": args.preset, "ZORGBLIK_RENDER_CACHE_DIR": ""}
    with tempfile.TemporaryDirectory(prefix="bench-dask-") as tmp_dir:
        tmp = Path(tmp_dir)
        six = six_scenes(tmp, env)
        one = one_scene(tmp, args.seconds, env, args.preset)
    print(f"\nsix scenes: dask {six['dask']:.1f} s / local {six['local']:.1f} s = {six['ratio']:.2f} (target ≤ 1.15)")
    print(f"one {args.seconds:.0f} s scene on 2 workers: chunked {one['chunked']:.1f} s / whole {one['whole']:.1f} s "
          f"= {one['ratio']:.2f}")
    print(f"load at the end {load()}")


if __name__ == "__main__":
    main()
