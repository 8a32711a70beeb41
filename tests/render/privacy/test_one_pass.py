"""A clip's build in one pass (#15): decoded once, faces searched and blurred, every rendition
encoded by one ffmpeg process; what the search found is cached as tracks, so a new profile or a
new blur region blurs again without searching; a crash mid-encode leaves nothing half-made."""

from __future__ import annotations

import contextlib
import os
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

import render.stages
from render import build_script
from render.privacy import sphere_detector
from render.privacy.detect import DEFAULT_MODEL, SphereDetector
from scripts_vr.templates import minimal_script
from support import own_render_cache
from zorgblik.media.frames import read_frames
from zorgblik.media.probe import probe
from zorgblik.tools import run_tool

FPS, FRAMES, SIZE = 5, 5, (2048, 1024)
#: Where the planted faces are: across the left/right seam, and near the north pole.
SEAM, POLE = (180.0, 0.0), (20.0, 68.0)


@pytest.fixture(scope="module")
def planted(tmp_path_factory, pano, planter) -> tuple[Path, list[list]]:
    """1 s at 5 fps, 2048×1024: the landscape with one face across the seam and one near the
    pole, both moving a little from frame to frame."""
    folder = tmp_path_factory.mktemp("planted")
    faces = []
    for n in range(FRAMES):
        frame, seam = planter(pano, "astronaut", SEAM[0] - 1.0 + 0.5 * n, SEAM[1], 14.0)
        frame, pole = planter(frame, "grace_hopper", POLE[0] + n, POLE[1], 14.0)
        faces.append([seam, pole])
        cv2.imwrite(str(folder / f"f{n:02d}.png"), frame)
    clip = folder / "planted.mp4"
    run_tool(["ffmpeg", "-v", "error", "-y", "-framerate", str(FPS), "-i", folder / "f%02d.png", "-c:v", "libx264",
              "-preset", "ultrafast", "-crf", "14", "-pix_fmt", "yuv420p", clip])
    return clip, faces


def write_script(folder: Path, footage: Path, regions: str = "") -> Path:
    text = (f"  - id: plein\n    title: {{nl: Het plein}}\n    footage: {os.path.relpath(footage, folder)}\n"
            f"    in: 0\n    out: {FRAMES / FPS}\n    contexts: [intake]\n    audience: {{routes: [BOL], levels: [3]}}\n")
    if regions:
        text += f"    privacy:\n      blur_regions:\n        - {regions}\n"
    path = folder / "testzorg.yaml"
    path.write_text(minimal_script("") + text, encoding="utf-8")
    return path


@pytest.fixture
def fast(settings):
    return own_render_cache(replace(settings, encoder_preset="ultrafast"))


@pytest.fixture
def searches(monkeypatch) -> list[int]:
    """How many frames the face model looked at (each search of a SphereDetector)."""
    calls: list[int] = []
    original = SphereDetector.search

    def counted(self, frame, memory=None):
        calls.append(1)
        return original(self, frame, memory)

    monkeypatch.setattr(SphereDetector, "search", counted)
    return calls


@pytest.fixture
def ladders(monkeypatch) -> list[list[str]]:
    """The renditions each one-pass ffmpeg process encoded (by profile)."""
    seen: list[list[str]] = []
    original = render.stages.ladder_command

    def spy(plan, renditions, *args, **kwargs):
        seen.append([r.name for r in renditions])
        return original(plan, renditions, *args, **kwargs)

    monkeypatch.setattr(render.stages, "ladder_command", spy)
    return seen


@pytest.mark.slow
def test_no_face_reaches_any_rendition_of_a_two_profile_build(tmp_path, planted_clip, planted_faces, on_face, fast,
                                                               catalog, ladders):
    check = sphere_detector(rolls=1)  # the planted faces are upright: the level search finds them
    first = next(read_frames(planted_clip, SIZE, pix_fmt="bgr24", frames=1)).reshape(SIZE[1], SIZE[0], 3)
    found = check(first)
    for face in planted_faces[0]:  # the control: each is findable, and on_face knows it when found
        assert on_face(found, [face]), (face, found)

    [built] = build_script(write_script(tmp_path, planted_clip), settings=fast, catalog=catalog,
                           profiles=["quest2", "web"])
    assert ladders == [["quest2", "web"]] and built.encoded == 2  # one ffmpeg process for both
    for profile in ("quest2", "web"):
        rendition = built.bundle_dir / f"scene.{profile}.mp4"
        info = probe(rendition)
        frames = list(read_frames(rendition, (info.width, info.height), pix_fmt="bgr24"))
        assert len(frames) == FRAMES
        for n, frame in enumerate(frames):
            faces = on_face(check(frame.reshape(info.height, info.width, 3)), planted_faces[n])
            assert faces == [], f"{profile}, frame {n}: {faces}"


