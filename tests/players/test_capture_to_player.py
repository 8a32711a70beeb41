"""From a camera's file to a scene a headset plays (issue #17): footage in a projection capture
has to turn or keep (an EAC cubemap as a GoPro MAX writes it; VR180) is taken in by a real build
from a script that names the file, signed off, published, put in a playlist, synced to the headset
page in headless Chromium and shown there: the player draws the scene's picture, not a blank canvas."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest

from catalog import queries, signoffs
from render import build_script
from scripts_vr.templates import minimal_script
from support import GLOWSTICKS_PHOTO, LANDSCAPE_PHOTO, approve_profile, vr180_clip, wait_for
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


def build_and_publish(harness, folder: Path, name: str, scenes: list[tuple[str, str, Path]],
                      profiles=("quest2",), extra: str = "") -> list[str]:
    """Build the script ``name`` of ``scenes`` (id, title, footage file; ``extra``: lines every
    scene gets besides) into the harness's data folder, sign each scene off and publish it; returns
    the bundle keys in order."""
    script = folder / f"{name}.yaml"
    script.write_text(minimal_script("".join(PHOTO_SCENE.format(id=i, title=t, footage=os.path.relpath(f, folder))
                                             + extra for i, t, f in scenes)), encoding="utf-8")
    settings = replace(harness.settings, encoder_preset="ultrafast")
    built = build_script(script, settings=settings, catalog=harness.catalog, profiles=profiles)
    approve_profile(harness.catalog, script)
    with harness.catalog.session() as db:
        for scene in built:  # nobody in the register: a person looks at the review sheet and signs off
            version = queries.scene_version_by_bundle_key(db, scene.bundle_key)
            signoffs.sign_off(db, version, by="test")
            queries.publish(db, version)
    return [scene.bundle_key for scene in built]


def headset_session(harness, page, script: str, scenes: list[str]) -> tuple[int, int]:
    """A playlist of ``scenes`` of ``script`` on a headset paired in ``page``; the session started.
    Returns (session id, playlist id)."""
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
    return session.json()["id"], playlist


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


def two_coloured_pano() -> np.ndarray:
    """1024×512, textured: the front half (yaw −90° to 90°) red, the back half blue. A VR180 eye
    turned 180° sees only blue, so which eye a player shows is told by its colour."""
    stripes = ((np.indices((512, 1024)).sum(axis=0) // 16) % 2 * 80 + 60).astype(np.uint8)
    pano = np.zeros((512, 1024, 3), np.uint8)
    front = np.zeros((512, 1024), bool)
    front[:, 256:768] = True
    pano[..., 2] = np.where(front, stripes + 100, 20)  # BGR: red in front
    pano[..., 0] = np.where(front, 20, stripes + 100)  # blue behind
    pano[..., 1] = 30
    return pano


def pixel(page, x: float, y: float) -> list[int]:
    """The canvas's RGBA at (``x``, ``y``), fractions of its width and height."""
    return page.evaluate("""([x, y]) => {
        const src = document.getElementById('sphere'), c = document.createElement('canvas');
        c.width = src.width; c.height = src.height;
        const g = c.getContext('2d'); g.drawImage(src, 0, 0);
        return Array.from(g.getImageData(Math.round(x * src.width), Math.round(y * src.height), 1, 1).data);
    }""", [x, y])


