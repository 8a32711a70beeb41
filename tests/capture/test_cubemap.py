"""Cubemaps (issue #17): EAC and 3×2 pictures made here from a real equirect fixture with ffmpeg's
v360 are classified by where their faces meet, taken in as the equirect made of them (the picture
matches the fixture it came from) with the original kept, and an ordinary 3:2 photo is not a cube."""

from __future__ import annotations

import functools
from pathlib import Path

import cv2
import numpy as np
import pytest

from capture import FootageStore, LayoutNotSupported, add_footage, classify
from capture.cubemap import CUBE_EDGES_MEET, edge_ratio, equirect_size
from zorgblik.media.ffmpeg import reproject_command
from zorgblik.media.probe import probe
from zorgblik.media.spherical import CubemapFormat, inject_spherical, read_spherical, verify_spherical
from zorgblik.tools import run_tool
from support import FACES_PHOTO, LANDSCAPE_PHOTO, ROOM_PHOTO

#: The fixture at the size the cubemaps are made from: 2048×1024 → 3:2 faces of 512 → 1536×1024.
PANO_SIZE = (2048, 1024)
CUBE_SIZE = (1536, 1024)
#: After the round trip equirect → cubemap → equirect (two resamplings, two JPEGs), compared at
#: 1024×512: the mean absolute difference to the fixture (grey levels of 255) and the PSNR.
#: Measured on LANDSCAPE_PHOTO: EAC 3.10 / 32.7 dB, 3×2 3.34 / 31.9 dB; read with the wrong layout
#: 47–51 / 12 dB. (At the full 2048×1024 the close, sharp rock below the horizon costs more: 5.5 / 28 dB.)
COMPARE_SIZE = (1024, 512)
MAX_MEAN_DIFF = 5.0
MIN_PSNR_DB = 29.0


@functools.cache
def _pano_png(source: Path, folder: Path) -> Path:
    """The fixture ``source`` resized to PANO_SIZE, as a lossless PNG (cached per folder)."""
    out = folder / f"{source.stem}-pano.png"
    image = cv2.imread(str(source), cv2.IMREAD_COLOR)
    cv2.imwrite(str(out), cv2.resize(image, PANO_SIZE, interpolation=cv2.INTER_AREA))
    return out


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """``made(fixture, "eac" | "c3x2" | "flat", suffix)``: a picture made from a fixture with v360."""
    folder = tmp_path_factory.mktemp("cubemaps")

    @functools.cache
    def make(source: Path, target: str, suffix: str = ".jpg") -> Path:
        out = folder / f"{source.stem}-{target}{suffix}"
        args = ("-frames:v", "1") + (("-q:v", "2") if suffix == ".jpg" else ())
        run_tool(reproject_command(_pano_png(source, folder), out, source="e", target=target, size=CUBE_SIZE,
                                   output_args=args))
        return out
    return make


def _grey(path: Path, size=PANO_SIZE) -> np.ndarray:
    return cv2.resize(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE), size, interpolation=cv2.INTER_AREA).astype(np.float32)


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(255.0**2 / np.mean((a - b) ** 2)))


# ── classifying ─────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("target,layout,label", [("eac", "eac", "EAC"), ("c3x2", "cubemap-3x2", "kubus 3×2")])
@pytest.mark.parametrize("fixture", [LANDSCAPE_PHOTO, FACES_PHOTO], ids=["landscape", "faces"])
def test_cubemap_layout_is_told_by_its_face_edges(made, fixture, target, layout, label):
    path = made(fixture, target)
    kind = classify(probe(path), path)
    assert (kind.projection, kind.layout, kind.stereo) == ("cubemap", layout, "mono"), kind.reasons
    assert kind.is_360 and kind.is_cubemap and kind.source == "pixels"
    assert any("3:2" in r for r in kind.reasons)
    assert any(label in r and "sluiten de kubusvlakken op elkaar aan" in r for r in kind.reasons), kind.reasons


@pytest.mark.parametrize("view", ["perspective", "crop"])
def test_an_ordinary_3_to_2_picture_is_not_a_cube(made, tmp_path, view):
    if view == "perspective":  # what a camera sees: a 100° view of the landscape, 3:2
        path = made(LANDSCAPE_PHOTO, "flat")
    else:
        pano = cv2.imread(str(FACES_PHOTO), cv2.IMREAD_REDUCED_COLOR_4)
        path = tmp_path / "crop.jpg"
        cv2.imwrite(str(path), cv2.resize(pano[100:420, 200:680], (768, 512), interpolation=cv2.INTER_AREA))
    kind = classify(probe(path), path)
    assert (kind.projection, kind.layout) == ("not_360", "flat"), kind.reasons
    assert any("sluiten in geen enkele kubusindeling" in r for r in kind.reasons)


