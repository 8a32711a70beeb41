"""Pipeline overhead: ``zorgblik build`` of one scene against one hand-written ffmpeg command.

Both get the same input (demo/footage/video/testroom_1920x960_mono.mp4), the same trim
(1 s → 11 s), the same levelling (v360 pitch −3°, roll 2°), scaling and x264 settings (the
quest2 profile). The hand-written command only encodes; ``zorgblik build`` also starts Python,
ingests and probes the footage, injects and verifies the spherical metadata, makes the poster and
thumbnail, writes captions, hotspots, mesh and manifest, and records the catalog rows.

Runs alternate (ours, hand, ours, hand, …) in the same process run; between our runs the
encode cache and the bundles are removed (the catalog and the shared sphere mesh stay, as on a
real machine after its first build). Target: median ratio ≤ 1.10.

    .venv/bin/python bench/pipeline_overhead.py [--reps 3] [--preset veryfast]
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
IN_S, OUT_S = 1.0, 11.0
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


def hand_command(preset: str, dst: Path) -> list[str]:
    """Written out by hand from the quest2 profile: what an engineer would type."""
    return [
        "ffmpeg", "-y", "-v", "error", "-ss", f"{IN_S:.3f}", "-t", f"{OUT_S - IN_S:.3f}", "-i", str(SOURCE),
        "-filter_complex",
        "[0:v]v360=e:e:yaw=0:pitch=-3:roll=2:in_stereo=2d:out_stereo=2d:interp=cubic,"
        "scale=1920:960:flags=lanczos,format=yuv420p[v]",
        "-map", "[v]", "-c:v", "libx264", "-crf", "20", "-preset", preset, "-maxrate", "60000k", "-bufsize", "120000k",
        "-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-level", "5.2", "-profile:v", "high",
        "-x264-params", "mvrange=511", "-map_metadata", "-1", "-movflags", "+faststart", "-f", "mp4", str(dst),
    ]


def timed(argv: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--preset", default="veryfast")
    args = parser.parse_args()
    zorgblik = str(Path(sys.executable).parent / "zorgblik")
    with tempfile.TemporaryDirectory(prefix="zb-bench-") as tmp:
        tmp_path = Path(tmp)
        data = tmp_path / "data"
        script = tmp_path / "kamer.yaml"
        script.write_text(SCRIPT.format(footage=os.path.relpath(SOURCE, tmp_path), in_s=IN_S, out_s=OUT_S))
        env = {**os.environ, "ZORGBLIK_ENCODER_PRESET": args.preset, "ZORGBLIK_JOBS": "1"}
        build = [zorgblik, "--data", str(data), "build", str(script), "--profile", "quest2"]
        timed(build, env)  # warm-up: ingest, catalog, mesh (once per machine, not per build)
        ours, hand = [], []
        for _ in range(args.reps):
            shutil.rmtree(data / "cache" / "encode")
            shutil.rmtree(data / "cache" / "poster", ignore_errors=True)
            shutil.rmtree(data / "bundles")
            ours.append(timed(build, env))
            hand.append(timed(hand_command(args.preset, tmp_path / "hand.mp4")))
        [bundle] = [p for p in (data / "bundles").iterdir() if not p.name.startswith(".")]
        ours_size, hand_size = (bundle / "scene.quest2.mp4").stat().st_size, (tmp_path / "hand.mp4").stat().st_size
    med_ours, med_hand = statistics.median(ours), statistics.median(hand)
    print(f"pipeline overhead — {time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, "
          f"preset {args.preset}, {OUT_S - IN_S:.0f} s of 1920×960 @ 30, {args.reps} runs each")
    print(f"{'':<26}{'median s':>10}{'runs':>30}")
    print(f"{'zorgblik build (quest2)':<26}{med_ours:>10.2f}{'  '.join(f'{t:.2f}' for t in ours):>30}")
    print(f"{'hand-written ffmpeg':<26}{med_hand:>10.2f}{'  '.join(f'{t:.2f}' for t in hand):>30}")
    print(f"{'ratio (target ≤ 1.10)':<26}{med_ours / med_hand:>10.3f}")
    print(f"output bytes: ours {ours_size}, hand {hand_size} (ours adds the spherical V1/V2 boxes)")


if __name__ == "__main__":
    main()
