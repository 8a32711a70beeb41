"""Geometry for drawing a scene into OpenXR swapchains: the viewing sphere, each eye's projection
from the runtime's ``XrFovf`` and its view from ``XrPosef``, in the conventions of render/mesh.py
(y up, -z ahead, yaw to the right is +x; u with yaw, v = 0 at the zenith). Matrices are numpy
4×4 for column vectors (transpose before handing to OpenGL as column-major)."""

from __future__ import annotations

import math

import numpy as np

from render.mesh import RADIUS, RESOLUTION, corner_arrays, full_sphere, grounded_sphere, half_sphere
from zorgblik.terms import VR180


def sphere(resolution: int = RESOLUTION, radius: float = RADIUS, projection: str = "equirectangular",
           camera_height: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The viewing sphere the station draws for a scene of ``projection`` (the manifest's): render's
    (built by open3d, the one in its bundle), the whole sphere, for VR180 the front half, or with a
    ``camera_height`` (the manifest's ``mesh``) the sphere with its floor flat that far down, as
    (positions N×3, uvs N×2, triangles M×3), wound to face inward."""
    if camera_height is not None:
        mesh = grounded_sphere(camera_height, radius, resolution)
    elif projection == VR180:
        mesh = half_sphere(radius, resolution)
    else:
        mesh = full_sphere(radius, resolution)
    return corner_arrays(mesh)


def eye_window(stereo: str, eye: int) -> tuple[float, float, float, float]:
    """(u offset, v offset, u scale, v scale) of eye 0 (left) or 1 (right) in the frame."""
    if stereo == "top-bottom":
        return (0.0, 0.5 * eye, 1.0, 0.5)
    if stereo == "left-right":
        return (0.5 * eye, 0.0, 0.5, 1.0)
    return (0.0, 0.0, 1.0, 1.0)


def projection(fov_left: float, fov_right: float, fov_up: float, fov_down: float,
               near: float = 0.05, far: float = 100.0) -> np.ndarray:
    """The asymmetric frustum of an OpenXR ``XrFovf`` (radians; left and down negative)."""
    l, r, u, d = (math.tan(a) for a in (fov_left, fov_right, fov_up, fov_down))
    w, h = r - l, u - d
    return np.array([[2 / w, 0, (r + l) / w, 0],
                     [0, 2 / h, (u + d) / h, 0],
                     [0, 0, -(far + near) / (far - near), -2 * far * near / (far - near)],
                     [0, 0, -1, 0]])


def rotation(x: float, y: float, z: float, w: float) -> np.ndarray:
    """3×3 rotation of a unit quaternion (OpenXR order x, y, z, w)."""
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)],
                     [2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)],
                     [2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)]])


def view(position: tuple[float, float, float], orientation: tuple[float, float, float, float],
         keep_translation: bool = False) -> np.ndarray:
    """The view matrix of an eye pose. The sphere is drawn around the eye, so by default the
    translation is dropped: leaning does not move the world (it is a photo, not a room)."""
    m = np.eye(4)
    rt = rotation(*orientation).T
    m[:3, :3] = rt
    if keep_translation:
        m[:3, 3] = -rt @ np.asarray(position, dtype=float)
    return m


def gaze(orientation: tuple[float, float, float, float]) -> tuple[float, float]:
    """(yaw, pitch) in degrees where a pose looks."""
    x, y, z = rotation(*orientation) @ np.array([0.0, 0.0, -1.0])
    return math.degrees(math.atan2(x, -z)), math.degrees(math.asin(max(-1.0, min(1.0, y))))
