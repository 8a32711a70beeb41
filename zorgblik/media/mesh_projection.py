"""Spherical Video V2's mesh projection (the ``mshp`` box): the meshes a VR180 camera writes for
its fisheye lenses, decoded from the published specification.

    meshes = read_mshp(box_payload, where="GS01.mp4")   # one per eye, or one for both

An ``mshp`` box (a FullBox) holds a CRC32 of what follows it, an encoding (``raw `` or ``dfl8``:
raw deflate without headers) and, encoded so, one or two ``mesh`` boxes. A mesh box is a bit
stream, most significant bit first: the coordinates (32-bit floats), then per vertex five indices
into them (x, y, z, u, v) as zig-zag deltas of ``ceil(log2(coordinate_count * 2))`` bits, then
vertex lists (triangles, a strip or a fan) of zig-zag index deltas of
``ceil(log2(vertex_count * 2))`` bits, each part padded to a byte. Positions are OpenGL's (-z
ahead, +x right, +y up), texture coordinates OpenGL's too (origin bottom left). One mesh with a
stereo layout serves both eyes (each eye's half of u or v: :func:`eye_uv`); two are left, right.
"""

from __future__ import annotations

import math
import struct
import zlib
from dataclasses import dataclass

import numpy as np

from zorgblik.media.errors import damaged

__all__ = ["ProjectionMesh", "eye_uv", "read_mshp"]

_RAW, _DEFLATE = b"raw ", b"dfl8"
_TRIANGLES, _STRIP, _FAN = 0, 1, 2


@dataclass(frozen=True, eq=False)
class ProjectionMesh:
    """One eye's (or both eyes') mesh: ``positions`` N×3, ``uvs`` N×2 (OpenGL: v up), and
    ``triangles`` M×3 vertex indices, counter-clockwise seen from the centre's side as written."""

    positions: np.ndarray
    uvs: np.ndarray
    triangles: np.ndarray


class _Bits:
    """A big-endian bit reader over ``data``; each read past the end is the file's fault."""

    def __init__(self, data: bytes, where: str):
        self.data, self.where, self.pos = data, where, 0

    def read(self, bits: int) -> int:
        if bits == 0:
            return 0
        end = self.pos + bits
        if end > len(self.data) * 8:
            raise damaged(self.where, "de mesh-box (mshp) is korter dan haar tellingen zeggen")
        first, last = self.pos // 8, (end - 1) // 8
        chunk = int.from_bytes(self.data[first:last + 1], "big")
        self.pos = end
        return (chunk >> ((last + 1) * 8 - end)) & ((1 << bits) - 1)

    def align(self) -> None:
        self.pos = (self.pos + 7) // 8 * 8


def _zigzag(n: int) -> int:
    return n >> 1 if n % 2 == 0 else -((n + 1) >> 1)


def _size_bits(count: int) -> int:
    return math.ceil(math.log2(count * 2)) if count > 0 else 0


def _triangles(kind: int, indices: list[int], where: str) -> list[tuple[int, int, int]]:
    if kind == _TRIANGLES:
        return [tuple(indices[i:i + 3]) for i in range(0, len(indices) - 2, 3)]
    if kind == _STRIP:  # every other triangle turned back, so all keep their winding
        return [(indices[i], indices[i + 1], indices[i + 2]) if i % 2 == 0 else (indices[i + 1], indices[i], indices[i + 2])
                for i in range(len(indices) - 2)]
    if kind == _FAN:
        return [(indices[0], indices[i], indices[i + 1]) for i in range(1, len(indices) - 1)]
    raise damaged(where, f"onbekend soort hoekpuntenlijst {kind} in de mesh-box (0 driehoeken, 1 strook, 2 waaier)")


