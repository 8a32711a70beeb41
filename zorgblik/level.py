"""Levelling: which rotation makes a tilted 360° picture level, in ffmpeg ``v360`` terms.

Sign convention (pinned by ``tests/render/test_level.py`` against a ray-cast room; the maths live
here, in the bottom layer, because capture estimates a level too: :mod:`capture.level_estimate`):

* Angles are those of a camera's pose, as in XMP GPano: **yaw** turns right (compass
  heading), **pitch** looks up, **roll** is positive when the horizon turns counter-clockwise
  in the picture (the camera's right side dips). Directions are (forward, right, up); a pose
  is the rotation ``Y(yaw) · P(pitch) · R(roll)``.
* ffmpeg's ``v360=e:e:yaw=…:pitch=…:roll=…`` (default ``rorder=ypr``) renders what a *virtual*
  camera with that pose, relative to the source camera, sees. ``ScenePlan.level`` holds these
  three numbers.
* **Footage pose** (``Footage.pose_*``, from GPano / Spherical V2 at ingest) says how the camera
  was held. It is corrected by its inverse: :func:`correction_for_pose`. For one axis that is
  simply the negation (held 7° nose-up → ``level.pitch = -7``); for pitch and roll together
  the exact inverse is decomposed again. The pose's yaw (a compass heading) is not undone:
  which way a scene starts is the script's ``view``.
* A script's ``level: {yaw, pitch, roll}`` **is the correction** and goes to v360 as it is;
  it replaces the footage pose.
"""

from __future__ import annotations

import math

Angles = tuple[float, float, float]
#: A 3×3 rotation, row by row (plain floats: a build should not import NumPy for nine numbers).
Matrix = tuple[tuple[float, float, float], tuple[float, float, float], tuple[float, float, float]]


def _mul(a: Matrix, b: Matrix) -> Matrix:
    return tuple(tuple(sum(a[i][k] * b[k][j] for k in range(3)) for j in range(3)) for i in range(3))  # type: ignore[return-value]


def _transpose(a: Matrix) -> Matrix:
    return tuple(zip(*a))  # type: ignore[return-value]


def _yaw(deg: float) -> Matrix:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return ((c, -s, 0.0), (s, c, 0.0), (0.0, 0.0, 1.0))


def _pitch(deg: float) -> Matrix:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return ((c, 0.0, -s), (0.0, 1.0, 0.0), (s, 0.0, c))


def _roll(deg: float) -> Matrix:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return ((1.0, 0.0, 0.0), (0.0, c, s), (0.0, -s, c))


def pose_matrix(yaw: float, pitch: float, roll: float) -> Matrix:
    """Camera frame (forward, right, up) → world frame, for a camera held at this pose."""
    return _mul(_mul(_yaw(yaw), _pitch(pitch)), _roll(roll))


def pose_angles(matrix: Matrix) -> Angles:
    """The (yaw, pitch, roll) whose :func:`pose_matrix` is ``matrix``."""
    pitch = math.degrees(math.asin(max(-1.0, min(1.0, matrix[2][0]))))
    yaw = math.degrees(math.atan2(matrix[1][0], matrix[0][0]))
    rest = _mul(_mul(_transpose(_pitch(pitch)), _transpose(_yaw(yaw))), matrix)
    roll = math.degrees(math.atan2(rest[1][2], rest[1][1]))
    return yaw, pitch, roll


def correction_for_pose(pitch: float, roll: float) -> Angles:
    """The v360 (yaw, pitch, roll) that levels footage shot by a camera held at this pose."""
    yaw, p, r = pose_angles(_transpose(pose_matrix(0.0, pitch, roll)))
    return tuple(0.0 if abs(a) < 1e-9 else round(a, 4) for a in (yaw, p, r))  # type: ignore[return-value]
