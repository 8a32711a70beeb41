"""Incremental rebuild: a six-scene script, built once, then one caption edited and built again.

The rebuild must encode nothing (counted two ways: files in the encode cache, and the
renditions each built scene reports as encoded) and take under 2 s. The edited scene gets a new
scene version (captions are part of the bundle), its poster, thumbnail, mesh and media linked
from the caches.

Timed twice: ``build_script`` in this process (what the service would call), and the whole
``zorgblik build`` command (Python start-up included).

    .venv/bin/python bench/incremental_rebuild.py [--profiles quest2,web]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from catalog import Catalog  # noqa: E402
from render import build_script  # noqa: E402
from scripts_vr.templates import minimal_script  # noqa: E402
from zorgblik.settings import Settings  # noqa: E402

SOURCE = ROOT / "demo/footage/video/testroom_1920x960_mono.mp4"
HEADER = minimal_script("")
SCENE = """\
  - id: scene{n}
    title: {{nl: Scène {n}}}
    footage: {footage}
    in: {in_s}
    out: {out_s}
    captions:
      - {{start: 0, end: 1, text: {caption}}}
    hotspots:
      - {{id: tafel, yaw: 30, pitch: -10, kind: info, label: Tafel, text: Hier wordt gegeten}}
    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
"""


def write_script(path: Path, first_caption: str) -> None:
    footage = os.path.relpath(SOURCE, path.parent)
    scenes = [SCENE.format(n=n, footage=footage, in_s=n, out_s=n + 1.5, caption=first_caption if n == 0 else f"Tekst {n}")
              for n in range(6)]
    path.write_text(HEADER + "".join(scenes), encoding="utf-8")


def encode_files(settings: Settings) -> int:
    return len(list((settings.cache_dir / "encode").glob("*.mp4")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", default="quest2,web")
    args = parser.parse_args()
    profiles = args.profiles.split(",")
    with tempfile.TemporaryDirectory(prefix="zb-bench-") as tmp:
        script = Path(tmp) / "zes.yaml"
        settings = replace(Settings.from_env({}, data_dir=Path(tmp) / "data"), encoder_preset="ultrafast", jobs=2)
        write_script(script, "Goedemorgen")
        with Catalog(settings.catalog_url) as catalog:
            from render import get_executor

            start = time.perf_counter()
            build_script(script, settings=settings, catalog=catalog, profiles=profiles,
                         executor=get_executor("local", jobs=settings.jobs))
            first = time.perf_counter() - start
            encodes_before = encode_files(settings)

            write_script(script, "Welkom op de afdeling")
            start = time.perf_counter()
            rebuilt = build_script(script, settings=settings, catalog=catalog, profiles=profiles,
                                   executor=get_executor("local", jobs=settings.jobs))
            library_s = time.perf_counter() - start
            encoded = sum(b.encoded for b in rebuilt)
            new_versions = sum(1 for b in rebuilt if b.version == 2)

        write_script(script, "Tot straks")
        cli = [str(Path(sys.executable).parent / "zorgblik"), "--data", str(settings.data_dir), "build", str(script),
               *[x for p in profiles for x in ("--profile", p)]]
        start = time.perf_counter()
        subprocess.run(cli, check=True, capture_output=True,
                       env={**os.environ, "ZORGBLIK_ENCODER_PRESET": "ultrafast", "ZORGBLIK_JOBS": "2"})
        cli_s = time.perf_counter() - start
        encodes_after = encode_files(settings)

    print(f"incremental rebuild — {time.strftime('%Y-%m-%d')}, {platform.machine()}, {os.cpu_count()} cores, "
          f"6 scenes × {len(profiles)} profiles ({', '.join(profiles)}), preset ultrafast")
    print(f"{'first build':<40}{first:>8.2f} s   {encodes_before} renditions encoded")
    print(f"{'caption edit, build_script':<40}{library_s:>8.2f} s   {encoded} encoded, {new_versions} new scene versions")
    print(f"{'caption edit, zorgblik build (CLI)':<40}{cli_s:>8.2f} s   {encodes_after - encodes_before} encoded")
    ok = encoded == 0 and encodes_after == encodes_before and library_s < 2.0
    print(f"target: no encode and < 2 s → {'met' if ok else 'NOT met'}")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