@pytest.mark.slow
def test_a_vr180_clip_plays_on_the_half_sphere_in_2d_and_in_vr(harness, xr_page, tmp_path):
    """Side by side VR180 whose right eye looks the other way (blue), the left eye ahead (red): the
    headset shows it on the bundle's half sphere, the left eye's picture in 2D, and in VR each eye
    its own half of the frame."""
    page = xr_page
    clip = vr180_clip(tmp_path, "vr180-sbs", [two_coloured_pano()], eye=256, parallax_deg=180.0, fps=5, frames=10)
    key, = build_and_publish(harness, tmp_path, "vr180-vvt", [("terras", "Terras", clip)])
    with harness.catalog.session() as db:
        footage = queries.scene_version_by_bundle_key(db, key).footage
        assert (footage.projection, footage.stereo) == ("equirectangular-vr180", "left-right")
    staff = harness.staff("intake")
    listed = {s["bundle_key"]: s for s in staff.get("/api/scenes").json()}
    assert listed[key]["projection"] == "equirectangular-vr180"
    home = staff.get("/").text  # the staff page's scene list says so, in the staff's words
    assert re.search(r"Terras</a></h4>\s*<p>video, \d+ s\s*· VR180 · stereo", home), home[home.find("Terras"):][:300]

    session, playlist = headset_session(harness, page, "vr180-vvt", ["terras"])
    table = harness.staff("author").get(f"/afspeellijsten/{playlist}").text  # the playlist's scene table too
    assert re.search(r"Terras <span class=\"muted\">\(vr180-vvt\)</span></th>\s*<td>video, VR180</td>", table), \
        table[table.find("Terras"):][:300]
    wait_for(lambda: past_panels(page, key), "the VR180 scene on screen", seconds=30)
    wait_for(lambda: page.evaluate("zorgblik.scene.element.currentTime") > 0.2, "the clip playing")
    harness.staff("intake").post(f"/api/sessions/{session}/commands", json={"command": "pause"}).raise_for_status()
    wait_for(lambda: page.evaluate("zorgblik.scene.element.paused"), "the clip paused (it stays on screen)")
    assert page.evaluate("document.getElementById('sphere').dataset.projection") == "vr180"
    bounds = page.evaluate("zorgblik.player.renderer.bounds")
    assert bounds["max"][2] < 1e-3 and bounds["min"][0] < -9.9 and bounds["max"][0] > 9.9  # the half sphere, ahead
    wait_for(lambda: canvas_spread(page) > 10, "a picture on the canvas")
    r, g, b, _ = pixel(page, 0.15, 0.5)  # some 40° left of ahead, beside the "Gepauzeerd" notice
    assert r > b + 60, (r, g, b)  # the left eye's red: not the right eye's blue, nor both mixed

    page.get_by_role("button", name="Start VR").click()
    wait_for(lambda: page.evaluate("window.zorgblik.player.xr?.frames || 0") > 10, "immersive frames")
    windows = page.evaluate("zorgblik.player.renderer.eyeWindows")
    assert windows["left"] == [0, 0, 0.5, 1] and windows["right"] == [0.5, 0, 0.5, 1]  # each eye its half
    assert page.evaluate("zorgblik.player.renderer.projection") == "vr180"
    assert page.errors == []


@pytest.mark.slow
def test_a_scene_with_a_camera_height_is_drawn_on_the_grounded_sphere(harness, page, tmp_path):
    """A script that gives the camera height gets its scene drawn on the bundle's grounded sphere:
    the floor flat that far below the viewer's eyes, not the player's own round sphere."""
    key, = build_and_publish(harness, tmp_path, "vloer-vvt", [("kamer", "Kamer", GLOWSTICKS_PHOTO)],
                             extra="    camera_height: 1.2\n")
    headset_session(harness, page, "vloer-vvt", ["kamer"])
    wait_for(lambda: past_panels(page, key), "the grounded scene on screen", seconds=30)
    canvas = page.evaluate("() => ({...document.getElementById('sphere').dataset})")
    assert (canvas["projection"], canvas["floor"]) == ("360", "1.2")
    bounds = page.evaluate("zorgblik.player.renderer.bounds")
    assert abs(bounds["min"][1] + 1.2) < 1e-4 and abs(bounds["max"][1] - 10.0) < 1e-4  # the floor, the zenith
    assert page.evaluate("zorgblik.player.renderer.meshUV") is True
    wait_for(lambda: canvas_spread(page) > 10, "a picture on the canvas")
    assert page.errors == []