def test_edge_ratio_is_low_only_for_the_right_layout(made):
    right, wrong = (_grey(cv2_path, (1024, 512)) for cv2_path in (_reprojected(made(LANDSCAPE_PHOTO, "eac"), "eac"),
                                                                   _reprojected(made(LANDSCAPE_PHOTO, "eac"), "c3x2")))
    assert edge_ratio(right) < 1.3 < CUBE_EDGES_MEET < edge_ratio(wrong)
    assert edge_ratio(np.full((512, 1024), 90, np.float32)) is None  # nothing to compare


def _reprojected(path: Path, source: str) -> Path:
    out = path.with_name(f"{path.stem}-as-{source}.png")
    run_tool(reproject_command(path, out, source=source, size=(1024, 512), output_args=("-pix_fmt", "gray")))
    return out


def test_equirect_size_is_four_faces_round():
    assert equirect_size(4032, 2688) == (5376, 2688)  # GoPro MAX
    assert equirect_size(1536, 1024) == (2048, 1024)
    assert equirect_size(24000, 16000, max_width=16384) == (16384, 8192)


# ── V2 cbmp metadata ────────────────────────────────────────────────────────────────────


def _clip(still: Path, out: Path) -> Path:
    run_tool(["ffmpeg", "-v", "error", "-loop", "1", "-framerate", "10", "-t", "1", "-i", still, "-f", "lavfi", "-i",
              "sine=duration=1", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
              "-shortest", out])
    return out


@pytest.fixture(scope="module")
def gopro_like(made, tmp_path_factory):
    """A GoPro-MAX-like clip: an EAC picture with V2 cubemap metadata (cbmp) and a pose, and sound."""
    folder = tmp_path_factory.mktemp("gopro")
    clip = _clip(made(LANDSCAPE_PHOTO, "eac", ".png"), folder / "plain.mp4")
    out = folder / "GS010001.mp4"
    inject_spherical(clip, out, projection="cubemap", versions=("v2",), pose=(30.0, 0.0, 0.0))
    return out


def test_cubemap_metadata_is_written_and_read_back_as_ffprobe_sees_it(gopro_like):
    info = verify_spherical(gopro_like, "mono", expected_projection="cubemap", require=("v2",))
    assert info.cubemap == CubemapFormat(0, 0) and info.pose.yaw == 30.0


def test_v1_knows_no_cubemap(tmp_path, gopro_like):
    from zorgblik.media.errors import InvalidSpherical

    with pytest.raises(InvalidSpherical, match="V1 kent geen kubusprojectie"):
        inject_spherical(gopro_like, tmp_path / "x.mp4", projection="cubemap")
    assert not (tmp_path / "x.mp4").exists()


def test_cubemap_metadata_is_the_source_and_the_edges_pick_the_layout(gopro_like):
    kind = classify(probe(gopro_like), gopro_like)
    assert (kind.projection, kind.layout, kind.source) == ("cubemap", "eac", "metadata (Spherical Video V2)")
    assert kind.pose.yaw == 30.0 and kind.confidence >= 0.9, kind.reasons
    assert any("EAC" in r and "sluiten" in r for r in kind.reasons)


def test_metadata_cube_whose_edges_tell_nothing_is_the_plain_3x2_of_layout_0(made, tmp_path):
    """The test room's walls meet on the cube's edges: no layout's faces meet (EAC 5.1,
    3×2 6.4 in this clip), so the metadata's layout 0 holds, flagged."""
    path = tmp_path / "room.mp4"
    inject_spherical(_clip(made(ROOM_PHOTO, "c3x2", ".png"), tmp_path / "plain.mp4"), path, projection="cubemap",
                     versions=("v2",))
    kind = classify(probe(path), path)
    assert (kind.projection, kind.layout) == ("cubemap", "cubemap-3x2"), kind.reasons
    assert any("geen enkele kubusindeling" in r and "indeling 0 van de metadata" in r for r in kind.reasons)
    assert kind.confidence < 0.9


