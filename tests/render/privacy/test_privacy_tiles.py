"""Sphere maths: directions, tiles, boxes across the seam and over the poles."""

from __future__ import annotations

import numpy as np
import pytest

from render.privacy.tiles import (
    SphereBox,
    Tile,
    angle_between,
    direction,
    equirect_mask,
    equirect_span,
    paste_perspective,
    render_tile,
    rotation,
    sphere_nms,
    yaw_pitch,
)


@pytest.mark.parametrize("yaw,pitch", [(0, 0), (179.5, 10), (-179.5, -10), (90, 89), (-45, -60)])
def test_direction_round_trip(yaw, pitch):
    back = yaw_pitch(direction(yaw, pitch))
    assert np.allclose(back, (yaw, pitch), atol=1e-9)


def test_tile_centre_looks_where_asked():
    tile = Tile(30.0, 20.0, 90.0, 64, 64)
    centre = tile.rays()[31:33, 31:33].mean(axis=(0, 1))
    assert angle_between(*map(float, yaw_pitch(centre)), 30.0, 20.0) < 1.0


def test_box_across_the_seam_is_one_small_box():
    tile = Tile(180.0, 0.0, 90.0, 400, 400)
    box = tile.box_to_sphere(180, 180, 220, 220)  # straddles the tile centre, i.e. the seam
    assert abs(abs(box.yaw) - 180.0) < 0.5
    assert 8.0 < box.width < 12.0  # not 360° wide
    rows, cols = equirect_span(box, 2048, 1024)
    assert 0 in cols and 2047 in cols and len(cols) < 100


def test_box_over_a_pole_covers_every_column():
    box = SphereBox(0.0, 88.0, 20.0, 20.0)
    rows, cols, mask = equirect_mask(box, 512, 256)
    assert rows[0] == 0 and len(cols) == 512
    assert mask[0].all()  # the top row is all pole


def test_the_same_face_from_two_tiles_becomes_one():
    a = Tile(-180.0, 0.0).box_to_sphere(10, 170, 50, 214, 0.9)  # near the left edge of the back view
    b = Tile(135.0, 0.0).box_to_sphere(*_same_face_in(Tile(135.0, 0.0), a), 0.8)
    merged = sphere_nms([a, b, SphereBox(0.0, 0.0, 10.0, 10.0)])
    assert len(merged) == 2


def _same_face_in(tile: Tile, box: SphereBox) -> tuple[float, float, float, float]:
    """``box`` as a pixel box in another tile."""
    cam = box.corners() @ rotation(tile.yaw, tile.pitch)
    x = cam[:, 0] / cam[:, 2] * tile.focal + tile.width / 2
    y = -cam[:, 1] / cam[:, 2] * tile.focal + tile.height / 2
    return float(x.min()), float(y.min()), float(x.max()), float(y.max())


def test_paste_then_view_gives_the_picture_back():
    frame = np.zeros((512, 1024, 3), np.uint8)
    picture = np.zeros((64, 64, 3), np.uint8)
    picture[:, :32] = (0, 0, 255)
    picture[:, 32:] = (255, 0, 0)
    planted = paste_perspective(frame, picture, 170.0, 0.0, 40.0)
    view = render_tile(planted, Tile(170.0, 0.0, 40.0, 64, 64))
    assert view[32, 8, 2] > 200 and view[32, 56, 0] > 200  # red on the left, blue on the right
