"""The viewing spheres: inward-facing UV spheres with equirectangular texture coordinates, built and
cut by open3d.

A player that draws meshes (the pyopenxr station) puts the camera at its centre and the scene's
frame on it as a texture. Axes: y up, -z ahead (glTF / OpenXR), yaw to the right is +x. u runs with
yaw (0.5 straight ahead, growing to the right as seen from inside; the seam, u 0 | 1, straight
behind), v with pitch (0 at the zenith, 1 at the nadir). Stereo players use v ∈ [0, 0.5] / [0.5, 1]
per eye (top-bottom) or the u halves (left-right).

- :func:`full_sphere`: the whole sphere (mono and stereo 360°).
- :func:`half_sphere`: the front hemisphere for VR180, u over 180° of yaw (0 at 90° left, 1 at 90°
  right).
- :func:`grounded_sphere`: the whole sphere whose floor is flat at the capture's camera height, where a
  standing viewer expects the floor; every texture coordinate stays what it was, since it is a
  direction from the camera.
- :func:`write_obj` writes one as Wavefront OBJ; :func:`sphere_mesh` writes the full sphere,
  :func:`half_sphere_mesh` the half one (a VR180 bundle's ``sphere.obj``), :func:`grounded_sphere_mesh`
  the grounded one (the ``sphere.obj`` of a scene whose script gives ``camera_height``);
  :func:`corner_arrays` gives one as the arrays a GPU draws (the station's sphere).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import open3d as o3d

RADIUS = 10.0  # metres; far enough that the eyes' separation does not matter
RESOLUTION = 24  # open3d's: 24 bands top to bottom, 48 around, ~1.1k vertices, smooth enough at
# headset sizes (the texture, not the mesh, carries the detail); even, so the half sphere's edges at
# 90° left and right fall on a column of vertices
#: Raised whenever the geometry changes: the render cache keeps meshes per version, so a machine
#: does not go on hard-linking an older sphere into new bundles (2: built by open3d's create_sphere).
MESH_VERSION = 2
CAMERA_HEIGHT = 1.5  # metres from the floor to the capture's camera, when nothing says otherwise

# open3d's sphere has its poles on its ±z and its seam (longitude 0) on its +x. Turned so that its
# +z points up (+y), its +x behind (+z) and its +y to the right (+x): the seam lies straight behind,
# where the equirectangular frame has its own.
_TURN = ((0.0, 1.0, 0.0),
         (0.0, 0.0, 1.0),
         (1.0, 0.0, 0.0))


def full_sphere(radius: float = RADIUS, resolution: int = RESOLUTION) -> o3d.geometry.TriangleMesh:
    """The whole viewing sphere, facing inward, with equirectangular uvs per triangle corner."""
    import numpy as np  # with open3d: heavy, and the mesh is made once per machine (then cached)
    import open3d as o3d

    if resolution < 1:
        raise ValueError(f"de resolutie van de bol moet ten minste 1 zijn, niet {resolution}")
    mesh = o3d.geometry.TriangleMesh.create_sphere(radius=radius, resolution=resolution, create_uv_map=True)
    mesh.rotate(np.array(_TURN), center=(0.0, 0.0, 0.0))
    # open3d's uv map is the frame transposed: (polar angle / π, longitude / 2π), its seam already
    # split (no triangle runs from one edge to the other) and each pole corner at its triangle's
    # middle longitude. Turned as above, longitude runs from behind to the right, so u is 1 - that.
    o3d_uv = np.asarray(mesh.triangle_uvs)
    uv = np.stack([1.0 - o3d_uv[:, 1], o3d_uv[:, 0]], axis=1)
    # open3d's faces look outward (counter-clockwise seen from outside); the viewer is inside, so
    # each triangle's corners swap, the uvs of its corners with them
    tris = np.asarray(mesh.triangles)[:, [0, 2, 1]]
    uv = uv.reshape(-1, 3, 2)[:, [0, 2, 1]].reshape(-1, 2)
    mesh.triangles = o3d.utility.Vector3iVector(tris)
    mesh.triangle_uvs = o3d.utility.Vector2dVector(uv)
    return mesh


def half_sphere(radius: float = RADIUS, resolution: int = RESOLUTION) -> o3d.geometry.TriangleMesh:
    """The front hemisphere for VR180: the full sphere without what lies behind the viewer, u
    stretched over the 180° of yaw from left (0) to right (1)."""
    import numpy as np
    import open3d as o3d

    if resolution % 2:  # an odd one has no column of vertices at 90° left and right to cut along
        raise ValueError(f"de resolutie van de halve bol moet een even getal zijn, niet {resolution}")
    mesh = full_sphere(radius, resolution)
    behind = np.asarray(mesh.vertices)[np.asarray(mesh.triangles)].mean(axis=1)[:, 2] > 0  # by each middle
    mesh.remove_triangles_by_mask(behind)  # the kept triangles keep their corners' uvs
    mesh.remove_unreferenced_vertices()
    uv = np.asarray(mesh.triangle_uvs).copy()
    uv[:, 0] = 2.0 * uv[:, 0] - 0.5  # 0.25 .. 0.75 of the full turn → 0 .. 1
    mesh.triangle_uvs = o3d.utility.Vector2dVector(uv)
    return mesh


def grounded_sphere(camera_height: float = CAMERA_HEIGHT, radius: float = RADIUS,
                    resolution: int = RESOLUTION) -> o3d.geometry.TriangleMesh:
    """The full sphere with a flat floor ``camera_height`` metres below its centre: each vertex
    whose ray from the centre meets the plane y = -camera_height within the radius is moved along
    that ray onto the plane. A vertex moves along its own direction, so its uv still holds."""
    import numpy as np
    import open3d as o3d

    if not 0 < camera_height < radius:
        raise ValueError(f"de camerahoogte moet groter dan 0 en kleiner dan de straal van de bol "
                         f"({radius} m) zijn, niet {camera_height} m")
    mesh = full_sphere(radius, resolution)
    xyz = np.asarray(mesh.vertices)
    y = xyz[:, 1]
    # on the sphere a vertex's ray meets the floor within the radius exactly when it lies below it
    below = y < -camera_height
    xyz[below] *= (camera_height / -y[below])[:, None]
    mesh.vertices = o3d.utility.Vector3dVector(xyz)
    return mesh


def corner_arrays(mesh: o3d.geometry.TriangleMesh):
    """``mesh`` as a GPU draws it: one vertex per triangle corner, since open3d keeps a uv per corner
    (a vertex on the seam or at a pole has one per triangle). Returns (positions N×3 float32,
    uvs N×2 float32, triangles M×3 uint32)."""
    import numpy as np

    tris = np.asarray(mesh.triangles)
    xyz = np.asarray(mesh.vertices)[tris.reshape(-1)].astype(np.float32)
    uv = np.asarray(mesh.triangle_uvs).astype(np.float32)
    return xyz, uv, np.arange(xyz.shape[0], dtype=np.uint32).reshape(-1, 3)


def write_obj(mesh: o3d.geometry.TriangleMesh, path: Path) -> None:
    """Write ``mesh`` as Wavefront OBJ (vertices, uvs, faces; no material or normals) to ``path``,
    through a temporary file beside it: a crash leaves no half-written mesh under ``path``."""
    import open3d as o3d

    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=path.stem + ".", suffix=".tmp.obj")
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if not o3d.io.write_triangle_mesh(str(tmp), mesh, write_ascii=True, write_vertex_normals=False,
                                          write_vertex_colors=False, write_triangle_uvs=True):
            raise OSError(f"open3d kon {tmp} niet schrijven")
        # open3d names a material file (and writes one) for the uvs; the players bring their own
        # texture. The object name is the temporary file's, so it goes too.
        drop = ("mtllib", "usemtl", "# Created", "# object name")
        lines = [ln for ln in tmp.read_text().splitlines() if not ln.startswith(drop)]
        tmp.write_text("\n".join(lines) + "\n")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
        tmp.with_suffix(".mtl").unlink(missing_ok=True)


def sphere_mesh(path: Path, radius: float = RADIUS, resolution: int = RESOLUTION) -> None:
    """Write the full viewing sphere (:func:`full_sphere`) as Wavefront OBJ to ``path``."""
    write_obj(full_sphere(radius, resolution), path)


def half_sphere_mesh(path: Path, radius: float = RADIUS, resolution: int = RESOLUTION) -> None:
    """Write the VR180 half sphere (:func:`half_sphere`) as Wavefront OBJ to ``path``."""
    write_obj(half_sphere(radius, resolution), path)


def grounded_sphere_mesh(path: Path, camera_height: float = CAMERA_HEIGHT, radius: float = RADIUS,
                         resolution: int = RESOLUTION) -> None:
    """Write the sphere with a flat floor ``camera_height`` metres down (:func:`grounded_sphere`) as
    Wavefront OBJ to ``path``."""
    write_obj(grounded_sphere(camera_height, radius, resolution), path)