# ── taking it in ────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("target", ["eac", "c3x2"])
def test_cubemap_photo_is_taken_in_as_the_equirect_it_holds(made, settings, catalog, target):
    store = FootageStore(settings.store_dir)
    path = made(LANDSCAPE_PHOTO, target)
    result = add_footage(path, catalog=catalog, store=store, category="ouderenzorg")
    f = result.footage
    assert result.created and result.converted_from.layout == {"eac": "eac", "c3x2": "cubemap-3x2"}[target]
    assert (f.projection, f.stereo, f.width, f.height, f.media_kind) == ("equirectangular", "mono", 2048, 1024, "photo")
    assert f.category == "ouderenzorg" and f.original_name == f"{path.stem}-equirect.jpg"
    assert any("omgezet naar equirectangular uit" in r and "origineel is bewaard" in r for r in f.reasons)
    assert any("sluiten de kubusvlakken op elkaar aan" in r for r in f.reasons)

    # the original stays in the store, byte for byte, beside the equirect made of it
    originals = [p for p in settings.store_dir.rglob("*.jpg") if p.read_bytes() == path.read_bytes()]
    assert len(originals) == 1 and not originals[0].stat().st_mode & 0o222

    # the equirect shows the fixture it was made from
    equirect, fixture = _grey(store.path(f.store_path), COMPARE_SIZE), _grey(LANDSCAPE_PHOTO, COMPARE_SIZE)
    diff, psnr = float(np.abs(equirect - fixture).mean()), _psnr(equirect, fixture)
    assert diff < MAX_MEAN_DIFF and psnr > MIN_PSNR_DB, (diff, psnr)

    again = add_footage(path, catalog=catalog, store=store)
    assert not again.created and again.footage.id == f.id
    assert not list((settings.store_dir / ".incoming").iterdir())


@pytest.mark.slow
def test_gopro_like_clip_is_taken_in_with_its_sound_and_pose(gopro_like, settings, catalog):
    store = FootageStore(settings.store_dir)
    result = add_footage(gopro_like, catalog=catalog, store=store)
    f = result.footage
    assert (f.projection, f.media_kind, f.width, f.height, f.has_audio) == ("equirectangular", "video", 2048, 1024, True)
    assert f.duration_s == pytest.approx(1.0, abs=0.1) and f.pose_yaw == 30.0
    stored = store.path(f.store_path)
    info = read_spherical(stored)
    assert (info.projection, info.pose.yaw) == ("equirectangular", 30.0)
    assert any("GS010001.mp4" in r and "EAC" in r for r in f.reasons)
    assert any(p.read_bytes() == gopro_like.read_bytes() for p in settings.store_dir.rglob("*.mp4"))


@pytest.mark.slow
def test_padding_the_metadata_names_is_cut_away(made, tmp_path, settings, catalog):
    """A 3×2 cubemap with 8 pixels of padding round each face (v360's fout_pad) and a cbmp box
    that says so: the equirect matches the fixture (read without the padding: 9.7 grey levels off)."""
    padded = tmp_path / "padded.png"
    run_tool(["ffmpeg", "-v", "error", "-i", _pano_png(LANDSCAPE_PHOTO, tmp_path), "-vf",
              "v360=input=e:output=c3x2:w=1536:h=1024:fout_pad=8", "-frames:v", "1", padded])
    path = tmp_path / "padded.mp4"
    inject_spherical(_clip(padded, tmp_path / "plain.mp4"), path, projection="cubemap", versions=("v2",),
                     cubemap=CubemapFormat(0, 8))
    kind = classify(probe(path), path)
    assert (kind.layout, kind.cube_padding) == ("cubemap-3x2", 8) and any("8 pixels rand" in r for r in kind.reasons)

    f = add_footage(path, catalog=catalog, store=FootageStore(settings.store_dir)).footage
    frame = tmp_path / "frame.png"
    run_tool(["ffmpeg", "-v", "error", "-i", FootageStore(settings.store_dir).path(f.store_path), "-frames:v", "1", frame])
    equirect, fixture = _grey(frame, COMPARE_SIZE), _grey(LANDSCAPE_PHOTO, COMPARE_SIZE)
    assert float(np.abs(equirect - fixture).mean()) < MAX_MEAN_DIFF


def test_stereo_cubemap_is_refused_and_nothing_is_stored(made, tmp_path, settings, catalog):
    clip = _clip(made(LANDSCAPE_PHOTO, "eac", ".png"), tmp_path / "plain.mp4")
    path = tmp_path / "stereo.mp4"
    inject_spherical(clip, path, projection="cubemap", versions=("v2",), stereo="top-bottom")
    with pytest.raises(LayoutNotSupported, match="stereo-kubus") as caught:
        add_footage(path, catalog=catalog, store=FootageStore(settings.store_dir))
    assert caught.value.where == str(path)
    assert not [p for p in settings.store_dir.rglob("*") if p.is_file()]
