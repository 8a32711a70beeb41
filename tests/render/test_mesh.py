"""The viewing spheres of render/mesh.py, looked at the way a viewer does: rays from the centre, cast
by open3d's RaycastingScene. Where a ray lands, the texture coordinate interpolated over the hit
triangle (as the GPU does) must be the frame's own coordinate of that direction."""

from __future__ import annotations

import math

import numpy as np
import open3d as o3d
import pytest

from render import mesh


def directions(lon_deg: np.ndarray, lat_deg: np.ndarray) -> np.ndarray:
    """Unit rays for yaw (right positive) and pitch (up positive), in the module's axes."""
    lo, la = np.radians(lon_deg), np.radians(lat_deg)
    return np.stack([np.cos(la) * np.sin(lo), np.sin(la), -np.cos(la) * np.cos(lo)], axis=1)


def sky() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A grid of yaw × pitch, with straight ahead, both sides of the seam behind and near the poles."""
    lon = np.concatenate([np.linspace(-175, 175, 71), [0.0, -179.95, 179.95, -179.5, 179.5, 93.3, -93.3]])
    lat = np.concatenate([np.linspace(-85, 85, 35), [-89.8, -88.0, 88.0, 89.8, -44.0, 3.3]])
    lo, la = (a.ravel() for a in np.meshgrid(lon, lat))
    return lo, la, directions(lo, la)


def cast(m: o3d.geometry.TriangleMesh, rays: np.ndarray) -> dict[str, np.ndarray]:
    scene = o3d.t.geometry.RaycastingScene()
    scene.add_triangles(o3d.t.geometry.TriangleMesh.from_legacy(m))
    origins = np.zeros_like(rays)
    return {k: v.numpy() for k, v in scene.cast_rays(o3d.core.Tensor(np.hstack([origins, rays]).astype(np.float32))).items()}


def uv_at_hits(m: o3d.geometry.TriangleMesh, hit: dict[str, np.ndarray]) -> np.ndarray:
    """The hit triangles' corner uvs, weighted by the barycentric coordinates of the hits (open3d's
    primitive_uvs (b1, b2): the point is (1 - b1 - b2)·A + b1·B + b2·C)."""
    corners = np.asarray(m.triangle_uvs).reshape(-1, 3, 2)[hit["primitive_ids"]]
    b = hit["primitive_uvs"].astype(np.float64)
    weights = np.stack([1 - b[:, 0] - b[:, 1], b[:, 0], b[:, 1]], axis=1)
    return (weights[:, :, None] * corners).sum(axis=1)


def misplaced_deg(uv: np.ndarray, lon: np.ndarray, lat: np.ndarray, yaw_span: float = 360.0) -> np.ndarray:
    """How far (degrees on the sphere) the texture point shown is from the ray's own direction:
    the u error counts with the cosine of the pitch (a column of texture narrows to the poles),
    and across the seam u 0.999 and 0.001 are neighbours."""
    u = 0.5 + lon / yaw_span
    v = 0.5 - lat / 180.0
    du = (uv[:, 0] - u + 0.5) % 1.0 - 0.5 if yaw_span == 360.0 else uv[:, 0] - u
    return np.maximum(np.abs(du) * yaw_span * np.cos(np.radians(lat)), np.abs(uv[:, 1] - v) * 180.0)


def faces_inward(m: o3d.geometry.TriangleMesh) -> np.ndarray:
    """Per triangle: its winding's normal points at the centre (seen from there it is counter-clockwise)."""
    xyz = np.asarray(m.vertices)[np.asarray(m.triangles)]
    normals = np.cross(xyz[:, 1] - xyz[:, 0], xyz[:, 2] - xyz[:, 0])
    return np.einsum("ij,ij->i", normals, xyz.mean(axis=1)) < 0


def test_full_sphere_every_ray_lands_on_its_own_texture_point_from_inside():
    m = mesh.full_sphere()
    assert m.is_watertight() and m.is_orientable() and faces_inward(m).all()
    lon, lat, rays = sky()
    hit = cast(m, rays)
    assert np.isfinite(hit["t_hit"]).all()  # closed: nothing leaks out
    assert ((hit["t_hit"] > 0.99 * mesh.RADIUS) & (hit["t_hit"] <= mesh.RADIUS * (1 + 1e-6))).all()
    assert (np.einsum("ij,ij->i", hit["primitive_normals"], rays) < 0).all()  # each hit face looks back at the eye
    assert misplaced_deg(uv_at_hits(m, hit), lon, lat).max() < 0.3  # measured 0.19°, largest towards the poles

    ahead = cast(m, np.array([[0.0, 0.0, -1.0]]))
    assert np.allclose(uv_at_hits(m, ahead), [(0.5, 0.5)], atol=1e-6)  # straight ahead is the frame's centre
    seam = cast(m, directions(np.array([-179.95, 179.95]), np.array([10.0, 10.0])))
    u_left, u_right = uv_at_hits(m, seam)[:, 0]
    assert u_left < 0.001 and u_right > 0.999  # either side of the seam, not its middle
    corner_u = np.asarray(m.triangle_uvs)[:, 0].reshape(-1, 3)
    assert (np.ptp(corner_u, axis=1) <= 1 / (2 * mesh.RESOLUTION) + 1e-9).all()  # no triangle runs from u 0 to 1


