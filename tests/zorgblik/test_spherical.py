"""Spherical metadata on real footage: read V1/V2 and GPano, inject into real encodes, verify.

The inject tests encode short clips from the demo footage with ffmpeg (one per layout, shared by
the module) and prove the rewrite with ffmpeg itself: ``framemd5`` of every decoded video and
audio frame must be identical before and after, with ``-xerror`` so any decode error fails.
A wrong chunk offset shows up there as "Invalid NAL unit size" and a non-zero exit.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from zorgblik.media.errors import (
    DamagedMedia,
    InvalidSpherical,
    NoVideoTrack,
    NotAJpeg,
    NotAnMp4,
    SphericalMetadataError,
    SphericalMismatch,
)
from support import FLAT_VIDEO, GLOWSTICKS_PHOTO, HALF_DOME_PHOTO, LANDSCAPE_PHOTO, MONO_VIDEO, ROOM_PHOTO, STEREO_VIDEO
from zorgblik.media.gpano import read_gpano
from zorgblik.media.probe import ffprobe_json
from zorgblik.media.spherical import Pose, inject_spherical, read_spherical, verify_spherical
from zorgblik.tools import run_tool

SPHERICAL_UUID = bytes.fromhex("ffcc8263f8554a938814587a02521fdd")


# ── helpers ────────────────────────────────────────────────────────────────────────────


def encode(dst: Path, *, faststart: bool, stereo: str = "mono") -> Path:
    """A 2-second 640-wide H.264 + AAC clip cut from the mono test-room footage."""
    layouts = {
        "mono": "scale=640:320",
        "top-bottom": "scale=640:320,split[a][b];[a][b]vstack",
        "left-right": "scale=320:160,split[a][b];[a][b]hstack",
    }
    args = [
        "ffmpeg", "-v", "error", "-y", "-i", MONO_VIDEO,
        "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
        "-t", "2", "-filter_complex", f"[0:v]{layouts[stereo]}", "-map", "1:a",
        "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
    ]
    if faststart:
        args += ["-movflags", "+faststart"]
    run_tool([*args, dst])
    return dst


def frame_hashes(path: Path) -> list[str]:
    """One line per decoded frame (video and audio); ToolError on any decode error."""
    out = run_tool(
        ["ffmpeg", "-v", "error", "-xerror", "-i", path, "-map", "0", "-f", "framemd5", "-"]
    )
    return [line for line in out.splitlines() if line and not line.startswith("#")]


def top_level(data: bytes) -> list[tuple[bytes, int, int]]:
    """(type, offset, size) of each top-level box; enough for crafting test files."""
    boxes, pos = [], 0
    while pos < len(data):
        size, kind = struct.unpack_from(">I4s", data, pos)
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, pos + 8)
        elif size == 0:
            size = len(data) - pos
        boxes.append((kind, pos, size))
        pos += size
    return boxes


def moov_bytes(path: Path) -> bytes:
    data = path.read_bytes()
    [(_, at, size)] = [b for b in top_level(data) if b[0] == b"moov"]
    return data[at : at + size]


def box(kind: bytes, *parts: bytes) -> bytes:
    body = b"".join(parts)
    return struct.pack(">I4s", 8 + len(body), kind) + body


# ── fixtures ───────────────────────────────────────────────────────────────────────────


@pytest.fixture(scope="module")
def clips(tmp_path_factory) -> dict[str, Path]:
    """Fresh encodes, made once: ffmpeg's two moov placements and a stereo variant."""
    root = tmp_path_factory.mktemp("clips")
    return {
        "faststart-mono": encode(root / "fs_mono.mp4", faststart=True),
        "moov-at-end-mono": encode(root / "end_mono.mp4", faststart=False),
        "faststart-top-bottom": encode(root / "fs_tb.mp4", faststart=True, stereo="top-bottom"),
    }


# ── reading ────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        pytest.param(
            STEREO_VIDEO,
            # The clip carries only the V1 uuid box (no st3d/sv3d); ffprobe reads V1 too.
            dict(projection="equirectangular", stereo="top-bottom", pose=Pose(0, 0, 0),
                 sources=("v1",)),
            id="congo-v1-top-bottom",
        ),
        pytest.param(MONO_VIDEO, None, id="testroom-no-metadata"),
        pytest.param(FLAT_VIDEO, None, id="vp9-not-360"),
    ],
)
def test_read_spherical_from_real_footage(path, expected):
    info = read_spherical(path)
    if expected is None:
        assert info is None
    else:
        assert {k: getattr(info, k) for k in expected} == expected


