"""The change gate (#15): within a shot, a keyframe's search looks again only at the tiles whose
part of the sphere changed since they were last searched, and keeps what the others found then.
Real faces (planted portraits) in a real panorama; the stand-in model counts what it is shown."""

from __future__ import annotations

import cv2
import numpy as np

from render.privacy.detect import GATE_MAX_AGE, SearchMemory, SphereDetector
from render.privacy.tiles import DEFAULT_TILES, angle_between
from support import CountingModel as Counting


def _near(boxes, truth, within: float = 3.0) -> bool:
    return any(angle_between(b.yaw, b.pitch, truth.yaw, truth.pitch) < within for b in boxes)


def _noisy(frame: np.ndarray, seed: int) -> np.ndarray:
    """``frame`` as the next keyframe of a still camera: a grey level or two of sensor and codec noise."""
    noise = np.random.default_rng(seed).integers(-2, 3, frame.shape, dtype=np.int16)
    return np.clip(frame.astype(np.int16) + noise, 0, 255).astype(np.uint8)


def test_a_still_shot_is_searched_once_and_keeps_its_faces(pano, planter, detector):
    frame, truth = planter(pano, "astronaut", 40.0, 5.0, 12.0)
    memory = SearchMemory()
    first = detector.search(frame, memory)
    assert _near(first, truth) and memory.searched == len(DEFAULT_TILES)
    for n in range(1, GATE_MAX_AGE):
        again = detector.search(_noisy(frame, n), memory)
        assert _near(again, truth)  # the face stays found although its tiles were not searched again
    assert memory.searched == len(DEFAULT_TILES) and memory.reused == (GATE_MAX_AGE - 1) * len(DEFAULT_TILES)
    # and after GATE_MAX_AGE keyframes every tile is searched again, whatever happened
    detector.search(frame, memory)
    assert memory.searched == 2 * len(DEFAULT_TILES)


def test_a_face_that_walks_in_is_found_on_the_keyframe_it_appears(pano, planter, detector):
    memory = SearchMemory()
    assert detector.search(pano, memory) == []
    frame, truth = planter(pano, "grace_hopper", -120.0, 0.0, 9.0)
    found = detector.search(_noisy(frame, 1), memory)
    assert _near(found, truth)
    assert 0 < memory.searched - len(DEFAULT_TILES) < len(DEFAULT_TILES) // 2  # only the tiles that see it
    # it walks on: found where it is now, not only where it was
    moved, there = planter(pano, "grace_hopper", -60.0, 0.0, 9.0)
    found = detector.search(_noisy(moved, 2), memory)
    assert _near(found, there) and not _near(found, truth)


def test_without_memory_or_with_the_gate_off_every_tile_is_searched():
    frame = np.full((960, 1920, 3), 90, np.uint8)
    cv2.circle(frame, (700, 480), 40, (200, 180, 160), -1)
    for detector, memory in ((SphereDetector(Counting()), None), (SphereDetector(Counting(), gate=False), SearchMemory())):
        for _ in range(2):
            detector.search(frame, memory)
        assert sum(detector.model.pixels) == 2 * sum(detector.model.pixels[:len(detector.model.pixels) // 2])
    gated = SphereDetector(Counting())
    memory = SearchMemory()
    gated.search(frame, memory)
    shown = sum(gated.model.pixels)
    gated.search(frame, memory)
    assert sum(gated.model.pixels) == shown  # the same picture: nothing searched again


def test_a_change_across_the_seam_wakes_the_tiles_on_both_sides():
    frame = np.full((960, 1920, 3), 90, np.uint8)
    detector, memory = SphereDetector(Counting()), SearchMemory()
    detector.search(frame, memory)
    changed = frame.copy()
    changed[470:490, -6:] = 250  # a few pixels at the right edge, i.e. just west of the seam
    changed[470:490, :6] = 250
    detector.search(changed, memory)
    again = [k for k in range(len(DEFAULT_TILES)) if memory.age[k] == 0]
    yaws = {DEFAULT_TILES[k].yaw for k in again}
    assert -180.0 in yaws and 0.0 not in yaws
