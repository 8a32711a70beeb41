"""The encode ladder: every profile's rendition probed again after the build.

One build of a one-second trim for all four profiles (module scope: encoded once), then one row
of checks per profile; a stereo clip with sound, for one profile, checks audio and loudness.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from catalog import Catalog
from render import PROFILES, BuildEvents, build_script, get_executor
from scripts_vr.templates import minimal_script
from support import MONO_VIDEO, STEREO_VIDEO
from zorgblik.media.probe import ffprobe_json
from zorgblik.media.spherical import read_spherical, verify_spherical
from zorgblik.settings import Settings
from zorgblik.tools import run_tool

SCRIPT = minimal_script("""\
  - id: kamer
    title: {{nl: Kamer}}
    footage: {mono}
    in: 0.5
    out: 1.5
    level: {{yaw: 0, pitch: -3, roll: 2}}
    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
""")

STEREO_SCRIPT = SCRIPT[:SCRIPT.index("  - id: kamer")] + """\
  - id: congo
    title: {{nl: Congo}}
    footage: {stereo}
    in: 1
    out: 3
    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
"""

EXPECTED = {  # profile: codec, size of the 1920×960 mono source after fitting
    "quest2": ("h264", 1920, 960),
    "quest3": ("hevc", 1920, 960),
    "pico4": ("h264", 1920, 960),
    "web": ("h264", 1920, 960),
}


@pytest.fixture(scope="module")
def ladder(tmp_path_factory, render_cache_dir):
    folder = tmp_path_factory.mktemp("ladder")
    settings = Settings.from_env({}, data_dir=folder / "data", port=0, encoder_preset="ultrafast", jobs=2,
                                 render_cache_dir=str(render_cache_dir))
    ladder, stereo = folder / "ladder.yaml", folder / "stereo.yaml"
    ladder.write_text(SCRIPT.format(mono=os.path.relpath(MONO_VIDEO, folder)))
    stereo.write_text(STEREO_SCRIPT.format(stereo=os.path.relpath(STEREO_VIDEO, folder)))
    events = BuildEvents(settings.data_dir / "builds")
    with Catalog(settings.catalog_url) as catalog:
        [mono] = build_script(ladder, settings=settings, catalog=catalog, profiles=list(EXPECTED), events=events)
        [congo] = build_script(stereo, settings=settings, catalog=catalog, profiles=["quest2"], events=events)
    events.finish()
    return mono.bundle_dir, congo.bundle_dir, settings


def keyframe_times(path: Path) -> list[float]:
    out = run_tool(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries", "packet=pts_time,flags",
                    "-of", "csv=p=0", path])
    return [float(t) for t, flags in (line.split(",", 1) for line in out.split()) if "K" in flags]


@pytest.mark.slow
@pytest.mark.parametrize("profile", list(EXPECTED))
def test_every_rendition_reprobes(ladder, profile):
    bundle, _, _ = ladder
    media = bundle / f"scene.{profile}.mp4"
    info = ffprobe_json(media)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (video["codec_name"], video["width"], video["height"]) == EXPECTED[profile]
    assert video["r_frame_rate"] == "30/1"
    assert abs(float(info["format"]["duration"]) - 1.0) < 0.05
    keys = keyframe_times(media)
    assert len(keys) >= 1 and all(1.0 <= b - a <= 2.0 for a, b in zip(keys, keys[1:]))
    assert keys[0] == pytest.approx(0.0, abs=0.05)
    verify_spherical(media, "mono")
    assert set(read_spherical(media).sources) == {"v1", "v2"}
    if PROFILES[profile].encoder_params.startswith("mvrange"):
        assert video["level"] == 52
    manifest = json.loads((bundle / "manifest.json").read_text())
    [entry] = [r for r in manifest["renditions"] if r["profile"] == profile]
    assert (entry["codec"], entry["width"], entry["height"], entry["file"]) == (*EXPECTED[profile], media.name)
    [listed] = [f for f in manifest["files"] if f["role"] == "media" and f["profile"] == profile]
    assert listed["bytes"] == media.stat().st_size


def test_manifest_lists_the_ladder_and_the_mesh(ladder):
    bundle, _, _ = ladder
    manifest = json.loads((bundle / "manifest.json").read_text())
    assert manifest["profiles"] == list(EXPECTED) and manifest["profile"] == "quest2"
    assert manifest["level"] == {"yaw": 0.0, "pitch": -3.0, "roll": 2.0}
    roles = {f["role"] for f in manifest["files"]}
    assert {"media", "poster", "thumbnail", "mesh"} <= roles
    assert (bundle / "sphere.obj").read_text().count("\nvt ") > 1000


@pytest.mark.slow
def test_stereo_sound_is_aac_48k_and_loudness_normalised(ladder):
    _, bundle, _ = ladder
    media = bundle / "scene.quest2.mp4"
    info = ffprobe_json(media)
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (audio["codec_name"], audio["sample_rate"], audio["channels"]) == ("aac", "48000", 2)
    assert read_spherical(media).stereo == "top-bottom"
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (1920, 1080)  # stereo kept stereo: two 2:1 halves
    report = subprocess.run(["ffmpeg", "-nostats", "-i", str(media), "-map", "0:a", "-af", "ebur128", "-f", "null", "-"],
                            capture_output=True, text=True, check=True).stderr
    integrated = float(re.findall(r"I:\s+(-?[\d.]+) LUFS", report)[-1])
    assert abs(integrated - PROFILES["quest2"].loudness_lufs) < 2.0


def test_build_wrote_progress_events(ladder):
    _, _, settings = ladder
    [events] = [json.loads(p.read_text()) for p in (settings.data_dir / "builds").glob("*.json")]
    assert events["state"] == "done"
    assert {k: v["state"] for k, v in events["scenes"].items()} == {"ladder/kamer": "done", "stereo/congo": "done"}
    assert all(v["fraction"] == 1.0 and v["bundle_key"] for v in events["scenes"].values())


def _square(item: int, progress) -> int:
    progress(f"s{item}", 1.0)
    return item * item


def test_local_executor_runs_in_workers_and_reports_back():
    seen: list[tuple[str, float]] = []
    assert get_executor("local", jobs=2).map(_square, [1, 2, 3], lambda s, f: seen.append((s, f))) == [1, 4, 9]
    assert sorted(seen) == [("s1", 1.0), ("s2", 1.0), ("s3", 1.0)]
