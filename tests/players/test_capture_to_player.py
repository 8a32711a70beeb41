"""From a camera's file to a scene a headset plays (issue #17): footage in a projection capture
has to turn or keep (an EAC cubemap as a GoPro MAX writes it; VR180) is taken in by a real build
from a script that names the file, signed off, published, put in a playlist, synced to the headset
page in headless Chromium and shown there: the player draws the scene's picture, not a blank canvas."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import cv2
import pytest

from catalog import queries, signoffs
from render import build_script
from scripts_vr.templates import minimal_script
from support import LANDSCAPE_PHOTO, approve_profile, wait_for
from zorgblik.media.ffmpeg import reproject_command
from zorgblik.tools import run_tool

PHOTO_SCENE = """\
  - id: {id}
    title: {{nl: {title}}}
    footage: {footage}
    contexts: [intake]
    audience: {{routes: [BOL], levels: [3]}}
"""


def eac_photo(folder: Path) -> Path:
    """The landscape fixture as an equi-angular cubemap (GoPro MAX's layout), 1536×1024, by v360."""
    pano = folder / "pano.png"
    cv2.imwrite(str(pano), cv2.resize(cv2.imread(str(LANDSCAPE_PHOTO)), (2048, 1024), interpolation=cv2.INTER_AREA))
    out = folder / "GS_eac.jpg"
    run_tool(reproject_command(pano, out, source="e", target="eac", size=(1536, 1024), output_args=("-frames:v", "1",
                                                                                                       "-q:v", "2")))
    return out


def build_and_publish(harness, folder: Path, name: str, scenes: list[tuple[str, str, Path]]) -> list[str]:
    """Build the script ``name`` of ``scenes`` (id, title, footage file) into the harness's data
    folder, sign each scene off and publish it; returns the bundle keys in order."""
    script = folder / f"{name}.yaml"
    script.write_text(minimal_script("".join(PHOTO_SCENE.format(id=i, title=t, footage=os.path.relpath(f, folder))
                                             for i, t, f in scenes)), encoding="utf-8")
    settings = replace(harness.settings, encoder_preset="ultrafast")
    built = build_script(script, settings=settings, catalog=harness.catalog)
    approve_profile(harness.catalog, script)
    with harness.catalog.session() as db:
        for scene in built:  # nobody in the register: a person looks at the review sheet and signs off
            version = queries.scene_version_by_bundle_key(db, scene.bundle_key)
            signoffs.sign_off(db, version, by="test")
            queries.publish(db, version)
    return [scene.bundle_key for scene in built]


def headset_session(harness, page, script: str, scenes: list[str]) -> int:
    """A playlist of ``scenes`` of ``script`` on a headset paired in ``page``; the session started."""
    admin, staff = harness.staff("admin"), harness.staff("intake")
    playlist = harness.staff("author").post("/api/playlists", json={
        "name": harness.unique("Van camera tot headset"), "context": "intake",
        "scenes": [{"script": script, "scene": s} for s in scenes]}).raise_for_status().json()["id"]
    name = harness.unique("Quest")
    code = admin.post("/api/headsets/pairing-codes", json={"name": name, "profile": "quest2"}).json()["code"]
    page.goto(f"{harness.base_url}/headset")
    page.get_by_label("Koppelcode").fill(code)
    page.get_by_role("button", name="Koppelen").click()
    page.get_by_text("Wacht op de begeleider…").wait_for(timeout=30000)
    headset_id = next(h["id"] for h in admin.get("/api/headsets").json() if h["name"] == name)
    session = staff.post("/api/sessions", json={"context": "intake", "headset_id": headset_id, "playlist_id": playlist})
    assert session.status_code == 201, session.text
    return session.json()["id"]


def canvas_spread(page) -> float:
    """How much the drawn picture varies: the standard deviation of the canvas's grey levels
    (a blank or single-coloured canvas: about 0)."""
    return page.evaluate("""() => {
        const src = document.getElementById('sphere'), c = document.createElement('canvas');
        c.width = src.width; c.height = src.height;
        const g = c.getContext('2d'); g.drawImage(src, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data;
        let n = 0, sum = 0, sq = 0;
        for (let i = 0; i < d.length; i += 16) { const v = (d[i] + d[i + 1] + d[i + 2]) / 3; n++; sum += v; sq += v * v; }
        return Math.sqrt(sq / n - (sum / n) ** 2);
    }""")


def past_panels(page, key: str) -> bool:
    """Whether the scene ``key`` is on screen; before it, the profile's panels wait for "Verder"."""
    if page.evaluate("() => window.zorgblik.session?.panel != null"):
        page.evaluate("() => document.querySelector('#panel button')?.click()")
    return showing(page, key)


def showing(page, key: str) -> bool:
    return page.evaluate("k => window.zorgblik.scene?.key === k && window.zorgblik.player.frames > 3", key)


@pytest.mark.slow
def test_an_eac_cubemap_goes_from_capture_to_the_headset(harness, page, tmp_path):
    key, = build_and_publish(harness, tmp_path, "gopro-vvt", [("uitzicht", "Uitzicht", eac_photo(tmp_path))])
    with harness.catalog.session() as db:
        version = queries.scene_version_by_bundle_key(db, key)
        footage = version.footage
        assert (footage.projection, footage.width, footage.height) == ("equirectangular", 2048, 1024)
        assert any("omgezet naar equirectangular uit" in r for r in footage.reasons)

    headset_session(harness, page, "gopro-vvt", ["uitzicht"])
    wait_for(lambda: past_panels(page, key), "the converted cubemap on screen", seconds=30)
    assert page.evaluate("zorgblik.scene.element.naturalWidth") > 0
    assert canvas_spread(page) > 10  # the landscape, not a blank or one-coloured canvas
    assert page.errors == []
