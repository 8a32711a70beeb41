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

# name, projection, layout, stereo
FIXTURES = [
    ("video/testroom_1920x960_mono.mp4", "equirectangular", "full", "mono"),
    ("video/congo_stereo_tb_1920x1080.mp4", "equirectangular", "full", "top-bottom"),
    ("video/testsrc_320x240_not360.mp4", "not_360", "flat", "mono"),
    ("equirect/theta_half_dome_01.jpg", "equirectangular", "full", "mono"),
    ("equirect/theta_glowsticks.jpg", "equirectangular", "full", "mono"),
    ("equirect/testroom_2048x1024.jpg", "equirectangular", "full", "mono"),
    ("equirect/pannellum_examplepano_4096.jpg", "equirectangular", "full", "mono"),
    ("equirect/aframe_puydesancy_4096_faces.jpg", "equirectangular", "full", "mono"),
    ("dualfisheye/theta_front_table.jpg", "fisheye", "fisheye-half", "mono"),
    ("dualfisheye/theta_back_table.jpg", "fisheye", "fisheye-half", "mono"),
]


@functools.cache
def _classified(path: Path):
    """Each fixture is classified once per run (a video frame costs an ffmpeg start)."""
    return classify(probe(path), path)


@pytest.mark.parametrize("name,projection,layout,stereo", FIXTURES, ids=[f[0] for f in FIXTURES])
def test_every_fixture_is_classified(footage_dir: Path, name, projection, layout, stereo):
    kind = _classified(footage_dir / name)
    assert (kind.projection, kind.layout, kind.stereo) == (projection, layout, stereo), kind.reasons
    assert kind.reasons and 0.5 <= kind.confidence <= 1.0


def test_theta_photo_keeps_metadata_projection_but_flags_the_size(footage_dir):
    kind = _classified(footage_dir / "equirect/theta_half_dome_01.jpg")
    assert kind.source == "metadata (XMP GPano)"
    assert any("5376×2688" in r and "800×400" in r and "verschillen" in r for r in kind.reasons)
    assert kind.pose.pitch == pytest.approx(1.3) and kind.pose.roll == pytest.approx(0.2)
    assert kind.pose.yaw == 0.0  # a compass heading is not a correction
    assert kind.confidence < 0.97


def test_congo_clip_is_top_bottom_by_metadata_although_16_to_9(footage_dir):
    kind = _classified(footage_dir / "video/congo_stereo_tb_1920x1080.mp4")
    assert kind.source.startswith("metadata (Spherical Video")
    assert any("1920×540" in r and "geen 2:1" in r for r in kind.reasons)
    assert any("hetzelfde beeld" in r for r in kind.reasons)  # the pixels confirm the stereo


def test_seam_tells_a_true_equirect_from_a_shifted_crop(footage_dir):
    pano = cv2.imread(str(footage_dir / "equirect/pannellum_examplepano_4096.jpg"), cv2.IMREAD_REDUCED_GRAYSCALE_4)
    pano = pano.astype(np.float32)
    assert seam_ratio(pano) < 0.2
    assert seam_ratio(pano[:, 60:900]) > 0.4
    assert seam_ratio(np.full((64, 128), 90, np.float32)) is None  # nothing to compare


# ── layouts made from the fixtures ─────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def grey(footage_dir):
    @functools.cache
    def load(name: str, width: int | None = None) -> np.ndarray:
        flag = cv2.IMREAD_REDUCED_GRAYSCALE_2 if width and width <= 2048 and "4096" in name else cv2.IMREAD_GRAYSCALE
        image = cv2.imread(str(footage_dir / name), flag)
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
    room = grey("equirect/testroom_2048x1024.jpg", 1024)
    return np.hstack([room, np.roll(room, 3, axis=1)])  # second eye: a little parallax


def _top_bottom(grey):
    pano = grey("equirect/pannellum_examplepano_4096.jpg", 1024)
    return np.vstack([pano, np.roll(pano, 3, axis=1)])


def _dual_fisheye_halves(grey):
    return np.hstack([grey("dualfisheye/theta_front_table.jpg"), grey("dualfisheye/theta_back_table.jpg")])


def _dual_fisheye_squares(grey):
    return np.hstack([_on_black(grey("dualfisheye/theta_front_table.jpg"), 960),
                      _on_black(grey("dualfisheye/theta_back_table.jpg"), 960)])


def _partial(grey):
    pano = grey("equirect/pannellum_examplepano_4096.jpg", 1024)
    return pano[71 : 71 + 370]  # 1024×370 = 2.77:1, the full width kept


def _vr180(grey):
    pano = grey("equirect/aframe_puydesancy_4096_faces.jpg", 1024)
    return np.hstack([pano[:, 256:768], pano[:, 258:770]])  # two 180° views a few pixels apart


def _crop_breaks_seam(grey):
    pano = grey("equirect/pannellum_examplepano_4096.jpg", 1024)
    return cv2.resize(pano[:, 125:875], (1024, 512), interpolation=cv2.INTER_AREA)


def _testsrc_2to1(grey, footage_dir):
    clip = footage_dir / "video/testsrc_320x240_not360.mp4"
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
def test_synthesized_layout_is_classified(grey, footage_dir, tmp_path, make, projection, layout, stereo):
    args = (grey, footage_dir) if make is _testsrc_2to1 else (grey,)
    path = tmp_path / "frame.jpg"
    cv2.imwrite(str(path), make(*args))
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


def test_spherical_v2_pose_is_read(footage_dir, grey, tmp_path):
    path = tmp_path / "posed.mp4"
    inject_spherical(footage_dir / "video/testroom_1920x960_mono.mp4", path, pose=(30.0, 5.0, -2.0))
    frame = grey("equirect/testroom_2048x1024.jpg", 1024)  # the same room; spares an ffmpeg start
    kind = classify(probe(path), path, frame=frame)
    assert kind.layout == "full" and kind.pose == pytest.approx((30.0, 5.0, -2.0))


def test_pixel_facts_on_an_array():
    black = np.zeros((512, 1024), np.uint8)
    facts = measure_pixels(black)
    assert facts.seam is None and facts.circles == 0
