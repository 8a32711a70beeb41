"""What one face search costs on the keyframes of ``one_pass.py``'s scene, and where it goes (#15).

Reads the frames a build of ``one_pass.py``'s scene searches (the test room from 1 s on, levelled
as its script says, every 15th frame: the tracker's keyframes when there is no cut) and searches
each with the search as it was before #15 (``turned_scale=1``: every tile at full resolution in
all four turns) and with the default (turned views coarse to fine), alternating which goes first.
Prints wall and CPU seconds per keyframe for each, the pixels shown to the model per search, and,
for the default, where the time goes: the level views, the coarse turned views, the closer looks,
and everything that is not the model (cutting the views, mapping boxes, merging).

    PYTHONPATH=. .venv/bin/python bench/keyframe_search.py [--seconds 10] [--every 15] [--photo PATH ...]

``--model NAME`` (repeatable, e.g. ``--model centerface --model centerface-int8``) compares the
default search with each of those models from ``MODELS`` instead (the first is the baseline).

``--photo`` searches those equirect photos instead (e.g. the A-Frame panorama with two hikers,
``demo/footage/equirect/aframe_puydesancy_4096_faces.jpg``), to see what faces add.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from one_pass import IN_S, LEVEL, SOURCE  # noqa: E402  (the same scene)

from render.privacy.detect import MODELS, SphereDetector  # noqa: E402
from zorgblik.media.frames import read_frames  # noqa: E402


class Timed:
    """CenterFace, with the seconds and pixels of each call put under what the call was for."""

    def __init__(self, model: str = "centerface") -> None:
        self.model = MODELS[model]()
        self.threshold = self.model.threshold
        self.seconds: dict[str, float] = defaultdict(float)
        self.pixels: dict[str, int] = defaultdict(int)
        self.stage = ""

    def start(self) -> None:
        """A new search begins."""
        self.stage = ""

    def detect(self, images: np.ndarray, threshold: float | None = None):
        # a search asks for its full-resolution views, then (with a threshold of their own) the
        # coarse turned ones, then the closer looks
        if threshold is not None:
            kind = self.stage = "coarse turned views"
        else:
            kind = "closer looks" if self.stage == "coarse turned views" else "full-resolution views"
        start = time.perf_counter()
        found = self.model.detect(images, threshold)
        self.seconds[kind] += time.perf_counter() - start
        self.pixels[kind] += int(np.prod(images.shape[:3]))
        return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--every", type=int, default=15, help="frames between keyframes (BlurSettings default)")
    parser.add_argument("--photo", action="append", default=[], help="search this photo instead (repeatable)")
    parser.add_argument("--model", action="append", default=[], choices=sorted(MODELS),
                        help="compare the default search with these models (repeatable; the first is the "
                        "baseline) instead of the search before #15 with the default")
    args = parser.parse_args()
    if args.photo:
        frames = [cv2.imread(path) for path in args.photo]
        what = ", ".join(f"{Path(path).name} ({frame.shape[1]}×{frame.shape[0]})" for path, frame in zip(args.photo, frames))
    else:
        frames = [np.array(f).reshape(960, 1920, 3) for n, f in enumerate(read_frames(
            SOURCE, (1920, 960), pix_fmt="bgr24", filters=LEVEL, start=IN_S, duration=args.seconds))
            if n % args.every == 0]
        what = f"{len(frames)} keyframes of {SOURCE.name} (1920×960, levelled)"
    if args.model:  # the default search with each model
        models = {name: Timed(name) for name in args.model}
        searches = {name: SphereDetector(model) for name, model in models.items()}
    else:
        models = {"before (turned_scale=1)": Timed(), "coarse to fine (default)": Timed()}
        searches = {"before (turned_scale=1)": SphereDetector(models["before (turned_scale=1)"], turned_scale=1.0),
                    "coarse to fine (default)": SphereDetector(models["coarse to fine (default)"])}
    for search in searches.values():
        for frame in frames if args.photo else frames[:1]:  # the model loaded and the views' maps
            search(frame)  # built (per frame size) outside the timings
    for model in models.values():
        model.seconds.clear()
        model.pixels.clear()
    wall: dict[str, list[float]] = defaultdict(list)
    cpu: dict[str, list[float]] = defaultdict(list)
    faces: dict[str, int] = defaultdict(int)
    load = [os.getloadavg()[0]]
    for n, frame in enumerate(frames):
        order = list(searches.items())
        for name, search in order if n % 2 == 0 else order[::-1]:
            models[name].start()
            start, used = time.perf_counter(), time.process_time()
            faces[name] += len(search(frame))
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - used)
    load.append(os.getloadavg()[0])
    print(f"keyframe search — {time.strftime('%Y-%m-%d %H:%M')}, {platform.machine()}, {os.cpu_count()} cores, "
          f"load {load[0]:.1f} → {load[1]:.1f}; {what}")
    first = next(iter(searches))
    base, base_cpu = np.mean(wall[first]), np.mean(cpu[first])
    for name in searches:
        model = models[name]
        print(f"\n{name}: wall {np.mean(wall[name]):.2f} s per search (median {np.median(wall[name]):.2f}, "
              f"{np.mean(wall[name]) / base:.2f}× {first}), CPU {np.mean(cpu[name]):.2f} s "
              f"(median {np.median(cpu[name]):.2f}, {np.mean(cpu[name]) / base_cpu:.2f}×); "
              f"{sum(model.pixels.values()) / len(frames) / 1e6:.2f} Mpx per search; {faces[name]} faces found")
        total = sum(wall[name])
        for kind, seconds in sorted(model.seconds.items(), key=lambda kv: -kv[1]):
            print(f"  {kind:<22} {seconds / len(frames):.3f} s per keyframe ({seconds / total:.0%}), "
                  f"{model.pixels[kind] / len(frames) / 1e6:.2f} Mpx")
        rest = total - sum(model.seconds.values())
        print(f"  {'not the model':<22} {rest / len(frames):.3f} s per keyframe ({rest / total:.0%})")


if __name__ == "__main__":
    main()
