"""x264's lookahead at 3840×1920: the encoder's memory against what a shorter one costs in quality (#15).

The quest2 rendition of a 4K scene is encoded by libx264 at preset medium, whose ``rc-lookahead``
is 40 frames; at 3840×1920 the encoder alone then holds about 1.5 GB, more than #15's target for a
whole build. A shorter lookahead holds less, and at the same crf gives a smaller file of lower
quality (mb-tree sees less of the future), so the two can only be compared at equal quality: each
lookahead is encoded at four crf values and the Bjøntegaard delta rate (BD-rate: the average
change in bitrate at the same PSNR-Y, over the PSNR range both curves share) is reported against
the default 40. Positive: the shorter lookahead needs that many percent more bits for the same
picture.

Two clips, 3840×1920 at 30 fps, made once as lossless x264 (the reference the PSNR is taken
against): **pan**, the A-Frame panorama (4096×2048, two hikers) turning 6° a second (the frame
shifted round the seam: a camera turning on its tripod, detail everywhere), and **room**, the test
room clip scaled up (people moving in a still room). Each encode gets the reference through a pipe
from a separate ffmpeg, so the peak resident memory sampled (psutil, every 50 ms) is the
encoder's own; CPU is user + system of the encoding process.

    PYTHONPATH=. .venv/bin/python bench/x264_lookahead.py [--seconds 3] [--crf 17,20,23,26] [--lookahead 40,20,10]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from one_pass import COMMON  # noqa: E402  (the GOP and stream settings of the hand commands)

from render.profiles import PROFILES  # noqa: E402

PANORAMA = ROOT / "demo/footage/equirect/aframe_puydesancy_4096_faces.jpg"
ROOM = ROOT / "demo/footage/video/testroom_1920x960_mono.mp4"
WIDTH, HEIGHT, FPS = 3840, 1920, 30
QUEST2 = PROFILES["quest2"]


def encoder_args(crf: int, lookahead: int) -> list[str]:
    """quest2's encoder settings (render/profiles.py) at ``crf``, with ``lookahead`` frames of rc-lookahead."""
    return ["-c:v", QUEST2.encoder, "-preset", "medium", "-crf", str(crf), "-maxrate", f"{QUEST2.maxrate_kbps}k",
            "-bufsize", f"{QUEST2.maxrate_kbps * 2}k", "-level", QUEST2.level,
            "-x264-params", f"{QUEST2.encoder_params}:rc-lookahead={lookahead}", "-pix_fmt", "yuv420p", *COMMON]


def reference(name: str, seconds: float, tmp: Path) -> Path:
    """The clip, lossless (x264 qp 0), the reference every encode is measured against."""
    out = tmp / f"{name}.mkv"
    if name == "pan":  # the panorama twice side by side, a 3840-wide window sliding 64 px (6°) a second
        source = ["-loop", "1", "-framerate", str(FPS), "-i", str(PANORAMA)]
        graph = (f"scale={WIDTH}:{HEIGHT}:flags=lanczos,split[a][b];[a][b]hstack,"
                 f"crop={WIDTH}:{HEIGHT}:x='mod(t*{WIDTH / 60:.4f},{WIDTH})':y=0,format=yuv420p")
    else:
        source = ["-ss", "1", "-i", str(ROOM)]
        graph = f"scale={WIDTH}:{HEIGHT}:flags=lanczos,format=yuv420p"
    subprocess.run(["ffmpeg", "-v", "error", "-y", *source, "-t", f"{seconds:.3f}", "-an", "-filter_complex", graph,
                    "-r", str(FPS), "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", str(out)], check=True)
    return out


def encode(ref: Path, crf: int, lookahead: int, out: Path) -> tuple[float, int]:
    """CPU seconds and peak RSS (bytes) of the encoder, fed raw frames through a pipe."""
    feed = subprocess.Popen(["ffmpeg", "-v", "error", "-i", str(ref), "-f", "yuv4mpegpipe", "-"],
                            stdout=subprocess.PIPE)
    enc = psutil.Popen(["ffmpeg", "-v", "error", "-y", "-f", "yuv4mpegpipe", "-i", "-", *encoder_args(crf, lookahead),
                        str(out)], stdin=feed.stdout)
    feed.stdout.close()
    peak, cpu = 0, 0.0
    while enc.poll() is None:
        try:
            peak = max(peak, enc.memory_info().rss)
            times = enc.cpu_times()
            cpu = times.user + times.system
        except psutil.Error:
            pass
        time.sleep(0.05)
    feed.wait()
    if enc.returncode or feed.returncode:
        raise SystemExit(f"encode failed: crf {crf}, rc-lookahead {lookahead}")
    return cpu, peak