def _read_mesh(data: bytes, where: str) -> ProjectionMesh:
    bits = _Bits(data, where)
    count = bits.read(32) & 0x7FFFFFFF
    if count * 4 > len(data):
        raise damaged(where, "de mesh-box (mshp) is korter dan haar tellingen zeggen")
    coordinates = np.array(struct.unpack_from(f">{count}f", data, 4), dtype=np.float64)
    bits.pos = (4 + 4 * count) * 8
    vertices = bits.read(32) & 0x7FFFFFFF
    ccsb = _size_bits(count)
    index = [0] * 5
    table = np.empty((vertices, 5), dtype=np.int64)
    for v in range(vertices):
        for k in range(5):
            index[k] += _zigzag(bits.read(ccsb))
        table[v] = index
    if vertices and (table.min() < 0 or table.max() >= count):
        raise damaged(where, "een hoekpunt in de mesh-box verwijst buiten de coördinaten")
    bits.align()
    lists = bits.read(32) & 0x7FFFFFFF
    vcsb = _size_bits(vertices)
    triangles: list[tuple[int, int, int]] = []
    for _ in range(lists):
        texture, kind = bits.read(8), bits.read(8)
        n = bits.read(32) & 0x7FFFFFFF
        at, indices = 0, []
        for _ in range(n):
            at += _zigzag(bits.read(vcsb))
            indices.append(at)
        bits.align()
        if indices and (min(indices) < 0 or max(indices) >= vertices):
            raise damaged(where, "een driehoek in de mesh-box verwijst buiten de hoekpunten")
        if texture == 0:  # the video frame; other textures (static images) are not in the file
            triangles += _triangles(kind, indices, where)
    values = coordinates[table] if vertices else np.zeros((0, 5))
    return ProjectionMesh(values[:, :3], values[:, 3:5], np.array(triangles, dtype=np.int64).reshape(-1, 3))


def read_mshp(payload: bytes, where: str) -> tuple[ProjectionMesh, ...]:
    """The meshes of an ``mshp`` box's ``payload`` (its bytes after the box header: version and
    flags first). Raises DamagedMedia on a wrong CRC, an unknown encoding or a short box."""
    if len(payload) < 12:
        raise damaged(where, "de mesh-box (mshp) is te kort")
    crc, encoding = struct.unpack_from(">I4s", payload, 4)
    if zlib.crc32(payload[8:]) != crc:
        raise damaged(where, "de controlesom (CRC32) van de mesh-box (mshp) klopt niet")
    body = payload[12:]
    if encoding == _DEFLATE:
        try:
            body = zlib.decompress(body, -15)
        except zlib.error as exc:
            raise damaged(where, f"de mesh-box (mshp) is niet uit te pakken ({exc})") from None
    elif encoding != _RAW:
        raise damaged(where, f"onbekende codering {encoding!r} in de mesh-box (mshp): alleen 'raw ' en 'dfl8'")
    meshes, pos = [], 0
    while len(body) - pos >= 8:
        size, kind = struct.unpack_from(">I4s", body, pos)
        if size < 8 or pos + size > len(body):
            raise damaged(where, "een box in de mesh-box (mshp) loopt over haar einde")
        if kind == b"mesh":
            meshes.append(_read_mesh(body[pos + 8:pos + size], where))
        pos += size
    if not meshes or len(meshes) > 2:
        raise damaged(where, f"de mesh-box (mshp) heeft {len(meshes)} meshes; 1 of 2 horen erin")
    return tuple(meshes)


def eye_uv(uvs: np.ndarray, stereo: str, eye: int, meshes: int) -> np.ndarray:
    """``uvs`` of a mesh for eye 0 (left) or 1 (right) within the whole frame, as the
    specification adjusts them: a single mesh with a stereo layout takes that eye's half (top-bottom:
    the left eye on top), two meshes (one per eye) are used as they are."""
    if meshes == 2 or stereo == "mono":
        return uvs
    out = uvs.copy()
    if stereo == "left-right":
        out[:, 0] = uvs[:, 0] * 0.5 + 0.5 * eye
    elif stereo == "top-bottom":
        out[:, 1] = uvs[:, 1] * 0.5 + (0.5 if eye == 0 else 0.0)
    return out
