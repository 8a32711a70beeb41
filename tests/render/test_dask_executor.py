"""Scenes built as tasks on a real Dask cluster (a LocalCluster of two worker processes) give the
same bundles as a build in this process: the same manifests (but for the bundle key, which covers the
footage's path in its data folder), and media with the same size, frames, duration and 360°
metadata; progress from the workers reaches the caller (#16)."""

from __future__ import annotations

import json
import operator
import os
import socket
from pathlib import Path

import pytest

from catalog import Catalog
from render import build_script
from render.errors import RenderError
from render.executors import DaskExecutor, InlineExecutor, get_executor
from support import MONO_VIDEO, own_render_cache
from scripts_vr.templates import minimal_script
from zorgblik.media.probe import ffprobe_json
from zorgblik.media.spherical import read_spherical
from zorgblik.settings import Settings


def _script(folder: Path) -> Path:
    """Two short scenes of the demo clip: two tasks for the cluster."""
    footage = os.path.relpath(MONO_VIDEO, folder)
    scenes = "".join(f"""\
  - id: {slug}
    title: {{nl: {slug}}}
    footage: {footage}
    in: {start}
    out: {start + 0.5}
    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
""" for slug, start in (("ochtend", 1), ("middag", 3)))
    path = folder / "dask.yaml"
    path.write_text(minimal_script(scenes), encoding="utf-8")
    return path


def _build(folder: Path, executor) -> tuple[dict[str, Path], dict[str, float]]:
    settings = own_render_cache(Settings.from_env({}, data_dir=folder / "data", port=0, encoder_preset="ultrafast"))
    folder.mkdir()
    script = _script(folder)
    seen: dict[str, float] = {}
    with Catalog(settings.catalog_url) as catalog:
        built = build_script(script, settings=settings, catalog=catalog, profiles=["quest2"], executor=executor,
                             progress=lambda scene, fraction: seen.__setitem__(scene, max(fraction, seen.get(scene, 0))))
    return {b.scene_slug: b.bundle_dir for b in built}, seen


def _media_facts(path: Path) -> tuple:
    info = ffprobe_json(path)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    return (video["codec_name"], video["width"], video["height"], video.get("nb_frames"),
            round(float(info["format"]["duration"]), 2), read_spherical(path))


@pytest.mark.slow
def test_a_dask_cluster_builds_the_same_bundles_as_the_local_pool(tmp_path):
    on_dask, dask_progress = _build(tmp_path / "dask", DaskExecutor(jobs=2))
    local, _ = _build(tmp_path / "local", InlineExecutor())
    assert sorted(on_dask) == sorted(local) == ["middag", "ochtend"]
    for scene in on_dask:
        ours = json.loads((on_dask[scene] / "manifest.json").read_text())
        theirs = json.loads((local[scene] / "manifest.json").read_text())
        for manifest in (ours, theirs):
            manifest.pop("bundle_key")
            for f in manifest["files"]:  # x264 may split work differently between runs: compared below
                f.pop("sha256"), f.pop("bytes")
        assert ours == theirs
        media = "scene.quest2.mp4"
        assert _media_facts(on_dask[scene] / media) == _media_facts(local[scene] / media)
    assert dask_progress == {"ochtend": 1.0, "middag": 1.0}  # the workers' progress reached this process


def test_a_scheduler_that_is_not_there_or_not_for_dask_is_named():
    with pytest.raises(RenderError, match="--scheduler hoort bij --executor dask"):
        get_executor("local", jobs=2, scheduler="tcp://127.0.0.1:1")
    with pytest.raises(RenderError, match="geen Dask-scheduler op tcp://127.0.0.1:1"):
        get_executor("dask", scheduler="tcp://127.0.0.1:1").map(lambda item, progress: item, [1])


def test_a_cluster_starts_while_another_holds_the_dashboard_port():
    """A second build (or anything else) on port 8787: the build's own cluster takes a free port
    in silence (it warned, and the warning was an error here, before)."""
    holder = socket.socket()
    try:
        holder.bind(("0.0.0.0", 8787))
        holder.listen()
    except OSError:
        pass  # something else holds it already: the same case
    try:
        assert DaskExecutor(jobs=1).map(operator.is_not, [1]) == [True]
    finally:
        holder.close()
