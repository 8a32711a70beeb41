"""Levelling against ground truth: a ray-cast room, shot with a known tilt, levelled by render.

The room is a box with coloured walls, floor and ceiling and a magenta stripe painted around the
walls at the camera's height. Seen from a level camera that stripe is the horizon: a great
circle through the equator. After levelling, the plane through the stripe's directions must be
horizontal again; its tilt is the residual.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import cv2
import numpy as np
import open3d as o3d
import pytest

from catalog import Footage
from render import build_script, correction_for_pose
from render.level import pose_angles, pose_matrix
from scripts_vr.templates import minimal_script

PITCH, ROLL = 7.0, -4.0  # how the synthetic camera was held (GPano convention)
SIZE = (1024, 512)
STRIPE = (255, 0, 255)  # RGB
# x forward, y right, z up; the camera stands at the origin, off the room's centre
ROOM = ((-2.6, 3.4), (-2.2, 1.8), (-1.6, 1.4))
COLOURS = {"floor": (120, 90, 60), "ceiling": (235, 235, 225), "x-": (60, 120, 200), "x+": (200, 200, 60),
           "y-": (60, 180, 90), "y+": (200, 90, 60)}

SCRIPT = minimal_script("""\
  - id: kamer
    title: {{nl: Kamer}}
    footage: {footage}
{level}    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
""")


def directions(width: int, height: int) -> np.ndarray:
    """Unit directions (forward, right, up) of an equirectangular frame's pixel centres."""
    lon = ((np.arange(width) + 0.5) / width - 0.5) * 2 * np.pi
    lat = (0.5 - (np.arange(height) + 0.5) / height) * np.pi
    lo, la = np.meshgrid(lon, lat)
    return np.stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)], axis=-1)


def _room_scene() -> tuple[o3d.t.geometry.RaycastingScene, list[str]]:
    (x0, x1), (y0, y1), (z0, z1) = ROOM
    corners = np.array([[x, y, z] for x in (x0, x1) for y in (y0, y1) for z in (z0, z1)], dtype=np.float32)
    faces = {"x-": (0, 1, 3, 2), "x+": (4, 6, 7, 5), "y-": (0, 4, 5, 1), "y+": (2, 3, 7, 6), "floor": (0, 2, 6, 4),
             "ceiling": (1, 5, 7, 3)}
    triangles, names = [], []
    for name, (a, b, c, d) in faces.items():
        triangles += [(a, b, c), (a, c, d)]
        names += [name, name]
    scene = o3d.t.geometry.RaycastingScene()
    scene.add_triangles(o3d.core.Tensor(corners), o3d.core.Tensor(np.array(triangles, dtype=np.uint32)))
    return scene, names


def render_room(camera: np.ndarray) -> np.ndarray:
    """What an equirectangular camera at the origin, oriented by ``camera`` (camera → world),
    sees of the room: an RGB image."""
    width, height = SIZE
    dirs = directions(width, height).reshape(-1, 3) @ camera.T  # world directions
    scene, names = _room_scene()
    rays = np.concatenate([np.zeros_like(dirs), dirs], axis=1).astype(np.float32)
    hit = scene.cast_rays(o3d.core.Tensor(rays))
    ids = hit["primitive_ids"].numpy()
    t = hit["t_hit"].numpy()
    palette = np.array([COLOURS[n] for n in names], dtype=np.uint8)
    image = palette[ids]
    height_at_hit = t * dirs[:, 2]
    on_wall = np.isin(ids, [i for i, n in enumerate(names) if n not in ("floor", "ceiling")])
    image[on_wall & (np.abs(height_at_hit) < 0.05)] = STRIPE
    return image.reshape(height, width, 3)


def horizon_tilt(image_rgb: np.ndarray) -> tuple[float, np.ndarray]:
    """Degrees between the stripe's plane and the horizontal, and that plane's normal."""
    r, g, b = (image_rgb[..., i].astype(int) for i in range(3))
    mask = (r > 180) & (b > 180) & (g < 90)
    assert mask.sum() > 2000, "the horizon stripe is not visible"
    d = directions(image_rgb.shape[1], image_rgb.shape[0])[mask]
    normal = np.linalg.svd(d, full_matrices=False)[2][-1]
    normal = normal if normal[2] > 0 else -normal
    return math.degrees(math.acos(min(1.0, normal[2]))), normal


def write_jpeg(path: Path, rgb: np.ndarray) -> Path:
    cv2.imwrite(str(path), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 95])
    return path


def read_rgb(path: Path) -> np.ndarray:
    return cv2.cvtColor(cv2.imread(str(path)), cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="module")
def tilted(tmp_path_factory) -> Path:
    image = render_room(np.array(pose_matrix(0.0, PITCH, ROLL)))
    return write_jpeg(tmp_path_factory.mktemp("room") / "kamer_scheef.jpg", image)


def test_measure_sees_the_tilt_and_the_pose_convention():
    level_tilt, _ = horizon_tilt(render_room(np.eye(3)))
    assert level_tilt < 0.1
    tilt, normal = horizon_tilt(render_room(np.array(pose_matrix(0.0, PITCH, ROLL))))
    assert abs(tilt - math.hypot(PITCH, ROLL)) < 0.3
    # nose up: the horizon ahead drops below the picture's centre, so the stripe's normal leans back
    assert normal[0] > 0
    # GPano roll < 0: the horizon turns clockwise in the picture, its right side lower
    assert normal[1] > 0


def test_correction_is_the_inverse_pose():
    for pitch, roll in ((PITCH, ROLL), (-20.0, 15.0), (0.0, 9.0)):
        yaw, p, r = correction_for_pose(pitch, roll)
        assert np.allclose(np.array(pose_matrix(yaw, p, r)) @ np.array(pose_matrix(0, pitch, roll)), np.eye(3), atol=1e-6)
    assert correction_for_pose(7.0, 0.0) == (0.0, -7.0, 0.0)
    assert np.allclose(pose_angles(pose_matrix(30, -10, 5)), (30, -10, 5))


def _build(tmp_path, tilted, settings, catalog, level: str, pose: tuple[float, float] | None = None) -> np.ndarray:
    script = tmp_path / "kamer.yaml"
    script.write_text(SCRIPT.format(footage=os.path.relpath(tilted, tmp_path), level=level), encoding="utf-8")
    if pose is not None:  # as capture records the camera's GPano pose at ingest
        from capture import FootageStore, add_footage

        footage = add_footage(tilted, catalog=catalog, store=FootageStore(settings.store_dir)).footage
        with catalog.session() as db:
            row = db.get(Footage, footage.id)
            row.pose_pitch, row.pose_roll = pose
    [built] = build_script(script, settings=settings, catalog=catalog, profiles=["web"])
    return read_rgb(built.bundle_dir / "scene.web.jpg")


def test_script_level_levels_the_room(tmp_path, tilted, settings, catalog):
    yaw, pitch, roll = correction_for_pose(PITCH, ROLL)
    level = f"    level: {{yaw: {yaw}, pitch: {pitch}, roll: {roll}}}\n"
    residual, _ = horizon_tilt(_build(tmp_path, tilted, settings, catalog, level))
    assert residual < 0.5


def test_footage_pose_levels_the_room(tmp_path, tilted, settings, catalog):
    residual, _ = horizon_tilt(_build(tmp_path, tilted, settings, catalog, "", pose=(PITCH, ROLL)))
    assert residual < 0.5
