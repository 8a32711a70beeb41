"""VR180 in Spherical Video V2's mesh projection (``mshp``: a VR180 camera's fisheye lenses with
the mesh that says where each direction lies in the frame) resampled to equirect 180° at capture,
so that render takes it in like any VR180 (issue #17); the original is kept in the store.

    size = mesh_to_vr180(src, dst, meshes, stereo, found)

For each pixel of the equirect-180 eye (the front half sphere, 1:1) a ray from the centre is cast
at the eye's mesh (open3d's ray casting); where it hits, the triangle's texture coordinates,
weighted by where in the triangle, give the source pixel; where it misses, the pixel is black.
Those source pixels become the two 16-bit maps of ffmpeg's ``remap`` filter, which resamples
every frame (nearest pixel) in one run; a clip keeps its sound and gets VR180's metadata.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import numpy as np

from zorgblik.media.ffmpeg import remap_command
from zorgblik.media.mesh_projection import ProjectionMesh, eye_uv
from zorgblik.media.probe import Probe
from zorgblik.media.spherical import VR180_BOUNDS, inject_spherical
from zorgblik.tools import run_tool

VIDEO_CRF = 16
_EYES = {"mono": (1, 1), "left-right": (1, 2), "top-bottom": (2, 1)}
_MISS = 65535  # a map value beyond any source: remap fills the pixel with black


def half_sphere_directions(size: int) -> np.ndarray:
    """The direction (x right, y up, -z ahead) of each pixel centre of a ``size``×``size``
    equirect-180 eye: size×size×3."""
    lon = ((np.arange(size) + 0.5) / size - 0.5) * math.pi
    lat = (0.5 - (np.arange(size) + 0.5) / size) * math.pi
    lon, lat = np.meshgrid(lon, lat)
    return np.stack([np.cos(lat) * np.sin(lon), np.sin(lat), -np.cos(lat) * np.cos(lon)], axis=-1)


def eye_source_uv(mesh: ProjectionMesh, uvs: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """Where each of ``directions`` (…×3) meets ``mesh``: the texture coordinate there (…×2,
    OpenGL's, v up), NaN where the ray misses."""
    import open3d as o3d

    scene = o3d.t.geometry.RaycastingScene()
    scene.add_triangles(o3d.core.Tensor(mesh.positions.astype(np.float32)),
                        o3d.core.Tensor(mesh.triangles.astype(np.uint32)))
    flat = directions.reshape(-1, 3).astype(np.float32)
    rays = np.concatenate([np.zeros_like(flat), flat], axis=1)
    hit = scene.cast_rays(o3d.core.Tensor(rays))
    ids = hit["primitive_ids"].numpy().astype(np.int64)
    bary = hit["primitive_uvs"].numpy().astype(np.float64)
    found = np.isfinite(hit["t_hit"].numpy())
    out = np.full((flat.shape[0], 2), np.nan)
    corners = uvs[mesh.triangles[ids[found]]]  # hits × 3 corners × 2
    a, b = bary[found, 0:1], bary[found, 1:2]
    out[found] = (1 - a - b) * corners[:, 0] + a * corners[:, 1] + b * corners[:, 2]
    return out.reshape(*directions.shape[:-1], 2)


def remap_maps(meshes: tuple[ProjectionMesh, ...], stereo: str, source: tuple[int, int],
               eye: int) -> tuple[np.ndarray, np.ndarray]:
    """The remap filter's x and y maps (uint16) for an equirect-180 output of ``eye``×``eye``
    per eye, laid out as the source's ``stereo`` lays its eyes, from a source of ``source``
    (width, height) pixels."""
    rows, cols = _EYES[stereo]
    width, height = source
    directions = half_sphere_directions(eye)
    xmap = np.full((eye * rows, eye * cols), _MISS, np.uint16)
    ymap = np.full_like(xmap, _MISS)
    for n in range(rows * cols):
        mesh = meshes[min(n, len(meshes) - 1)]
        uv = eye_source_uv(mesh, eye_uv(mesh.uvs, stereo, n, len(meshes)), directions)
        ok = np.isfinite(uv).all(axis=-1)
        x = np.clip(np.floor(uv[..., 0] * width), 0, width - 1)
        y = np.clip(np.floor((1.0 - uv[..., 1]) * height), 0, height - 1)  # v up; rows run down
        r, c = divmod(n, cols)
        block = (slice(r * eye, (r + 1) * eye), slice(c * eye, (c + 1) * eye))
        xmap[block] = np.where(ok, x, _MISS)
        ymap[block] = np.where(ok, y, _MISS)
    return xmap, ymap


def _write_pgm(path: Path, image: np.ndarray) -> None:
    height, width = image.shape
    path.write_bytes(f"P5\n{width} {height}\n65535\n".encode() + image.astype(">u2").tobytes())


def mesh_to_vr180(src: Path, dst: Path, meshes: tuple[ProjectionMesh, ...], stereo: str, found: Probe,
                  preset: str = "medium") -> tuple[int, int]:
    """Resample ``src`` (mesh projection, eyes laid out as ``stereo``) into the equirect-180 ``dst``,
    each eye as tall as the source's eye and as wide; returns ``dst``'s size."""
    rows, cols = _EYES[stereo]
    eye = found.height // rows // 2 * 2
    xmap, ymap = remap_maps(meshes, stereo, (found.width, found.height), eye)
    with tempfile.TemporaryDirectory(prefix="zorgblik-mesh-") as tmp:
        maps = Path(tmp) / "x.pgm", Path(tmp) / "y.pgm"
        _write_pgm(maps[0], xmap)
        _write_pgm(maps[1], ymap)
        args = ("-c:v", "libx264", "-crf", str(VIDEO_CRF), "-preset", preset, "-pix_fmt", "yuv420p", "-c:a", "copy",
                "-movflags", "+faststart")  # only a clip carries V2 metadata, so only a clip has a mesh
        run_tool(remap_command(src, dst, *maps, output_args=args, audio=True), where=str(src))
        inject_spherical(dst, dst, stereo=stereo, bounds=VR180_BOUNDS)
    return xmap.shape[1], xmap.shape[0]
