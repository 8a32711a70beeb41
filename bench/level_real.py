"""The level estimate on real photos turned by known amounts: residual or "geen schatting" (#17).

Each real source is brought to its own level first, then turned by ffmpeg's v360 as a camera
held at (pitch, roll) would have taken it, at 1024×512, and estimated
(:func:`capture.level_estimate.estimate_level`). The residual is the angle between the true up
and the up that the estimate's correction puts at the picture's top.

The sources' own level ("zero"):

* Theta glowsticks (indoor, a pergola): its GPano pose (pitch −90, roll 0) as capture applies it,
  then the 3.3° its posts still lean after that (measured from the posts' vanishing point, pose
  pitch 3.06°, roll 1.29°, and seen by eye: 14 px over 250 px at 2048 wide before, plumb after).
* Theta dining room (indoor), stitched from the dual-fisheye fixture pair with the project's
  calibration: the 4.2° its door and window frames say (pose pitch 2.74°, roll 3.20°); by eye
  the frames look plumb either way at this size, so this zero is the lines' word only.
* Theta half dome (outdoor): its GPano pose (pitch 1.3, roll 0.2) as capture applies it.
* pannellum landscape and the A-Frame hikers (outdoor, no metadata): as they are (horizons look
  level; there is no vertical structure to measure them by).
* the synthetic grid room: as it is (exactly level).

    .venv/bin/python bench/level_real.py [--only glowsticks,dining_room]    # about 1 min
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from capture.level_estimate import estimate_level  # noqa: E402
from zorgblik.level import correction_for_pose, pose_matrix  # noqa: E402
from zorgblik.media.ffmpeg import still_command  # noqa: E402
from zorgblik.tools import run_tool  # noqa: E402

FOOTAGE = ROOT / "demo" / "footage"
TILTS = [(0.0, 0.0), (0.0, 30.0), (0.0, -30.0), (0.0, 88.0), (0.0, -88.0), (20.0, 0.0), (-20.0, 0.0),
         (15.0, 30.0), (-12.0, 88.0), (20.0, -88.0), (-15.0, 88.0)]


def v360_for_pose(pitch: float, roll: float) -> str:
    yaw, p, r = correction_for_pose(pitch, roll)
    return f"v360=e:e:yaw={yaw}:pitch={p}:roll={r}"


#: name → (source, or None for the stitched dual-fisheye pair; filters that level it)
SOURCES = {
    "glowsticks": (FOOTAGE / "equirect" / "theta_glowsticks.jpg",
                   [v360_for_pose(-90.0, 0.0), v360_for_pose(3.06, 1.29)]),
    "dining_room": (None, [v360_for_pose(2.74, 3.20)]),
    "half_dome": (FOOTAGE / "equirect" / "theta_half_dome_01.jpg", [v360_for_pose(1.3, 0.2)]),
    "landscape": (FOOTAGE / "equirect" / "pannellum_examplepano_4096.jpg", []),
    "hikers": (FOOTAGE / "equirect" / "aframe_puydesancy_4096_faces.jpg", []),
    "testroom": (FOOTAGE / "equirect" / "testroom_2048x1024.jpg", []),
}


def level_source(name: str, folder: Path) -> Path:
    """The source at 1024×512, levelled, as a PNG."""
    src, levelling = SOURCES[name]
    out = folder / f"{name}.png"
    if src is None:
        from capture.lens import MeiLens
        from capture.stitch import stitch_dual_fisheye

        lenses = FOOTAGE / "dualfisheye"
        src = folder / f"{name}_stitched.png"
        cv2.imwrite(str(src), stitch_dual_fisheye(
            cv2.imread(str(lenses / "theta_front_table.jpg")), cv2.imread(str(lenses / "theta_back_table.jpg")),
            MeiLens.from_yaml(lenses / "theta_front.yaml"), MeiLens.from_yaml(lenses / "theta_back.yaml"), 1024))
    run_tool(still_command(src, out, filters=",".join(["scale=1024:512", *levelling]), overwrite=True), where=str(src))
    return out


def residual(estimate, pitch: float, roll: float) -> float:
    true_up = np.array(pose_matrix(0.0, pitch, roll)).T @ np.array([0.0, 0.0, 1.0])
    top = np.array(pose_matrix(estimate.yaw, estimate.pitch, estimate.roll)) @ np.array([0.0, 0.0, 1.0])
    return math.degrees(math.acos(min(1.0, float(top @ true_up))))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="comma-separated source names")
    args = parser.parse_args()
    names = [n for n in SOURCES if not args.only or n in args.only.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("| image | " + " | ".join(f"p{p:+.0f} r{r:+.0f}" for p, r in TILTS) + " |")
        print("|---" * (len(TILTS) + 1) + "|")
        seconds = []
        for name in names:
            level = level_source(name, folder)
            cells = []
            for pitch, roll in TILTS:
                turned = folder / "turned.png"
                run_tool(still_command(level, turned, filters=f"v360=e:e:yaw=0:pitch={pitch}:roll={roll}",
                                       overwrite=True), where=name)
                image = cv2.imread(str(turned))
                start = time.process_time()
                estimate = estimate_level(image)
                seconds.append(time.process_time() - start)
                cells.append("–" if estimate is None else f"{residual(estimate, pitch, roll):.2f}°")
            print(f"| {name} | " + " | ".join(cells) + " |", flush=True)
        print(f"\n– = geen schatting; CPU per estimate {np.mean(seconds):.2f} s (mean of {len(seconds)})")


if __name__ == "__main__":
    main()
