"""The turned views are searched coarse to fine (#15): a quarter of the pixels first, then a closer
look, in every turn, only where something might be a face. What that costs, where the closer
looks go and which boxes they may add, with a stand-in model; recall on real faces is held by
test_privacy_tilt.py and, for faces near the smallest the turned views find, here."""

from __future__ import annotations

import math

import numpy as np
import pytest

from render.privacy.detect import (BATCH_PIXELS, CLOSER_CONTEXT, CLOSER_MAX_PIXELS, CLOSER_MIN_FOV, CLOSER_ZOOM,
                                   SphereDetector, _closer)
from render.privacy.tiles import DEFAULT_TILES, SphereBox, Tile, angle_between, direction
from render.privacy.tracks import detection
from support import CountingModel as Counting


def test_a_search_shows_the_model_under_half_the_pixels_of_the_full_turned_search():
    frame = np.zeros((960, 1920, 3), np.uint8)
    full, coarse = Counting(), Counting()
    SphereDetector(full, turned_scale=1.0)(frame)
    SphereDetector(coarse)(frame)
    level = sum(t.width * t.height for t in DEFAULT_TILES)
    assert sum(full.pixels) == 4 * level
    assert sum(coarse.pixels) <= 0.45 * sum(full.pixels)  # 1 + 3/4 of 4: 0.44
    assert not coarse.closer()  # nothing there: no closer look


@pytest.mark.parametrize("tile,box", [
    (Tile(30.0, 60.0, 90.0, 160, 160, roll=90.0), (100, 40, 120, 64, 0.2)),
    (Tile(0.0, 90.0, 90.0, 160, 160, roll=270.0), (20, 120, 36, 140, 0.2)),
    (Tile(180.0, 0.0, 90.0, 288, 160, roll=180.0), (270, 70, 288, 90, 0.2)),  # at the edge, on the seam
])
def test_a_closer_view_looks_at_the_candidate_turned_as_the_view_it_came_from(tile, box):
    view = _closer(tile, box, 0.5)
    seen = tile.box_to_sphere(*box)
    ahead = view.box_to_sphere(view.width / 2 - 1, view.height / 2 - 1, view.width / 2 + 1, view.height / 2 + 1)
    assert angle_between(seen.yaw, seen.pitch, ahead.yaw, ahead.pitch) < 0.1
    # "up" in the tile, at the candidate, is "up" in the closer view: the head leans as it did
    x, y = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    above = tile.box_to_sphere(x - 0.5, y - 12.5, x + 0.5, y - 11.5)
    local = _direction(above) @ view.matrix
    assert local[2] > 0 and abs(local[0] / local[2]) < 0.01 and local[1] > 0
    face = 2 * math.degrees(math.atan((box[3] - box[1]) / 2 / tile.focal))
    assert view.fov == pytest.approx(CLOSER_CONTEXT * face, rel=0.01) or view.fov == CLOSER_MIN_FOV
    # sharper than the full-resolution tile (twice the coarse one's resolution) at its centre
    assert view.width == view.height and view.width % 32 == 0
    assert view.focal >= CLOSER_ZOOM * tile.focal / 0.5 or view.width == CLOSER_MAX_PIXELS


def _direction(box: SphereBox) -> np.ndarray:
    return direction(box.yaw, box.pitch)


#: The batches these tests name views by ("the first small turned view of each batch"): the eight
#: level views around the horizon in one call, as the search batched before #15 measured one a call.
EIGHT_VIEWS = 8 * 576 * 320


def _faint(stage, shape, n):
    """A faint box in the middle of the first small turned view of each batch: a candidate, at
    the same spot in all three turns."""
    return [(70.0, 68.0, 90.0, 92.0, 0.2)] if stage == "coarse" and shape == (160, 160) and n == 0 else []


def test_a_faint_box_in_a_coarse_turned_view_is_looked_at_closer_in_every_turn_and_kept_if_it_holds():
    faint = Counting(_faint)
    assert SphereDetector(faint, batch_pixels=EIGHT_VIEWS)(np.zeros((960, 1920, 3), np.uint8)) == []  # 0.2: not a face by itself
    assert [c[3] for c in faint.calls if c[0] == "coarse" and c[1] == (160, 160)] == [0.1, 0.1, 0.1]
    [(shape, looks)] = faint.closer()
    assert looks == 4  # one spot (the three candidates are one), in four turns, in one batch

    def holds(stage, shape, n):
        if stage == "closer":  # the face, in every turn; best in the second
            side = shape[0]
            return [(side / 2 - 10, side / 2 - 12, side / 2 + 10, side / 2 + 12, 0.9 if n == 1 else 0.5)]
        return _faint(stage, shape, n)

    [face] = SphereDetector(Counting(holds), batch_pixels=EIGHT_VIEWS)(np.zeros((960, 1920, 3), np.uint8))
    assert face.score == 0.9 and angle_between(face.yaw, face.pitch, -180.0, 45.0) < 2