@pytest.mark.parametrize(
    ("path", "heading", "pitch", "roll"),
    [
        pytest.param(HALF_DOME_PHOTO, 202.5, 1.3, 0.2, id="theta-half-dome"),
        pytest.param(GLOWSTICKS_PHOTO, 67.5, -90.0, 0.0, id="theta-glowsticks"),
    ],
)
def test_read_gpano_from_theta_photos(path, heading, pitch, roll):
    pano = read_gpano(path)
    assert pano.projection == "equirectangular"
    assert (pano.heading_deg, pano.pitch_deg, pano.roll_deg) == (heading, pitch, roll)
    assert (pano.full_width, pano.full_height) == (5376, 2688)
    assert (pano.cropped_width, pano.cropped_height, pano.cropped_left, pano.cropped_top) == (
        5376, 2688, 0, 0,
    )
    # The resized copies keep the camera's original size: the claim is not the pixels.
    assert (pano.image_width, pano.image_height) == (800, 400)
    assert not pano.size_matches_pixels


@pytest.mark.parametrize("path", [ROOM_PHOTO, LANDSCAPE_PHOTO], ids=lambda p: p.name)
def test_read_gpano_none_without_xmp(path):
    assert read_gpano(path) is None


def _jpeg_with_xmp(xmp: str) -> bytes:
    payload = b"http://ns.adobe.com/xap/1.0/\0" + xmp.encode()
    return b"\xff\xd8" + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + b"\xff\xd9"


def test_read_gpano_reads_attributes(tmp_path):
    photo = tmp_path / "attr.jpg"
    photo.write_bytes(_jpeg_with_xmp(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        'xmlns:GPano="http://ns.google.com/photos/1.0/panorama/" '
        'GPano:ProjectionType="equirectangular" GPano:FullPanoWidthPixels="4000" '
        'GPano:FullPanoHeightPixels="2000" GPano:PosePitchDegrees="-2.5"/>'
        "</rdf:RDF></x:xmpmeta>"
    ))
    pano = read_gpano(photo)
    assert (pano.projection, pano.full_width, pano.full_height, pano.pitch_deg) == (
        "equirectangular", 4000, 2000, -2.5,
    )
    assert pano.roll_deg is None and pano.image_width is None


# ── injecting ──────────────────────────────────────────────────────────────────────────

INJECT_CASES = [
    pytest.param("faststart-mono", "mono", Pose(0, 0, 0), id="faststart-mono"),
    pytest.param("moov-at-end-mono", "mono", Pose(-30, 5, 0), id="moov-at-end-mono-pose"),
    pytest.param("faststart-top-bottom", "top-bottom", Pose(90, -10.5, 2.25), id="faststart-tb"),
]


@pytest.mark.parametrize(("clip", "stereo", "pose"), INJECT_CASES)
def test_inject_reads_back_probes_and_decodes(clips, tmp_path, clip, stereo, pose):
    src = clips[clip]
    dst = tmp_path / "out.mp4"

    info = inject_spherical(src, dst, stereo=stereo, pose=pose)

    assert (info.projection, info.stereo, info.pose, info.sources) == (
        "equirectangular", stereo, pose, ("v1", "v2"),
    )
    assert read_spherical(dst) == info
    assert verify_spherical(dst, stereo) == info  # ffprobe: Spherical Mapping + Stereo 3D
    assert frame_hashes(dst) == frame_hashes(src)  # every chunk offset still right


@pytest.mark.parametrize(("clip", "stereo", "pose"), INJECT_CASES)
def test_inject_twice_replaces_instead_of_duplicating(clips, tmp_path, clip, stereo, pose):
    dst = tmp_path / "out.mp4"
    inject_spherical(clips[clip], dst, stereo="left-right", pose=(10, 10, 10))
    inject_spherical(dst, dst, stereo=stereo, pose=pose)  # in place, other values
    size_twice = dst.stat().st_size
    inject_spherical(dst, dst, stereo=stereo, pose=pose)  # in place, same values

    moov = moov_bytes(dst)
    assert [moov.count(tag) for tag in (b"st3d", b"sv3d", b"prhd", SPHERICAL_UUID)] == [1] * 4
    assert dst.stat().st_size == size_twice
    assert (read_spherical(dst).stereo, read_spherical(dst).pose) == (stereo, pose)
    assert frame_hashes(dst) == frame_hashes(clips[clip])
    assert [p.name for p in tmp_path.iterdir()] == ["out.mp4"]  # no temp file left


