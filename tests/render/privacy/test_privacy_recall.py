"""Recall on real faces anywhere on the sphere, and no faces where there are none.

Portraits (scikit-image's astronaut, matplotlib's Grace Hopper) are planted five to a frame
into a real landscape, straight on from their direction: on the horizon, across the left/right
seam, at ±60° and near the poles, 10–18° tall. The two hikers in the A-Frame panorama are real
360° faces, about 2° tall.
"""

from __future__ import annotations


import cv2
from render.privacy.tiles import contains, overlap
from support import FACES_PHOTO, ROOM_PHOTO

#: Three frames of five faces each: (portrait, yaw, pitch, face height in degrees).
PLACEMENTS = [
    [("astronaut", 0, 0, 14), ("grace_hopper", 180, 0, 14), ("astronaut", 90, 60, 16),
     ("grace_hopper", -90, -60, 16), ("astronaut", -90, 25, 10)],
    [("grace_hopper", -179, 15, 12), ("astronaut", 60, -30, 18), ("grace_hopper", -60, 30, 10),
     ("astronaut", 150, -75, 14), ("grace_hopper", 100, 20, 12)],
    [("astronaut", 178, -10, 12), ("grace_hopper", 0, 75, 14), ("astronaut", -120, 0, 10),
     ("grace_hopper", 90, -20, 18), ("astronaut", -45, -45, 14)],
]


def test_recall_on_planted_portraits(pano, detector, planter):
    found = total = extra = 0
    misses = []
    for frame_faces in PLACEMENTS:
        frame, truths = pano, []
        for name, yaw, pitch, size in frame_faces:
            frame, truth = planter(frame, name, yaw, pitch, size)
            truths.append(((name, yaw, pitch), truth))
        boxes = detector(frame)
        for label, truth in truths:
            total += 1
            if any(overlap(truth, b) > 0.3 or contains(b, truth.yaw, truth.pitch) for b in boxes):
                found += 1
            else:
                misses.append(label)
        extra += max(0, len(boxes) - len(truths))
    assert found / total >= 0.95, f"recall {found}/{total}; missed {misses}"
    assert extra <= 1


def test_both_hikers_in_a_real_panorama(detector):
    frame = cv2.imread(str(FACES_PHOTO))
    boxes = detector(frame)
    yaws = sorted(round(b.yaw) for b in boxes if abs(b.pitch) < 10 and b.height < 6)
    assert any(-95 < y < -80 for y in yaws) and any(100 < y < 112 for y in yaws), yaws


def test_no_faces_in_faceless_footage(detector, pano):
    testroom = cv2.imread(str(ROOM_PHOTO))
    assert detector(pano) == []
    assert detector(testroom) == []
