"""Taking real footage in: probe, classify, store once, refuse what capture cannot use with one
clear line and nothing stored. (Classification itself is measured in test_classify.py.)"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import cv2
import numpy as np
import pytest

from capture import (
    FootageStore, LayoutNotSupported, NotPanoramic, RejectedName, TooLarge, add_footage,
)
from catalog import queries
from support import BACK_LENS, FACES_PHOTO, FLAT_VIDEO, FOOTAGE, FRONT_LENS, GLOWSTICKS_PHOTO, HALF_DOME_PHOTO, LANDSCAPE_PHOTO, MONO_VIDEO, ROOM_PHOTO, oversized_jpeg, oversized_png
from zorgblik.media.errors import UnreadableMedia


def _grey(path: Path, width: int | None = None) -> np.ndarray:
    image = cv2.imread(str(path), cv2.IMREAD_REDUCED_GRAYSCALE_4 if "4096" in path.name else cv2.IMREAD_GRAYSCALE)
    if width:
        image = cv2.resize(image, (width, round(image.shape[0] * width / image.shape[1])), interpolation=cv2.INTER_AREA)
    return image


def _partial_pano() -> np.ndarray:
    return _grey(LANDSCAPE_PHOTO, 1024)[71 : 71 + 370]


def _with_gpano(jpeg: bytes, **props) -> bytes:
    attrs = " ".join(f'GPano:{k}="{v}"' for k, v in props.items())
    xmp = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           f'<rdf:Description xmlns:GPano="http://ns.google.com/photos/1.0/panorama/" {attrs}/></rdf:RDF></x:xmpmeta>')
    payload = b"http://ns.adobe.com/xap/1.0/\0" + xmp.encode()
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def test_photo_pose_from_gpano_is_recorded(settings, catalog):
    result = add_footage(HALF_DOME_PHOTO, catalog=catalog,
                         store=FootageStore(settings.store_dir))
    f = result.footage
    assert (f.pose_yaw, f.pose_pitch, f.pose_roll) == (0.0, pytest.approx(1.3), pytest.approx(0.2))
    assert f.projection == "equirectangular" and any("verschillen" in r for r in f.reasons)


def test_dual_fisheye_is_taken_in_and_flagged_for_stitching(tmp_path, settings, catalog):
    path = tmp_path / "theta_dual.jpg"
    cv2.imwrite(str(path), np.hstack([_grey(FRONT_LENS),
                                      _grey(BACK_LENS)]))
    result = add_footage(path, catalog=catalog, store=FootageStore(settings.store_dir))
    assert result.created and result.classification.needs_stitching
    assert result.footage.projection == "dual-fisheye"
    assert any("gestitcht" in r for r in result.footage.reasons)


def test_partial_with_gpano_crop_is_taken_in(tmp_path, settings, catalog):
    ok, jpeg = cv2.imencode(".jpg", _partial_pano())
    path = tmp_path / "partial.jpg"
    path.write_bytes(_with_gpano(jpeg.tobytes(), ProjectionType="equirectangular", FullPanoWidthPixels=1024,
                                 FullPanoHeightPixels=512, CroppedAreaImageWidthPixels=1024,
                                 CroppedAreaImageHeightPixels=370, CroppedAreaLeftPixels=0, CroppedAreaTopPixels=71))
    result = add_footage(path, catalog=catalog, store=FootageStore(settings.store_dir))
    assert result.footage.projection == "equirectangular-partial"


def test_add_stores_original_read_only_and_records_it(settings, catalog):
    store = FootageStore(settings.store_dir)
    src = MONO_VIDEO
    first = add_footage(src, catalog=catalog, store=store, category="ouderenzorg")
    assert first.created
    stored = store.path(first.footage.store_path)
    assert stored.read_bytes() == src.read_bytes()
    assert not stored.stat().st_mode & 0o222
    assert (first.footage.width, first.footage.height, first.footage.duration_s) == (1920, 960, 12.0)

    again = add_footage(src, catalog=catalog, store=store)
    assert not again.created and again.footage.id == first.footage.id
    with catalog.session() as db:
        assert len(queries.list_footage(db)) == 1
    assert not list((settings.store_dir / ".incoming").iterdir())


def _truncated(tmp_path):
    path = tmp_path / "afgebroken.mp4"
    path.write_bytes((MONO_VIDEO).read_bytes()[:4000])
    return path


def _empty(tmp_path):
    path = tmp_path / "leeg.mp4"
    path.write_bytes(b"")
    return path


def _photo_named_mp4(tmp_path):
    path = tmp_path / "foto.mp4"
    shutil.copy(GLOWSTICKS_PHOTO, path)
    return path


def _not_360(tmp_path):
    return FLAT_VIDEO


def _audio_only(tmp_path):
    from zorgblik.tools import run_tool

    path = tmp_path / "geluid.mp4"
    run_tool(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", path])
    return path


def _text_file(tmp_path):
    path = tmp_path / "notities.txt"
    path.write_text("geen video")
    return path


def _one_fisheye_lens(tmp_path):
    return FRONT_LENS


def _vr180(tmp_path):
    pano = _grey(FACES_PHOTO, 1024)
    path = tmp_path / "vr180.jpg"
    cv2.imwrite(str(path), np.hstack([pano[:, 256:768], pano[:, 258:770]]))
    return path


def _partial_without_crop(tmp_path):
    path = tmp_path / "breed.jpg"
    cv2.imwrite(str(path), _partial_pano())
    return path


def _seam_does_not_close(tmp_path):
    pano = _grey(LANDSCAPE_PHOTO, 1024)
    path = tmp_path / "gewone_foto.jpg"
    cv2.imwrite(str(path), cv2.resize(pano[:, 125:875], (1024, 512), interpolation=cv2.INTER_AREA))
    return path


BAD = [
    (_truncated, UnreadableMedia, "beschadigd"),
    (_empty, UnreadableMedia, "leeg bestand"),
    (_photo_named_mp4, RejectedName, "past niet bij de inhoud"),
    (_not_360, NotPanoramic, "geen 360°-opname"),
    (_audio_only, UnreadableMedia, "alleen geluid"),
    (_text_file, RejectedName, "niet ondersteund"),
    (_one_fisheye_lens, NotPanoramic, "één fisheye-lensbeeld"),
    (_vr180, LayoutNotSupported, "VR180"),
    (_partial_without_crop, LayoutNotSupported, "bijgesneden panorama"),
    (_seam_does_not_close, NotPanoramic, "sluiten niet op elkaar aan"),
]


@pytest.mark.parametrize("make,error,words", BAD, ids=[b[0].__name__.strip("_") for b in BAD])
def test_bad_input_is_refused_with_one_line_and_nothing_stored(tmp_path, settings, catalog, make, error, words):
    path = make(tmp_path)
    store = FootageStore(settings.store_dir)
    with pytest.raises(error) as info:
        add_footage(path, catalog=catalog, store=store)
    line = info.value.one_line()
    assert words in line and str(path) in line and "\n" not in line
    assert info.value.hint
    with catalog.session() as db:
        assert queries.list_footage(db) == []
    assert not [p for p in settings.store_dir.rglob("*") if p.is_file()] if settings.store_dir.exists() else True


def _refused(settings, catalog, path, error, **kwargs):
    with pytest.raises(error) as info:
        add_footage(path, catalog=catalog, store=FootageStore(settings.store_dir), **kwargs)
    with catalog.session() as db:
        assert queries.list_footage(db) == []
    assert not [p for p in settings.store_dir.rglob("*") if p.is_file()] if settings.store_dir.exists() else True
    line = info.value.one_line()
    assert "\n" not in line and info.value.hint
    return line


def test_over_the_size_limit_is_refused_before_reading(settings, catalog):
    path = ROOM_PHOTO
    line = _refused(settings, catalog, path, TooLarge, max_bytes=100_000)
    assert "groter dan de grens" in line and str(path) in line and "ZORGBLIK_MAX_FOOTAGE_BYTES" in line


def _no_decoding(monkeypatch):
    """ffprobe and OpenCV both decode a photo (ffprobe its first frame, 2 bytes a pixel for a PNG):
    a refusal by the header must come before either."""
    def decoded(*args, **kwargs):
        raise AssertionError("the photo was decoded before it was refused")

    monkeypatch.setattr("capture.ingest.probe", decoded)
    monkeypatch.setattr("cv2.imread", decoded)


@pytest.mark.parametrize("kind", ["png", "jpeg"])
def test_a_photo_of_too_many_pixels_is_refused_by_its_header_before_decoding(tmp_path, settings,
                                                                               catalog, monkeypatch, kind):
    path = tmp_path / f"reus.{'png' if kind == 'png' else 'jpg'}"
    if kind == "png":
        oversized_png(path, 20000, 10000)
    else:
        oversized_jpeg(ROOM_PHOTO, path, 20000, 10000)
    _no_decoding(monkeypatch)
    line = _refused(settings, catalog, path, TooLarge)
    assert str(path) in line and "20000×10000" in line and "16384" in line and "megapixel" in line


@pytest.mark.parametrize("width,height", [(20000, 100), (9000, 16000)], ids=["too-wide", "too-many-pixels"])
def test_either_limit_refuses_a_photo(tmp_path, width, height):
    from capture.ingest import check_pixels

    with pytest.raises(TooLarge):
        check_pixels(oversized_png(tmp_path / "foto.png", width, height))


@pytest.mark.parametrize("width,height", [(7680, 3840), (11008, 5504), (16384, 8192)], ids=["8K", "11K", "limit"])
def test_real_360_camera_photos_pass_the_pixel_limit(tmp_path, width, height):
    from capture.ingest import check_pixels

    assert check_pixels(oversized_png(tmp_path / "foto.png", width, height)) == (width, height)


def test_the_header_says_what_the_decoder_finds(tmp_path):
    from zorgblik.media.probe import header_size

    photos = sorted((FOOTAGE / "equirect").glob("*.jpg")) + sorted((FOOTAGE / "dualfisheye").glob("*.jpg"))
    png = tmp_path / "klein.png"
    cv2.imwrite(str(png), np.zeros((48, 96), np.uint8))
    for path in [*photos, png]:
        image = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
        assert header_size(path) == (image.shape[1], image.shape[0]), path
    assert header_size(MONO_VIDEO) is None  # videos: ffprobe's job


@pytest.mark.parametrize("name", ["../../etc/opname.mp4", "map/opname.mp4", "map\\opname.mp4", "..", "opname..mp4",
                                  "regel\nbreuk.mp4"], ids=["dotdot-path", "slash", "backslash", "dotdot", "dotdot-inside",
                                                           "control-char"])
def test_a_name_that_is_a_path_is_refused(settings, catalog, name):
    path = MONO_VIDEO
    line = _refused(settings, catalog, path, RejectedName, name=name)
    assert "ongeldige bestandsnaam" in line


def test_a_plain_name_is_recorded(settings, catalog):
    result = add_footage(GLOWSTICKS_PHOTO, catalog=catalog,
                         store=FootageStore(settings.store_dir), name="Woonkamer De Linde.JPG")
    assert result.footage.original_name == "Woonkamer De Linde.JPG"


def test_the_front_door_exports_what_it_says():
    import capture

    assert sorted(capture.__all__) == capture.__all__
    assert all(hasattr(capture, name) for name in capture.__all__)
    public = {name for name in vars(capture) if not name.startswith("_")}
    assert public - set(capture.__all__) <= {"classify", "consent", "cubemap", "dual_fisheye", "errors", "ingest", "lens",
                                            "level_estimate", "mesh180", "refine", "rig", "seam", "stitch", "store",
                                            "upload"}  # the submodules themselves