@pytest.mark.parametrize(
    ("versions", "sources"),
    [pytest.param(("v1",), ("v1",), id="v1-only"), pytest.param(("v2",), ("v2",), id="v2-only")],
)
def test_each_scheme_alone_is_understood_by_ffprobe(clips, tmp_path, versions, sources):
    dst = tmp_path / "out.mp4"
    info = inject_spherical(clips["faststart-mono"], dst, stereo="left-right", versions=versions)
    assert info.sources == sources
    assert verify_spherical(dst, "left-right", require=sources) == info


def _with_large_mdat_header(data: bytes) -> bytes:
    """ffmpeg's 8-byte 'free' + 'mdat' pair turned into one mdat with a 64-bit size."""
    boxes = top_level(data)
    i = next(i for i, b in enumerate(boxes) if b[0] == b"mdat")
    free, mdat = boxes[i - 1], boxes[i]
    assert free[0] == b"free" and free[2] == 8
    header = struct.pack(">I4sQ", 1, b"mdat", mdat[2] + 8)
    return data[: free[1]] + header + data[mdat[1] + 8 :]


def _with_open_ended_mdat(data: bytes) -> bytes:
    """The last box (mdat, after a faststart moov) with size 0: 'to the end of the file'."""
    kind, at, _ = top_level(data)[-1]
    assert kind == b"mdat"
    return data[:at] + struct.pack(">I", 0) + data[at + 4 :]


@pytest.mark.parametrize(
    ("clip", "craft"),
    [
        pytest.param("moov-at-end-mono", _with_large_mdat_header, id="64-bit-mdat-size"),
        pytest.param("faststart-mono", _with_open_ended_mdat, id="size-0-mdat"),
    ],
)
def test_inject_handles_unusual_box_sizes(clips, tmp_path, clip, craft):
    src = tmp_path / "crafted.mp4"
    src.write_bytes(craft(clips[clip].read_bytes()))
    expected = frame_hashes(src)  # ffmpeg agrees the crafted file is valid
    assert read_spherical(src) is None

    dst = tmp_path / "out.mp4"
    inject_spherical(src, dst, stereo="top-bottom")

    assert read_spherical(dst).stereo == "top-bottom"
    assert frame_hashes(dst) == expected


def _synthetic_mp4(chunk_offset: int) -> bytes:
    """A minimal moov-first file whose one video chunk sits just under the 4 GiB line."""
    sample_entry = box(b"avc1", bytes(78))
    stbl = box(
        b"stbl",
        box(b"stsd", bytes(4), struct.pack(">I", 1), sample_entry),
        box(b"stco", bytes(4), struct.pack(">II", 1, chunk_offset)),
    )
    hdlr = box(b"hdlr", bytes(8), b"vide", bytes(12), b"\0")
    moov = box(b"moov", box(b"trak", box(b"mdia", hdlr, box(b"minf", stbl))))
    return box(b"ftyp", b"isom", bytes(4)) + moov + box(b"mdat", bytes(16))


def test_inject_promotes_stco_to_co64_when_offsets_pass_4gib(tmp_path):
    src, dst = tmp_path / "big.mp4", tmp_path / "out.mp4"
    src.write_bytes(_synthetic_mp4(0xFFFFFFF0))
    old_moov = moov_bytes(src)

    inject_spherical(src, dst)

    new_moov = moov_bytes(dst)
    assert b"stco" not in new_moov and new_moov.count(b"co64") == 1
    at = new_moov.index(b"co64") + 4
    count, offset = struct.unpack_from(">IQ", new_moov, at + 4)
    assert (count, offset) == (1, 0xFFFFFFF0 + len(new_moov) - len(old_moov))


# ── errors ─────────────────────────────────────────────────────────────────────────────


def _truncated(tmp: Path) -> bytes:
    return STEREO_VIDEO.read_bytes()[:1000]


BAD_VIDEOS = [
    pytest.param(_truncated, DamagedMedia, id="truncated-1000-bytes"),
    pytest.param(lambda tmp: b"", NotAnMp4, id="zero-bytes"),
    pytest.param(lambda tmp: GLOWSTICKS_PHOTO.read_bytes(), NotAnMp4, id="jpeg"),
    pytest.param(lambda tmp: os.urandom(4096), NotAnMp4, id="random-bytes"),
    pytest.param(
        lambda tmp: box(b"ftyp", b"isom") + struct.pack(">I4s", 1, b"moov") + b"\xff" * 8,
        DamagedMedia,
        id="64-bit-size-past-end",
    ),
    pytest.param(lambda tmp: box(b"ftyp", b"isom") + box(b"free"), DamagedMedia, id="no-moov"),
    pytest.param(
        lambda tmp: box(b"ftyp", b"isom") + box(b"moov", box(b"trak", b"\0\0\0\x40junk")),
        DamagedMedia,
        id="child-box-overruns-parent",
    ),
]


