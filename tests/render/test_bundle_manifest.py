"""A built bundle's manifest.json is the bundle format's (zorgblik.bundle): it validates, comes back
byte for byte, and the catalog keeps the same manifest (tests/zorgblik/test_bundle.py: refusals)."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from catalog import queries
from render import build_script
from scripts_vr.templates import minimal_script
from zorgblik.bundle import FORMAT, MANIFEST, read_manifest
from support import ROOM_PHOTO

SCENE = """\
  - id: foto
    title: {{nl: Een foto, en: A photo}}
    footage: {footage}
    view: {{yaw: 90, pitch: 0}}
    contexts: [werkveldorientatie, intake]
    audience: {{routes: [BOL, BBL], levels: [2, 3]}}
    prompts:
      - {{text: {{nl: Wat valt je op}}, contexts: [intake]}}
"""


@pytest.mark.slow
def test_a_built_bundle_manifest_is_the_model_and_round_trips(tmp_path, settings, catalog):
    footage = os.path.relpath(ROOM_PHOTO, tmp_path)
    script = tmp_path / "testzorg.yaml"
    script.write_text(minimal_script(SCENE.format(footage=footage)), encoding="utf-8")
    [built] = build_script(script, settings=replace(settings, encoder_preset="ultrafast"), catalog=catalog,
                           profiles=["quest2", "quest3"])
    path = built.bundle_dir / MANIFEST
    manifest = read_manifest(path)
    assert manifest.to_json() == path.read_text(encoding="utf-8")  # nothing lost or added on the way
    assert (manifest.format, manifest.bundle_key, manifest.scene) == (FORMAT, built.bundle_key, "foto")
    assert [f.name for f in manifest.media()] == ["scene.quest2.jpg", "scene.quest3.jpg"]
    assert all((built.bundle_dir / f.name).stat().st_size == f.bytes for f in manifest.files)
    assert manifest.view.yaw == 90.0 and manifest.prompts[0].text == {"nl": "Wat valt je op"}
    assert manifest.privacy.needs_signoff  # nobody on the consent register
    with catalog.session() as db:
        assert queries.scene_version_by_bundle_key(db, built.bundle_key).manifest == manifest
