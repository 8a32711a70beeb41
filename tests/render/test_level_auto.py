"""``level: auto``: a scene whose footage has no pose in its metadata is levelled by the estimate
capture read from the picture (#17); without any the build stops before ffmpeg, with one line
(lint's footage check at the scene's line; the plan's own LevelUnknown behind it)."""

from __future__ import annotations

import math
import os

import cv2
import pytest

from capture import FootageStore, add_footage
from capture.level_estimate import estimate_level
from render import build_script
from render.build import scene_level
from render.errors import LevelUnknown
from scripts_vr import load_script
from scripts_vr.errors import ScriptInvalid
from scripts_vr.templates import minimal_script
from support import LANDSCAPE_PHOTO, ROOM_PHOTO
from zorgblik.bundle import MANIFEST, read_manifest
from zorgblik.media.ffmpeg import still_command
from zorgblik.tools import run_tool

SCRIPT = minimal_script("""\
  - id: kamer
    title: {{nl: Kamer}}
    footage: {footage}
    level: auto
    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
""")


def _script(tmp_path, photo):
    script = tmp_path / "kamer.yaml"
    script.write_text(SCRIPT.format(footage=os.path.relpath(photo, tmp_path)), encoding="utf-8")
    return script


@pytest.mark.slow
def test_auto_levels_a_crooked_room_by_its_estimate(tmp_path, settings, catalog):
    photo = tmp_path / "kamer_scheef.jpg"
    run_tool(still_command(ROOM_PHOTO, photo, filters="scale=1024:512,v360=e:e:pitch=-12:roll=88"), where="test")
    footage = add_footage(photo, catalog=catalog, store=FootageStore(settings.store_dir)).footage
    assert footage.level_estimate  # no GPano in it: capture read the level from the picture
    [built] = build_script(_script(tmp_path, photo), settings=settings, catalog=catalog, profiles=["web"])
    level = read_manifest(built.bundle_dir / MANIFEST).level
    assert (level.yaw, level.pitch, level.roll) == pytest.approx(
        tuple(footage.level_estimate[k] for k in ("yaw", "pitch", "roll")), abs=1e-3)
    after = estimate_level(cv2.imread(str(built.bundle_dir / "scene.web.jpg")))
    tilt = math.degrees(math.acos(min(1.0, after.up[2])))
    print(f"after levelling: {tilt:.2f}° from level")
    assert tilt <= 2.0, f"after levelling still {tilt:.2f}° off"


def test_auto_without_an_estimate_says_so_before_encoding(tmp_path, settings, catalog):
    photo = tmp_path / "landschap.jpg"
    run_tool(still_command(LANDSCAPE_PHOTO, photo, filters="scale=1024:512"), where="test")
    footage = add_footage(photo, catalog=catalog, store=FootageStore(settings.store_dir)).footage
    assert footage.level_estimate == {}
    # named by its path, the build's lint of the footage finds it at its line
    with pytest.raises(ScriptInvalid) as caught:
        build_script(_script(tmp_path, photo), settings=settings, catalog=catalog, profiles=["web"])
    assert "scenes.0.level: auto, maar van landschap.jpg is de stand onbekend" in str(caught.value)
    # and the plan itself refuses too, for a caller that did not lint first
    scene = load_script(_script(tmp_path, photo)).scenes[0]
    for unknown in ({}, None):
        footage.level_estimate = unknown
        with pytest.raises(LevelUnknown) as caught:
            scene_level(scene, footage, where="kamer.yaml: scène kamer")
        assert "level: auto" in str(caught.value) and "\n" not in str(caught.value)
    assert not list(settings.bundles_dir.rglob("scene.web.jpg"))
