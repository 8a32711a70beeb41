"""Dual-fisheye → equirectangular: speed against ffmpeg v360, and how well the seam holds.

    .venv/bin/python bench/stitch_dualfisheye.py [--seconds 2] [--repeats 2] [--part speed|seam|all]

**Speed** (``--part speed``): frames per second at 3840×1920, capture.stitch vs ffmpeg v360.

Input: the two Ricoh Theta fixture halves (demo/footage/dualfisheye) side by side as one
1920×1080 dual-fisheye frame, looped into a 30 fps MJPEG clip in a temporary folder.

What each side measures, both from decoded frames to decoded 3840×1920 frames:

* ffmpeg: ``ffmpeg -i clip -vf v360=dfisheye:e:w=3840:h=1920 -f null -`` (wall time, default
  threads), minus the same command without ``v360`` (decoding alone), so only the filter is
  counted. Once on the decoder's own yuvj420p frames (1.5 bytes a pixel: ffmpeg's cheapest
  case) and once on frames converted to bgr24 first (``format=bgr24`` in both commands), the
  layout capture.stitch works on.
* capture.stitch: ``DualFisheyeStitcher.remap`` on bgr24 frames already in memory (decoded
  once by ffmpeg before timing), into a reused output array: once frame after frame with
  OpenCV's own threads, once two frames at a time on two Python threads (OpenCV single-
  threaded in each). Building the lookup tables is timed separately: it happens once per video.

Each measurement is repeated, interleaved, and the best run is kept: the machine is shared.
Not the same work: v360 neither reads a calibration nor blends the seam (a hard cut between
two ideal 180° circles); capture.stitch does both.

**Seam** (``--part seam``): the seam error (capture.seam, degrees, left/right) with the
calibration alone and after capture.refine, on the fixture pair and on four other units of the
camera (real equirect photos turned into the two fisheye images of a Theta whose back lens is
turned by a couple of degrees and whose lens centres are a few pixels off: the pairs
tests/capture/test_stitch_refine.py uses, here at the full 960×1080), and how the seam band
looks with each blend (see ``blend_scores``): the linear 6° cross-fade and multi-band.
The other units' back lens gets 0.85× the front's exposure, as real lenses differ. Then
``--sweep`` random other units per range (back lens turned up to 3°, then up to 5°, about each
axis; lens centres off by up to 3 px) at the tests' half size: how many hold within 2°.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import cv2
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dataclasses import replace  # noqa: E402

from capture.lens import MeiLens  # noqa: E402
from capture.refine import refine_stitch  # noqa: E402
from capture.rig import DualFisheyeRig, LensPose  # noqa: E402
from capture.stitch import lens_images_from_equirect, side_by_side_stitcher, stitch_dual_fisheye  # noqa: E402
from zorgblik.errors import ZorgblikError  # noqa: E402
from zorgblik.tools import run_tool, stream_tool  # noqa: E402

FIXTURES = ROOT / "demo" / "footage" / "dualfisheye"
OUT_W, OUT_H = 3840, 1920
FPS = 30
V360 = f"v360=dfisheye:e:w={OUT_W}:h={OUT_H}"


def make_clip(folder: Path, seconds: float) -> tuple[Path, np.ndarray]:
    front = cv2.imread(str(FIXTURES / "theta_front_table.jpg"))
    back = cv2.imread(str(FIXTURES / "theta_back_table.jpg"))
    frame = np.hstack([front, back])                       # 1920×1080, front on the left
    still = folder / "dualfisheye.png"
    cv2.imwrite(str(still), frame)
    clip = folder / "dualfisheye.avi"
    run_tool(["ffmpeg", "-v", "error", "-nostdin", "-y", "-loop", "1", "-framerate", str(FPS), "-t", str(seconds),
              "-i", still, "-c:v", "mjpeg", "-q:v", "3", "-pix_fmt", "yuvj420p", clip])
    return clip, frame


def decode(clip: Path, width: int, height: int, keep: int) -> list[np.ndarray]:
    frames = []
    size = width * height * 3
    with stream_tool(["ffmpeg", "-v", "error", "-nostdin", "-i", clip, "-f", "rawvideo", "-pix_fmt", "bgr24",
                      "pipe:1"], stdout=True) as proc:
        while (buf := proc.stdout.read(size)) and len(buf) == size:
            if len(frames) < keep:
                frames.append(np.frombuffer(buf, np.uint8).reshape(height, width, 3).copy())
    return frames


def time_ffmpeg(clip: Path, chain: str) -> float:
    start = time.perf_counter()
    run_tool(["ffmpeg", "-v", "error", "-nostdin", "-i", clip, "-vf", chain, "-f", "null", "-"])
    return time.perf_counter() - start


def time_sequential(stitcher, frames: list[np.ndarray], count: int) -> float:
    out = np.empty((OUT_H, OUT_W, 3), np.uint8)
    start = time.perf_counter()
    for i in range(count):
        stitcher.remap(frames[i % len(frames)], out=out)
    return time.perf_counter() - start


def time_two_at_a_time(stitcher, frames: list[np.ndarray], count: int) -> float:
    outs = [np.empty((OUT_H, OUT_W, 3), np.uint8) for _ in range(2)]
    threads = cv2.getNumThreads()
    cv2.setNumThreads(1)
    try:
        with ThreadPoolExecutor(2) as pool:
            start = time.perf_counter()
            list(pool.map(lambda i: stitcher.remap(frames[i % len(frames)], out=outs[i % 2]), range(count)))
            return time.perf_counter() - start
    finally:
        cv2.setNumThreads(threads)


# ── the seam ──────────────────────────────────────────────────────────────────────────────

EQUIRECT = ROOT / "demo" / "footage" / "equirect"
#: other units of the camera: (photo, back lens pose, back centre shift px, front centre shift px),
#: at half these shifts the pairs of tests/capture/test_stitch_refine.py (there at half size)
UNITS = {
    "glowsticks (Theta S)": ("theta_glowsticks.jpg", LensPose(1.5, -1.0, 2.0), (6, -4), (0, 0)),
    "half-dome (Theta S)": ("theta_half_dome_01.jpg", LensPose(-2.0, 1.5, 0.0), (0, 0), (-4, 6)),
    "test room": ("testroom_2048x1024.jpg", LensPose(0.5, 2.0, -2.5), (-6, 4), (4, 0)),
    "landscape": ("pannellum_examplepano_4096.jpg", LensPose(2.5, 0.0, 1.0), (4, 6), (0, 0)),
}
SEAM_WIDTH = 1920          # output width for the blend scores (0.1875° a pixel)


def _gray_gradients(img: np.ndarray) -> np.ndarray:
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32)
    return np.stack([cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1)], -1)


def lens_picture(img: np.ndarray, lens: MeiLens, to_lens: np.ndarray) -> np.ndarray:
    """One lens's own picture of the whole equirect grid (black where it does not see)."""
    w, h = SEAM_WIDTH, SEAM_WIDTH // 2
    lon = ((np.arange(w) + 0.5) / w * 2 - 1) * np.pi
    lat = (0.5 - (np.arange(h) + 0.5) / h) * np.pi
    clat = np.cos(lat)[:, None]
    dirs = np.stack(np.broadcast_arrays(clat * np.sin(lon), np.sin(lat)[:, None], clat * np.cos(lon)), -1)
    u, v, _ = lens.project(dirs @ to_lens.T)
    return cv2.remap(img, u.astype(np.float32), v.astype(np.float32), cv2.INTER_LINEAR,
                     borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def blend_scores(front_img, back_img, front, back, rig) -> dict[str, tuple[float, float]]:
    """(ghosting, seam step) of each blend in the seam bands (|latitude| < 45°, 3° either side
    of ±90°), from the grey gradients of the stitched picture S and of each lens alone (A, B):

    * ghosting: the mean of min(|∇S − ∇A|, |∇S − ∇B|): 0 where every edge is one lens's edge,
      large where both lenses' edges are mixed (double edges of a misaligned seam);
    * seam step: the mean |∂S/∂x| in the column pair at the seam, over that in the band around
      it (1 = the seam adds nothing; a jump in brightness or an edge that breaks raises it).
    """
    ga, gb = (_gray_gradients(lens_picture(img, lens, rig.to_lens(side)))
              for side, img, lens in (("front", front_img, front), ("back", back_img, back)))
    stitched = {"linear 6°": stitch_dual_fisheye(front_img, back_img, front, back, SEAM_WIDTH, rig),
                "multi-band": stitch_dual_fisheye(front_img, back_img, front, back, SEAM_WIDTH, rig, blend="multiband")}
    h, w = SEAM_WIDTH // 2, SEAM_WIDTH
    rows = slice(h // 4, 3 * h // 4)
    per_deg = w / 360.0
    scores = {}
    for name, pano in stitched.items():
        gs = _gray_gradients(pano)
        ghost, step = [], []
        for seam in (w // 4, 3 * w // 4):                 # columns of −90° and +90°
            band = slice(seam - int(3 * per_deg), seam + int(3 * per_deg))
            diff = np.minimum(np.linalg.norm(gs[rows, band] - ga[rows, band], axis=-1),
                              np.linalg.norm(gs[rows, band] - gb[rows, band], axis=-1))
            ghost.append(float(diff.mean()))
            dx = np.abs(gs[rows, band, 0])
            mid = int(3 * per_deg)
            step.append(float(dx[:, mid - 1:mid + 1].mean() / (dx.mean() + 1e-9)))
        scores[name] = (float(np.mean(ghost)), float(np.mean(step)))
    return scores


def sweep(front: MeiLens, back: MeiLens, count: int, max_turn_deg: float, seed: int) -> None:
    """Random other units at half size (480×540, as in the tests): back lens turned up to
    ``max_turn_deg`` about each axis, back centre up to 3 px and front centre up to 2 px off, over the
    five equirect photos in turn; how many the refinement brings within 2° on both seams."""
    front, back = front.scaled(480, 540), back.scaled(480, 540)
    photos = sorted(EQUIRECT.glob("*.jpg"))
    rng = np.random.default_rng(seed)
    held, worst_before, worst_after, kept = 0, [], [], []
    for i in range(count):
        pose = LensPose(*rng.uniform(-max_turn_deg, max_turn_deg, 3))
        bx, by = rng.uniform(-3, 3, 2)
        fx, fy = rng.uniform(-2, 2, 2)
        f_img, b_img = lens_images_from_equirect(
            cv2.imread(str(photos[i % len(photos)])), replace(front, cx=front.cx + fx, cy=front.cy + fy),
            replace(back, cx=back.cx + bx, cy=back.cy + by), DualFisheyeRig(back=pose))
        refined = refine_stitch(f_img, b_img, front, back)
        worst_before.append(max(m.error_deg for m in refined.before))
        worst_after.append(max(m.error_deg for m in refined.after))
        held += worst_after[-1] <= 2.0
        if not refined.refined:
            kept.append(f"{photos[i % len(photos)].name}: {refined.kept_why}")
    print(f"turned up to {max_turn_deg:.0f}° per axis: {held}/{count} within 2° after refinement "
          f"(worse seam before {min(worst_before):.2f}–{max(worst_before):.2f}°, "
          f"after {min(worst_after):.2f}–{max(worst_after):.2f}°)")
    for line in kept:
        print(f"    kept the calibration: {line}")


def seam_part(sweep_count: int = 15) -> None:
    front = MeiLens.from_yaml(FIXTURES / "theta_front.yaml")
    back = MeiLens.from_yaml(FIXTURES / "theta_back.yaml")
    pairs = {"fixture (real Theta pair)": (cv2.imread(str(FIXTURES / "theta_front_table.jpg")),
                                           cv2.imread(str(FIXTURES / "theta_back_table.jpg")))}
    for name, (photo, pose, back_shift, front_shift) in UNITS.items():
        true_front = replace(front, cx=front.cx + front_shift[0], cy=front.cy + front_shift[1])
        true_back = replace(back, cx=back.cx + back_shift[0], cy=back.cy + back_shift[1])
        f_img, b_img = lens_images_from_equirect(cv2.imread(str(EQUIRECT / photo)), true_front, true_back,
                                                 DualFisheyeRig(back=pose))
        pairs[name] = (f_img, cv2.convertScaleAbs(b_img, alpha=0.85))
    print(f"seam error (degrees, left / right) and blends; {date.today()}  {platform.machine()}  "
          f"{os.cpu_count()} cores  OpenCV {cv2.__version__}")
    print()
    print(f"{'pair':28s} {'calibration':>13s} {'refined':>13s} {'matches':>8s} {'s':>5s}  what")
    refined_all = {}
    for name, (f_img, b_img) in pairs.items():
        start = time.perf_counter()
        refined = refine_stitch(f_img, b_img, front, back)
        seconds = time.perf_counter() - start
        refined_all[name] = refined
        before = " / ".join(f"{m.error_deg:.2f}" for m in refined.before)
        after = " / ".join(f"{m.error_deg:.2f}" for m in refined.after)
        what = (("rotation + lens centres" if refined.centres_moved else "rotation") if refined.refined
                else "kept: " + refined.kept_why)
        print(f"{name:28s} {before:>13s} {after:>13s} {refined.inliers:4d}/{refined.matches:<3d} {seconds:5.2f}  {what}")
    print()
    print(f"blends at {SEAM_WIDTH}×{SEAM_WIDTH // 2}: ghosting (lower is better) / seam step (1 = invisible); "
          "stitched with what refine_stitch chose, and (calibration) with the calibration alone")
    names = ("linear 6°", "multi-band")
    print(f"{'pair':36s} " + " ".join(f"{n:>17s}" for n in names))
    for name, (f_img, b_img) in pairs.items():
        r = refined_all[name]
        rows = [(name, (r.front_lens, r.back_lens, r.rig))]
        if r.refined:
            rows.append((name + " (calibration)", (front, back, DualFisheyeRig())))
        for label, (f_lens, b_lens, rig) in rows:
            scores = blend_scores(f_img, b_img, f_lens, b_lens, rig)
            print(f"{label:36s} " + " ".join(f"{scores[n][0]:8.1f} / {scores[n][1]:5.2f} " for n in names))
    print()
    f_img, b_img = pairs["fixture (real Theta pair)"]
    for blend in ("linear", "multiband"):
        stitch_dual_fisheye(f_img, b_img, front, back, OUT_W, blend=blend)       # lookup tables built once
        start = time.perf_counter()
        for _ in range(3):
            stitch_dual_fisheye(f_img, b_img, front, back, OUT_W, blend=blend)
        print(f"one {OUT_W}×{OUT_H} photo, blend={blend}: {(time.perf_counter() - start) / 3 * 1000:.0f} ms")
    if sweep_count:
        print()
        print(f"random other units ({sweep_count} each, seeded):")
        sweep(front, back, sweep_count, 3.0, seed=5)
        sweep(front, back, sweep_count, 5.0, seed=6)


# ── speed ─────────────────────────────────────────────────────────────────────────────────

def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="clip length at 30 fps (default 2)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each measurement; the best counts (default 2)")
    parser.add_argument("--part", choices=("speed", "seam", "all"), default="all", help="what to measure (default all)")
    parser.add_argument("--sweep", type=int, default=15,
                        help="random other units per range in the seam part (default 15; 0: none)")
    args = parser.parse_args(argv)
    if args.part in ("speed", "all"):     # first: the seam part would leave the lookup tables cached
        speed_part(args)
    if args.part == "all":
        print()
    if args.part in ("seam", "all"):
        seam_part(args.sweep)


def speed_part(args: argparse.Namespace) -> None:
    count = round(args.seconds * FPS)

    with tempfile.TemporaryDirectory(prefix="zorgblik-bench-") as tmp:
        clip, frame = make_clip(Path(tmp), args.seconds)
        frames = decode(clip, frame.shape[1], frame.shape[0], keep=min(count, 15))
        front = MeiLens.from_yaml(FIXTURES / "theta_front.yaml")
        back = MeiLens.from_yaml(FIXTURES / "theta_back.yaml")
        start = time.perf_counter()
        stitcher = side_by_side_stitcher(frame.shape[1], frame.shape[0], front, back, OUT_W)
        build_s = time.perf_counter() - start

        runs: dict[str, list[float]] = {}
        measurements = {
            "ffmpeg decode (yuvj420p)": lambda: time_ffmpeg(clip, "null"),
            "ffmpeg decode + v360 (yuvj420p)": lambda: time_ffmpeg(clip, V360),
            "ffmpeg decode + format=bgr24": lambda: time_ffmpeg(clip, "format=bgr24"),
            "ffmpeg decode + format=bgr24 + v360": lambda: time_ffmpeg(clip, f"format=bgr24,{V360}"),
            "capture.stitch remap": lambda: time_sequential(stitcher, frames, count),
            "capture.stitch remap, 2 frames at a time": lambda: time_two_at_a_time(stitcher, frames, count),
        }
        for _ in range(args.repeats):
            for name, measure in measurements.items():
                runs.setdefault(name, []).append(measure())
    best = {name: min(times) for name, times in runs.items()}

    fps = {
        "ffmpeg v360, yuvj420p": count / (best["ffmpeg decode + v360 (yuvj420p)"] - best["ffmpeg decode (yuvj420p)"]),
        "ffmpeg v360, bgr24":
            count / (best["ffmpeg decode + format=bgr24 + v360"] - best["ffmpeg decode + format=bgr24"]),
        "capture.stitch, bgr24": count / best["capture.stitch remap"],
        "capture.stitch, bgr24, 2 frames at a time": count / best["capture.stitch remap, 2 frames at a time"],
    }
    version = run_tool(["ffmpeg", "-version"]).splitlines()[0]
    print(f"dual-fisheye 1920×1080 → equirect {OUT_W}×{OUT_H}, {count} frames, best of {args.repeats}")
    print(f"{date.today()}  {platform.machine()}  {os.cpu_count()} cores  OpenCV {cv2.__version__}  {version}")
    blended = stitcher.seam_pixels / (OUT_W * OUT_H)
    print(f"lookup tables built once in {build_s:.2f} s ({blended:.1%} of the pixels blend both lenses)")
    print()
    print(f"{'measured (wall time, best run)':44s} {'seconds':>8s} {'fps':>7s}")
    for name, seconds in best.items():
        print(f"{name:44s} {seconds:8.2f} {count / seconds:7.1f}")
    print()
    print(f"{'conversion only':44s} {'fps':>7s} {'ms/frame':>9s}")
    for name, value in fps.items():
        print(f"{name:44s} {value:7.1f} {1000 / value:9.1f}")
    print()
    ours = fps["capture.stitch, bgr24"]
    print(f"ratio capture.stitch / ffmpeg v360 (bgr24):    {ours / fps['ffmpeg v360, bgr24']:.2f}")
    print(f"ratio capture.stitch / ffmpeg v360 (yuvj420p): {ours / fps['ffmpeg v360, yuvj420p']:.2f}")


if __name__ == "__main__":
    try:
        main()
    except ZorgblikError as exc:
        sys.exit(f"bench failed: {exc.one_line()}")
