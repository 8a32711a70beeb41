"""The viewing sphere: an inward-facing UV sphere with equirectangular texture coordinates.

A player that draws meshes (the pyopenxr station) puts the camera at its centre and the scene's
frame on it as a texture; u runs with yaw (0.5 straight ahead, growing to the right as seen from
inside), v with pitch (0 at the zenith). Stereo players use v ∈ [0, 0.5] / [0.5, 1] per eye
(top-bottom) or the u halves (left-right).
"""

from __future__ import annotations

from pathlib import Path

RADIUS = 10.0  # metres; far enough that the eyes' separation does not matter
SEGMENTS = (48, 24)  # around, top to bottom: ~1.2k vertices, smooth enough at headset sizes (the
# texture, not the mesh, carries the detail)


def sphere_mesh(path: Path, radius: float = RADIUS, segments: tuple[int, int] = SEGMENTS) -> None:
    """Write the sphere as Wavefront OBJ (vertices, UVs, faces; no material) to ``path``."""
    import numpy as np  # with open3d: heavy, and the mesh is made once per machine (then cached)
    import open3d as o3d

    around, down = segments
    lon = (np.arange(around + 1) / around - 0.5) * 2 * np.pi  # the seam gets its own column
    lat = (0.5 - np.arange(down + 1) / down) * np.pi
    lo, la = np.meshgrid(lon, lat)  # rows top to bottom
    # y up, -z forward (glTF / OpenXR): yaw to the right is +x
    xyz = np.stack([np.cos(la) * np.sin(lo), np.sin(la), -np.cos(la) * np.cos(lo)], axis=-1).reshape(-1, 3) * radius
    uv = np.stack([(lo + np.pi) / (2 * np.pi), 1.0 - (la / np.pi + 0.5)], axis=-1).reshape(-1, 2)

    idx = np.arange((down + 1) * (around + 1)).reshape(down + 1, around + 1)
    a, b = idx[:-1, :-1].ravel(), idx[:-1, 1:].ravel()
    c, d = idx[1:, :-1].ravel(), idx[1:, 1:].ravel()
    # wound so that the faces point inward (seen from the centre they are counter-clockwise)
    tris = np.concatenate([np.stack([a, c, b], 1), np.stack([b, c, d], 1)])
    mesh = o3d.geometry.TriangleMesh(o3d.utility.Vector3dVector(xyz), o3d.utility.Vector3iVector(tris))
    tris = np.asarray(mesh.triangles)
    mesh.triangle_uvs = o3d.utility.Vector2dVector(uv[tris.reshape(-1)])
    out = Path(path).with_suffix(".tmp.obj")
    if not o3d.io.write_triangle_mesh(str(out), mesh, write_ascii=True, write_vertex_normals=False,
                                      write_vertex_colors=False, write_triangle_uvs=True):
        raise OSError(f"open3d kon {out} niet schrijven")
    lines = [ln for ln in out.read_text().splitlines() if not ln.startswith(("mtllib", "usemtl", "# Created"))]
    Path(path).write_text("\n".join(lines) + "\n")
    out.unlink()
    out.with_suffix(".mtl").unlink(missing_ok=True)