def test_half_sphere_covers_the_front_for_vr180_and_nothing_behind():
    m = mesh.half_sphere()
    assert faces_inward(m).all() and m.is_orientable()
    assert (np.asarray(m.vertices)[:, 2] <= 1e-9).all()
    u = np.asarray(m.triangle_uvs)[:, 0]
    assert math.isclose(u.min(), 0.0, abs_tol=1e-9) and math.isclose(u.max(), 1.0, abs_tol=1e-9)
    lon, lat, rays = sky()
    hit = cast(m, rays)
    front, behind = np.abs(lon) < 89.0, np.abs(lon) > 91.0
    assert np.isfinite(hit["t_hit"][front]).all() and np.isinf(hit["t_hit"][behind]).all()
    shown = {k: v[front] for k, v in hit.items()}
    assert (np.einsum("ij,ij->i", shown["primitive_normals"], rays[front]) < 0).all()
    assert misplaced_deg(uv_at_hits(m, shown), lon[front], lat[front], yaw_span=180.0).max() < 0.3  # measured 0.18°
    assert np.allclose(uv_at_hits(m, cast(m, np.array([[0.0, 0.0, -1.0]]))), [(0.5, 0.5)], atol=1e-6)


@pytest.mark.parametrize("height", [mesh.CAMERA_HEIGHT, 1.2])
def test_grounded_sphere_has_a_flat_floor_at_the_camera_height(height):
    m = mesh.grounded_sphere(height)
    assert m.is_watertight() and faces_inward(m).all()
    lon, lat, rays = sky()
    hit = cast(m, rays)
    assert np.isfinite(hit["t_hit"]).all()
    assert (np.einsum("ij,ij->i", hit["primitive_normals"], rays) < 0).all()
    y = hit["t_hit"] * rays[:, 1]
    assert (y >= -height - 1e-5).all() and (hit["t_hit"] <= mesh.RADIUS * (1 + 1e-6)).all()
    # below the first ring of vertices on the floor the ground is the plane itself (the floor meets
    # the sphere 8.6° down for 1.5 m: the ring 7.5° down stays on the sphere, the one 15° down is on
    # the floor; a ray just there still meets the band above, over the ring's straight edges)
    band = 180.0 / mesh.RESOLUTION
    floor = lat < -(math.floor(math.degrees(math.asin(height / mesh.RADIUS)) / band) + 1) * band - 1.0
    assert np.abs(y[floor] + height).max() < 1e-5
    # the texture still follows the direction; flat, the floor bends it most where its triangles are
    # long, near where it meets the sphere: measured 0.99° (1.5 m) and 1.24° (1.2 m), 10° down
    assert misplaced_deg(uv_at_hits(m, hit), lon, lat).max() < 1.5

    down_ahead = cast(m, directions(np.array([0.0]), np.array([-45.0])))
    assert math.isclose(down_ahead["t_hit"][0] * -math.sin(math.radians(45)), -height, abs_tol=1e-5)
    # a horizontal ray still meets the sphere: on a vertex of the horizon's ring, or on the chord
    # between two (48 around: at least cos 3.75° of the radius)
    level = cast(m, directions(np.array([0.0, 90.0, -135.0, 3.75, 179.95]), np.zeros(5)))["t_hit"]
    assert np.allclose(level[:3], mesh.RADIUS, rtol=1e-5)
    assert (level >= mesh.RADIUS * math.cos(math.pi / (2 * mesh.RESOLUTION)) * (1 - 1e-5)).all()


def test_a_half_sphere_needs_a_column_to_cut_along():
    with pytest.raises(ValueError, match="even"):
        mesh.half_sphere(resolution=23)


@pytest.mark.parametrize("height", [0.0, -1.0, mesh.RADIUS, 12.0])
def test_a_camera_height_outside_the_sphere_is_refused(height):
    with pytest.raises(ValueError, match="camerahoogte"):
        mesh.grounded_sphere(height)


def test_the_written_obj_reads_back_as_the_same_sphere(tmp_path):
    path = tmp_path / "sphere.obj"
    mesh.sphere_mesh(path)
    text = path.read_text()
    assert [p.name for p in tmp_path.iterdir()] == ["sphere.obj"]  # no temporary or material file left
    assert "mtllib" not in text and "usemtl" not in text and ".tmp" not in text
    m, back = mesh.full_sphere(), o3d.io.read_triangle_mesh(str(path))
    assert len(back.triangles) == len(m.triangles)
    # open3d's reader gives a vertex its own copy per texture coordinate (at the seam and the poles),
    # as a GPU vertex buffer needs: as many vertices as distinct (vertex, uv) pairs, at the same places
    corners = np.column_stack([np.asarray(m.triangles).ravel(), np.asarray(m.triangle_uvs).round(5)])
    assert len(back.vertices) == len(np.unique(corners, axis=0))
    assert len(np.unique(np.asarray(back.vertices).round(4), axis=0)) == len(m.vertices)
    same = np.asarray(m.vertices)[np.asarray(m.triangles)], np.asarray(back.vertices)[np.asarray(back.triangles)]
    assert np.abs(same[0] - same[1]).max() < 1e-4
    assert np.abs(np.asarray(back.triangle_uvs) - np.asarray(m.triangle_uvs)).max() < 1e-5


def test_a_failed_write_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(o3d.io, "write_triangle_mesh", lambda *a, **k: False)
    with pytest.raises(OSError):
        mesh.sphere_mesh(tmp_path / "sphere.obj")
    assert list(tmp_path.iterdir()) == []
