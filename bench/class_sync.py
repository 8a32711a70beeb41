"""A class in step, measured: the real service on a loopback port, N headset pages in headless
Chromium (one browser profile each, software GL), a werkveldoriëntatie playlist of short real
H.264 scenes started by a teacher on /klas, "Verder" between scenes.

Prints, per scene, the spread of first-frame moments across the headsets (on the service's clock,
from requestVideoFrameCallback; target ≤ 40 ms), how late the headsets' timers were, the drift
against the class's time after the scene played a while, and meekijken's head turn → staff view
latency (target ≤ 250 ms).

    PYTHONPATH=. .venv/bin/python bench/class_sync.py            # --headsets 5 --scenes 3 --seconds 6
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from catalog import Catalog  # noqa: E402
from headset_service.server import service_in_thread  # noqa: E402
from players.classrig import SESSION_COOKIE, ClassRoom, make_clip, wait_for  # noqa: E402
from players.conftest import CHROMIUM, CHROMIUM_ARGS, Harness, scene_bundle  # noqa: E402
from zorgblik.settings import Settings  # noqa: E402


def measure(args) -> None:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        folder = Path(tmp)
        clips = [make_clip(folder / f"c{n}.mp4", args.seconds) for n in range(args.scenes)]
        poster = b"\xff\xd8\xff\xd9"
        settings = Settings.from_env({}, data_dir=folder / "data", port=0)
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        with Catalog(settings.catalog_url) as catalog, service_in_thread(settings, catalog) as running:
            h = Harness(running.base_url, settings, catalog)
            room = ClassRoom.open(h, browser, lambda name, media, poster, **extra: scene_bundle(h, name, media, poster, **extra),
                                  clips, poster, count=args.headsets)
            try:
                room.start()
                for index in range(args.scenes):
                    if index:
                        room.all_waiting(index - 1, seconds=args.seconds + 30)
                        room.press("Verder")
                    starts = room.starts(index)
                    late = [s.get("late_ms", 0) for s in starts]
                    time.sleep(min(args.seconds - 1, 4))
                    drift = [d for d in room.drifts() if d is not None]
                    print(f"scene {index}: spread {room.spread(starts):6.1f} ms (first frames "
                          f"{room.spread(starts, 'first_frame_server_ms'):.1f} ms, their media time (ms) "
                          f"{[round(s.get('first_frame_media_s', 0) * 1000) for s in starts]}) | timers late (ms) {late} | "
                          f"start latency (ms) {[s.get('start_latency_ms') for s in starts]} | "
                          f"start error (ms) {[round(s.get('start_error_ms', 0)) for s in starts]} | "
                          f"drift after {min(args.seconds - 1, 4)} s: max |{max(map(abs, drift), default=0) * 1000:.1f}| ms")
                room.press("Stop")
                meekijken(h, browser, room)
            finally:
                room.close()
                browser.close()


def meekijken(h, browser, room) -> None:
    """An intake-like session of the first headset's group is a class here; meekijken needs head
    direction on, which werkveldoriëntatie has by default: turn headset 0 and time the staff view."""

    page = room.headsets[0]
    for headset in room.headsets:
        headset.evaluate("zorgblik.starts = []")
    wait_for(lambda: page.evaluate("zorgblik.session === null"), "the class stopped")
    room.start()
    room.starts(0)
    session_id = page.evaluate("zorgblik.session.id")
    context = browser.new_context(viewport={"width": 480, "height": 700})
    context.add_cookies([{"name": SESSION_COOKIE, "value": h.staff("teacher").headers["authorization"][7:],
                          "url": h.base_url}])
    staff = context.new_page()
    staff.goto(f"{h.base_url}/sessies/{session_id}")
    wait_for(lambda: staff.evaluate("window.zorgblikMeekijken?.scene != null"), "the staff copy")
    latencies = []
    for n in range(8):
        yaw, pitch = (60 * (n + 1)) % 360 - 180, (-1) ** n * 15
        t0 = page.evaluate("([y, p]) => { zorgblik.player.look(y, p); return Date.now(); }", [yaw, pitch])
        reached = wait_for(lambda: staff.evaluate(
            "([y, p]) => { const h = zorgblikMeekijkenHead; return h.yaw === y && h.pitch === p && h.reached; }",
            [yaw, pitch]), "the staff view turned")
        latencies.append(reached - t0)
    context.close()
    print(f"meekijken head turn → staff view: median {statistics.median(latencies):.0f} ms, "
          f"max {max(latencies):.0f} ms over {len(latencies)} turns {latencies}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--headsets", type=int, default=5)
    parser.add_argument("--scenes", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each scene")
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M')} · {platform.machine()} · {len(__import__('os').sched_getaffinity(0))} cores · "
          f"load {__import__('os').getloadavg()[0]:.1f} · {args.headsets} headsets, {args.scenes} scenes of {args.seconds} s")
    measure(args)


if __name__ == "__main__":
    main()
