"""Levelling: which rotation makes a tilted 360° picture level, in ffmpeg ``v360`` terms.

Sign convention (pinned by ``tests/render/test_level.py`` against a ray-cast room):

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

import numpy as np

Angles = tuple[float, float, float]


def _yaw(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _pitch(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[c, 0.0, -s], [0.0, 1.0, 0.0], [s, 0.0, c]])


def _roll(deg: float) -> np.ndarray:
    c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, s], [0.0, -s, c]])


def pose_matrix(yaw: float, pitch: float, roll: float) -> np.ndarray:
    """Camera frame (forward, right, up) → world frame, for a camera held at this pose."""
    return _yaw(yaw) @ _pitch(pitch) @ _roll(roll)


def pose_angles(matrix: np.ndarray) -> Angles:
    """The (yaw, pitch, roll) whose :func:`pose_matrix` is ``matrix``."""
    pitch = math.degrees(math.asin(max(-1.0, min(1.0, matrix[2, 0]))))
    yaw = math.degrees(math.atan2(matrix[1, 0], matrix[0, 0]))
    rest = _pitch(pitch).T @ _yaw(yaw).T @ matrix
    roll = math.degrees(math.atan2(rest[1, 2], rest[1, 1]))
    return yaw, pitch, roll


def correction_for_pose(pitch: float, roll: float) -> Angles:
    """The v360 (yaw, pitch, roll) that levels footage shot by a camera held at this pose."""
    yaw, p, r = pose_angles(pose_matrix(0.0, pitch, roll).T)
    return tuple(0.0 if abs(a) < 1e-9 else round(a, 4) for a in (yaw, p, r))  # type: ignore[return-value]
