"""A clip scene on a Dask cluster is encoded in GOP-aligned chunks over the workers and joined
without encoding again (#16): the joined renditions equal the one pass's in frame count, duration,
keyframes, codec, size and spherical metadata, no planted face reaches them, a worker killed
mid-chunk is retried, and a join that fails its check is one line and leaves nothing."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from fractions import Fraction
from pathlib import Path

import cloudpickle
import cv2
import pytest

import render.chunks
from catalog import Catalog
from render import build_script
from render.chunks import chunk_length, encode_chunk, plan_chunks
from render.errors import OutputInvalid
from render.executors import ChunkMap, DaskExecutor, InlineExecutor, _chunk_map
from render.plan import Rendition, ScenePlan
from render.privacy import sphere_detector
from render.profiles import get_profile
from scripts_vr.templates import minimal_script
from support import STEREO_VIDEO, media_facts, own_render_cache
from zorgblik.media.frames import read_frames
from zorgblik.media.probe import ffprobe_json, probe, video_packets
from zorgblik.media.spherical import read_spherical
from zorgblik.tools import run_tool

FPS, FRAMES, SIZE = 15, 30, (2048, 1024)  # two chunks of 1 s (a GOP and a tracker interval each)
SEAM, POLE = (180.0, 0.0), (20.0, 68.0)

cloudpickle.register_pickle_by_value(sys.modules[__name__])  # the spy below travels to the workers


@pytest.fixture(scope="module")
def planted(tmp_path_factory, pano, planter) -> tuple[Path, list[list]]:
    """2 s at 15 fps, 2048×1024: the landscape with a face across the seam and one near the pole,
    moving a little from frame to frame (as in test_one_pass; slower, as the keyframes are 15
    frames apart here: a face whose centre crosses the seam between them is found again in the one
    pass's output too, which is the tracker's business, not the chunks')."""
    folder = tmp_path_factory.mktemp("planted")
    faces = []
    for n in range(FRAMES):
        frame, seam = planter(pano, "astronaut", SEAM[0] - 1.5 + 0.04 * n, SEAM[1], 14.0)
        frame, pole = planter(frame, "grace_hopper", POLE[0] + 0.1 * n, POLE[1], 14.0)
        faces.append([seam, pole])
        cv2.imwrite(str(folder / f"f{n:02d}.png"), frame)
    clip = folder / "planted.mp4"
    run_tool(["ffmpeg", "-v", "error", "-y", "-framerate", str(FPS), "-i", folder / "f%02d.png", "-c:v", "libx264",
              "-preset", "ultrafast", "-crf", "14", "-pix_fmt", "yuv420p", clip])
    return clip, faces


def write_script(folder: Path, footage: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    text = (f"  - id: plein\n    title: {{nl: Het plein}}\n    footage: {os.path.relpath(footage, folder)}\n"
            f"    in: 0\n    out: {FRAMES / FPS}\n    contexts: [intake]\n    audience: {{routes: [BOL], levels: [3]}}\n")
    path = folder / "testzorg.yaml"
    path.write_text(minimal_script("") + text, encoding="utf-8")
    return path


class ChunkSpy:
    """The chunk task, noting each run in ``folder``; with ``die_once`` the first run kills its own
    worker process mid-chunk (its marker file says it did), as a worker lost to the OOM killer."""

    def __init__(self, folder: Path, die_once: bool = False):
        self.folder, self.die_once = Path(folder), die_once

    def __call__(self, task):
        (self.folder / f"ran-{task.chunk.index}-{os.getpid()}-{len(list(self.folder.iterdir()))}").touch()
        marker = self.folder / "killed"
        if self.die_once and task.chunk.index == 0 and not marker.exists():
            marker.touch()
            os._exit(1)
        return encode_chunk(task)


def _settings(settings, folder: Path):
    return own_render_cache(replace(settings, data_dir=folder / "data", encoder_preset="ultrafast"))


def _plan(seconds: float, fps: float = 30.0, profiles=("quest2", "web")) -> ScenePlan:
    renditions = tuple(Rendition(get_profile(p), 1920, 960) for p in profiles)
    return ScenePlan("s", "a", 0, {"nl": "a"}, "x.mp4", "0" * 64, "video", "mono", False, fps, 1.0, 1.0 + seconds,
                     (0.0, 0.0, 0.0), (0.0, 0.0), renditions, "ultrafast", source_size=(1920, 960))


def test_chunks_are_whole_gops_and_a_short_scene_is_not_chunked():
    fps = Fraction(30)
    assert chunk_length(_plan(12), fps, 4.0) == 120
    assert chunk_length(_plan(12), fps, 4.2) == 120  # rounded to whole GOPs (1 s at 30 fps)
    assert chunk_length(_plan(12), Fraction(25), 0.5) == 75  # the tracker's keyframe interval (15) and the GOP (25)
    chunks = plan_chunks(_plan(10), fps, 4.0)
    assert [(c.first, c.frames, c.peek) for c in chunks] == [(0, 120, True), (120, 120, True), (240, 60, False)]
    assert chunks[0].start_s == 1.0 and chunks[1].start_s == pytest.approx(5.0 - 1 / 60)  # half a frame before
    assert chunks[1].duration_s == pytest.approx(121 / 30)  # its frames and the next chunk's first
    assert plan_chunks(_plan(7.9), fps, 4.0) == [] and len(plan_chunks(_plan(8), fps, 4.0)) == 2


def test_the_chunk_length_is_a_setting_and_only_dask_chunks():
    from render.executors import get_executor
    from zorgblik.settings import Settings

    assert Settings.from_env({}).chunk_s == 4.0
    assert Settings.from_env({"ZORGBLIK_CHUNK_S": "2.5"}).chunk_s == 2.5  # a number, not the text
    assert get_executor("dask", chunk_s=2.5).chunks.chunk_s == 2.5
    assert get_executor("dask", chunk_s=0).chunks is None  # 0: a scene is one task
    assert not hasattr(get_executor("local", jobs=2, chunk_s=2.5), "chunks")


@pytest.mark.slow
def test_a_chunked_scene_on_a_cluster_equals_the_one_pass_and_no_face_reaches_it(tmp_path, planted_clip, planted_faces,
                                                                                on_face, settings):
    spy = tmp_path / "spy"
    spy.mkdir()
    profiles = ["quest2", "web"]
    seen: dict[str, list[float]] = {"dask": [], "inline": []}
    built = {}
    for name, executor in (("dask", DaskExecutor(jobs=2, chunk_s=1.0, chunk_work=ChunkSpy(spy))),
                           ("inline", InlineExecutor())):
        ours = _settings(settings, tmp_path / name)
        with Catalog(ours.catalog_url) as catalog:
            [built[name]] = build_script(write_script(tmp_path / name, planted_clip), settings=ours, catalog=catalog,
                                         profiles=profiles, executor=executor,
                                         progress=lambda scene, f, name=name: seen[name].append(f))
        assert not list((ours.cache_dir / "chunks").glob("*/*")), "chunks are removed once joined"
    assert sorted(p.name.split("-")[1] for p in spy.iterdir()) == ["0", "1"]  # two chunk tasks ran
    assert built["dask"].encoded == built["inline"].encoded == 2
    assert seen["dask"][-1] == 1.0 and seen["dask"] == sorted(seen["dask"])  # per chunk, to the end
    check = sphere_detector(rolls=1)  # the planted faces are upright: the level search finds them
    first = next(read_frames(planted_clip, SIZE, pix_fmt="bgr24", frames=1)).reshape(SIZE[1], SIZE[0], 3)
    for face in planted_faces[0]:  # the control: each is findable, and on_face knows it when found
        assert on_face(check(first), [face]), face
    for profile in profiles:
        chunked = built["dask"].bundle_dir / f"scene.{profile}.mp4"
        whole = built["inline"].bundle_dir / f"scene.{profile}.mp4"
        assert media_facts(chunked) == media_facts(whole)
        assert media_facts(chunked)[3:5] == (FRAMES, (0.0, 1.0))  # a keyframe at each chunk's start
        info = probe(chunked)
        frames = list(read_frames(chunked, (info.width, info.height), pix_fmt="bgr24"))
        assert len(frames) == FRAMES
        for n, frame in enumerate(frames):
            faces = on_face(check(frame.reshape(info.height, info.width, 3)), planted_faces[n])
            assert faces == [], f"{profile}, frame {n}: {faces}"


@pytest.mark.slow
def test_a_worker_killed_mid_chunk_is_retried_and_the_joined_rendition_checks(tmp_path, planted_clip, settings):
    spy = tmp_path / "spy"
    spy.mkdir()
    ours = _settings(settings, tmp_path)
    with Catalog(ours.catalog_url) as catalog:
        [built] = build_script(write_script(tmp_path / "script", planted_clip), settings=ours, catalog=catalog,
                               profiles=["web"],
                               executor=DaskExecutor(jobs=2, chunk_s=1.0, chunk_work=ChunkSpy(spy, die_once=True)))
    assert (spy / "killed").exists()
    assert len([p for p in spy.iterdir() if p.name.startswith("ran-0-")]) >= 2  # the killed chunk ran again
    rendition = built.bundle_dir / "scene.web.mp4"
    packets = video_packets(rendition)
    assert (packets.frames, packets.keyframes) == (FRAMES, (0.0, 1.0))
    assert read_spherical(rendition) is not None and built.encoded == 1


class _HereMap(ChunkMap):
    """The chunk tasks in this process, one after another (no cluster): the join's check is what
    is under test."""

    def map(self, fn, items, done):
        out = []
        for count, item in enumerate(items, 1):
            out.append(fn(item))
            done(count)
        return out


@pytest.mark.slow
def test_a_join_that_fails_its_check_is_one_line_and_leaves_nothing(tmp_path, planted_clip, settings, monkeypatch):
    ours = _settings(settings, tmp_path)
    real = render.chunks.video_packets
    monkeypatch.setattr(render.chunks, "video_packets",
                        lambda path, **kw: replace(real(path, **kw), frames=real(path, **kw).frames - 1))
    token = _chunk_map.set(_HereMap(chunk_s=1.0))
    try:
        with Catalog(ours.catalog_url) as catalog, pytest.raises(OutputInvalid) as failed:
            build_script(write_script(tmp_path / "script", planted_clip), settings=ours, catalog=catalog,
                         profiles=["web"], executor=InlineExecutor())
    finally:
        _chunk_map.reset(token)
    message = str(failed.value)
    assert "\n" not in message and "samengevoegde rendition heeft 29 beelden, verwacht 30" in message
    assert "scène plein (web)" in message
    cache = ours.cache_dir
    assert not any((cache / "encode").glob("*")), "no rendition entered the cache"
    assert not [p for p in (cache / "chunks").rglob("*")], "no chunk kept"
    assert not [p for p in cache.iterdir() if p.name.startswith(".")], "no temp folder left"


@pytest.mark.slow
def test_a_chunked_stereo_scene_with_sound_joins_the_trimmed_sound(tmp_path, settings):
    """Top-bottom stereo at 29.96 fps with sound: the join adds the source's sound trimmed to the
    scene beside the copied picture, as the one pass does."""
    facts = {}
    for name, executor in (("dask", DaskExecutor(jobs=2, chunk_s=4.0)), ("inline", InlineExecutor())):
        ours = _settings(settings, tmp_path / name)
        folder = tmp_path / name / "script"
        folder.mkdir(parents=True)
        scene = (f"  - id: congo\n    title: {{nl: Congo}}\n    footage: {os.path.relpath(STEREO_VIDEO, folder)}\n"
                 "    in: 0.5\n    out: 8.5\n    contexts: [intake]\n    audience: {routes: [BOL], levels: [3]}\n")
        (folder / "congo.yaml").write_text(minimal_script(scene), encoding="utf-8")
        with Catalog(ours.catalog_url) as catalog:
            [built] = build_script(folder / "congo.yaml", settings=ours, catalog=catalog, profiles=["web"],
                                   executor=executor)
        path = built.bundle_dir / "scene.web.mp4"
        info = ffprobe_json(path)
        audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
        codec, width, height, frames, keys, duration, spherical = media_facts(path)
        facts[name] = (codec, width, height, frames, [round(k, 2) for k in keys], round(duration, 2), spherical,
                       audio["codec_name"], round(float(audio["duration"]), 2))
    assert facts["dask"] == facts["inline"]
    assert facts["dask"][3] == 240 and facts["dask"][-1] == 8.0 and facts["dask"][6].stereo == "top-bottom"
