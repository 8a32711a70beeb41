"""One pass (#15): ``zorgblik build`` of one scene against the hand-written one-pass ffmpeg command.

Input: demo/footage/video/testroom_1920x960_mono.mp4 from 1 s on, levelling v360 pitch −3°,
roll 2° (for a longer scene: the fixture on repeat, by stream copy). A build decodes the scene once,
searches faces on its keyframes, blurs them and streams the frames into one ffmpeg process that
encodes every rendition; no ffmpeg command can blur faces, so the hand side is the same process
without the blur: trim + level + scale + encode, one decode split into both encoders for two
profiles. Measured in one run, runs alternating (ours, hand):

* **whole**: every cache cleared (renditions, poster, privacy summary, face tracks), ``zorgblik
  build --profile quest2`` (and ``--profile web`` too) against the hand command for the same
  renditions. Target: ≤ 1.25.
* **encode**: the scene's face tracks and summary cached (a new profile for a scene whose faces
  are known: the build decodes, blurs from the tracks and encodes, searching nothing) against the
  hand command for that rendition. Target: ≤ 1.10.
* **memory**: peak resident memory of the build's whole process tree (the Python process and its
  ffmpeg children, sampled every 50 ms with psutil) for a 3840×1920 scene (the fixture scaled up,
  made in the run) at each ``--memory-seconds`` length: bounded if it does not grow with length.
  Target: ≤ 1.5 GB. Also seconds of build per minute of footage.
* **capture**: the same for a 5760×2880 H.265 capture at each ``--capture-seconds`` length (2 s
  of the fixture scaled up and encoded with x265 once, then repeated by stream copy), built with
  ``--capture-preset``: bounded if the peak does not grow with length; seconds per minute.

``--face-model`` builds with that face model (``ZORGBLIK_FACE_MODEL``; default: render's own).

Each pair is also given in CPU seconds (user + system of the command and every process under it):
on a loaded shared machine the wall times swing with other people's work, CPU seconds much less.

    PYTHONPATH=. .venv/bin/python bench/one_pass.py [--seconds 10] [--reps 1] [--memory-seconds 5,10] [--preset medium]
        [--size 3840x1920] [--only 'whole quest2'] [--face-model centerface] [--skip-ratios] [--capture-seconds 20,180 [--capture-preset ultrafast]]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

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
      - {{start: 0, end: 1, text: Welkom}}
    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
""")
LEVEL = "v360=e:e:yaw=0:pitch=-3:roll=2:in_stereo=2d:out_stereo=2d:interp=cubic"
#: The profiles' encoder settings, written out by hand (render/profiles.py), at 30 fps.
X264 = {
    "quest2": ["-c:v", "libx264", "-crf", "20", "-maxrate", "60000k", "-bufsize", "120000k", "-level", "5.2",
               "-x264-params", "mvrange=511"],
    "web": ["-c:v", "libx264", "-crf", "21", "-maxrate", "30000k", "-bufsize", "60000k", "-level", "5.1"],
}
COMMON = ["-g", "30", "-keyint_min", "30", "-sc_threshold", "0", "-profile:v", "high", "-map_metadata", "-1",
          "-movflags", "+faststart", "-f", "mp4"]
CACHES_WHOLE = ("encode", "checked", "sha256", "poster", "privacy", "tracks")
CACHES_ENCODE = ("encode", "checked", "sha256")


def hand_command(preset: str, source: Path, seconds: float, size: tuple[int, int], profiles: list[str],
                 out: Path) -> list[str]:
    """Trim + level + scale + encode every profile's rendition, one decode: what an engineer types."""
    n = len(profiles)
    width, height = size
    graph = f"[0:v]{LEVEL}" + (f",split={n}" + "".join(f"[s{i}]" for i in range(n)) + ";" if n > 1 else "[s0];")
    graph += ";".join(f"[s{i}]scale={width}:{height}:flags=lanczos,format=yuv420p[v{i}]" for i in range(n))
    argv = ["ffmpeg", "-y", "-v", "error", "-ss", f"{IN_S:.3f}", "-t", f"{seconds:.3f}", "-i", str(source),
            "-filter_complex", graph]
    for i, profile in enumerate(profiles):
        argv += ["-map", f"[v{i}]", *X264[profile], *COMMON, "-preset", preset, str(out / f"hand.{profile}.mp4")]
    return argv


