"""VR180 from capture to a scene bundle (issue #17): a VR180 clip made here with ffmpeg's v360
(``output=hequirect``, each eye the front 180°, V2 ``equi`` bounds as a VR180 camera writes them)
is built like any scene: faces are searched on each eye's half sphere and blurred (no planted face
is left in any frame of any rendition), every rendition keeps the source's eye layout and says
VR180 in both metadata schemes (V1's cropped area, V2's ``equi`` bounds with ``st3d``), and the
bundle says it is VR180 and carries the half sphere to draw it on."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from render import build_script
from render.privacy import sphere_detector
from scripts_vr.templates import minimal_script
from support import vr180_clip
from zorgblik.bundle import MESH, read_manifest
from zorgblik.media.frames import read_frames
from zorgblik.media.probe import probe
from zorgblik.media.spherical import VR180_BOUNDS, read_spherical, verify_spherical

FPS, FRAMES = 5, 5
#: Where the faces are planted (yaw, pitch): near the right edge of the half sphere, and near the pole.
EDGE, POLE = (62.0, 0.0), (-25.0, 64.0)


def write_script(folder: Path, footage: Path) -> Path:
    text = (f"  - id: terras\n    title: {{nl: Het terras}}\n    footage: {os.path.relpath(footage, folder)}\n"
            f"    in: 0\n    out: {FRAMES / FPS}\n    contexts: [intake]\n    audience: {{routes: [BOL], levels: [3]}}\n")
    path = folder / "vr180zorg.yaml"
    path.write_text(minimal_script("") + text, encoding="utf-8")
    return path


def eyes_of(frame: np.ndarray, stereo: str) -> list[np.ndarray]:
    """The eyes of a VR180 frame, each its front half sphere (1:1)."""
    h, w = frame.shape[:2]
    if stereo == "left-right":
        return [frame[:, : w // 2], frame[:, w // 2:]]
    if stereo == "top-bottom":
        return [frame[: h // 2], frame[h // 2:]]
    return [frame]


def on_the_sphere(eye: np.ndarray) -> np.ndarray:
    """A VR180 eye padded with black to the whole 2:1 sphere (what the face model reads)."""
    quarter = eye.shape[1] // 2
    return np.pad(eye, ((0, 0), (quarter, quarter), (0, 0)))


@pytest.fixture(scope="module")
def planted_vr180(tmp_path_factory, pano, planter) -> Path:
    """1 s at 5 fps of VR180 side by side, each eye 1024×1024: the landscape with one face near the
    edge of the half sphere and one near the pole, moving a little from frame to frame."""
    panos = []
    for n in range(FRAMES):
        frame, _ = planter(pano, "astronaut", EDGE[0] + 0.5 * n, EDGE[1], 14.0)
        frame, _ = planter(frame, "grace_hopper", POLE[0] + n, POLE[1], 14.0)
        panos.append(frame)
    return vr180_clip(tmp_path_factory.mktemp("vr180"), "planted", panos, eye=1024, fps=FPS)


@pytest.fixture
def fast(settings):
    return replace(settings, encoder_preset="ultrafast")


@pytest.mark.slow
def test_no_face_reaches_any_rendition_of_a_vr180_build(tmp_path, planted_vr180, fast, catalog):
    check = sphere_detector(rolls=1)  # the planted faces are upright: the level search finds them
    info = probe(planted_vr180)
    first = next(read_frames(planted_vr180, (info.width, info.height), pix_fmt="bgr24", frames=1))
    for eye in eyes_of(first.reshape(info.height, info.width, 3), "left-right"):  # the control: findable in each eye
        found = check(on_the_sphere(eye))
        assert any(abs(b.yaw - EDGE[0]) < 10 and abs(b.pitch) < 25 for b in found), found
        assert any(b.pitch > 50 for b in found), found

    [built] = build_script(write_script(tmp_path, planted_vr180), settings=fast, catalog=catalog,
                           profiles=["quest2", "web"])
    for profile in ("quest2", "web"):
        rendition = built.bundle_dir / f"scene.{profile}.mp4"
        info = probe(rendition)
        assert info.width == 2 * info.height  # two 1:1 eyes side by side, as the source had them
        frames = list(read_frames(rendition, (info.width, info.height), pix_fmt="bgr24"))
        assert len(frames) == FRAMES
        for n, frame in enumerate(frames):
            for e, eye in enumerate(eyes_of(frame.reshape(info.height, info.width, 3), "left-right")):
                assert eye.mean() > 40  # the picture, not a black half
                faces = check(on_the_sphere(eye))
                assert faces == [], f"{profile}, frame {n}, eye {e}: {faces}"
        # both schemes say VR180: V2's equi bounds (and st3d), V1's cropped area; ffprobe agrees
        meta = verify_spherical(rendition, "left-right", expected_bounds=VR180_BOUNDS)
        assert meta.sources == ("v1", "v2") and meta.bounds == pytest.approx(VR180_BOUNDS)

    manifest = read_manifest(built.bundle_dir / "manifest.json")
    assert (manifest.projection, manifest.stereo) == ("equirectangular-vr180", "left-right")
    vertices = [tuple(map(float, line.split()[1:4])) for line in (built.bundle_dir / MESH).read_text().splitlines()
                if line.startswith("v ")]
    assert vertices and max(z for _, _, z in vertices) < 1e-6  # nothing behind the viewer: the half sphere
    assert min(x for x, _, _ in vertices) < -9.9 and max(x for x, _, _ in vertices) > 9.9  # 90° left to 90° right


@pytest.mark.slow
@pytest.mark.parametrize("stereo", ["top-bottom", "mono"])
def test_each_vr180_layout_keeps_its_eyes_and_says_so(tmp_path, pano, fast, catalog, stereo):
    """Top-bottom and mono: the renditions keep the layout, each eye shows its own front half
    (the right eye is the one seen further right), and the metadata says VR180 with that layout."""
    clip = vr180_clip(tmp_path, stereo, [pano], stereo=stereo, eye=256, parallax_deg=20.0, fps=FPS, frames=FRAMES)
    [built] = build_script(write_script(tmp_path, clip), settings=fast, catalog=catalog, profiles=["quest2"])
    rendition = built.bundle_dir / "scene.quest2.mp4"
    info = probe(rendition)
    rows = 2 if stereo == "top-bottom" else 1
    assert info.height == rows * info.width  # each eye 1:1
    source_info = probe(clip)
    source = next(read_frames(clip, (source_info.width, source_info.height), pix_fmt="bgr24", frames=1))
    made = next(read_frames(rendition, (info.width, info.height), pix_fmt="bgr24", frames=1))
    source_eyes = eyes_of(source.reshape(source_info.height, source_info.width, 3), stereo)
    made_eyes = eyes_of(made.reshape(info.height, info.width, 3), stereo)
    for n, (want, got) in enumerate(zip(source_eyes, made_eyes)):
        diff = np.abs(want.astype(float) - got.astype(float)).mean()
        other = np.abs(source_eyes[1 - n].astype(float) - got.astype(float)).mean() if rows == 2 else None
        assert diff < 6, (n, diff)  # the same picture, where it was
        assert other is None or other > diff + 3, (n, diff, other)  # and not the other eye's
    meta = verify_spherical(rendition, stereo, expected_bounds=VR180_BOUNDS)
    assert meta.stereo == stereo
    assert read_manifest(built.bundle_dir / "manifest.json").projection == "equirectangular-vr180"


def test_the_v1_cropped_area_is_one_eye_of_a_half_sphere(tmp_path, pano):
    clip = vr180_clip(tmp_path, "sbs", [pano], eye=128)
    from zorgblik.media.spherical import inject_spherical

    out = tmp_path / "v1.mp4"
    info = inject_spherical(clip, out, stereo="left-right", bounds=VR180_BOUNDS, versions=("v1",))
    assert info.sources == ("v1",) and info.bounds == pytest.approx(VR180_BOUNDS)
    xml = out.read_bytes()
    fields = dict(re.findall(rb"<GSpherical:(Cropped\w+|FullPano\w+)>(\d+)<", xml))
    assert fields == {b"CroppedAreaImageWidthPixels": b"128", b"CroppedAreaImageHeightPixels": b"128",
                      b"FullPanoWidthPixels": b"256", b"FullPanoHeightPixels": b"128",
                      b"CroppedAreaLeftPixels": b"64", b"CroppedAreaTopPixels": b"0"}
    assert read_spherical(clip).sources == ("v2",)  # the camera-like source: V2 only
