"""Pipeline overhead: ``zorgblik build`` of one scene against hand-written ffmpeg commands.

Input: demo/footage/video/testroom_1920x960_mono.mp4 from 1 s on, levelling v360 pitch −3°,
roll 2°, the quest2 profile's scaling and x264 settings; two scene lengths: 10 s (the fixture
clip) and 60 s (the fixture on repeat: the length of a real scene). Since the privacy issue, a
build first makes one trimmed, levelled, face-blurred intermediate per scene and encodes every
headset rendition from it; no ffmpeg command can blur faces, so two comparisons:

* **encode**: the build with the scene's privacy intermediate already cached (the case for every
  further profile, and after a change of encoder settings) against one hand-written ffmpeg
  command that scales and encodes that same intermediate with the same settings. The encode's
  own caches (the rendition, its remembered probe and sha256) are cleared before each run; the
  poster stays cached, as it does in that case (it depends on the intermediate and the view
  only). What is left is the pipeline's own overhead: Python start-up and imports, the catalog,
  planning, spatial metadata injection and verification, captions, hotspots, manifest, catalog
  rows. Target: median ratio ≤ 1.10.
* **whole build**: everything cleared, the build (privacy pass included) against the one
  hand-written command that trims, levels, scales and encodes the original. The difference is
  the privacy pass, reported for information (bench/privacy_speed.py measures that pass itself).

Runs alternate (ours, hand, ours, hand, …) in the same process run; the catalog and the shared
sphere mesh stay between runs, as on a real machine after its first build. On a shared machine
single runs swing by ±15 %, so the encode comparison also reports the median of the ratios of
each back-to-back pair, and the fixed overhead in seconds (median of ours − hand per pair).

    .venv/bin/python bench/pipeline_overhead.py [--seconds 10,60] [--reps 5] [--whole-reps 2] [--preset medium]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scripts_vr.templates import minimal_script

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "demo/footage/video/testroom_1920x960_mono.mp4"
IN_S = 1.0
SCRIPT = minimal_script("""\
  - id: kamer
    title: {{nl: Kamer}}
    footage: {footage}
    in: {in_s}
    out: {out_s}
    level: {{yaw: 0, pitch: -3, roll: 2}}
    captions:
      - {{start: 0, end: 2, text: Welkom}}
    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