#: CPU seconds (user + system) of each timed command and all its descendants, by wall time: on
#: this shared 2-core machine the wall times swing with the other engineers' load, CPU much less.
CPU: dict[float, float] = {}


def timed(argv: list[str], env: dict | None = None) -> float:
    start, used = time.perf_counter(), _children_cpu()
    subprocess.run(argv, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    CPU[wall] = _children_cpu() - used
    return wall


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # every descendant waited for, ffmpeg included
    return usage.ru_utime + usage.ru_stime


def peak_memory(argv: list[str], env: dict | None = None) -> tuple[float, int, str]:
    """Wall seconds, the peak summed RSS (bytes) of ``argv`` and all its children, and who held
    it at that moment (MB per process, the ffmpeg processes in the order they started)."""
    start = time.perf_counter()
    proc = psutil.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak, held = 0, ""
    while proc.poll() is None:
        total, parts = 0, []
        for p in [proc, *proc.children(recursive=True)]:
            try:
                rss = p.memory_info().rss
                parts.append(f"{'python' if p is proc and 'ffmpeg' not in argv[0] else p.name()} {rss / 1e6:.0f}")
                total += rss
            except psutil.Error:
                pass
        if total > peak:
            peak, held = total, ", ".join(parts)
        time.sleep(0.05)
    if proc.returncode:
        raise SystemExit(f"failed: {proc.stderr.read().decode()[-500:]}")
    return time.perf_counter() - start, peak, held


def looped(source: Path, seconds: float, tmp: Path, scale: tuple[int, int] | None = None) -> Path:
    """The fixture, long enough for ``seconds`` from IN_S: by stream copy, or scaled up (x264
    ultrafast, crf 18) for the memory runs."""
    if IN_S + seconds <= 11.0 and scale is None:
        return source
    name = f"testroom_{seconds:.0f}s" + (f"_{scale[0]}" if scale else "") + ".mp4"
    out = tmp / name
    argv = ["ffmpeg", "-v", "error", "-y", "-stream_loop", "-1", "-i", str(source), "-t", f"{IN_S + seconds + 0.5:.3f}"]
    if scale:
        argv += ["-vf", f"scale={scale[0]}:{scale[1]}:flags=lanczos", "-c:v", "libx264", "-preset", "ultrafast",
                 "-crf", "18", "-pix_fmt", "yuv420p"]
    else:
        argv += ["-c", "copy"]
    subprocess.run(argv + [str(out)], check=True)
    return out


def capture(seconds: float, tmp: Path) -> Path:
    """A 5760×2880 H.265 capture ``seconds`` long after IN_S: 2 s of the fixture scaled up and
    encoded with x265 (ultrafast) once, then repeated by stream copy."""
    piece = tmp / "capture_2s.mp4"
    if not piece.exists():
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-ss", f"{IN_S:.3f}", "-t", "2", "-i", str(SOURCE), "-an",
                        "-vf", "scale=5760:2880:flags=lanczos", "-c:v", "libx265", "-preset", "ultrafast",
                        "-x265-params", "log-level=error", "-crf", "22", "-pix_fmt", "yuv420p", "-tag:v", "hvc1",
                        str(piece)], check=True)
    out = tmp / f"capture_{seconds:.0f}s.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", "-1", "-i", str(piece),
                    "-t", f"{IN_S + seconds + 0.5:.3f}", "-c", "copy", "-tag:v", "hvc1", str(out)], check=True)
    return out


#: The face model the builds use (--face-model; empty: render's default).
FACE_MODEL = {"name": ""}