def test_no_closer_look_where_a_level_view_found_the_face_already():
    def plan(stage, shape, n):
        if shape == (320, 320) and n == 0:
            if stage == "level":  # the first 320×320 level view: (-180, 45)
                return [(150.0, 150.0, 170.0, 170.0, 0.9)]
        if stage == "coarse" and shape == (160, 160) and n == 0:  # the same face, faint, turned
            return [(75.0, 75.0, 85.0, 85.0, 0.2)]
        return []

    model = Counting(plan)
    [face] = SphereDetector(model, batch_pixels=EIGHT_VIEWS)(np.zeros((960, 1920, 3), np.uint8))
    assert angle_between(face.yaw, face.pitch, DEFAULT_TILES[8].yaw, DEFAULT_TILES[8].pitch) < 1
    assert not model.closer()


def test_the_tracks_key_names_the_coarse_search():
    assert detection()["turned_scale"] == 0.5 and detection()["v"] >= 2
    full = detection(detector=SphereDetector(Counting(), turned_scale=1.0))
    assert full != detection(detector=SphereDetector(Counting()))


def test_closer_looks_go_to_the_model_in_batches_no_bigger_than_a_level_one():
    def everywhere(stage, shape, n):  # a big faint candidate in every coarse view: many big closer looks
        return [(10.0, 10.0, 120.0, 120.0, 0.2)] if stage == "coarse" else []

    model = Counting(everywhere)
    SphereDetector(model)(np.zeros((960, 1920, 3), np.uint8))
    assert sum(n for _, n in model.closer()) > 40 and max(model.pixels) <= BATCH_PIXELS


# --- real faces near the smallest the turned views find ------------------------------------------

#: (portrait, yaw, pitch, face height in degrees, head lean in degrees): test_privacy_tilt.py's
#: faces at half their size, 4.5–6°: about 13–17 px tall in a coarse turned view of the horizon
#: and 8–11 px near the poles, where the model alone scores them well under its threshold.
SMALL = [
    ("astronaut", 0, 0, 5, 0),
    ("grace_hopper", 180, 5, 5, 0),  # across the seam
    ("astronaut", 90, 60, 6, 0),  # near the north pole
    ("grace_hopper", -90, -60, 6, 0),  # near the south pole
    ("astronaut", -95, 15, 4.5, 40),
    ("grace_hopper", 100, -10, 4.5, -120),
    ("grace_hopper", -150, -10, 4.5, 0),
    ("astronaut", 40, -5, 4.5, 150),
]


@pytest.mark.slow
@pytest.mark.parametrize("roll", [0, 90, 180])
def test_small_faces_are_found_whatever_the_tilt(pano, planter, detector, roll):
    import cv2

    from render.privacy.tiles import camera_rotation, contains, rotate_equirect, yaw_pitch

    frame = cv2.resize(pano, (1920, 960), interpolation=cv2.INTER_AREA)
    truths = []
    for name, yaw, pitch, size, lean in SMALL:
        frame, truth = planter(frame, name, yaw, pitch, size, lean=lean)
        y, p = yaw_pitch(camera_rotation(roll, 0, 0) @ direction(truth.yaw, truth.pitch))
        truths.append(SphereBox(float(y), float(p), truth.width, truth.height))
    boxes = detector(rotate_equirect(frame, roll, 0))

    def covered(t: SphereBox, b: SphereBox) -> bool:  # centred on it, or around it and not blown up
        return (angle_between(t.yaw, t.pitch, b.yaw, b.pitch) < 0.5 * t.height
                or (contains(b, t.yaw, t.pitch) and b.height < 4 * t.height))

    missed = [SMALL[i] for i, t in enumerate(truths) if not any(covered(t, b) for b in boxes)]
    assert not missed, f"camera roll {roll}°: missed {missed}"
