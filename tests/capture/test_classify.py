"""Classifying real footage, and layouts made in the test from it: metadata first, then pixels."""

from __future__ import annotations

import functools
import struct
from pathlib import Path

import cv2
import numpy as np
import pytest

from capture import classify
from capture.classify import measure_pixels, read_frame, seam_ratio
from zorgblik.media.probe import probe
from zorgblik.media.spherical import inject_spherical
from support import (BACK_LENS, FACES_PHOTO, FLAT_VIDEO, FRONT_LENS, GLOWSTICKS_PHOTO, HALF_DOME_PHOTO, LANDSCAPE_PHOTO,
                     MONO_VIDEO, ROOM_PHOTO, STEREO_VIDEO)

# name, projection, layout, stereo
FIXTURES = [
    (MONO_VIDEO, "equirectangular", "full", "mono"),
    (STEREO_VIDEO, "equirectangular", "full", "top-bottom"),
    (FLAT_VIDEO, "not_360", "flat", "mono"),
    (HALF_DOME_PHOTO, "equirectangular", "full", "mono"),
    (GLOWSTICKS_PHOTO, "equirectangular", "full", "mono"),
    (ROOM_PHOTO, "equirectangular", "full", "mono"),
    (LANDSCAPE_PHOTO, "equirectangular", "full", "mono"),
    (FACES_PHOTO, "equirectangular", "full", "mono"),
    (FRONT_LENS, "fisheye", "fisheye-half", "mono"),
    (BACK_LENS, "fisheye", "fisheye-half", "mono"),
]


@functools.cache
def _classified(path: Path):
    """Each fixture is classified once per run (a video frame costs an ffmpeg start)."""
    return classify(probe(path), path)


@pytest.mark.parametrize("path,projection,layout,stereo", FIXTURES,
                         ids=[f"{f[0].parent.name}/{f[0].name}" for f in FIXTURES])
def test_every_fixture_is_classified(path: Path, projection, layout, stereo):
    kind = _classified(path)
    assert (kind.projection, kind.layout, kind.stereo) == (projection, layout, stereo), kind.reasons
    assert kind.reasons and 0.5 <= kind.confidence <= 1.0


def test_theta_photo_keeps_metadata_projection_but_flags_the_size():
    kind = _classified(HALF_DOME_PHOTO)
    assert kind.source == "metadata (XMP GPano)"
    assert any("5376×2688" in r and "800×400" in r and "verschillen" in r for r in kind.reasons)
    assert kind.pose.pitch == pytest.approx(1.3) and kind.pose.roll == pytest.approx(0.2)
    assert kind.pose.yaw == 0.0  # a compass heading is not a correction
    assert kind.confidence < 0.97


def test_congo_clip_is_top_bottom_by_metadata_although_16_to_9():
    kind = _classified(STEREO_VIDEO)
    assert kind.source.startswith("metadata (Spherical Video")
    assert any("1920×540" in r and "geen 2:1" in r for r in kind.reasons)
    assert any("hetzelfde beeld" in r for r in kind.reasons)  # the pixels confirm the stereo


def test_seam_tells_a_true_equirect_from_a_shifted_crop():
    pano = cv2.imread(str(LANDSCAPE_PHOTO), cv2.IMREAD_REDUCED_GRAYSCALE_4)
    pano = pano.astype(np.float32)
    assert seam_ratio(pano) < 0.2
    assert seam_ratio(pano[:, 60:900]) > 0.4
    assert seam_ratio(np.full((64, 128), 90, np.float32)) is None  # nothing to compare


# ── layouts made from the fixtures ─────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def grey():
    @functools.cache
    def load(path: Path, width: int | None = None) -> np.ndarray:
        flag = cv2.IMREAD_REDUCED_GRAYSCALE_2 if width and width <= 2048 and "4096" in path.name else cv2.IMREAD_GRAYSCALE
        image = cv2.imread(str(path), flag)
        if width:
            image = cv2.resize(image, (width, round(image.shape[0] * width / image.shape[1])), interpolation=cv2.INTER_AREA)
        return image
    return load


def _gpano(jpeg: bytes, **props) -> bytes:
    """``jpeg`` with an XMP GPano packet (what a camera or editor writes) after its SOI marker."""
    attrs = " ".join(f'GPano:{k}="{v}"' for k, v in props.items())
    xmp = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           f'<rdf:Description xmlns:GPano="http://ns.google.com/photos/1.0/panorama/" {attrs}/></rdf:RDF></x:xmpmeta>')
    payload = b"http://ns.adobe.com/xap/1.0/\0" + xmp.encode()
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def _on_black(image: np.ndarray, side: int) -> np.ndarray:
    """A lens image scaled into a black square, as a 3840×1920-style camera frame holds it."""
    h, w = image.shape
    scaled = cv2.resize(image, (round(w * side / h), side), interpolation=cv2.INTER_AREA)
    cell = np.zeros((side, side), np.uint8)
    x = (side - scaled.shape[1]) // 2
    cell[:, x : x + scaled.shape[1]] = scaled
    return cell


