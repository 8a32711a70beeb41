"""VR180 in Spherical Video V2's mesh projection (issue #17): a VR180 camera's fisheye clip with
the ``mshp`` box that says where each direction lies in its frame. The mesh box is written here
from the specification (bit-packed zig-zag deltas, raw deflate, CRC32), read back, and a
side-by-side fisheye clip made with ffmpeg's v360 is taken in as the equirect 180° it holds (the
picture matches v360's own equirect 180° of the fixture), with the original kept and a Dutch reason."""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

import cv2
import numpy as np
import pytest

from capture import FootageStore, add_footage, classify
from zorgblik.media.errors import DamagedMedia
from zorgblik.media.mesh_projection import eye_uv, read_mshp
from zorgblik.media.probe import probe
from zorgblik.media.spherical import VR180_BOUNDS, inject_spherical, read_spherical
from zorgblik.tools import run_tool
from support import LANDSCAPE_PHOTO

EYE = 384  # pixels a side of each fisheye (and of each equirect-180 eye made of it)


# ── writing a mesh box, from the V2 specification ────────────────────────────────────────


class Bits:
    def __init__(self):
        self.value, self.length = 0, 0

    def put(self, value: int, bits: int) -> None:
        self.value, self.length = (self.value << bits) | value, self.length + bits

    def align(self) -> None:
        self.put(0, -self.length % 8)

    def bytes(self) -> bytes:
        return self.value.to_bytes(self.length // 8, "big")


def zigzag(n: int) -> int:
    return 2 * n if n >= 0 else -2 * n - 1


def mesh_box(positions: np.ndarray, uvs: np.ndarray, lists: list[tuple[int, list[int]]]) -> bytes:
    """A ``mesh`` box: unique coordinates, five zig-zag index deltas per vertex, and the vertex
    lists (index_type, indices) as zig-zag deltas, each part padded to a byte."""
    values = np.concatenate([positions, uvs], axis=1).astype(np.float32)
    coordinates = np.unique(values)
    table = np.searchsorted(coordinates, values)
    bits = Bits()
    bits.put(len(coordinates), 32)
    for c in coordinates:
        bits.put(struct.unpack(">I", struct.pack(">f", float(c)))[0], 32)
    bits.put(len(values), 32)
    ccsb, previous = math.ceil(math.log2(len(coordinates) * 2)), [0] * 5
    for row in table:
        for k in range(5):
            bits.put(zigzag(int(row[k]) - previous[k]), ccsb)
            previous[k] = int(row[k])
    bits.align()
    bits.put(len(lists), 32)
    vcsb = math.ceil(math.log2(len(values) * 2))
    for kind, indices in lists:
        bits.put(0, 8)  # texture 0: the video frame
        bits.put(kind, 8)
        bits.put(len(indices), 32)
        at = 0
        for i in indices:
            bits.put(zigzag(i - at), vcsb)
            at = i
        bits.align()
    body = bits.bytes()
    return struct.pack(">I4s", 8 + len(body), b"mesh") + body


def mshp_payload(meshes: list[bytes], encoding: bytes = b"dfl8") -> bytes:
    """The ``mshp`` box's payload: version and flags, CRC32 of what follows, encoding, the meshes."""
    body = b"".join(meshes)
    if encoding == b"dfl8":
        packer = zlib.compressobj(9, zlib.DEFLATED, -15)
        body = packer.compress(body) + packer.flush()
    rest = encoding + body
    return b"\0\0\0\0" + struct.pack(">I", zlib.crc32(rest)) + rest


def fisheye_mesh(steps: int = 24) -> tuple[np.ndarray, np.ndarray, list[tuple[int, list[int]]]]:
    """The front half sphere as a grid, each vertex's uv where an equidistant 180° fisheye puts
    that direction (the angle from ahead grows evenly to the rim; v up), as triangles."""
    lon = np.linspace(-math.pi / 2, math.pi / 2, steps + 1)
    lat = np.linspace(-math.pi / 2, math.pi / 2, steps + 1)
    lon, lat = np.meshgrid(lon, lat)
    xyz = np.stack([np.cos(lat) * np.sin(lon), np.sin(lat), -np.cos(lat) * np.cos(lon)], axis=-1).reshape(-1, 3)
    theta = np.arccos(np.clip(-xyz[:, 2], -1, 1))
    phi = np.arctan2(xyz[:, 1], xyz[:, 0])
    r = theta / math.pi
    uv = np.stack([0.5 + r * np.cos(phi), 0.5 + r * np.sin(phi)], axis=1)
    tris = []
    for j in range(steps):
        for i in range(steps):
            a = j * (steps + 1) + i
            b, c, d = a + 1, a + steps + 1, a + steps + 2
            tris += [a, b, d, a, d, c]
    return xyz * 2.0, uv, [(0, tris)]


def test_a_mesh_box_reads_back_as_written_and_strips_and_fans_make_the_same_triangles():
    square = np.array([[-1, -1, -2], [1, -1, -2], [-1, 1, -2], [1, 1, -2]], float)
    uv = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], float)
    for encoding in (b"raw ", b"dfl8"):
        [mesh] = read_mshp(mshp_payload([mesh_box(square, uv, [(1, [0, 1, 2, 3])])], encoding), "x.mp4")
        assert np.allclose(mesh.positions, square) and np.allclose(mesh.uvs, uv)
        assert mesh.triangles.tolist() == [[0, 1, 2], [2, 1, 3]]  # a strip, every triangle counter-clockwise
    [fan] = read_mshp(mshp_payload([mesh_box(square, uv, [(2, [0, 1, 3, 2])])]), "x.mp4")
    assert fan.triangles.tolist() == [[0, 1, 3], [0, 3, 2]]
    left, right = read_mshp(mshp_payload([mesh_box(square, uv, [(0, [0, 1, 2])])] * 2), "x.mp4")
    assert np.allclose(eye_uv(right.uvs, "left-right", 1, 2), uv)  # two meshes: each as it is
    assert np.allclose(eye_uv(uv, "left-right", 1, 1)[:, 0], uv[:, 0] * 0.5 + 0.5)  # one: that eye's half
    assert np.allclose(eye_uv(uv, "top-bottom", 0, 1)[:, 1], uv[:, 1] * 0.5 + 0.5)  # left eye on top