def psnr_y(encoded: Path, ref: Path) -> float:
    """The PSNR of the luma plane over the whole clip (from the mean squared error of every
    frame), frame n against frame n: both decoded side by side through pipes."""
    def luma(path: Path) -> subprocess.Popen:
        return subprocess.Popen(["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                                stdout=subprocess.PIPE)
    size = WIDTH * HEIGHT
    a, b = luma(encoded), luma(ref)
    squared, frames = 0.0, 0
    while True:
        x, y = a.stdout.read(size), b.stdout.read(size)
        if len(x) < size or len(y) < size:
            break
        diff = np.frombuffer(x, np.uint8).astype(np.int16) - np.frombuffer(y, np.uint8)
        squared += float(np.mean(diff.astype(np.float64) ** 2))
        frames += 1
    for decoder in (a, b):
        decoder.kill()
        decoder.wait()
    if not frames:
        raise SystemExit(f"nothing to compare: {encoded.name}")
    return 10 * math.log10(255 ** 2 / (squared / frames))


def bd_rate(anchor: list[tuple[float, float]], test: list[tuple[float, float]]) -> float:
    """Bjøntegaard delta rate (percent) of ``test`` against ``anchor``, each a list of (kbit/s,
    PSNR): log-rate as a cubic in PSNR, the mean difference over the shared PSNR range."""
    def fitted(points):
        rate, psnr = np.log([p[0] for p in points]), np.array([p[1] for p in points])
        return np.polyint(np.polyfit(psnr, rate, min(3, len(points) - 1))), psnr
    (ia, pa), (it, pt) = fitted(anchor), fitted(test)
    low, high = max(pa.min(), pt.min()), min(pa.max(), pt.max())
    mean = ((np.polyval(it, high) - np.polyval(it, low)) - (np.polyval(ia, high) - np.polyval(ia, low))) / (high - low)
    return float((np.exp(mean) - 1) * 100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--crf", default="17,20,23,26")
    parser.add_argument("--lookahead", default="40,20,10", help="the first is the anchor of the BD-rates")
    args = parser.parse_args()
    crfs = [int(c) for c in args.crf.split(",")]
    lookaheads = [int(n) for n in args.lookahead.split(",")]
    print(f"x264 lookahead — {time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}, {WIDTH}×{HEIGHT} @ {FPS}, {args.seconds:g} s, quest2's settings, preset medium")
    with tempfile.TemporaryDirectory(prefix="zb-lookahead-") as tmp_name:
        tmp = Path(tmp_name)
        for clip in ("pan", "room"):
            ref = reference(clip, args.seconds, tmp)
            curves: dict[int, list[tuple[float, float]]] = {}
            print(f"\n{clip}: rc-lookahead, crf → kbit/s, PSNR-Y dB, encoder CPU s, encoder peak GB")
            for lookahead in lookaheads:
                peaks = []
                for crf in crfs:
                    out = tmp / f"{clip}-{lookahead}-{crf}.mp4"
                    cpu, peak = encode(ref, crf, lookahead, out)
                    kbps = out.stat().st_size * 8 / 1000 / args.seconds
                    psnr = psnr_y(out, ref)
                    curves.setdefault(lookahead, []).append((kbps, psnr))
                    peaks.append(peak)
                    print(f"  {lookahead:>3} {crf:>3}: {kbps:8.0f} kbit/s {psnr:6.2f} dB {cpu:6.1f} s {peak / 1e9:5.2f} GB",
                          flush=True)
                    out.unlink()
                line = f"  rc-lookahead {lookahead}: peak {max(peaks) / 1e9:.2f} GB"
                if lookahead != lookaheads[0]:
                    line += f", BD-rate against {lookaheads[0]}: {bd_rate(curves[lookaheads[0]], curves[lookahead]):+.1f} %"
                print(line, flush=True)
    print(f"\nload at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    sys.exit(main())
