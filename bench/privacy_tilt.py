"""Face recall on a tilted camera, and what the turned views cost (#17).

Plants 16 real portraits (scikit-image's astronaut, matplotlib's Grace Hopper; no download) into
the pannellum landscape, two frames of eight: on the horizon, across the left/right seam, near
both poles, some heads leaning (up to lying down). Then turns each frame as a camera held crooked
would have taken it (camera roll 0°, 30°, 60°, 90°, 180°, pitch ±30°, and a few between) and
searches it with the detector at each ``--rolls`` setting, in the same run, settings interleaved
per frame. A face counts as found when a box's centre lies within half the face's height of it.

Prints recall per angle for each setting, and CPU seconds per search (this process: onnxruntime
runs in it), mean over all searches, with the ratio to the first setting (``rolls=1`` is the
search as it was before #17: level views only).

    .venv/bin/python bench/privacy_tilt.py [--rolls 1,4@1,4] [--width 1920] [--repeats 1] [--models centerface]

``--models centerface,centerface-int8`` runs every setting with each model (#15: the int8 model).

A setting is ``R`` (``rolls=R``, the default coarse-to-fine search of the turned views) or
``R@S`` (``rolls=R, turned_scale=S``; ``4@1`` is the search as it was before #15: every turned
view at full resolution).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import time
from pathlib import Path

import cv2
import numpy as np

from render.privacy import SphereDetector
from render.privacy.tiles import (
    SphereBox,
    Tile,
    angle_between,
    camera_rotation,
    direction,
    paste_perspective,
    rotate_equirect,
    yaw_pitch,
)

ROOT = Path(__file__).resolve().parent.parent

#: (portrait, face box in its pixels (x0, y0, x1, y1)), as CenterFace draws it.
PORTRAITS = {"astronaut": (182, 58, 270, 178), "grace_hopper": (175, 132, 357, 336)}

#: Two frames of (portrait, yaw, pitch, face height in degrees, head lean in degrees), level.
LAYOUTS = [
    [("astronaut", 0, 0, 10, 0), ("grace_hopper", 180, 5, 10, 0), ("astronaut", 90, 60, 12, 0),
     ("grace_hopper", -90, -60, 12, 0), ("astronaut", -95, 15, 9, 40), ("grace_hopper", 100, -10, 9, -120),
     ("grace_hopper", -150, -10, 9, 0), ("astronaut", 40, -5, 9, 150)],
    [("grace_hopper", -179, -15, 12, 20), ("astronaut", 135, 25, 9, -45), ("grace_hopper", 0, 80, 12, 0),
     ("astronaut", 60, -75, 12, 90), ("grace_hopper", -45, 30, 9, -90), ("astronaut", -120, -35, 10, 0),
     ("grace_hopper", 70, 0, 8, 0), ("astronaut", 179, -50, 10, 180)],
]

#: (camera roll, camera pitch): the angles #17 asks for, then a few between.
ANGLES = [(0, 0), (30, 0), (60, 0), (90, 0), (180, 0), (0, 30), (0, -30), (45, 0), (135, 0), (60, 30), (90, -30)]


def portrait(name: str) -> np.ndarray:
    if name == "astronaut":
        from skimage import data

        return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    import matplotlib

    return cv2.imread(str(Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"))


def plant(frame: np.ndarray, name: str, yaw: float, pitch: float, size: float, lean: float):
    picture = portrait(name)
    x0, y0, x1, y1 = PORTRAITS[name]
    ph, pw = picture.shape[:2]
    vfov = size * ph / (y1 - y0)
    fov = math.degrees(2 * math.atan(math.tan(math.radians(vfov / 2)) * pw / ph))
    face = Tile(yaw, pitch, fov, pw, ph, roll=-lean).box_to_sphere(x0, y0, x1, y1)
    return paste_perspective(frame, picture, yaw, pitch, fov, roll=-lean), face


def turned(faces: list[SphereBox], roll: float, pitch: float) -> list[SphereBox]:
    r = camera_rotation(roll, pitch)
    out = []
    for face in faces:
        y, p = yaw_pitch(r @ direction(face.yaw, face.pitch))
        out.append(SphereBox(float(y), float(p), face.width, face.height))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rolls", default="1,4@1,4", help="detector settings to compare (R or R@turned_scale); "
                        "the first is the baseline")
    parser.add_argument("--width", type=int, default=1920, help="frame width (the height is half)")
    parser.add_argument("--repeats", type=int, default=1, help="searches of each frame per setting (CPU: the mean)")
    parser.add_argument("--face-scale", type=float, default=1.0,
                        help="every planted face this many times its size (0.5: 4–6° faces, near the smallest found)")
    parser.add_argument("--models", default="centerface",
                        help="face models (render.privacy.MODELS, or int8:VARIANT of bench/centerface_int8.py), "
                        "comma-separated: each setting runs with each")
    args = parser.parse_args()
    models = args.models.split(",")
    settings = [f"{r} {m}" if len(models) > 1 else r for r in args.rolls.split(",") for m in models]
    model_of = {s: s.split(" ", 1)[1] if len(models) > 1 else models[0] for s in settings}
    from centerface_int8 import face_model  # int8:VARIANT as well as the names in MODELS

    detectors = {s: SphereDetector(face_model(model_of[s]),
                                   rolls=int(s.split(" ")[0].split("@")[0]),
                                   **({"turned_scale": float(s.split(" ")[0].split("@")[1])} if "@" in s else {}))
                 for s in settings}

    pano = cv2.imread(str(ROOT / "demo" / "footage" / "equirect" / "pannellum_examplepano_4096.jpg"))
    pano = cv2.resize(pano, (args.width, args.width // 2), interpolation=cv2.INTER_AREA)
    frames = []
    for layout in LAYOUTS:
        frame, faces = pano, []
        for name, yaw, pitch, size, lean in layout:
            frame, face = plant(frame, name, yaw, pitch, size * args.face_scale, lean)
            faces.append(face)
        frames.append((frame, faces))
    for detector in detectors.values():
        detector(frames[0][0])  # load the model and build the tile maps outside the timings

    found = {(a, r): 0 for a in ANGLES for r in settings}
    extra = {r: 0 for r in settings}  # boxes on no planted face
    cpu = {r: [] for r in settings}
    total = sum(len(faces) for _, faces in frames)
    for angle in ANGLES:
        for frame, faces in frames:
            tilted, where = rotate_equirect(frame, *angle), turned(faces, *angle)
            boxes = {}
            for _ in range(args.repeats):
                for r, detector in detectors.items():
                    start = time.process_time()
                    boxes[r] = detector(tilted)
                    cpu[r].append(time.process_time() - start)
            for r in settings:
                found[angle, r] += sum(
                    any(angle_between(t.yaw, t.pitch, b.yaw, b.pitch) < 0.5 * t.height for b in boxes[r]) for t in where)
                extra[r] += sum(not any(angle_between(t.yaw, t.pitch, b.yaw, b.pitch) < max(t.height, b.height)
                                        for t in where) for b in boxes[r])

    load = os.getloadavg()[0]
    print(f"{dt.date.today()}  {platform.machine()}, {os.cpu_count()} cores, load {load:.1f}; "
          f"{args.width}x{args.width // 2}, {total} planted faces per angle, face sizes ×{args.face_scale:g}")
    print("camera roll, pitch  | " + " | ".join(f"recall rolls={r}" for r in settings))
    for angle in ANGLES:
        print(f"{angle[0]:>5}°, {angle[1]:>4}°       | "
              + " | ".join(f"{found[angle, r] / total:>14.2f}" for r in settings))
    listed = ANGLES[:7]
    print("the 7 angles of #17  | " + " | ".join(
        f"{min(found[a, r] for a in listed) / total:>10.2f} min" for r in settings))
    print("boxes on no face     | " + " | ".join(f"{extra[r]:>14d}" for r in settings))
    base = np.mean(cpu[settings[0]])
    print("CPU s per search     | " + " | ".join(f"{np.mean(cpu[r]):>5.2f} ({np.mean(cpu[r]) / base:.2f}×)"
                                                for r in settings))


if __name__ == "__main__":
    main()