def test_a_new_profile_and_a_new_region_blur_again_from_the_tracks(tmp_path, planted_clip, fast, catalog, searches,
                                                                   ladders):
    script = write_script(tmp_path, planted_clip)
    [first] = build_script(script, settings=fast, catalog=catalog, profiles=["web"])
    assert first.privacy_pass_ran and searches and first.encoded == 1
    assert len(list((fast.cache_dir / "tracks").glob("*.json"))) == 1
    searched = len(searches)

    [more] = build_script(script, settings=fast, catalog=catalog, profiles=["web", "quest2"])
    assert more.encoded == 1 and ladders[-1] == ["quest2"]  # only the new rendition
    assert not more.privacy_pass_ran and len(searches) == searched  # no face search: the tracks were reused

    write_script(tmp_path, planted_clip, regions="{yaw: 90, pitch: 0, width: 20, height: 20, reason: scherm}")
    [region] = build_script(script, settings=fast, catalog=catalog, profiles=["web", "quest2"])
    assert region.encoded == 2 and ladders[-1] == ["web", "quest2"]  # another blurred picture: both again
    assert not region.privacy_pass_ran and len(searches) == searched
    assert len(list((fast.cache_dir / "tracks").glob("*.json"))) == 1


def test_the_face_model_setting_chooses_the_model_that_searches_and_names_the_tracks(tmp_path, planted_clip, fast,
                                                                                    catalog, monkeypatch):
    models: list[str] = []
    original = SphereDetector.search

    def named(self, frame, memory=None):
        models.append(self.model.name)
        return original(self, frame, memory)

    monkeypatch.setattr(SphereDetector, "search", named)
    script = write_script(tmp_path, planted_clip)
    [first] = build_script(script, settings=fast, catalog=catalog, profiles=["web"])
    assert first.privacy_pass_ran and set(models) == {DEFAULT_MODEL} == {"centerface-int8"}

    models.clear()
    fp32 = replace(fast, face_model="centerface")
    [other] = build_script(script, settings=fp32, catalog=catalog, profiles=["web", "quest2"])
    assert other.privacy_pass_ran and models and set(models) == {"centerface"}  # its own tracks: a search of its own
    assert len(list((fast.cache_dir / "tracks").glob("*.json"))) == 2

    models.clear()
    [again] = build_script(script, settings=replace(fp32, face_model=""), catalog=catalog, profiles=["web", "quest2"])
    assert not again.privacy_pass_ran and models == []  # empty is the default, whose tracks are cached


class _DiesAfter:
    """An encoder's stdin that breaks after a few frames, as when ffmpeg is killed mid-encode."""

    def __init__(self, stdin, frames: int):
        self.stdin, self.left = stdin, frames

    def write(self, data):
        self.left -= 1
        if self.left < 0:
            raise OSError("encoder weg")
        return self.stdin.write(data)

    def __getattr__(self, name):
        return getattr(self.stdin, name)


@pytest.mark.slow
def test_a_crash_mid_encode_leaves_nothing_half_made(tmp_path, planted_clip, fast, catalog, monkeypatch):
    original = render.stages.stream_tool

    @contextlib.contextmanager
    def dying(*args, **kwargs):
        with original(*args, **kwargs) as proc:
            proc.stdin = _DiesAfter(proc.stdin, 2)
            yield proc

    monkeypatch.setattr(render.stages, "stream_tool", dying)
    script = write_script(tmp_path, planted_clip)
    with pytest.raises(OSError):
        build_script(script, settings=fast, catalog=catalog, profiles=["web", "quest2"])
    cache = fast.cache_dir
    left = sorted(str(p.relative_to(cache)) for p in cache.rglob("*") if p.is_file())
    assert not [name for name in left if name.startswith(("encode", "poster", "privacy", "tracks", "."))], left
    assert not [p for p in cache.iterdir() if p.name.startswith(".")]

    monkeypatch.setattr(render.stages, "stream_tool", original)
    [built] = build_script(script, settings=fast, catalog=catalog, profiles=["web", "quest2"])
    assert built.encoded == 2 and np.all([(built.bundle_dir / f"scene.{p}.mp4").stat().st_size > 0
                                          for p in ("web", "quest2")])