def _side_by_side(grey):
    room = grey(ROOM_PHOTO, 1024)
    return np.hstack([room, np.roll(room, 3, axis=1)])  # second eye: a little parallax


def _top_bottom(grey):
    pano = grey(LANDSCAPE_PHOTO, 1024)
    return np.vstack([pano, np.roll(pano, 3, axis=1)])


def _dual_fisheye_halves(grey):
    return np.hstack([grey(FRONT_LENS), grey(BACK_LENS)])


def _dual_fisheye_squares(grey):
    return np.hstack([_on_black(grey(FRONT_LENS), 960),
                      _on_black(grey(BACK_LENS), 960)])


def _partial(grey):
    pano = grey(LANDSCAPE_PHOTO, 1024)
    return pano[71 : 71 + 370]  # 1024×370 = 2.77:1, the full width kept


def _vr180(grey):
    pano = grey(FACES_PHOTO, 1024)
    return np.hstack([pano[:, 256:768], pano[:, 258:770]])  # two 180° views a few pixels apart


def _crop_breaks_seam(grey):
    pano = grey(LANDSCAPE_PHOTO, 1024)
    return cv2.resize(pano[:, 125:875], (1024, 512), interpolation=cv2.INTER_AREA)


def _testsrc_2to1(grey):
    clip = FLAT_VIDEO
    return cv2.resize(read_frame(clip, probe(clip)), (640, 320), interpolation=cv2.INTER_AREA)


# make, projection, layout, stereo
SYNTHESIZED = [
    (_side_by_side, "equirectangular", "full", "left-right"),
    (_top_bottom, "equirectangular", "full", "top-bottom"),
    (_dual_fisheye_halves, "fisheye", "dual-fisheye", "mono"),
    (_dual_fisheye_squares, "fisheye", "dual-fisheye", "mono"),
    (_partial, "equirectangular", "partial", "mono"),
    (_vr180, "equirectangular", "vr180", "left-right"),
    (_crop_breaks_seam, "not_360", "flat", "mono"),
    (_testsrc_2to1, "not_360", "flat", "mono"),
]


@pytest.mark.parametrize("make,projection,layout,stereo", SYNTHESIZED, ids=[s[0].__name__.strip("_") for s in SYNTHESIZED])
def test_synthesized_layout_is_classified(grey, tmp_path, make, projection, layout, stereo):
    path = tmp_path / "frame.jpg"
    cv2.imwrite(str(path), make(grey))
    kind = classify(probe(path), path)
    assert (kind.projection, kind.layout, kind.stereo) == (projection, layout, stereo), kind.reasons
    assert kind.source == "pixels"


def test_partial_with_gpano_crop_knows_where_the_crop_is(grey, tmp_path):
    ok, jpeg = cv2.imencode(".jpg", _partial(grey))
    path = tmp_path / "partial.jpg"
    path.write_bytes(_gpano(jpeg.tobytes(), ProjectionType="equirectangular", FullPanoWidthPixels=1024,
                            FullPanoHeightPixels=512, CroppedAreaImageWidthPixels=1024,
                            CroppedAreaImageHeightPixels=370, CroppedAreaLeftPixels=0, CroppedAreaTopPixels=71))
    kind = classify(probe(path), path)
    assert (kind.layout, kind.catalog_projection) == ("partial", "equirectangular-partial")
    assert kind.crop.top == pytest.approx(71 / 512) and kind.crop.bottom == pytest.approx(71 / 512)
    assert kind.crop.left == kind.crop.right == 0
    assert not any("verschillen" in r for r in kind.reasons)


def test_metadata_that_disagrees_with_pixels_is_kept_and_flagged(grey, tmp_path):
    ok, jpeg = cv2.imencode(".jpg", _partial(grey))
    path = tmp_path / "says_full.jpg"
    path.write_bytes(_gpano(jpeg.tobytes(), ProjectionType="equirectangular", FullPanoWidthPixels=1024,
                            FullPanoHeightPixels=512, CroppedAreaImageWidthPixels=1024,
                            CroppedAreaImageHeightPixels=512, CroppedAreaLeftPixels=0, CroppedAreaTopPixels=0))
    kind = classify(probe(path), path)
    assert (kind.projection, kind.layout) == ("equirectangular", "full")
    assert any("verschillen" in r and "1024×370" in r for r in kind.reasons)
    assert kind.confidence < 0.9


def test_spherical_v2_pose_is_read(grey, tmp_path):
    path = tmp_path / "posed.mp4"
    inject_spherical(MONO_VIDEO, path, pose=(30.0, 5.0, -2.0))
    frame = grey(ROOM_PHOTO, 1024)  # the same room; spares an ffmpeg start
    kind = classify(probe(path), path, frame=frame)
    assert kind.layout == "full" and kind.pose == pytest.approx((30.0, 5.0, -2.0))


def test_pixel_facts_on_an_array():
    black = np.zeros((512, 1024), np.uint8)
    facts = measure_pixels(black)
    assert facts.seam is None and facts.circles == 0