def test_a_damaged_mesh_box_is_refused_in_one_line():
    square = np.zeros((3, 3)), np.zeros((3, 2))
    payload = bytearray(mshp_payload([mesh_box(*square, [(0, [0, 1, 2])])]))
    payload[-1] ^= 0xFF
    with pytest.raises(DamagedMedia, match="CRC32") as caught:
        read_mshp(bytes(payload), "GS01.mp4")
    assert "\n" not in caught.value.one_line() and caught.value.where == "GS01.mp4"


# ── taking a mesh-projection clip in ────────────────────────────────────────────────────


def _pano(folder: Path) -> Path:
    out = folder / "pano.png"
    cv2.imwrite(str(out), cv2.resize(cv2.imread(str(LANDSCAPE_PHOTO)), (1536, 768), interpolation=cv2.INTER_AREA))
    return out


def _v360(src: Path, dst: Path, target: str, extra: str = "") -> np.ndarray:
    run_tool(["ffmpeg", "-v", "error", "-y", "-i", src, "-vf", f"v360=input=e:output={target}:w={EYE}:h={EYE}{extra}",
              "-frames:v", "1", dst])
    return cv2.imread(str(dst))


@pytest.fixture(scope="module")
def fisheye_clip(tmp_path_factory) -> tuple[Path, np.ndarray]:
    """1 s of a side-by-side fisheye pair (v360 ``fisheye``, 180°) of the landscape with the mesh
    box that says how, and v360's own equirect 180° of the same landscape to compare with."""
    folder = tmp_path_factory.mktemp("mesh")
    pano = _pano(folder)
    eye = _v360(pano, folder / "fisheye.png", "fisheye", ":h_fov=180:v_fov=180")
    cv2.imwrite(str(folder / "pair.png"), np.hstack([eye, eye]))
    plain = folder / "plain.mp4"
    run_tool(["ffmpeg", "-v", "error", "-y", "-loop", "1", "-framerate", "5", "-t", "1", "-i", folder / "pair.png",
              "-c:v", "libx264", "-preset", "ultrafast", "-crf", "14", "-pix_fmt", "yuv420p", plain])
    clip = folder / "VR180_0001.mp4"
    xyz, uv, lists = fisheye_mesh()
    inject_spherical(plain, clip, stereo="left-right", projection="mesh", versions=("v2",),
                     mshp=mshp_payload([mesh_box(xyz, uv, lists)]))
    return clip, _v360(pano, folder / "he.png", "he")


def test_the_mesh_is_read_from_the_clip(fisheye_clip):
    clip, _ = fisheye_clip
    info = read_spherical(clip)
    assert (info.projection, info.stereo, len(info.meshes)) == ("mesh", "left-right", 1)
    assert len(info.meshes[0].triangles) == 2 * 24 * 24
    kind = classify(probe(clip), clip)
    assert (kind.projection, kind.stereo) == ("mesh", "left-right")


def test_a_mesh_projection_clip_is_taken_in_as_the_vr180_it_holds(fisheye_clip, settings, catalog):
    clip, expected = fisheye_clip
    store = FootageStore(settings.store_dir)
    result = add_footage(clip, catalog=catalog, store=store, category="ouderenzorg")
    f = result.footage
    assert result.created and result.converted_from.projection == "mesh"
    assert (f.projection, f.stereo, f.width, f.height) == ("equirectangular-vr180", "left-right", 2 * EYE, EYE)
    assert any("omgezet naar equirectangular 180° (VR180" in r and "meshprojectie" in r and "origineel is bewaard" in r
               for r in f.reasons), f.reasons
    assert read_spherical(store.path(f.store_path)).bounds == pytest.approx(VR180_BOUNDS)
    assert any(p.read_bytes() == clip.read_bytes() for p in settings.store_dir.rglob("*.mp4"))  # the original kept

    frame = next(iter(_frames(store.path(f.store_path))))
    for eye in (frame[:, :EYE], frame[:, EYE:]):
        inner = (slice(EYE // 8, -EYE // 8), slice(EYE // 8, -EYE // 8))  # the rim of a fisheye has few pixels
        diff = np.abs(eye[inner].astype(float) - expected[inner].astype(float)).mean()
        # the equirect 180° v360 makes of the landscape itself; measured 5.9 grey levels (the fisheye
        # taken as it is: 18.1; v360's own equirect 180° upside down: 57.4)
        assert diff < 12, diff


def _frames(path: Path):
    from zorgblik.media.frames import read_frames

    info = probe(path)
    for flat in read_frames(path, (info.width, info.height), pix_fmt="bgr24", frames=1):
        yield flat.reshape(info.height, info.width, 3)
