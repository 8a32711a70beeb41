"""How much the privacy pass adds to an encode at 3840×1920.

Makes a short 3840×1920 clip (the pannellum landscape with Grace Hopper planted in it, panning
0.5° a frame so the encoder has real motion), then times, in the same run:

1. a plain encode with the quest2 profile's settings (libx264, preset medium, crf 20, level 5.2,
   mvrange 511) — what a render does without privacy;
2. the privacy pass alone: decode, detection on keyframes and cuts, blurring, frames discarded;
3. the privacy pass feeding the same encoder (what a render with privacy does).

Prints all three, wall and CPU seconds (this process and its ffmpeg children; steadier on a
shared machine), best of ``--repeats`` interleaved runs, and the ratios (2) / (1) and
((3) − (1)) / (1); the target is ≤ 0.5.

    .venv/bin/python bench/privacy_speed.py [--seconds 2] [--interval 15] [--repeats 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from render.privacy import BlurSettings, blur_video, paste_perspective, sphere_detector
from zorgblik.tools import run_tool, stream_tool

ROOT = Path(__file__).resolve().parent.parent
QUEST2 = ("-c:v", "libx264", "-preset", "medium", "-crf", "20", "-maxrate", "60000k", "-bufsize", "120000k",
          "-level", "5.2", "-x264-params", "mvrange=511", "-g", "60", "-pix_fmt", "yuv420p")


def make_clip(path: Path, seconds: float, fps: int = 30) -> None:
    import matplotlib

    pano = cv2.imread(str(ROOT / "demo" / "footage" / "equirect" / "pannellum_examplepano_4096.jpg"))
    pano = cv2.resize(pano, (3840, 1920), interpolation=cv2.INTER_AREA)
    face = cv2.imread(str(Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"))
    pano = paste_perspective(pano, face, 20.0, 0.0, 40.0)
    step = round(3840 * 0.5 / 360)
    with stream_tool(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "bgr24", "-s", "3840x1920",
                      "-r", str(fps), "-i", "pipe:0", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "14",
                      "-pix_fmt", "yuv420p", path], stdin=True) as proc:
        for n in range(round(seconds * fps)):
            proc.stdin.write(np.roll(pano, n * step, axis=1).tobytes())


def _cpu() -> float:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn) -> tuple[float, float]:
    """Wall seconds and CPU seconds (this process and its ffmpeg children) of ``fn()``: on a
    shared machine the CPU figure is the steadier one."""
    start, cpu = time.perf_counter(), _cpu()
    fn()
    return time.perf_counter() - start, _cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--interval", type=int, default=BlurSettings().keyframe_interval)
    parser.add_argument("--repeats", type=int, default=2, help="interleaved runs; the best of each counts")
    args = parser.parse_args()
    settings = BlurSettings(keyframe_interval=args.interval)
    detector = sphere_detector()
    with tempfile.TemporaryDirectory() as tmp:
        clip = Path(tmp) / "clip.mp4"
        make_clip(clip, args.seconds)
        detector(np.zeros((1920, 3840, 3), np.uint8))  # load the model outside the timings
        runs: dict[str, list[tuple[float, float]]] = {"encode": [], "alone": [], "both": []}
        reports = []
        for _ in range(args.repeats):
            runs["encode"].append(timed(lambda: run_tool(["ffmpeg", "-v", "error", "-y", "-i", clip, *QUEST2,
                                                          Path(tmp) / "plain.mp4"])))
            runs["alone"].append(timed(lambda: reports.append(blur_video(clip, None, settings=settings,
                                                                         detector=detector))))
            runs["both"].append(timed(lambda: blur_video(clip, Path(tmp) / "private.mp4", settings=settings,
                                                         detector=detector, video_args=QUEST2)))
    encode, alone, both = ((min(w for w, _ in r), min(c for _, c in r)) for r in runs.values())
    report = reports[0]
    print(f"{dt.date.today()}  {platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")
    print(f"clip: 3840x1920, {report.frames} frames, keyframe every {args.interval} ({report.keyframes} searches), "
          f"{report.count('face')} face(s) blurred; best of {args.repeats}")
    print("                            wall s  ratio | cpu s  ratio")
    print(f"plain quest2 encode:        {encode[0]:6.1f}        | {encode[1]:5.1f}")
    for name, (wall, cpu) in (("privacy pass alone:", alone), ("privacy pass + encode:", both)):
        print(f"{name:<27} {wall:6.1f}  {wall / encode[0]:5.2f} | {cpu:5.1f}  {cpu / encode[1]:5.2f}")
    print(f"added by privacy:           {both[0] - encode[0]:6.1f}  {(both[0] - encode[0]) / encode[0]:5.2f} | "
          f"{both[1] - encode[1]:5.1f}  {(both[1] - encode[1]) / encode[1]:5.2f}   (target ≤ 0.5)")


if __name__ == "__main__":
    main()