@pytest.mark.parametrize(("make", "error"), BAD_VIDEOS)
def test_bad_video_raises_clear_error(tmp_path, make, error):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(make(tmp_path))

    with pytest.raises(error) as caught:
        read_spherical(bad)
    assert caught.value.where == str(bad) and caught.value.hint

    with pytest.raises(error):
        inject_spherical(bad, tmp_path / "out.mp4")
    assert [p.name for p in tmp_path.iterdir()] == ["bad.mp4"]  # nothing half-written


@pytest.mark.parametrize(
    ("make", "error"),
    [
        pytest.param(
            lambda: FLAT_VIDEO.read_bytes(), NotAJpeg, id="mp4"
        ),
        pytest.param(lambda: b"", NotAJpeg, id="zero-bytes"),
        pytest.param(
            lambda: GLOWSTICKS_PHOTO.read_bytes()[:5000], DamagedMedia,
            id="truncated",
        ),
        pytest.param(lambda: b"\xff\xd8junk" + os.urandom(64), DamagedMedia, id="garbage-segments"),
    ],
)
def test_bad_photo_raises_clear_error(tmp_path, make, error):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(make())
    with pytest.raises(error) as caught:
        read_gpano(bad)
    assert isinstance(caught.value, SphericalMetadataError) and caught.value.where == str(bad)


def test_missing_file_is_our_error(tmp_path):
    with pytest.raises(SphericalMetadataError):
        read_spherical(tmp_path / "nope.mp4")
    with pytest.raises(SphericalMetadataError):
        read_gpano(tmp_path / "nope.jpg")


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param(dict(stereo="sideways"), id="unknown-stereo"),
        pytest.param(dict(pose=(0, 91, 0)), id="pitch-out-of-range"),
        pytest.param(dict(pose=(float("nan"), 0, 0)), id="yaw-nan"),
        pytest.param(dict(pose=(1, 2)), id="pose-not-three"),
        pytest.param(dict(versions=("v3",)), id="unknown-version"),
    ],
)
def test_invalid_arguments(clips, tmp_path, kwargs):
    with pytest.raises(InvalidSpherical):
        inject_spherical(clips["faststart-mono"], tmp_path / "out.mp4", **kwargs)
    assert not (tmp_path / "out.mp4").exists()


def test_audio_only_file_has_no_video_track(tmp_path):
    audio = tmp_path / "sound.m4a"
    run_tool(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=duration=0.2", "-c:a", "aac", audio]
    )
    assert read_spherical(audio) is None
    with pytest.raises(NoVideoTrack):
        inject_spherical(audio, tmp_path / "out.m4a")


# ── verifying ──────────────────────────────────────────────────────────────────────────


def test_verify_rejects_a_file_without_metadata():
    with pytest.raises(SphericalMismatch, match="geen 360°-metadata"):
        verify_spherical(MONO_VIDEO, "mono")


def test_verify_rejects_the_wrong_stereo_layout(clips, tmp_path):
    dst = tmp_path / "out.mp4"
    inject_spherical(clips["faststart-top-bottom"], dst, stereo="top-bottom")
    with pytest.raises(SphericalMismatch, match="verwacht equirectangular/mono"):
        verify_spherical(dst, "mono")


def test_verify_asks_for_v2_by_default():
    # The congo clip has V1 only: ffprobe sees it, but the render stage wants both schemes.
    congo = STEREO_VIDEO
    with pytest.raises(SphericalMismatch, match="V2 ontbreekt"):
        verify_spherical(congo, "top-bottom")
    assert verify_spherical(congo, "top-bottom", require=("v1",)).stereo == "top-bottom"
    side = ffprobe_json(congo)["streams"][0]["side_data_list"]
    assert {d["side_data_type"] for d in side} == {"Spherical Mapping", "Stereo 3D"}


def test_damaged_copies_only_ever_raise_our_error(clips, tmp_path):
    """Seeded byte flips and cuts through a marked file: a result or our error, nothing else."""
    import random

    marked = tmp_path / "marked.mp4"
    inject_spherical(clips["faststart-top-bottom"], marked, stereo="top-bottom")
    original = marked.read_bytes()
    head = len(moov_bytes(marked)) + 64
    rng = random.Random(20240601)
    bad = tmp_path / "bad.mp4"
    for _ in range(300):
        data = bytearray(original[: rng.randrange(head * 2)] if rng.random() < 0.3 else original)
        for _ in range(rng.randint(1, 8) if data else 0):
            data[rng.randrange(min(head, len(data)))] = rng.randrange(256)
        bad.write_bytes(bytes(data))
        try:
            read_spherical(bad)
        except SphericalMetadataError:
            pass