class Scene:
    def __init__(self, source: Path, seconds: float, tmp: Path, preset: str, tag: str):
        self.seconds = seconds
        self.data = tmp / f"data-{tag}"
        folder = tmp / f"script-{tag}"
        folder.mkdir()
        self.script = folder / "kamer.yaml"
        self.script.write_text(SCRIPT.format(footage=os.path.relpath(source, folder), in_s=IN_S, out_s=IN_S + seconds))
        self.env = {**os.environ, "ZORGBLIK_ENCODER_PRESET": preset, "ZORGBLIK_JOBS": "1",
                    "ZORGBLIK_RENDER_CACHE_DIR": "", "ZORGBLIK_FACE_MODEL": FACE_MODEL["name"]}
        self.zorgblik = str(Path(sys.executable).parent / "zorgblik")

    def build(self, profiles: list[str]) -> list[str]:
        return [self.zorgblik, "--data", str(self.data), "build", str(self.script),
                *[a for p in profiles for a in ("--profile", p)]]

    def clear(self, caches: tuple[str, ...]) -> None:
        for cached in caches:
            shutil.rmtree(self.data / "cache" / cached, ignore_errors=True)
        shutil.rmtree(self.data / "bundles", ignore_errors=True)


#: The comparisons a ratio run makes (--only picks some).
COMPARISONS = ("whole quest2", "whole quest2+web", "encode quest2")
#: SOURCE's own frame size: the ratio runs' default (--size scales it up once).
FIXTURE_SIZE = (1920, 960)


def compare(seconds: float, reps: int, preset: str, tmp: Path, size: tuple[int, int] = FIXTURE_SIZE,
            only: tuple[str, ...] = COMPARISONS) -> dict:
    source = looped(SOURCE, seconds, tmp, scale=None if size == FIXTURE_SIZE else size)
    scene = Scene(source, seconds, tmp, preset, f"{seconds:.0f}-{size[0]}")
    runs: dict[str, list[float]] = {}
    wholes = [p for p in (["quest2"], ["quest2", "web"]) if f"whole {'+'.join(p)}" in only]
    if not wholes:
        timed(scene.build(["quest2"]), scene.env)  # the face search once: its tracks stay
    for profiles in wholes:
        key = "+".join(profiles)
        for _ in range(reps):
            scene.clear(CACHES_WHOLE)
            runs.setdefault(f"whole {key} ours", []).append(timed(scene.build(profiles), scene.env))
            runs.setdefault(f"whole {key} hand", []).append(
                timed(hand_command(preset, source, seconds, size, profiles, tmp)))
    # tracks, summary and poster stay: a new profile for a scene whose faces are known
    for _ in range(reps) if "encode quest2" in only else ():
        scene.clear(CACHES_ENCODE)
        runs.setdefault("encode quest2 ours", []).append(timed(scene.build(["quest2"]), scene.env))
        runs.setdefault("encode quest2 hand", []).append(
            timed(hand_command(preset, source, seconds, size, ["quest2"], tmp)))
    return runs


def memory(seconds_list: list[float], preset: str, tmp: Path) -> list[tuple[str, float, float, int, str]]:
    """The 3840×1920 build at each length, and the hand command for the same rendition (the
    shortest length: what ffmpeg's own v360 and x264 hold, for comparison)."""
    found = []
    for n, seconds in enumerate(seconds_list):
        source = looped(SOURCE, seconds, tmp, scale=(3840, 1920))
        scene = Scene(source, seconds, tmp, preset, f"mem{seconds:.0f}")
        found.append(("build", seconds, *peak_memory(scene.build(["quest2"]), scene.env)))
        if n == 0:
            hand = hand_command(preset, source, seconds, (3840, 1920), ["quest2"], tmp)
            found.append(("hand ffmpeg", seconds, *peak_memory(hand)))
    return found