""")


X264 = ["-c:v", "libx264", "-crf", "20", "-maxrate", "60000k", "-bufsize", "120000k", "-g", "30", "-keyint_min", "30",
        "-sc_threshold", "0", "-level", "5.2", "-profile:v", "high", "-x264-params", "mvrange=511",
        "-map_metadata", "-1", "-movflags", "+faststart", "-f", "mp4"]


def hand_encode(preset: str, intermediate: Path, dst: Path) -> list[str]:
    """The rendition from the blurred intermediate, written out by hand from the quest2 profile."""
    return ["ffmpeg", "-y", "-v", "error", "-i", str(intermediate), "-vf", "scale=1920:960:flags=lanczos,format=yuv420p",
            "-an", *X264, "-preset", preset, str(dst)]


def hand_command(preset: str, source: Path, seconds: float, dst: Path) -> list[str]:
    """Written out by hand from the quest2 profile: what an engineer would type."""
    return [
        "ffmpeg", "-y", "-v", "error", "-ss", f"{IN_S:.3f}", "-t", f"{seconds:.3f}", "-i", str(source),
        "-filter_complex",
        "[0:v]v360=e:e:yaw=0:pitch=-3:roll=2:in_stereo=2d:out_stereo=2d:interp=cubic,"
        "scale=1920:960:flags=lanczos,format=yuv420p[v]",
        "-map", "[v]", *X264, "-preset", preset, str(dst),
    ]


def timed(argv: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def scene_source(seconds: float, tmp_path: Path) -> Path:
    """The fixture clip, or for a longer scene the fixture played on repeat (stream copy: the same
    pictures, the length of a real scene)."""
    if IN_S + seconds <= 11.0:
        return SOURCE
    looped = tmp_path / f"testroom_{seconds:.0f}s.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", "-1", "-i", str(SOURCE), "-t", f"{IN_S + seconds + 1:.3f}",
                    "-c", "copy", str(looped)], check=True)
    return looped


def compare(seconds: float, reps: int, whole_reps: int, preset: str, tmp_path: Path) -> dict:
    """Build one scene of ``seconds`` against the hand-written commands, runs alternating."""
    zorgblik = str(Path(sys.executable).parent / "zorgblik")
    source = scene_source(seconds, tmp_path)
    data = tmp_path / f"data-{seconds:.0f}"
    script = tmp_path / "kamer.yaml"
    script.write_text(SCRIPT.format(footage=os.path.relpath(source, tmp_path), in_s=IN_S, out_s=IN_S + seconds))
    env = {**os.environ, "ZORGBLIK_ENCODER_PRESET": preset, "ZORGBLIK_JOBS": "1"}
    build = [zorgblik, "--data", str(data), "build", str(script), "--profile", "quest2"]
    timed(build, env)  # warm-up: ingest, privacy pass, catalog, mesh, poster (once per scene, not per encode)
    [intermediate] = (data / "cache" / "privacy").glob("*.mkv")
    runs = {"encode_ours": [], "encode_hand": [], "whole_ours": [], "whole_hand": []}
    for _ in range(reps):
        for cached in ("encode", "checked", "sha256"):
            shutil.rmtree(data / "cache" / cached, ignore_errors=True)
        shutil.rmtree(data / "bundles")
        runs["encode_ours"].append(timed(build, env))
        runs["encode_hand"].append(timed(hand_encode(preset, intermediate, tmp_path / "hand-encode.mp4")))
    for _ in range(whole_reps):
        for cached in ("encode", "checked", "sha256", "poster", "privacy"):
            shutil.rmtree(data / "cache" / cached, ignore_errors=True)
        shutil.rmtree(data / "bundles")
        runs["whole_ours"].append(timed(build, env))
        runs["whole_hand"].append(timed(hand_command(preset, source, seconds, tmp_path / "hand.mp4")))
    [bundle] = [p for p in (data / "bundles").iterdir() if not p.name.startswith(".")]
    runs["bytes"] = ((bundle / "scene.quest2.mp4").stat().st_size, (tmp_path / "hand-encode.mp4").stat().st_size)
    return runs


def report(seconds: float, runs: dict) -> None:
    ours, hand = runs["encode_ours"], runs["encode_hand"]
    print(f"\n{seconds:.0f} s scene ({len(ours)} + {len(runs['whole_ours'])} pairs)")
    print(f"{'':<46}{'median s':>10}   runs")
    rows = [("build, privacy intermediate cached", ours), ("hand ffmpeg: encode that intermediate", hand),
            ("build from scratch (privacy pass included)", runs["whole_ours"]),
            ("hand ffmpeg: trim+level+encode", runs["whole_hand"])]
    for name, times in rows:
        if times:
            print(f"{name:<46}{statistics.median(times):>10.2f}   {'  '.join(f'{t:.2f}' for t in times)}")
    print(f"{'ratio of medians, encode (target ≤ 1.10)':<46}{statistics.median(ours) / statistics.median(hand):>10.3f}")
    print(f"{'median of pair ratios, encode':<46}{statistics.median(o / h for o, h in zip(ours, hand)):>10.3f}")
    print(f"{'fixed overhead per build, s (ours − hand)':<46}{statistics.median(o - h for o, h in zip(ours, hand)):>10.2f}")
    if runs["whole_ours"]:
        whole = statistics.median(runs["whole_ours"]) / statistics.median(runs["whole_hand"])
        print(f"{'ratio, whole build (privacy pass included)':<46}{whole:>10.3f}")
    print("output bytes: ours {}, hand {} (ours adds the spherical V1/V2 boxes)".format(*runs["bytes"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", default="10,60", help="scene lengths, comma-separated (default 10,60)")
    parser.add_argument("--reps", type=int, default=5, help="pairs for the encode comparison, per length")
    parser.add_argument("--whole-reps", type=int, default=2,
                        help="pairs for the whole-build comparison, for the shortest length only")
    parser.add_argument("--preset", default="medium")
    args = parser.parse_args()
    lengths = sorted(float(s) for s in args.seconds.split(","))
    print(f"pipeline overhead — {time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, "
          f"preset {args.preset}, quest2 profile, 1920×960 @ 30")
    with tempfile.TemporaryDirectory(prefix="zb-bench-") as tmp:
        for n, seconds in enumerate(lengths):
            report(seconds, compare(seconds, args.reps, args.whole_reps if n == 0 else 0, args.preset, Path(tmp)))


if __name__ == "__main__":
    main()
