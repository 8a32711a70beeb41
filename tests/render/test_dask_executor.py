"""Scenes built as tasks on a real Dask cluster (a LocalCluster of two worker processes) give the
same bundles as a build in this process: the same manifests (but for the bundle key, which covers the
footage's path in its data folder), and media with the same size, frames, duration and 360°
metadata; progress from the workers reaches the caller (#16)."""

from __future__ import annotations

import json
import operator
import socket
from pathlib import Path

import pytest

from render.errors import RenderError
from render.executors import DaskExecutor, InlineExecutor, get_executor
from support import build_two_scenes
from zorgblik.media.probe import ffprobe_json
from zorgblik.media.spherical import read_spherical


def _media_facts(path: Path) -> tuple:
    info = ffprobe_json(path)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    return (video["codec_name"], video["width"], video["height"], video.get("nb_frames"),
            round(float(info["format"]["duration"]), 2), read_spherical(path))


@pytest.mark.slow
def test_a_dask_cluster_builds_the_same_bundles_as_the_local_pool(tmp_path):
    on_dask, dask_progress = build_two_scenes(tmp_path / "dask", DaskExecutor(jobs=2))
    local, _ = build_two_scenes(tmp_path / "local", InlineExecutor())
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