def captures(seconds_list: list[float], preset: str, tmp: Path) -> list[tuple[str, float, float, int, str]]:
    """The 5760×2880 H.265 capture's build (quest2) at each length."""
    found = []
    for seconds in seconds_list:
        scene = Scene(capture(seconds, tmp), seconds, tmp, preset, f"cap{seconds:.0f}")
        found.append(("capture build", seconds, *peak_memory(scene.build(["quest2"]), scene.env)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", default="10", help="scene lengths for the ratios, comma-separated (default 10)")
    parser.add_argument("--reps", type=int, default=1, help="pairs per comparison")
    parser.add_argument("--memory-seconds", default="5,10",
                        help="lengths of the 3840×1920 memory runs, comma-separated ('' for none)")
    parser.add_argument("--preset", default="medium")
    parser.add_argument("--size", default="x".join(map(str, FIXTURE_SIZE)),
                        help="frame size of the ratio runs: the fixture's 1920x960, or e.g. 3840x1920 (scaled up "
                             "once, as the memory runs are; what real captures give the quest2 rendition)")
    parser.add_argument("--skip-whole", action="store_true", help="only the encode comparison and memory "
                                                                   "(--only 'encode quest2')")
    parser.add_argument("--only", default=",".join(COMPARISONS),
                        help=f"the comparisons to make, comma-separated (default: all of {', '.join(COMPARISONS)})")
    parser.add_argument("--skip-ratios", action="store_true", help="no comparison with the hand command: memory only")
    parser.add_argument("--face-model", default="", help="the builds' face model (default: render's own)")
    parser.add_argument("--capture-seconds", default="",
                        help="lengths of the 5760×2880 H.265 capture runs, comma-separated (default none)")
    parser.add_argument("--capture-preset", default=None, help="encoder preset of the capture runs (default --preset)")
    args = parser.parse_args()
    FACE_MODEL["name"] = args.face_model
    size = tuple(int(n) for n in args.size.lower().split("x"))
    only = ("encode quest2",) if args.skip_whole else tuple(w.strip() for w in args.only.split(","))
    print(f"one pass — {time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, {os.cpu_count()} cores, "
          f"load {os.getloadavg()[0]:.1f}, preset {args.preset}, {size[0]}×{size[1]} @ 30, "
          f"face model {args.face_model or 'default'}")
    with tempfile.TemporaryDirectory(prefix="zb-bench-") as tmp_name:
        tmp = Path(tmp_name)
        for seconds in [] if args.skip_ratios else sorted(float(s) for s in args.seconds.split(",")):
            runs = compare(seconds, args.reps, args.preset, tmp, size=size, only=only)
            print(f"\n{seconds:.0f} s scene")
            for what in COMPARISONS:
                if f"{what} ours" not in runs:
                    continue
                ours, hand = runs[f"{what} ours"], runs[f"{what} hand"]
                target = 1.10 if what.startswith("encode") else 1.25
                ratio = statistics.median(ours) / statistics.median(hand)
                print(f"{what:<18} ours {' '.join(f'{t:.2f}' for t in ours)} s, hand {' '.join(f'{t:.2f}' for t in hand)}"
                      f" s: ratio {ratio:.3f} (target ≤ {target:.2f}: {'met' if ratio <= target else 'missed'}),"
                      f" median of pair ratios {statistics.median(o / h for o, h in zip(ours, hand)):.3f}")
                cpu_ours, cpu_hand = [CPU[t] for t in ours], [CPU[t] for t in hand]
                print(f"{'':<18} CPU ours {' '.join(f'{t:.2f}' for t in cpu_ours)} s, hand "
                      f"{' '.join(f'{t:.2f}' for t in cpu_hand)} s: ratio "
                      f"{statistics.median(cpu_ours) / statistics.median(cpu_hand):.3f}")
        if args.memory_seconds:
            print("\n3840×1920 build (quest2), peak RSS of the process tree")
            for who, seconds, wall, peak, held in memory([float(s) for s in args.memory_seconds.split(",")],
                                                         args.preset, tmp):
                print(f"{who}, {seconds:.0f} s scene: {wall:.1f} s wall ({wall / seconds * 60:.0f} s per minute of "
                      f"footage), peak {peak / 1e9:.2f} GB (target ≤ 1.5 GB: {'met' if peak <= 1.5e9 else 'missed'});"
                      f" at the peak, MB: {held}")
        if args.capture_seconds:
            preset = args.capture_preset or args.preset
            print(f"\n5760×2880 H.265 capture (quest2, preset {preset}), peak RSS of the process tree")
            for who, seconds, wall, peak, held in captures([float(s) for s in args.capture_seconds.split(",")],
                                                           preset, tmp):
                print(f"{who}, {seconds:.0f} s: {wall:.1f} s wall ({wall / seconds * 60:.0f} s per minute of footage), "
                      f"peak {peak / 1e9:.2f} GB; at the peak, MB: {held}")
        print(f"load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
