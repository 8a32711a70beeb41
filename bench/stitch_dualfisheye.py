"""Frames per second of dual-fisheye → equirectangular at 3840×1920: capture.stitch vs ffmpeg v360.

    .venv/bin/python bench/stitch_dualfisheye.py [--seconds 2] [--repeats 2]

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

from capture.lens import MeiLens  # noqa: E402
from capture.stitch import side_by_side_stitcher  # noqa: E402
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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="clip length at 30 fps (default 2)")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each measurement; the best counts (default 2)")
    args = parser.parse_args(argv)
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
