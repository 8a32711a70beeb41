"""Faces are found whatever the camera's roll and pitch and whatever a head's lean (#17).

Eight portraits are planted into the level landscape (on the horizon, across the left/right
seam, near both poles, three with their heads leaning 40°, −120° and 150°), then the whole
sphere is turned as a camera held crooked would have taken it: rolled 0°, 30°, 60°, 90° and
180°, pitched ±30°. Where each face went is known (the same turn applied to its direction), so
recall is measured on every planted face, and the blurred result is searched again: no face may
be found where one was planted.

Before #17 the detector only looked at level views: here it missed one face of eight at camera
roll 60°, 90° and 180° and in the clip at roll 90° (recall 0.88), and left a leaning head
unblurred in the clip at roll 30°, pitch −30°. These studio portraits are an easy case for the
model (sharp, frontal, well lit); ``bench/privacy_tilt.py`` measures more angles and faces.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from render.privacy import BlurSettings, blur_frame, blur_video
from render.privacy.detect import CenterFace
from render.privacy.tiles import (
    SphereBox,
    Tile,
    angle_between,
    camera_rotation,
    direction,
    render_tile,
    rotate_equirect,
    yaw_pitch,
)
from zorgblik.tools import run_tool

#: (portrait, yaw, pitch, face height in degrees, head lean in degrees), on the level sphere.
FACES = [
    ("astronaut", 0, 0, 10, 0),
    ("grace_hopper", 180, 5, 10, 0),  # across the seam (and still there after a roll)
    ("astronaut", 90, 60, 12, 0),  # near the north pole
    ("grace_hopper", -90, -60, 12, 0),  # near the south pole
    ("astronaut", -95, 15, 9, 40),  # rolled 90°, these two end up near a pole
    ("grace_hopper", 100, -10, 9, -120),
    ("grace_hopper", -150, -10, 9, 0),
    ("astronaut", 40, -5, 9, 150),  # bending over, head nearly upside down
]

#: (camera roll, camera pitch) in degrees.
TILTS = [(0, 0), (30, 0), (60, 0), (90, 0), (180, 0), (0, 30), (0, -30)]

WIDTH = 1920  # 5.3 px a degree: a 9° face is ~48 px tall in the frame


@pytest.fixture(scope="module")
def level(pano, planter) -> tuple[np.ndarray, list[SphereBox]]:
    frame = cv2.resize(pano, (WIDTH, WIDTH // 2), interpolation=cv2.INTER_AREA)
    truths = []
    for name, yaw, pitch, size, lean in FACES:
        frame, truth = planter(frame, name, yaw, pitch, size, lean=lean)
        truths.append(truth)
    return frame, truths


def turned(truths: list[SphereBox], roll: float, pitch: float, yaw: float = 0.0) -> list[SphereBox]:
    """Where the planted faces are once the camera is turned (centres turned, sizes kept)."""
    r = camera_rotation(roll, pitch, yaw)
    out = []
    for t in truths:
        y, p = yaw_pitch(r @ direction(t.yaw, t.pitch))
        out.append(SphereBox(float(y), float(p), t.width, t.height))
    return out


def found(truth: SphereBox, boxes: list[SphereBox]) -> bool:
    """A box is on this face: its centre within half the face's height of the face's centre."""
    return any(angle_between(truth.yaw, truth.pitch, b.yaw, b.pitch) < 0.5 * truth.height for b in boxes)


def recall(truths: list[SphereBox], boxes: list[SphereBox]) -> tuple[float, list[int]]:
    missed = [i for i, t in enumerate(truths) if not found(t, boxes)]
    return 1 - len(missed) / len(truths), missed


def faces_left(frame: np.ndarray, truths: list[SphereBox]) -> list[int]:
    """The planted faces the model still finds in ``frame``: each place looked at straight on,
    at four turns. Real faces here score 0.7–0.9; a blurred face in its context (hair above, a
    collar below) can still score ~0.4 in some turned view, which is a smudge, not a face, so
    the check counts boxes from 0.5 up."""
    views = [Tile(t.yaw, t.pitch, min(120.0, 4 * t.height), 192, 192, roll=r) for t in truths for r in (0, 90, 180, 270)]
    pixels = CenterFace(threshold=0.5).detect(np.stack([render_tile(frame, v) for v in views]))
    boxes = [v.box_to_sphere(*box) for v, found_in_view in zip(views, pixels) for box in found_in_view]
    return [i for i, t in enumerate(truths) if found(t, boxes)]


class Recording:
    """The detector, remembering what it returned (so blur_frame's own search is measured)."""

    def __init__(self, detector):
        self.detector, self.results = detector, []

    def __call__(self, frame: np.ndarray) -> list[SphereBox]:
        self.results.append(self.detector(frame))
        return self.results[-1]


# --- the geometry the search and the tests rest on ----------------------------------------------


def test_rotate_equirect_moves_a_direction_where_camera_rotation_says():
    frame = np.zeros((256, 512, 3), np.uint8)
    frame[120:136, 250:262] = 255  # a bright spot at about (yaw 0, pitch 0)
    out = rotate_equirect(frame, roll=0, pitch=30, yaw=100)
    ys, xs = np.nonzero(out[..., 0] > 128)
    y, p = yaw_pitch(camera_rotation(0, 30, 100) @ direction(-0.7, 0.0))
    assert abs(xs.mean() - (float(y) / 360 + 0.5) * 512) < 3 and abs(ys.mean() - (0.5 - float(p) / 180) * 256) < 3
    back = rotate_equirect(rotate_equirect(frame, roll=90, pitch=20), roll=0, pitch=-20)
    back = rotate_equirect(back, roll=-90)
    assert np.abs(back.astype(int) - frame.astype(int))[16:-16].mean() < 6


def test_a_rolled_tile_sees_the_picture_turned_and_maps_boxes_back():
    frame = np.zeros((512, 1024, 3), np.uint8)
    frame[236:276, 509:515] = 255  # a vertical bar straight ahead
    level, rolled = Tile(0.0, 0.0, 40.0, 64, 64), Tile(0.0, 0.0, 40.0, 64, 64, roll=90.0)
    assert render_tile(frame, level)[:, 30:34].mean() > render_tile(frame, level)[30:34, :].mean()
    assert render_tile(frame, rolled)[30:34, :].mean() > render_tile(frame, rolled)[:, 30:34].mean()  # lies down
    # a wide box in the rolled tile is a tall box on the sphere, in the same place
    box = rolled.box_to_sphere(12, 28, 52, 36)
    assert abs(box.yaw) < 0.5 and abs(box.pitch) < 0.5 and box.height > 3 * box.width


# --- recall on a turned sphere -------------------------------------------------------------------


@pytest.mark.parametrize("roll,pitch", TILTS, ids=[f"roll{r}_pitch{p}" for r, p in TILTS])
def test_planted_faces_are_found_and_blurred_whatever_the_tilt(level, detector, roll, pitch):
    frame, truths = level
    tilted, where = rotate_equirect(frame, roll, pitch), turned(truths, roll, pitch)
    search = Recording(detector)
    out, report = blur_frame(tilted, detector=search)
    rate, missed = recall(where, search.results[0])
    assert rate >= 0.95, f"recall {rate:.2f} at roll {roll}°, pitch {pitch}°; missed {[FACES[i] for i in missed]}"
    # no flood of boxes from the turned views: at most two beside the faces (the default int8 model
    # boxes 0-2 near-threshold guesses per tilt, scores 0.38-0.43; fp32 0-1: bench/README.md)
    assert report.count("face") <= len(FACES) + 2
    left = faces_left(out, where)
    assert not left, f"still a face after blurring at {[FACES[i] for i in left]}"


def test_the_level_only_search_misses_turned_faces(level, detector):
    """What #17 is about, held so the extra views keep earning their cost."""
    from dataclasses import replace

    frame, truths = level
    old = replace(detector, rolls=1)
    rate, _ = recall(turned(truths, 90, 0), old(rotate_equirect(frame, 90, 0)))
    assert rate < 0.95


# --- a clip --------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("roll,pitch", [(90, 0), (30, -30)])
def test_a_tilted_clip_is_blurred_everywhere(level, detector, tmp_path: Path, roll, pitch):
    """12 frames at 12 fps, the camera turning 0.5° a frame (yaw) on top of its tilt."""
    frame, truths = level
    src, dst = tmp_path / "tilted.mp4", tmp_path / "private.mp4"
    frames = 12
    writer_dir = tmp_path / "frames"
    writer_dir.mkdir()
    for n in range(frames):
        cv2.imwrite(str(writer_dir / f"{n:03d}.png"), rotate_equirect(frame, roll, pitch, 0.5 * n))
    run_tool(["ffmpeg", "-v", "error", "-y", "-framerate", "12", "-i", writer_dir / "%03d.png", "-c:v", "libx264",
              "-preset", "ultrafast", "-crf", "16", "-pix_fmt", "yuv420p", src])
    report = blur_video(src, dst, detector=detector, settings=BlurSettings(keyframe_interval=5))
    assert report.frames == frames
    faces = [item.box for item in report.items if item.kind == "face"]
    # an item shows its face where it was seen best: anywhere along the pan
    missed = [i for i in range(len(truths))
              if not any(found(turned(truths, roll, pitch, 0.5 * n)[i], faces) for n in range(frames))]
    rate = 1 - len(missed) / len(truths)
    assert rate >= 0.95, f"recall {rate:.2f} in the clip; missed {[FACES[i] for i in missed]}"
    for n in (0, 7):  # a keyframe and a frame between keyframes (boxes interpolated)
        still = tmp_path / f"out{n}.png"
        run_tool(["ffmpeg", "-v", "error", "-y", "-i", dst, "-vf", rf"select=eq(n\,{n})", "-frames:v", "1", still])
        left = faces_left(cv2.imread(str(still)), turned(truths, roll, pitch, 0.5 * n))
        assert not left, f"frame {n}: still a face at {[FACES[i] for i in left]}"
